//! The portable sink: the Nix C API. Every value comes from `nix_alloc_value`, which
//! registers it as a GC root, so holding the pending values in a Rust `Vec` is safe;
//! each is released (`nix_value_decref`) once a container or the result holds it.

use std::ffi::{c_char, c_uint};

use super::Sink;
use crate::ffi;
use crate::value::{nix_ok, release_value, Failure};

pub struct CapiSink {
    ctx: *mut ffi::nix_c_context,
    state: *mut ffi::EvalState,
    /// Values not yet in a container, each holding one reference.
    values: Vec<*mut ffi::nix_value>,
    /// Pending attribute names, NUL-terminated one after another in one buffer (one
    /// allocation for all, instead of a CString each) ...
    names: Vec<u8>,
    /// ... and where each starts.
    name_starts: Vec<usize>,
    /// Scratch space to NUL-terminate a string for nix_init_string (which copies it).
    scratch: Vec<u8>,
}

impl CapiSink {
    pub fn new(ctx: *mut ffi::nix_c_context, state: *mut ffi::EvalState) -> Self {
        CapiSink { ctx, state, values: Vec::new(), names: Vec::new(), name_starts: Vec::new(), scratch: Vec::new() }
    }

    /// Allocate a value and let `init` initialise it; if that fails, release it again.
    fn make(&self, init: impl FnOnce(*mut ffi::nix_c_context, *mut ffi::nix_value) -> ffi::nix_err) -> Result<*mut ffi::nix_value, Failure> {
        // SAFETY: ctx is the primop call's live context and state primop_state's
        // pointer (only used through `->state`). The new value carries one GC
        // reference, released here on failure, else by whoever pops it.
        let v = unsafe { ffi::api().nix_alloc_value(self.ctx, self.state) };
        if v.is_null() {
            return Err(Failure::Nix);
        }
        let r = nix_ok(init(self.ctx, v));
        if r.is_err() {
            // SAFETY: v's reference is ours (above) and v is not used again.
            unsafe { release_value(self.ctx, v) };
        }
        r.map(|_| v)
    }

    /// Make a value with `init` and push it.
    fn push(&mut self, init: impl FnOnce(*mut ffi::nix_c_context, *mut ffi::nix_value) -> ffi::nix_err) -> Result<(), Failure> {
        let v = self.make(init)?;
        self.values.push(v);
        Ok(())
    }

    /// Pop the top `n` values, releasing them (after a container took them).
    fn release(&mut self, n: usize) {
        let base = self.values.len() - n;
        for v in self.values.drain(base..) {
            // SAFETY: each pending value holds exactly one reference, ours, and
            // draining removes it from the stack, so it is released once.
            unsafe { release_value(self.ctx, v) };
        }
    }

    fn check(&self, n: usize, names: bool) -> Result<(), Failure> {
        if n > self.values.len() || (names && n > self.name_starts.len()) {
            return Err("internal error: the value builder's stack is unbalanced".into());
        }
        Ok(())
    }

    /// The top `n` names (without their NULs), in push order.
    fn top_names(&self, n: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let first = self.name_starts.len() - n;
        (first..self.name_starts.len()).map(move |i| {
            let end = self.name_starts.get(i + 1).copied().unwrap_or(self.names.len());
            &self.names[self.name_starts[i]..end - 1]
        })
    }

    /// A name among the top `n` that occurs twice; cheap for maps that come sorted
    /// (BTreeMap).
    fn duplicate_name(&self, n: usize) -> Option<String> {
        let mut prev: Option<&[u8]> = None;
        let increasing = self.top_names(n).all(|s| {
            let ok = prev.is_none_or(|p| p < s);
            prev = Some(s);
            ok
        });
        let dup = if increasing {
            None
        } else {
            let mut sorted: Vec<&[u8]> = self.top_names(n).collect();
            sorted.sort_unstable();
            sorted.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
        };
        dup.map(|s| String::from_utf8_lossy(s).into_owned())
    }
}

impl Drop for CapiSink {
    fn drop(&mut self) {
        // After an error: release whatever was still pending.
        self.release(self.values.len());
    }
}

impl Sink for CapiSink {
    fn null(&mut self) -> Result<(), Failure> {
        // SAFETY: `make` calls the closure with the live context and the value it has
        // just allocated, still uninitialised as nix_init_* requires (the same holds
        // for the initialisers below).
        self.push(|ctx, v| unsafe { ffi::api().nix_init_null(ctx, v) })
    }

    fn bool(&mut self, b: bool) -> Result<(), Failure> {
        // SAFETY: as in `null`: a fresh value and the live context.
        self.push(|ctx, v| unsafe { ffi::api().nix_init_bool(ctx, v, b) })
    }

    fn int(&mut self, i: i64) -> Result<(), Failure> {
        // SAFETY: as in `null`: a fresh value and the live context.
        self.push(|ctx, v| unsafe { ffi::api().nix_init_int(ctx, v, i) })
    }

    fn float(&mut self, f: f64) -> Result<(), Failure> {
        // SAFETY: as in `null`: a fresh value and the live context.
        self.push(|ctx, v| unsafe { ffi::api().nix_init_float(ctx, v, f) })
    }

