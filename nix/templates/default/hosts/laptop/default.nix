# This host's own configuration: hardware, users, anything else. glix writes this
# file once (`glix init` / `glix host add`) and never again; it is yours.
{ lib, manifest, ... }:
{
  # imports = [ ./hardware-configuration.nix ];

  # Home-scope packages of glix.toml, per user, as home-manager modules.
  home-manager.useGlobalPkgs = true;
  home-manager.users = lib.mapAttrs
    (_user: modules: { imports = modules ++ [ { home.stateVersion = "24.11"; } ]; })
    manifest.homeModulesByUser;

  system.stateVersion = "24.11";
}
