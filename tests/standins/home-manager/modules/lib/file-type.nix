# Stands in for home-manager's modules/lib/file-type.nix (not home-manager): the type of
# home.file and xdg.configFile entries; `target` is relative to the home directory.
{ lib, pkgs, homeDirectory, basePath }:
let
  inherit (lib) mkOption types;
in
types.attrsOf (types.submodule ({ name, config, ... }: {
  options = {
    enable = mkOption { type = types.bool; default = true; description = "Whether this file is generated."; };
    target = mkOption {
      type = types.str;
      default = name;
      apply = p:
        let abs = if lib.hasPrefix "/" p then p else "${basePath}/${p}"; in
        lib.removePrefix (homeDirectory + "/") abs;
      description = "Path of the file, relative to the home directory.";
    };
    text = mkOption { type = types.nullOr types.lines; default = null; description = "The file's text."; };
    source = mkOption { type = types.path; description = "The file it links to."; };
    executable = mkOption { type = types.nullOr types.bool; default = null; description = "Whether the file is executable."; };
    recursive = mkOption { type = types.bool; default = false; description = "Whether a directory source is linked file by file."; };
    onChange = mkOption { type = types.lines; default = ""; description = "Shell commands run when the file changes."; };
    force = mkOption { type = types.bool; default = false; description = "Whether an existing file is overwritten."; };
  };
  config.source = lib.mkIf (config.text != null) (lib.mkDefault (pkgs.writeTextFile {
    name = "hm_" + lib.replaceStrings [ "/" " " ] [ "-" "_" ] (lib.removePrefix "." (baseNameOf name));
    inherit (config) text;
    executable = config.executable == true;
  }));
}))
