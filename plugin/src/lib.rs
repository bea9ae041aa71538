//! glix's Nix plugin: the core library's manifest parsing and resolution as Nix
//! builtins, so `lib.importManifest` and the `glix` CLI share one implementation.
//!
//! Load it per call with `nix --option plugin-files /path/libglix_nix_plugin.so …`.
//! Builtins (all under the `glix` prefix; test with `builtins ? glixParseManifest`):
//!
//! * `glixParseManifest origin text` → the normalized manifest (defaults filled in,
//!   older schemas migrated), exactly what `glix manifest show --json` prints
//! * `glixTryParseManifest origin text` → `{ success; value; }` or `{ success = false; error; }`
//! * `glixInputName ref` → the canonical flake input name for a flake reference
//! * `glixResolve manifest inputs defaultUser` → the per-package module plan
//! * `glixImportManifest origin text inputs defaultUser` → `{ manifest; plan; }` (both at once)
//! * `glixInfo` → the plugin version, the Nix it was built for, the Nix versions its
//!   source supports and the manifest schemas it reads
//!
//! It registers them only in the exact Nix it was built for (see [`nix_plugin_entry`]).
//!
//! This crate holds adapters only: argument checking, value conversion and error
//! translation. Parsing, naming and planning live in the `glix` library.

mod builtins;
mod ffi;
// Shared with build.rs, which uses the parts the plugin itself does not (`bridge`).
#[allow(dead_code)]
mod nix_version;
mod primop;
mod to_nix;
mod value;

/// Called by Nix right after it `dlopen`s the plugin: register the builtins — if the
/// running Nix is the one the plugin was built for.
///
/// The plugin's C API calls (and, up to 2.33, the offset it corrects primop state by)
/// are those of one exact Nix, and the C API has no ABI promise; a plugin built for
/// another Nix registers nothing, says so once, and lets Nix go on (`importManifest`
/// falls back to pure Nix). The plugin links no Nix library, so this check runs in any
/// Nix, before anything of the Nix it was built for is loaded. Registration failures are printed and skipped rather than
/// aborting: a plugin must never take the evaluator down.
#[no_mangle]
pub extern "C" fn nix_plugin_entry() {
    let result = std::panic::catch_unwind(|| {
        if let Err(warning) = nix_version::check_running(env!("GLIX_NIX_API_VERSION"), running_nix().as_deref()) {
            eprintln!("warning: {warning}");
            return;
        }
        // Only now, with the right Nix running, its C API library (plugin/build.rs says
        // why the plugin does not link it).
        if let Err(e) = ffi::load() {
            eprintln!("warning: glix nix plugin: {e}; its builtins are not registered and lib.importManifest uses its pure-Nix fallback");
            return;
        }
        for b in builtins::ALL {
            if let Err(e) = primop::register(b) {
                eprintln!("glix nix plugin: could not register builtins.{}: {e}", b.name);
            }
        }
    });
    if result.is_err() {
        eprintln!("glix nix plugin: registration panicked; its builtins are unavailable");
    }
}

/// The running Nix's version. Test builds (feature `test-panic`) let
/// `GLIX_PLUGIN_TEST_RUNNING_NIX` stand in for it, so a test can show what a plugin
/// loaded by another Nix does without building a second Nix.
fn running_nix() -> Option<String> {
    #[cfg(feature = "test-panic")]
    if let Some(v) = std::env::var_os("GLIX_PLUGIN_TEST_RUNNING_NIX") {
        return Some(v.to_string_lossy().into_owned());
    }
    ffi::running_nix_version()
}
