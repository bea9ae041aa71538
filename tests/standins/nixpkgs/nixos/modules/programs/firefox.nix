# Stands in for nixpkgs' programs.firefox (not nixpkgs): enabling it installs Firefox.
{ config, lib, pkgs, ... }:
let
  cfg = config.programs.firefox;
in
{
  options.programs.firefox = {
    enable = lib.mkEnableOption "the Firefox web browser";
    package = lib.mkPackageOption pkgs "firefox" { };
  };

  config.environment.systemPackages = lib.mkIf cfg.enable [ cfg.package ];
}
