use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixImportManifest",
    args: &["origin", "text", "inputs", "defaultUser"],
    doc: "glixParseManifest and glixResolve in one call: { manifest; plan; } for a manifest's text, the flake's inputs (an attrset; only the names are used) and a default user (string or null). What lib.importManifest uses, so the manifest is not converted back from Nix values.",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let start = Instant::now();
    let (origin, text) = super::origin_and_text(a)?;
    let inputs = a.names(2, "the inputs (third argument)")?;
    let default_user = a.opt_string(3, "defaultUser (fourth argument)")?;
    let args = start.elapsed();
    let imported = glix::plan::import(&text, &origin, &inputs, default_user.as_deref()).map_err(|e| e.to_string())?;
    let planned = start.elapsed();
    let written = a.write(ret, &imported);
    if timing() {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "glix plugin: glixImportManifest {origin}: {} packages; arguments {:.3} ms, parse + validate + plan {:.3} ms, Nix values {:.3} ms",
            imported.manifest.packages.len(),
            ms(args),
            ms(planned - args),
            ms(start.elapsed() - planned)
        );
    }
    written
}

/// `GLIX_PLUGIN_TIMING=1`: say on stderr where each call's time went (scripts/bench
/// reads it; also for anyone wondering what an evaluation spends in glix).
fn timing() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GLIX_PLUGIN_TIMING").is_some_and(|v| !v.is_empty() && v != "0"))
}
