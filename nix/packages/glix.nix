# The glix CLI, built from this repository.
{ lib, rustPlatform, pkg-config, git }:
rustPlatform.buildRustPackage {
  pname = "glix";
  version = (lib.importTOML ../../Cargo.toml).workspace.package.version;
  src = lib.cleanSource ../..;
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "glix" ];
  nativeBuildInputs = [ pkg-config ];
  nativeCheckInputs = [ git ];
  # The end-to-end tests need the project's own Nix toolchain and a writable store.
  doCheck = false;
  meta = {
    description = "Manage a NixOS system declaratively from one git repo";
    mainProgram = "glix";
    license = lib.licenses.mit;
  };
}
