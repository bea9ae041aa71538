//! A new host's files, for `glix init` and `glix host add`: a fresh one (its name, its
//! `--user`, the stateVersion of the release it starts on), or a machine's configuration
//! adopted (`--from DIR`: its files copied into `hosts/<host>/`, its name, platform and
//! stateVersion kept). Both commands plan with this and write through their own path
//! (init into a new repository, host add through the transaction).

use std::collections::BTreeMap;
use std::path::Path;

use super::host_file::HostFile;
use super::{OpError, Refusal};
use crate::adopt::{self, Adoption, Found};
use crate::ident;
use crate::manifest::ManifestDoc;
use crate::nix::Nix;
use crate::repo::{Repo, RepoError};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct HostRequest<'a> {
    /// `--host` / `host add NAME`.
    pub name: Option<&'a str>,
    pub system: Option<&'a str>,
    pub user: Option<&'a str>,
    pub state_version: Option<&'a str>,
    pub from: Option<&'a Path>,
}

/// Where a fresh host's stateVersion comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateVersion {
    /// Given, or adopted (`None`: the configuration sets it, glix writes none).
    Known(Option<String>),
    /// The release of the repo's locked nixpkgs, read once it is locked.
    Nixpkgs,
}

/// A new host, planned.
#[derive(Debug)]
pub struct NewHost {
    pub name: String,
    pub system: String,
    /// `hosts/<name>/glix.toml`'s text.
    pub manifest: String,
    pub state_version: StateVersion,
    /// Files to write besides the manifest and default.nix (repo-relative → text).
    pub adopted: BTreeMap<String, String>,
    /// Write `hosts/<name>/default.nix` (not when the user's is there already).
    pub write_default: bool,
    adoption: Option<(String, Adoption)>,
    user: Option<String>,
    /// hardware-configuration.nix is in hosts/<name>/ already.
    hardware: bool,
    pub warnings: Vec<String>,
    /// What was adopted, for the person (`init` says it).
    pub notes: Vec<String>,
}

/// `(file:line)` of a setting, as the copied file is named.
fn at(prefix: &str, f: &Found) -> String {
    format!("{prefix}{}:{}", f.file, f.line)
}

