# Stands in for nixpkgs' nixos/modules/misc/nixpkgs.nix (not nixpkgs): which package set
# the modules get as `pkgs` — the stand-in's ../../../pkgs for nixpkgs.hostPlatform (or
# the legacy nixpkgs.system) with nixpkgs.config and nixpkgs.overlays, or nixpkgs.pkgs.
{ config, options, lib, ... }:
let
  cfg = config.nixpkgs;
  opt = options.nixpkgs;
  configType = lib.mkOptionType {
    name = "nixpkgs-config";
    description = "nixpkgs config";
    check = x: builtins.isAttrs x || lib.isFunction x;
    merge = _: defs: builtins.foldl' (acc: d: lib.recursiveUpdate acc (if lib.isFunction d.value then d.value { } else d.value)) { } defs;
  };
  overlayType = lib.mkOptionType {
    name = "nixpkgs-overlay";
    description = "nixpkgs overlay";
    check = lib.isFunction;
    merge = lib.mergeOneOption;
  };
  hostSystem = if opt.hostPlatform.isDefined then cfg.hostPlatform.system else cfg.system;
  finalPkgs =
    if opt.pkgs.isDefined then cfg.pkgs.appendOverlays cfg.overlays
    else import ../../../pkgs { system = hostSystem; inherit (cfg) config overlays; };
in
{
  options.nixpkgs = {
    pkgs = lib.mkOption {
      type = lib.types.uniq lib.types.attrs;
      description = "A package set to use instead of importing nixpkgs; overlays still apply.";
    };
    config = lib.mkOption {
      type = configType;
      default = { };
      example = { allowUnfree = true; };
      description = "The configuration of the Nix Packages collection (allowUnfree, allowUnfreePredicate, …).";
    };
    overlays = lib.mkOption {
      type = lib.types.listOf overlayType;
      default = [ ];
      description = "Overlays applied to the package set (final: prev: { … }).";
    };
    hostPlatform = lib.mkOption {
      type = lib.types.either lib.types.str lib.types.attrs;
      apply = lib.systems.elaborate;
      example = "x86_64-linux";
      description = "The platform the system runs on.";
    };
    buildPlatform = lib.mkOption {
      type = lib.types.either lib.types.str lib.types.attrs;
      default = cfg.hostPlatform;
      apply = lib.systems.elaborate;
      description = "The platform the system is built on.";
    };
    system = lib.mkOption {
      type = lib.types.str;
      example = "x86_64-linux";
      default =
        if opt.hostPlatform.isDefined then
          throw "Neither ${lib.showOption opt.system.loc} nor any other option in nixpkgs.* is meant to be read by modules and configurations. Use pkgs.stdenv.hostPlatform instead."
        else
          throw ''
            Neither ${lib.showOption opt.hostPlatform.loc} nor the legacy option ${lib.showOption opt.system.loc} has been set.
            You can set ${lib.showOption opt.hostPlatform.loc} in hardware-configuration.nix by re-running
            a recent version of nixos-generate-config.
            The option ${lib.showOption opt.system.loc} is still fully supported for NixOS 22.05 interoperability,
            but will be deprecated in the future, so we recommend to set ${lib.showOption opt.hostPlatform.loc}.
          '';
      description = "The legacy way to say which platform the system runs on (nixpkgs.hostPlatform is the new one).";
    };
  };

  config._module.args.pkgs = finalPkgs;
}
