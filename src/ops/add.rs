//! `glix add`: decide what is added (a module or a package, from where), check it
//! against what the flake offers, add it to a host's manifest, regenerate the
//! regions, lock when an input changed, commit.
//!
//! What the user types:
//! * `nixpkgs#ATTR` — a package of the repo's own nixpkgs, taken from the host's
//!   `pkgs`: only glix.toml changes (no input, no re-lock).
//! * `REF#ATTR` — a package of flake REF (`packages.<system>.ATTR`, else
//!   `legacyPackages.<system>.ATTR`), or a module when ATTR is a module output
//!   (`nixosModules.x`, `homeModules.x`, `homeManagerModules.x`).
//! * `REF` — what the flake exports decides: its default module, else its default
//!   package; `--output` names a module.
//! * `NAME` — the glix registry, then the repo's locked nixpkgs, then Nix's flake
//!   registry.

use std::collections::BTreeMap;

use super::state::{load_for_edit, load_manifest, planned_edit, regenerate_one, remember_edit, user_inputs, HostEdit};
use super::summary::HostSummary;
use super::{mutate, Context, OpError, Outcome, Planned, Refusal};
use crate::flakeref::{self, FlakeRef};
use crate::ident;
use crate::manifest::{Kind, Package, Scope, Source};
use crate::nix::Nix;
use crate::probe::{self, Found, Offer, Target};
use crate::repo::Repo;
use crate::resolve::{self, ResolveError, ResolveOptions, Typed};
use crate::txn::Operation;

#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub host: Option<String>,
    /// What the user typed: a flake URI or a name, with an optional `#attr`.
    pub typed: String,
    pub scope: Option<Scope>,
    pub user: Option<String>,
    pub name: Option<String>,
    pub output: Option<String>,
    pub config: Vec<(String, String)>,
    /// `--no-follow`: a package flake's input keeps its own nixpkgs.
    pub no_follow: bool,
}

/// What is added, decided and checked before the repo is locked.
#[derive(Debug)]
struct Wanted {
    kind: Kind,
    /// `None`: the host's own nixpkgs.
    flake: Option<FlakeRef>,
    attr: Option<String>,
    output: Option<String>,
    /// The scope the flake's exports imply (a flake with only a home module).
    scope: Option<Scope>,
    /// Whether the flake has a `nixpkgs` input to follow the repo's (true when not
    /// known: `--no-lock` fetches nothing).
    followable: bool,
    source: Source,
    name_hint: String,
    warnings: Vec<String>,
}

pub fn add(ctx: &Context, req: &AddRequest, resolve_opts: &ResolveOptions) -> Result<Outcome, OpError> {
    super::config::check_keys(&req.config)?;
    // Resolving and probing may wait on the network and read nothing of the repo but
    // the host's system and the locked nixpkgs: done before the repo lock is taken.
    let host = ctx.repo.choose_host(req.host.as_deref())?;
    // From the host's cached summary: a whole model of a big manifest costs more.
    let system = super::summary::host_summary(&ctx.repo, &host)?.system;
    let wanted = match from_another_host(&ctx.repo, &host, req)? {
        Some(w) => w,
        None => decide(ctx, req, resolve_opts, &system)?,
    };
    if wanted.kind == Kind::Package && !req.config.is_empty() {
        return Err(Refusal::ConfigOnPackage(req.typed.clone()).into());
    }
    mutate(ctx, |repo| plan(repo, req, &wanted))
}

