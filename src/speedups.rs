//! The speed-ups glix keeps, each of which `scripts/bench` turns off alone to measure
//! what it buys (BENCHMARKS.md's ablation table): `GLIX_SPEEDUPS_OFF=summary-cache,…`.
//! A speed-up without a row there that shows it paying is removed, not kept "in case".
//! (The allocator is a build-time choice: the `mimalloc` feature.) Measured and removed
//! for buying < 10 % on every row: new blobs written on helper threads, and zlib-ng.

use std::sync::OnceLock;

/// One speed-up that can be turned off at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speedup {
    /// Per-host summaries kept by content in `.git/glix-cache` (src/ops/summary.rs).
    SummaryCache,
    /// The validated model of a manifest kept by content next to its summary.
    ModelCache,
    /// Files exactly as committed journaled by their blob id rather than their contents.
    BlobJournal,
}

impl Speedup {
    const ALL: [(Speedup, &'static str); 3] =
        [(Speedup::SummaryCache, "summary-cache"), (Speedup::ModelCache, "model-cache"), (Speedup::BlobJournal, "blob-journal")];

    /// Whether this speed-up is in use (it is unless `GLIX_SPEEDUPS_OFF` names it).
    pub fn on(self) -> bool {
        static OFF: OnceLock<Vec<Speedup>> = OnceLock::new();
        let off = OFF.get_or_init(|| {
            let names = std::env::var("GLIX_SPEEDUPS_OFF").unwrap_or_default();
            Speedup::ALL.iter().filter(|(_, n)| names.split(',').any(|x| x.trim() == *n)).map(|(s, _)| *s).collect()
        });
        !off.contains(&self)
    }
}
