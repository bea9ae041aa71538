//! What each host contributes to flake.nix — its system and its packages' inputs —
//! cached by the content of its manifest.
//!
//! The regions are a pure function of *every* host's manifest, so a change to one host
//! has to know what all the others contribute. Re-parsing 20 hosts of 1 000 packages
//! for each `glix add` cost ~10× what the change itself does; instead, a host's summary
//! is kept in `.git/glix-cache/<host>.bin` under a key made of glix's build id and a
//! BLAKE3 hash of the manifest's bytes. A manifest whose bytes changed (by hand, by a
//! checkout, by another glix) has another key and is parsed — and validated — again,
//! so the cache can only ever answer for bytes it has seen pass validation.
//!
//! The same cache keeps the validated model of a host's manifest, for the next change
//! to that host: `<host>.model` for the text glix last wrote (what the next change
//! usually finds) and `<host>.read.model` for the text it last had to parse (say,
//! after a hand edit, or a `git reset` to an earlier commit). Editing still parses the
//! document, to keep the user's formatting, but need not validate 1 000 packages again.
//!
//! The cache is an optimisation only: it lives outside the worktree, is written
//! without fsync (a torn file fails to parse or to match its key and is a miss), and a
//! cache that cannot be read is ignored; one that cannot be written is said once per
//! command (and by `glix doctor`). A `--dry-run` never writes it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::state::{current_model, read_manifest, DEFAULT_SYSTEM};
use super::OpError;
use crate::manifest::Manifest;
use crate::repo::Repo;
use crate::speedups::Speedup;

/// Bump when the shape or meaning of what is stored changes (the build id is in the key
/// too, so a glix with other validation rules never trusts an older entry).
const FORMAT: u32 = 4;

/// One host's contribution to flake.nix: its system, and every entry reached through a
/// flake input (enabled or not: a disabled entry keeps its input) in name order.
/// Packages of the host's own nixpkgs add nothing to flake.nix and are not here.
///
/// The packages' strings sit back to back in one `text`, with where each ends: reading
/// (and dropping) a summary is then two allocations, not three per package — on 20
/// hosts of 1 000 packages that was a tenth of a `glix add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSummary {
    /// The Nix system the host builds for (the default filled in).
    pub system: String,
    text: String,
    /// Per package, the end offsets in `text` of its name, input and flake.
    ends: Vec<[u32; 3]>,
    /// Per package, whether its input follows the repo's nixpkgs.
    follows: Vec<bool>,
}

/// A package as the regions see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageInput<'a> {
    pub name: &'a str,
    pub input: &'a str,
    pub flake: &'a str,
    /// `follow-nixpkgs`
    pub follows: bool,
}

impl HostSummary {
    pub fn of(m: &Manifest) -> HostSummary {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(m.packages.len());
        let mut follows = Vec::with_capacity(m.packages.len());
        for p in m.packages.values() {
            let Some((input, flake)) = p.flake_input() else { continue };
            let mut end = |s: &str| {
                text.push_str(s);
                text.len() as u32
            };
            ends.push([end(&p.name), end(input), end(flake)]);
            follows.push(p.follow_nixpkgs);
        }
        HostSummary { system: m.host.system.clone().unwrap_or_else(|| DEFAULT_SYSTEM.to_string()), text, ends, follows }
    }

    /// How many packages the host has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn packages(&self) -> impl Iterator<Item = PackageInput<'_>> {
        let mut start = 0;
        self.ends.iter().zip(&self.follows).map(move |(&[name, input, flake], &follows)| {
            // `get`, not indexing: offsets are checked when read from a file, and
            // a wrong one must never be a panic.
            let at = |from: usize, to: u32| self.text.get(from..to as usize).unwrap_or("");
            let p = PackageInput { name: at(start, name), input: at(name as usize, input), flake: at(input as usize, flake), follows };
            start = flake as usize;
            p
        })
    }

    /// Do the offsets cut `text` into strings? (A cache file is read back as bytes; a
    /// damaged one must be a miss, never a panic.)
    fn is_well_formed(&self) -> bool {
        let mut last = 0;
        self.follows.len() == self.ends.len()
            && self.ends.iter().flatten().all(|&end| {
                let ok = end >= last && (end as usize) <= self.text.len() && self.text.is_char_boundary(end as usize);
                last = end;
                ok
            })
    }
}

