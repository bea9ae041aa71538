use serde::Serialize;

use crate::ffi;
use crate::primop::Builtin;
use crate::to_nix;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixInfo",
    args: &[],
    doc: "The glix plugin's version, the Nix C API it was built against, and the manifest schemas it reads, and which value builder it uses (GLIX_PLUGIN_VALUES).",
    run,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    version: &'static str,
    nix_api_version: &'static str,
    current_schema: i64,
    schemas: Vec<i64>,
    /// How results are built: "cpp" or "capi" (see GLIX_PLUGIN_VALUES in to_nix).
    value_builder: &'static str,
}

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let info = Info {
        version: env!("CARGO_PKG_VERSION"),
        nix_api_version: env!("GLIX_NIX_API_VERSION"),
        current_schema: glix::manifest::CURRENT_SCHEMA,
        schemas: (glix::manifest::OLDEST_SCHEMA..=glix::manifest::CURRENT_SCHEMA).collect(),
        value_builder: to_nix::backend().name(),
    };
    a.write(ret, &info)
}
