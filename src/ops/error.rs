//! Why an operation failed, for people and for scripts: every error has a message (what
//! went wrong), a stable machine [`kind`](OpError::kind) (kebab-case) and, where there
//! is one, a [`hint`](OpError::hint) (what to do next), which the CLI prints on its own
//! `hint:` line. A message never carries its hint.

use crate::adopt::AdoptError;
use crate::flake::PatchError;
use crate::manifest::edit::EditError;
use crate::manifest::ManifestError;
use crate::nix::NixError;
use crate::repo::RepoError;
use crate::resolve::ResolveError;
use crate::txn::TxnError;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Txn(#[from] TxnError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Patch(#[from] PatchError),
    #[error(transparent)]
    Nix(#[from] NixError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Adopt(#[from] AdoptError),
    /// Boxed: a refusal may name several things (an input clash names seven), and the
    /// error of every operation should stay small.
    #[error(transparent)]
    Refused(Box<Refusal>),
    #[error("{cause}\nglix could not put every file back: {rollback}; its journal stays, and the next glix command tries again")]
    RollbackFailed { cause: Box<OpError>, rollback: RepoError },
    #[error("{cause}\nglix put back what it had written; {} changed by someone else meanwhile and {} left as it is now", files.join(", "), if files.len() == 1 { "is" } else { "are" })]
    LeftForeign { cause: Box<OpError>, files: Vec<String> },
}

impl From<Refusal> for OpError {
    fn from(r: Refusal) -> OpError {
        OpError::Refused(Box::new(r))
    }
}

impl OpError {
    /// Whether the repository is exactly as before the failed command: what lets the CLI
    /// say "nothing was changed".
    pub fn changed_nothing(&self) -> bool {
        !matches!(self, OpError::RollbackFailed { .. } | OpError::LeftForeign { .. })
    }

    /// What to do next, for the `hint:` line.
    pub fn hint(&self) -> Option<String> {
        match self {
            OpError::Repo(e) => e.hint(),
            OpError::Txn(e) => e.hint(),
            OpError::Edit(e) => e.hint(),
            OpError::Resolve(e) => resolve_hint(e),
            OpError::Adopt(e) => e.hint(),
            // A manifest error's message says what is expected at that line; the
            // patcher's and Nix's messages say what to do.
            OpError::Manifest(_) | OpError::Patch(_) | OpError::Nix(_) => None,
            OpError::Refused(r) => r.hint(),
            OpError::RollbackFailed { .. } => Some(
                "make room (a full disk?) or fix what the message names, then run any glix command: it finishes the rollback; `glix doctor` shows the state"
                    .into(),
            ),
            OpError::LeftForeign { cause, .. } => cause.hint(),
        }
    }

    /// A stable, machine-readable name of what went wrong (`no-such-package`, `dirty`,
    /// `head-moved`, …), for `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            OpError::Repo(e) => e.kind(),
            OpError::Txn(e) => e.kind(),
            OpError::Manifest(e) => e.kind.as_str(),
            OpError::Edit(e) => e.kind(),
            OpError::Patch(e) => e.kind(),
            OpError::Nix(e) => nix_kind(e),
            OpError::Resolve(e) => resolve_kind(e),
            OpError::Adopt(e) => e.kind(),
            OpError::Refused(r) => r.kind(),
            OpError::RollbackFailed { .. } => "rollback-failed",
            // What failed is the cause; that a file was left is in the message (and in
            // `changed_nothing`).
            OpError::LeftForeign { cause, .. } => cause.kind(),
        }
    }
}