/// Summaries of every host except `skip`, parsing only the manifests the cache has not
/// seen. Errors are those of loading the manifest (syntax, validation, older schema);
/// with several broken, the first host's in name order.
pub fn load_summaries(repo: &Repo, skip: Option<&str>) -> Result<BTreeMap<String, HostSummary>, OpError> {
    let hosts: Vec<String> = repo.hosts()?.into_iter().filter(|h| Some(h.as_str()) != skip).collect();
    let cached: Vec<Result<Cached, OpError>> = hosts.iter().map(|h| cached_summary(repo, h)).collect();
    // The misses (a fresh clone, a pull that changed many hosts) are parsed and
    // validated on every core: on 20 hosts of 1 000 packages that is most of the work.
    let misses: Vec<(&str, &Miss)> = hosts
        .iter()
        .zip(&cached)
        .filter_map(|(h, c)| match c {
            Ok(Cached::Miss(m)) => Some((h.as_str(), m)),
            _ => None,
        })
        .collect();
    let mut parsed = on_every_core(misses, |(host, miss)| parse_summary(repo, host, miss)).into_iter();
    hosts
        .into_iter()
        .zip(cached)
        .map(|(h, c)| {
            let s = match c? {
                Cached::Hit(s) => s,
                Cached::Miss(_) => parsed.next().expect("one parse per miss, in order")?,
            };
            Ok((h, s))
        })
        .collect()
}

/// A host's summary from the cache, or what parsing it needs.
enum Cached {
    Hit(HostSummary),
    Miss(Miss),
}

struct Miss {
    rel: String,
    text: String,
    key: Key,
}

fn cached_summary(repo: &Repo, host: &str) -> Result<Cached, OpError> {
    let (rel, text) = read_manifest(repo, host)?;
    let key = Key::of(&text);
    Ok(match read_entry(&path(repo, host, SUMMARY), &key).filter(HostSummary::is_well_formed) {
        Some(s) => Cached::Hit(s),
        None => Cached::Miss(Miss { rel, text, key }),
    })
}

/// One host's summary: from the cache when it has seen these bytes, else parsed (and
/// remembered). What `glix add` reads for the host's system before the repo lock.
pub fn host_summary(repo: &Repo, host: &str) -> Result<HostSummary, OpError> {
    match cached_summary(repo, host)? {
        Cached::Hit(s) => Ok(s),
        Cached::Miss(miss) => parse_summary(repo, host, &miss),
    }
}

fn parse_summary(repo: &Repo, host: &str, miss: &Miss) -> Result<HostSummary, OpError> {
    let s = HostSummary::of(&current_model(&miss.text, miss.rel.clone())?);
    write_entry(&path(repo, host, SUMMARY), &miss.key, &s);
    Ok(s)
}

/// `f` over `items` on every core (contiguous shares, one thread each), results in
/// the items' order. One item or one core: on this thread.
fn on_every_core<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if cores <= 1 {
        return items.into_iter().map(f).collect();
    }
    let share = items.len().div_ceil(cores);
    let mut items = items.into_iter();
    let shares: Vec<Vec<T>> = (0..cores).map(|_| items.by_ref().take(share).collect()).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = shares.into_iter().map(|share| s.spawn(|| share.into_iter().map(&f).collect::<Vec<R>>())).collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// Remember a manifest text glix is about to write, whose model is already validated:
