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
    let origin = a.string(0, "the origin (first argument)")?;
    let text = a.string(1, "the manifest text (second argument)")?;
    match glix::manifest::load_str(&text, &origin) {
        Ok(value) => a.write(
            ret,
            &Parsed::Valid {
                success: true,
                value,
            },
        ),
        Err(e) => a.write(
            ret,
            &Parsed::Invalid {
                success: false,
                error: e.to_string(),
            },
        ),
    }
}

/// `{ success = true; value; }` or `{ success = false; error; }`.
#[derive(Serialize)]
#[serde(untagged)]
enum Parsed {
    Valid {
        success: bool,
        value: glix::manifest::Manifest,
    },
    Invalid {
        success: bool,
        error: String,
    },
}
