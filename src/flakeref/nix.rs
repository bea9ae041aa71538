//! A faithful re-implementation of Nix 2.26's `builtins.parseFlakeRef`
//! (`parseFlakeRef(url, baseDir = {}, allowMissing = true, isFlake = true)` in
//! `src/libflake/flake/flakeref.cc` and the input schemes in `src/libfetchers/`).
//!
//! "Faithful" means: same strings accepted, same attributes out, checked against the
//! real Nix by `tests/flakeref_oracle.rs`. glix's own, stricter rules live in
//! `policy.rs`; this file records what it needs for them (see [`Note`]) but never
//! rejects anything Nix accepts.

use std::collections::BTreeMap;

use super::hash::parse_sha1_rev;
use super::url::{decode_query, is_fragment, parse_url, percent_decode, split_scheme, ParsedUrl, QueryNote};
use super::{Attr, Attrs, FlakeRefError};

/// Which of Nix's three parsers took the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// `nixpkgs`, `nixpkgs/nixos-24.05`, `nixpkgs/<rev>`: `parseFlakeIdRef`.
    FlakeId,
    /// `scheme:...`: `parseURLFlakeRef`.
    Url,
    /// Anything else, taken as a file-system path: `parsePathFlakeRefWithFragment`.
    BarePath,
}

/// Things Nix accepts but silently ignores or rewrites. glix refuses them (policy.rs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Note {
    Query(QueryNote),
    /// A parameter this input type ignores (forges and `flake:` ignore unknown ones; tarballs
    /// drop `name`, `unpack` and non-numeric `revCount`/`lastModified`).
    IgnoredParam(String),
    /// `github://host/o/r` or `flake://host/id`: the authority is dropped.
    IgnoredAuthority(String),
    /// A Git flag like `submodules=true`: anything but `1` means false.
    NonBinaryFlag {
        param: String,
        value: String,
    },
    /// `fixGitURL` changed the Git URL (scp-like `user@host:path`, or no `://`).
    RewrittenUrl {
        from: String,
        to: String,
    },
    /// A forge's commit hash as written, which Nix 2.26 converted to 40 lower-case hex
    /// digits (upper case, `sha1:`, base-64); Nix ≥ 2.33 keeps it as written.
    ConvertedRev(String),
}

/// The result of parsing like Nix, plus what glix's policy needs to know.
#[derive(Clone, Debug)]
pub(crate) struct NixParse {
    pub attrs: Attrs,
    pub form: Form,
    pub notes: Vec<Note>,
}

/// Attributes while parsing: strings are bytes until the end, because percent-decoding
/// can produce anything (Nix strings are byte strings).
type RawAttrs = BTreeMap<String, RawAttr>;

#[derive(Clone, Debug)]
enum RawAttr {
    Str(Vec<u8>),
    Int(u64),
    Bool(bool),
}

fn s(v: impl Into<Vec<u8>>) -> RawAttr {
    RawAttr::Str(v.into())
}

/// What every rejection needs to build a message.
struct Ctx<'a> {
    input: &'a str,
}

impl Ctx<'_> {
    fn invalid(&self, reason: impl Into<String>) -> FlakeRefError {
        FlakeRefError::Invalid { input: super::shown(self.input), reason: reason.into() }
    }
}

/// `parseFlakeRef` with no base directory, as `builtins.parseFlakeRef` calls it.
pub(crate) fn parse(input: &str) -> Result<NixParse, FlakeRefError> {
    let cx = Ctx { input };
    let mut notes = Vec::new();
    // parseFlakeRefWithFragment tries the three parsers in this order. Strings starting
    // with '/' can be neither flake IDs nor URLs; everything else that fails as an ID and
    // as a URL falls through to the path parser, which then fails as "not absolute".
    let (form, raw, fragment) = if input.starts_with('/') {
        let (raw, fragment) = parse_bare_path(&cx, input, &mut notes)?;
        (Form::BarePath, raw, fragment)
    } else if let Some(res) = parse_flake_id(&cx, input) {
        let (raw, fragment) = res?;
        (Form::FlakeId, raw, fragment)
    } else if input.is_empty() {
        return Err(FlakeRefError::Empty);
    } else if !input.contains(':') {
        return Err(FlakeRefError::NotAbsolute { input: super::shown(input) });
    } else {
        let (raw, fragment) = parse_url_ref(&cx, input, &mut notes)?;
        (Form::Url, raw, fragment)
    };
    if !fragment.is_empty() {
        return Err(FlakeRefError::Fragment { input: super::shown(input), fragment: super::shown(&String::from_utf8_lossy(&fragment)) });
    }
    Ok(NixParse { attrs: finish(raw)?, form, notes })
}