/// its summary (for the next change to another host) and its model (for the next
/// change to this one), so that neither parses it again. Harmless if the write never
/// happens: entries are keyed by content.
pub fn remember(repo: &Repo, host: &str, text: &str, m: &Manifest) {
    let key = Key::of(text);
    write_entry(&path(repo, host, SUMMARY), &key, &HostSummary::of(m));
    write_entry(&path(repo, host, WRITTEN_MODEL), &key, m);
}

/// The validated model of `host`'s manifest, if the cache has one for exactly `text`.
pub fn cached_model(repo: &Repo, host: &str, text: &str) -> Option<Manifest> {
    let key = Key::of(text);
    [WRITTEN_MODEL, READ_MODEL].into_iter().find_map(|kind| read_entry(&path(repo, host, kind), &key))
}

/// Remember the model of `host`'s manifest `text`, just parsed and validated.
pub fn remember_read_model(repo: &Repo, host: &str, text: &str, m: &Manifest) {
    write_entry(&path(repo, host, READ_MODEL), &Key::of(text), m);
}

/// Drop a host's entries (its manifest is being removed). Best effort, like every write.
pub fn forget(repo: &Repo, host: &str) {
    for kind in [SUMMARY, WRITTEN_MODEL, READ_MODEL] {
        let _ = std::fs::remove_file(path(repo, host, kind));
    }
}

/// A cache file, in postcard's compact binary form (strings are length-prefixed, so
/// reading 20 000 packages is mostly copying bytes; JSON took three times as long).
/// postcard is not self-describing: change [`FORMAT`] with the types stored.
#[derive(Serialize, Deserialize)]
struct Entry<K, V> {
    key: K,
    value: V,
}

/// What an entry is valid for: this format, a glix built from this very source (see
/// build.rs: the crate version was shared by every development build), these manifest
/// bytes.
struct Key(String);

impl Key {
    fn of(text: &str) -> Key {
        Key(format!("{FORMAT}:{}:{}", env!("GLIX_BUILD_ID"), blake3::hash(text.as_bytes()).to_hex()))
    }
}

/// The host's summary.
const SUMMARY: &str = "bin";
/// The model of the manifest text glix last wrote.
const WRITTEN_MODEL: &str = "model";
/// The model of the manifest text glix last parsed.
const READ_MODEL: &str = "read.model";

/// `.git/glix-cache/<host>.<kind>` (host names have no dots, so kinds never meet).
fn path(repo: &Repo, host: &str, kind: &str) -> PathBuf {
    cache_dir(repo).join(format!("{host}.{kind}"))
}

/// The largest cache entry glix reads: far above any real one (20 000 packages are a few
/// MB), so a file that is not glix's (a symlink to /dev/zero) cannot grow glix's memory.
const ENTRY_MAX: u64 = 64 << 20;

fn read_entry<V: serde::de::DeserializeOwned>(path: &std::path::Path, key: &Key) -> Option<V> {
    if !in_use(path) {
        return None;
    }
    let bytes = read_regular_file(path, ENTRY_MAX)?;
    let e: Entry<String, V> = postcard::from_bytes(&bytes).ok()?;
    (e.key == key.0).then_some(e.value)
}

/// The contents of `path` if it is a regular file of at most `max` bytes: not through a
/// symlink, and never blocking on a FIFO someone put there.
pub(crate) fn read_regular_file(path: &std::path::Path, max: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn write_entry<V: Serialize>(path: &std::path::Path, key: &Key, value: &V) {
    if READ_ONLY.load(Ordering::Relaxed) || !in_use(path) {
        return;
    }
    let Some(dir) = path.parent() else { return };
    let Ok(bytes) = postcard::to_allocvec(&Entry { key: key.0.as_str(), value }) else { return };
    // Best effort: temp file + rename, so a reader never sees half an entry.
    let written = std::fs::create_dir_all(dir).and_then(|_| {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(path).map(|_| ()).map_err(|e| e.error)
    });
    if let Err(e) = written {
        // Once per command: a cache glix cannot write (root-owned after `sudo glix …`)
        // makes every later command slow, and nobody would know why.
        if !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!("warning: glix cannot write its cache in {} ({e}), so every command reads every manifest again; {}", dir.display(), cache_hint(dir));
        }
    }
}

