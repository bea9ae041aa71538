//! Git through git2: the dirty check, the one commit per operation (touching only the
//! files glix changed, whatever else the user has staged), and reading glix's history
//! back from commit trailers.

use std::path::Path;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Signature, Status};

use super::{Repo, Result};

/// Machine-readable trailers of a glix commit (`Glix-Operation: add` …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers(pub Vec<(String, String)>);

impl Trailers {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn parse(message: &str) -> Trailers {
        let last_paragraph = message.trim_end().rsplit("\n\n").next().unwrap_or("");
        Trailers(
            last_paragraph
                .lines()
                .filter_map(|l| l.split_once(": "))
                .filter(|(k, _)| k.starts_with("Glix-"))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    pub time: i64,
    pub trailers: Trailers,
    /// Repo-relative paths this commit changed compared with its first parent.
    pub paths: Vec<String>,
}

fn open(repo: &Repo) -> Result<Repository> {
    Ok(Repository::open(repo.root())?)
}

/// `git init` for `glix init`.
pub fn init(dir: &Path) -> Result<()> {
    Repository::init(dir)?;
    Ok(())
}

/// Whether HEAD is the commit of operation `op_id`.
pub fn head_has_op(repo: &Repo, op_id: &str) -> Result<bool> {
    let r = open(repo)?;
    let Ok(commit) = r.head().and_then(|h| h.peel_to_commit()) else { return Ok(false) };
    Ok(Trailers::parse(commit.message().unwrap_or("")).get("Glix-Op-Id") == Some(op_id))
}

/// The git blob id of `bytes`: what `git hash-object` prints for a file holding them.
pub fn blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HEAD and the index as a transaction starts: what it checks the files it covers
/// against.
pub struct Baseline {
    repo: Repository,
    head_tree: Option<git2::Oid>,
    index: git2::Index,
}

impl Baseline {
    pub fn open(repo: &Repo) -> Result<Baseline> {
        let r = open(repo)?;
        let head_tree = r.head().ok().and_then(|h| h.peel_to_tree().ok()).map(|t| t.id());
        let index = r.index()?;
        Ok(Baseline { repo: r, head_tree, index })
    }

    /// Whether HEAD is detached (glix's commits would not be on any branch).
    pub fn head_detached(&self) -> bool {
        self.repo.head_detached().unwrap_or(false)
    }

    /// The blob id of `path` at HEAD when the work tree's file (`bytes`) is exactly
    /// that blob and the index stages it unchanged — so the file can be restored from
    /// git. `None` for anything else (changed, new, absent, or only equal through a
    /// git filter such as autocrlf): those take [`Baseline::is_dirty`]'s full check.
    pub fn committed_blob(&self, path: &str, bytes: Option<&[u8]>) -> Result<Option<String>> {
        let (Some(bytes), Some(tree)) = (bytes, self.head_tree) else { return Ok(None) };
        let Ok(entry) = self.repo.find_tree(tree)?.get_path(Path::new(path)) else { return Ok(None) };
        let Some(staged) = self.index.get_path(Path::new(path), 0) else { return Ok(None) };
        let executable = is_executable(&self.repo.workdir().unwrap_or(Path::new(".")).join(path));
        let mode = if executable { FileMode::BlobExecutable } else { FileMode::Blob };
        if entry.filemode() != i32::from(mode) || staged.mode != u32::from(mode) || staged.id != entry.id() {
            return Ok(None);
        }
        let id = entry.id().to_string();
        Ok((blob_id(bytes) == id).then_some(id))
    }

