use serde::Serialize;

use crate::ffi;
use crate::nix_version::{NEWEST_SERIES, OLDEST};
use crate::primop::Builtin;
use crate::value::{Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixInfo",
    args: &[],
    doc: "The glix plugin's version, the Nix it was built for (it registers its builtins only in that Nix), the range of Nix versions its source supports, and the manifest schemas it reads.",
    run,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    version: &'static str,
    /// The exact Nix the plugin was built against; the only one it registers in.
    built_for_nix: &'static str,
    /// The same, under its older name (`glix doctor` reads it).
    nix_api_version: &'static str,
    supported_nix: Supported,
    current_schema: i64,
    schemas: Vec<i64>,
}

/// The Nix versions the plugin's source builds for: `oldest` → `newest` (series),
/// except `refused`.
#[derive(Serialize)]
struct Supported {
    oldest: String,
    newest: String,
    refused: &'static [&'static str],
}

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let info = Info {
        version: env!("CARGO_PKG_VERSION"),
        built_for_nix: env!("GLIX_NIX_API_VERSION"),
        nix_api_version: env!("GLIX_NIX_API_VERSION"),
        supported_nix: Supported {
            oldest: format!("{}.{}", OLDEST.major, OLDEST.minor),
            newest: format!("{}.{}", NEWEST_SERIES.0, NEWEST_SERIES.1),
            refused: &["2.34.0"],
        },
        current_schema: glix::manifest::CURRENT_SCHEMA,
        schemas: (glix::manifest::OLDEST_SCHEMA..=glix::manifest::CURRENT_SCHEMA).collect(),
    };
    a.write(ret, &info)
}
