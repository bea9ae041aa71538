# Stands in for home-manager's modules/home-environment.nix (not home-manager): who the
# home belongs to, its packages (home.path) and the generation that activates it
# (home.activationPackage), both real derivations. home.stateVersion has no default.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.home;
  stateVersions = [ "18.09" "19.03" "19.09" "20.03" "20.09" "21.03" "21.05" "21.11" "22.05" "22.11" "23.05" "23.11" "24.05" "24.11" "25.05" "25.11" ];
  exportVar = n: v: "export ${n}=\"${toString v}\"\n";
in
{
  options.home = {
    username = mkOption { type = types.str; description = "The user's username."; };
    homeDirectory = mkOption { type = types.path; description = "The user's home directory (an absolute path)."; };
    stateVersion = mkOption {
      type = types.enum stateVersions;
      description = "The Home Manager release whose defaults for stateful data this configuration keeps.";
    };
    packages = mkOption { type = types.listOf types.package; default = [ ]; description = "The packages in the user's profile."; };
    sessionVariables = mkOption { type = types.lazyAttrsOf (types.oneOf [ types.str types.path types.int types.float ]); default = { }; example = { EDITOR = "emacs"; }; description = "Environment variables of the user's sessions."; };
    sessionPath = mkOption { type = types.listOf types.str; default = [ ]; description = "Extra directories on PATH."; };
    shellAliases = mkOption { type = types.attrsOf types.str; default = { }; description = "Aliases for every shell."; };
    activation = mkOption { type = types.attrsOf types.attrs; default = { }; description = "Activation snippets (lib.hm.dag entries)."; };
    extraOutputsToInstall = mkOption { type = types.listOf types.str; default = [ ]; description = "Extra outputs of home.packages to install."; };
    sessionVariablesPackage = mkOption { type = types.package; internal = true; description = "hm-session-vars.sh."; };
    path = mkOption { type = types.package; internal = true; description = "The packages, in one tree."; };
    activationPackage = mkOption { type = types.package; internal = true; description = "The generation: activate, home-path, home-files."; };
  };

  config.assertions = [
    {
      assertion = lib.hasPrefix "/" cfg.homeDirectory;
      message = "home.homeDirectory must be an absolute path, not ${cfg.homeDirectory}";
    }
  ];
  config.home.sessionVariablesPackage = pkgs.writeTextFile {
    name = "hm-session-vars.sh";
    destination = "/etc/profile.d/hm-session-vars.sh";
    text = ''
      # Only source this once.
      if [ -n "$__HM_SESS_VARS_SOURCED" ]; then return; fi
      export __HM_SESS_VARS_SOURCED=1

    '' + lib.concatStrings (lib.mapAttrsToList exportVar cfg.sessionVariables)
    + lib.optionalString (cfg.sessionPath != [ ]) "export PATH=\"$PATH\${PATH:+:}${lib.concatStringsSep ":" cfg.sessionPath}\"\n";
  };
  config.home.packages = [ cfg.sessionVariablesPackage ];
  config.home.path = pkgs.buildEnv { name = "home-manager-path"; paths = cfg.packages; };
  config.home.activationPackage = pkgs.runCommand "home-manager-generation" { } ''
    mkdir -p $out
    ln -s ${cfg.path} $out/home-path
    ln -s ${config.home-files} $out/home-files
    printf '%s' ${lib.escapeShellArg cfg.username} > $out/username
    printf '%s' ${lib.escapeShellArg cfg.homeDirectory} > $out/home-directory
    printf '%s' ${lib.escapeShellArg cfg.stateVersion} > $out/state-version
    printf '#!/bin/sh\necho "activating the home of %s (glixos test stand-in: nothing to do)"\n' ${lib.escapeShellArg cfg.username} > $out/activate
    chmod +x $out/activate
  '';
}
