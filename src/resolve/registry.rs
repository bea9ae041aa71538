//! The glix registry: an index document (JSON, see `docs/registry.md`) that maps package
//! names to flake references, read from a `file://` URL or fetched over HTTP(S) with a
//! timeout, a size cap and an on-disk cache.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::flakeref::FlakeRef;
use crate::ident;
use crate::manifest::Scope;

use super::{format_duration, ResolveOptions};

/// The index format version this glix reads.
pub const INDEX_VERSION: u64 = 1;

/// The largest index document glix reads (from a file, the network or the cache).
pub const MAX_INDEX_BYTES: u64 = 16 * 1024 * 1024;

/// One package of the glix registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryEntry {
    /// The name users type (`glix add NAME`); a valid input name.
    pub name: String,
    /// Where the package lives. Usually direct; an indirect reference (`flake:other`) is
    /// followed through the registries when the name is resolved.
    pub flake: FlakeRef,
    /// One line for `glix search`, with control characters replaced by spaces.
    pub description: Option<String>,
    /// The scope `glix add` uses when the user gives none.
    pub scope: Option<Scope>,
    /// The output attribute path, when it is not the scope's default.
    pub output: Option<String>,
}

/// A parsed, validated index document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryIndex {
    /// Keyed by name.
    pub packages: BTreeMap<String, RegistryEntry>,
    /// Entries that were skipped (invalid, or from a newer format), one message each.
    pub warnings: Vec<String>,
}

impl RegistryIndex {
    pub fn get(&self, name: &str) -> Option<&RegistryEntry> {
        self.packages.get(name)
    }

    /// Parses and validates an index document. Errors concern the document as a whole
    /// (not JSON, wrong version, `packages` missing or not an object); an invalid entry is
    /// skipped with a warning instead, so that one bad entry, or an entry using a field
    /// value a newer glix introduced, does not make the whole registry unusable.
    pub fn parse(bytes: &[u8]) -> Result<RegistryIndex, String> {
        if bytes.len() as u64 > MAX_INDEX_BYTES {
            return Err(format!("larger than {}", format_size(MAX_INDEX_BYTES)));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})"))?;
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not a JSON document: {e}"))?;
        let Value::Object(top) = doc else {
            return Err(format!("expected a JSON object with \"version\" and \"packages\", found {}", json_kind(&doc)));
        };
        match top.get("version") {
            None => return Err("missing \"version\" (expected \"version\": 1)".into()),
            Some(Value::Number(n)) if n.as_u64() == Some(INDEX_VERSION) => {}
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v > INDEX_VERSION) => {
                return Err(format!(
                    "index format version {n} is newer than this glix understands \
                     (version {INDEX_VERSION}); upgrade glix"
                ))
            }
            Some(v) => return Err(format!("unsupported \"version\": {} (expected {INDEX_VERSION})", short_json(v))),
        }
        let packages = match top.get("packages") {
            None => return Err("missing \"packages\" (an object keyed by package name)".into()),
            Some(Value::Object(p)) => p,
            Some(v) => return Err(format!("\"packages\" must be an object keyed by package name, found {}", json_kind(v))),
        };
        let mut index = RegistryIndex::default();
        for (name, value) in packages {
            match parse_entry(name, value) {
                Ok(entry) => {
                    index.packages.insert(name.clone(), entry);
                }
                Err(why) => index.warnings.push(format!("skipping package '{}': {why}", printable(name, 80))),
            }
        }
        Ok(index)
    }

    /// Entries whose name or description contains `term` (case-insensitive), best first
    /// (see [`match_rank`]); ties by name. An empty term lists every entry.
    pub fn search(&self, term: &str) -> Vec<RegistryEntry> {
        self.search_ranked(term).into_iter().map(|(_, e)| e.clone()).collect()
    }

    /// [`RegistryIndex::search`] with each entry's [`match_rank`], for merging with
    /// other sources (`glix search` also searches the repo's nixpkgs).
    pub fn search_ranked(&self, term: &str) -> Vec<(u8, &RegistryEntry)> {
        let term = term.trim().to_lowercase();
        let mut hits: Vec<(u8, &RegistryEntry)> =
            self.packages.values().filter_map(|e| Some((match_rank(&term, &[&e.name], e.description.as_deref())?, e))).collect();
        hits.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
        hits
    }
}

