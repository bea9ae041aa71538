//! Moving data across the boundary: reading builtin arguments (always forcing and
//! type-checking before any getter — the C API's getters assert on a wrong type,
//! which would abort the whole `nix` process) and handing results to `to_nix`.

use std::collections::BTreeSet;
use std::ffi::{c_char, c_uint, c_void, CStr};

use serde_json::{Map, Number, Value as Json};

use crate::ffi;

/// Why a builtin failed.
pub enum Failure {
    /// Nix reported an error (it is already in the call's context).
    Nix,
    /// Our own message for the user.
    Message(String),
}

impl<T: Into<String>> From<T> for Failure {
    fn from(m: T) -> Self {
        Failure::Message(m.into())
    }
}

/// Nesting deeper than this in a value handed to a builtin is refused: it is never a
/// manifest, and a cyclic attrset (`rec { a = { inherit a; }; }`) would recurse forever.
const MAX_DEPTH: usize = 32;

/// The arguments of one builtin call.
pub struct Args {
    pub ctx: *mut ffi::nix_c_context,
    pub state: *mut ffi::EvalState,
    pub args: *mut *mut ffi::nix_value,
    pub arity: usize,
}

impl Args {
    fn arg(&self, i: usize) -> *mut ffi::nix_value {
        assert!(i < self.arity, "argument {i} of a {}-ary builtin", self.arity);
        // SAFETY: i < arity (asserted above), and arity is `Builtin::args.len()`, the
        // arity `register` gave nix_alloc_primop, so Nix passes an array of exactly
        // that many value pointers, live for the whole call.
        unsafe { *self.args.add(i) }
    }

    /// Force a value and return its type.
    fn force(&self, v: *mut ffi::nix_value) -> Result<ffi::ValueType, Failure> {
        // SAFETY: v is one of this call's arguments or a child value we hold a
        // reference to, so it is live and initialised (a thunk at worst); ctx is the
        // call's context and state is primop_state's pointer, which the C API only
        // uses through `->state`.
        nix_ok(unsafe { ffi::api().nix_value_force(self.ctx, self.state, v) })?;
        // SAFETY: as above; nix_get_type has no type precondition, and v is forced.
        Ok(unsafe { ffi::api().nix_get_type(self.ctx, v) })
    }

    /// Argument `i` as a string (a path is accepted too, as its string form).
    pub fn string(&self, i: usize, what: &str) -> Result<String, Failure> {
        let v = self.arg(i);
        match self.force(v)? {
            ffi::ValueType_NIX_TYPE_STRING => self.get_string(v),
            ffi::ValueType_NIX_TYPE_PATH => self.get_path(v),
            t => Err(format!("{what} must be a string, but it is {}", type_name(t)).into()),
        }
    }

    /// Argument `i` as a string, or `None` for `null`.
    pub fn opt_string(&self, i: usize, what: &str) -> Result<Option<String>, Failure> {
        if self.force(self.arg(i))? == ffi::ValueType_NIX_TYPE_NULL {
            return Ok(None);
        }
        self.string(i, what).map(Some)
    }

