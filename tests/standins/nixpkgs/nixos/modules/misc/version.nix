# Stands in for nixpkgs' nixos/modules/misc/version.nix (not nixpkgs): the release,
# system.stateVersion (defaulting to the release, with the real warning) and the
# configuration revision.
{ config, options, lib, ... }:
let
  cfg = config.system.nixos;
in
{
  options.system = {
    nixos = {
      release = lib.mkOption { readOnly = true; type = lib.types.str; default = lib.trivial.release; description = "The NixOS release (e.g. `25.11`)."; };
      codeName = lib.mkOption { readOnly = true; type = lib.types.str; default = lib.trivial.codeName; description = "The NixOS release code name."; };
      versionSuffix = lib.mkOption { internal = true; type = lib.types.str; default = "pre-git"; description = "The NixOS version suffix."; };
      revision = lib.mkOption { internal = true; type = lib.types.nullOr lib.types.str; default = null; description = "The Git revision from which this NixOS configuration was built."; };
      version = lib.mkOption { internal = true; type = lib.types.str; default = cfg.release + cfg.versionSuffix; description = "The full NixOS version."; };
      label = lib.mkOption { type = lib.types.strMatching "[a-zA-Z0-9:_\\.-]*"; default = cfg.version; description = "The label of this generation."; };
    };
    stateVersion = lib.mkOption {
      type = lib.types.str;
      default = cfg.release;
      description = "The NixOS release whose defaults for stateful data this system keeps.";
    };
    configurationRevision = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      description = "The Git revision of the top-level flake from which this configuration was built.";
    };
    name = lib.mkOption {
      type = lib.types.str;
      default = if config.networking.hostName == "" then "unnamed" else config.networking.hostName;
      description = "The name of the system, used in the toplevel's store path.";
    };
  };

  config.warnings = lib.optional (options.system.stateVersion.highestPrio == (lib.mkOptionDefault { }).priority) ''
    system.stateVersion is not set, defaulting to ${config.system.stateVersion}. Read why this matters on https://nixos.org/manual/nixos/stable/options.html#opt-system.stateVersion.
  '';
}