/// How well an entry matches `term` (already trimmed and lowercased), the smaller the
/// better: 0 a name is the term, 1 a name starts with it, 2 a name contains it, 3 the
/// description contains it; `None` when nothing does. The names are compared ignoring
/// case. One ranking for every source `glix search` reads (the glix registry's names;
/// nixpkgs' attribute paths and package names).
pub fn match_rank(term: &str, names: &[&str], description: Option<&str>) -> Option<u8> {
    names.iter().filter_map(|n| name_rank(n, term)).min().or_else(|| description.is_some_and(|d| contains_folded(d, term)).then_some(3))
}

/// 0, 1 or 2 as in [`match_rank`], for one name. ASCII text (nearly every name and
/// description nixpkgs has) is compared in place, ignoring ASCII case, which is what
/// lowercasing it would do: searching 120 000 packages then allocates nothing.
fn name_rank(name: &str, term: &str) -> Option<u8> {
    if !name.is_ascii() {
        let name = name.to_lowercase();
        return if name == term {
            Some(0)
        } else if name.starts_with(term) {
            Some(1)
        } else {
            name.contains(term).then_some(2)
        };
    }
    let (n, t) = (name.as_bytes(), term.as_bytes());
    if !term.is_ascii() || n.len() < t.len() {
        // A lowercased ASCII name is ASCII, so it cannot hold a non-ASCII term.
        None
    } else if n.len() == t.len() && n.eq_ignore_ascii_case(t) {
        Some(0)
    } else if n[..t.len()].eq_ignore_ascii_case(t) {
        Some(1)
    } else {
        n.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t)).then_some(2)
    }
}

/// Whether `text` lowercased contains `term` (lowercase).
fn contains_folded(text: &str, term: &str) -> bool {
    if !text.is_ascii() {
        return text.to_lowercase().contains(term);
    }
    let (x, t) = (text.as_bytes(), term.as_bytes());
    term.is_empty() || (term.is_ascii() && x.len() >= t.len() && x.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t)))
}

fn parse_entry(name: &str, value: &Value) -> Result<RegistryEntry, String> {
    if !ident::is_valid_name(name) {
        return Err(format!("not a valid package name ({})", ident::NAME_RULE));
    }
    let Value::Object(fields) = value else {
        return Err(format!("expected an object, found {}", json_kind(value)));
    };
    let flake = match fields.get("flake") {
        Some(Value::String(s)) => FlakeRef::parse(s).map_err(|e| format!("invalid \"flake\": {e}"))?,
        Some(v) => return Err(format!("\"flake\" must be a string, found {}", json_kind(v))),
        None => return Err("missing \"flake\"".into()),
    };
    let description = match fields.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(printable(s, 1000)),
        Some(v) => return Err(format!("\"description\" must be a string, found {}", json_kind(v))),
    };
    let scope = match fields.get("scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Scope::parse(s).ok_or_else(|| format!("\"scope\" must be \"system\" or \"home\", found \"{}\"", printable(s, 40)))?),
        Some(v) => return Err(format!("\"scope\" must be a string, found {}", json_kind(v))),
    };
    let output = match fields.get("output") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if ident::is_valid_attr_path(s) => Some(s.clone()),
        Some(Value::String(s)) => {
            return Err(format!(
                "\"output\" must be an attribute path like homeManagerModules.default, \
                 found \"{}\"",
                printable(s, 80)
            ))
        }
        Some(v) => return Err(format!("\"output\" must be a string, found {}", json_kind(v))),
    };
    Ok(RegistryEntry { name: name.to_string(), flake, description, scope, output })
}

/// `s` with control characters (terminal escapes, newlines) and the Unicode controls
/// that reorder text (bidi embeddings, overrides, isolates and marks) replaced by
/// spaces and cut to `max` characters, so a registry can neither draw on the user's
/// terminal nor rearrange `glix search`'s table. (Also for what nixpkgs says about its
/// packages: src/nixpkgs_index.rs.)
pub(crate) fn printable(s: &str, max: usize) -> String {
    let mut out: String = s.chars().map(|c| if c.is_control() || is_bidi_control(c) { ' ' } else { c }).take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// U+200E/U+200F (marks), U+202A–U+202E (embeddings, overrides), U+2066–U+2069
/// (isolates) and U+061C (Arabic letter mark).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a Boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short_json(v: &Value) -> String {
    printable(&v.to_string(), 40)
}

