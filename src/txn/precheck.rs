//! What must hold before a transaction changes anything: no git operation half-done,
//! no conflict markers in the files glix reads to regenerate flake.nix, HEAD on a
//! branch, and no uncommitted changes that glix's commit would swallow.

use super::TxnError;

/// The line (1-based) of the first git conflict marker in `text`: `<<<<<<< `,
/// `=======` or `>>>>>>> ` at the start of a line, as git writes them.
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    // Git writes all three markers; the substring search is fast enough for every
    // read of every manifest, the line scan only runs when it hits.
    if !text.contains("<<<<<<<") && !text.contains(">>>>>>>") {
        return None;
    }
    text.lines().position(|l| l.starts_with("<<<<<<< ") || l == "<<<<<<<" || l == "=======" || l.starts_with(">>>>>>> ") || l == ">>>>>>>").map(|i| i + 1)
}

/// Refuse a file holding conflict markers (a merge, `git stash pop` or rebase stopped on
/// a conflict there).
pub fn no_conflict_markers(rel: &str, text: &[u8]) -> Result<(), TxnError> {
    let Ok(text) = std::str::from_utf8(text) else { return Ok(()) };
    match conflict_marker_line(text) {
        Some(line) => Err(TxnError::ConflictMarkers { file: rel.to_string(), line }),
        None => Ok(()),
    }
}
