# The base of every glixos host: flakes enabled, glix on PATH, and (opt-in) the glix
# Nix plugin loaded by every Nix invocation.
{ glixosCore }:
{ config, lib, pkgs, ... }:
let
  cfg = config.glixos;
  system = pkgs.stdenv.hostPlatform.system;
  glix = glixosCore.packages.${system}.glix or (pkgs.callPackage ../../packages/glix.nix { });
  plugin = pkgs.callPackage ../../packages/nix-plugin.nix { nix = config.nix.package; };
in
{
  options.glixos = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Whether to apply the glixos base settings (flakes, glix on PATH).";
    };
    plugin.enable = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Load the glix Nix plugin in every Nix invocation on this machine (adds it to
        `nix.settings.plugin-files`), so `lib.importManifest` runs its Rust code
        everywhere, not only when glix passes `--option plugin-files` itself.

        Off by default on purpose: a plugin is native code built against one Nix's
        ABI. If `nix.package` changes and the plugin does not match it, every later
        `nixos-rebuild` can fail to start (this has happened to other Nix plugins).
        The plugin is built here against `config.nix.package` to avoid exactly that,
        but keep the option off unless you want it; glix works without it.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    nix.settings.experimental-features = [ "nix-command" "flakes" ];
    environment.systemPackages = [ glix ];
    nix.settings.plugin-files = lib.mkIf cfg.plugin.enable [ "${plugin}/${plugin.pluginFile}" ];
  };
}
