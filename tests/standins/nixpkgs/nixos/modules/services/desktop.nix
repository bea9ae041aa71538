# Stands in for the nixpkgs options a desktop configuration sets (not nixpkgs): X11
# with GDM and GNOME and its keyboard layout, printing, PulseAudio and PipeWire, rtkit,
# default fonts. Declared so that desktop configurations (glixos's desktop profile, a
# graphical installer's configuration.nix) evaluate; they configure nothing.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  enable = lib.mkEnableOption;
in
{
  options = {
    services.xserver.enable = enable "the X server";
    services.xserver.displayManager.gdm.enable = enable "GDM, the GNOME Display Manager";
    services.xserver.desktopManager.gnome.enable = enable "GNOME desktop manager";
    services.xserver.xkb.layout = mkOption { type = types.str; default = "us"; description = "The keyboard layout(s)."; };
    services.xserver.xkb.variant = mkOption { type = types.str; default = ""; description = "The keyboard layout variant(s)."; };
    services.xserver.xkb.options = mkOption { type = types.commas; default = "terminate:ctrl_alt_bksp"; description = "XKB options."; };
    services.displayManager.gdm.enable = enable "GDM, the GNOME Display Manager";
    services.desktopManager.gnome.enable = enable "GNOME desktop manager";
    services.printing.enable = enable "printing support through the CUPS daemon";
    services.pulseaudio.enable = enable "the PulseAudio sound server";
    services.pipewire.enable = enable "PipeWire service";
    services.pipewire.alsa.enable = enable "ALSA support";
    services.pipewire.alsa.support32Bit = enable "32-bit ALSA support on 64-bit systems";
    services.pipewire.pulse.enable = enable "PulseAudio server emulation";
    services.pipewire.jack.enable = enable "JACK audio emulation";
    security.rtkit.enable = enable "the RealtimeKit system service";
    fonts.enableDefaultPackages = enable "a basic set of fonts";
  };
}
