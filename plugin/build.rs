//! Generate Rust bindings for the Nix C API from the headers of the Nix this plugin
//! will be loaded into (found through pkg-config: nix-expr-c and friends), as a table of
//! function pointers the plugin fills from that Nix's `libnixexprc` at run time, and
//! adapt to its version (src/nix_version.rs says which versions and how).
//!
//! Not linked: a plugin that names a Nix library in DT_NEEDED makes the dynamic loader
//! bring that Nix into whatever `nix` loads the plugin, before any plugin code runs.
//! From 2.32 the libraries' SONAMEs carry the full version, so another Nix's libraries
//! load beside the running one's and their static initialisers register into the same
//! global tables ("Input scheme with name git already registered", then a crash); up to
//! 2.31 the same SONAME makes the foreign C API library miss symbols and Nix refuses
//! the plugin, failing every command. Loaded only once the guard has seen the right
//! Nix running, the library's own Nix dependencies are the ones already in the process.
//!
//!
//! * `cfg(nix_at_least = "2.N")` for every supported series up to the one found, and
//!   `nix_at_least = "2.34.1"` (spelt as nix-bindings-rust spells it);
//! * `cfg(glix_primop_inner_state)` up to 2.33, where a primop's `EvalState *` is the
//!   inner `nix::EvalState` and plugin/cpp/eval_state_offset.cc is compiled against
//!   that Nix's own headers to correct it; nothing from 2.34.1; 2.34.0 is refused;
//! * `GLIX_NIX_API_VERSION`: the exact version, which the load-time guard compares
//!   with the running Nix;
//! * `GLIX_NIX_C_API_LIB`: the absolute path of that Nix's `libnixexprc` (the file, not
//!   the development symlink), which the plugin `dlopen`s after the guard.

use std::env;
use std::path::{Path, PathBuf};

#[path = "src/nix_version.rs"]
#[allow(dead_code)]
mod nix_version;

use nix_version::{Bridge, Version};

const HEADERS: &str = r#"
#include <nix_api_util.h>
#include <nix_api_store.h>
#include <nix_api_expr.h>
#include <nix_api_value.h>
"#;

/// Every C API function the plugin calls: loading fails, and the plugin registers
/// nothing, if the library lacks one.
const C_API_CALLS: &[&str] = &[
    "nix_c_context_create",
    "nix_c_context_free",
    "nix_err_code",
    "nix_err_msg",
    "nix_set_err_msg",
    "nix_alloc_primop",
    "nix_register_primop",
    "nix_value_force",
    "nix_get_type",
    "nix_get_bool",
    "nix_get_int",
    "nix_get_float",
    "nix_get_string",
    "nix_get_path_string",
    "nix_get_list_size",
    "nix_get_list_byidx",
    "nix_get_attrs_size",
    "nix_get_attr_byidx",
    "nix_get_attr_name_byidx",
    "nix_get_attr_byname",
    "nix_has_attr_byname",
    "nix_alloc_value",
    "nix_value_decref",
    "nix_copy_value",
    "nix_init_null",
    "nix_init_bool",
    "nix_init_int",
    "nix_init_float",
    "nix_init_string",
    "nix_make_list_builder",
    "nix_list_builder_insert",
    "nix_list_builder_free",
    "nix_make_list",
    "nix_make_bindings_builder",
    "nix_bindings_builder_insert",
    "nix_bindings_builder_free",
    "nix_make_attrs",
];

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=src/nix_version.rs");
    // cargo_metadata(false): find the headers and the library, link nothing (above).
    let lib = pkg_config::Config::new().atleast_version("2.26").cargo_metadata(false).probe("nix-expr-c").unwrap_or_else(|e| {
        panic!(
            "the Nix C API (pkg-config nix-expr-c >= 2.26) was not found: {e}\n\
                 Build the toolchain and load its environment first:\n  \
                 scripts/bootstrap-nix && . scripts/env.sh"
        )
    });
    let version_str = lib.version.clone();
    let version = Version::parse(&version_str).unwrap_or_else(|| panic!("pkg-config reports Nix version {version_str:?}, which is not N.N.N"));
    let bridge = nix_version::bridge(version).unwrap_or_else(|e| panic!("glix's Nix plugin cannot be built for this Nix: {e}"));
    println!("cargo:rustc-env=GLIX_NIX_API_VERSION={version_str}");
    emit_version_cfgs(version, bridge);
    let c_api = lib
        .link_paths
        .iter()
        .map(|dir| dir.join("libnixexprc.so"))
        .find_map(|p| std::fs::canonicalize(p).ok())
        .unwrap_or_else(|| panic!("libnixexprc.so is not in the Nix C API's library folders {:?}", lib.link_paths));
    println!("cargo:rustc-env=GLIX_NIX_C_API_LIB={}", c_api.display());

    // pkg-config's flags carry -std=c++2a for the C++ API; this is C, and the headers
    // use C23 attributes (`[[deprecated]]`), hence -std=c2x.
    let clang_args = std::iter::once("-std=c2x".to_string()).chain(lib.include_paths.iter().map(|p| format!("-I{}", p.display())).chain(
        lib.defines.iter().map(|(k, v)| match v {
            Some(v) => format!("-D{k}={v}"),
            None => format!("-D{k}"),
        }),
    ));
    let bindings = bindgen::Builder::default()
        .header_contents("glix_nix_api.h", HEADERS)
        .clang_args(clang_args)
        .allowlist_function(C_API_CALLS.join("|"))
        .dynamic_library_name("NixCApi")
        .dynamic_link_require_all(true)
        .wrap_unsafe_ops(true)
        .allowlist_type("nix_.*|NIX_.*|ValueType|PrimOpFun|EvalState|Store|BindingsBuilder|ListBuilder|PrimOp")
        .allowlist_var("NIX_.*")
        .generate_comments(false)
        .layout_tests(false)
        .generate()
        .expect("bindgen failed on the Nix C API headers");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("nix_api.rs");
    bindings.write_to_file(&out).expect("writing the Nix C API bindings");

    build_cpp(bridge, &lib.include_paths);
}

