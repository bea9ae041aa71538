//! glix's own rules on top of what Nix accepts. Each check here refuses a reference that
//! `builtins.parseFlakeRef` accepts; the module documentation of `flakeref` lists the
//! classes and why.

use super::hash::check_sri_sha256;
use super::nix::{is_rev, Form, NixParse, Note};
use super::portable::{authority_problem, encoded_slash_problem, git_ref_problem};
use super::url::{authority_host, parse_url, split_scheme, QueryNote};
use super::{shown, Attr, FlakeRefError};

pub(crate) fn check(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    if p.form == Form::BarePath {
        return Err(FlakeRefError::BarePath { input: shown(input) });
    }
    check_unsafe(input, input)?;
    for value in p.attrs.values() {
        if let Attr::Str(v) = value {
            check_unsafe(input, v)?;
        }
    }
    check_notes(input, p)?;
    check_encoded_slash(input, p)?;
    check_location(input, p)?;
    check_git_ref(input, p)?;
    check_forge_rev(input, p)?;
    check_hashes(input, p)
}

/// A `%2F` in the path, which Nix 2.33 and later read differently (see `portable`).
fn check_encoded_slash(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    if p.form != Form::Url {
        return Ok(());
    }
    match encoded_slash_problem(input, matches!(kind(p), "github" | "gitlab" | "sourcehut")) {
        Some(what) => Err(FlakeRefError::NotPortable {
            input: shown(input),
            what,
            hint: "write '/' where a '/' is meant (an owner or repository name cannot contain one)".into(),
        }),
        None => Ok(()),
    }
}

/// A forge's commit hash that Nix 2.26 converts and Nix ≥ 2.33 keeps as written.
fn check_forge_rev(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    match p.notes.iter().find_map(|n| match n {
        Note::ConvertedRev(rev) => Some(rev),
        _ => None,
    }) {
        Some(rev) => Err(FlakeRefError::NotPortable {
            input: shown(input),
            what: format!("the commit hash '{rev}' is not 40 lower-case hex digits: Nix 2.33 and later keep it as written, earlier versions convert it"),
            hint: "write the 40-digit commit hash in lower case".into(),
        }),
        None => Ok(()),
    }
}

/// Refuses text that would be dangerous in a Nix string literal even before escaping, or
/// that would break a one-line file format: `"`, `\`, `${`, control characters.
fn check_unsafe(input: &str, text: &str) -> Result<(), FlakeRefError> {
    let what = if text.contains('"') {
        "a double quote (\")".to_string()
    } else if text.contains('\\') {
        "a backslash (\\)".to_string()
    } else if text.contains("${") {
        "'${' (Nix string interpolation)".to_string()
    } else if let Some(c) = text.chars().find(|c| c.is_control()) {
        format!("a control character (U+{:04X})", c as u32)
    } else {
        return Ok(());
    };
    Err(FlakeRefError::UnsafeCharacter { input: shown(input), what })
}

fn check_notes(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    let kind = kind(p);
    let supported = match kind {
        "github" | "gitlab" | "sourcehut" => "dir, ref, rev, host, narHash",
        "indirect" => "dir",
        "tarball" | "file" => "dir, rev, revCount, lastModified, narHash and the URL's own parameters",
        _ => "dir and the parameters of the input type",
    };
    let describe = |note: &Note| -> Option<(String, String)> {
        Some(match note {
            Note::Query(QueryNote::NoEquals(p)) => (format!("parameter '{p}' (no '=')"), "write name=value".to_string()),
            Note::Query(QueryNote::Duplicate(p)) => (format!("the second '{p}' parameter"), "give each parameter once".to_string()),
            Note::IgnoredParam(p) => (format!("parameter '{p}'"), format!("{kind} references support {supported}")),
            Note::IgnoredAuthority(a) => (
                format!("the host part '//{a}'"),
                if kind == "indirect" { "write flake:name".to_string() } else { format!("write {kind}:owner/repo (for another host, add ?host=...)") },
            ),
            Note::NonBinaryFlag { param, value } => (format!("{param}={value} (only 1 means true)"), format!("write {param}=1 or {param}=0")),
            // Not ignored but changed: check_location reports it.
            Note::RewrittenUrl { .. } => return None,
            // Converted, not ignored: check_forge_rev reports it.
            Note::ConvertedRev(_) => return None,
        })
    };
    match p.notes.iter().find_map(describe) {
        Some((what, hint)) => Err(FlakeRefError::Ignored { input: shown(input), what, hint }),
        None => Ok(()),
    }
}

fn kind(p: &NixParse) -> &str {
    match p.attrs.get("type") {
        Some(Attr::Str(s)) => s,
        _ => "",
    }
}

fn str_attr<'a>(p: &'a NixParse, key: &str) -> Option<&'a str> {
    match p.attrs.get(key) {
        Some(Attr::Str(s)) => Some(s),
        _ => None,
    }
}

