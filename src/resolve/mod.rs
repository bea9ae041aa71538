//! The resolver chain of `glix add` (DESIGN.md, step 3): what the user typed becomes a
//! direct flake reference and a record of how it was found.
//!
//! 1. A flake URI (`github:o/r`, `path:/x`, ...) passes through, validated by
//!    [`FlakeRef::parse`] → [`Source::Uri`].
//! 2. A name (`cool-pkg`, `flake:cool-pkg`, `cool-pkg/branch`) is looked up in the glix
//!    registry, an index document at a `file://` or `http(s)://` URL (format:
//!    `docs/registry.md`) → [`Source::Registry`].
//! 3. Otherwise in Nix's flake registry (`nix registry resolve` where the Nix has it,
//!    else `nix registry list`) → [`Source::NixRegistry`].
//! 4. Otherwise [`ResolveError::NotFound`], listing each step and why it failed, and up to
//!    three near names.
//!
//! The result is always direct: registry targets that are themselves indirect
//! (`flake:other`) are followed, with a limit on the number of hops.
//!
//! This module is only built with the `cli` feature (it links an HTTP client); the Nix
//! plugin never resolves names.

mod nix_registry;
mod registry;
mod suggest;
mod uri;

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::flakeref::{FlakeRef, FlakeRefError};
use crate::manifest::{Scope, Source};
use crate::nix::{Nix, NixRunner};

pub use nix_registry::{parse_registry_list, NixRegistryEntry, NixRegistryKind, NixRegistryList};
pub use registry::load as load_registry;
pub use registry::{default_cache_dir, match_rank, IndexOrigin, LoadedIndex, RegistryEntry, RegistryError, RegistryIndex, INDEX_VERSION, MAX_INDEX_BYTES};
pub(crate) use registry::{is_bidi_control, printable};
pub use suggest::nearest;
pub use uri::{classify, Typed};

use nix_registry::NixLookupError;
use uri::{rebuild, Change};

/// The built-in glix registry, used when neither `--registry`, `GLIX_REGISTRY` nor the
/// repository's configuration names one.
pub const DEFAULT_REGISTRY: &str = "https://glixos.github.io/registry/index.json";

/// How long a fetch of the registry may take unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a cached copy of an `http(s)://` registry is used without asking the network.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(3600);

/// How long one `nix registry` command may take before glix stops it.
pub const NIX_TIMEOUT: Duration = Duration::from_secs(60);

/// How many registry hops one resolution may take (`a` → `flake:b` → ...).
const MAX_HOPS: usize = 32;

/// The registry URL to use, by precedence: `--registry`, `GLIX_REGISTRY`, the
/// repository's configuration, [`DEFAULT_REGISTRY`]. Empty values count as unset.
pub fn choose_registry_url(flag: Option<&str>, env: Option<&str>, repo_config: Option<&str>) -> String {
    [flag, env, repo_config].into_iter().flatten().map(str::trim).find(|s| !s.is_empty()).unwrap_or(DEFAULT_REGISTRY).to_string()
}

/// How to resolve. [`ResolveOptions::new`] gives the defaults.
#[derive(Debug)]
pub struct ResolveOptions {
    /// The glix registry's URL; `None` means [`DEFAULT_REGISTRY`] (see
    /// [`choose_registry_url`]).
    pub registry_url: Option<String>,
    /// For the whole HTTP exchange (connect, headers, body).
    pub timeout: Duration,
    /// Accept a plain `http://` registry (and https → http redirects) without a warning.
    pub allow_insecure: bool,
    /// Never use the network: an `http(s)://` registry comes from the cache (any age), and
    /// `nix` is run with `--offline`.
    pub offline: bool,
    /// Where fetched indexes are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// How long a cached copy is used without asking the network.
    pub cache_ttl: Duration,
    /// Runs `nix` for the Nix-registry step ([`Nix`], or a fake in tests); `None` skips
    /// that step.
    pub nix: Option<Box<dyn NixRunner>>,
}

impl ResolveOptions {
    /// Defaults: the given registry (or the built-in one), a 10 s timeout, the cache in
    /// [`default_cache_dir`] with a one-hour TTL, and [`Nix::locate`] with a
    /// [`NIX_TIMEOUT`] per command.
    pub fn new(registry_url: Option<String>) -> ResolveOptions {
        ResolveOptions {
            registry_url,
            timeout: DEFAULT_TIMEOUT,
            allow_insecure: false,
            offline: false,
            cache_dir: default_cache_dir(),
            cache_ttl: DEFAULT_CACHE_TTL,
            // With no nix found, running `nix` fails as one step of the report, with the
            // hint to install it or set GLIX_NIX, rather than skipping the step silently.
            nix: Some(Box::new(Nix::locate().unwrap_or_else(|_| Nix::at("nix")).with_timeout(Some(NIX_TIMEOUT)))),
        }
    }