/// What glix refuses to do, and why: each case says what is wrong ([`Display`]) and,
/// separately, what to do about it ([`Refusal::hint`]).
///
/// [`Display`]: std::fmt::Display
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{dir} is already a glix repository (hosts: {hosts})")]
    AlreadyARepo { dir: String, hosts: String },
    #[error("{0} is not empty")]
    DirNotEmpty(String),
    #[error("--input {0}=…: the template has no input named '{0}'")]
    UnknownTemplateInput(String),
    #[error("--input {name}={url}: {reason}")]
    InvalidTemplateInput { name: String, url: String, reason: String },
    #[error("there is no glix operation to undo")]
    NothingToUndo,
    #[error("there is no glix operation on {0} to undo")]
    NothingToUndoOn(String),
    #[error("cannot undo `{op}`: a later glix operation ({commit} \"{summary}\") also changed {path}")]
    UndoBlockedByGlix { op: String, commit: String, summary: String, path: String },
    #[error("cannot undo `{op}`: a later commit not made by glix ({commit} \"{summary}\") also changed {path}")]
    UndoBlocked { op: String, commit: String, summary: String, path: String },
    #[error("no glix operation with commit id {0}")]
    NoSuchOperation(String),
    #[error("{0} matches several glix operations")]
    AmbiguousOperation(String),
    #[error("input '{input}' is used for two different flakes: \"{url}\" by package '{owner_package}' of host {owner_host}, and \"{other_url}\" by package '{other_package}' of host {other_host}")]
    InputClash { input: String, url: String, owner_package: String, owner_host: String, other_url: String, other_package: String, other_host: String },
    #[error("'{0}' cannot be a package name ({rule})", rule = crate::ident::NAME_RULE)]
    InvalidPackageName(String),
    #[error("--user {0} only applies to --scope home (system packages belong to the whole machine)")]
    UserOnSystemScope(String),
    #[error("{flake} ({output}) is already on {host} as '{name}'")]
    AlreadyPresent { flake: String, output: String, host: String, name: String },
    #[error("unknown verb {0}")]
    UnknownVerb(String),
    #[error("no host has a `target-host` in its glix.toml, so --all has nothing to deploy")]
    NoTargetHosts,
    #[error("nixos-rebuild is not on PATH (it comes with NixOS); `glix {0}` needs it")]
    NoNixosRebuild(String),
    #[error("the plugin {path} does not load into the nix on PATH: {reason}")]
    PluginDoesNotLoad { path: String, reason: String },
    #[error("hosts/{0} already exists")]
    HostExists(String),
    /// `host`: where glix looked (`None`: on every host).
    #[error("no package named '{name}' {}", match host { Some(h) => format!("on {h}"), None => "on any host".to_string() })]
    NoSuchPackage { name: String, host: Option<String>, near: Option<String> },
    #[error("host {0} has no default-user, so a home package there needs one")]
    NoDefaultUser(String),
    #[error("'{0}' is not a Nix system (an architecture and an OS joined by one '-', such as x86_64-linux)")]
    InvalidSystem(String),
    #[error("config key '' in '{0}': a key cannot be empty")]
    EmptyConfigKey(String),
    #[error("'{typed}' is a web page address, not a flake reference")]
    WebUrl { typed: String, flake: String },
    #[error("'{0}' is not an attribute path (such as ripgrep or python3Packages.requests)")]
    InvalidAttr(String),
    #[error("--output names a module, and {typed} names a package (after '#'): give one of them")]
    OutputAndAttr { typed: String },
    /// `from` is `nixpkgs` (the repo's) or a flake reference.
    #[error("{from} has no package '{attr}' for {system}")]
    NoSuchAttr { from: String, attr: String, system: String, near: Vec<String> },
    #[error("{from}#{attr} is a {kind}, not a package (a derivation)")]
    NotADerivation { from: String, attr: String, kind: String },
    #[error("{flake} has no module at `{output}`; it offers {offers}")]
    NoSuchOutput { flake: String, output: String, offers: String, near: Vec<String> },
    #[error("`{output}` of {flake} is a package, not a module")]
    OutputIsPackage { flake: String, output: String },
    #[error("{flake} offers neither a module nor a package for {system}: it has {offers}")]
    OffersNothing { flake: String, system: String, offers: String },
    #[error("--config is for modules: {0} is a package, and a package takes no glixConfig")]
    ConfigOnPackage(String),
    #[error("glix init needs --host NAME (the first host of the repo): {0}")]
    NeedsHost(String),
    #[error("the configuration's networking.hostName \"{name}\" ({at}) cannot be a host name ({rule})", rule = crate::ident::NAME_RULE)]
    InvalidAdoptedHostName { name: String, at: String },
    #[error("'{0}' is not a NixOS release (system.stateVersion is YY.MM, such as 23.05)")]
    InvalidStateVersion(String),
    #[error("glix cannot tell {host}'s system.stateVersion: {why}")]
    NoStateVersion { host: String, why: String },
    #[error("--state-version {given}: {at} sets system.stateVersion already ({value}), and glix never writes over it")]
    StateVersionAdopted { given: String, at: String, value: String },
    #[error("{0} already exists, and glix does not write over your files")]
    HostFileExists(String),
    #[error("the adopted configuration does not evaluate as host {host}: {error}")]
    DoesNotEvaluate { host: String, error: String },
    #[error("there is no running system at {0} to compare with")]
    NoRunningSystem(String),
    #[error("not activated: the new system of {0} was declined")]
    Declined(String),
    #[error("`{key}` is not a host field glix sets")]
    UnknownHostKey { key: String, near: Option<String> },
    #[error("{key}={value}: not {expected}")]
    InvalidHostValue { key: String, value: String, expected: String },
    #[error("{engine} needs the flake input '{input}', and package '{package}' of host {host} already uses that name")]
    FleetInputTaken { engine: &'static str, input: &'static str, package: String, host: String },
    #[error("flake.nix has no glix-managed fleet region (it was made before glix handed fleets to colmena and deploy-rs)")]
    NoFleetRegion,
    #[error("the fleet's engine is {engine}, and `{program}` is not on PATH")]
    NoEngineProgram { engine: &'static str, program: &'static str },
    #[error("--url {url}: {reason}")]
    InvalidFleetUrl { url: String, reason: String },
    #[error("{enabled} is the fleet's engine; glix hands the fleet to one engine at a time")]
    OtherEngineEnabled { enabled: &'static str, asked: &'static str },
    #[error("`--on {0}` names no host or tag")]
    UnknownSelection(String, Vec<String>),
    /// A failure injected by a test (`--features failpoints`).
    #[error("injected failure {0}")]
    Injected(&'static str),
}

