# Stands in for nixpkgs' nixos/modules/tasks/filesystems.nix and the root file system
# assertion of stage-1.nix (not nixpkgs): fileSystems keyed by mount point, swap.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  fsOpts = { name, config, ... }: {
    options = {
      mountPoint = mkOption { type = types.nonEmptyStr; default = name; example = "/mnt/usb"; description = "Where the file system is mounted."; };
      device = mkOption { type = types.nullOr types.nonEmptyStr; default = null; example = "/dev/sda"; description = "The device to mount."; };
      label = mkOption { type = types.nullOr types.nonEmptyStr; default = null; description = "The label of the device to mount."; };
      fsType = mkOption { type = types.nonEmptyStr; default = "auto"; example = "ext4"; description = "The type of the file system."; };
      options = mkOption { type = types.nonEmptyListOf types.nonEmptyStr; default = [ "defaults" ]; description = "Mount options."; };
      neededForBoot = mkOption { type = types.bool; default = false; description = "Whether the initrd mounts it."; };
      autoResize = mkOption { type = types.bool; default = false; description = "Whether to grow the file system to its device."; };
    };
    config.device = lib.mkIf (config.label != null) (lib.mkDefault "/dev/disk/by-label/${config.label}");
  };
  swapOpts = { config, ... }: {
    options = {
      device = mkOption { type = types.nonEmptyStr; description = "The swap device or file."; };
      label = mkOption { type = types.nullOr types.nonEmptyStr; default = null; description = "The label of the swap device."; };
      size = mkOption { type = types.nullOr types.int; default = null; description = "The size of a swap file, in MiB."; };
    };
    config.device = lib.mkIf (config.label != null) (lib.mkDefault "/dev/disk/by-label/${config.label}");
  };
in
{
  options.fileSystems = mkOption {
    type = types.attrsOf (types.submodule fsOpts);
    default = { };
    example = { "/".device = "/dev/hda1"; };
    description = "The file systems to mount, by mount point.";
  };
  options.swapDevices = mkOption { type = types.listOf (types.submodule swapOpts); default = [ ]; description = "Swap devices."; };
  options.boot.supportedFilesystems = mkOption { type = types.listOf types.str; default = [ ]; description = "File systems the system can mount."; };

  config.assertions = [
    {
      assertion = builtins.any (fs: fs.mountPoint == "/") (builtins.attrValues config.fileSystems);
      message = "The ‘fileSystems’ option does not specify your root file system.";
    }
  ];
}
