//! Saving a manifest: validated text, replaced atomically.

use std::io;
use std::path::Path;

use super::ManifestDoc;
use crate::atomic_write::atomic_write;

/// Write `doc` to `path` atomically (temp file, fsync, rename, fsync the directory).
pub fn save(doc: &ManifestDoc, path: &Path) -> io::Result<()> {
    atomic_write(path, doc.text().as_bytes())
}