/// Paths must be absolute; URLs must have a host (or, for files, an absolute path) and
/// must come out of Nix the way the user wrote them.
fn check_location(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    let kind = kind(p);
    if kind == "path" {
        return match str_attr(p, "path") {
            Some(path) if path.starts_with('/') => Ok(()),
            _ => Err(FlakeRefError::RelativePath { input: shown(input) }),
        };
    }
    if !matches!(kind, "git" | "hg" | "tarball" | "file") {
        return Ok(());
    }
    let Some(url_attr) = str_attr(p, "url") else {
        return Ok(());
    };
    // The transport the user asked for: git+https -> https, git -> git, tarball+https -> https.
    let scheme = input.split(':').next().unwrap_or("");
    let wanted = if scheme == "git" { "git" } else { split_scheme(scheme).1 };
    let malformed = |reason: String| FlakeRefError::MalformedUrl { input: shown(input), reason, example: example(kind, wanted).into() };
    let url = parse_url(url_attr, &mut Vec::new()).map_err(|why| malformed(format!("Nix turns it into '{url_attr}', which is not a valid URL: {why}")))?;
    if let Some(Note::RewrittenUrl { from, to }) = p.notes.iter().find(|n| matches!(n, Note::RewrittenUrl { .. })) {
        return Err(malformed(format!("Nix would rewrite '{from}' to '{to}'")));
    }
    if url.scheme != wanted {
        return Err(malformed(format!("Nix would rewrite it to '{url_attr}'")));
    }
    if let Some(key) = url.query.keys().find(|k| k.is_empty() || k.contains('%')) {
        return Err(malformed(format!("parameter name '{key}' is empty or contains characters Nix re-encodes")));
    }
    let not_portable = |what: String, hint: &str| FlakeRefError::NotPortable { input: shown(input), what, hint: hint.into() };
    if let Some(what) = url.authority.as_deref().and_then(authority_problem) {
        return Err(not_portable(what, "write the host as letters, digits, '-' and '.', and a port as a number"));
    }
    // Nix 2.26's regex, failing on the authority, falls back to a path; boost::url does not.
    // (For other transports the missing host is reported below.)
    if wanted == "file" && url.authority.is_none() && url.path.starts_with(b"//") {
        let what = format!("'{url_attr}' has no valid host, and Nix 2.31 and later read what follows '//' as one");
        return Err(not_portable(what, "a file URL names no host: write git+file:///absolute/path"));
    }
    if wanted == "file" {
        if !url.path.starts_with(b"/") {
            return Err(FlakeRefError::RelativePath { input: shown(input) });
        }
    } else if url.authority.as_deref().is_none_or(|a| authority_host(a).is_empty()) {
        return Err(malformed(format!("'{url_attr}' has no host")));
    }
    Ok(())
}

/// Git's rules for branch and tag names, which Nix ≥ 2.31 enforces and 2.26 does not.
fn check_git_ref(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    if !matches!(kind(p), "git" | "github" | "gitlab" | "sourcehut" | "indirect") {
        return Ok(());
    }
    let Some(reference) = str_attr(p, "ref") else {
        return Ok(());
    };
    match git_ref_problem(reference) {
        Some(why) => Err(FlakeRefError::NotPortable {
            input: shown(input),
            what: format!("'{reference}' is not a Git branch or tag name ({why}), which Nix 2.31 and later refuse"),
            hint: "give the branch or tag as `git check-ref-format --branch` accepts it".into(),
        }),
        None => Ok(()),
    }
}

fn example(kind: &str, transport: &str) -> &'static str {
    match (kind, transport) {
        (_, "file") => "git+file:///absolute/path",
        ("git", "ssh") => "git+ssh://git@example.com/owner/repo.git (a '/' after the host, not ':')",
        ("git", _) => "git+https://example.com/owner/repo.git",
        ("hg", _) => "hg+https://example.com/repo",
        _ => "https://example.com/archive.tar.gz",
    }
}

/// Nix stores these hashes as given and only checks them when fetching; glix checks now.
fn check_hashes(input: &str, p: &NixParse) -> Result<(), FlakeRefError> {
    let bad = |reason: String| FlakeRefError::InvalidHash { input: shown(input), reason };
    if let Some(h) = str_attr(p, "narHash") {
        check_sri_sha256(h).map_err(|why| bad(format!("narHash '{h}' is invalid: {why}")))?;
    }
    // Forges and registry references have their rev checked and normalized by Nix itself.
    if matches!(kind(p), "git" | "hg" | "path" | "tarball" | "file") {
        if let Some(rev) = str_attr(p, "rev") {
            if !is_rev(rev.as_bytes()) {
                return Err(bad(format!("rev '{rev}' is not a commit hash (40 hex digits)")));
            }
        }
    }
    Ok(())
}
