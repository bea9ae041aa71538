# Stands in for nixpkgs' nixos/modules/services/networking/ssh/sshd.nix (not nixpkgs).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.services.openssh;
in
{
  options.services.openssh = {
    enable = mkOption { type = types.bool; default = false; description = "Whether to enable the OpenSSH secure shell daemon."; };
    ports = mkOption { type = types.listOf types.port; default = [ 22 ]; description = "Ports sshd listens on."; };
    openFirewall = mkOption { type = types.bool; default = true; description = "Whether to open the ports in the firewall."; };
    settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf (types.nullOr (types.oneOf [ types.bool types.int types.str (types.listOf types.str) ]));
        options.PasswordAuthentication = mkOption { type = types.bool; default = true; description = "Whether passwords may log in."; };
        options.PermitRootLogin = mkOption { type = types.enum [ "yes" "without-password" "prohibit-password" "forced-commands-only" "no" ]; default = "prohibit-password"; description = "Whether root may log in."; };
      };
      default = { };
      description = "sshd_config settings.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ pkgs.openssh ];
    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall cfg.ports;
    environment.etc."ssh/sshd_config".text = lib.concatStrings (lib.mapAttrsToList
      (n: v: lib.optionalString (v != null) "${n} ${if builtins.isBool v then (if v then "yes" else "no") else toString v}\n")
      cfg.settings);
  };
}
