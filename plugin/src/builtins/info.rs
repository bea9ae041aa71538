use crate::ffi;
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixInfo",
    args: &[],
    doc: "The glix plugin's version, the Nix C API it was built against, and the manifest schemas it reads.",
    run,
};

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let info = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "nixApiVersion": env!("GLIX_NIX_API_VERSION"),
        "currentSchema": glix::manifest::CURRENT_SCHEMA,
        "schemas": (glix::manifest::OLDEST_SCHEMA..=glix::manifest::CURRENT_SCHEMA).collect::<Vec<_>>(),
    });
    a.write(ret, &info)
}
