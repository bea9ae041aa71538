//! glix's per-user cache folder, shared by the registry cache and the nixpkgs index.

use std::path::{Path, PathBuf};

/// `$XDG_CACHE_HOME/glix/<name>`, else `$HOME/.cache/glix/<name>`; `None` when neither
/// variable holds an absolute path (a relative one would move with the current folder).
pub fn dir(name: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| Path::new(v).is_absolute())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| Path::new(v).is_absolute()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("glix").join(name))
}
