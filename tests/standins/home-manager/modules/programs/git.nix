# Stands in for home-manager's programs.git (not home-manager).
{ config, lib, pkgs, ... }:
let
  cfg = config.programs.git;
  inherit (lib) mkOption types;
in
{
  options.programs.git = {
    enable = lib.mkEnableOption "Git";
    package = lib.mkPackageOption pkgs "git" { };
    userName = mkOption { type = types.nullOr types.str; default = null; description = "Default user name."; };
    userEmail = mkOption { type = types.nullOr types.str; default = null; description = "Default user email."; };
  };

  config = lib.mkIf cfg.enable {
    home.packages = [ cfg.package ];
    xdg.configFile."git/config".text = ''
      [user]
    '' + lib.optionalString (cfg.userName != null) "  name = ${cfg.userName}\n"
    + lib.optionalString (cfg.userEmail != null) "  email = ${cfg.userEmail}\n";
  };
}
