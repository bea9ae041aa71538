use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};
use glix::flakeref::{canonical_input_name, FlakeRef};

pub static BUILTIN: Builtin = Builtin {
    name: "glixInputName",
    args: &["flakeRef"],
    doc: "The canonical flake input name glix derives for a flake reference (the name `glix add` writes into flake.nix when it is free).",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let s = a.string(0, "the flake reference")?;
    let r = FlakeRef::parse(&s).map_err(|e| format!("\"{s}\" is not a valid flake reference: {e}"))?;
    a.write(ret, &canonical_input_name(&r))
}
