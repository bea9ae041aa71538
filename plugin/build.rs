//! Generate Rust bindings for the Nix C API from the headers of the toolchain this
//! plugin will be loaded into (found through pkg-config: nix-expr-c and friends), and
//! link against its libraries with an rpath so no LD_LIBRARY_PATH is needed.

use std::env;
use std::path::PathBuf;

const HEADERS: &str = r#"
#include <nix_api_util.h>
#include <nix_api_store.h>
#include <nix_api_expr.h>
#include <nix_api_value.h>
"#;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let lib = pkg_config::Config::new()
        .atleast_version("2.26")
        .probe("nix-expr-c")
        .unwrap_or_else(|e| {
            panic!(
                "the Nix C API (pkg-config nix-expr-c >= 2.26) was not found: {e}\n\
                 Build the toolchain and load its environment first:\n  \
                 scripts/bootstrap-nix && . scripts/env.sh"
            )
        });
    let version = lib.version.clone();
    println!("cargo:rustc-env=GLIX_NIX_API_VERSION={version}");
    for dir in &lib.link_paths {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    }

    // pkg-config's flags carry -std=c++2a for the C++ API; this is C, and the headers
    // use C23 attributes (`[[deprecated]]`), hence -std=c2x.
    let clang_args = std::iter::once("-std=c2x".to_string()).chain(
        lib.include_paths
            .iter()
            .map(|p| format!("-I{}", p.display()))
            .chain(lib.defines.iter().map(|(k, v)| match v {
                Some(v) => format!("-D{k}={v}"),
                None => format!("-D{k}"),
            })),
    );
    let bindings = bindgen::Builder::default()
        .header_contents("glix_nix_api.h", HEADERS)
        .clang_args(clang_args)
        .allowlist_function("nix_.*")
        .allowlist_type(
            "nix_.*|NIX_.*|ValueType|PrimOpFun|EvalState|Store|BindingsBuilder|ListBuilder|PrimOp",
        )
        .allowlist_var("NIX_.*")
        .generate_comments(false)
        .layout_tests(false)
        .generate()
        .expect("bindgen failed on the Nix C API headers");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("nix_api.rs");
    bindings
        .write_to_file(&out)
        .expect("writing the Nix C API bindings");

    build_cpp(&version);
}

/// Compile the C++ parts against the Nix C++ headers: cpp/eval_state_offset.cc (see
/// the comment there) and cpp/value_builder.cc (the fast path for building results,
/// plugin/src/to_nix/cpp.rs). Both depend on the C++ layout of one Nix release: the
/// primop EvalState mix-up the first corrects is a property of the 2.26 C API, so
/// other versions are refused rather than silently mis-corrected, and the plugin
/// uses the value builder only when the running Nix is the one it was built against.
fn build_cpp(version: &str) {
    if !version.starts_with("2.26.") {
        panic!(
            "glix's Nix plugin supports the Nix 2.26 C API; found {version}. Nix 2.26 passes \
             primops a pointer that needs the correction in cpp/eval_state_offset.cc; check \
             whether {version} still does before allowing it here."
        );
    }
    let cpp = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("nix-expr")
        .expect("pkg-config nix-expr (the Nix C++ headers) not found");
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../cpp");
    let files = ["eval_state_offset.cc", "value_builder.cc"].map(|f| dir.join(f));
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let mut build = cc::Build::new();
    build.cpp(true).std("c++20").includes(&cpp.include_paths);
    // Nix compiles itself with its config headers force-included, and the layout of
    // its classes depends on them (EvalState has GC-only members under HAVE_BOEHMGC),
    // so the same goes for code that touches those classes; the .pc files omit it.
    for h in ["config-util.hh", "config-store.hh", "config-expr.hh"] {
        build.flag("-include").flag(h);
    }
    build.files(&files).warnings(false).compile("glix_nix_shim");
    // The value builder calls into the evaluator (libnixexpr; libnixstore for the
    // version, libnixutil for assertions) and Boehm GC (libgc); all are already
    // loaded in every `nix` process.
    for lib in ["nixexpr", "nixstore", "nixutil", "gc"] {
        println!("cargo:rustc-link-lib=dylib={lib}");
    }
}
