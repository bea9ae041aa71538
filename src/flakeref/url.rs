//! Nix 2.26's URL model (`src/libutil/url.cc`, `url-parts.hh`), re-implemented by hand.
//!
//! Nix parses URLs with one big `std::regex`; what matters for us is which strings that
//! regex accepts and how it splits them, so every function here names the regex fragment
//! it stands for. Decoded parts are bytes (`Vec<u8>`): `%FF` is legal and need not be
//! UTF-8; the caller decides what to do about that.

use std::collections::BTreeMap;

/// A URL as Nix's `ParsedURL`: the path and query values are percent-decoded, query keys
/// are kept raw (Nix does not decode them), and the query is a sorted map like `std::map`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParsedUrl {
    pub scheme: String,
    pub authority: Option<String>,
    pub path: Vec<u8>,
    pub query: BTreeMap<String, Vec<u8>>,
    pub fragment: Vec<u8>,
}

/// Query oddities Nix tolerates silently (it only warns or drops them); glix turns them
/// into errors, so the parser reports them instead of hiding them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum QueryNote {
    /// `?foo` without `=`: Nix warns "dubious URI query" and ignores it.
    NoEquals(String),
    /// `?ref=a&ref=b`: `std::map::emplace` keeps the first and drops the rest.
    Duplicate(String),
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_subdelim(b: u8) -> bool {
    matches!(b, b'!' | b'$' | b'&' | b'\'' | b'"' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

/// True when `s` is a sequence of `unreserved | pctEncoded | subdelims | extra`.
fn all_chars(s: &[u8], extra: &[u8]) -> bool {
    first_bad(s, extra).is_none()
}

/// Where `s` stops being a sequence of `unreserved | pctEncoded | subdelims | extra`.
fn first_bad(s: &[u8], extra: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'%' {
            if i + 2 < s.len() && s[i + 1].is_ascii_hexdigit() && s[i + 2].is_ascii_hexdigit() {
                i += 3;
                continue;
            }
            return Some(i);
        }
        if !(is_unreserved(b) || is_subdelim(b) || extra.contains(&b)) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// "the ?query contains ' ', which ..." for the first character of `s` outside the class.
fn bad_char(part: &str, s: &[u8], extra: &[u8]) -> UrlError {
    let Some(i) = first_bad(s, extra) else {
        return format!("the {part} is not valid");
    };
    let c = String::from_utf8_lossy(&s[i..]).chars().next().unwrap_or('?');
    let shown = match c {
        '%' => return format!("the {part} has a '%' without two hex digits after it"),
        ' ' => "a space".to_string(),
        '[' | ']' => format!("'{c}' (allowed only around an IPv6 address: //[::1]/...)"),
        c if c.is_control() => format!("the control character {}", c.escape_default()),
        c => format!("'{c}'"),
    };
    format!("the {part} contains {shown}, which a URL cannot hold (percent-encode it, e.g. %20 for a space)")
}

/// `pchar` (and `/`): what a path may hold. `segment(/segment)*/?` accepts exactly the
/// strings over this alphabet, because segments may be empty.
fn is_path(s: &[u8]) -> bool {
    all_chars(s, b":@/")
}

/// `queryRegex`: `(pchar | [/? "])*`.
fn is_query(s: &[u8]) -> bool {
    all_chars(s, b":@/? \"")
}

/// `fragmentRegex`: `(pchar | [/? "^])*`.
pub(crate) fn is_fragment(s: &[u8]) -> bool {
    all_chars(s, b":@/? \"^")
}

/// `schemeNameRegex`: `[a-z][a-z0-9+.-]*`.
pub(crate) fn is_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && b[0].is_ascii_lowercase() && b[1..].iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'+' | b'.' | b'-'))
}

