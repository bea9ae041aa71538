//! The packages of the repository's own nixpkgs — the revision its `flake.lock` locks —
//! as an index glix can search offline (`glix search`, and near names for `glix add`).
//!
//! 1. [`locked_nixpkgs`] reads `flake.lock`: the root node's `nixpkgs` input (a node
//!    name, or a `follows` path), and that node's `locked` attributes. The index is
//!    keyed by their `narHash` (and `rev` when there is one): the content of that
//!    nixpkgs, whatever URL it came from.
//! 2. [`load`] reads `<cache dir>/<key>.json` when it is there and whole; otherwise it
//!    builds the index with one `nix search` of exactly those locked attributes
//!    (through [`crate::nix`]) and stores it.
//!    So while the lock is unchanged nixpkgs is evaluated once, and never again: a
//!    search after that starts no nix process at all, and needs no network.
//!
//! The cache is the user's (`$XDG_CACHE_HOME/glix/nixpkgs-index`, else
//! `~/.cache/glix/nixpkgs-index`), shared by every repo locking the same nixpkgs. It is
//! read with the care of the summary cache (`src/ops/summary.rs`): a regular file only,
//! never through a symlink or blocking on a FIFO, size-capped; a file that does not
//! parse or is for another nixpkgs is a miss and is rebuilt. It is written atomically,
//! and a directory glix cannot write is a warning, not an error (the search still
//! answers, from the index just built). What nixpkgs says about a package is filtered
//! for control and bidi characters, as the registry's descriptions are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::nix::{Nix, NixError, NixRunner};
use crate::resolve::{is_bidi_control, match_rank, printable};

/// Bump when the cache file's shape or meaning changes: an older file is then a miss.
const FORMAT: u32 = 1;

/// The largest cache file glix reads. The whole of nixpkgs (~120 000 packages) is some
/// 12–20 MB (BENCHMARKS.md: ~100 bytes a package on the stand-in); a file that is not
/// glix's (a symlink to /dev/zero) cannot grow glix's memory.
pub const MAX_INDEX_BYTES: u64 = 256 << 20;

/// The largest flake.lock glix reads.
const MAX_LOCK_BYTES: u64 = 64 << 20;

/// How many `follows` hops a root input may take to its node (a cycle is an error).
const MAX_FOLLOWS: usize = 32;

/// The nixpkgs a repository's flake.lock locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNixpkgs {
    /// The lock's node for it (`nixpkgs`, `nixpkgs_2`, ...).
    pub node: String,
    /// `locked.narHash`: what the index is keyed by.
    pub nar_hash: String,
    /// `locked.rev`, for forges and Git (a `path:` input has none).
    pub rev: Option<String>,
    /// Every `locked` attribute: what `nix search` fetches, exactly.
    pub locked: serde_json::Map<String, serde_json::Value>,
}

impl LockedNixpkgs {
    /// For messages: the commit's first 7 characters, else the start of the NAR hash.
    pub fn short(&self) -> String {
        match &self.rev {
            Some(rev) => rev.chars().take(7).collect(),
            None => self.nar_hash.chars().take(16).collect(),
        }
    }

    /// The cache file's name without `.json`: `<rev>-<narHash>`, made of characters that
    /// are safe in a file name (the hash is base64: `/` and `+` become `_` and `-`).
    fn cache_key(&self) -> String {
        let safe = |s: &str| -> String {
            s.chars()
                .filter(|&c| c != '=')
                .map(|c| match c {
                    '/' => '_',
                    '+' => '-',
                    c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => c,
                    _ => '_',
                })
                .take(120)
                .collect()
        };
        match &self.rev {
            Some(rev) => format!("{}-{}", safe(rev), safe(&self.nar_hash)),
            None => safe(&self.nar_hash),
        }
    }
}

/// One package of nixpkgs, as `nix search` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixpkgsPackage {
    /// The attribute path under `legacyPackages.<system>` (`ripgrep`,
    /// `python3Packages.requests`): what `glix add nixpkgs#<attr>` takes.
    pub attr: String,
    pub pname: String,
    /// Empty when the package has none.
    pub version: String,
    /// `meta.description`, empty when there is none.
    pub description: String,
}