impl Refusal {
    /// What to do next, for the `hint:` line.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Refusal::AlreadyARepo { .. } => "add a host to it with `glix host add NAME`, or give `glix init` another directory".into(),
            Refusal::DirNotEmpty(_) => {
                "glix init needs a new or empty directory (a fresh clone holding only .git and files such as a README is fine): name another one".into()
            }
            Refusal::UnknownTemplateInput(_) => format!("the template's inputs are {}", super::init::TEMPLATE_INPUTS.join(", ")),
            Refusal::InvalidTemplateInput { .. } => "give a flake reference such as github:owner/repo or path:/some/dir".into(),
            Refusal::NothingToUndo => "`glix log` shows what glix has done (an undone operation is not undone twice)".into(),
            Refusal::NothingToUndoOn(_) => "`glix log --host HOST` shows what glix has done there".into(),
            Refusal::UndoBlockedByGlix { .. } => "undo that operation first (`glix undo` undoes the newest), or change the file with glix".into(),
            Refusal::UndoBlocked { commit, .. } => format!("revert that commit first (`git revert {commit}`), or fix the file by hand"),
            Refusal::NoSuchOperation(_) => "`glix log` lists glix's operations and their commit ids".into(),
            Refusal::AmbiguousOperation(_) => "give more of the commit id (`glix log` shows them)".into(),
            Refusal::InputClash { .. } => "give one of them another `input` in its glix.toml".into(),
            Refusal::InvalidPackageName(_) => "choose a name with --name".into(),
            Refusal::UserOnSystemScope(_) => "drop --user, or add --scope home for a home-manager module".into(),
            Refusal::AlreadyPresent { name, .. } => format!("`glix show {name}` shows it"),
            Refusal::WebUrl { flake, .. } => format!("did you mean `glix add {flake}`?"),
            Refusal::InvalidAttr(_) => "write the attribute after '#', e.g. nixpkgs#ripgrep".into(),
            Refusal::OutputAndAttr { .. } => "for a module: REF --output ATTRPATH; for a package: REF#ATTR".into(),
            Refusal::NoSuchAttr { near, .. } if !near.is_empty() => format!("did you mean {}? (`glix search TERM` lists packages)", near.join(", ")),
            Refusal::NoSuchAttr { .. } => "`glix search TERM` lists the packages of the repo's nixpkgs".into(),
            Refusal::NotADerivation { from, attr, .. } => format!("name a package inside it, e.g. {from}#{attr}.NAME"),
            Refusal::NoSuchOutput { near, .. } if !near.is_empty() => format!("did you mean --output {}?", near.join(" or --output ")),
            Refusal::NoSuchOutput { .. } => "pass --output with the attribute path of one of its modules".into(),
            Refusal::OutputIsPackage { flake, output } => {
                let attr = output.rsplit('.').next().unwrap_or("default");
                format!("add it as a package: `glix add {flake}#{attr}`")
            }
            Refusal::OffersNothing { .. } => "name what to add: REF#ATTR for a package, or --output ATTRPATH for a module".into(),
            Refusal::ConfigOnPackage(_) => "drop --config".into(),
            Refusal::UnknownVerb(_) => format!("one of {}", super::VERBS.join(", ")),
            Refusal::NoTargetHosts => "add one under [host] in a host's glix.toml (target-host = \"root@machine\") to deploy it with --all".into(),
            Refusal::NoNixosRebuild(_) => "on a machine without NixOS, `glix build` evaluates the host instead".into(),
            Refusal::PluginDoesNotLoad { .. } => "rebuild the plugin for this Nix, or drop --plugin".into(),
            Refusal::HostExists(name) => format!("choose another name, or `glix host remove {name}` first"),
            Refusal::NoSuchPackage { near: Some(n), .. } => format!("did you mean '{n}'? (`glix list` shows the packages)"),
            Refusal::NoSuchPackage { host: Some(_), .. } => "`glix list` shows the host's packages".into(),
            Refusal::NoSuchPackage { host: None, .. } => "`glix list --all-hosts` shows them".into(),
            Refusal::NoDefaultUser(_) => "pass --user".into(),
            Refusal::InvalidSystem(_) => format!("one of {}", crate::ident::KNOWN_SYSTEMS.join(", ")),
            Refusal::EmptyConfigKey(_) => "write KEY=VALUE, e.g. port=8080".into(),
            Refusal::NeedsHost(_) => "e.g. `glix init --host laptop --user alice`".into(),
            Refusal::InvalidAdoptedHostName { .. } => "name the host yourself with --host NAME (the configuration keeps its hostName)".into(),
            Refusal::InvalidStateVersion(_) => "give the release the machine was first installed with, e.g. --state-version 24.05".into(),
            Refusal::NoStateVersion { .. } => {
                "pass --state-version YY.MM: the NixOS release the machine was first installed with (for a new machine, the release you install it with)".into()
            }
            Refusal::StateVersionAdopted { .. } => "drop --state-version".into(),
            Refusal::HostFileExists(_) => "move it out of the way (or delete it) and try again, or adopt under another host name".into(),
            Refusal::DoesNotEvaluate { .. } => {
                "fix the configuration where it came from (Nix names the file and line above; the warnings name what a flake cannot carry over) and adopt it again".into()
            }
            Refusal::NoRunningSystem(_) => {
                "give an operation to compare with (`glix diff OP`, ids from `glix log`), or point GLIX_CURRENT_SYSTEM at a system".into()
            }
            Refusal::Declined(_) => "nothing was activated; run `glix switch --yes` to activate without asking".into(),
            Refusal::UnknownHostKey { near: Some(n), .. } => format!("did you mean {n}? (glix host set knows {})", super::HOST_KEYS.join(", ")),
            Refusal::UnknownHostKey { .. } => format!("glix host set knows {}", super::HOST_KEYS.join(", ")),
            Refusal::InvalidHostValue { key, .. } => format!("an empty value unsets it: `glix host set HOST {key}=`"),
            Refusal::FleetInputTaken { package, host, .. } => format!("give '{package}' another `input` in hosts/{host}/glix.toml"),
            Refusal::NoFleetRegion => format!(
                "add the two lines `{}` and `{}` to flake.nix {}, then run this again",
                crate::flake::Region::Fleet.begin(),
                crate::flake::Region::Fleet.end(),
                crate::flake::Region::Fleet.home()
            ),
            Refusal::NoEngineProgram { engine, .. } => {
                format!("install {engine} (e.g. `nix shell nixpkgs#{engine}`), or `glix fleet disable` to deploy with nixos-rebuild host after host")
            }
            Refusal::InvalidFleetUrl { .. } => "give a flake reference such as github:zhaofengli/colmena or path:/src/colmena".into(),
            Refusal::OtherEngineEnabled { asked, .. } => format!("`glix fleet disable` first, then `glix fleet enable {asked}`"),
            Refusal::UnknownSelection(_, known) if known.is_empty() => "write host names and @tags separated by commas, e.g. --on web1,@db".into(),
            Refusal::UnknownSelection(_, known) => format!("known hosts and tags: {}", known.join(", ")),
            Refusal::Injected(_) => return None,
        })
    }

    /// See [`OpError::kind`].
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::AlreadyARepo { .. } => "already-a-repo",
            Refusal::DirNotEmpty(_) => "dir-not-empty",
            Refusal::UnknownTemplateInput(_) => "unknown-template-input",
            Refusal::InvalidTemplateInput { .. } => "invalid-template-input",
            Refusal::NothingToUndo => "nothing-to-undo",
            Refusal::UndoBlocked { .. } => "undo-blocked",
            Refusal::NothingToUndoOn(_) => "nothing-to-undo-on-host",
            Refusal::UndoBlockedByGlix { .. } => "undo-blocked-by-glix",
            Refusal::NoSuchOperation(_) => "no-such-operation",
            Refusal::AmbiguousOperation(_) => "ambiguous-operation",
            Refusal::InputClash { .. } => "input-clash",
            Refusal::InvalidPackageName(_) => "invalid-package-name",
            Refusal::UserOnSystemScope(_) => "user-on-system-scope",
            Refusal::AlreadyPresent { .. } => "already-present",
            Refusal::WebUrl { .. } => "web-url",
            Refusal::InvalidAttr(_) => "invalid-attr",
            Refusal::OutputAndAttr { .. } => "output-and-attr",
            Refusal::NoSuchAttr { .. } => "no-such-attr",
            Refusal::NotADerivation { .. } => "not-a-derivation",
            Refusal::NoSuchOutput { .. } => "no-such-output",
            Refusal::OutputIsPackage { .. } => "output-is-package",
            Refusal::OffersNothing { .. } => "offers-nothing",
            Refusal::ConfigOnPackage(_) => "config-on-package",
            Refusal::UnknownVerb(_) => "unknown-verb",
            Refusal::NoTargetHosts => "no-target-hosts",
            Refusal::NoNixosRebuild(_) => "no-nixos-rebuild",
            Refusal::PluginDoesNotLoad { .. } => "plugin-does-not-load",
            Refusal::HostExists(_) => "host-exists",
            Refusal::NoSuchPackage { .. } => "no-such-package",
            Refusal::NoDefaultUser(_) => "no-default-user",
            Refusal::InvalidSystem(_) => "invalid-system",
            Refusal::EmptyConfigKey(_) => "empty-config-key",
            Refusal::NeedsHost(_) => "init-needs-host",
            Refusal::InvalidAdoptedHostName { .. } => "invalid-adopted-host-name",
            Refusal::InvalidStateVersion(_) => "invalid-state-version",
            Refusal::NoStateVersion { .. } => "no-state-version",
            Refusal::StateVersionAdopted { .. } => "state-version-adopted",
            Refusal::HostFileExists(_) => "host-file-exists",
            Refusal::DoesNotEvaluate { .. } => "does-not-evaluate",
            Refusal::NoRunningSystem(_) => "no-running-system",
            Refusal::Declined(_) => "declined",
            Refusal::UnknownHostKey { .. } => "unknown-host-key",
            Refusal::InvalidHostValue { .. } => "invalid-host-value",
            Refusal::FleetInputTaken { .. } => "fleet-input-taken",
            Refusal::NoFleetRegion => "no-fleet-region",
            Refusal::NoEngineProgram { .. } => "no-engine-program",
            Refusal::InvalidFleetUrl { .. } => "invalid-fleet-url",
            Refusal::OtherEngineEnabled { .. } => "other-engine-enabled",
            Refusal::UnknownSelection(..) => "unknown-selection",
            Refusal::Injected(_) => "injected",
        }
    }
}

