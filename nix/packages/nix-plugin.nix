# The glix Nix plugin, built against the C API of `nix` — by default the Nix of the
# package set; the NixOS module passes config.nix.package, because a plugin registers
# its builtins only in the exact Nix it was built for (plugin/src/lib.rs).
#
# The build needs pkg-config (to find nix-expr-c and read its version), libclang for
# bindgen (bindgenHook sets LIBCLANG_PATH and the C include paths), a C++ compiler
# for plugin/cpp (stdenv's), and the Nix development headers: `nix.dev` where the
# Nix package splits them out, with the C API (nix-expr-c, Nix ≥ 2.26).
{ lib, rustPlatform, pkg-config, nix }:
let
  version = lib.getVersion nix;
  # What plugin/src/nix_version.rs accepts; checked here too so that evaluation, not a
  # half-finished build, says so (the NixOS module asserts on it with a message).
  supported =
    lib.versionAtLeast version "2.26"
    && lib.versionOlder version "2.36"
    && !(lib.versions.majorMinor version == "2.34" && lib.versions.patch version == "0");
in
rustPlatform.buildRustPackage {
  pname = "glix-nix-plugin";
  version = (lib.importTOML ../../Cargo.toml).workspace.package.version;
  src = lib.cleanSource ../..;
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "glix-nix-plugin" ];
  nativeBuildInputs = [ pkg-config rustPlatform.bindgenHook ];
  buildInputs = [ (nix.dev or nix) ];
  doCheck = false;
  installPhase = ''
    runHook preInstall
    install -Dm644 target/*/release/libglix_nix_plugin.so -t $out/lib \
      || install -Dm644 target/release/libglix_nix_plugin.so -t $out/lib
    runHook postInstall
  '';
  passthru = {
    pluginFile = "lib/libglix_nix_plugin.so";
    nixVersion = version;
    inherit supported;
    supportedRange = "2.26 to 2.35 (not 2.34.0)";
  };
  meta = {
    description = "Nix plugin: glix's manifest parsing and resolution as Nix builtins (built for Nix ${version})";
    license = lib.licenses.mit;
    broken = !supported;
  };
}
