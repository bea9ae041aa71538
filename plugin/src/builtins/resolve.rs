use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};
use glix::manifest::Manifest;

pub static BUILTIN: Builtin = Builtin {
    name: "glixResolve",
    args: &["manifest", "inputs", "defaultUser"],
    doc: "The module plan for a normalized manifest: for each enabled package its input, output path, scope, user and config. `inputs` is the flake's inputs (an attrset; only the names are used) or a list of input names; `defaultUser` (a string or null) applies to home packages without a user.",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let data = a.json(0, "the manifest (first argument)")?;
    let manifest: Manifest = serde_json::from_value(data)
        .map_err(|e| format!("the first argument is not a normalized manifest (pass the result of glixParseManifest): {e}"))?;
    let inputs = a.names(1, "the inputs (second argument)")?;
    let default_user = a.opt_string(2, "defaultUser (third argument)")?;
    let plan =
        glix::plan::plan(&manifest, &inputs, default_user.as_deref()).map_err(|e| e.to_string())?;
    a.write(ret, &plan)
}
