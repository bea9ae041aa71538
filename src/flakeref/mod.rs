//! Flake references as users type them, and the flake input names glix derives from them.
//!
//! [`FlakeRef::parse`] follows Nix 2.26's `builtins.parseFlakeRef` and produces the same
//! attributes ([`FlakeRef::attrs`]), refusing what later Nix versions read differently;
//! `tests/flakeref_oracle.rs` checks that against each real Nix it runs with (2.26.3,
//! 2.31.5 and 2.33.6 here). On top of that, glix refuses a few classes of references
//! that Nix accepts, because glix writes references into `flake.nix` and has to be able to
//! stand behind them ([`FlakeRefError::is_policy`] tells these apart):
//!
//! - bare paths (`/abs/path`): Nix reads them differently depending on where it is called
//!   from (a Git checkout becomes `git+file:`), so glix wants `path:/abs/path` or
//!   `git+file:///abs/path` spelled out;
//! - relative paths (`path:./foo`, `git+file:foo`): they depend on the current directory;
//! - characters that are dangerous in a Nix string literal or in a one-line file: `"`,
//!   `\`, `${` and control characters (newline, NUL, ...), whether typed or
//!   percent-encoded. What Nix 2.26 lets through, measured against it: a raw `"` in a URL's
//!   host, path or query (its URL regex counts `"` as a sub-delimiter), raw spaces in a
//!   query or fragment, raw `$` (but not `{`, `}`, `\`, backquote or non-ASCII) in URLs,
//!   *anything* in a bare absolute path (newlines included), and any byte at all through
//!   percent-encoding (`%22`, `%5C`, `%0A`, `%24%7B`, `%00`, which cuts the Nix string
//!   short, and `%FF`, which is not UTF-8). So everything glix accepts is safe between
//!   double quotes in `flake.nix` even before escaping, and [`FlakeRef::to_url`] only
//!   ever contains printable ASCII without `"`, `\` or `${` (everything else is
//!   percent-encoded);
//! - text that is not UTF-8 once percent-decoded;
//! - parts Nix would silently ignore or rewrite: unknown parameters on `github:` and
//!   friends (`?dri=lib`), `name`/`unpack` on tarballs, parameters without `=` or given
//!   twice, `github://host/...`, Git flags other than `0`/`1`;
//! - commit hashes and NAR hashes Nix would only reject at fetch time;
//! - Git/Mercurial/tarball URLs without a host, or that Nix would rewrite into a different
//!   URL (`git+ssh:git@host:o/r` becomes `ssh://ssh:git@host/o/r`);
//! - what Nix versions read differently (`portable`): a user, password or host with
//!   characters other than letters, digits, `-._~` (Nix ≥ 2.31 re-encodes them), a port
//!   that is not 1–65535, a `ref` that is not a branch or tag name by Git's rules (Nix ≥
//!   2.31 rejects it), a `%2F` in a path (Nix ≥ 2.33 splits the path before decoding:
//!   `github:a%2Fb/c` is owner `a/b`; allowed after a forge's owner/repo, where both read
//!   it alike), a github/gitlab/sourcehut commit hash not written as 40 lower-case hex
//!   digits (Nix ≥ 2.33 keeps it as written). A repository is read by every host of a fleet, each with its
//!   NixOS's Nix, so glix writes only references all of them read alike.

mod canonical;
mod hash;
mod name;
mod nix;
mod policy;
mod portable;
mod url;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use name::{canonical_input_name, input_name};
/// For the resolver, which rebuilds references from their parts.
#[cfg(feature = "cli")]
pub(crate) use url::percent_encode;

/// An attribute value of a parsed flake reference, as Nix's `fetchers::Attrs` holds them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Attr {
    Str(String),
    Int(u64),
    Bool(bool),
}

pub(crate) type Attrs = BTreeMap<String, Attr>;

/// A parsed, validated flake reference. Two references are equal when Nix would parse them
/// to the same attributes (`github:o/r` and `github:o/r/` are equal).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlakeRef {
    attrs: Attrs,
}

/// What the error messages list as valid forms.
const EXPECTED: &str = "github:owner/repo, gitlab:owner/repo, sourcehut:~owner/repo, \
     git+https://host/path, git+ssh://user@host/path, git+file:///abs/path, path:/abs/path, \
     https://host/file.tar.gz, tarball+https://..., file+https://..., \
     flake:name or a registry name like nixpkgs";

