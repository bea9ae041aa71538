# The glix CLI, built from this repository, with its shell completions and man pages.
#
# What the build needs beyond Rust: the default feature `mimalloc` (a C compiler,
# which stdenv has) and pkg-config; git2 vendors
# libgit2 and is built without SSH or HTTPS, so no OpenSSL. The plugin is a separate
# package (nix-plugin.nix), built per Nix.
{ lib, stdenv, rustPlatform, pkg-config, installShellFiles, git }:
rustPlatform.buildRustPackage {
  pname = "glix";
  version = (lib.importTOML ../../Cargo.toml).workspace.package.version;
  src = lib.cleanSource ../..;
  cargoLock.lockFile = ../../Cargo.lock;
  cargoBuildFlags = [ "-p" "glix" ];
  nativeBuildInputs = [ pkg-config installShellFiles ];
  nativeCheckInputs = [ git ];
  # The end-to-end tests need the project's own Nix toolchain and a writable store.
  doCheck = false;
  postInstall = lib.optionalString (stdenv.buildPlatform.canExecute stdenv.hostPlatform) ''
    installShellCompletion --cmd glix \
      --bash <($out/bin/glix completions bash) \
      --zsh <($out/bin/glix completions zsh) \
      --fish <($out/bin/glix completions fish)
    mkdir -p man
    $out/bin/glix man --dir man
    installManPage man/*.1
  '';
  meta = {
    description = "Manage a NixOS system declaratively from one git repo";
    mainProgram = "glix";
    license = lib.licenses.mit;
  };
}