impl NixpkgsPackage {
    /// The one way a package enters the index (from `nix search` or the cache file):
    /// every field filtered for control and bidi characters and cut to a sane length.
    fn new(attr: String, pname: String, version: String, description: String) -> NixpkgsPackage {
        NixpkgsPackage { attr: clean(attr, 200), pname: clean(pname, 200), version: clean(version, 100), description: clean(description, 1000) }
    }
}

/// `s` as [`printable`] makes it, without copying it when it already is.
fn clean(s: String, max: usize) -> String {
    // Printable ASCII (nearly everything nixpkgs says) is checked byte by byte.
    let fine = s.len() <= max && (s.bytes().all(|b| (b' '..=b'~').contains(&b)) || !s.chars().any(|c| c.is_control() || is_bidi_control(c)));
    if fine {
        s
    } else {
        printable(&s, max)
    }
}

/// The packages of one nixpkgs, sorted by attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixpkgsIndex {
    pub nixpkgs: LockedNixpkgs,
    /// The system `nix search` evaluated nixpkgs for (`x86_64-linux`).
    pub system: Option<String>,
    pub packages: Vec<NixpkgsPackage>,
}

impl NixpkgsIndex {
    /// The index of `nix search --json` output:
    /// `{"legacyPackages.<system>.<attr>": {"pname", "version", "description"}}`.
    pub fn from_search_json(nixpkgs: LockedNixpkgs, json: &str) -> Result<NixpkgsIndex, String> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            pname: String,
            #[serde(default)]
            version: String,
            #[serde(default)]
            description: Option<String>,
        }
        let raw: BTreeMap<String, Raw> = serde_json::from_str(json).map_err(|e| format!("`nix search --json` printed something glix cannot read: {e}"))?;
        let mut system = None;
        let mut packages = Vec::with_capacity(raw.len());
        for (key, r) in raw {
            // `legacyPackages.<system>.<attr>` (or `packages.<system>.<attr>`); systems
            // have no dots.
            let mut parts = key.splitn(3, '.');
            let (Some("legacyPackages" | "packages"), Some(sys), Some(attr)) = (parts.next(), parts.next(), parts.next()) else { continue };
            system.get_or_insert_with(|| sys.to_string());
            packages.push(NixpkgsPackage::new(attr.to_string(), r.pname, r.version, r.description.unwrap_or_default()));
        }
        Ok(NixpkgsIndex::sorted(nixpkgs, system, packages))
    }

    fn sorted(nixpkgs: LockedNixpkgs, system: Option<String>, mut packages: Vec<NixpkgsPackage>) -> NixpkgsIndex {
        if !packages.is_sorted_by(|a, b| a.attr < b.attr) {
            packages.sort_by(|a, b| a.attr.cmp(&b.attr));
            packages.dedup_by(|a, b| a.attr == b.attr);
        }
        NixpkgsIndex { nixpkgs, system, packages }
    }

    /// The package at this attribute path.
    pub fn get(&self, attr: &str) -> Option<&NixpkgsPackage> {
        self.packages.binary_search_by(|p| p.attr.as_str().cmp(attr)).ok().map(|i| &self.packages[i])
    }

    /// Every attribute path, for near names (`glix add` of a name nothing knows).
    pub fn attrs(&self) -> impl Iterator<Item = &str> {
        self.packages.iter().map(|p| p.attr.as_str())
    }

    /// Packages whose attribute path, package name or description contains `term`
    /// (case-insensitive), with their [`match_rank`] (the registry's ranking: exact,
    /// prefix, substring, description), best first; ties by attribute path. An empty
    /// term lists every package.
    pub fn search(&self, term: &str) -> Vec<(u8, &NixpkgsPackage)> {
        let term = term.trim().to_lowercase();
        let mut hits: Vec<(u8, &NixpkgsPackage)> =
            self.packages.iter().filter_map(|p| Some((match_rank(&term, &[&p.attr, &p.pname], Some(&p.description))?, p))).collect();
        // Stable, and the packages are in attribute order already.
        hits.sort_by_key(|h| h.0);
        hits
    }
}

