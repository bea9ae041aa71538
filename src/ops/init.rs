//! `glix init`: write the user-packages flake from the template (its first host fresh,
//! or a machine's configuration adopted with `--from`), `git init` it (or use the fresh
//! clone it is in), lock it and make the first commit. On any failure, what init
//! created is removed and a clone's index put back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::new_host::{self, HostRequest, NewHost, StateVersion};
use super::{OpError, Outcome, Refusal, FLAKE_LOCK, FLAKE_NIX};
use crate::flake::{self, Desired};
use crate::flakeref::FlakeRef;
use crate::nix::Nix;
use crate::repo::{git, Repo};
use crate::txn::Operation;

const TEMPLATE_FLAKE: &str = include_str!("../../nix/templates/default/flake.nix");
const TEMPLATE_GITIGNORE: &str = include_str!("../../nix/templates/default/.gitignore");
const TEMPLATE_SHARED: &str = include_str!("../../nix/templates/default/shared/README.md");
/// Inputs of the template that `--input NAME=URL` may point elsewhere.
pub const TEMPLATE_INPUTS: [&str; 3] = ["nixpkgs", "home-manager", "glixos-core"];

#[derive(Debug, Clone, Default)]
pub struct InitRequest {
    pub dir: PathBuf,
    /// `--host`; without it, the adopted configuration's networking.hostName, else this
    /// machine's hostname.
    pub host: Option<String>,
    pub system: Option<String>,
    pub user: Option<String>,
    /// `--input NAME=URL`: replacements for the template's input URLs.
    pub inputs: Vec<(String, String)>,
    pub lock: bool,
    pub nix: Option<Nix>,
    /// Show the files init would write; create nothing.
    pub dry_run: bool,
    /// `--from DIR`: adopt the NixOS configuration there (`/etc/nixos`).
    pub from: Option<PathBuf>,
    /// `--state-version`: the first host's system.stateVersion [default: the release
    /// of the repo's nixpkgs; an adopted configuration keeps its own].
    pub state_version: Option<String>,
}

/// What the directory held before init: what a failed init puts back.
struct Before {
    created_dir: bool,
    /// A git repository was there (a fresh clone): it stays, and its index is restored.
    git: bool,
    index: Option<Vec<u8>>,
    /// The clone has a .gitignore of its own: init keeps it.
    gitignore: bool,
}

/// A new directory, an empty one, or a git repository holding nothing but files init
/// does not write (a fresh clone with a README).
fn survey(dir: &Path) -> Result<Before, OpError> {
    if !dir.exists() {
        return Ok(Before { created_dir: true, git: false, index: None, gitignore: false });
    }
    let not_empty = || OpError::from(Refusal::DirNotEmpty(dir.display().to_string()));
    let entries: Vec<_> = std::fs::read_dir(dir).map_err(|_| not_empty())?.filter_map(Result::ok).collect();
    let git = entries.iter().any(|e| e.file_name() == ".git");
    let mut gitignore = false;
    for e in &entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let plain_file = e.file_type().is_ok_and(|t| t.is_file());
        match name.as_str() {
            ".git" => {}
            ".gitignore" if git && plain_file => gitignore = true,
            FLAKE_NIX | FLAKE_LOCK | "hosts" | "shared" => return Err(not_empty()),
            _ if git && plain_file => {}
            _ => return Err(not_empty()),
        }
    }
    let index = if git { std::fs::read(Repo::at_new(dir.to_path_buf()).state_dir().join("index")).ok() } else { None };
    Ok(Before { created_dir: false, git, index, gitignore })
}

pub fn init(req: &InitRequest) -> Result<Outcome, OpError> {
    if let Ok(repo) = Repo::open(&req.dir) {
        return Err(Refusal::AlreadyARepo { dir: repo.root().display().to_string(), hosts: repo.hosts().unwrap_or_default().join(", ") }.into());
    }
    let before = survey(&req.dir)?;
    let mut warnings = super::host::system_warnings(req.system.as_deref())?;
    let mut host = new_host::plan(
        &HostRequest {
            name: req.host.as_deref(),
            system: req.system.as_deref(),
            user: req.user.as_deref(),
            state_version: req.state_version.as_deref(),
            from: req.from.as_deref(),
        },
        &|_| None,
    )?;
    warnings.append(&mut host.warnings);
    let base = template_files(req, &host, before.gitignore)?;
    let summary = format!("glix init {}", host.name);
    if req.dry_run {
        let mut files = base;
        files.extend(host.files()?);
        let diff = files.iter().map(|(rel, text)| super::file_diff(rel, None, Some(text))).collect();
        return Ok(Outcome { summary, diff: Some(diff), files: files.keys().cloned().collect(), warnings, notes: host.notes, ..Outcome::default() });
    }
    if host.state_version == StateVersion::Nixpkgs && !req.lock {
        host.default_nix()?; // says why: no lock, so no release to read
    }
    std::fs::create_dir_all(&req.dir).map_err(crate::repo::io(format!("cannot create {}", req.dir.display())))?;
    let mut written = Vec::new();
    let result = write_and_commit(req, &before, base, &mut host, &mut written);
    match result {
        Ok(commit) => Ok(Outcome { summary, commit: Some(commit), files: written, warnings, notes: host.notes, ..Outcome::default() }),
        Err(e) => {
            clean_up(&req.dir, &before, &written);
            Err(e)
        }
    }
}