/// Raw attributes to final ones. Nix would happily carry invalid UTF-8 (and its JSON
/// printer then fails); glix strings are UTF-8, so that is an error here.
fn finish(raw: RawAttrs) -> Result<Attrs, FlakeRefError> {
    raw.into_iter()
        .map(|(k, v)| {
            let v = match v {
                RawAttr::Str(b) => Attr::Str(String::from_utf8(b).map_err(|_| FlakeRefError::NotUtf8 { attr: k.clone() })?),
                RawAttr::Int(n) => Attr::Int(n),
                RawAttr::Bool(b) => Attr::Bool(b),
            };
            Ok((k, v))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The three front ends.

/// `parseFlakeIdRef`: `flakeId(/refAndOrRev)?(#fragment)?`. `None` when the regex does
/// not match (the next parser gets a go); `Some(Err)` when it matches but the indirect
/// scheme then refuses it (Nix does not fall through in that case).
fn parse_flake_id(cx: &Ctx, input: &str) -> Option<Result<(RawAttrs, Vec<u8>), FlakeRefError>> {
    let (main, fragment) = match input.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (input, None),
    };
    let (id, rest) = match main.split_once('/') {
        Some((i, r)) => (i, Some(r)),
        None => (main, None),
    };
    // `refAndOrRevRegex` accepts exactly what `refRegex` accepts: a rev is a ref-shaped
    // string, and so is `ref/rev`.
    let matches = is_flake_id(id) && rest.is_none_or(|r| is_ref(r.as_bytes())) && fragment.is_none_or(|f| is_fragment(f.as_bytes()));
    if !matches {
        return None;
    }
    let fragment = percent_decode(fragment.unwrap_or("").as_bytes()).unwrap_or_default();
    let url = ParsedUrl { scheme: "flake".into(), authority: None, path: main.as_bytes().to_vec(), query: BTreeMap::new(), fragment: Vec::new() };
    Some(indirect(cx, &url, &mut Vec::new()).map(|raw| (raw, fragment)))
}

/// `parseURLFlakeRef`: `parseURL`, take `dir` out of the query, pick the input scheme.
fn parse_url_ref(cx: &Ctx, input: &str, notes: &mut Vec<Note>) -> Result<(RawAttrs, Vec<u8>), FlakeRefError> {
    let mut qnotes = Vec::new();
    let mut url = parse_url(input, &mut qnotes).map_err(|why| cx.invalid(format!("it is not a valid URL: {why}")))?;
    notes.extend(qnotes.into_iter().map(Note::Query));
    let dir = url.query.remove("dir").unwrap_or_default();
    let fragment = std::mem::take(&mut url.fragment);
    let mut raw = input_from_url(cx, &url, notes)?;
    if !dir.is_empty() {
        raw.insert("dir".into(), s(dir));
    }
    Ok((raw, fragment))
}

/// `parsePathFlakeRefWithFragment` without a base directory: `path?query#fragment`, the
/// path taken literally (not percent-decoded) and required to be absolute.
fn parse_bare_path(cx: &Ctx, input: &str, notes: &mut Vec<Note>) -> Result<(RawAttrs, Vec<u8>), FlakeRefError> {
    let b = input.as_bytes();
    let path_end = b.iter().position(|&c| c == b'?' || c == b'#').unwrap_or(b.len());
    let path = &b[..path_end];
    let (query, fragment) = match b.get(path_end) {
        Some(b'?') => {
            let after = &b[path_end + 1..];
            match after.iter().position(|&c| c == b'#') {
                Some(h) => (&after[..h], Some(&after[h + 1..])),
                None => (after, None),
            }
        }
        Some(_) => (&b[..0], Some(&b[path_end + 1..])),
        None => (&b[..0], None),
    };
    // The fragment group is `(.*)`, and `.` does not match line terminators: the regex
    // then fails and Nix 2.26 aborts on `assert(succeeds)`. Report it as invalid.
    if fragment.is_some_and(|f| f.contains(&b'\n') || f.contains(&b'\r')) {
        return Err(cx.invalid("a line break after '#' (Nix 2.26 crashes on this)"));
    }
    let mut qnotes = Vec::new();
    let mut query = decode_query(query, &mut qnotes).map_err(|_| cx.invalid("bad percent-encoding in the ?query"))?;
    notes.extend(qnotes.into_iter().map(Note::Query));
    let fragment = percent_decode(fragment.unwrap_or(b"")).map_err(|_| cx.invalid("bad percent-encoding in the #fragment"))?;
    let dir = query.remove("dir").unwrap_or_default();
    let url = ParsedUrl { scheme: "path".into(), authority: Some(String::new()), path: path.to_vec(), query, fragment: Vec::new() };
    let mut raw = path_input(cx, &url)?;
    if !dir.is_empty() {
        raw.insert("dir".into(), s(dir));
    }
    Ok((raw, fragment))
}

// ---------------------------------------------------------------------------------------
// Input schemes (`Input::fromURL` with requireTree = true).

fn input_from_url(cx: &Ctx, url: &ParsedUrl, notes: &mut Vec<Note>) -> Result<RawAttrs, FlakeRefError> {
    let (app, transport) = split_scheme(&url.scheme);
    let curl_transport = matches!(transport, "file" | "http" | "https");
    match url.scheme.as_str() {
        "github" | "gitlab" | "sourcehut" => git_archive(cx, url, notes),
        "git" | "git+http" | "git+https" | "git+ssh" | "git+file" => git(cx, url, notes),
        "hg+http" | "hg+https" | "hg+ssh" | "hg+file" => mercurial(cx, url),
        "flake" => indirect(cx, url, notes),
        "path" => path_input(cx, url),
        // With requireTree (flakes), a plain http(s)/file URL is always a tarball; the
        // `file` type must be asked for explicitly.
        _ if curl_transport && app == Some("file") => curl(url, "file", notes),
        _ if curl_transport && (app.is_none() || app == Some("tarball")) => curl(url, "tarball", notes),
        _ => Err(FlakeRefError::UnsupportedType { scheme: url.scheme.clone() }),
    }
}

/// `refRegex`: `[a-zA-Z0-9@][a-zA-Z0-9_.\/@+-]*`.
pub(crate) fn is_ref(s: &[u8]) -> bool {
    !s.is_empty() && (s[0].is_ascii_alphanumeric() || s[0] == b'@') && s.iter().all(|&b| b.is_ascii_alphanumeric() || b"_./@+-".contains(&b))
}

/// `revRegex`: exactly 40 hex digits.
pub(crate) fn is_rev(s: &[u8]) -> bool {
    s.len() == 40 && s.iter().all(u8::is_ascii_hexdigit)
}

/// `flakeIdRegexS`: `[a-zA-Z][a-zA-Z0-9_-]*`.
fn is_flake_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// `tokenizeString(path, "/")`: empty pieces vanish.
fn segments(path: &[u8]) -> Vec<&[u8]> {
    path.split(|&b| b == b'/').filter(|p| !p.is_empty()).collect()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `GitArchiveInputScheme::inputFromURL` (github, gitlab, sourcehut).
fn git_archive(cx: &Ctx, url: &ParsedUrl, notes: &mut Vec<Note>) -> Result<RawAttrs, FlakeRefError> {
    if let Some(a) = &url.authority {
        notes.push(Note::IgnoredAuthority(a.clone()));
    }
    let path = segments(&url.path);
    let mut rev: Option<String> = None;
    let mut git_ref: Option<Vec<u8>> = None;
    let mut host: Option<Vec<u8>> = None;
    match path.len() {
        0 | 1 => return Err(cx.invalid(format!("a {} reference needs an owner and a repository, like {}:owner/repo", url.scheme, url.scheme))),
        2 => {}
        3 if is_rev(path[2]) => {
            let r: String = path[2].to_ascii_lowercase().iter().map(|&b| b as char).collect();
            if r.as_bytes() != path[2] {
                notes.push(Note::ConvertedRev(lossy(path[2])));
            }
            rev = Some(r);
        }
        3 if is_ref(path[2]) => git_ref = Some(path[2].to_vec()),
        3 => return Err(cx.invalid(format!("'{}' is not a commit hash or branch/tag name", lossy(path[2])))),
        _ => {
            let rs = path[2..].join(&b'/');
            if !is_ref(&rs) {
                return Err(cx.invalid(format!("'{}' is not a branch/tag name", lossy(&rs))));
            }
            git_ref = Some(rs);
        }
    }
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" => {
                if rev.is_some() {
                    return Err(cx.invalid("it contains two commit hashes"));
                }
                let r = parse_sha1_rev(value).map_err(|why| cx.invalid(format!("rev '{}' is not a commit hash: {why}", lossy(value))))?;
                if r.as_bytes() != value.as_slice() {
                    notes.push(Note::ConvertedRev(lossy(value)));
                }
                rev = Some(r);
            }
            "ref" => {
                if !is_ref(value) {
                    return Err(cx.invalid(format!("ref '{}' is not a valid branch/tag name", lossy(value))));
                }
                if git_ref.is_some() {
                    return Err(cx.invalid("it contains two branch/tag names"));
                }
                git_ref = Some(value.clone());
            }
            "host" => {
                if !value.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
                    return Err(cx.invalid(format!("host '{}' is not a host name", lossy(value))));
                }
                host = Some(value.clone());
            }
            "narHash" => {}
            _ => notes.push(Note::IgnoredParam(name.clone())),
        }
    }
    if rev.is_some() && git_ref.is_some() {
        return Err(cx.invalid("it contains both a commit hash and a branch/tag name; give one"));
    }
    let mut a = RawAttrs::new();
    a.insert("type".into(), s(url.scheme.as_str()));
    a.insert("owner".into(), s(path[0]));
    a.insert("repo".into(), s(path[1]));
    if let Some(r) = rev {
        a.insert("rev".into(), s(r));
    }
    if let Some(r) = git_ref {
        a.insert("ref".into(), s(r));
    }
    if let Some(h) = host {
        a.insert("host".into(), s(h));
    }
    if let Some(h) = url.query.get("narHash") {
        a.insert("narHash".into(), s(h.clone()));
    }
    Ok(a)
}