/// Why there is no index of the repo's nixpkgs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The repo has no flake.lock (yet): nothing says which nixpkgs it uses.
    #[error("{} has no flake.lock, so it locks no nixpkgs to search (`nix flake lock` there creates one)", repo.display())]
    NoLockFile { repo: PathBuf },
    /// flake.lock's root has no `nixpkgs` input.
    #[error("{} has no `nixpkgs` input, so there is no nixpkgs of the repo's to search", lock.display())]
    NoNixpkgsInput { lock: PathBuf },
    #[error("cannot read the repo's nixpkgs from {}: {reason}", lock.display())]
    BadLock { lock: PathBuf, reason: String },
    #[error("could not index the repo's nixpkgs: {0}")]
    Nix(#[source] NixError),
    #[error("could not index the repo's nixpkgs: {0}")]
    BadOutput(String),
}

impl IndexError {
    /// The repo simply has no locked nixpkgs: a note for the user, not a warning.
    pub fn is_note(&self) -> bool {
        matches!(self, IndexError::NoLockFile { .. } | IndexError::NoNixpkgsInput { .. })
    }
}

/// The nixpkgs `repo_root`'s flake.lock locks (see the module documentation).
pub fn locked_nixpkgs(repo_root: &Path) -> Result<LockedNixpkgs, IndexError> {
    let lock = repo_root.join("flake.lock");
    if lock.symlink_metadata().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Err(IndexError::NoLockFile { repo: repo_root.to_path_buf() });
    }
    let bad = |reason: String| IndexError::BadLock { lock: lock.clone(), reason };
    let bytes = crate::ops::summary::read_regular_file(&lock, MAX_LOCK_BYTES)
        .ok_or_else(|| bad(format!("not a regular file of at most {} MiB", MAX_LOCK_BYTES >> 20)))?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    match lock_node(&doc, "nixpkgs").map_err(&bad)? {
        None => Err(IndexError::NoNixpkgsInput { lock }),
        Some(node) => {
            let locked = doc["nodes"][&node]["locked"].as_object().ok_or_else(|| bad(format!("node '{node}' has no \"locked\" attributes")))?;
            let nar_hash = locked.get("narHash").and_then(|h| h.as_str()).ok_or_else(|| bad(format!("node '{node}' has no locked narHash")))?;
            let rev = locked.get("rev").and_then(|r| r.as_str()).map(str::to_string);
            Ok(LockedNixpkgs { node, nar_hash: nar_hash.to_string(), rev, locked: locked.clone() })
        }
    }
}

/// The node a root input of a flake.lock document names; `None` when the root has no
/// such input.
fn lock_node(doc: &serde_json::Value, input: &str) -> Result<Option<String>, String> {
    let root = doc["root"].as_str().unwrap_or("root");
    if !doc["nodes"][root].is_object() {
        return Err(format!("it has no root node '{root}'"));
    }
    match doc["nodes"][root]["inputs"].get(input) {
        None => Ok(None),
        Some(target) => follow(doc, root, target, 0).map(Some),
    }
}

/// The node an input's value leads to: a node name, or a `follows` path of input names
/// from the root (`["home-manager", "nixpkgs"]`), each step of which may follow again.
fn follow(doc: &serde_json::Value, root: &str, target: &serde_json::Value, hops: usize) -> Result<String, String> {
    if hops > MAX_FOLLOWS {
        return Err("its `follows` go in a circle".into());
    }
    match target {
        serde_json::Value::String(node) => Ok(node.clone()),
        serde_json::Value::Array(path) => {
            let mut node = root.to_string();
            for step in path {
                let step = step.as_str().ok_or("a `follows` path holds something other than input names")?;
                let next = doc["nodes"][&node]["inputs"]
                    .get(step)
                    .ok_or_else(|| format!("a `follows` path names input '{step}', which node '{node}' does not have"))?;
                node = follow(doc, root, next, hops + 1)?;
            }
            Ok(node)
        }
        _ => Err("an input is neither a node name nor a `follows` path".into()),
    }
}

/// How to get an index. [`IndexOptions::new`] gives the defaults.
#[derive(Debug)]
pub struct IndexOptions {
    /// Where indexes are kept; `None`: built every time, never stored.
    pub cache_dir: Option<PathBuf>,
    /// `nix --offline` (nixpkgs must already be in the store).
    pub offline: bool,
    /// Runs `nix search` ([`Nix`], or a fake in tests).
    pub nix: Box<dyn NixRunner>,
}

impl IndexOptions {
    /// The cache in [`default_cache_dir`], and [`Nix::locate`] without a time limit:
    /// evaluating all of nixpkgs takes minutes on a slow machine, and Ctrl-C stops it.
    pub fn new() -> IndexOptions {
        IndexOptions { cache_dir: default_cache_dir(), offline: false, nix: Box::new(Nix::locate().unwrap_or_else(|_| Nix::at("nix"))) }
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions::new()
    }
}