    pub fn registry_url(&self) -> &str {
        self.registry_url.as_deref().unwrap_or(DEFAULT_REGISTRY)
    }
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions::new(None)
    }
}

/// A resolved package reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// Direct (never `flake:`): what goes into `flake.nix` and the manifest.
    pub flake: FlakeRef,
    /// How it was found, for the manifest's `source`.
    pub source: Source,
    /// A name for the package: the registry name that was typed, or the reference's stem
    /// for a URI.
    pub name_hint: String,
    /// From the glix registry entry.
    pub description: Option<String>,
    /// The registry's default scope for the package.
    pub default_scope: Option<Scope>,
    /// The registry's output attribute path, when not the scope's default.
    pub output: Option<String>,
    /// Every reference the resolution went through, the result last (one element for a
    /// URI).
    pub chain: Vec<String>,
    /// For the user: plain-HTTP registry, stale cache, skipped index entries, ...
    pub warnings: Vec<String>,
}

/// One step of the chain that did not produce a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// What was consulted, e.g. `glix registry file:///srv/index.json`.
    pub step: String,
    /// Why it did not give an answer.
    pub outcome: String,
}

/// Why a reference could not be resolved. Messages say what failed and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    #[error("'{typed}' is neither a flake reference nor a package name: {source}")]
    InvalidReference {
        typed: String,
        #[source]
        source: FlakeRefError,
    },

    /// Only from [`search`]: [`resolve`] records registry failures as an [`Attempt`] and
    /// goes on with the Nix registry.
    #[error(transparent)]
    Registry(#[from] RegistryError),

    #[error("{}", not_found_message(name, tried, suggestions))]
    NotFound { name: String, tried: Vec<Attempt>, suggestions: Vec<String> },

    #[error(
        "'{name}' resolves through the {via} to '{target}', which glix cannot write into \
         flake.nix: {reason}; fix that registry entry, or pass a flake URI instead"
    )]
    UnwritableTarget { name: String, via: String, target: String, reason: String },

    #[error(
        "'{name}' does not resolve: the registries redirect in a circle ({}); fix the \
         registry entries, or pass a flake URI instead",
        chain.join(" → ")
    )]
    Cycle { name: String, chain: Vec<String> },
}

fn not_found_message(name: &str, tried: &[Attempt], suggestions: &[String]) -> String {
    let mut s = format!("could not resolve '{name}': no registry knows it\n  tried:");
    for (i, a) in tried.iter().enumerate() {
        s.push_str(&format!("\n    {}. {}: {}", i + 1, a.step, a.outcome));
    }
    if !suggestions.is_empty() {
        s.push_str(&format!("\n  did you mean: {}?", suggestions.join(", ")));
    }
    // What to do next is the CLI's `hint:` line (glix::ops::OpError::hint).
    s
}

