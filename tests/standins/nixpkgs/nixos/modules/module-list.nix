# Stands in for nixpkgs' nixos/modules/module-list.nix (not nixpkgs): the base modules
# of every NixOS system of the stand-in.
[
  ./misc/assertions.nix
  ./misc/nixpkgs.nix
  ./misc/version.nix
  ./config/users-groups.nix
  ./config/system-path.nix
  ./config/locale.nix
  ./config/nix.nix
  ./tasks/filesystems.nix
  ./tasks/network.nix
  ./hardware/cpu.nix
  ./system/boot/kernel.nix
  ./system/boot/loader/grub.nix
  ./system/boot/loader/systemd-boot.nix
  ./system/etc.nix
  ./system/systemd.nix
  ./system/activation/top-level.nix
  ./services/openssh.nix
  ./services/desktop.nix
  ./programs/shells.nix
  ./programs/firefox.nix
]
