# Stands in for home-manager's modules/misc/nixpkgs.nix (not home-manager): without
# useGlobalPkgs, each user's pkgs is the package set imported again with this user's
# nixpkgs.config and nixpkgs.overlays.
{ config, lib, pkgs, ... }:
let
  cfg = config.nixpkgs;
in
{
  options.nixpkgs = {
    config = lib.mkOption { type = lib.types.nullOr lib.types.attrs; default = null; description = "The nixpkgs config of this user's package set."; };
    overlays = lib.mkOption { type = lib.types.nullOr (lib.types.listOf lib.types.raw); default = null; description = "Overlays of this user's package set."; };
    system = lib.mkOption { type = lib.types.str; default = pkgs.stdenv.hostPlatform.system; description = "The platform of this user's package set."; };
  };

  config._module.args.pkgs = lib.mkIf (cfg.config != null || cfg.overlays != null) (import pkgs.path {
    inherit (cfg) system;
    config = if cfg.config == null then { } else cfg.config;
    overlays = if cfg.overlays == null then [ ] else cfg.overlays;
  });
}
