# Stands in for nixpkgs' systemd-boot and EFI loader options (not nixpkgs): enabling
# systemd-boot turns GRUB off (mkDefault), as in NixOS.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.boot.loader = {
    systemd-boot.enable = mkOption { type = types.bool; default = false; description = "Whether to enable the systemd-boot (formerly gummiboot) EFI boot manager."; };
    systemd-boot.configurationLimit = mkOption { type = types.nullOr types.int; default = null; description = "How many generations the menu lists."; };
    efi.canTouchEfiVariables = mkOption { type = types.bool; default = false; description = "Whether the installer may modify EFI boot variables."; };
    efi.efiSysMountPoint = mkOption { type = types.str; default = "/boot"; description = "Where the EFI system partition is mounted."; };
    timeout = mkOption { type = types.nullOr types.int; default = 5; description = "Seconds until the default entry boots."; };
  };

  config = lib.mkIf config.boot.loader.systemd-boot.enable {
    boot.loader.grub.enable = lib.mkDefault false;
  };
}
