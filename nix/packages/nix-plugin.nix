# The glix Nix plugin, built against the C API of `nix` (by default the Nix of the
# package set; the NixOS module passes config.nix.package so the ABI matches the Nix
# that will load it).
{ lib, rustPlatform, pkg-config, llvmPackages, nix }:
rustPlatform.buildRustPackage {
  pname = "glix-nix-plugin";
  version = (lib.importTOML ../../Cargo.toml).workspace.package.version;
  src = lib.cleanSource ../..;
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "glix-nix-plugin" ];
  nativeBuildInputs = [ pkg-config rustPlatform.bindgenHook ];
  buildInputs = [ nix.dev or nix ];
  doCheck = false;
  installPhase = ''
    runHook preInstall
    install -Dm644 target/*/release/libglix_nix_plugin.so -t $out/lib \
      || install -Dm644 target/release/libglix_nix_plugin.so -t $out/lib
    runHook postInstall
  '';
  passthru.pluginFile = "lib/libglix_nix_plugin.so";
  meta = {
    description = "Nix plugin: glix's manifest parsing and resolution as Nix builtins";
    license = lib.licenses.mit;
  };
}
