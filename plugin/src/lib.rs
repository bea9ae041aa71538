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
//! * `glixInfo` → the plugin version, the manifest schemas it reads and its value
//!   builder (`GLIX_PLUGIN_VALUES=capi|cpp`; see `to_nix`)
//!
//! This crate holds adapters only: argument checking, value conversion and error
//! translation. Parsing, naming and planning live in the `glix` library.

mod builtins;
mod ffi;
mod primop;
mod to_nix;
mod value;

/// Called by Nix right after it `dlopen`s the plugin: register the builtins.
///
/// Registration failures are printed and skipped rather than aborting: a plugin must
/// never take the evaluator down, and the Nix side falls back to pure Nix when the
/// builtins are missing.
#[no_mangle]
pub extern "C" fn nix_plugin_entry() {
    let result = std::panic::catch_unwind(|| {
        for b in builtins::ALL {
            if let Err(e) = primop::register(b) {
                eprintln!(
                    "glix nix plugin: could not register builtins.{}: {e}",
                    b.name
                );
            }
        }
    });
    if result.is_err() {
        eprintln!("glix nix plugin: registration panicked; its builtins are unavailable");
    }
}
