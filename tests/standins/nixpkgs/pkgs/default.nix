# Stands in for nixpkgs' package set (not nixpkgs; written for glixos's tests): one
# function of the system, the nixpkgs config and overlays, used both for the flake's
# legacyPackages and for a NixOS system's `pkgs` (nixpkgs.* options). Every package is
# a real derivation that builds without network (a /bin/sh script writing $out).
{ system ? builtins.currentSystem, localSystem ? { inherit system; }, config ? { }, overlays ? [ ], crossSystem ? null }:
let
  lib = import ../lib;
  hostSystem = if builtins.isString localSystem then localSystem else localSystem.system or system;
  nixpkgsConfig = { allowUnfree = false; allowUnfreePredicate = _: false; } // (if lib.isFunction config then config { inherit pkgs; } else config);
  base = final: import ./top-level.nix {
    inherit lib final;
    system = hostSystem;
    config = nixpkgsConfig;
  };
  # Overlays as nixpkgs applies them: each sees the final set and the one before it.
  extended = final: builtins.foldl' (prev: overlay: prev // overlay final prev) (base final) overlays;
  pkgs = extended pkgs // {
    inherit overlays;
    config = nixpkgsConfig;
    appendOverlays = more: import ./. { system = hostSystem; inherit config; overlays = overlays ++ more; };
    extend = overlay: pkgs.appendOverlays [ overlay ];
  };
in
pkgs
