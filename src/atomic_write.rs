//! Crash-safe file replacement: write a temporary file in the same directory, fsync
//! it, rename it over the target, fsync the directory. After a power loss the target
//! holds either the old bytes or the new bytes, never a mix.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replace `path` with `contents` atomically, keeping the permissions of an existing
/// file (a new file gets the process umask, like any other editor would).
pub fn atomic_write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    // open(2) applies the umask to this mode, so a new file gets the same permissions
    // any other editor would give it (tempfile's own default is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    if let Ok(meta) = fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// The names of the temporary files [`atomic_write`] makes; a process killed between
/// creating one and renaming it leaves it behind.
pub const TEMP_PREFIX: &str = ".glix-tmp-";

/// Remove the temporary files a killed [`atomic_write`] left in `dir`. Only for a
/// directory no other glix writes to at the same time (the caller holds the repo lock).
pub fn remove_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let is_temp = e.file_name().to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX));
        if is_temp && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// fsync a directory so a rename in it survives a power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()?;
    }
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_contents_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("glix.toml");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        // no temporary files left behind
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn fails_cleanly_in_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope/glix.toml");
        assert!(atomic_write(&p, b"x").is_err());
        assert!(!p.exists());
    }
}
