//! `GLIX_BUILD_ID`: a hash of the library's sources, the key under which glix's cache
//! keeps validated manifests (src/ops/summary.rs). A cache entry is trusted only by a
//! glix built from the very code that validated it: the crate version alone was shared
//! by every development build, whatever its validation rules.

use std::hash::Hasher;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    // FNV-1a, 64 bits: stable across Rust releases (std's hasher makes no such promise).
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for f in files.iter().map(|p| p.as_path()).chain([Path::new("Cargo.toml")]) {
        h.write(f.to_string_lossy().as_bytes());
        h.write(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=GLIX_BUILD_ID={:016x}", h.finish());
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