/// What the CLI needs to render any error of the library: its kind, its hint, and
/// whether the repository is as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub kind: &'static str,
    pub hint: Option<String>,
    pub changed_nothing: bool,
}

/// The [`Diagnosis`] of one error, when it is one of the library's error types (the
/// CLI walks an error's chain with this and takes the first answer).
pub fn diagnose(e: &(dyn std::error::Error + 'static)) -> Option<Diagnosis> {
    let plain = |kind, hint| Some(Diagnosis { kind, hint, changed_nothing: true });
    if let Some(e) = e.downcast_ref::<OpError>() {
        return Some(Diagnosis { kind: e.kind(), hint: e.hint(), changed_nothing: e.changed_nothing() });
    }
    if let Some(e) = e.downcast_ref::<Refusal>() {
        return plain(e.kind(), e.hint());
    }
    if let Some(e) = e.downcast_ref::<RepoError>() {
        return plain(e.kind(), e.hint());
    }
    if let Some(e) = e.downcast_ref::<TxnError>() {
        return plain(e.kind(), e.hint());
    }
    if let Some(e) = e.downcast_ref::<ManifestError>() {
        return plain(e.kind.as_str(), None);
    }
    if let Some(e) = e.downcast_ref::<EditError>() {
        return plain(e.kind(), e.hint());
    }
    if let Some(e) = e.downcast_ref::<PatchError>() {
        return plain(e.kind(), None);
    }
    if let Some(e) = e.downcast_ref::<NixError>() {
        return plain(nix_kind(e), None);
    }
    if let Some(e) = e.downcast_ref::<ResolveError>() {
        return plain(resolve_kind(e), resolve_hint(e));
    }
    if let Some(e) = e.downcast_ref::<AdoptError>() {
        return plain(e.kind(), e.hint());
    }
    if e.downcast_ref::<std::io::Error>().is_some() {
        return plain("io", None);
    }
    None
}

// The kinds of the errors of `nix.rs` and `resolve/` are kept here, so that those
// modules (being reworked) stay as they are; their messages say what to do, except
// where `resolve_hint` says.

fn nix_kind(e: &NixError) -> &'static str {
    match e {
        NixError::NotFound => "nix-not-found",
        NixError::Spawn { .. } => "nix-not-runnable",
        NixError::Failed { .. } => "nix-failed",
        NixError::Timeout { .. } => "nix-timeout",
        NixError::Interrupted { .. } => "interrupted",
        NixError::BadJson { .. } => "nix-bad-output",
        NixError::BuildFailed { .. } => "build-failed",
    }
}

