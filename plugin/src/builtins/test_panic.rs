//! Test-only (feature `test-panic`): a builtin that panics, to show the trampoline
//! turns a Rust panic into an evaluation error instead of aborting `nix`.
use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin { name: "glixTestPanic", args: &["message"], doc: "Test only: panics with the given message.", run };

fn run(a: &Args, _ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let m = a.string(0, "the message")?;
    panic!("{m}");
}