    /// Argument `i` as a set of names: a list of strings, or an attrset whose
    /// attribute names are taken without evaluating the values (so `inputs` of a flake
    /// can be passed as it is).
    pub fn names(&self, i: usize, what: &str) -> Result<BTreeSet<String>, Failure> {
        let v = self.arg(i);
        match self.force(v)? {
            ffi::ValueType_NIX_TYPE_ATTRS => {
                // SAFETY: nix_get_type returned NIX_TYPE_ATTRS for the forced v, so
                // nix_get_attrs_size's type assertion cannot fire.
                let n = unsafe { ffi::api().nix_get_attrs_size(self.ctx, v) };
                (0..n)
                    .map(|ix| {
                        // SAFETY: nix_get_attr_name_byidx checks neither the type nor
                        // the index; both hold here: v is an attrset (above) and
                        // ix < its size. state is primop_state's pointer.
                        let name = unsafe { ffi::api().nix_get_attr_name_byidx(self.ctx, v, self.state, ix) };
                        if name.is_null() {
                            return Err(Failure::Nix);
                        }
                        // SAFETY: a non-null result is the c_str() of a symbol in the
                        // evaluator's symbol table: NUL-terminated, never freed while the
                        // EvalState lives (longer than this call); copied right here.
                        Ok(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned())
                    })
                    .collect()
            }
            ffi::ValueType_NIX_TYPE_LIST => match self.to_json(v, what, 0)? {
                Json::Array(items) => items
                    .into_iter()
                    .map(|x| match x {
                        Json::String(s) => Ok(s),
                        other => Err(format!("{what} must be a list of strings, but it contains {other}").into()),
                    })
                    .collect(),
                _ => unreachable!("a forced list converts to a JSON array"),
            },
            t => Err(format!("{what} must be an attrset (e.g. the flake's `inputs`) or a list of names, but it is {}", type_name(t)).into()),
        }
    }

    fn get_string(&self, v: *mut ffi::nix_value) -> Result<String, Failure> {
        let mut out = String::new();
        // SAFETY: every caller calls this only after nix_get_type returned
        // NIX_TYPE_STRING for the forced v, so nix_get_string's type assertion cannot
        // fire. The user_data is `&mut out`, the String collect_string expects, not
        // otherwise borrowed while nix_get_string runs, and live until after it returns.
        nix_ok(unsafe { ffi::api().nix_get_string(self.ctx, v, Some(collect_string), &mut out as *mut String as *mut c_void) })?;
        Ok(out)
    }

