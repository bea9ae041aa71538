# Stands in for home-manager's modules/misc/xdg.nix (not home-manager): XDG base
# directories and xdg.configFile (files under xdg.configHome).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.xdg;
in
{
  options.xdg = {
    enable = lib.mkEnableOption "management of XDG base directories";
    configHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.config"; description = "XDG_CONFIG_HOME."; };
    dataHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.local/share"; description = "XDG_DATA_HOME."; };
    cacheHome = mkOption { type = types.path; default = "${config.home.homeDirectory}/.cache"; description = "XDG_CACHE_HOME."; };
    configFile = mkOption {
      type = import ./lib/file-type.nix { inherit lib pkgs; inherit (config.home) homeDirectory; basePath = cfg.configHome; };
      default = { };
      description = "Files in xdg.configHome.";
    };
  };

  config = {
    home.file = lib.mapAttrs' (name: f: lib.nameValuePair "${cfg.configHome}/${name}" {
      inherit (f) enable source executable recursive onChange force;
      inherit (f) target;
    }) cfg.configFile;
    home.sessionVariables = lib.mkIf cfg.enable {
      XDG_CONFIG_HOME = cfg.configHome;
      XDG_DATA_HOME = cfg.dataHome;
      XDG_CACHE_HOME = cfg.cacheHome;
    };
  };
}
