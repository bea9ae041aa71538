# Stands in for nixpkgs' time, i18n and console options (not nixpkgs).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options = {
    time.timeZone = mkOption { type = types.nullOr (types.addCheck types.str (s: !(lib.hasInfix " " s))); default = null; example = "America/New_York"; description = "The time zone."; };
    time.hardwareClockInLocalTime = mkOption { type = types.bool; default = false; description = "Whether the hardware clock is in local time."; };
    i18n.defaultLocale = mkOption { type = types.str; default = "en_US.UTF-8"; description = "The default locale."; };
    i18n.extraLocaleSettings = mkOption { type = types.attrsOf types.str; default = { }; description = "Further LC_* settings."; };
    i18n.supportedLocales = mkOption { type = types.listOf types.str; default = [ "all" ]; description = "The locales to build."; };
    console.keyMap = mkOption { type = types.either types.str types.path; default = "us"; description = "The keyboard mapping of the virtual consoles."; };
    console.font = mkOption { type = types.nullOr (types.either types.str types.path); default = null; description = "The console font."; };
  };
}
