# Stands in for home-manager's modules/modules.nix (not home-manager): the home modules
# every user gets, and the module that gives them `pkgs`.
{ pkgs, lib, useNixpkgsModule ? true }:
let
  modules = [
    ./assertions.nix
    ./home.nix
    ./files.nix
    ./xdg.nix
    ./submodule-support.nix
    ./programs/git.nix
    ./programs/bash.nix
  ] ++ lib.optional useNixpkgsModule ./nixpkgs.nix;
  pkgsModule = {
    _file = toString ./modules.nix;
    config._module.args.baseModules = modules;
    config._module.args.pkgs = lib.mkDefault pkgs;
  };
in
modules ++ [ pkgsModule ]