/// `IndirectInputScheme::inputFromURL`: `id`, `id/ref`, `id/rev`, `id/ref/rev`.
fn indirect(cx: &Ctx, url: &ParsedUrl, notes: &mut Vec<Note>) -> Result<RawAttrs, FlakeRefError> {
    if let Some(a) = &url.authority {
        notes.push(Note::IgnoredAuthority(a.clone()));
    }
    // Only `dir` means something for a `flake:` URL, and it was taken out already.
    notes.extend(url.query.keys().map(|k| Note::IgnoredParam(k.clone())));
    let path = segments(&url.path);
    let (mut rev, mut git_ref) = (None, None);
    match path.len() {
        1 => {}
        2 if is_rev(path[1]) => rev = Some(path[1]),
        2 if is_ref(path[1]) => git_ref = Some(path[1]),
        2 => return Err(cx.invalid(format!("'{}' is not a commit hash or branch/tag name", lossy(path[1])))),
        3 => {
            if !is_ref(path[1]) {
                return Err(cx.invalid(format!("'{}' is not a branch/tag name", lossy(path[1]))));
            }
            if !is_rev(path[2]) {
                return Err(cx.invalid(format!("'{}' is not a commit hash", lossy(path[2]))));
            }
            git_ref = Some(path[1]);
            rev = Some(path[2]);
        }
        _ => return Err(cx.invalid("a flake registry reference is id, id/ref, id/rev or id/ref/rev")),
    }
    let id = std::str::from_utf8(path[0]).ok().filter(|id| is_flake_id(id));
    let Some(id) = id else {
        return Err(cx.invalid(format!("'{}' is not a valid flake registry name ([a-zA-Z][a-zA-Z0-9_-]*)", lossy(path[0]))));
    };
    let mut a = RawAttrs::new();
    a.insert("type".into(), s("indirect"));
    a.insert("id".into(), s(id));
    if let Some(r) = rev {
        a.insert("rev".into(), s(r.to_ascii_lowercase()));
    }
    if let Some(r) = git_ref {
        a.insert("ref".into(), s(r));
    }
    Ok(a)
}

