# This host's own configuration: hardware, users, anything else. glix writes this
# file once (`glix init` / `glix host add`) and never again; it is yours.
{ config, lib, manifest, ... }:
{
  # The machine's hardware (file systems, boot loader): without it the host does not
  # boot, and `glix doctor` says so. On the machine, write it with
  #   nixos-generate-config --show-hardware-config > hosts/laptop/hardware-configuration.nix
  # then `git add` it and uncomment the next line (or adopt the machine's whole
  # configuration instead: `glix host add laptop --from /etc/nixos`).
  # imports = [ ./hardware-configuration.nix ];

  networking.hostName = "laptop";

  users.users.alice.isNormalUser = true;

  # Home-scope packages of glix.toml, per user, as home-manager modules.
  home-manager.useGlobalPkgs = lib.mkDefault true;
  home-manager.users = lib.mapAttrs
    (_user: modules: { imports = modules ++ [ { home.stateVersion = lib.mkDefault config.system.stateVersion; } ]; })
    manifest.homeModulesByUser;

  # The NixOS release this host was first installed with: leave it as it is when you
  # upgrade (stateful services read it to keep their data's format).
  system.stateVersion = "25.11";
}
