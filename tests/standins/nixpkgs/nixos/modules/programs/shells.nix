# Stands in for nixpkgs' programs.{git,bash,zsh} (not nixpkgs): enabling one installs it.
{ config, lib, pkgs, ... }:
let
  program = name: {
    enable = lib.mkEnableOption name;
    package = lib.mkPackageOption pkgs name { };
  };
in
{
  options.programs = {
    git = program "git";
    zsh = program "zsh";
    bash = program "bash" // { enable = lib.mkEnableOption "bash" // { default = true; }; };
  };

  config.environment.systemPackages = lib.concatMap
    (p: lib.optional p.enable p.package)
    [ config.programs.git config.programs.zsh ];
}