    /// Whether `path` has uncommitted changes (in the work tree or the index), as
    /// `git status` sees them; an ignored file has none.
    pub fn is_dirty(&self, path: &str) -> Result<bool> {
        match self.repo.status_file(Path::new(path)) {
            Ok(s) => Ok(!(s.is_empty() || s == Status::CURRENT || s.contains(Status::IGNORED))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// The contents of blob `id`.
pub fn blob(repo: &Repo, id: &str) -> Result<Vec<u8>> {
    let r = open(repo)?;
    let blob = r.find_blob(git2::Oid::from_str(id)?)?;
    Ok(blob.content().to_vec())
}

/// Commit exactly `paths` as they are in the work tree (a missing file is a deletion),
/// on top of HEAD, whatever else is staged; then refresh those index entries so
/// `git status` is clean for them. Returns the new commit id.
pub fn commit(repo: &Repo, paths: &[String], message: &str) -> Result<String> {
    commit_with(repo, paths, message, &[])
}

/// A blob already written to the object store ([`write_blob`]), and the bytes it holds.
#[derive(Debug, Clone)]
pub struct KnownBlob<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub id: git2::Oid,
}

/// Write a file's new contents to the object store ahead of the commit that will use
/// them (see `ops::mutate`, which does this while the journal and the files are
/// written). Objects are only ever added: one the operation ends up not using is
/// unreferenced and harmless, and `git gc` drops it.
pub fn write_blob<'a>(repo: &Repo, path: &'a str, bytes: &'a [u8]) -> Result<KnownBlob<'a>> {
    Ok(KnownBlob { path, bytes, id: open(repo)?.blob(bytes)? })
}

/// [`commit`], taking the blob of a file from `known` when the file holds exactly the
/// bytes written there (the rest are hashed and compressed here).
pub fn commit_with(repo: &Repo, paths: &[String], message: &str, known: &[KnownBlob]) -> Result<String> {
    let r = open(repo)?;
    let parent = r.head().ok().and_then(|h| h.peel_to_commit().ok());
    let base = match &parent {
        Some(c) => c.tree()?,
        None => r.find_tree(r.treebuilder(None)?.write()?)?,
    };
    let mut update = TreeUpdateBuilder::new();
    let mut entries = Vec::new();
    for p in paths {
        let full = repo.path(p);
        // Stat before reading, as git does: a change after the stat shows as a change.
        match std::fs::symlink_metadata(&full).and_then(|meta| std::fs::read(&full).map(|bytes| (meta, bytes))) {
            Ok((meta, bytes)) => {
                let blob = match known.iter().find(|k| k.path == p && k.bytes == bytes.as_slice()) {
                    Some(k) => k.id,
                    None => r.blob(&bytes)?,
                };
                let mode = if is_executable(&full) { FileMode::BlobExecutable } else { FileMode::Blob };
                update.upsert(p.as_str(), blob, mode);
                entries.push(index_entry(p, blob, mode, &meta));
            }
            Err(_) => {
                update.remove(p.as_str());
            }
        }
    }
    let tree = r.find_tree(update.create_updated(&r, &base)?)?;
    let sig = signature(&r)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    // Make the commit object, then refresh the index, and only then move HEAD: if the
    // index is locked by someone else the operation fails before it is visible.
    let id = r.commit(None, &sig, &sig, message, &tree, &parents)?;
    let index_path = r.path().join("index");
    let index_before = std::fs::read(&index_path).ok();
    update_index(&r, paths, &entries)?;
    if let Err(e) = move_head(&r, id, message) {
        // Put the index back so the rolled-back work tree and the index agree again.
        if let Some(bytes) = index_before {
            let _ = std::fs::write(&index_path, bytes);
        }
        return Err(e.into());
    }
    Ok(id.to_string())
}

/// Point HEAD (or the branch it names, created if unborn) at `id`.
fn move_head(r: &Repository, id: git2::Oid, message: &str) -> std::result::Result<(), git2::Error> {
    let summary = message.lines().next().unwrap_or("glix");
    let head = r.find_reference("HEAD")?;
    let target = match head.symbolic_target() {
        Some(branch) => branch.to_string(),
        None => "HEAD".to_string(),
    };
    r.reference(&target, id, true, &format!("commit: {summary}"))?;
    Ok(())
}

/// Make the index entries of `paths` match the work tree. `known` has the entries of
/// files whose blobs were just written (so, unlike `add_path`, they are not read,
/// hashed and compressed a second time); other files are added from disk, and paths
/// with no file are removed.
fn update_index(r: &Repository, paths: &[String], known: &[git2::IndexEntry]) -> std::result::Result<(), git2::Error> {
    let mut index = r.index()?;
    let workdir = r.workdir().unwrap_or(Path::new("."));
    for p in paths {
        match known.iter().find(|e| e.path == p.as_bytes()) {
            Some(e) => index.add(e)?,
            None if workdir.join(p).exists() => index.add_path(Path::new(p))?,
            None => {
                let _ = index.remove_path(Path::new(p));
            }
        }
    }
    index.write()
}

/// An index entry for `path` with the stat data git compares to notice changes.
fn index_entry(path: &str, id: git2::Oid, mode: FileMode, meta: &std::fs::Metadata) -> git2::IndexEntry {
    use std::os::unix::fs::MetadataExt;
    git2::IndexEntry {
        ctime: git2::IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32),
        mtime: git2::IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: u32::from(mode),
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.len() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Make the index entries of `paths` match the work tree.
pub fn sync_index(repo: &Repo, paths: &[String]) -> Result<()> {
    Ok(update_index(&open(repo)?, paths, &[])?)
}

/// Walk the commits reachable from HEAD, newest first, while `visit` returns true.
/// `with_paths` also lists the paths each commit changed (a tree diff per commit), which
/// only some callers need; the walk stops as soon as the caller has what it wants.
pub fn walk(repo: &Repo, with_paths: bool, mut visit: impl FnMut(CommitInfo) -> bool) -> Result<()> {
    let r = open(repo)?;
    let mut revs = r.revwalk()?;
    if revs.push_head().is_err() {
        return Ok(()); // no commits yet
    }
    for oid in revs {
        let c = r.find_commit(oid?)?;
        let paths = if with_paths {
            let tree = c.tree()?;
            let parent_tree = c.parent(0).ok().map(|p| p.tree()).transpose()?;
            let diff = r.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
            diff.deltas()
                .filter_map(|d| d.new_file().path().or(d.old_file().path()).map(|p| p.to_string_lossy().into_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let info = CommitInfo {
            id: c.id().to_string(),
            summary: c.summary().unwrap_or("").to_string(),
            time: c.time().seconds(),
            trailers: Trailers::parse(c.message().unwrap_or("")),
            paths,
        };
        if !visit(info) {
            break;
        }
    }
    Ok(())
}

/// Commits reachable from HEAD, newest first, at most `limit`, with their paths.
pub fn log(repo: &Repo, limit: usize) -> Result<Vec<CommitInfo>> {
    let mut out = Vec::new();
    if limit > 0 {
        walk(repo, true, |c| {
            out.push(c);
            out.len() < limit
        })?;
    }
    Ok(out)
}

/// The contents of `path` in commit `id` (None when the file did not exist there).
pub fn file_at(repo: &Repo, id: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let r = open(repo)?;
    let tree = r.find_commit(git2::Oid::from_str(id)?)?.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(Some(r.find_blob(entry.id())?.content().to_vec())),
        Err(_) => Ok(None),
    }
}

/// The author: git's own configuration (user.name/user.email), then the standard
/// environment variables, then a generic glix identity so a fresh machine can commit.
fn signature(r: &Repository) -> Result<Signature<'static>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(n), Some(e)) = (env("GIT_AUTHOR_NAME"), env("GIT_AUTHOR_EMAIL")) {
        return Ok(Signature::now(&n, &e)?);
    }
    match r.signature() {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Ok(Signature::now("glix", "glix@localhost")?),
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// The first parent of commit `id`.
pub fn parent(repo: &Repo, id: &str) -> Result<Option<String>> {
    let r = open(repo)?;
    let c = r.find_commit(git2::Oid::from_str(id)?)?;
    Ok(c.parent_ids().next().map(|p| p.to_string()))
}

/// The names in directory `dir` of commit `id` (empty when it has no such directory).
pub fn list_dir_at(repo: &Repo, id: &str, dir: &str) -> Result<Vec<String>> {
    let r = open(repo)?;
    let tree = r.find_commit(git2::Oid::from_str(id)?)?.tree()?;
    let Ok(entry) = tree.get_path(Path::new(dir)) else { return Ok(vec![]) };
    let Ok(sub) = r.find_tree(entry.id()) else { return Ok(vec![]) };
    Ok(sub.iter().filter_map(|e| e.name().map(str::to_string)).collect())
}
