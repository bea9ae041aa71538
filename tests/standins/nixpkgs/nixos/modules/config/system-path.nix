# Stands in for nixpkgs' nixos/modules/config/system-path.nix (not nixpkgs): the
# packages of the system, joined into system.path (the toplevel's `sw`). The users'
# packages join it too (real NixOS puts them only in /etc/profiles/per-user).
{ config, lib, pkgs, ... }:
{
  options.environment = {
    systemPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.firefox pkgs.thunderbird ]";
      description = "The packages installed in the system profile.";
    };
    pathsToLink = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; description = "Paths of the packages linked into the system profile."; };
    variables = lib.mkOption { type = lib.types.attrsOf (lib.types.either lib.types.str lib.types.path); default = { }; description = "Environment variables of every session."; };
    shellAliases = lib.mkOption { type = lib.types.attrsOf lib.types.str; default = { }; description = "Shell aliases."; };
  };
  options.system.path = lib.mkOption {
    type = lib.types.package;
    internal = true;
    description = "The packages of the system, in one tree.";
  };

  config.environment.systemPackages = [ pkgs.coreutils pkgs.bash ];
  config.system.path = pkgs.buildEnv {
    name = "system-path";
    paths = config.environment.systemPackages ++ lib.concatMap (u: u.packages) (builtins.attrValues config.users.users);
  };
}