fn resolve_hint(e: &ResolveError) -> Option<String> {
    match e {
        ResolveError::NotFound { .. } => {
            Some("pass a flake URI such as github:owner/repo, look for the name with `glix search`, or point --registry at another index".into())
        }
        _ => None,
    }
}

fn resolve_kind(e: &ResolveError) -> &'static str {
    match e {
        ResolveError::InvalidReference { .. } => "invalid-reference",
        ResolveError::Registry(_) => "registry",
        ResolveError::NotFound { .. } => "unresolved-name",
        ResolveError::UnwritableTarget { .. } => "unwritable-target",
        ResolveError::Cycle { .. } => "registry-cycle",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_refusal() -> Vec<Refusal> {
        let s = || "x".to_string();
        vec![
            Refusal::AlreadyARepo { dir: s(), hosts: s() },
            Refusal::DirNotEmpty(s()),
            Refusal::UnknownTemplateInput(s()),
            Refusal::InvalidTemplateInput { name: s(), url: s(), reason: s() },
            Refusal::NothingToUndo,
            Refusal::UndoBlocked { op: s(), commit: s(), summary: s(), path: s() },
            Refusal::NothingToUndoOn(s()),
            Refusal::UndoBlockedByGlix { op: s(), commit: s(), summary: s(), path: s() },
            Refusal::NoSuchOperation(s()),
            Refusal::AmbiguousOperation(s()),
            Refusal::InputClash { input: s(), url: s(), owner_package: s(), owner_host: s(), other_url: s(), other_package: s(), other_host: s() },
            Refusal::InvalidPackageName(s()),
            Refusal::UserOnSystemScope(s()),
            Refusal::AlreadyPresent { flake: s(), output: s(), host: s(), name: s() },
            Refusal::UnknownVerb(s()),
            Refusal::NoTargetHosts,
            Refusal::NoNixosRebuild(s()),
            Refusal::PluginDoesNotLoad { path: s(), reason: s() },
            Refusal::HostExists(s()),
            Refusal::NoSuchPackage { name: s(), host: None, near: None },
            Refusal::NoDefaultUser(s()),
            Refusal::InvalidSystem(s()),
            Refusal::EmptyConfigKey(s()),
            Refusal::WebUrl { typed: s(), flake: s() },
            Refusal::InvalidAttr(s()),
            Refusal::OutputAndAttr { typed: s() },
            Refusal::NoSuchAttr { from: s(), attr: s(), system: s(), near: vec![] },
            Refusal::NotADerivation { from: s(), attr: s(), kind: s() },
            Refusal::NoSuchOutput { flake: s(), output: s(), offers: s(), near: vec![] },
            Refusal::OutputIsPackage { flake: s(), output: s() },
            Refusal::OffersNothing { flake: s(), system: s(), offers: s() },
            Refusal::ConfigOnPackage(s()),
            Refusal::NeedsHost(s()),
            Refusal::InvalidAdoptedHostName { name: s(), at: s() },
            Refusal::InvalidStateVersion(s()),
            Refusal::NoStateVersion { host: s(), why: s() },
            Refusal::StateVersionAdopted { given: s(), at: s(), value: s() },
            Refusal::HostFileExists(s()),
            Refusal::DoesNotEvaluate { host: s(), error: s() },
            Refusal::NoRunningSystem(s()),
            Refusal::Declined(s()),
            Refusal::UnknownHostKey { key: s(), near: None },
            Refusal::InvalidHostValue { key: s(), value: s(), expected: s() },
            Refusal::FleetInputTaken { engine: "x", input: "x", package: s(), host: s() },
            Refusal::NoFleetRegion,
            Refusal::NoEngineProgram { engine: "x", program: "y" },
            Refusal::InvalidFleetUrl { url: s(), reason: s() },
            Refusal::OtherEngineEnabled { enabled: "x", asked: "y" },
            Refusal::UnknownSelection(s(), vec![]),
            Refusal::Injected("x"),
        ]
    }

    #[test]
    fn every_refusal_has_its_own_kebab_case_kind_and_a_message_without_its_hint() {
        let all = every_refusal();
        let mut kinds: Vec<&str> = all.iter().map(Refusal::kind).collect();
        for k in &kinds {
            assert!(!k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !k.starts_with('-') && !k.ends_with('-'), "{k}");
        }
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), all.len(), "two refusals share a kind");
        for r in &all {
            let message = r.to_string();
            assert!(!message.contains("hint") && !message.contains('\n'), "{message}");
            if let Some(h) = r.hint() {
                assert!(!message.contains(&h), "{message} carries its hint");
            }
            // an OpError says the same
            let e = OpError::from(r.clone());
            assert_eq!((e.to_string(), e.kind(), e.hint()), (message, r.kind(), r.hint()));
        }
    }

    #[test]
    fn a_failed_rollback_is_its_own_kind_and_a_left_file_keeps_the_cause() {
        let cause = || Box::new(OpError::from(Refusal::NothingToUndo));
        let left = OpError::LeftForeign { cause: cause(), files: vec!["flake.nix".into()] };
        assert_eq!((left.kind(), left.changed_nothing()), ("nothing-to-undo", false));
        let failed = OpError::RollbackFailed { cause: cause(), rollback: RepoError::Journal("x".into()) };
        assert_eq!((failed.kind(), failed.changed_nothing()), ("rollback-failed", false));
        assert!(failed.hint().unwrap().contains("run any glix command"));
        let d = diagnose(&failed).unwrap();
        assert_eq!((d.kind, d.changed_nothing), ("rollback-failed", false));
    }
}