/// Plan a host. `existing(rel)` is what `hosts/<name>/<rel>` holds now (a host
/// directory a user filled, or what `host remove` kept).
pub fn plan(req: &HostRequest, existing: &dyn Fn(&str) -> Option<Vec<u8>>) -> Result<NewHost, OpError> {
    let adoption = req.from.map(adopt::read).transpose()?;
    let name = match (req.name, adoption.as_ref().and_then(|a| a.host_name.as_ref())) {
        (Some(n), _) => n.to_string(),
        (None, Some(found)) => match &found.value {
            Some(v) if ident::is_valid_name(v) => v.clone(),
            Some(v) => return Err(Refusal::InvalidAdoptedHostName { name: v.clone(), at: format!("{}:{}", found.file, found.line) }.into()),
            None => machine_host()?,
        },
        (None, None) => machine_host()?,
    };
    if !ident::is_valid_name(&name) {
        return Err(RepoError::InvalidHostName(name).into());
    }
    if let Some(v) = req.state_version {
        if !ident::is_valid_state_version(v) {
            return Err(Refusal::InvalidStateVersion(v.to_string()).into());
        }
    }
    let prefix = format!("hosts/{name}/");
    let mut notes = Vec::new();
    let platform = adoption.as_ref().and_then(|a| a.platform.as_ref()).and_then(|p| p.value.clone().map(|v| (v, p)));
    let system = match (req.system, platform) {
        (Some(s), _) => s.to_string(),
        (None, Some((p, found))) => {
            notes.push(format!("platform {p} (from {})", at(&prefix, found)));
            p
        }
        (None, None) if adoption.is_some() => ident::machine_system(),
        (None, None) => super::state::DEFAULT_SYSTEM.to_string(),
    };
    let state_version = match (&adoption, req.state_version) {
        (Some(a), given) => match (&a.state_version, given) {
            (Some(found), Some(g)) => {
                return Err(Refusal::StateVersionAdopted {
                    given: g.to_string(),
                    at: at(&prefix, found),
                    value: found.value.as_deref().map_or_else(|| "to an expression".to_string(), |v| format!("\"{v}\"")),
                }
                .into())
            }
            (Some(found), None) => {
                notes.push(format!(
                    "system.stateVersion {} (from {}), kept",
                    found.value.as_deref().map_or_else(|| "as it computes it".to_string(), |v| format!("\"{v}\"")),
                    at(&prefix, found)
                ));
                StateVersion::Known(None)
            }
            (None, Some(g)) => StateVersion::Known(Some(g.to_string())),
            (None, None) => {
                return Err(Refusal::NoStateVersion {
                    host: name,
                    why: format!(
                        "{} and the files it imports do not set it (the machine runs with its release's default, which glix cannot know)",
                        req.from.map(|d| d.join(adopt::CONFIGURATION).display().to_string()).unwrap_or_default()
                    ),
                }
                .into())
            }
        },
        (None, Some(g)) => StateVersion::Known(Some(g.to_string())),
        (None, None) => StateVersion::Nixpkgs,
    };
    let manifest = ManifestDoc::new_host(req.user, Some(&system), &Repo::manifest_rel(&name))?.text();
    let mut adopted = BTreeMap::new();
    let mut warnings = Vec::new();
    let default_rel = format!("{prefix}default.nix");
    let existing_default = existing("default.nix");
    if let Some(a) = &adoption {
        for (rel, text) in &a.files {
            match existing(rel) {
                Some(now) if now == text.as_bytes() => {}
                Some(_) => return Err(Refusal::HostFileExists(format!("{prefix}{rel}")).into()),
                None => {
                    adopted.insert(format!("{prefix}{rel}"), text.clone());
                }
            }
        }
        if a.files.contains_key("default.nix") || a.files.contains_key("glix.toml") {
            return Err(Refusal::HostFileExists(format!("{prefix}default.nix (the configuration has a default.nix of its own)")).into());
        }
        let from = req.from.map(|d| d.display().to_string()).unwrap_or_default();
        let listed: Vec<&str> = a.files.keys().map(String::as_str).collect();
        notes.insert(0, format!("adopted {from} into {prefix}: {}", listed.join(", ")));
        if let Some(h) = &a.host_name {
            notes.push(format!("host name {name} (networking.hostName at {}), kept", at(&prefix, h)));
        }
        if a.hardware_unused {
            warnings.push(format!(
                "{prefix}{} is copied but not imported: configuration.nix does not import it, so neither does the host (as on the machine); import it from {default_rel} if the machine needs it",
                adopt::HARDWARE
            ));
        }
        warnings.extend(a.findings.iter().map(|f| f.render(&prefix)));
    }
    let write_default = match (&existing_default, &adoption) {
        (Some(_), Some(_)) => return Err(Refusal::HostFileExists(default_rel).into()),
        (Some(_), None) => {
            notes.push(format!("kept your {default_rel}"));
            false
        }
        (None, _) => true,
    };
    let hardware = existing(adopt::HARDWARE).is_some();
    Ok(NewHost {
        name,
        system,
        manifest,
        state_version,
        adopted,
        write_default,
        adoption: adoption.map(|a| (req.from.map(|d| d.display().to_string()).unwrap_or_default(), a)),
        user: req.user.map(str::to_string),
        hardware,
        warnings,
        notes,
    })
}

/// This machine's hostname as the host's name.
fn machine_host() -> Result<String, OpError> {
    match crate::repo::machine_hostname() {
        Some(h) if ident::is_valid_name(&h) => Ok(h),
        Some(h) => Err(Refusal::NeedsHost(format!("this machine's hostname '{h}' is not a valid host name")).into()),
        None => Err(Refusal::NeedsHost("this machine's hostname is unknown".into()).into()),
    }
}

impl NewHost {
    pub fn manifest_rel(&self) -> String {
        Repo::manifest_rel(&self.name)
    }

    pub fn default_rel(&self) -> String {
        format!("hosts/{}/default.nix", self.name)
    }

    /// Whether it adopts a configuration (and must evaluate before it is committed).
    pub fn adopts(&self) -> bool {
        self.adoption.is_some()
    }

