use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixTryParseManifest",
    args: &["origin", "text"],
    doc: "Like glixParseManifest, but returns { success = true; value = <manifest>; } or { success = false; error = \"<message>\"; } instead of failing the evaluation (builtins.tryEval cannot catch builtin errors).",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let origin = a.string(0, "the origin (first argument)")?;
    let text = a.string(1, "the manifest text (second argument)")?;
    let result = match glix::manifest::load_str(&text, &origin) {
        Ok(m) => serde_json::json!({ "success": true, "value": m }),
        Err(e) => serde_json::json!({ "success": false, "error": e.to_string() }),
    };
    a.write(ret, &result)
}