/// `$XDG_CACHE_HOME/glix/nixpkgs-index`, else `$HOME/.cache/glix/nixpkgs-index`.
pub fn default_cache_dir() -> Option<PathBuf> {
    crate::user_cache::dir("nixpkgs-index")
}

/// Where an index came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexOrigin {
    /// The cache: nothing was evaluated.
    Cache,
    /// Built just now with `nix search` (and stored, unless a warning says otherwise or
    /// this is a `--dry-run`).
    Built,
}

/// An index and how it was obtained.
#[derive(Debug, Clone)]
pub struct LoadedIndex {
    pub index: NixpkgsIndex,
    pub origin: IndexOrigin,
    /// For the user: the cache could not be written.
    pub warnings: Vec<String>,
}

/// The index of the nixpkgs `repo_root`'s flake.lock locks: from the cache, else built
/// with one `nix search` (`building` is called first, to tell the user) and stored.
pub fn load(repo_root: &Path, opts: &IndexOptions, building: &mut dyn FnMut(&LockedNixpkgs)) -> Result<LoadedIndex, IndexError> {
    let nixpkgs = locked_nixpkgs(repo_root)?;
    let file = opts.cache_dir.as_ref().map(|d| d.join(format!("{}.json", nixpkgs.cache_key())));
    if let Some(index) = file.as_deref().and_then(|f| read_cache(f, &nixpkgs)) {
        return Ok(LoadedIndex { index, origin: IndexOrigin::Cache, warnings: Vec::new() });
    }
    building(&nixpkgs);
    let index = build(nixpkgs, opts)?;
    let mut warnings = Vec::new();
    // A `--dry-run` writes nothing, not even a cache.
    if let Some(file) = file.as_ref().filter(|_| !crate::ops::summary::is_read_only()) {
        if let Err(e) = write_cache(file, &index) {
            let dir = file.parent().unwrap_or(file);
            warnings.push(format!(
                "could not store the nixpkgs index in {} ({e}), so the next search evaluates nixpkgs again; {}",
                dir.display(),
                crate::ops::summary::cache_hint(dir)
            ));
        }
    }
    Ok(LoadedIndex { index, origin: IndexOrigin::Built, warnings })
}

/// The registry name the locked nixpkgs gets for the one `nix search` that indexes it.
const SEARCH_ID: &str = "glix-locked-nixpkgs";

/// One `nix search --json` of every package (`^`) of the locked nixpkgs.
///
/// Nix takes flake references on its command line as URLs only, and turning lock
/// attributes back into a URL is Nix's own per-type business. A registry file takes
/// them as they are: glix writes one that maps `flake:glix-locked-nixpkgs` to the node's
/// `locked` attributes and makes it the global registry for this call
/// (`--option flake-registry FILE`), so Nix fetches exactly what flake.lock locks — its
/// narHash checked — whatever flake.nix says meanwhile, and needs neither the network
/// nor the repo's own flake. (`--inputs-from <repo> nixpkgs` would re-lock the repo's
/// flake in memory: with flake.nix edited since the last lock, it would fetch and index
/// another nixpkgs under this one's key.) `--quiet`: without it Nix prints a line per
/// attribute it evaluates (~120 000 for nixpkgs), which glix would only keep for an
/// error message. `--no-eval-cache`, as every evaluation glix runs: this index is the
/// cache, and Nix's own copy of all of nixpkgs' attributes would never be read again.
fn build(nixpkgs: LockedNixpkgs, opts: &IndexOptions) -> Result<NixpkgsIndex, IndexError> {
    let registry = serde_json::json!({
        "version": 2,
        "flakes": [{ "from": { "type": "indirect", "id": SEARCH_ID }, "to": nixpkgs.locked }],
    });
    let file = tempfile::Builder::new()
        .prefix("glix-nixpkgs-registry-")
        .suffix(".json")
        .tempfile()
        .and_then(|mut f| std::io::Write::write_all(&mut f, registry.to_string().as_bytes()).map(|()| f))
        .map_err(|e| IndexError::BadOutput(format!("could not write the registry file for `nix search`: {e}")))?;
    let registry_path = file.path().to_string_lossy().into_owned();
    let installable = format!("flake:{SEARCH_ID}");
    let mut args = vec!["search", "--json", "--quiet", "--no-write-lock-file", "--no-eval-cache", "--option", "flake-registry", &registry_path];
    if opts.offline {
        args.push("--offline");
    }
    args.extend([installable.as_str(), "^"]);
    let out = opts.nix.run(&args).map_err(IndexError::Nix)?;
    NixpkgsIndex::from_search_json(nixpkgs, &out).map_err(IndexError::BadOutput)
}

