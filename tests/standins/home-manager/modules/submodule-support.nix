# Stands in for home-manager's modules/misc/submodule-support.nix (not home-manager).
{ lib, ... }:
{
  options.submoduleSupport = {
    enable = lib.mkOption { type = lib.types.bool; default = false; internal = true; description = "Whether this is a submodule of a NixOS (or nix-darwin) configuration."; };
    externalPackageInstall = lib.mkOption { type = lib.types.bool; default = false; internal = true; description = "Whether home.packages are installed by the system (useUserPackages)."; };
  };
}
