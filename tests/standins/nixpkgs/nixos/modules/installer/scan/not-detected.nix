# Stands in for nixpkgs' nixos/modules/installer/scan/not-detected.nix (not nixpkgs):
# what nixos-generate-config imports for hardware it could not detect.
{ lib, ... }:
{
  hardware.enableRedistributableFirmware = lib.mkDefault true;
}