/// Resolves what the user typed to a direct flake reference (see the module
/// documentation for the chain).
pub fn resolve(typed: &str, opts: &ResolveOptions) -> Result<Resolution, ResolveError> {
    let input = match classify(typed) {
        Ok(Typed::Uri(flake)) => {
            return Ok(Resolution {
                name_hint: flake.stem(),
                chain: vec![flake.to_url()],
                flake,
                source: Source::Uri,
                description: None,
                default_scope: None,
                output: None,
                warnings: Vec::new(),
            })
        }
        Ok(Typed::Name(r)) => r,
        Err(source) => return Err(ResolveError::InvalidReference { typed: typed.to_string(), source }),
    };
    let name = input.str_attr("id").unwrap_or_default().to_string();
    let mut warnings = Vec::new();
    let mut tried =
        vec![Attempt { step: "flake URI".into(), outcome: format!("'{}' is a name, not a URI (a URI looks like github:owner/repo)", typed.trim()) }];

    // Step 2: the glix registry. A failure is kept for the warning if Nix finds the name.
    let registry_step = format!("glix registry {}", opts.registry_url());
    let index = match registry::load(opts) {
        Ok(loaded) => {
            warnings.extend(loaded.warnings);
            Ok(loaded.index)
        }
        Err(e) => {
            // The message names the URL already.
            let outcome = e.to_string();
            tried.push(Attempt { step: "glix registry".into(), outcome: outcome.clone() });
            Err(outcome)
        }
    };

    let mut current = input.clone();
    let mut chain = vec![input.to_url()];
    let mut seen = BTreeSet::from([input.to_url()]);
    let mut entry: Option<RegistryEntry> = None;
    if let Ok(idx) = &index {
        while current.is_indirect() {
            let id = current.str_attr("id").unwrap_or_default();
            let Some(hit) = idx.get(id) else {
                tried.push(Attempt {
                    step: registry_step.clone(),
                    outcome: if entry.is_none() {
                        format!("no package named '{id}' ({} packages)", idx.packages.len())
                    } else {
                        format!("'{name}' leads to {}, which has no package", current.to_url())
                    },
                });
                break;
            };
            let next = apply_typed(&hit.flake, &current).map_err(|reason| ResolveError::UnwritableTarget {
                name: name.clone(),
                via: registry_step.clone(),
                target: hit.flake.to_url(),
                reason,
            })?;
            chain.push(next.to_url());
            if !seen.insert(next.to_url()) || chain.len() > MAX_HOPS {
                return Err(ResolveError::Cycle { name, chain });
            }
            entry.get_or_insert_with(|| hit.clone());
            current = next;
        }
    }
    if !current.is_indirect() {
        debug_assert!(entry.is_some(), "a direct reference here comes from the registry");
        return Ok(found(current, name, entry, chain, warnings));
    }

    // Step 3: Nix's flake registry.
    let mut nix_names = Vec::new();
    match &opts.nix {
        None => tried.push(Attempt { step: "Nix flake registry".into(), outcome: "skipped (no nix configured)".into() }),
        Some(nix) => {
            let (result, list) = nix_registry::resolve(nix.as_ref(), &current, opts.offline);
            if let Some(list) = &list {
                nix_names = list.names();
            }
            match result {
                Ok(resolved) => {
                    warnings.extend(resolved.warnings);
                    if let Err(registry_failure) = &index {
                        warnings.push(format!(
                            "{registry_failure}; '{name}' was resolved through Nix's flake \
                             registry instead"
                        ));
                    }
                    chain.extend(resolved.chain.into_iter().skip(1));
                    return Ok(found(resolved.flake, name, entry, chain, warnings));
                }
                Err(NixLookupError::NotFound { outcome }) | Err(NixLookupError::Failed { outcome }) => {
                    tried.push(Attempt { step: "Nix flake registry".into(), outcome })
                }
                Err(NixLookupError::Unwritable { target, reason }) => {
                    return Err(ResolveError::UnwritableTarget { name, via: "Nix flake registry".into(), target, reason })
                }
                Err(NixLookupError::Cycle { chain: nix_chain }) => {
                    chain.extend(nix_chain.into_iter().skip(1));
                    return Err(ResolveError::Cycle { name, chain });
                }
            }
        }
    }

    // Step 4: nothing knew it.
    let known: Vec<&str> = index.iter().flat_map(|i| i.packages.keys().map(String::as_str)).chain(nix_names.iter().map(String::as_str)).collect();
    Err(ResolveError::NotFound { suggestions: nearest(&name, known, 3), name, tried })
}

/// A name resolved to `flake`: through the glix registry when `entry` (the first entry the
/// name hit) is there, else through Nix's flake registry alone.
fn found(flake: FlakeRef, name: String, entry: Option<RegistryEntry>, chain: Vec<String>, warnings: Vec<String>) -> Resolution {
    let (source, description, default_scope, output) = match entry {
        Some(e) => (Source::Registry, e.description, e.scope, e.output),
        None => (Source::NixRegistry, None, None, None),
    };
    Resolution { flake, source, name_hint: name, description, default_scope, output, chain, warnings }
}

/// `target` (a registry entry for `typed`'s name) with the branch, commit and
/// subdirectory the user typed applied, as Nix does for registry entries that name none:
/// the typed branch/commit override, and the target's own `dir` wins over the typed one.
fn apply_typed(target: &FlakeRef, typed: &FlakeRef) -> Result<FlakeRef, String> {
    let carry = |k: &str| match typed.str_attr(k) {
        Some(v) => Change::Set(v.to_string()),
        None => Change::Keep,
    };
    let dir = match (target.str_attr("dir"), typed.str_attr("dir")) {
        (None, Some(d)) => Change::Set(d.to_string()),
        _ => Change::Keep,
    };
    rebuild(target, carry("ref"), carry("rev"), dir)
}

/// Whether the glix registry has an entry for the name `typed` (false for a URI, or
/// when the registry cannot be read): `glix add NAME` asks the registry first, then
/// the repo's nixpkgs, then Nix's flake registry.
pub fn registry_has(typed: &str, opts: &ResolveOptions) -> bool {
    let Ok(Typed::Name(r)) = classify(typed) else { return false };
    let id = r.str_attr("id").unwrap_or_default();
    registry::load(opts).is_ok_and(|loaded| loaded.index.get(id).is_some())
}

