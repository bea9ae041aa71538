//! `glix search [TERM]`: the glix registry and the repo's locked nixpkgs
//! ([`crate::nixpkgs_index`]), merged into one ranked list, each hit marked by where it
//! came from. A source that fails is a warning as long as another one answers.

use std::path::Path;

use crate::nixpkgs_index::{self, IndexOptions, LockedNixpkgs, NixpkgsPackage};
use crate::resolve::{self, RegistryEntry, ResolveError, ResolveOptions};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchHit {
    Registry(RegistryEntry),
    Nixpkgs(NixpkgsPackage),
}

impl SearchHit {
    /// `registry` or `nixpkgs`.
    pub fn source(&self) -> &'static str {
        match self {
            SearchHit::Registry(_) => "registry",
            SearchHit::Nixpkgs(_) => "nixpkgs",
        }
    }

    /// The registry name, or the attribute path in nixpkgs.
    pub fn name(&self) -> &str {
        match self {
            SearchHit::Registry(e) => &e.name,
            SearchHit::Nixpkgs(p) => &p.attr,
        }
    }

    /// The package's version (nixpkgs knows it; the registry does not).
    pub fn version(&self) -> Option<&str> {
        match self {
            SearchHit::Registry(_) => None,
            SearchHit::Nixpkgs(p) => Some(p.version.as_str()).filter(|v| !v.is_empty()),
        }
    }

    pub fn description(&self) -> Option<&str> {
        match self {
            SearchHit::Registry(e) => e.description.as_deref(),
            SearchHit::Nixpkgs(p) => Some(p.description.as_str()).filter(|d| !d.is_empty()),
        }
    }

    /// What `glix add` takes for it.
    pub fn add_ref(&self) -> String {
        match self {
            SearchHit::Registry(e) => e.name.clone(),
            SearchHit::Nixpkgs(p) => format!("nixpkgs#{}", p.attr),
        }
    }
}

/// What [`search`] found.
#[derive(Debug)]
pub struct SearchReport {
    /// Best first: by rank (exact name, prefix, substring, description), then name, the
    /// registry before nixpkgs.
    pub hits: Vec<SearchHit>,
    pub registry_url: String,
    /// The nixpkgs that was searched, when one was.
    pub nixpkgs: Option<LockedNixpkgs>,
    /// Why a source was not searched, when that is no fault (no repo, no flake.lock).
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// Set when no source answered: the registry's error (the nixpkgs one is among the
    /// warnings).
    pub failure: Option<ResolveError>,
}