fn template_files(req: &InitRequest, host: &NewHost, keep_gitignore: bool) -> Result<BTreeMap<String, String>, OpError> {
    let mut flake_nix = TEMPLATE_FLAKE.to_string();
    for (name, url) in &req.inputs {
        if !TEMPLATE_INPUTS.contains(&name.as_str()) {
            return Err(Refusal::UnknownTemplateInput(name.clone()).into());
        }
        let invalid = |reason: String| Refusal::InvalidTemplateInput { name: name.clone(), url: url.clone(), reason };
        FlakeRef::parse(url).map_err(|e| invalid(format!("not a flake reference: {e}")))?;
        let escaped = flake::escape_nix_string(url).map_err(|e| invalid(e.to_string()))?;
        let prefix = format!("{name}.url = \"");
        let start = flake_nix.find(&prefix).expect("template input") + prefix.len();
        let end = start + flake_nix[start..].find("\";").expect("template input line");
        flake_nix.replace_range(start..end, &escaped);
    }
    let desired = Desired { hosts: BTreeMap::from([(host.name.clone(), host.system.clone())]), ..Desired::default() };
    let flake_nix = flake::patch(&flake_nix, &desired)?;
    let mut files = BTreeMap::from([(FLAKE_NIX.to_string(), flake_nix), ("shared/README.md".to_string(), TEMPLATE_SHARED.to_string())]);
    if !keep_gitignore {
        files.insert(".gitignore".to_string(), TEMPLATE_GITIGNORE.to_string());
    }
    Ok(files)
}

/// Write the files, lock, read the release of nixpkgs for the host's stateVersion, check
/// that an adopted host evaluates, and commit. `written` collects what was written, so a
/// failure removes exactly that.
fn write_and_commit(
    req: &InitRequest,
    before: &Before,
    base: BTreeMap<String, String>,
    host: &mut NewHost,
    written: &mut Vec<String>,
) -> Result<String, OpError> {
    let root = req.dir.canonicalize().map_err(crate::repo::io(format!("cannot open {}", req.dir.display())))?;
    if !before.git {
        git::init(&root)?;
    }
    let repo = Repo::at_new(root.clone());
    let write = |rel: &str, text: &str, written: &mut Vec<String>| -> Result<(), OpError> {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(crate::repo::io(format!("cannot create {}", path.display())))?;
        written.push(rel.to_string());
        crate::atomic_write::atomic_write(&path, text.as_bytes()).map_err(crate::repo::io(format!("cannot write {}", path.display())))?;
        Ok(())
    };
    let mut first = base;
    first.extend(host.adopted.clone());
    first.insert(host.manifest_rel(), host.manifest.clone());
    for (rel, text) in &first {
        write(rel, text, written)?;
    }
    let nix = || match &req.nix {
        Some(n) => Ok::<_, OpError>(n.clone()),
        None => Ok(Nix::locate()?),
    };
    if req.lock {
        let nix = nix()?;
        // Nix only sees files git knows about in a git repository.
        crate::txn::stage(&repo, written)?;
        written.push(FLAKE_LOCK.to_string());
        nix.flake_lock(&root)?;
        host.resolve_state_version(&nix, &root)?;
    }
    if let Some(text) = host.default_nix()? {
        write(&host.default_rel(), &text, written)?;
    }
    if host.adopts() {
        crate::txn::stage(&repo, written)?;
        new_host::check_evaluates(&nix()?, &format!("git+file://{}", root.display()), &host.name)?;
    }
    let op = Operation { kind: "init".into(), host: Some(host.name.clone()), summary: format!("glix init {}", host.name), ..Operation::default() };
    Ok(crate::txn::commit_work_tree(&repo, written, &op.message("init"))?)
}

/// Undo a failed init: remove the directory if init created it; else what init wrote
/// (and the directories it made), and put a clone's git index back as it was.
fn clean_up(dir: &Path, before: &Before, written: &[String]) {
    if before.created_dir {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    for rel in written {
        let _ = std::fs::remove_file(dir.join(rel));
    }
    for d in ["hosts", "shared"] {
        let _ = std::fs::remove_dir_all(dir.join(d));
    }
    if before.git {
        let index = Repo::at_new(dir.to_path_buf()).state_dir().join("index");
        let _ = match &before.index {
            Some(bytes) => crate::atomic_write::atomic_write(&index, bytes),
            None => std::fs::remove_file(&index),
        };
    } else {
        let _ = std::fs::remove_dir_all(dir.join(".git"));
    }
}