pub(crate) fn format_size(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

/// Why the glix registry could not be read. Every message names the URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    #[error(
        "unsupported glix registry URL '{url}': use file:///absolute/path/index.json or \
         https://host/path/index.json"
    )]
    UnsupportedUrl { url: String },

    #[error("could not read the glix registry at {url}: {reason}")]
    Read { url: String, reason: String },

    #[error(
        "could not reach the glix registry at {url}: {reason} ({cache}); pass --registry or \
         check the network"
    )]
    Unreachable { url: String, reason: String, cache: String },

    #[error("the glix registry at {url} is not a valid index: {reason}{}", cache_note(cache))]
    Invalid { url: String, reason: String, cache: Option<String> },

    #[error(
        "offline, and there is no cached copy of the glix registry at {url}; run once with \
         the network, or pass --registry file:///path/to/index.json"
    )]
    Offline { url: String },
}

fn cache_note(cache: &Option<String>) -> String {
    cache.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

impl RegistryError {
    pub fn url(&self) -> &str {
        match self {
            RegistryError::UnsupportedUrl { url }
            | RegistryError::Read { url, .. }
            | RegistryError::Unreachable { url, .. }
            | RegistryError::Invalid { url, .. }
            | RegistryError::Offline { url } => url,
        }
    }
}

/// Where a loaded index came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexOrigin {
    /// Read from a `file://` URL.
    File,
    /// Fetched over the network just now (and cached).
    Network,
    /// A cached copy younger than the cache TTL; the network was not used.
    FreshCache,
    /// A cached copy used because the network failed, or because glix is offline.
    StaleCache,
}

/// An index and how it was obtained.
#[derive(Debug, Clone)]
pub struct LoadedIndex {
    pub url: String,
    pub index: RegistryIndex,
    pub origin: IndexOrigin,
    /// For the user: skipped entries, plain HTTP, cache fallbacks, cache write failures.
    pub warnings: Vec<String>,
}

enum Location {
    File(PathBuf),
    Http { secure: bool },
}

fn locate(url: &str) -> Result<Location, RegistryError> {
    let unsupported = || RegistryError::UnsupportedUrl { url: url.to_string() };
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("file://").map(|_| &url[7..]) {
        // file:///abs/path or file://localhost/abs/path
        let path = if let Some(p) = rest.strip_prefix("localhost/") {
            format!("/{p}")
        } else if rest.starts_with('/') {
            rest.to_string()
        } else {
            return Err(unsupported());
        };
        let path = percent_decode(&path).ok_or_else(unsupported)?;
        if path.contains('\0') || path.contains('?') || path.contains('#') {
            return Err(unsupported());
        }
        return Ok(Location::File(PathBuf::from(path)));
    }
    for (scheme, secure) in [("https://", true), ("http://", false)] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(unsupported());
            }
            return Ok(Location::Http { secure });
        }
    }
    Err(unsupported())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Loads the index at `opts`' registry URL: `file://` is read directly; `http(s)://` comes
/// from a fresh cache entry, else the network (then cached), else — when the network
/// fails or glix is offline — from an older cache entry, with a warning saying so.
pub fn load(opts: &ResolveOptions) -> Result<LoadedIndex, RegistryError> {
    let url = opts.registry_url();
    match locate(url)? {
        Location::File(path) => {
            let bytes = read_file_capped(&path).map_err(|reason| RegistryError::Read { url: url.to_string(), reason })?;
            let index = RegistryIndex::parse(&bytes).map_err(|reason| RegistryError::Invalid { url: url.to_string(), reason, cache: None })?;
            Ok(finish(url, index, IndexOrigin::File, Vec::new()))
        }
        Location::Http { secure } => load_http(url, secure, opts),
    }
}

fn finish(url: &str, index: RegistryIndex, origin: IndexOrigin, mut warnings: Vec<String>) -> LoadedIndex {
    warnings.extend(index.warnings.iter().map(|w| format!("glix registry {url}: {w}")));
    LoadedIndex { url: url.to_string(), index, origin, warnings }
}