fn plan(repo: &Repo, req: &AddRequest, w: &Wanted) -> Result<Planned, OpError> {
    let host = repo.choose_host(req.host.as_deref())?;
    let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
    let flake = w.flake.as_ref().map(FlakeRef::to_url);
    let scope = req.scope.or(w.scope).unwrap_or(Scope::System);
    let output = match w.kind {
        Kind::Module => Some(w.output.clone().unwrap_or_else(|| scope.default_output().to_string())),
        Kind::Package => None,
    };
    let name = req.name.clone().unwrap_or_else(|| w.name_hint.clone());
    if !ident::is_valid_name(&name) {
        return Err(Refusal::InvalidPackageName(name).into());
    }
    let user = match (scope, &req.user) {
        (Scope::System, Some(u)) => return Err(Refusal::UserOnSystemScope(u.clone()).into()),
        (Scope::Home, Some(u)) => Some(u.clone()),
        (Scope::Home, None) => match doc.manifest().host.default_user.clone() {
            Some(u) => Some(u),
            // home-manager needs a user to put the module or package under.
            None => return Err(Refusal::NoDefaultUser(host).into()),
        },
        (Scope::System, None) => None,
    };
    let same = |p: &Package| p.kind == w.kind && p.flake == flake && p.output == output && p.attr == w.attr && p.scope == scope && p.user == user;
    if let Some(existing) = doc.manifest().packages.values().find(|p| same(p)) {
        let what = match w.kind {
            Kind::Module => output.clone().unwrap_or_default(),
            Kind::Package => format!("{scope} package"),
        };
        return Err(Refusal::AlreadyPresent { flake: existing.origin(), output: what, host, name: existing.name.clone() }.into());
    }
    // Every host once, read-only: for the input name and the regions.
    let before = HostSummary::of(doc.manifest());
    all.insert(host.clone(), before.clone());
    let input = match &w.flake {
        Some(r) => Some(choose_input(&flake_text, &all, r)?),
        None => None,
    };
    let pkg = Package {
        name: name.clone(),
        kind: w.kind,
        follow_nixpkgs: flake.is_some() && w.kind == Kind::Package && w.followable && !req.no_follow,
        flake,
        input,
        scope,
        user,
        source: w.source,
        output,
        attr: w.attr.clone(),
        enable: true,
        config: req.config.iter().cloned().collect(),
    };
    doc.add_package(&pkg)?;
    let text = doc.text();
    let (summary, remember) = remember_edit(repo, &host, doc, &text);
    all.insert(host.clone(), summary);
    let (flake_nix, mut warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
    warnings.splice(0..0, w.warnings.iter().cloned());
    let (reference, what) = match pkg.kind {
        Kind::Module => (pkg.flake.clone().unwrap_or_default(), pkg.flake.clone().unwrap_or_default()),
        Kind::Package => (pkg.origin(), format!("package {}", pkg.origin())),
    };
    let op = Operation {
        kind: "add".into(),
        host: Some(host.clone()),
        package: Some(name.clone()),
        reference: Some(reference),
        undoes: None,
        summary: format!("glix add {host}: {name} ({what})"),
    };
    // A package of the host's nixpkgs changes only glix.toml: flake.nix and its lock
    // stay byte for byte (unless its regions were stale, which the warnings say).
    Ok(planned_edit(op, BTreeMap::from([(Repo::manifest_rel(&host), Some(text))]), &flake_text, flake_nix, warnings, vec![remember]))
}

/// `glix add cool` where another host has an entry named `cool`: the same thing, before
/// any registry is asked (the user most likely means what they already use).
fn from_another_host(repo: &Repo, host: &str, req: &AddRequest) -> Result<Option<Wanted>, OpError> {
    let name = req.typed.trim();
    if !ident::is_valid_name(name) || req.output.is_some() {
        return Ok(None);
    }
    for other in repo.hosts()?.into_iter().filter(|h| h != host) {
        let Some(p) = load_manifest(repo, &other)?.packages.remove(name) else { continue };
        let flake =
            p.flake.as_deref().map(FlakeRef::parse).transpose().map_err(|e| resolve::ResolveError::InvalidReference { typed: name.to_string(), source: e })?;
        return Ok(Some(Wanted {
            kind: p.kind,
            warnings: vec![format!("'{name}' is {} on {other}: adding the same here (pass a flake reference for another)", p.origin())],
            flake,
            attr: p.attr,
            output: p.output,
            scope: Some(p.scope),
            followable: p.follow_nixpkgs,
            source: p.source,
            name_hint: name.to_string(),
        }));
    }
    Ok(None)
}

fn decide(ctx: &Context, req: &AddRequest, opts: &ResolveOptions, system: &str) -> Result<Wanted, OpError> {
    let typed = req.typed.trim();
    if let Some(flake) = web_page_flake(typed) {
        return Err(Refusal::WebUrl { typed: typed.to_string(), flake }.into());
    }
    let (base, attr) = match typed.split_once('#') {
        Some((b, a)) => {
            if !ident::is_valid_attr_path(a) {
                return Err(Refusal::InvalidAttr(a.to_string()).into());
            }
            (b, Some(a))
        }
        None => (typed, None),
    };
    if attr.is_some() && req.output.is_some() {
        return Err(Refusal::OutputAndAttr { typed: typed.to_string() }.into());
    }
    let nix = || ctx.nix.clone().map_or_else(Nix::locate, Ok);
    match attr {
        Some(a) if is_nixpkgs(base) => nixpkgs_package(&nix()?, &ctx.repo, a, system, Source::Uri, Vec::new()),
        Some(a) => {
            let res = resolve::resolve(base, opts)?;
            if is_module_output(a) {
                from_flake(ctx, &nix, res, Some(a.to_string()), req.scope, system)
            } else {
                flake_package(ctx, &nix, res, a, system)
            }
        }
        None => {
            let bare = matches!(resolve::classify(base), Ok(Typed::Name(_)));
            let mut near = Vec::new();
            let mut tried = None;
            if bare && req.output.is_none() && !resolve::registry_has(base, opts) {
                // The registry does not know it: the repo's own nixpkgs comes next.
                match nixpkgs_package(&nix()?, &ctx.repo, base, system, Source::Nixpkgs, Vec::new()) {
                    Ok(w) => return Ok(w),
                    Err(OpError::Refused(r)) => match *r {
                        Refusal::NoSuchAttr { near: n, .. } => {
                            tried = Some(format!("no package '{base}' for {system}"));
                            near = n;
                        }
                        r => tried = Some(r.to_string()),
                    },
                    Err(e) => tried = Some(e.to_string()),
                }
            }
            let res = match resolve::resolve(base, opts) {
                Ok(res) => res,
                Err(ResolveError::NotFound { name, tried: mut steps, mut suggestions }) => {
                    if let Some(outcome) = tried {
                        steps.insert(steps.len().min(2), resolve::Attempt { step: "the repo's nixpkgs".into(), outcome });
                    }
                    suggestions.extend(near.into_iter().take(3));
                    suggestions.dedup();
                    return Err(ResolveError::NotFound { name, tried: steps, suggestions }.into());
                }
                Err(e) => return Err(e.into()),
            };
            let output = req.output.clone().or_else(|| res.output.clone());
            from_flake(ctx, &nix, res, output, req.scope, system)
        }
    }
}

/// `nixpkgs` and `flake:nixpkgs` name the repo's own nixpkgs input.
fn is_nixpkgs(base: &str) -> bool {
    matches!(base, "nixpkgs" | "flake:nixpkgs")
}

/// An attribute after `#` that names a module rather than a package.
fn is_module_output(attr: &str) -> bool {
    ["nixosModules.", "homeModules.", "homeManagerModules."].iter().any(|p| attr.starts_with(p))
}

/// `https://github.com/owner/repo` (a pasted browser address) → `github:owner/repo`.
fn web_page_flake(typed: &str) -> Option<String> {
    for (host, scheme) in [("github.com", "github"), ("gitlab.com", "gitlab"), ("codeberg.org", "git+https://codeberg.org")] {
        for prefix in ["https://", "http://", "https://www.", ""] {
            let Some(rest) = typed.strip_prefix(&format!("{prefix}{host}/")) else { continue };
            if prefix.is_empty() && typed.contains(':') {
                continue;
            }
            let parts: Vec<&str> = rest.trim_end_matches('/').trim_end_matches(".git").split('/').filter(|s| !s.is_empty()).collect();
            let [owner, repo, ..] = parts[..] else { return None };
            return Some(match scheme {
                "github" | "gitlab" => format!("{scheme}:{owner}/{repo}"),
                base => format!("{base}/{owner}/{repo}"),
            });
        }
    }
    None
}

/// A package of the repo's locked nixpkgs, checked there.
fn nixpkgs_package(nix: &Nix, repo: &Repo, attr: &str, system: &str, source: Source, warnings: Vec<String>) -> Result<Wanted, OpError> {
    let offer = probe::probe(nix, Target::RepoNixpkgs(repo.root()), system, Some(attr), None)?;
    check_package(&offer, "nixpkgs", attr, system)?;
    Ok(Wanted {
        kind: Kind::Package,
        flake: None,
        attr: Some(attr.to_string()),
        output: None,
        scope: None,
        followable: false,
        source,
        name_hint: package_name_hint(attr, "nixpkgs"),
        warnings,
    })
}

/// A package of a flake: `REF#ATTR`.
fn flake_package(
    ctx: &Context,
    nix: &dyn Fn() -> Result<Nix, crate::nix::NixError>,
    res: resolve::Resolution,
    attr: &str,
    system: &str,
) -> Result<Wanted, OpError> {
    let url = res.flake.to_url();
    let mut warnings = res.warnings.clone();
    if res.flake.str_attr("repo").is_some_and(|r| r == "nixpkgs") {
        warnings.push(format!("{url} is a second nixpkgs next to the repo's own; `glix add nixpkgs#{attr}` takes the package from the host's pkgs instead"));
    }
    let mut followable = true;
    if ctx.lock {
        let offer = probe::probe(&nix()?, Target::Flake(&url), system, Some(attr), None)?;
        check_package(&offer, &url, attr, system)?;
        followable = offer.has_nixpkgs_input;
    } else {
        warnings.push(format!("--no-lock: glix did not fetch {url}, so it did not check that it has the package '{attr}'"));
    }
    Ok(Wanted {
        kind: Kind::Package,
        name_hint: if attr == "default" { res.name_hint.clone() } else { package_name_hint(attr, &res.name_hint) },
        flake: Some(res.flake),
        attr: Some(attr.to_string()),
        output: None,
        scope: None,
        followable,
        source: res.source,
        warnings,
    })
}

/// A flake without `#attr` (or with a module output): its module, else its package.
fn from_flake(
    ctx: &Context,
    nix: &dyn Fn() -> Result<Nix, crate::nix::NixError>,
    res: resolve::Resolution,
    output: Option<String>,
    scope: Option<Scope>,
    system: &str,
) -> Result<Wanted, OpError> {
    let url = res.flake.to_url();
    let mut warnings = res.warnings.clone();
    let module = |output: Option<String>, scope: Option<Scope>, warnings: Vec<String>| Wanted {
        kind: Kind::Module,
        flake: Some(res.flake.clone()),
        attr: None,
        output,
        scope: scope.or(res.default_scope),
        followable: false,
        source: res.source,
        name_hint: res.name_hint.clone(),
        warnings,
    };
    if !ctx.lock {
        // Nothing is fetched with --no-lock: taken as a module, as before packages existed.
        return Ok(module(output, scope, warnings));
    }
    let offer = probe::probe(&nix()?, Target::Flake(&url), system, None, output.as_deref())?;
    if let Some(output) = output {
        match &offer.module {
            Some(Found::Yes(m)) if m.kind == "derivation" => return Err(Refusal::OutputIsPackage { flake: url, output }.into()),
            Some(Found::No { near }) => {
                let near = resolve::nearest(output.rsplit('.').next().unwrap_or(&output), near.iter().map(String::as_str), 3);
                let prefix = output.rsplit_once('.').map(|(p, _)| format!("{p}.")).unwrap_or_default();
                return Err(Refusal::NoSuchOutput {
                    offers: offer.describe(system),
                    flake: url,
                    output,
                    near: near.into_iter().map(|n| format!("{prefix}{n}")).collect(),
                }
                .into());
            }
            _ => {}
        }
        let implied = (output.starts_with("homeModules.") || output.starts_with("homeManagerModules.")).then_some(Scope::Home);
        return Ok(module(Some(output), scope.or(implied), warnings));
    }
    let wanted_scope = scope.or(res.default_scope);
    let system_module = offer.default_module(false);
    let home_module = offer.default_module(true);
    let chosen = match wanted_scope {
        Some(Scope::System) => system_module.map(|o| (o, Scope::System)),
        Some(Scope::Home) => home_module.map(|o| (o, Scope::Home)),
        None => system_module.map(|o| (o, Scope::System)).or(home_module.map(|o| (o, Scope::Home))),
    };
    if let Some((output, s)) = chosen {
        // Written to glix.toml only when not the scope's default.
        let output = (output != s.default_output()).then(|| output.to_string());
        return Ok(module(output, Some(s), warnings));
    }
    if offer.has_default_package() {
        if wanted_scope.is_some() && (system_module.is_some() || home_module.is_some()) {
            warnings.push(format!("{url} has no {} module; adding its default package instead", wanted_scope.map(Scope::as_str).unwrap_or_default()));
        }
        return Ok(Wanted {
            kind: Kind::Package,
            flake: Some(res.flake.clone()),
            attr: Some("default".into()),
            output: None,
            scope: None,
            followable: offer.has_nixpkgs_input,
            source: res.source,
            name_hint: res.name_hint.clone(),
            warnings,
        });
    }
    Err(Refusal::OffersNothing { flake: url, system: system.to_string(), offers: offer.describe(system) }.into())
}

/// A package that was asked for must exist and be a derivation.
fn check_package(offer: &Offer, source: &str, attr: &str, system: &str) -> Result<(), OpError> {
    match &offer.package {
        Some(Found::Yes(p)) if p.kind == "derivation" => Ok(()),
        Some(Found::Yes(p)) => Err(Refusal::NotADerivation { from: source.to_string(), attr: attr.to_string(), kind: p.kind.clone() }.into()),
        other => {
            let near = match other {
                Some(Found::No { near }) => near.as_slice(),
                _ => &[],
            };
            let last = attr.rsplit('.').next().unwrap_or(attr);
            let prefix = attr.rsplit_once('.').map(|(p, _)| format!("{p}.")).unwrap_or_default();
            let mut close = resolve::nearest(last, near.iter().map(String::as_str), 3);
            // A flake with a handful of packages: name them all rather than none.
            if close.is_empty() && source != "nixpkgs" && near.len() <= 8 {
                close = near.to_vec();
            }
            let near = close.into_iter().map(|n| format!("{prefix}{n}")).collect();
            Err(Refusal::NoSuchAttr { from: source.to_string(), attr: attr.to_string(), system: system.to_string(), near }.into())
        }
    }
}

/// The entry's name for a package: its attribute's last part (`requests` for
/// `python3Packages.requests`), or the flake's stem for `default`.
fn package_name_hint(attr: &str, stem: &str) -> String {
    match attr.rsplit('.').next() {
        Some("default") | None => stem.to_string(),
        Some(last) => last.to_string(),
    }
}

/// The input for a flake: the one any host already uses for it, else a new name that
/// no other flake (and none of the user's own inputs) uses.
fn choose_input(flake_text: &str, all: &BTreeMap<String, HostSummary>, r: &flakeref::FlakeRef) -> Result<String, OpError> {
    let url = r.to_url();
    let packages = || all.values().flat_map(|s| s.packages());
    if let Some(p) = packages().find(|p| p.flake == url) {
        return Ok(p.input.to_string());
    }
    let reserved = user_inputs(flake_text)?;
    Ok(flakeref::input_name(r, |cand| reserved.contains(cand) || packages().any(|p| p.input == cand && p.flake != url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_web_address_gets_the_flake_reference() {
        assert_eq!(web_page_flake("https://github.com/BurntSushi/ripgrep").as_deref(), Some("github:BurntSushi/ripgrep"));
        assert_eq!(web_page_flake("https://github.com/o/r/tree/main/").as_deref(), Some("github:o/r"));
        assert_eq!(web_page_flake("github.com/o/r.git").as_deref(), Some("github:o/r"));
        assert_eq!(web_page_flake("https://gitlab.com/o/r").as_deref(), Some("gitlab:o/r"));
        assert_eq!(web_page_flake("github:o/r"), None);
        assert_eq!(web_page_flake("https://example.com/x.tar.gz"), None);
        assert_eq!(web_page_flake("https://github.com/o"), None);
    }

    #[test]
    fn package_names_come_from_the_attribute() {
        assert_eq!(package_name_hint("python3Packages.requests", "nixpkgs"), "requests");
        assert_eq!(package_name_hint("default", "tool"), "tool");
        assert_eq!(package_name_hint("ripgrep", "nixpkgs"), "ripgrep");
    }
}