/// `PathInputScheme::inputFromURL`.
fn path_input(cx: &Ctx, url: &ParsedUrl) -> Result<RawAttrs, FlakeRefError> {
    if url.authority.as_deref().is_some_and(|a| !a.is_empty()) {
        return Err(cx.invalid("a path: reference cannot name a host (write path:/absolute/path)"));
    }
    let mut a = RawAttrs::new();
    a.insert("type".into(), s("path"));
    a.insert("path".into(), s(url.path.clone()));
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" | "narHash" => {
                a.insert(name.clone(), s(value.clone()));
            }
            "revCount" | "lastModified" => {
                let n = string_to_u64(value).ok_or_else(|| cx.invalid(format!("{name} '{}' is not a number", lossy(value))))?;
                a.insert(name.clone(), RawAttr::Int(n));
            }
            _ => return Err(cx.invalid(format!("path: references take no parameter '{name}' (only dir, rev, narHash, revCount, lastModified)"))),
        }
    }
    Ok(a)
}

/// `string2Int<uint64_t>`: Nix refuses a leading '-', then `boost::lexical_cast`
/// accepts an optional '+' and decimal digits that fit.
fn string_to_u64(v: &[u8]) -> Option<u64> {
    let digits = v.strip_prefix(b"+").unwrap_or(v);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Git flags that take `1` for true and anything else for false.
const GIT_FLAGS: [&str; 5] = ["shallow", "submodules", "exportIgnore", "allRefs", "verifyCommit"];

/// `GitInputScheme::inputFromURL` + `inputFromAttrs`.
fn git(cx: &Ctx, url: &ParsedUrl, notes: &mut Vec<Note>) -> Result<RawAttrs, FlakeRefError> {
    let mut url2 = url.clone();
    if let Some(t) = url2.scheme.strip_prefix("git+") {
        url2.scheme = t.to_string();
    }
    url2.query.clear();
    let mut a = RawAttrs::new();
    a.insert("type".into(), s("git"));
    for (name, value) in &url.query {
        match name.as_str() {
            "rev" | "ref" | "keytype" | "publicKey" | "publicKeys" => {
                a.insert(name.clone(), s(value.clone()));
            }
            n if GIT_FLAGS.contains(&n) => {
                if value != b"0" && value != b"1" {
                    notes.push(Note::NonBinaryFlag { param: name.clone(), value: lossy(value) });
                }
                a.insert(name.clone(), RawAttr::Bool(value == b"1"));
            }
            _ => {
                url2.query.insert(name.clone(), value.clone());
            }
        }
    }
    if let Some(k) = ["verifyCommit", "keytype", "publicKey", "publicKeys"].iter().find(|k| a.contains_key(**k)) {
        return Err(cx.invalid(format!("'{k}' needs the experimental Nix feature 'verified-fetches', which glix does not enable")));
    }
    if let Some(RawAttr::Str(r)) = a.get("ref") {
        if is_bad_git_ref(r) {
            return Err(cx.invalid(format!("'{}' is not a valid Git branch/tag name", lossy(r))));
        }
    }
    let written = url2.to_url_string();
    let fixed = fix_git_url(&written);
    if fixed != written {
        notes.push(Note::RewrittenUrl { from: written, to: fixed.clone() });
    }
    parse_url(&fixed, &mut Vec::new()).map_err(|why| cx.invalid(format!("the Git URL '{fixed}' is not valid: {why}")))?;
    a.insert("url".into(), s(fixed));
    Ok(a)
}

/// `badGitRefRegexS`, searched anywhere in the ref (git-check-ref-format, roughly).
fn is_bad_git_ref(r: &[u8]) -> bool {
    let has = |needle: &[u8]| r.windows(needle.len()).any(|w| w == needle);
    r.is_empty()
        || r == b"@"
        || has(b"//")
        || r.starts_with(b".")
        || r.starts_with(b"/")
        || has(b"/.")
        || has(b"..")
        || r.iter().any(|&b| b < 0x20 || b == 0x7f || b" :?^~[\\*".contains(&b) || (0x09..=0x0d).contains(&b))
        || r.ends_with(b".lock")
        || has(b".lock/")
        || has(b"@{")
        || r.ends_with(b"/")
        || r.ends_with(b".")
}

/// `fixGitURL`: scp-like `user@host:path` becomes `ssh://user@host/path`; a string
/// without `://` becomes a `file://` URL.
fn fix_git_url(url: &str) -> String {
    if !url.starts_with('/') {
        if let Some((user, host, path)) = scp_match(url) {
            return format!("ssh://{user}@{host}/{path}");
        }
    }
    if url.starts_with("file:") || url.contains("://") {
        return url.to_string();
    }
    ParsedUrl { scheme: "file".into(), authority: Some(String::new()), path: url.as_bytes().to_vec(), query: BTreeMap::new(), fragment: Vec::new() }
        .to_url_string()
}

/// `([^/]*)@(.*):(.*)` as a full match with ECMAScript backtracking: the first group is
/// as long as possible, so it ends at the last '@' before the first '/' that still has a
/// ':' after it; the second group runs to the last ':'.
fn scp_match(url: &str) -> Option<(&str, &str, &str)> {
    if url.contains(['\n', '\r']) {
        return None; // `.` does not match line terminators; to_string never emits them
    }
    let first_slash = url.find('/').unwrap_or(url.len());
    let at = url[..first_slash].char_indices().filter(|&(i, c)| c == '@' && url[i + 1..].contains(':')).map(|(i, _)| i).next_back()?;
    let rest = &url[at + 1..];
    let colon = rest.rfind(':')?;
    Some((&url[..at], &rest[..colon], &rest[colon + 1..]))
}

/// `MercurialInputScheme::inputFromURL` + `inputFromAttrs`.
fn mercurial(cx: &Ctx, url: &ParsedUrl) -> Result<RawAttrs, FlakeRefError> {
    let mut url2 = url.clone();
    url2.scheme = url2.scheme["hg+".len()..].to_string();
    url2.query.clear();
    let mut a = RawAttrs::new();
    a.insert("type".into(), s("hg"));
    for (name, value) in &url.query {
        if name == "rev" || name == "ref" {
            a.insert(name.clone(), s(value.clone()));
        } else {
            url2.query.insert(name.clone(), value.clone());
        }
    }
    let url_s = url2.to_url_string();
    parse_url(&url_s, &mut Vec::new()).map_err(|why| cx.invalid(format!("the Mercurial URL '{url_s}' is not valid: {why}")))?;
    if let Some(RawAttr::Str(r)) = a.get("ref") {
        if !is_ref(r) {
            return Err(cx.invalid(format!("'{}' is not a valid Mercurial branch/tag name", lossy(r))));
        }
    }
    a.insert("url".into(), s(url_s));
    Ok(a)
}

/// `CurlInputScheme::inputFromURL` (the `tarball` and `file` types).
fn curl(url: &ParsedUrl, kind: &str, notes: &mut Vec<Note>) -> Result<RawAttrs, FlakeRefError> {
    let mut url2 = url.clone();
    url2.scheme = split_scheme(&url.scheme).1.to_string();
    let mut a = RawAttrs::new();
    if let Some(h) = url.query.get("narHash") {
        a.insert("narHash".into(), s(h.clone()));
    }
    if let Some(r) = url.query.get("rev") {
        a.insert("rev".into(), s(r.clone()));
    }
    for name in ["revCount", "lastModified"] {
        if let Some(v) = url.query.get(name) {
            match string_to_u64(v) {
                Some(n) => {
                    a.insert(name.into(), RawAttr::Int(n));
                }
                None => notes.push(Note::IgnoredParam(name.into())),
            }
        }
    }
    // These are Nix's own parameters, not part of the HTTP request; `name` and `unpack`
    // are removed without being used.
    for name in ["type", "url", "narHash", "name", "unpack", "rev", "revCount", "lastModified"] {
        if url2.query.remove(name).is_some() && matches!(name, "type" | "url" | "name" | "unpack") {
            notes.push(Note::IgnoredParam(name.into()));
        }
    }
    a.insert("type".into(), s(kind));
    a.insert("url".into(), s(url2.to_url_string()));
    Ok(a)
}
