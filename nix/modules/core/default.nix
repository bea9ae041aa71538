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

        Off by default on purpose: a plugin is native code built against one Nix. It
        is built here against `config.nix.package` (Nix 2.26 to 2.35, not 2.34.0),
        and loaded by any other Nix it registers nothing and warns. But a Nix that
        cannot even load it (from Nix 2.32 the libraries' names carry the full
        version, so the plugin needs its own Nix's libraries) stops with "could not
        dynamically open plugin file" on every command, and an older `nix` left on
        PATH reads the same nix.conf. Keep the option off unless you want it; glix
        works without it.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [{
      assertion = !cfg.plugin.enable || plugin.supported;
      message = "glixos.plugin.enable: the glix Nix plugin supports Nix ${plugin.supportedRange}, but nix.package is Nix ${plugin.nixVersion}. Set nix.package to a supported Nix (e.g. pkgs.nixVersions.nix_2_28) or turn glixos.plugin.enable off (glix and lib.importManifest work without the plugin).";
    }];
    nix.settings.experimental-features = [ "nix-command" "flakes" ];
    environment.systemPackages = [ glix ];
    nix.settings.plugin-files = lib.mkIf cfg.plugin.enable [ "${plugin}/${plugin.pluginFile}" ];
  };
}