/// Searches the glix registry and, in a repo, the nixpkgs its flake.lock locks.
/// `building` is called before nixpkgs is evaluated (once per nixpkgs revision).
pub fn search(term: &str, repo: Option<&Path>, ropts: &ResolveOptions, iopts: &IndexOptions, building: &mut dyn FnMut(&LockedNixpkgs)) -> SearchReport {
    let mut report = SearchReport {
        hits: Vec::new(),
        registry_url: ropts.registry_url().to_string(),
        nixpkgs: None,
        notes: Vec::new(),
        warnings: Vec::new(),
        failure: None,
    };
    let mut ranked: Vec<(u8, SearchHit)> = Vec::new();
    let registry = resolve::load_registry(ropts);
    let registry_ok = match &registry {
        Ok(loaded) => {
            report.warnings.extend(loaded.warnings.iter().cloned());
            ranked.extend(loaded.index.search_ranked(term).into_iter().map(|(r, e)| (r, SearchHit::Registry(e.clone()))));
            true
        }
        Err(_) => false,
    };
    let nixpkgs_ok = match repo {
        None => {
            report.notes.push("not in a glix repository: searched the glix registry only".into());
            false
        }
        Some(root) => match nixpkgs_index::load(root, iopts, building) {
            Ok(loaded) => {
                report.warnings.extend(loaded.warnings);
                ranked.extend(loaded.index.search(term).into_iter().map(|(r, p)| (r, SearchHit::Nixpkgs(p.clone()))));
                report.nixpkgs = Some(loaded.index.nixpkgs);
                true
            }
            Err(e) if e.is_note() => {
                report.notes.push(format!("{e}: searched the glix registry only"));
                false
            }
            Err(e) => {
                report.warnings.push(format!("{e}; {}", if registry_ok { "searched the glix registry only" } else { "nixpkgs was not searched" }));
                false
            }
        },
    };
    match registry {
        Err(e) if nixpkgs_ok => report.warnings.push(format!("{e}; searched nixpkgs only")),
        Err(e) => report.failure = Some(e.into()),
        Ok(_) => {}
    }
    // Stable: each source's hits arrive in their order, the registry's first.
    ranked.sort_by(|a, b| (a.0, a.1.name()).cmp(&(b.0, b.1.name())));
    report.hits = ranked.into_iter().map(|(_, h)| h).collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nix::NixError;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Answers `nix search` with `out` (or fails with it, when it starts with `error:`)
    /// and counts its runs.
    #[derive(Debug)]
    struct FakeNix(&'static str, Arc<AtomicUsize>);

    impl crate::nix::NixRunner for FakeNix {
        fn run(&self, args: &[&str]) -> Result<String, NixError> {
            self.1.fetch_add(1, Ordering::SeqCst);
            assert_eq!(args[..2], ["search", "--json"]);
            match self.0.strip_prefix("error:") {
                Some(e) => Err(NixError::Failed { cmd: "nix search".into(), status: "exit status: 1".into(), code: Some(1), stderr: e.into() }),
                None => Ok(self.0.to_string()),
            }
        }
    }

    const LOCK: &str = r#"{"nodes": {"root": {"inputs": {"nixpkgs": "nixpkgs"}}, "nixpkgs": {"locked": {"narHash": "sha256-abc", "type": "path", "path": "/x"}}}, "root": "root", "version": 7}"#;
    const SEARCH: &str = r#"{"legacyPackages.x86_64-linux.cool": {"pname": "cool", "version": "1.0", "description": "Cool tool"},
        "legacyPackages.x86_64-linux.cooler": {"pname": "cooler", "version": "2.0", "description": ""},
        "legacyPackages.x86_64-linux.other": {"pname": "other", "version": "3", "description": "not so cool"}}"#;

    struct Fixture {
        dir: tempfile::TempDir,
        runs: Arc<AtomicUsize>,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("repo")).unwrap();
            std::fs::write(dir.path().join("repo/flake.lock"), LOCK).unwrap();
            std::fs::write(
                dir.path().join("index.json"),
                r#"{"version": 1, "packages": {"cool": {"flake": "github:o/cool", "description": "Registry cool"}}}"#,
            )
            .unwrap();
            Fixture { dir, runs: Arc::default() }
        }

        fn search(&self, term: &str, registry: &str, nix: &'static str) -> SearchReport {
            let mut r = ResolveOptions::new(Some(format!("file://{}", self.dir.path().join(registry).display())));
            r.cache_dir = None;
            let i = IndexOptions { cache_dir: Some(self.dir.path().join("cache")), offline: true, nix: Box::new(FakeNix(nix, self.runs.clone())) };
            search(term, Some(&self.dir.path().join("repo")), &r, &i, &mut |_| {})
        }
    }

    fn names(r: &SearchReport) -> Vec<(&str, &str)> {
        r.hits.iter().map(|h| (h.source(), h.name())).collect()
    }

    #[test]
    fn both_sources_merge_by_rank_then_name_the_registry_first() {
        let f = Fixture::new();
        let r = f.search("cool", "index.json", SEARCH);
        assert_eq!(names(&r), [("registry", "cool"), ("nixpkgs", "cool"), ("nixpkgs", "cooler"), ("nixpkgs", "other")]);
        assert!(r.warnings.is_empty() && r.notes.is_empty() && r.failure.is_none(), "{r:?}");
        assert_eq!(r.hits[1].add_ref(), "nixpkgs#cool");
        assert_eq!((r.hits[2].version(), r.hits[2].description()), (Some("2.0"), None));
        // the second search is answered from the cache
        f.search("cool", "index.json", SEARCH);
        assert_eq!(f.runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failing_source_is_a_warning_and_both_failing_is_the_registrys_error() {
        let f = Fixture::new();
        let r = f.search("cool", "index.json", "error: boom");
        assert_eq!(names(&r), [("registry", "cool")]);
        assert!(r.failure.is_none() && r.warnings.iter().any(|w| w.contains("boom") && w.ends_with("searched the glix registry only")), "{r:?}");
        let r = f.search("cool", "missing.json", "error: boom");
        assert!(matches!(r.failure, Some(ResolveError::Registry(_))), "{r:?}");
        let r = f.search("cool", "missing.json", SEARCH);
        assert!(r.failure.is_none() && r.warnings.iter().any(|w| w.ends_with("searched nixpkgs only")), "{r:?}");
        assert_eq!(r.hits.len(), 3);
    }
}