/// `ipv6AddressSegmentRegex`: `[0-9a-fA-F:]+(%\w+)?`.
fn is_ipv6_segment(s: &[u8]) -> bool {
    let (addr, zone) = match s.iter().position(|&b| b == b'%') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let addr_ok = !addr.is_empty() && addr.iter().all(|&b| b.is_ascii_hexdigit() || b == b':');
    let zone_ok = zone.is_none_or(|z| !z.is_empty() && z.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_'));
    addr_ok && zone_ok
}

/// `hostRegex`: `\[ipv6\] | ipv6 | (unreserved | pct | subdelims)*`.
fn is_host(s: &[u8]) -> bool {
    if s.len() >= 2 && s[0] == b'[' && s[s.len() - 1] == b']' && is_ipv6_segment(&s[1..s.len() - 1]) {
        return true;
    }
    is_ipv6_segment(s) || all_chars(s, b"")
}

/// `host(:[0-9]+)?`. A port can only start at the last `:` (digits contain no `:`), so
/// there are just two ways to split; the regex engine would try both, and so do we.
fn is_host_port(s: &[u8]) -> bool {
    if is_host(s) {
        return true;
    }
    match s.iter().rposition(|&b| b == b':') {
        Some(i) => {
            let port = &s[i + 1..];
            !port.is_empty() && port.iter().all(u8::is_ascii_digit) && is_host(&s[..i])
        }
        None => false,
    }
}

/// `authorityRegex`: `(user@)?host(:port)?`. The user part cannot contain `@`, and
/// neither can the host, so an authority holds at most one `@`.
pub(crate) fn is_authority(s: &str) -> bool {
    let b = s.as_bytes();
    match b.iter().position(|&c| c == b'@') {
        Some(i) => all_chars(&b[..i], b":") && is_host_port(&b[i + 1..]),
        None => is_host_port(b),
    }
}

/// The host of an authority as `is_authority` splits it (no user, no port, no brackets
/// removed); empty when there is none.
pub(crate) fn authority_host(authority: &str) -> &str {
    let rest = match authority.find('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    if is_host(rest.as_bytes()) {
        return rest;
    }
    match rest.rfind(':') {
        Some(i) => &rest[..i],
        None => rest,
    }
}

/// `percentDecode`, including what `std::stoul(two chars, 0, 16)` does with input that
/// the URL regex did not validate first (only bare paths reach it that way): leading
/// whitespace and a sign are skipped, `0x` is a prefix, and parsing stops at the first
/// non-hex character. A `%` with fewer than two characters after it is an error.
pub(crate) fn percent_decode(s: &[u8]) -> Result<Vec<u8>, ()> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if i + 2 >= s.len() {
                return Err(());
            }
            out.push(stoul_hex2(&s[i + 1..i + 3])?);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// `std::stoul` in base 16 on exactly two bytes, truncated to a byte like Nix's
/// `decoded += std::stoul(...)` does.
fn stoul_hex2(t: &[u8]) -> Result<u8, ()> {
    let mut i = 0;
    while i < t.len() && matches!(t[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut negative = false;
    if i < t.len() && (t[i] == b'+' || t[i] == b'-') {
        negative = t[i] == b'-';
        i += 1;
    }
    // A "0x" prefix needs a hex digit after it, which two bytes cannot hold: "0x"
    // parses as the "0" alone, which the digit loop below already does.
    let mut value: u64 = 0;
    let mut digits = 0;
    while i < t.len() && t[i].is_ascii_hexdigit() {
        value = value * 16 + (t[i] as char).to_digit(16).unwrap_or(0) as u64;
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return Err(());
    }
    let v = if negative { value.wrapping_neg() } else { value };
    Ok(v as u8)
}

/// `decodeQuery`: split on `&` (empty pieces vanish), keep the first value per key,
/// decode values but not keys.
pub(crate) fn decode_query(q: &[u8], notes: &mut Vec<QueryNote>) -> Result<BTreeMap<String, Vec<u8>>, ()> {
    let mut map = BTreeMap::new();
    for piece in q.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let Some(eq) = piece.iter().position(|&b| b == b'=') else {
            notes.push(QueryNote::NoEquals(String::from_utf8_lossy(piece).into_owned()));
            continue;
        };
        // Keys are substrings of a &str split at ASCII bytes, so they are valid UTF-8.
        let key = String::from_utf8_lossy(&piece[..eq]).into_owned();
        let value = percent_decode(&piece[eq + 1..])?;
        match map.entry(key) {
            std::collections::btree_map::Entry::Occupied(e) => notes.push(QueryNote::Duplicate(e.key().clone())),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(value);
            }
        }
    }
    Ok(map)
}

/// Why `parse_url` failed, for error messages.
pub(crate) type UrlError = String;

/// `parseURL`: `scheme:(//authority absPath | /?path)(?query)?(#fragment)?`.
pub(crate) fn parse_url(s: &str, notes: &mut Vec<QueryNote>) -> Result<ParsedUrl, UrlError> {
    let colon = s.find(':').ok_or("it has no scheme")?;
    let scheme = &s[..colon];
    if !is_scheme(scheme) {
        return Err(format!("the scheme '{scheme}' is not of the form [a-z][a-z0-9+.-]*"));
    }
    let rest = &s.as_bytes()[colon + 1..];

    // Neither path nor query may contain '#', and the path may not contain '?', so the
    // first '#' and the first '?' before it are where the regex must split.
    let (before_hash, fragment) = match rest.iter().position(|&b| b == b'#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (path_part, query) = match before_hash.iter().position(|&b| b == b'?') {
        Some(i) => (&before_hash[..i], Some(&before_hash[i + 1..])),
        None => (before_hash, None),
    };
    if let Some(f) = fragment.filter(|f| !is_fragment(f)) {
        return Err(bad_char("#fragment", f, b":@/? \"^"));
    }
    if let Some(q) = query.filter(|q| !is_query(q)) {
        return Err(bad_char("?query", q, b":@/? \""));
    }

    let (authority, path) = split_authority(path_part)?;

    let mut url = ParsedUrl {
        scheme: scheme.to_string(),
        authority,
        path: percent_decode(path).map_err(|_| "bad percent-encoding in the path")?,
        query: decode_query(query.unwrap_or(b""), notes).map_err(|_| "bad percent-encoding in the ?query")?,
        fragment: percent_decode(fragment.unwrap_or(b"")).map_err(|_| "bad percent-encoding in the #fragment")?,
    };

    let transport_is_file = split_scheme(&url.scheme).1 == "file";
    if transport_is_file && url.authority.as_deref().is_some_and(|a| !a.is_empty()) {
        return Err("a file URL cannot name a host (write file:///absolute/path)".into());
    }
    if transport_is_file && url.path.is_empty() {
        url.path = b"/".to_vec();
    }
    Ok(url)
}

/// The first alternative (`//authority absPath`) wins when it matches; otherwise the
/// whole thing must be a plain path (which may itself start with `//`).
fn split_authority(p: &[u8]) -> Result<(Option<String>, &[u8]), UrlError> {
    if let Some(after) = p.strip_prefix(b"//") {
        let end = after.iter().position(|&b| b == b'/').unwrap_or(after.len());
        let (auth, abs_path) = after.split_at(end);
        // `auth` is ASCII whenever it is a valid authority.
        if let Ok(auth) = std::str::from_utf8(auth) {
            if is_authority(auth) && is_path(abs_path) {
                return Ok((Some(auth.to_string()), abs_path));
            }
        }
    }
    if is_path(p) {
        Ok((None, p))
    } else {
        Err(bad_char("path", p, b":@/"))
    }
}

/// `parseUrlScheme`: `tarball+https` is (Some("tarball"), "https"); `https` is (None, "https").
pub(crate) fn split_scheme(scheme: &str) -> (Option<&str>, &str) {
    match scheme.split_once('+') {
        Some((app, transport)) => (Some(app), transport),
        None => (None, scheme),
    }
}

/// `percentEncode`: keep unreserved characters and `keep`, encode the rest as `%XX`.
/// A NUL stays raw: Nix tests `strchr("-._~", c)`, which finds the string's terminator.
/// (Nix then either fails to re-parse the URL or cuts the string at the NUL; glix refuses
/// control characters anyway, but the re-implementation has to get this right first.)
pub(crate) fn percent_encode(s: &[u8], keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if is_unreserved(b) || keep.contains(&b) || b == 0 {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ParsedUrl {
    /// `ParsedURL::to_string`.
    pub(crate) fn to_url_string(&self) -> String {
        let mut s = format!("{}:", self.scheme);
        if let Some(a) = &self.authority {
            s.push_str("//");
            s.push_str(a);
        }
        s.push_str(&percent_encode(&self.path, b":@/"));
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(&encode_query(&self.query));
        }
        if !self.fragment.is_empty() {
            s.push('#');
            s.push_str(&percent_encode(&self.fragment, b""));
        }
        s
    }
}

/// `encodeQuery`: keys and values are both encoded, keeping `:@/?`.
pub(crate) fn encode_query(q: &BTreeMap<String, Vec<u8>>) -> String {
    q.iter().map(|(k, v)| format!("{}={}", percent_encode(k.as_bytes(), b":@/?"), percent_encode(v, b":@/?"))).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ParsedUrl, UrlError> {
        parse_url(s, &mut Vec::new())
    }

    #[test]
    fn authority_needs_a_valid_host() {
        let u = parse("https://user@example.com:8080/a%20b?x=1#f").unwrap();
        assert_eq!(u.authority.as_deref(), Some("user@example.com:8080"));
        assert_eq!(u.path, b"/a b");
        assert_eq!(u.query.get("x").map(Vec::as_slice), Some(&b"1"[..]));
        // Two '@' cannot be an authority, so the whole thing becomes a path.
        let u = parse("https://a@b@c/x").unwrap();
        assert_eq!(u.authority, None);
        assert_eq!(u.path, b"//a@b@c/x");
    }

    #[test]
    fn file_urls_get_a_root_path_and_no_host() {
        assert_eq!(parse("file://").unwrap().path, b"/");
        assert!(parse("file://host/x").is_err());
        assert!(parse("git+file://host/x").is_err());
    }

    #[test]
    fn stoul_quirks() {
        assert_eq!(percent_decode(b"%41").unwrap(), b"A");
        assert_eq!(percent_decode(b"% 1").unwrap(), b"\x01");
        assert_eq!(percent_decode(b"%1z").unwrap(), b"\x01");
        assert_eq!(percent_decode(b"%-1").unwrap(), b"\xff");
        assert!(percent_decode(b"%zz").is_err());
        assert!(percent_decode(b"%4").is_err());
    }

    #[test]
    fn host_port_split() {
        assert_eq!(authority_host("git@example.com:22"), "example.com");
        assert_eq!(authority_host("[::1]:22"), "[::1]");
        assert!(is_authority("[fe80::1%eth0]:80"));
        assert!(!is_authority("a@b@c"));
        assert!(!is_authority("host:port"));
    }
}
