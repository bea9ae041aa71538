# Stands in for nixpkgs' CPU microcode and firmware options (not nixpkgs).
{ lib, ... }:
{
  options.hardware = {
    cpu.intel.updateMicrocode = lib.mkEnableOption "updating the Intel CPU's microcode";
    cpu.amd.updateMicrocode = lib.mkEnableOption "updating the AMD CPU's microcode";
    enableRedistributableFirmware = lib.mkEnableOption "firmware with a license allowing redistribution";
    enableAllFirmware = lib.mkEnableOption "all firmware regardless of license";
  };
}