/// What [`search`] found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub registry_url: String,
    /// Best first (see [`RegistryIndex::search`]).
    pub hits: Vec<RegistryEntry>,
    pub origin: IndexOrigin,
    pub warnings: Vec<String>,
}

/// Searches the glix registry's names and descriptions for `term` (`glix search TERM`).
pub fn search(term: &str, opts: &ResolveOptions) -> Result<SearchResults, ResolveError> {
    let loaded = registry::load(opts)?;
    Ok(SearchResults { hits: loaded.index.search(term), registry_url: loaded.url, origin: loaded.origin, warnings: loaded.warnings })
}

/// `10 s`, `500 ms`, `1.5 s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct FakeNix(&'static str);

    impl NixRunner for FakeNix {
        fn run(&self, args: &[&str]) -> Result<String, crate::nix::NixError> {
            match args.get(1) {
                Some(&"list") => Ok(self.0.to_string()),
                _ => Err(crate::nix::NixError::Failed {
                    cmd: format!("nix {}", args.join(" ")),
                    status: "exit status: 1".into(),
                    code: Some(1),
                    stderr: "error: 'resolve' is not a recognised command".into(),
                }),
            }
        }
    }

    fn opts(index: &str, nix_list: &'static str) -> (tempfile::TempDir, ResolveOptions) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.json");
        std::fs::write(&path, index).unwrap();
        let mut o = ResolveOptions::new(Some(format!("file://{}", path.display())));
        o.cache_dir = None;
        o.nix = Some(Box::new(FakeNix(nix_list)));
        (dir, o)
    }

    const INDEX: &str = r#"{"version": 1, "packages": {
        "cool-pkg": {"flake": "github:owner/cool-pkg", "scope": "home", "description": "Cool"},
        "hm": {"flake": "flake:home-manager"},
        "self-loop": {"flake": "flake:self-loop2"},
        "self-loop2": {"flake": "flake:self-loop"}
    }}"#;
    const NIX: &str = "global flake:home-manager github:nix-community/home-manager\n";

    /// `typed` resolved over [`INDEX`] and [`NIX`].
    fn resolve_here(typed: &str) -> Result<Resolution, ResolveError> {
        let (_d, o) = opts(INDEX, NIX);
        resolve(typed, &o)
    }

    #[test]
    fn registry_url_precedence_is_flag_env_config_default() {
        assert_eq!(choose_registry_url(Some("a"), Some("b"), Some("c")), "a");
        assert_eq!(choose_registry_url(None, Some("b"), Some("c")), "b");
        assert_eq!(choose_registry_url(Some(""), None, Some("c")), "c");
        assert_eq!(choose_registry_url(None, None, None), DEFAULT_REGISTRY);
    }

    #[test]
    fn typed_branch_applies_to_a_registry_entry() {
        let r = resolve_here("cool-pkg/v2").unwrap();
        assert_eq!(r.flake.to_url(), "github:owner/cool-pkg/v2");
        assert_eq!(r.source, Source::Registry);
        assert_eq!(r.name_hint, "cool-pkg");
        assert_eq!(r.default_scope, Some(Scope::Home));
    }

    #[test]
    fn registry_entry_pointing_into_the_nix_registry_is_followed() {
        let r = resolve_here("hm").unwrap();
        assert_eq!(r.flake.to_url(), "github:nix-community/home-manager");
        assert_eq!(r.source, Source::Registry);
        assert_eq!(r.chain, ["flake:hm", "flake:home-manager", "github:nix-community/home-manager"]);
    }

    #[test]
    fn registry_cycles_are_an_error() {
        let e = resolve_here("self-loop").unwrap_err();
        assert!(matches!(e, ResolveError::Cycle { .. }), "{e}");
        assert!(e.to_string().contains("circle"), "{e}");
    }

    #[test]
    fn unreadable_registry_falls_through_to_nix_with_a_warning() {
        let (_d, mut o) = opts(INDEX, NIX);
        o.registry_url = Some("file:///nonexistent/index.json".into());
        let r = resolve("home-manager", &o).unwrap();
        assert_eq!(r.source, Source::NixRegistry);
        assert!(r.warnings.iter().any(|w| w.contains("could not read the glix registry")), "{:?}", r.warnings);
    }

    #[test]
    fn invalid_input_is_reported_as_such() {
        let e = resolve_here("github:only-owner").unwrap_err();
        assert!(matches!(e, ResolveError::InvalidReference { .. }), "{e}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500 ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5 s");
    }
}