    /// The stateVersion to write, reading the release of the repo's nixpkgs (the flake
    /// in `dir`, locked) when it comes from there.
    pub fn resolve_state_version(&mut self, nix: &Nix, dir: &Path) -> Result<(), OpError> {
        if self.state_version != StateVersion::Nixpkgs || !self.write_default {
            return Ok(());
        }
        let release = nix.nixpkgs_release(dir).map_err(|e| Refusal::NoStateVersion {
            host: self.name.clone(),
            why: format!("the release of the repo's nixpkgs could not be read ({})", e.to_string().lines().last().unwrap_or("").trim()),
        })?;
        if !ident::is_valid_state_version(&release) {
            return Err(Refusal::NoStateVersion { host: self.name.clone(), why: format!("the repo's nixpkgs says its release is '{release}'") }.into());
        }
        self.notes.push(format!("system.stateVersion \"{release}\": the release of the repo's nixpkgs"));
        self.state_version = StateVersion::Known(Some(release));
        Ok(())
    }

    /// `hosts/<name>/default.nix`'s text (after [`NewHost::resolve_state_version`]).
    pub fn default_nix(&self) -> Result<Option<String>, OpError> {
        if !self.write_default {
            return Ok(None);
        }
        let sv = match &self.state_version {
            StateVersion::Known(v) => v.as_deref(),
            StateVersion::Nixpkgs => {
                return Err(Refusal::NoStateVersion {
                    host: self.name.clone(),
                    why: "without locking (--no-lock, --dry-run) there is no locked nixpkgs to read its release from".into(),
                }
                .into())
            }
        };
        Ok(Some(match &self.adoption {
            Some((from, a)) => HostFile::Adopted {
                from: from.clone(),
                imports: vec![adopt::CONFIGURATION.to_string()],
                host_name: if a.host_name.is_some() { None } else { Some(&self.name) },
                state_version: sv,
                user: self.user.as_deref(),
            }
            .render(),
            None => HostFile::Fresh { host: &self.name, user: self.user.as_deref(), state_version: sv.unwrap_or_default(), hardware: self.hardware }.render(),
        }))
    }

    /// Every file of the host to write: manifest, default.nix, adopted files.
    pub fn files(&self) -> Result<BTreeMap<String, String>, OpError> {
        let mut f = self.adopted.clone();
        f.insert(self.manifest_rel(), self.manifest.clone());
        if let Some(d) = self.default_nix()? {
            f.insert(self.default_rel(), d);
        }
        Ok(f)
    }
}

/// Evaluate host `host` of the flake `flake` (`git+file:…` or `path:…`) as far as its
/// system's derivation: an adopted configuration that does not is refused.
pub fn check_evaluates(nix: &Nix, flake: &str, host: &str) -> Result<(), OpError> {
    let attr = format!("{flake}#nixosConfigurations.{host}.config.system.build.toplevel.drvPath");
    match nix.eval_raw(&attr) {
        Ok(_) => Ok(()),
        Err(crate::nix::NixError::Failed { stderr, .. }) => Err(Refusal::DoesNotEvaluate { host: host.to_string(), error: stderr.trim().to_string() }.into()),
        Err(e) => Err(e.into()),
    }
}

/// A copy of what a flake of `repo` would see after writing `files` (the tracked files
/// and those), in a temporary directory: where an adopted host is evaluated before the
/// transaction commits it.
pub fn preview(repo: &Repo, files: &BTreeMap<String, String>) -> Result<tempfile::TempDir, OpError> {
    let tmp = tempfile::Builder::new().prefix("glix-preview-").tempdir().map_err(crate::repo::io("cannot create a temporary directory"))?;
    let copy = |rel: &str, bytes: &[u8]| -> Result<(), OpError> {
        let p = tmp.path().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(crate::repo::io(format!("cannot create {}", d.display())))?;
        }
        std::fs::write(&p, bytes).map_err(crate::repo::io(format!("cannot write {}", p.display())))?;
        Ok(())
    };
    for rel in crate::repo::git::tracked(repo)? {
        if let Ok(bytes) = std::fs::read(repo.path(&rel)) {
            copy(&rel, &bytes)?;
        }
    }
    for (rel, text) in files {
        copy(rel, text.as_bytes())?;
    }
    Ok(tmp)
}
