use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixImportManifest",
    args: &["origin", "text", "inputs", "defaultUser"],
    doc: "glixParseManifest and glixResolve in one call: { manifest; plan; } for a manifest's text, the flake's inputs (an attrset; only the names are used) and a default user (string or null). What lib.importManifest uses, so the manifest is not converted back from Nix values.",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let (origin, text) = super::origin_and_text(a)?;
    let inputs = a.names(2, "the inputs (third argument)")?;
    let default_user = a.opt_string(3, "defaultUser (fourth argument)")?;
    let imported = glix::plan::import(&text, &origin, &inputs, default_user.as_deref())
        .map_err(|e| e.to_string())?;
    a.write(ret, &imported)
}
