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
//! [`ser`] turns a value into a postfix program for a [`Sink`]; [`capi`] runs it with
//! the Nix C API (`nix_alloc_value`, the `nix_init_*` calls and the list and bindings
//! builders), the one value path, the same on every supported Nix. (A C++ builder
//! using the evaluator's allocator directly was faster on 2.26 but depends on C++
//! internals that change at 2.28, 2.32 and 2.33, so it went when the plugin grew to
//! cover 2.26 → 2.35.)

mod capi;
mod ser;

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

/// Build `data` as a Nix value in `out` (the uninitialised result Nix gave a primop).
pub fn write<T: Serialize + ?Sized>(ctx: *mut ffi::nix_c_context, state: *mut ffi::EvalState, out: *mut ffi::nix_value, data: &T) -> Result<(), Failure> {
    run(&mut capi::CapiSink::new(ctx, state), out, data)
}

fn run<S: Sink, T: Serialize + ?Sized>(sink: &mut S, out: *mut ffi::nix_value, data: &T) -> Result<(), Failure> {
    data.serialize(ser::Ser(&mut *sink)).map_err(|e| e.0)?;
    sink.finish(out)
}