    fn get_path(&self, v: *mut ffi::nix_value) -> Result<String, Failure> {
        // SAFETY: every caller calls this only after nix_get_type returned
        // NIX_TYPE_PATH for the forced v, so nix_get_path_string's type assertion
        // cannot fire.
        let p = unsafe { ffi::api().nix_get_path_string(self.ctx, v) };
        if p.is_null() {
            return Err(Failure::Nix);
        }
        // SAFETY: a non-null result is v's own NUL-terminated path string (GC memory
        // that v references); v is live for this whole function, and the bytes are
        // copied before it returns.
        Ok(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    fn to_json(&self, v: *mut ffi::nix_value, what: &str, depth: usize) -> Result<Json, Failure> {
        if depth > MAX_DEPTH {
            return Err(format!("{what} is nested more than {MAX_DEPTH} levels deep (is it cyclic?)").into());
        }
        let t = self.force(v)?;
        // Every getter below runs only in the arm for the type nix_get_type returned for
        // the forced v, so the C API's type assertions (which abort the process) cannot
        // fire; v stays live for the whole function.
        Ok(match t {
            ffi::ValueType_NIX_TYPE_NULL => Json::Null,
            ffi::ValueType_NIX_TYPE_BOOL => {
                // SAFETY: v is a bool (this arm).
                Json::Bool(unsafe { ffi::api().nix_get_bool(self.ctx, v) })
            }
            ffi::ValueType_NIX_TYPE_INT => {
                // SAFETY: v is an int (this arm).
                Json::from(unsafe { ffi::api().nix_get_int(self.ctx, v) })
            }
            ffi::ValueType_NIX_TYPE_FLOAT => {
                // SAFETY: v is a float (this arm).
                let f = unsafe { ffi::api().nix_get_float(self.ctx, v) };
                Number::from_f64(f).map(Json::Number).ok_or_else(|| format!("{what} contains a float that is not finite"))?
            }
            ffi::ValueType_NIX_TYPE_STRING => Json::String(self.get_string(v)?),
            ffi::ValueType_NIX_TYPE_PATH => Json::String(self.get_path(v)?),
            ffi::ValueType_NIX_TYPE_LIST => {
                // SAFETY: v is a list (this arm).
                let n = unsafe { ffi::api().nix_get_list_size(self.ctx, v) };
                let mut items = Vec::with_capacity(n as usize);
                for ix in 0..n {
                    // SAFETY: v is a list and ix < its size (the C API does not check
                    // the index); state is primop_state's pointer. A non-null result
                    // carries a GC reference that is ours to release.
                    let child = unsafe { ffi::api().nix_get_list_byidx(self.ctx, v, self.state, ix) };
                    if child.is_null() {
                        return Err(Failure::Nix);
                    }
                    let item = self.to_json(child, what, depth + 1);
                    // SAFETY: `child`'s reference, released once, after its last use
                    // (`item` owns copies of everything read from it).
                    unsafe { release_value(self.ctx, child) };
                    items.push(item?);
                }
                Json::Array(items)
            }
            ffi::ValueType_NIX_TYPE_ATTRS => {
                // SAFETY: v is an attrset (this arm).
                let n = unsafe { ffi::api().nix_get_attrs_size(self.ctx, v) };
                let mut map = Map::new();
                for ix in 0..n {
                    let mut name: *const c_char = std::ptr::null();
                    // SAFETY: nix_get_attr_byidx checks neither the type nor the index;
                    // both hold: v is an attrset (this arm) and ix < its size. `name` is
                    // a valid out-pointer. A non-null result carries a GC reference
                    // that is ours to release.
                    let child = unsafe { ffi::api().nix_get_attr_byidx(self.ctx, v, self.state, ix, &mut name) };
                    if child.is_null() {
                        return Err(Failure::Nix);
                    }
                    if name.is_null() {
                        // Not seen in practice: Nix sets the name before anything that
                        // can fail. Do not leak the reference if it ever happens.
                        // SAFETY: `child`'s reference, released once, not used again.
                        unsafe { release_value(self.ctx, child) };
                        return Err("internal error: nix_get_attr_byidx gave no name".into());
                    }
                    // SAFETY: a non-null name is the c_str() of a symbol in the
                    // evaluator's symbol table, NUL-terminated and alive as long as the
                    // EvalState; copied right here.
                    let key = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
                    let item = self.to_json(child, what, depth + 1);
                    // SAFETY: `child`'s reference, released once, after its last use.
                    unsafe { release_value(self.ctx, child) };
                    map.insert(key, item?);
                }
                Json::Object(map)
            }
            other => return Err(format!("{what} must be plain data, but it contains {}", type_name(other)).into()),
        })
    }

    /// Argument `i` itself, to read parts of it with the `*_of` functions below.
    pub fn value(&self, i: usize) -> *mut ffi::nix_value {
        self.arg(i)
    }

    /// Force `v` and return its type, as [`type_name`] spells it on error.
    pub fn type_of(&self, v: *mut ffi::nix_value) -> Result<ffi::ValueType, Failure> {
        self.force(v)
    }

    /// Attribute `name` of `v` (which must be a forced attrset), forced; `None` when
    /// there is none. Only that attribute is evaluated.
    pub fn attr_of<'a>(&'a self, v: *mut ffi::nix_value, name: &str) -> Result<Option<Held<'a>>, Failure> {
        let cname = std::ffi::CString::new(name).map_err(|_| "attribute name with a NUL byte")?;
        // SAFETY: v is a forced attrset (the caller checked nix_get_type), so
        // nix_has_attr_byname's type assertion cannot fire; cname is NUL-terminated and
        // lives across the call; state is primop_state's pointer.
        if !unsafe { ffi::api().nix_has_attr_byname(self.ctx, v, self.state, cname.as_ptr()) } {
            return Ok(None);
        }
        // SAFETY: as above; the attribute exists. A non-null result carries a GC
        // reference, which Held releases.
        let child = unsafe { ffi::api().nix_get_attr_byname(self.ctx, v, self.state, cname.as_ptr()) };
        if child.is_null() {
            return Err(Failure::Nix);
        }
        Ok(Some(Held { args: self, v: child }))
    }

