# Stands in for nixpkgs' nixos/modules/config/nix.nix (not nixpkgs): nix.package and
# nix.settings (a freeform submodule, as nix.conf is), written to /etc/nix/nix.conf.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.nix;
  atom = types.oneOf [ types.bool types.int types.float types.str types.path types.package ];
  value = types.either atom (types.listOf atom);
  show = v:
    if builtins.isList v then lib.concatMapStringsSep " " show v
    else if builtins.isBool v then lib.boolToString v
    else toString v;
in
{
  options.nix = {
    enable = mkOption { type = types.bool; default = true; description = "Whether to manage Nix on this system."; };
    package = mkOption { type = types.package; default = pkgs.nix; description = "The Nix this system runs."; };
    settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf value;
        options = {
          experimental-features = mkOption { type = types.listOf types.str; default = [ ]; description = "Experimental Nix features."; };
          substituters = mkOption { type = types.listOf types.str; default = [ "https://cache.nixos.org/" ]; description = "Binary caches."; };
          trusted-users = mkOption { type = types.listOf types.str; default = [ "root" ]; description = "Users trusted by the daemon."; };
          plugin-files = mkOption { type = types.listOf types.str; default = [ ]; description = "Plugins loaded by every Nix."; };
        };
      };
      default = { };
      description = "Nix configuration (nix.conf).";
    };
    extraOptions = mkOption { type = types.lines; default = ""; description = "Lines added to nix.conf."; };
    gc.automatic = mkOption { type = types.bool; default = false; description = "Whether to collect garbage periodically."; };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc."nix/nix.conf".text =
      lib.concatStrings (lib.mapAttrsToList (n: v: "${n} = ${show v}\n") cfg.settings) + cfg.extraOptions;
  };
}
