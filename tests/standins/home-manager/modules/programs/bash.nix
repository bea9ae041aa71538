# Stands in for home-manager's programs.bash (not home-manager).
{ config, lib, pkgs, ... }:
let
  cfg = config.programs.bash;
in
{
  options.programs.bash = {
    enable = lib.mkEnableOption "GNU Bourne-Again SHell";
    package = lib.mkPackageOption pkgs "bash" { };
    shellAliases = lib.mkOption { type = lib.types.attrsOf lib.types.str; default = { }; description = "Aliases of bash."; };
    initExtra = lib.mkOption { type = lib.types.lines; default = ""; description = "Extra lines of .bashrc."; };
  };

  config = lib.mkIf cfg.enable {
    home.packages = [ cfg.package ];
    home.file.".bashrc".text = ''
      . "${config.home.sessionVariablesPackage}/etc/profile.d/hm-session-vars.sh"
    '' + lib.concatStrings (lib.mapAttrsToList (n: v: "alias ${n}=${lib.escapeShellArg v}\n") (config.home.shellAliases // cfg.shellAliases))
    + cfg.initExtra;
  };
}