fn read_file_capped(path: &Path) -> Result<Vec<u8>, String> {
    let too_big = || format!("the file is larger than {}", format_size(MAX_INDEX_BYTES));
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    // The size up front spares reading a big file; the capped read catches one that
    // grows meanwhile or does not report a size.
    if meta.len() > MAX_INDEX_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_INDEX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_INDEX_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

fn load_http(url: &str, secure: bool, opts: &ResolveOptions) -> Result<LoadedIndex, RegistryError> {
    let mut warnings = Vec::new();
    if !secure && !opts.allow_insecure {
        warnings.push(format!(
            "the glix registry {url} is fetched over plain HTTP: anyone on the network path \
             can change which flake a name resolves to; use an https:// URL (or pass \
             --allow-insecure to accept this)"
        ));
    }
    let cache = opts.cache_dir.as_deref().map(|dir| Cache::new(dir, url));
    let cached = cache.as_ref().and_then(Cache::read);

    if opts.offline {
        let Some(c) = cached else {
            return Err(RegistryError::Offline { url: url.to_string() });
        };
        if c.age >= opts.cache_ttl {
            warnings.push(format!("offline: using the cached copy of the glix registry {url} from {} ago", format_age(c.age)));
        }
        return Ok(finish(url, c.index, IndexOrigin::StaleCache, warnings));
    }
    let cached = match cached {
        Some(c) if c.age < opts.cache_ttl => return Ok(finish(url, c.index, IndexOrigin::FreshCache, warnings)),
        stale => stale,
    };

    let fetched = fetch(url, secure, opts).and_then(|bytes| RegistryIndex::parse(&bytes).map(|index| (bytes, index)).map_err(FetchFailure::Invalid));
    match fetched {
        Ok((bytes, index)) => {
            if let Some(cache) = &cache {
                if let Err(e) = cache.write(&bytes) {
                    warnings.push(format!("could not cache the glix registry in {}: {e}", cache.dir.display()));
                }
            }
            Ok(finish(url, index, IndexOrigin::Network, warnings))
        }
        Err(failure) => match cached {
            Some(c) => {
                warnings.push(format!(
                    "could not fetch the glix registry {url} ({}); using the cached copy from \
                     {} ago",
                    failure.reason(),
                    format_age(c.age)
                ));
                Ok(finish(url, c.index, IndexOrigin::StaleCache, warnings))
            }
            None => {
                let cache_state = if cache.is_some() { "no cached copy".to_string() } else { "no cache configured".to_string() };
                Err(match failure {
                    FetchFailure::Invalid(reason) => RegistryError::Invalid { url: url.to_string(), reason, cache: Some(cache_state) },
                    FetchFailure::Unreachable(reason) => RegistryError::Unreachable { url: url.to_string(), reason, cache: cache_state },
                })
            }
        },
    }
}

enum FetchFailure {
    /// Network, TLS, HTTP status, timeout, size.
    Unreachable(String),
    /// The server answered, but not with an index.
    Invalid(String),
}

impl FetchFailure {
    fn reason(&self) -> String {
        match self {
            FetchFailure::Unreachable(r) => r.clone(),
            FetchFailure::Invalid(r) => format!("not a valid index: {r}"),
        }
    }
}

fn fetch(url: &str, secure: bool, opts: &ResolveOptions) -> Result<Vec<u8>, FetchFailure> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        // An https registry must not be redirected to plain HTTP.
        .https_only(secure && !opts.allow_insecure)
        .user_agent(concat!("glix/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent: ureq::Agent = config.into();
    let timeout = opts.timeout;
    let describe = |e: ureq::Error| -> FetchFailure {
        match e {
            ureq::Error::Timeout(_) => FetchFailure::Unreachable(format!("timed out after {}", format_duration(timeout))),
            ureq::Error::BodyExceedsLimit(_) => FetchFailure::Unreachable(format!("the document is larger than {}", format_size(MAX_INDEX_BYTES))),
            ureq::Error::HostNotFound => FetchFailure::Unreachable("host not found".into()),
            ureq::Error::ConnectionFailed => FetchFailure::Unreachable("connection failed".into()),
            ureq::Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => FetchFailure::Unreachable(format!("timed out after {}", format_duration(timeout))),
            ureq::Error::Io(e) => FetchFailure::Unreachable(e.to_string()),
            other => FetchFailure::Unreachable(other.to_string()),
        }
    };
    let mut response = agent.get(url).header("Accept", "application/json").call().map_err(describe)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchFailure::Unreachable(format!("HTTP {}{}", status.as_u16(), status.canonical_reason().map(|r| format!(" {r}")).unwrap_or_default())));
    }
    response.body_mut().with_config().limit(MAX_INDEX_BYTES).read_to_vec().map_err(describe)
}

fn format_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        7200..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

// ---------------------------------------------------------------------------------------
// Cache: <dir>/<key>.json holds the document as fetched, <key>.meta.json the URL and the
// fetch time. Only documents that parsed are cached.
// ---------------------------------------------------------------------------------------

/// `$XDG_CACHE_HOME/glix/registry`, else `$HOME/.cache/glix/registry`.
pub fn default_cache_dir() -> Option<PathBuf> {
    crate::user_cache::dir("registry")
}

