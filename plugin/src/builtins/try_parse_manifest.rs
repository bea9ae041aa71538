use serde::Serialize;

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
    let (origin, text) = super::origin_and_text(a)?;
    let parsed = match glix::manifest::load_str(&text, &origin) {
        Ok(value) => Parsed::Valid { success: true, value },
        Err(e) => Parsed::Invalid { success: false, error: e.to_string() },
    };
    a.write(ret, &parsed)
}

/// `{ success = true; value; }` or `{ success = false; error; }`.
#[derive(Serialize)]
#[serde(untagged)]
enum Parsed {
    Valid { success: bool, value: glix::manifest::Manifest },
    Invalid { success: bool, error: String },
}
