# Stands in for nixpkgs' nixos/modules/system/etc/etc.nix (not nixpkgs): files of /etc,
# each from `text` or `source`, built into system.build.etc.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  enabled = builtins.filter (f: f.enable) (builtins.attrValues config.environment.etc);
  install = f:
    let dest = ''"$out/etc/"${lib.escapeShellArg (lib.removePrefix "/" f.target)}''; in
    ''
      mkdir -p "$(dirname ${dest})"
    '' + (if f.mode == "symlink" then ''
      ln -s ${lib.escapeShellArg "${f.source}"} ${dest}
    '' else ''
      cp ${lib.escapeShellArg "${f.source}"} ${dest}
      chmod ${f.mode} ${dest}
    '');
in
{
  options.environment.etc = mkOption {
    type = types.attrsOf (types.submodule ({ name, config, ... }: {
      options = {
        enable = mkOption { type = types.bool; default = true; description = "Whether this /etc file is generated."; };
        target = mkOption { type = types.str; default = name; description = "Its name, relative to /etc."; };
        text = mkOption { type = types.nullOr types.lines; default = null; description = "Its contents."; };
        source = mkOption { type = types.path; description = "The file it is (a store path)."; };
        mode = mkOption { type = types.str; default = "symlink"; example = "0440"; description = "\"symlink\", or the mode of a copy."; };
        user = mkOption { type = types.str; default = "+0"; description = "Owner of a copied file."; };
        group = mkOption { type = types.str; default = "+0"; description = "Group of a copied file."; };
      };
      config.source = lib.mkIf (config.text != null) (lib.mkDefault (pkgs.writeText "etc-${lib.replaceStrings [ "/" ] [ "-" ] name}" config.text));
    }));
    default = { };
    example = { "hosts".text = "127.0.0.1 localhost\n"; };
    description = "Files in /etc.";
  };

  config.system.build.etc = derivation {
    name = "etc";
    system = pkgs.stdenv.hostPlatform.system;
    builder = "/bin/sh";
    PATH = "/bin:/usr/bin";
    args = [ "-c" ("set -e\nmkdir -p $out/etc\n" + lib.concatMapStrings install enabled) ];
  };
}
