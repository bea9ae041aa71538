# Stands in for nixpkgs' nixos/modules/system/boot/loader/grub/grub.nix (not nixpkgs):
# GRUB is on by default (off for containers) and, as in NixOS, asserts that it has a
# device to install to. Another boot loader turns it off with mkDefault.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.boot.loader.grub;
in
{
  options.boot.loader.grub = {
    enable = mkOption { type = types.bool; default = !config.boot.isContainer; description = "Whether to enable the GNU GRUB boot loader."; };
    device = mkOption { type = types.str; default = ""; example = "/dev/disk/by-id/wwn-0x500001234567890a"; description = "The device GRUB is installed on (\"nodev\": none, for EFI)."; };
    devices = mkOption { type = types.listOf types.str; default = [ ]; description = "The devices GRUB is installed on."; };
    mirroredBoots = mkOption {
      type = types.listOf (types.submodule {
        options.path = mkOption { type = types.str; description = "The boot directory."; };
        options.devices = mkOption { type = types.listOf types.str; default = [ ]; description = "The devices of this boot directory."; };
      });
      default = [ ];
      description = "Boot directories GRUB is installed to, each with its devices.";
    };
    efiSupport = mkOption { type = types.bool; default = false; description = "Whether GRUB is built with EFI support."; };
    useOSProber = mkOption { type = types.bool; default = false; description = "Whether to detect other systems."; };
  };

  config = lib.mkIf cfg.enable {
    boot.loader.grub.devices = lib.optional (cfg.device != "") cfg.device;
    boot.loader.grub.mirroredBoots = lib.optionals (cfg.devices != [ ]) [ { path = "/boot"; inherit (cfg) devices; } ];
    assertions = [
      {
        assertion = cfg.mirroredBoots != [ ];
        message = "You must set the option ‘boot.loader.grub.devices’ or "
          + "'boot.loader.grub.mirroredBoots' to make the system bootable.";
      }
    ];
  };
}
