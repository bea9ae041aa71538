//! `glix init`: write the user-packages flake from the template, `git init` it, lock
//! it and make the first commit. On any failure, what init created is removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::host::HOST_DEFAULT_NIX;
use super::{OpError, Outcome, Refusal, FLAKE_LOCK, FLAKE_NIX};
use crate::flake::{self, Desired};
use crate::flakeref::FlakeRef;
use crate::ident;
use crate::manifest::ManifestDoc;
use crate::nix::Nix;
use crate::repo::{git, Repo, RepoError};
use crate::txn::Operation;

const TEMPLATE_FLAKE: &str = include_str!("../../nix/templates/default/flake.nix");
const TEMPLATE_GITIGNORE: &str = include_str!("../../nix/templates/default/.gitignore");
const TEMPLATE_SHARED: &str = include_str!("../../nix/templates/default/shared/README.md");
/// Inputs of the template that `--input NAME=URL` may point elsewhere.
pub const TEMPLATE_INPUTS: [&str; 3] = ["nixpkgs", "home-manager", "glixos-core"];

#[derive(Debug, Clone, Default)]
pub struct InitRequest {
    pub dir: PathBuf,
    pub host: String,
    pub system: Option<String>,
    pub user: Option<String>,
    /// `--input NAME=URL`: replacements for the template's input URLs.
    pub inputs: Vec<(String, String)>,
    pub lock: bool,
    pub nix: Option<Nix>,
    /// Show the files init would write; create nothing.
    pub dry_run: bool,
}

pub fn init(req: &InitRequest) -> Result<Outcome, OpError> {
    if !ident::is_valid_name(&req.host) {
        return Err(RepoError::InvalidHostName(req.host.clone()).into());
    }
    if let Ok(repo) = Repo::open(&req.dir) {
        return Err(Refusal::AlreadyARepo { dir: repo.root().display().to_string(), hosts: repo.hosts().unwrap_or_default().join(", ") }.into());
    }
    let created_dir = !req.dir.exists();
    if !created_dir && std::fs::read_dir(&req.dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Refusal::DirNotEmpty(req.dir.display().to_string()).into());
    }
    let files = template_files(req)?;
    if req.dry_run {
        let diff = files.iter().map(|(rel, text)| super::file_diff(rel, None, Some(text))).collect();
        let summary = format!("glix init {}", req.host);
        return Ok(Outcome { summary, diff: Some(diff), files: files.keys().cloned().collect(), ..Outcome::default() });
    }
    std::fs::create_dir_all(&req.dir).map_err(crate::repo::io(format!("cannot create {}", req.dir.display())))?;
    let result = write_and_commit(req, &files);
    if result.is_err() {
        clean_up(&req.dir, created_dir);
    }
    result
}

fn template_files(req: &InitRequest) -> Result<BTreeMap<String, String>, OpError> {
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
    let system = req.system.clone().unwrap_or_else(|| super::state::DEFAULT_SYSTEM.to_string());
    let manifest_rel = Repo::manifest_rel(&req.host);
    let doc = ManifestDoc::new_host(req.user.as_deref(), Some(&system), &manifest_rel)?;
    let desired = Desired { hosts: BTreeMap::from([(req.host.clone(), system)]), ..Desired::default() };
    let flake_nix = flake::patch(&flake_nix, &desired)?;
    Ok(BTreeMap::from([
        (FLAKE_NIX.to_string(), flake_nix),
        (manifest_rel, doc.text()),
        (format!("hosts/{}/default.nix", req.host), HOST_DEFAULT_NIX.to_string()),
        (".gitignore".to_string(), TEMPLATE_GITIGNORE.to_string()),
        ("shared/README.md".to_string(), TEMPLATE_SHARED.to_string()),
    ]))
}

fn write_and_commit(req: &InitRequest, files: &BTreeMap<String, String>) -> Result<Outcome, OpError> {
    let root = req.dir.canonicalize().map_err(crate::repo::io(format!("cannot open {}", req.dir.display())))?;
    git::init(&root)?;
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(crate::repo::io(format!("cannot create {}", path.display())))?;
        crate::atomic_write::atomic_write(&path, text.as_bytes()).map_err(crate::repo::io(format!("cannot write {}", path.display())))?;
    }
    let repo = Repo::at_new(root.clone());
    let mut paths: Vec<String> = files.keys().cloned().collect();
    if req.lock {
        let nix = match &req.nix {
            Some(n) => n.clone(),
            None => Nix::locate()?,
        };
        // Nix only sees files git knows about in a git repository.
        crate::txn::stage(&repo, &paths)?;
        nix.flake_lock(&root)?;
        paths.push(FLAKE_LOCK.to_string());
    }
    let op = Operation { kind: "init".into(), host: Some(req.host.clone()), summary: format!("glix init {}", req.host), ..Operation::default() };
    let id = crate::txn::commit_work_tree(&repo, &paths, &op.message("init"))?;
    Ok(Outcome { summary: op.summary, commit: Some(id), files: paths, ..Outcome::default() })
}

/// Undo a failed init: remove the directory if init created it, else its contents.
fn clean_up(dir: &Path, created_dir: bool) {
    if created_dir {
        let _ = std::fs::remove_dir_all(dir);
    } else if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
}
