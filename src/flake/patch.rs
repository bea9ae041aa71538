//! Splicing the rendered regions into `flake.nix`.

use std::ops::Range;

use super::markers::{locate, Located, RegionSpan};
use super::render::render_lines;
use super::{Desired, DesiredRef, PatchError, Region};

/// The whole new text of `flake_nix` with both regions regenerated from `desired`.
///
/// Only the bytes between each pair of marker lines change; the marker lines and
/// everything outside them are copied as they are, so the file keeps its line endings
/// and its trailing newline (or lack of one). Refuses, returning nothing to write, when
/// a marker is missing, duplicated or out of order, when the regions overlap, or when a
/// name or string in `desired` cannot be written safely.
///
/// The result depends only on the text outside the regions and on `desired`, so
/// patching twice, or patching a file whose regions were emptied, gives the same bytes.
pub fn patch(flake_nix: &str, desired: &Desired) -> Result<String, PatchError> {
    patch_ref(flake_nix, &desired.as_ref())
}

/// [`patch`] for a borrowed [`DesiredRef`] (what glix's own commands build).
pub fn patch_ref(flake_nix: &str, desired: &DesiredRef) -> Result<String, PatchError> {
    let bodies = rendered_bodies(flake_nix, desired)?;

    // The text between the regions and each new body, each copied once: linear in the
    // size of the old and new text.
    let kept = flake_nix.len() - bodies.iter().map(|(r, _)| r.len()).sum::<usize>();
    let mut out = String::with_capacity(kept + bodies.iter().map(|(_, b)| b.len()).sum::<usize>());
    let mut at = 0;
    for (range, body) in &bodies {
        out.push_str(&flake_nix[at..range.start]);
        out.push_str(body);
        at = range.end;
    }
    out.push_str(&flake_nix[at..]);
    Ok(out)
}

/// Is `flake_nix` exactly what [`patch`] would make of it: do both regions say what the
/// manifests say? ("The manifest is the truth.")
pub fn regions_match(flake_nix: &str, desired: &Desired) -> Result<bool, PatchError> {
    // Both are rendered before comparing, so that `desired` is validated whatever the
    // file says: this refuses exactly when `patch` refuses.
    let bodies = rendered_bodies(flake_nix, &desired.as_ref())?;
    Ok(bodies.iter().all(|(body, new)| flake_nix[body.clone()] == *new))
}

/// The regions of `flake_nix` (inputs first) whose body is not what `desired` renders
/// for it — `glix doctor`'s check, which reports rather than refuses: a region
/// `desired` cannot be rendered into counts as differing.
pub fn differing_regions(flake_nix: &str, located: &Located, desired: &DesiredRef) -> Vec<Region> {
    [Region::Inputs, Region::Hosts, Region::Fleet]
        .into_iter()
        .filter(|&region| match located.get(region) {
            Some(span) => render_lines(region, desired, &span.indent, span.newline).ok().as_deref() != Some(&flake_nix[span.body.clone()]),
            // No fleet region: it differs only when an engine is asked for.
            None => desired.fleet.is_some(),
        })
        .collect()
}

/// Each region's body in `flake_nix` with the text `desired` gives it, the one nearer
/// the top of the file first: what [`patch`] splices in and [`regions_match`] compares.
/// An engine asked for in a file without a fleet region is refused.
fn rendered_bodies(flake_nix: &str, desired: &DesiredRef) -> Result<Vec<(Range<usize>, String)>, PatchError> {
    let located = locate(flake_nix)?;
    if desired.fleet.is_some() && located.fleet.is_none() {
        return Err(PatchError::NoFleetRegion);
    }
    let render = |span: &RegionSpan| render_lines(span.region, desired, &span.indent, span.newline).map(|new| (span.body.clone(), new));
    located.in_file_order().into_iter().map(render).collect()
}
