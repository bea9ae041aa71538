# The base of every glixos host: flakes enabled, glix on PATH, the generation tagged
# with the repo's commit, and (opt-in) the glix Nix plugin loaded by every Nix
# invocation.
{ glixosCore }:
{ config, lib, pkgs, specialArgs ? { }, ... }:
let
  cfg = config.glixos;
  # The repo's own flake (`inputs.self`, which the glixos template passes in
  # specialArgs): its commit, or for a work tree with uncommitted changes its dirtyRev
  # (`<commit>-dirty`); null when the configuration is not built from a flake.
  self = specialArgs.inputs.self or null;
  rev = if self == null then null else self.rev or self.dirtyRev or null;
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
    # `nixos-version --configuration-revision` and `glix log` tie a generation to the
    # glix operation it was built from.
    system.configurationRevision = lib.mkIf (rev != null) (lib.mkDefault rev);
    warnings = lib.optional (self != null && !(self ? rev) && self ? dirtyRev) ''
      glixos: this system is built from a work tree with uncommitted changes, so its generation records ${self.dirtyRev}, which no glix operation names; commit them (or make the change with glix) to trace the generation to its commit.
    '';
    nix.settings.experimental-features = [ "nix-command" "flakes" ];
    environment.systemPackages = [ glix ];
    nix.settings.plugin-files = lib.mkIf cfg.plugin.enable [ "${plugin}/${plugin.pluginFile}" ];
  };
}