/// What to do about a cache directory glix cannot write.
pub fn cache_hint(dir: &std::path::Path) -> String {
    format!("give it back to your user (`sudo chown -R \"$(id -u):$(id -g)\" {}`) or delete it", dir.display())
}

/// Whether the speed-up behind this kind of entry is on (`GLIX_SPEEDUPS_OFF`).
fn in_use(path: &std::path::Path) -> bool {
    let summary = path.extension().is_some_and(|e| e == SUMMARY);
    if summary {
        Speedup::SummaryCache.on()
    } else {
        Speedup::ModelCache.on()
    }
}

/// Set for `--dry-run`: the cache is read, never written (a dry run leaves `.git` as it
/// was, byte for byte).
static READ_ONLY: AtomicBool = AtomicBool::new(false);
static WARNED: AtomicBool = AtomicBool::new(false);

/// Read the cache but never write it, for the rest of this process.
pub fn read_only() {
    READ_ONLY.store(true, Ordering::Relaxed);
}

/// Whether [`read_only`] was called: a `--dry-run` writes no cache, glix's others
/// (the nixpkgs index) included.
pub(crate) fn is_read_only() -> bool {
    READ_ONLY.load(Ordering::Relaxed)
}

/// The cache directory of `repo`, for `glix doctor`'s check that it is writable.
pub fn cache_dir(repo: &Repo) -> PathBuf {
    repo.state_dir().join("glix-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "schema = 1\n[host]\nsystem = \"aarch64-linux\"\n\n[packages.hello]\nkind = \"package\"\nattr = \"hello\"\n\n[packages.tool]\nflake = \"path:/home/zoe/tool\"\ninput = \"zoe-tool\"\n\n[packages.web]\nflake = \"github:o/web\"\ninput = \"web\"\nenable = false\n";

    #[test]
    fn a_summary_lists_every_package_as_the_manifest_has_it() {
        let m = crate::manifest::load_str(TEXT, "t").unwrap();
        let s = HostSummary::of(&m);
        assert_eq!(s.system, "aarch64-linux");
        let got: Vec<(&str, &str, &str)> = s.packages().map(|p| (p.name, p.input, p.flake)).collect();
        let want: Vec<(&str, &str, &str)> = m.packages.values().filter_map(|p| Some((p.name.as_str(), p.flake_input()?.0, p.flake_input()?.1))).collect();
        assert_eq!(got, want);
        assert!(s.is_well_formed());
        // through the file format and back
        let bytes = postcard::to_allocvec(&s).unwrap();
        assert_eq!(postcard::from_bytes::<HostSummary>(&bytes).unwrap(), s);
    }

    #[test]
    fn damaged_offsets_are_refused_and_never_panic() {
        // Real summaries are ASCII (names, and flake references as URLs); a damaged
        // file need not be.
        let good = HostSummary { system: "x86_64-linux".into(), text: "zoëinputflake".into(), ends: vec![[4, 9, 14]], follows: vec![true] };
        assert!(good.is_well_formed());
        assert_eq!(good.packages().next(), Some(PackageInput { name: "zoë", input: "input", flake: "flake", follows: true }));
        let inside_e = good.text.find('ë').unwrap() as u32 + 1;
        for ends in [
            vec![[3, 2, 1]],                          // going backwards
            vec![[1, 2, good.text.len() as u32 + 1]], // past the end
            vec![[1, 2, inside_e]],                   // inside the 'ë'
        ] {
            let bad = HostSummary { ends, ..good.clone() };
            assert!(!bad.is_well_formed(), "{:?}", bad.ends);
            let _ = bad.packages().count();
        }
    }
}