    /// The attributes of `v` (a forced attrset) in Nix's order, each forced.
    pub fn attrs_of(&self, v: *mut ffi::nix_value) -> Result<Vec<(String, Held<'_>)>, Failure> {
        // SAFETY: v is a forced attrset (caller), so the type assertion cannot fire.
        let n = unsafe { ffi::api().nix_get_attrs_size(self.ctx, v) };
        let mut out = Vec::with_capacity(n as usize);
        for ix in 0..n {
            let mut name: *const c_char = std::ptr::null();
            // SAFETY: v is an attrset and ix < its size (nix_get_attr_byidx checks
            // neither); `name` is a valid out-pointer; state is primop_state's pointer.
            // A non-null result carries a GC reference, which Held releases.
            let child = unsafe { ffi::api().nix_get_attr_byidx(self.ctx, v, self.state, ix, &mut name) };
            if child.is_null() {
                return Err(Failure::Nix);
            }
            let held = Held { args: self, v: child };
            if name.is_null() {
                return Err("internal error: nix_get_attr_byidx gave no name".into());
            }
            // SAFETY: a non-null name is the c_str() of a symbol in the evaluator's
            // symbol table, NUL-terminated and alive as long as the EvalState; copied.
            let key = unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned();
            out.push((key, held));
        }
        Ok(out)
    }

    /// `v` as a string (a path too), else an error naming `what`.
    pub fn string_of(&self, v: *mut ffi::nix_value, what: &str) -> Result<String, Failure> {
        match self.force(v)? {
            ffi::ValueType_NIX_TYPE_STRING => self.get_string(v),
            ffi::ValueType_NIX_TYPE_PATH => self.get_path(v),
            t => Err(format!("{what} must be a string, but it is {}", type_name(t)).into()),
        }
    }

    /// `v` as a boolean, else an error naming `what`.
    pub fn bool_of(&self, v: *mut ffi::nix_value, what: &str) -> Result<bool, Failure> {
        match self.force(v)? {
            // SAFETY: v is a forced bool (this arm), so nix_get_bool's assertion holds.
            ffi::ValueType_NIX_TYPE_BOOL => Ok(unsafe { ffi::api().nix_get_bool(self.ctx, v) }),
            t => Err(format!("{what} must be true or false, but it is {}", type_name(t)).into()),
        }
    }

    /// `v` as an integer, else an error naming `what`.
    pub fn int_of(&self, v: *mut ffi::nix_value, what: &str) -> Result<i64, Failure> {
        match self.force(v)? {
            // SAFETY: v is a forced int (this arm), so nix_get_int's assertion holds.
            ffi::ValueType_NIX_TYPE_INT => Ok(unsafe { ffi::api().nix_get_int(self.ctx, v) }),
            t => Err(format!("{what} must be an integer, but it is {}", type_name(t)).into()),
        }
    }

    /// Build `data` as a Nix value in `out` (the uninitialised result Nix gave us).
    pub fn write<T: serde::Serialize + ?Sized>(&self, out: *mut ffi::nix_value, data: &T) -> Result<(), Failure> {
        crate::to_nix::write(self.ctx, self.state, out, data)
    }
}

/// A value the C API handed us with a reference of ours (an attribute), released when
/// dropped.
pub struct Held<'a> {
    args: &'a Args,
    v: *mut ffi::nix_value,
}

impl Held<'_> {
    pub fn ptr(&self) -> *mut ffi::nix_value {
        self.v
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // SAFETY: self.v carries the one reference nix_get_attr_by* gave us, released
        // once, here; the call's ctx is live while `args` is borrowed.
        unsafe { release_value(self.args.ctx, self.v) }
    }
}

/// Check a C API return code; on failure the error is already in the context.
pub fn nix_ok(err: ffi::nix_err) -> Result<(), Failure> {
    if err == ffi::nix_err_NIX_OK {
        Ok(())
    } else {
        Err(Failure::Nix)
    }
}