/// The cache file: the nixpkgs it is of, and its packages as
/// `[attr, pname, version, description]` rows in attribute order.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    format: u32,
    nar_hash: String,
    rev: Option<String>,
    system: Option<String>,
    packages: Vec<(String, String, String, String)>,
}

/// The cached index of `nixpkgs`, if `file` is a regular file that parses, is of this
/// format and is of exactly this nixpkgs; anything else is a miss.
fn read_cache(file: &Path, nixpkgs: &LockedNixpkgs) -> Option<NixpkgsIndex> {
    let bytes = crate::ops::summary::read_regular_file(file, MAX_INDEX_BYTES)?;
    let c: CacheFile = serde_json::from_slice(&bytes).ok()?;
    if c.format != FORMAT || c.nar_hash != nixpkgs.nar_hash || c.rev != nixpkgs.rev {
        return None;
    }
    let packages = c.packages.into_iter().map(|(a, p, v, d)| NixpkgsPackage::new(a, p, v, d)).collect();
    Some(NixpkgsIndex::sorted(nixpkgs.clone(), c.system, packages))
}

fn write_cache(file: &Path, index: &NixpkgsIndex) -> std::io::Result<()> {
    let c = CacheFile {
        format: FORMAT,
        nar_hash: index.nixpkgs.nar_hash.clone(),
        rev: index.nixpkgs.rev.clone(),
        system: index.system.clone(),
        packages: index.packages.iter().map(|p| (p.attr.clone(), p.pname.clone(), p.version.clone(), p.description.clone())).collect(),
    };
    let bytes = serde_json::to_vec(&c).map_err(std::io::Error::other)?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic_write::atomic_write(file, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{"nodes": {
        "root": {"inputs": {"nixpkgs": "nixpkgs_2", "hm": "home-manager", "pkgs": ["hm", "nixpkgs"]}},
        "home-manager": {"inputs": {"nixpkgs": ["nixpkgs"]}, "locked": {"narHash": "sha256-hm", "type": "path", "path": "/x"}},
        "nixpkgs_2": {"locked": {"narHash": "sha256-Ab+/cd=", "rev": "0123456789abcdef0123456789abcdef01234567", "type": "github", "owner": "NixOS", "repo": "nixpkgs"}}
    }, "root": "root", "version": 7}"#;

    fn node(doc: &str, input: &str) -> Result<Option<String>, String> {
        lock_node(&serde_json::from_str(doc).unwrap(), input)
    }

    #[test]
    fn the_root_input_leads_to_its_node_through_follows() {
        assert_eq!(node(LOCK, "nixpkgs").unwrap().as_deref(), Some("nixpkgs_2"));
        // pkgs follows hm's nixpkgs, which follows the root's nixpkgs
        assert_eq!(node(LOCK, "pkgs").unwrap().as_deref(), Some("nixpkgs_2"));
        assert_eq!(node(LOCK, "absent").unwrap(), None);
        let circle = r#"{"nodes": {"root": {"inputs": {"nixpkgs": ["a"], "a": ["nixpkgs"]}}}, "root": "root"}"#;
        assert!(node(circle, "nixpkgs").unwrap_err().contains("circle"));
        assert!(node(r#"{"nodes": {}}"#, "nixpkgs").unwrap_err().contains("no root node"));
    }

    #[test]
    fn the_key_is_the_rev_and_the_nar_hash_in_file_name_characters() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("flake.lock"), LOCK).unwrap();
        let n = locked_nixpkgs(dir.path()).unwrap();
        assert_eq!(n.short(), "0123456");
        assert_eq!(n.cache_key(), "0123456789abcdef0123456789abcdef01234567-sha256-Ab-_cd");
        let path_only = LockedNixpkgs { node: "nixpkgs".into(), nar_hash: "sha256-x/y".into(), rev: None, locked: Default::default() };
        assert_eq!((path_only.cache_key().as_str(), path_only.short().as_str()), ("sha256-x_y", "sha256-x/y"));
    }

    #[test]
    fn a_lock_without_nixpkgs_or_without_a_file_is_a_note_and_a_broken_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(locked_nixpkgs(dir.path()), Err(e @ IndexError::NoLockFile { .. }) if e.is_note()));
        std::fs::write(dir.path().join("flake.lock"), r#"{"nodes": {"root": {"inputs": {}}}, "root": "root"}"#).unwrap();
        assert!(matches!(locked_nixpkgs(dir.path()), Err(e @ IndexError::NoNixpkgsInput { .. }) if e.is_note()));
        for (text, needle) in [("{", "not JSON"), (r#"{"nodes": {"root": {"inputs": {"nixpkgs": "n"}}, "n": {}}}"#, "no \"locked\"")] {
            std::fs::write(dir.path().join("flake.lock"), text).unwrap();
            let e = locked_nixpkgs(dir.path()).unwrap_err();
            assert!(!e.is_note() && e.to_string().contains(needle), "{e}");
        }
    }

    const SEARCH: &str = r#"{
        "legacyPackages.x86_64-linux.ripgrep": {"pname": "ripgrep", "version": "14.1.0", "description": "A fast grep\u001b[2J"},
        "legacyPackages.x86_64-linux.python3Packages.requests": {"pname": "python3.12-requests", "version": "2.31.0", "description": "HTTP for Humans"},
        "legacyPackages.x86_64-linux.rip": {"pname": "rip", "version": "", "description": "Remove files, carefully (uses grep)"},
        "legacyPackages.x86_64-linux.ripgrep-all": {"pname": "ripgrep-all", "version": "0.10", "description": "rga"}
    }"#;

    fn index() -> NixpkgsIndex {
        NixpkgsIndex::from_search_json(LockedNixpkgs { node: "nixpkgs".into(), nar_hash: "sha256-x".into(), rev: None, locked: Default::default() }, SEARCH)
            .unwrap()
    }

    #[test]
    fn search_output_becomes_attribute_paths_without_the_system() {
        let i = index();
        assert_eq!(i.system.as_deref(), Some("x86_64-linux"));
        assert_eq!(i.attrs().collect::<Vec<_>>(), ["python3Packages.requests", "rip", "ripgrep", "ripgrep-all"]);
        let rg = i.get("ripgrep").unwrap();
        assert_eq!((rg.pname.as_str(), rg.version.as_str()), ("ripgrep", "14.1.0"));
        assert_eq!(rg.description, "A fast grep [2J", "no terminal escapes");
        assert!(i.get("nope").is_none());
        assert!(NixpkgsIndex::from_search_json(i.nixpkgs.clone(), "error: oops").unwrap_err().contains("cannot read"));
    }

    #[test]
    fn search_ranks_like_the_registry() {
        let i = index();
        let attrs = |t: &str| i.search(t).into_iter().map(|(_, p)| p.attr.as_str()).collect::<Vec<_>>();
        assert_eq!(attrs("RIP"), ["rip", "ripgrep", "ripgrep-all"]);
        assert_eq!(attrs("grep"), ["ripgrep", "ripgrep-all", "rip"]);
        // the package name counts as a name; a part of the attribute path too
        assert_eq!(attrs("python3.12"), ["python3Packages.requests"]);
        assert_eq!(attrs("requests"), ["python3Packages.requests"]);
        assert_eq!(attrs("").len(), 4);
    }

    #[test]
    fn the_cache_round_trips_and_a_damaged_or_foreign_file_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let i = index();
        let f = dir.path().join("sub/x.json");
        write_cache(&f, &i).unwrap();
        assert_eq!(read_cache(&f, &i.nixpkgs), Some(i.clone()));
        let other = LockedNixpkgs { nar_hash: "sha256-y".into(), ..i.nixpkgs.clone() };
        assert_eq!(read_cache(&f, &other), None, "another nixpkgs");
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, &text[..text.len() / 2]).unwrap();
        assert_eq!(read_cache(&f, &i.nixpkgs), None, "cut short");
        std::fs::remove_file(&f).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &f).unwrap();
        assert_eq!(read_cache(&f, &i.nixpkgs), None, "not a regular file");
    }
}