/// Why a string is not a flake reference glix accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlakeRefError {
    // --- Nix rejects these too ---
    #[error("empty flake reference (expected e.g. {EXPECTED})")]
    Empty,

    #[error("unsupported flake reference type '{scheme}:'{} (expected {EXPECTED})", suggestion(scheme))]
    UnsupportedType { scheme: String },

    #[error("invalid flake reference '{input}': {reason}")]
    Invalid { input: String, reason: String },

    #[error("'{input}' is not a flake reference: {} (expected {EXPECTED})", not_absolute_hint(input))]
    NotAbsolute { input: String },

    #[error(
        "unexpected '#{fragment}' in flake reference '{input}': a flake reference names a \
         whole flake, without #attribute"
    )]
    Fragment { input: String, fragment: String },

    // --- Nix accepts these, glix refuses them (see the module documentation) ---
    #[error(
        "bare path '{input}': write path:{input} (or git+file://{input} for a Git \
         checkout) so the reference means the same wherever it is used"
    )]
    BarePath { input: String },

    #[error(
        "relative path in flake reference '{input}': glix writes references into flake.nix, \
         so they must not depend on the current directory (write path:/absolute/path or \
         git+file:///absolute/path)"
    )]
    RelativePath { input: String },

    #[error(
        "flake reference '{input}' contains {what}, which glix does not accept in a reference \
         it writes into flake.nix"
    )]
    UnsafeCharacter { input: String, what: String },

    #[error("flake reference attribute '{attr}' is not valid UTF-8 after percent-decoding")]
    NotUtf8 { attr: String },

    #[error("in flake reference '{input}': {what} would be silently ignored by Nix; {hint}")]
    Ignored { input: String, what: String, hint: String },

    #[error("in flake reference '{input}': {reason}")]
    InvalidHash { input: String, reason: String },

    #[error("malformed URL in flake reference '{input}': {reason} (expected e.g. {example})")]
    MalformedUrl { input: String, reason: String, example: String },

    #[error("flake reference '{input}' means different things to different Nix versions: {what}; {hint}")]
    NotPortable { input: String, what: String, hint: String },
}

impl FlakeRefError {
    /// True for references Nix 2.26 accepts but glix refuses on purpose (see the module
    /// documentation); false for references Nix refuses too.
    pub fn is_policy(&self) -> bool {
        use FlakeRefError::*;
        match self {
            Empty | UnsupportedType { .. } | Invalid { .. } | NotAbsolute { .. } | Fragment { .. } => false,
            BarePath { .. }
            | RelativePath { .. }
            | UnsafeCharacter { .. }
            | NotUtf8 { .. }
            | Ignored { .. }
            | InvalidHash { .. }
            | MalformedUrl { .. }
            | NotPortable { .. } => true,
        }
    }
}

/// The scheme types glix knows, for "did you mean" hints.
const KNOWN_SCHEMES: [&str; 17] = [
    "github",
    "gitlab",
    "sourcehut",
    "git",
    "git+https",
    "git+http",
    "git+ssh",
    "git+file",
    "hg+https",
    "hg+ssh",
    "hg+file",
    "path",
    "https",
    "http",
    "tarball+https",
    "file+https",
    "flake",
];