/// nix_get_string's callback: append the bytes to the String behind `user_data`.
unsafe extern "C" fn collect_string(start: *const c_char, n: c_uint, user_data: *mut c_void) {
    // SAFETY: Nix calls this (call_nix_get_string_callback) with a std::string's
    // c_str() and size(): non-null, `n` initialised bytes, alive during the call.
    let bytes = unsafe { std::slice::from_raw_parts(start as *const u8, n as usize) };
    // SAFETY: the only caller, get_string, passes `&mut out` for a String it does not
    // touch until nix_get_string has returned, so this is the only reference.
    let out = unsafe { &mut *(user_data as *mut String) };
    out.push_str(&String::from_utf8_lossy(bytes));
}

/// The last error message in a context, if any. `ctx` must be a live context.
pub fn context_message(ctx: *mut ffi::nix_c_context) -> Option<String> {
    // SAFETY: ctx is live (the callers' own context); nix_err_code only reads it.
    if unsafe { ffi::api().nix_err_code(ctx) } == ffi::nix_err_NIX_OK {
        // Not nix_err_msg: with no error to read it reports "No error message" into
        // its first argument, and with that NULL it throws a C++ exception instead,
        // which would unwind into Rust.
        return None;
    }
    // SAFETY: ctx is live and holds an error (code checked above; every C API path
    // that sets a code also sets the message), so nix_err_msg returns that message
    // without touching its NULL first argument. The pointer is owned by ctx, which is
    // not modified before the message is copied here.
    let p = unsafe { ffi::api().nix_err_msg(std::ptr::null_mut(), ctx, std::ptr::null_mut()) };
    // SAFETY: non-null: the c_str() of ctx's message string, NUL-terminated.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// Release a value reference the C API gave us (nix_alloc_value, nix_get_*_byidx)
/// without losing an error already in `ctx`: nix_value_decref begins by resetting its
/// context's error code, and a builtin that returns `Failure::Nix` relies on that code
/// (with it cleared, Nix reports "return value was not initialized" instead of the
/// real error). With an error pending, the reference is released through a scratch
/// context.
///
/// # Safety
/// `ctx` is live, and `v` holds a reference of ours that is not used afterwards.
pub unsafe fn release_value(ctx: *mut ffi::nix_c_context, v: *mut ffi::nix_value) {
    // SAFETY: ctx is live (caller); nix_err_code only reads it.
    if unsafe { ffi::api().nix_err_code(ctx) } == ffi::nix_err_NIX_OK {
        // SAFETY: v holds a reference of ours (caller), released exactly once here;
        // ctx is live.
        unsafe { ffi::api().nix_value_decref(ctx, v) };
        return;
    }
    // SAFETY: nix_c_context_create takes no arguments; the scratch context is freed
    // right below, after its only use.
    let scratch = unsafe { ffi::api().nix_c_context_create() };
    // SAFETY: as above, with the live scratch context instead of ctx.
    unsafe { ffi::api().nix_value_decref(scratch, v) };
    // SAFETY: created above, freed once, not used afterwards.
    unsafe { ffi::api().nix_c_context_free(scratch) };
}

pub fn type_name(t: ffi::ValueType) -> &'static str {
    match t {
        ffi::ValueType_NIX_TYPE_THUNK => "a thunk",
        ffi::ValueType_NIX_TYPE_INT => "an integer",
        ffi::ValueType_NIX_TYPE_FLOAT => "a float",
        ffi::ValueType_NIX_TYPE_BOOL => "a boolean",
        ffi::ValueType_NIX_TYPE_STRING => "a string",
        ffi::ValueType_NIX_TYPE_PATH => "a path",
        ffi::ValueType_NIX_TYPE_NULL => "null",
        ffi::ValueType_NIX_TYPE_ATTRS => "a set",
        ffi::ValueType_NIX_TYPE_LIST => "a list",
        ffi::ValueType_NIX_TYPE_FUNCTION => "a function",
        ffi::ValueType_NIX_TYPE_EXTERNAL => "an external value",
        _ => "a value of unknown type",
    }
}
