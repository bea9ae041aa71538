//! The canonical URL of a flake reference: Nix's `FlakeRef::to_string`, plus whatever
//! that drops, so that parsing the result gives the same attributes back.

use std::collections::BTreeMap;

use super::nix::{is_ref, is_rev};
use super::url::{parse_url, ParsedUrl};
use super::{Attr, Attrs};

pub(crate) fn to_url(attrs: &Attrs) -> String {
    let text = |k: &str| match attrs.get(k) {
        Some(Attr::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut url = match text("type").unwrap_or("") {
        kind @ ("github" | "gitlab" | "sourcehut") => forge(kind, attrs),
        "indirect" => indirect(attrs),
        "path" => path(attrs),
        "git" => with_url_attr(attrs, "git", &["rev", "ref"]),
        "hg" => with_url_attr(attrs, "hg", &["rev", "ref"]),
        "tarball" => with_url_attr(attrs, "", &["narHash", "rev", "revCount", "lastModified"]),
        "file" => with_url_attr(attrs, "file", &["narHash", "rev", "revCount", "lastModified"]),
        // Unreachable for a parsed FlakeRef; keep something recognisable rather than panic.
        other => ParsedUrl::new(other, Vec::new()),
    };
    if let Some(dir) = text("dir") {
        url.query.insert("dir".into(), dir.as_bytes().to_vec());
    }
    url.to_url_string()
}

impl ParsedUrl {
    fn new(scheme: &str, path: Vec<u8>) -> ParsedUrl {
        ParsedUrl { scheme: scheme.into(), authority: None, path, query: BTreeMap::new(), fragment: Vec::new() }
    }
}

/// Puts the named attributes into the query, as the URL parser will read them back.
fn copy_to_query(url: &mut ParsedUrl, attrs: &Attrs, keys: &[&str]) {
    for &k in keys {
        let v = match attrs.get(k) {
            Some(Attr::Str(s)) => s.clone(),
            Some(Attr::Int(n)) => n.to_string(),
            Some(Attr::Bool(b)) => (if *b { "1" } else { "0" }).to_string(),
            None => continue,
        };
        url.query.insert(k.into(), v.into_bytes());
    }
}

/// `github:owner/repo[/ref-or-rev]`. A ref goes into the path only when it reads back
/// the same from there: not when it looks like a commit hash, and not when it has empty
/// segments (the path parser drops those). Nix's own printer also drops `host`.
fn forge(kind: &str, attrs: &Attrs) -> ParsedUrl {
    let text = |k: &str| match attrs.get(k) {
        Some(Attr::Str(s)) => s.as_str(),
        _ => "",
    };
    let mut path = format!("{}/{}", text("owner"), text("repo"));
    let mut url = ParsedUrl::new(kind, Vec::new());
    if let Some(Attr::Str(r)) = attrs.get("ref") {
        if ref_survives_path(r) {
            path.push('/');
            path.push_str(r);
        } else {
            url.query.insert("ref".into(), r.clone().into_bytes());
        }
    }
    if let Some(Attr::Str(r)) = attrs.get("rev") {
        path.push('/');
        path.push_str(r);
    }
    url.path = path.into_bytes();
    copy_to_query(&mut url, attrs, &["host", "narHash"]);
    url
}

fn ref_survives_path(r: &str) -> bool {
    is_ref(r.as_bytes()) && !is_rev(r.as_bytes()) && r.split('/').all(|seg| !seg.is_empty())
}

/// `flake:id[/ref][/rev]`.
fn indirect(attrs: &Attrs) -> ParsedUrl {
    let mut path = String::new();
    for k in ["id", "ref", "rev"] {
        if let Some(Attr::Str(v)) = attrs.get(k) {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(v);
        }
    }
    ParsedUrl::new("flake", path.into_bytes())
}

/// `path:/abs?rev=...`. A path starting with `//` needs an explicit empty authority, or
/// it would read back as a host name.
fn path(attrs: &Attrs) -> ParsedUrl {
    let p = match attrs.get("path") {
        Some(Attr::Str(s)) => s.clone(),
        _ => String::new(),
    };
    let mut url = ParsedUrl::new("path", p.into_bytes());
    if url.path.starts_with(b"//") {
        url.authority = Some(String::new());
    }
    copy_to_query(&mut url, attrs, &["rev", "narHash", "revCount", "lastModified"]);
    url
}

/// Git, Mercurial, tarball and file inputs: the stored `url` with the input's own
/// parameters added back. `prefix` is the scheme prefix the type needs (`git+https`;
/// plain `git://` stays as is), and all flags are written, also `allRefs` and false ones.
fn with_url_attr(attrs: &Attrs, prefix: &str, keys: &[&str]) -> ParsedUrl {
    let stored = match attrs.get("url") {
        Some(Attr::Str(s)) => s.as_str(),
        _ => "",
    };
    let mut url = parse_url(stored, &mut Vec::new()).unwrap_or_else(|_| ParsedUrl::new(prefix, Vec::new()));
    if !(prefix.is_empty() || prefix == "git" && url.scheme == "git") {
        url.scheme = format!("{prefix}+{}", url.scheme);
    }
    copy_to_query(&mut url, attrs, keys);
    if prefix == "git" {
        copy_to_query(&mut url, attrs, &["shallow", "submodules", "exportIgnore", "allRefs"]);
    }
    url
}