/// " (did you mean 'github:'?)" for a scheme within two edits of a known one.
fn suggestion(scheme: &str) -> String {
    let lower = scheme.to_ascii_lowercase();
    KNOWN_SCHEMES
        .iter()
        .map(|k| (edit_distance(&lower, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean '{k}:'?)"))
        .unwrap_or_default()
}

/// Levenshtein distance (in characters). Here it compares short scheme names; the
/// resolver uses it for "did you mean" suggestions too.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// What a string without a scheme most likely meant.
fn not_absolute_hint(input: &str) -> String {
    let looks_like_id = input
        .split(['?', '/', '#'])
        .next()
        .is_some_and(|id| id.starts_with(|c: char| c.is_ascii_alphabetic()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    if input.starts_with(['.', '~']) {
        "relative paths are not flake references here; write path:/absolute/path".to_string()
    } else if looks_like_id && input.contains('?') {
        format!("a registry name takes no ?parameters in this short form; write flake:{input}")
    } else if looks_like_id && input.contains('/') {
        "after a registry name comes a branch/tag name ([a-zA-Z0-9@][a-zA-Z0-9_./@+-]*) and/or \
         a 40-digit commit hash"
            .to_string()
    } else if input.contains('/') {
        "relative paths are not flake references here; write path:/absolute/path".to_string()
    } else {
        "it is not a URL (scheme:...), not a registry name (like nixpkgs or \
         nixpkgs/nixos-24.05) and not an absolute path"
            .to_string()
    }
}

/// The input as error messages show it: control characters escaped (a message must stay
/// on one line) and long inputs cut short.
pub(crate) fn shown(input: &str) -> String {
    const MAX: usize = 160;
    let mut out = String::new();
    for (i, c) in input.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl FlakeRef {
    /// Parses a flake reference as Nix would, then applies glix's extra checks.
    pub fn parse(s: &str) -> Result<FlakeRef, FlakeRefError> {
        let parsed = nix::parse(s)?;
        policy::check(s, &parsed)?;
        Ok(FlakeRef { attrs: parsed.attrs })
    }

    /// The attributes `builtins.parseFlakeRef` returns for this reference: same keys, same
    /// values (strings, integers, Booleans).
    pub fn attrs(&self) -> BTreeMap<String, serde_json::Value> {
        attrs_to_json(&self.attrs)
    }

    /// The input type: "github", "gitlab", "sourcehut", "git", "hg", "path", "tarball",
    /// "file" or "indirect".
    pub fn kind(&self) -> &str {
        self.str_attr("type").unwrap_or("")
    }

    /// True for registry references (`nixpkgs`, `flake:nixpkgs`): glix resolves these to a
    /// direct reference before writing `flake.nix`.
    pub fn is_indirect(&self) -> bool {
        self.kind() == "indirect"
    }

    /// A string attribute (`owner`, `repo`, `url`, `dir`, `ref`, `rev`, ...).
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        match self.attrs.get(key) {
            Some(Attr::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The canonical URL: what glix writes into `flake.nix`. `parse(to_url())` gives this
    /// reference back. It is what Nix's `builtins.flakeRefToString` prints, except where
    /// that would lose information (a `host=` or an `allRefs`/`shallow=0` flag, a branch
    /// name that looks like a commit hash, the `file+` of a `file` input, ...).
    pub fn to_url(&self) -> String {
        canonical::to_url(&self.attrs)
    }

    /// A readable base for input names: the repository for forges, the last path segment
    /// (without `.git` or an archive suffix) for URLs and paths, the id for registry
    /// references; plus `-<last segment of dir>` when `?dir=` is set. Already sanitized
    /// (see [`is_valid_name`](crate::ident::is_valid_name)) and at most 48 characters, leaving room for suffixes.
    pub fn stem(&self) -> String {
        name::stem(self)
    }

    pub(crate) fn raw_attrs(&self) -> &Attrs {
        &self.attrs
    }
}

impl fmt::Display for FlakeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_url())
    }
}

impl FromStr for FlakeRef {
    type Err = FlakeRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FlakeRef::parse(s)
    }
}

/// Serialized as its canonical URL, so a manifest can hold a `FlakeRef` directly.
impl serde::Serialize for FlakeRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_url())
    }
}

impl<'de> serde::Deserialize<'de> for FlakeRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        FlakeRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn attrs_to_json(attrs: &Attrs) -> BTreeMap<String, serde_json::Value> {
    attrs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Attr::Str(s) => serde_json::Value::from(s.as_str()),
                Attr::Int(n) => serde_json::Value::from(*n),
                Attr::Bool(b) => serde_json::Value::from(*b),
            };
            (k.clone(), v)
        })
        .collect()
}

/// What Nix 2.26's `builtins.parseFlakeRef` returns for `s`, without glix's own checks
/// (only [`FlakeRefError::NotUtf8`] remains, because Rust strings are UTF-8). For the
/// oracle test and for diagnostics; glix itself uses [`FlakeRef::parse`].
#[doc(hidden)]
pub fn nix_parse_attrs(s: &str) -> Result<BTreeMap<String, serde_json::Value>, FlakeRefError> {
    nix::parse(s).map(|p| attrs_to_json(&p.attrs))
}
