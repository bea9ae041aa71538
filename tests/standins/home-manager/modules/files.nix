# Stands in for home-manager's modules/files.nix (not home-manager): home.file, built
# into the generation's home-files tree.
{ config, lib, pkgs, ... }:
let
  cfg = config.home.file;
  enabled = builtins.filter (f: f.enable) (builtins.attrValues cfg);
  link = f: ''
    mkdir -p "$(dirname "$out/"${lib.escapeShellArg f.target})"
    ln -s ${lib.escapeShellArg "${f.source}"} "$out/"${lib.escapeShellArg f.target}
  '';
in
{
  options.home.file = lib.mkOption {
    type = import ./lib/file-type.nix { inherit lib pkgs; inherit (config.home) homeDirectory; basePath = config.home.homeDirectory; };
    default = { };
    description = "Files in the home directory.";
  };
  options.home-files = lib.mkOption { type = lib.types.package; internal = true; description = "The home files, in one tree."; };

  config.home-files = pkgs.runCommand "home-manager-files" { } ("mkdir -p $out\n" + lib.concatMapStrings link enabled);
}
