//! Registering builtins and the trampoline every call goes through: it catches Rust
//! panics and turns them, like every other failure, into an ordinary Nix evaluation
//! error. Nothing a Nix expression passes in can crash the evaluator.

use std::ffi::{c_char, c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::ffi;
use crate::value::{Args, Failure};

/// One builtin: its name in `builtins`, its argument names and documentation, and the
/// adapter that runs it. The adapter writes its result into `ret`.
pub struct Builtin {
    pub name: &'static str,
    pub args: &'static [&'static str],
    pub doc: &'static str,
    pub run: fn(&Args, *mut ffi::nix_value) -> Result<(), Failure>,
}

/// Allocate a primop for `b` and add it to `builtins` (for every EvalState created
/// afterwards, which is every one: plugins load before evaluation starts).
pub fn register(b: &'static Builtin) -> Result<(), String> {
    let name = CString::new(b.name).map_err(|e| e.to_string())?;
    let doc = CString::new(b.doc).map_err(|e| e.to_string())?;
    let arg_names: Vec<CString> = b.args.iter().map(|a| CString::new(*a).unwrap()).collect();
    let mut arg_ptrs: Vec<*const c_char> = arg_names.iter().map(|a| a.as_ptr()).collect();
    arg_ptrs.push(ptr::null());
    // SAFETY: nix_c_context_create takes no arguments; the context it returns is ours
    // until the nix_c_context_free below, and is not used after it.
    let ctx = unsafe { ffi::api().nix_c_context_create() };
    // SAFETY: ctx is live (above). `name`, `doc` and every string behind `arg_ptrs`
    // (a NULL-terminated array, as the C API wants) live until the end of this
    // function, and nix_alloc_primop copies them into the PrimOp's std::strings. The
    // user_data is `b`, a &'static Builtin, so it is valid for every later call of the
    // trampoline; the trampoline only reads it as a `&Builtin`.
    let op = unsafe {
        ffi::api().nix_alloc_primop(
            ctx,
            Some(trampoline),
            b.args.len() as i32,
            name.as_ptr(),
            arg_ptrs.as_mut_ptr(),
            doc.as_ptr(),
            b as *const Builtin as *mut c_void,
        )
    };
    let result = if op.is_null() {
        Err(crate::value::context_message(ctx).unwrap_or_else(|| "nix_alloc_primop failed".into()))
    } else if {
        // SAFETY: `op` is the non-null PrimOp nix_alloc_primop just returned (it holds a
        // GC reference to it), registered exactly once; ctx is live.
        unsafe { ffi::api().nix_register_primop(ctx, op) }
    } != ffi::nix_err_NIX_OK
    {
        Err(crate::value::context_message(ctx).unwrap_or_else(|| "nix_register_primop failed".into()))
    } else {
        Ok(())
    };
    // SAFETY: ctx came from nix_c_context_create and is freed once; the messages read
    // from it above were copied into Strings first.
    unsafe { ffi::api().nix_c_context_free(ctx) };
    result
}

/// The C entry point of every builtin.
unsafe extern "C" fn trampoline(
    user_data: *mut c_void,
    ctx: *mut ffi::nix_c_context,
    state: *mut ffi::EvalState,
    args: *mut *mut ffi::nix_value,
    ret: *mut ffi::nix_value,
) {
    // SAFETY: user_data is the `b as *const Builtin` that `register` gave
    // nix_alloc_primop for this primop, and `b` is a &'static Builtin: valid, aligned
    // and never mutated, for as long as the process runs.
    let b = unsafe { &*(user_data as *const Builtin) };
    // SAFETY: `state` is the pointer nix_c_primop_wrapper passed to this primop
    // callback, primop_state's precondition; its result only goes to C API functions.
    let state = unsafe { ffi::primop_state(state) };
    let call = Args { ctx, state, args, arity: b.args.len() };
    let outcome = catch_unwind(AssertUnwindSafe(|| (b.run)(&call, ret)));
    let message = match outcome {
        Ok(Ok(())) => return,
        // Nix already put its own error (e.g. from forcing an argument) into ctx.
        Ok(Err(Failure::Nix)) => return,
        Ok(Err(Failure::Message(m))) => format!("builtins.{}: {m}", b.name),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            format!("builtins.{}: internal error in the glix plugin (a bug; please report it): {what}", b.name)
        }
    };
    let msg = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: ctx is the nix_c_context that nix_c_primop_wrapper passed to this call
    // (a local of its frame, live until we return); nix_set_err_msg copies `msg` into
    // it, and `msg` lives until the end of this function.
    unsafe {
        ffi::api().nix_set_err_msg(ctx, ffi::nix_err_NIX_ERR_UNKNOWN, msg.as_ptr());
    }
}
