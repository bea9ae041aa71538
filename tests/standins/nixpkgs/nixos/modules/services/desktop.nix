# Stands in for the nixpkgs options a desktop profile sets (not nixpkgs): X11 with GDM
# and GNOME, PipeWire, rtkit, default fonts. Declared so that glixos's desktop module
# evaluates; enabling them adds packages but configures nothing.
{ config, lib, pkgs, ... }:
let
  enable = lib.mkEnableOption;
in
{
  options = {
    services.xserver.enable = enable "the X server";
    services.xserver.displayManager.gdm.enable = enable "GDM, the GNOME Display Manager";
    services.xserver.desktopManager.gnome.enable = enable "GNOME desktop manager";
    services.displayManager.gdm.enable = enable "GDM, the GNOME Display Manager";
    services.desktopManager.gnome.enable = enable "GNOME desktop manager";
    services.pipewire.enable = enable "PipeWire service";
    services.pipewire.alsa.enable = enable "ALSA support";
    services.pipewire.pulse.enable = enable "PulseAudio server emulation";
    security.rtkit.enable = enable "the RealtimeKit system service";
    fonts.enableDefaultPackages = enable "a basic set of fonts";
  };
}
