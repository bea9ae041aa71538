# Stands in for nixpkgs' networking options (not nixpkgs): host name, DHCP,
# NetworkManager, interfaces, the firewall's ports.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.networking = {
    hostName = mkOption {
      type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
      default = "nixos";
      description = "The name of the machine.";
    };
    domain = mkOption { type = types.nullOr types.str; default = null; description = "The domain."; };
    useDHCP = mkOption { type = types.bool; default = true; description = "Whether to use DHCP on every interface without an explicit setting."; };
    networkmanager.enable = mkOption { type = types.bool; default = false; description = "Whether to use NetworkManager."; };
    interfaces = mkOption {
      type = types.attrsOf (types.submodule ({ name, ... }: {
        options.name = mkOption { type = types.str; default = name; description = "The interface's name."; };
        options.useDHCP = mkOption { type = types.nullOr types.bool; default = null; description = "Whether this interface uses DHCP."; };
      }));
      default = { };
      description = "The network interfaces.";
    };
    firewall.enable = mkOption { type = types.bool; default = true; description = "Whether to enable the firewall."; };
    firewall.allowedTCPPorts = mkOption { type = types.listOf types.port; default = [ ]; description = "TCP ports open to incoming connections."; };
    firewall.allowedUDPPorts = mkOption { type = types.listOf types.port; default = [ ]; description = "UDP ports open to incoming connections."; };
  };

  config.environment.etc.hostname = lib.mkIf (config.networking.hostName != "") { text = config.networking.hostName + "\n"; };
}
