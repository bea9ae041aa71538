//! Results as Nix values, built straight from any `T: Serialize` — no
//! `serde_json::Value` in between (building and dropping that tree cost about a fifth
//! of a large `glixImportManifest` call).
//!
//! The mapping is serde_json's, so results are what `serde_json::to_value` gave before:
//! structs and maps → attrsets, sequences and tuples → lists, `None`/unit → null,
//! unit variants → their name as a string, other variants → `{ <variant> = …; }`,
//! integers → ints (a u64 above i64::MAX → a float), non-finite floats → null.
//! Strings and attribute names with a NUL byte are an error (Nix strings end at NUL).
//!
//! [`ser`] turns a value into a postfix program for a [`Sink`]; two sinks run it:
//! [`capi`] (the Nix C API: portable, but every value is a registered GC root) and
//! [`cpp`] (cpp/value_builder.cc: the evaluator's own allocators, for the exact Nix
//! this plugin was built against). `GLIX_PLUGIN_VALUES=capi|cpp` picks one; the
//! default is cpp when the running Nix is the version the plugin was built for.

mod capi;
mod cpp;
mod ser;

use std::ffi::CStr;
use std::sync::OnceLock;

use serde::Serialize;

use crate::ffi;
use crate::value::Failure;

/// The receiving end of the serializer: a stack machine. Scalars push a value, `name`
/// pushes an attribute name, `list(n)` pops n values and pushes the list of them (in
/// push order), `attrs(n)` pops n names and n values and pushes the attrset pairing
/// them; `finish` moves the one remaining value into the builtin's result.
pub(crate) trait Sink {
    fn null(&mut self) -> Result<(), Failure>;
    fn bool(&mut self, b: bool) -> Result<(), Failure>;
    fn int(&mut self, i: i64) -> Result<(), Failure>;
    fn float(&mut self, f: f64) -> Result<(), Failure>;
    /// `s` contains no NUL byte (the serializer checks).
    fn string(&mut self, s: &str) -> Result<(), Failure>;
    /// `s` contains no NUL byte (the serializer checks).
    fn name(&mut self, s: &str) -> Result<(), Failure>;
    fn list(&mut self, n: usize) -> Result<(), Failure>;
    /// A name given twice is an error (serde_json would keep the last value; no type
    /// the plugin returns can produce one). `from_map` says whether the names are map
    /// keys; struct field names are distinct by construction, so a sink whose check
    /// is not free may skip them.
    fn attrs(&mut self, n: usize, from_map: bool) -> Result<(), Failure>;
    fn finish(&mut self, out: *mut ffi::nix_value) -> Result<(), Failure>;
}

/// How result values are built; see the module documentation.
#[derive(Clone, Copy)]
pub enum Backend {
    Capi,
    Cpp,
}

impl Backend {
    /// As GLIX_PLUGIN_VALUES spells it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Capi => "capi",
            Backend::Cpp => "cpp",
        }
    }
}

/// The backend for this process, from `GLIX_PLUGIN_VALUES` (read once).
pub fn backend() -> Backend {
    static CHOSEN: OnceLock<Backend> = OnceLock::new();
    *CHOSEN.get_or_init(|| {
        let cpp_ok = cpp_matches_running_nix();
        let default = if cpp_ok { Backend::Cpp } else { Backend::Capi };
        match std::env::var("GLIX_PLUGIN_VALUES").ok().as_deref() {
            None | Some("") => default,
            Some("capi") => Backend::Capi,
            Some("cpp") if cpp_ok => Backend::Cpp,
            Some("cpp") => {
                eprintln!(
                    "glix nix plugin: GLIX_PLUGIN_VALUES=cpp ignored: this Nix is not {}, the \
                     version the C++ value builder was compiled against; using the C API",
                    env!("GLIX_NIX_API_VERSION")
                );
                Backend::Capi
            }
            Some(other) => {
                eprintln!(
                    "glix nix plugin: GLIX_PLUGIN_VALUES={other:?} is not `capi` or `cpp`; \
                     using {}",
                    default.name()
                );
                default
            }
        }
    })
}

/// The C++ builder uses the evaluator's C++ internals (Value, Bindings, the symbol
/// table, the allocation cache), which are only stable within one Nix release; the
/// build pins the headers, this pins the process.
fn cpp_matches_running_nix() -> bool {
    // SAFETY: glix_running_nix_version takes no arguments and returns the c_str() of
    // nix::nixVersion, a const global std::string of libnixstore: non-null,
    // NUL-terminated and never modified or freed while the process evaluates.
    let running = unsafe { CStr::from_ptr(cpp::glix_running_nix_version()) };
    running.to_bytes() == env!("GLIX_NIX_API_VERSION").as_bytes()
}

/// Build `data` as a Nix value in `out` (the uninitialised result Nix gave a primop).
pub fn write<T: Serialize + ?Sized>(
    ctx: *mut ffi::nix_c_context,
    state: *mut ffi::EvalState,
    out: *mut ffi::nix_value,
    data: &T,
) -> Result<(), Failure> {
    match backend() {
        Backend::Capi => run(&mut capi::CapiSink::new(ctx, state), out, data),
        Backend::Cpp => run(&mut cpp::CppSink::new(state)?, out, data),
    }
}

fn run<S: Sink, T: Serialize + ?Sized>(
    sink: &mut S,
    out: *mut ffi::nix_value,
    data: &T,
) -> Result<(), Failure> {
    data.serialize(ser::Ser(&mut *sink)).map_err(|e| e.0)?;
    sink.finish(out)
}
