use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixParseManifest",
    args: &["origin", "text"],
    doc: "Parse a glix.toml manifest (its text, e.g. from builtins.readFile) into the normalized manifest: defaults filled in, older schemas migrated. `origin` names the file in error messages.",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let (origin, text) = super::origin_and_text(a)?;
    let manifest = glix::manifest::load_str(&text, &origin).map_err(|e| e.to_string())?;
    a.write(ret, &manifest)
}
