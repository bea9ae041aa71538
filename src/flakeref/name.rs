//! Flake input names derived from references: one derivation shared by the CLI and the
//! Nix plugin. What a valid name is, is [`crate::ident`]'s to say.

use super::url::{authority_host, parse_url};
use super::{Attr, FlakeRef};
use crate::ident::{is_reserved, NAME_MAX};

/// The longest stem, so that `-<8 hex>` or `-<n>` still fits in `NAME_MAX`.
const STEM_MAX: usize = 48;

/// The input name for `r` with nothing else in the repository: its [`FlakeRef::stem`].
/// This is what the plugin's `inputName` builtin returns.
pub fn canonical_input_name(r: &FlakeRef) -> String {
    input_name(r, |_| false)
}

/// The input name for `r`, given `taken(name)`: whether the repository already uses
/// `name` for a *different* flake reference. Tries, in order: the stem; `<owner>-<stem>`
/// for forges; `<stem>-<8 hex digits of the FNV-1a hash of the canonical URL>`; then
/// `<stem>-2`, `<stem>-3`, ... The result is always a valid name
/// ([`is_valid_name`](crate::ident::is_valid_name)) and
/// depends only on `r` and `taken`. (`taken` must leave some name free, or this loops.)
pub fn input_name(r: &FlakeRef, taken: impl Fn(&str) -> bool) -> String {
    let stem = r.stem();
    let mut candidates = vec![stem.clone()];
    if let Some(owner) = forge_owner(r) {
        candidates.push(sanitize(&format!("{owner}-{stem}"), NAME_MAX));
    }
    candidates.push(format!("{stem}-{:08x}", fnv1a64(r.to_url().as_bytes()) >> 32));
    if let Some(free) = candidates.into_iter().find(|c| !taken(c)) {
        return free;
    }
    (2u64..).map(|n| format!("{stem}-{n}")).find(|c| !taken(c)).unwrap_or(stem)
}

fn forge_owner(r: &FlakeRef) -> Option<&str> {
    match r.kind() {
        "github" | "gitlab" | "sourcehut" => r.str_attr("owner"),
        _ => None,
    }
}

/// FNV-1a, 64 bits: tiny, and stable across Rust versions and platforms (unlike
/// `std::hash`), so names never change under a toolchain upgrade.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

pub(crate) fn stem(r: &FlakeRef) -> String {
    let base = match r.kind() {
        "github" | "gitlab" | "sourcehut" => r.str_attr("repo").unwrap_or_default().to_string(),
        "indirect" => r.str_attr("id").unwrap_or_default().to_string(),
        "path" => last_segment(r.str_attr("path").unwrap_or_default()).to_string(),
        kind => url_base(r.str_attr("url").unwrap_or_default(), kind),
    };
    let raw = match r.raw_attrs().get("dir") {
        Some(Attr::Str(dir)) if !last_segment(dir).is_empty() => {
            format!("{base}-{}", last_segment(dir))
        }
        _ => base,
    };
    sanitize(&raw, STEM_MAX)
}

fn last_segment(path: &str) -> &str {
    path.split('/').rfind(|s| !s.is_empty()).unwrap_or("")
}

const ARCHIVE_SUFFIXES: [&str; 7] = [".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".zip", ".tar"];

/// The readable part of a Git/Mercurial/tarball URL: its last path segment without
/// `.git` or an archive suffix. Forge archive URLs (`.../owner/repo/archive/v1.tar.gz`)
/// name the repository before `archive`, which says more than a tag or a commit hash.
/// A URL without a path is named after its host.
fn url_base(url: &str, kind: &str) -> String {
    let Ok(parsed) = parse_url(url, &mut Vec::new()) else {
        return kind.to_string();
    };
    let path = String::from_utf8_lossy(&parsed.path).into_owned();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(&last) = segs.last() else {
        let host = parsed.authority.as_deref().map(authority_host).unwrap_or("");
        return if host.is_empty() { kind.to_string() } else { host.to_string() };
    };
    if matches!(kind, "git" | "hg") {
        return last.strip_suffix(".git").unwrap_or(last).to_string();
    }
    if segs.len() >= 3 && segs[segs.len() - 2] == "archive" {
        return segs[segs.len() - 3].to_string();
    }
    ARCHIVE_SUFFIXES.iter().find_map(|suffix| last.strip_suffix(suffix)).unwrap_or(last).to_string()
}

/// Makes `raw` a valid name of at most `max` bytes: lowercase ASCII; every run of other
/// characters becomes one `-`; no `-` at either end; `input-` in front of a name that would
/// start with a digit or be reserved; `input` for an empty one.
pub(crate) fn sanitize(raw: &str, max: usize) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_run = false;
    for c in raw.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    // Truncate first, then check: cutting a long name can leave a keyword or nothing
    // (`else-----…` → `else`; found by the fuzzer).
    let cut = |s: &str| {
        let mut s = s.to_string();
        s.truncate(max); // ASCII only by now, so any index is a char boundary
        s.trim_end_matches('-').to_string()
    };
    let name = cut(out.trim_matches('-'));
    if name.is_empty() {
        "input".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) || is_reserved(&name) {
        cut(&format!("input-{name}"))
    } else {
        name
    }
}
