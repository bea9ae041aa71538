# Stands in for nixpkgs' pkgs/top-level (not nixpkgs): the packages. Each has pname,
# version, name and meta (description, license, mainProgram) like the real ones, so
# `nix search` finds them; what they install is a tiny script, not the program.
{ lib, final, system, config }:
let
  stdenv = import ./stdenv.nix { inherit lib system config; };
  builders = import ./trivial-builders.nix { inherit lib system; };
  program = pname: version: description: extra: stdenv.mkDerivation ({
    inherit pname version;
    meta = { inherit description; license = lib.licenses.mit; mainProgram = pname; platforms = lib.platforms.linux; } // extra.meta or { };
  } // removeAttrs extra [ "meta" ]);
  # A hook package (pkg-config, installShellFiles): a derivation with a setup hook file.
  hook = pname: description: stdenv.mkDerivation {
    inherit pname;
    version = "0.1";
    buildCommand = "mkdir -p $out/nix-support; echo '# ${pname} stand-in hook' > $out/nix-support/setup-hook";
    meta = { inherit description; license = lib.licenses.mit; };
  };
  nixAt = version: program "nix" version "Powerful package manager that makes package management reliable and reproducible" {
    meta.license = lib.licenses.lgpl21Plus;
  } // { dev = nixAt version; };
in
builders // {
  inherit lib stdenv system config;
  path = ../.;
  pkgs = final;
  callPackage = fn: overrides:
    let
      f = if builtins.isPath fn || builtins.isString fn then import fn else fn;
      result = f (builtins.intersectAttrs (lib.functionArgs f) final // overrides);
    in
    if builtins.isAttrs result then result // { override = more: final.callPackage fn (overrides // more); } else result;
  formats = import ./formats.nix { inherit lib; inherit (builders) writeText; };

  hello = program "hello" "2.12.1" "Program that produces a familiar, friendly greeting" { meta.license = lib.licenses.gpl3Plus; };
  ripgrep = program "ripgrep" "14.1.1" "Utility that combines the usability of The Silver Searcher with the raw speed of grep" {
    meta.mainProgram = "rg";
    meta.license = lib.licenses.unlicense;
  };
  jq = program "jq" "1.7.1" "Lightweight and flexible command-line JSON processor" { };
  git = program "git" "2.47.2" "Distributed version control system" { meta.license = lib.licenses.gpl2Plus; };
  htop = program "htop" "3.3.0" "Interactive process viewer" { meta.license = lib.licenses.gpl2Plus; };
  fd = program "fd" "10.2.0" "Simple, fast and user-friendly alternative to find" { };
  bash = program "bash" "5.2p37" "GNU Bourne-Again Shell, the de facto standard shell on Linux" { meta.license = lib.licenses.gpl3Plus; };
  bashInteractive = final.bash;
  zsh = program "zsh" "5.9" "Z shell" { };
  coreutils = program "coreutils" "9.5" "GNU Core Utilities" { meta.mainProgram = "ls"; meta.license = lib.licenses.gpl3Plus; };
  firefox = program "firefox" "133.0" "Web browser built from Firefox source tree" { meta.license = lib.licenses.asl20; };
  vim = program "vim" "9.1.0707" "Most popular clone of the VI editor" { };
  wget = program "wget" "1.25.0" "Tool for retrieving files using HTTP, HTTPS, and FTP" { meta.license = lib.licenses.gpl3Plus; };
  curl = program "curl" "8.11.1" "Command line tool for transferring files with URL syntax" { };
  openssh = program "openssh" "9.9p1" "Implementation of the SSH protocol" { meta.mainProgram = "ssh"; meta.license = lib.licenses.bsd3; };
  # Unfree: refused unless nixpkgs.config.allowUnfree (or allowUnfreePredicate) says yes.
  unfree-tool = program "unfree-tool" "1.0" "A proprietary tool (stands in for an unfree package)" { meta.license = lib.licenses.unfree; };

  python3Packages = lib.recurseIntoAttrs {
    requests = stdenv.mkDerivation {
      pname = "python3.12-requests";
      version = "2.32.3";
      buildCommand = ''
        mkdir -p $out/lib/python3.12/site-packages/requests
        echo '__version__ = "2.32.3"' > $out/lib/python3.12/site-packages/requests/__init__.py
      '';
      meta = { description = "HTTP library for Python"; license = lib.licenses.asl20; };
    };
  };

  nix = nixAt "2.26.3";
  nixVersions = lib.recurseIntoAttrs { nix_2_26 = final.nix; nix_2_28 = nixAt "2.28.3"; latest = final.nixVersions.nix_2_28; };

  # What glixos's own packages are built with. The stand-in compiles nothing: it
  # installs $out/bin/<pname> as a script, ignoring `src` (so no source is copied).
  rustPlatform = {
    buildRustPackage = attrs: stdenv.mkDerivation (removeAttrs attrs [ "cargoLock" "cargoBuildFlags" "postInstall" "installPhase" "cargoHash" ]);
    bindgenHook = hook "bindgen-hook" "Sets up bindgen for Rust builds";
  };
  pkg-config = hook "pkg-config" "Tool that allows packages to find out information about other packages";
  installShellFiles = hook "install-shell-files" "Hook to install shell completions and man pages";
}
