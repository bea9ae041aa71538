//! What each host contributes to flake.nix — its system and its packages' inputs —
//! cached by the content of its manifest.
//!
//! The regions are a pure function of *every* host's manifest, so a change to one host
//! has to know what all the others contribute. Re-parsing 20 hosts of 1 000 packages
//! for each `glix add` cost ~10× what the change itself does; instead, a host's summary
//! is kept in `.git/glix-cache/<host>.bin` under a key made of the glix version and a
//! BLAKE3 hash of the manifest's bytes. A manifest whose bytes changed (by hand, by a
//! checkout, by another glix) has another key and is parsed — and validated — again,
//! so the cache can only ever answer for bytes it has seen pass validation.
//!
//! The cache is an optimisation only: it lives outside the worktree, is written
//! without fsync (a torn file fails to parse or to match its key and is a miss), and a
//! cache that cannot be read or written is ignored.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::state::DEFAULT_SYSTEM;
use super::OpError;
use crate::manifest::edit::EditError;
use crate::manifest::{Manifest, CURRENT_SCHEMA};
use crate::repo::Repo;

/// Bump when the summary's shape or meaning changes (the glix version is in the key
/// too, so a release with other validation rules never trusts an older entry).
const FORMAT: u32 = 1;

/// One host's contribution to flake.nix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSummary {
    /// The Nix system the host builds for (the default filled in).
    pub system: String,
    /// Every package (enabled or not: a disabled package keeps its input), in name order.
    pub packages: Vec<PackageInput>,
}

/// A package as the regions see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInput {
    pub name: String,
    pub input: String,
    pub flake: String,
}

impl HostSummary {
    pub fn of(m: &Manifest) -> HostSummary {
        HostSummary {
            system: m.host.system.clone().unwrap_or_else(|| DEFAULT_SYSTEM.to_string()),
            packages: m
                .packages
                .values()
                .map(|p| PackageInput { name: p.name.clone(), input: p.input.clone(), flake: p.flake.clone() })
                .collect(),
        }
    }
}

/// Summaries of every host except `skip`, parsing only the manifests the cache has not
/// seen. Errors are those of loading the manifest (syntax, validation, older schema).
pub fn load_summaries(repo: &Repo, skip: Option<&str>) -> Result<BTreeMap<String, HostSummary>, OpError> {
    repo.hosts()?
        .into_iter()
        .filter(|h| Some(h.as_str()) != skip)
        .map(|h| load_summary(repo, &h).map(|s| (h, s)))
        .collect()
}

fn load_summary(repo: &Repo, host: &str) -> Result<HostSummary, OpError> {
    let rel = Repo::manifest_rel(host);
    let path = repo.contained(&rel)?;
    let text = std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?;
    let key = key_of(&text);
    if let Some(s) = read_entry(repo, host, &key) {
        return Ok(s);
    }
    let m = crate::manifest::load_str(&text, &rel)?;
    if m.file_schema != CURRENT_SCHEMA {
        return Err(EditError::OldSchema { origin: rel, found: m.file_schema }.into());
    }
    let s = HostSummary::of(&m);
    write_entry(repo, host, &key, &s);
    Ok(s)
}

/// Remember the summary of a manifest text glix is about to write (its model is
/// already validated), so the next command does not parse it again. Harmless if the
/// write never happens: the entry is keyed by content.
pub fn remember(repo: &Repo, host: &str, text: &str, s: &HostSummary) {
    write_entry(repo, host, &key_of(text), s);
}

/// A cache file, in postcard's compact binary form (strings are length-prefixed, so
/// reading 20 000 packages is mostly copying bytes; JSON took three times as long).
/// postcard is not self-describing: change [`FORMAT`] with this struct.
/// Drop a host's entry (its manifest is being removed). Best effort, like every write.
pub fn forget(repo: &Repo, host: &str) {
    let _ = std::fs::remove_file(entry_path(repo, host));
}

#[derive(Serialize, Deserialize)]
struct Entry<S> {
    key: String,
    summary: S,
}

fn key_of(text: &str) -> String {
    format!("{FORMAT}:{}:{}", env!("CARGO_PKG_VERSION"), blake3::hash(text.as_bytes()).to_hex())
}

fn entry_path(repo: &Repo, host: &str) -> PathBuf {
    repo.state_dir().join("glix-cache").join(format!("{host}.bin"))
}

fn read_entry(repo: &Repo, host: &str, key: &str) -> Option<HostSummary> {
    let bytes = std::fs::read(entry_path(repo, host)).ok()?;
    let e: Entry<HostSummary> = postcard::from_bytes(&bytes).ok()?;
    (e.key == key).then_some(e.summary)
}

fn write_entry(repo: &Repo, host: &str, key: &str, s: &HostSummary) {
    let path = entry_path(repo, host);
    let Some(dir) = path.parent() else { return };
    let Ok(bytes) = postcard::to_allocvec(&Entry { key: key.to_string(), summary: s }) else { return };
    // Best effort: temp file + rename, so a reader never sees half an entry.
    let _ = std::fs::create_dir_all(dir).and_then(|_| {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(&path).map(|_| ()).map_err(|e| e.error)
    });
}