    fn string(&mut self, s: &str) -> Result<(), Failure> {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        buf.extend_from_slice(s.as_bytes());
        buf.push(0);
        // SAFETY: as in `null`; `buf` is NUL-terminated (and has no other NUL: the
        // serializer checks), and nix_init_string copies it into GC memory, so the
        // buffer is free again afterwards.
        let r = self.push(|ctx, v| unsafe { ffi::api().nix_init_string(ctx, v, buf.as_ptr() as *const c_char) });
        self.scratch = buf;
        r
    }

    fn name(&mut self, s: &str) -> Result<(), Failure> {
        self.name_starts.push(self.names.len());
        self.names.extend_from_slice(s.as_bytes());
        self.names.push(0);
        Ok(())
    }

    fn list(&mut self, n: usize) -> Result<(), Failure> {
        self.check(n, false)?;
        let base = self.values.len() - n;
        // SAFETY: ctx is live, state is primop_state's pointer. The builder is ours
        // until nix_list_builder_free below. The C API allocates it uncollectable but
        // GC-scanned (`new (NoGC)`), so the element array it points to stays alive
        // across the allocation `make` does before nix_make_list.
        let b = unsafe { ffi::api().nix_make_list_builder(self.ctx, self.state, n) };
        if b.is_null() {
            return Err(Failure::Nix);
        }
        let r = self.values[base..]
            .iter()
            .enumerate()
            .try_for_each(|(ix, child)| {
                // SAFETY: b is live with capacity n and ix < n (the C API does not
                // check); child is a pending value, rooted by our reference until
                // `release` below, by which time the list holds it.
                nix_ok(unsafe { ffi::api().nix_list_builder_insert(self.ctx, b, ix as c_uint, *child) })
            })
            .and_then(|_| {
                // SAFETY: `make` passes a fresh uninitialised value; b is live and
                // every one of its n slots was filled above.
                self.make(|ctx, v| unsafe { ffi::api().nix_make_list(ctx, b, v) })
            });
        // SAFETY: b came from nix_make_list_builder, is freed once and not used
        // afterwards (nix_make_list copied what it needed into the value).
        unsafe { ffi::api().nix_list_builder_free(b) };
        let v = r?;
        self.release(n);
        self.values.push(v);
        Ok(())
    }

    fn attrs(&mut self, n: usize, from_map: bool) -> Result<(), Failure> {
        self.check(n, true)?;
        if let Some(dup) = from_map.then(|| self.duplicate_name(n)).flatten() {
            return Err(format!("a result attrset has the attribute name \"{dup}\" twice").into());
        }
        let base = self.values.len() - n;
        let first_name = self.name_starts.len() - n;
        // SAFETY: as for lists: ctx is live, state is primop_state's pointer, and
        // the builder (uncollectable, GC-scanned, holding the GC-allocated Bindings) is
        // ours until nix_bindings_builder_free below.
        let b = unsafe { ffi::api().nix_make_bindings_builder(self.ctx, self.state, n) };
        if b.is_null() {
            return Err(Failure::Nix);
        }
        let r = (0..n)
            .try_for_each(|i| {
                // A bounds-checked slice, not pointer arithmetic: the name runs from
                // its start to its NUL, inside `names`.
                let name = self.names[self.name_starts[first_name + i]..].as_ptr();
                // SAFETY: b is live, and this is its (i+1)-th insert of n. `name` is
                // NUL-terminated inside `names`, which is not modified while this runs,
                // and nix_bindings_builder_insert copies it into the symbol table. The
                // value is a pending one, rooted by our reference until `release`.
                nix_ok(unsafe { ffi::api().nix_bindings_builder_insert(self.ctx, b, name as *const c_char, self.values[base + i]) })
            })
            .and_then(|_| {
                // SAFETY: `make` passes a fresh uninitialised value; b is live.
                self.make(|ctx, v| unsafe { ffi::api().nix_make_attrs(ctx, v, b) })
            });
        // SAFETY: b came from nix_make_bindings_builder, is freed once and not used
        // afterwards.
        unsafe { ffi::api().nix_bindings_builder_free(b) };
        let v = r?;
        self.release(n);
        if let Some(&start) = self.name_starts.get(first_name) {
            self.names.truncate(start);
            self.name_starts.truncate(first_name);
        }
        self.values.push(v);
        Ok(())
    }

    fn finish(&mut self, out: *mut ffi::nix_value) -> Result<(), Failure> {
        if self.values.len() != 1 || !self.name_starts.is_empty() {
            return Err("internal error: the value builder's stack is unbalanced".into());
        }
        // SAFETY: `out` is the primop's result (nix_c_primop_wrapper's fresh vTmp, still
        // uninitialised as nix_copy_value's check_value_out wants); the source is the
        // one pending value, initialised and rooted by our reference.
        nix_ok(unsafe { ffi::api().nix_copy_value(self.ctx, out, self.values[0]) })?;
        self.release(1);
        Ok(())
    }
}
