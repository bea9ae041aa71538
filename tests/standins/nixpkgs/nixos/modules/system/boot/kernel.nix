# Stands in for nixpkgs' kernel and initrd module options (not nixpkgs).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.boot = {
    isContainer = mkOption { type = types.bool; default = false; description = "Whether this system is a container (no boot loader, no kernel)."; };
    kernelModules = mkOption { type = types.listOf types.str; default = [ ]; description = "Kernel modules loaded in the second boot stage."; };
    extraModulePackages = mkOption { type = types.listOf types.package; default = [ ]; description = "Packages of extra kernel modules."; };
    kernelParams = mkOption { type = types.listOf types.str; default = [ ]; description = "Kernel command line parameters."; };
    blacklistedKernelModules = mkOption { type = types.listOf types.str; default = [ ]; description = "Kernel modules never loaded."; };
    initrd.availableKernelModules = mkOption { type = types.listOf types.str; default = [ ]; description = "Kernel modules the initrd may load."; };
    initrd.kernelModules = mkOption { type = types.listOf types.str; default = [ ]; description = "Kernel modules the initrd loads."; };
    initrd.luks.devices = mkOption { type = types.attrsOf (types.submodule { options.device = mkOption { type = types.str; description = "The encrypted device."; }; }); default = { }; description = "Encrypted devices opened by the initrd."; };
  };
}