struct Cache {
    dir: PathBuf,
    url: String,
    key: String,
}

struct Cached {
    index: RegistryIndex,
    age: Duration,
}

impl Cache {
    fn new(dir: &Path, url: &str) -> Cache {
        Cache { dir: dir.to_path_buf(), url: url.to_string(), key: cache_key(url) }
    }

    fn body_path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.key))
    }

    fn meta_path(&self) -> PathBuf {
        self.dir.join(format!("{}.meta.json", self.key))
    }

    /// The cached index, if there is one for this URL and it still parses.
    fn read(&self) -> Option<Cached> {
        let meta: Value = serde_json::from_slice(&fs::read(self.meta_path()).ok()?).ok()?;
        if meta.get("url")?.as_str()? != self.url {
            return None;
        }
        let fetched = meta.get("fetchedAt")?.as_u64()?;
        let now = now_unix();
        // A fetch time in the future (clock changed): treat the copy as old.
        let age = if fetched > now + 60 { Duration::MAX } else { Duration::from_secs(now.saturating_sub(fetched)) };
        let bytes = read_file_capped(&self.body_path()).ok()?;
        let index = RegistryIndex::parse(&bytes).ok()?;
        Some(Cached { index, age })
    }

    fn write(&self, bytes: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        crate::atomic_write::atomic_write(&self.body_path(), bytes)?;
        let meta = serde_json::json!({ "url": self.url, "fetchedAt": now_unix() });
        crate::atomic_write::atomic_write(&self.meta_path(), meta.to_string().as_bytes())
    }
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A file name for `url`: readable host part plus a 64-bit FNV-1a hash of the whole URL.
fn cache_key(url: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let host: String = url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .take(48)
        .collect();
    format!("{host}-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RegistryIndex, String> {
        RegistryIndex::parse(s.as_bytes())
    }

    #[test]
    fn index_parses_entries_with_all_fields() {
        let idx = parse(
            r#"{"version": 1, "packages": {
                "cool-pkg": {"flake": "github:owner/cool-pkg", "description": "A cool package",
                             "scope": "home", "output": "homeManagerModules.cool"},
                "plain": {"flake": "git+https://example.org/plain.git"}
            }}"#,
        )
        .unwrap();
        assert!(idx.warnings.is_empty(), "{:?}", idx.warnings);
        let e = idx.get("cool-pkg").unwrap();
        assert_eq!(e.flake.to_url(), "github:owner/cool-pkg");
        assert_eq!(e.description.as_deref(), Some("A cool package"));
        assert_eq!(e.scope, Some(Scope::Home));
        assert_eq!(e.output.as_deref(), Some("homeManagerModules.cool"));
        let p = idx.get("plain").unwrap();
        assert_eq!((p.scope, p.output.as_deref(), p.description.as_deref()), (None, None, None));
    }

    #[test]
    fn index_ignores_unknown_fields() {
        let idx = parse(
            r#"{"version": 1, "generated": "2025-01-01", "packages": {
                "a": {"flake": "github:o/a", "homepage": "https://example.org"}}}"#,
        )
        .unwrap();
        assert!(idx.get("a").is_some());
        assert!(idx.warnings.is_empty());
    }

    #[test]
    fn index_rejects_documents_that_are_not_an_index() {
        for (doc, needle) in [
            ("", "not a JSON document"),
            ("<html>captive portal</html>", "not a JSON document"),
            ("[1,2]", "expected a JSON object"),
            (r#"{"packages": {}}"#, "missing \"version\""),
            (r#"{"version": "1", "packages": {}}"#, "unsupported \"version\""),
            (r#"{"version": 2, "packages": {}}"#, "newer than this glix"),
            (r#"{"version": 1}"#, "missing \"packages\""),
            (r#"{"version": 1, "packages": []}"#, "must be an object"),
        ] {
            let err = parse(doc).unwrap_err();
            assert!(err.contains(needle), "{doc:?}: {err}");
        }
        assert!(RegistryIndex::parse(b"\xff\xfe").unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn index_skips_invalid_entries_with_a_warning() {
        let idx = parse(
            r#"{"version": 1, "packages": {
                "good": {"flake": "github:o/good"},
                "no-flake": {"description": "x"},
                "bad-flake": {"flake": "github:o"},
                "wrong-type": {"flake": 42},
                "bad-scope": {"flake": "github:o/r", "scope": "user"},
                "bad-output": {"flake": "github:o/r", "output": "a.${x}"},
                "not-object": "github:o/r",
                "if": {"flake": "github:o/r"},
                "bad name": {"flake": "github:o/r"}
            }}"#,
        )
        .unwrap();
        assert_eq!(idx.packages.keys().collect::<Vec<_>>(), ["good"]);
        assert_eq!(idx.warnings.len(), 8, "{:#?}", idx.warnings);
        let all = idx.warnings.join("\n");
        for needle in [
            "'no-flake': missing \"flake\"",
            "'bad-flake': invalid \"flake\"",
            "'wrong-type': \"flake\" must be a string, found a number",
            "'bad-scope': \"scope\" must be \"system\" or \"home\"",
            "'bad-output': \"output\" must be an attribute path",
            "'not-object': expected an object",
            "'if': not a valid package name",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in\n{all}");
        }
    }

    #[test]
    fn index_descriptions_cannot_carry_terminal_escapes() {
        let idx = parse(r#"{"version":1,"packages":{"a":{"flake":"github:o/a","description":"x\u001b[2Jy\nz"}}}"#).unwrap();
        assert_eq!(idx.get("a").unwrap().description.as_deref(), Some("x [2Jy z"));
    }

    #[test]
    fn index_refuses_documents_over_the_size_cap() {
        let big = vec![b' '; MAX_INDEX_BYTES as usize + 1];
        assert!(RegistryIndex::parse(&big).unwrap_err().contains("larger than 16 MiB"));
    }

    #[test]
    fn search_ranks_exact_then_prefix_then_substring_then_description() {
        let idx = parse(
            r#"{"version": 1, "packages": {
                "cool": {"flake": "github:o/cool"},
                "cool-pkg": {"flake": "github:o/cool-pkg"},
                "a-cool-thing": {"flake": "github:o/t"},
                "other": {"flake": "github:o/other", "description": "Not so COOL"},
                "unrelated": {"flake": "github:o/u", "description": "nothing"}
            }}"#,
        )
        .unwrap();
        let names = |t: &str| idx.search(t).into_iter().map(|e| e.name).collect::<Vec<_>>();
        assert_eq!(names("Cool"), ["cool", "cool-pkg", "a-cool-thing", "other"]);
        assert_eq!(names("zzz"), Vec::<String>::new());
        assert_eq!(names("").len(), 5);
    }

    #[test]
    fn ranking_ignores_case_in_and_out_of_ascii() {
        assert_eq!(match_rank("rip", &["RIP"], None), Some(0));
        assert_eq!(match_rank("rip", &["x", "Ripgrep"], None), Some(1));
        assert_eq!(match_rank("grep", &["ripGREP"], None), Some(2));
        assert_eq!(match_rank("fast", &["rg"], Some("A FAST grep")), Some(3));
        assert_eq!(match_rank("zzz", &["rg"], Some("A fast grep")), None);
        assert_eq!(match_rank("", &["rg"], None), Some(1), "no term matches every name");
        assert_eq!(match_rank("ü", &["ÜBER"], None), Some(1));
        assert_eq!(match_rank("über", &["uber"], Some("ÜBERALL")), Some(3));
        assert_eq!(match_rank("é", &["cafe"], Some("cafe")), None, "a non-ASCII term is never in ASCII text");
    }

    #[test]
    fn registry_urls_are_file_or_http() {
        assert!(matches!(locate("file:///srv/index.json"), Ok(Location::File(p)) if p == Path::new("/srv/index.json")));
        assert!(matches!(locate("file://localhost/a%20b.json"), Ok(Location::File(p)) if p == Path::new("/a b.json")));
        assert!(matches!(locate("https://example.org/i.json"), Ok(Location::Http { secure: true })));
        assert!(matches!(locate("HTTP://127.0.0.1:8080/i.json"), Ok(Location::Http { secure: false })));
        for bad in ["/srv/index.json", "file:index.json", "file://host/x", "ftp://x/y", "https://", "https:///x", ""] {
            assert!(matches!(locate(bad), Err(RegistryError::UnsupportedUrl { .. })), "{bad}");
        }
    }

    #[test]
    fn cache_keys_differ_per_url_and_name_the_host() {
        let a = cache_key("https://example.org/a.json");
        let b = cache_key("https://example.org/b.json");
        assert_ne!(a, b);
        assert!(a.starts_with("example.org-"), "{a}");
        assert_eq!(cache_key("http://127.0.0.1:80/x").split('-').next(), Some("127.0.0.1_80"));
    }
}
