# An optional desktop profile, off by default: a graphical session with sensible
# defaults for a personal machine.
{ config, lib, pkgs, ... }:
let
  cfg = config.glixos.desktop;
in
{
  options.glixos.desktop.enable = lib.mkEnableOption "the glixos desktop profile (GNOME, PipeWire, NetworkManager, fonts)";

  config = lib.mkIf cfg.enable {
    services.xserver.enable = true;
    services.xserver.displayManager.gdm.enable = lib.mkDefault true;
    services.xserver.desktopManager.gnome.enable = lib.mkDefault true;
    networking.networkmanager.enable = lib.mkDefault true;
    security.rtkit.enable = true;
    services.pipewire = {
      enable = lib.mkDefault true;
      alsa.enable = true;
      pulse.enable = true;
    };
    fonts.enableDefaultPackages = lib.mkDefault true;
    environment.systemPackages = [ pkgs.firefox ];
  };
}