/// `nix_at_least` for each supported series up to `v` (and for 2.34.1, the first Nix
/// whose primops get a real C API wrapper), declared for check-cfg so a typo in a
/// `#[cfg]` is a warning; and the bridge cfg.
fn emit_version_cfgs(v: Version, bridge: Bridge) {
    let (major, newest) = nix_version::NEWEST_SERIES;
    let series: Vec<(u32, u32)> = (nix_version::OLDEST.minor..=newest).map(|minor| (major, minor)).collect();
    let mut known: Vec<String> = series.iter().map(|(a, b)| format!("\"{a}.{b}\"")).collect();
    known.push("\"2.34.1\"".into());
    println!("cargo:rustc-check-cfg=cfg(nix_at_least, values({}))", known.join(", "));
    println!("cargo:rustc-check-cfg=cfg(glix_primop_inner_state)");
    for (a, b) in series {
        if (v.major, v.minor) >= (a, b) {
            println!("cargo:rustc-cfg=nix_at_least=\"{a}.{b}\"");
        }
    }
    if v >= Version::new(2, 34, 1) {
        println!("cargo:rustc-cfg=nix_at_least=\"2.34.1\"");
    }
    if bridge == Bridge::InnerState {
        println!("cargo:rustc-cfg=glix_primop_inner_state");
    }
}

/// The plugin's C++, all under plugin/cpp/: running_nix_version.cc always (it needs no
/// Nix headers), and eval_state_offset.cc where the primop bridge needs it, compiled
/// against the C++ headers of this very Nix (pkg-config nix-expr), since the offset it
/// reports is a property of that release's class layout.
fn build_cpp(bridge: Bridge, c_api_includes: &[PathBuf]) {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("cpp");
    let version_file = dir.join("running_nix_version.cc");
    println!("cargo:rerun-if-changed={}", version_file.display());
    cc::Build::new().cpp(true).std("c++17").file(&version_file).warnings(false).compile("glix_nix_version");
    // dlsym: in libc from glibc 2.34, in libdl before.
    println!("cargo:rustc-link-lib=dylib=dl");

    if bridge != Bridge::InnerState {
        return;
    }
    let cpp = pkg_config::Config::new().cargo_metadata(false).probe("nix-expr").expect("pkg-config nix-expr (the Nix C++ headers) not found");
    let shim = dir.join("eval_state_offset.cc");
    println!("cargo:rerun-if-changed={}", shim.display());
    let mut build = cc::Build::new();
    build.cpp(true).std("c++20").includes(&cpp.include_paths).includes(c_api_includes);
    // Up to 2.27 Nix compiles itself with its config headers force-included, and the
    // layout of its classes depends on them (EvalState has GC-only members under
    // HAVE_BOEHMGC), so the same goes for code that measures those classes; the .pc
    // files omit it. From 2.28 the headers include their own config
    // (nix/expr/config.hh, NIX_USE_BOEHMGC) and nothing is forced.
    let has = |rel: &str| cpp.include_paths.iter().any(|p| Path::new(p).join(rel).exists());
    if !has("nix/expr/config.hh") {
        for h in ["config-util.hh", "config-store.hh", "config-expr.hh"] {
            if has(h) {
                build.flag("-include").flag(h);
            }
        }
    }
    build.file(&shim).warnings(false).compile("glix_nix_shim");
}
