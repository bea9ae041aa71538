//! Splicing the rendered regions into `flake.nix`.

use super::markers::{locate, RegionSpan};
use super::render::render_lines;
use super::{Desired, PatchError};

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
    let located = locate(flake_nix)?;
    let [first, second] = located.in_file_order();
    let first_body = render_body(first, desired)?;
    let second_body = render_body(second, desired)?;

    // Five slices, each copied once: linear in the size of the old and new text.
    let kept = flake_nix.len() - first.body.len() - second.body.len();
    let mut out = String::with_capacity(kept + first_body.len() + second_body.len());
    out.push_str(&flake_nix[..first.body.start]);
    out.push_str(&first_body);
    out.push_str(&flake_nix[first.body.end..second.body.start]);
    out.push_str(&second_body);
    out.push_str(&flake_nix[second.body.end..]);
    Ok(out)
}

/// Is `flake_nix` exactly what [`patch`] would make of it: do both regions say what the
/// manifests say? ("The manifest is the truth.")
pub fn regions_match(flake_nix: &str, desired: &Desired) -> Result<bool, PatchError> {
    let located = locate(flake_nix)?;
    // Render both before comparing, so that `desired` is validated whatever the file
    // says: this refuses exactly when `patch` refuses.
    let [first, second] = located.in_file_order();
    let first_body = render_body(first, desired)?;
    let second_body = render_body(second, desired)?;
    Ok(
        flake_nix[first.body.clone()] == first_body
            && flake_nix[second.body.clone()] == second_body,
    )
}

fn render_body(span: &RegionSpan, desired: &Desired) -> Result<String, PatchError> {
    render_lines(span.region, desired, &span.indent, span.newline)
}
