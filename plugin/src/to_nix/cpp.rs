//! The fast sink: cpp/value_builder.cc, which allocates values with the evaluator's
//! own allocator instead of registering each as a GC root through the C API. Rust
//! holds no value pointers at all, only the builder (whose pending values live in
//! GC-scanned memory; the GC-safety argument is in the C++ file).

use std::ffi::{c_char, c_int, CStr};

use super::Sink;
use crate::ffi;
use crate::value::Failure;

/// Opaque: the C++ builder.
#[repr(C)]
struct Builder {
    _private: [u8; 0],
}

// Every function catches all C++ exceptions and returns nonzero on failure.
extern "C" {
    pub(super) fn glix_running_nix_version() -> *const c_char;
    fn glix_vb_new(state: *mut ffi::EvalState, gc_every: usize) -> *mut Builder;
    fn glix_vb_free(b: *mut Builder);
    fn glix_vb_error(b: *const Builder) -> *const c_char;
    fn glix_vb_null(b: *mut Builder) -> c_int;
    fn glix_vb_bool(b: *mut Builder, x: bool) -> c_int;
    fn glix_vb_int(b: *mut Builder, x: i64) -> c_int;
    fn glix_vb_float(b: *mut Builder, x: f64) -> c_int;
    fn glix_vb_string(b: *mut Builder, s: *const c_char, len: usize) -> c_int;
    fn glix_vb_name(b: *mut Builder, s: *const c_char, len: usize) -> c_int;
    fn glix_vb_list(b: *mut Builder, n: usize) -> c_int;
    fn glix_vb_attrs(b: *mut Builder, n: usize) -> c_int;
    fn glix_vb_finish(b: *mut Builder, out: *mut ffi::nix_value) -> c_int;
}

pub struct CppSink(*mut Builder);

impl CppSink {
    /// `state` is the C API wrapper pointer the other C API calls of this primop use.
    pub fn new(state: *mut ffi::EvalState) -> Result<Self, Failure> {
        // SAFETY: state is this primop call's primop_state pointer, and glix_vb_new
        // reads only `state->state` (the real nix::EvalState, which outlives the
        // call and so the builder, dropped before the primop returns). It catches
        // every C++ exception and returns NULL instead.
        let b = unsafe { glix_vb_new(state, gc_stress()) };
        if b.is_null() {
            Err("out of memory while building the result".into())
        } else {
            Ok(CppSink(b))
        }
    }

    fn ok(&self, rc: c_int) -> Result<(), Failure> {
        if rc == 0 {
            return Ok(());
        }
        // SAFETY: self.0 is the live builder (freed only in Drop); glix_vb_error never
        // returns NULL and the string it returns is NUL-terminated and owned by the
        // builder, which is not touched again before the message is copied.
        let msg = unsafe { CStr::from_ptr(glix_vb_error(self.0)) };
        Err(msg.to_string_lossy().into_owned().into())
    }
}

/// Tests only (feature `test-panic`): `GLIX_PLUGIN_GC_STRESS=n` makes the builder run
/// a full garbage collection every n values, to show that nothing it holds can be
/// collected (tests/plugin_builtins.rs compares the results with the C API's).
fn gc_stress() -> usize {
    #[cfg(feature = "test-panic")]
    {
        static EVERY: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *EVERY.get_or_init(|| {
            std::env::var("GLIX_PLUGIN_GC_STRESS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        })
    }
    #[cfg(not(feature = "test-panic"))]
    0
}

impl Drop for CppSink {
    fn drop(&mut self) {
        // SAFETY: self.0 is the non-null builder glix_vb_new returned (`new` checks),
        // owned by this CppSink alone and freed once, here.
        unsafe { glix_vb_free(self.0) }
    }
}

// Every call below passes self.0, the live builder this CppSink owns (non-null, freed
// only in Drop); every glix_vb_* entry point is noexcept and catches all C++
// exceptions, so none unwinds into Rust.
impl Sink for CppSink {
    fn null(&mut self) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_null(self.0) })
    }
    fn bool(&mut self, b: bool) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_bool(self.0, b) })
    }
    fn int(&mut self, i: i64) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_int(self.0, i) })
    }
    fn float(&mut self, f: f64) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_float(self.0, f) })
    }
    fn string(&mut self, s: &str) -> Result<(), Failure> {
        // SAFETY: self.0 is live; `s` is valid for `s.len()` bytes during the call
        // (a dangling but non-null pointer when empty, which C++ never reads), and
        // the builder copies them (mkString / the symbol table).
        self.ok(unsafe { glix_vb_string(self.0, s.as_ptr() as *const c_char, s.len()) })
    }
    fn name(&mut self, s: &str) -> Result<(), Failure> {
        // SAFETY: self.0 is live; `s` is valid for `s.len()` bytes during the call
        // (a dangling but non-null pointer when empty, which C++ never reads), and
        // the builder copies them (mkString / the symbol table).
        self.ok(unsafe { glix_vb_name(self.0, s.as_ptr() as *const c_char, s.len()) })
    }
    fn list(&mut self, n: usize) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_list(self.0, n) })
    }
    /// Duplicates are found for free after the C++ side sorts the attributes, so
    /// struct fields are checked too.
    fn attrs(&mut self, n: usize, _from_map: bool) -> Result<(), Failure> {
        // SAFETY: self.0 is live (see above); no pointer argument besides it.
        self.ok(unsafe { glix_vb_attrs(self.0, n) })
    }
    fn finish(&mut self, out: *mut ffi::nix_value) -> Result<(), Failure> {
        // SAFETY: self.0 is live; `out` is the primop's result value (a nix_value, whose
        // only member is the nix::Value glix_vb_finish assigns to).
        self.ok(unsafe { glix_vb_finish(self.0, out) })
    }
}
