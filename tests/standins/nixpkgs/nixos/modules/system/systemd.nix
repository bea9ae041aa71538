# Stands in for nixpkgs' systemd units (not nixpkgs): services as freeform submodules
# with the common options, written as unit files to /etc/systemd/system (so what they
# start is part of the system). Nothing runs them.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  unit = types.submodule {
    freeformType = types.attrsOf types.anything;
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the unit is generated."; };
      description = mkOption { type = types.str; default = ""; description = "The unit's description."; };
      wantedBy = mkOption { type = types.listOf types.str; default = [ ]; description = "Units that want this one."; };
      after = mkOption { type = types.listOf types.str; default = [ ]; description = "Units this one starts after."; };
      serviceConfig = mkOption { type = types.attrsOf types.anything; default = { }; description = "The [Service] section."; };
      script = mkOption { type = types.lines; default = ""; description = "The service's shell script."; };
      environment = mkOption { type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package ])); default = { }; description = "Environment of the service."; };
    };
  };
  show = v: if builtins.isList v then lib.concatMapStringsSep " " toString v else if builtins.isBool v then lib.boolToString v else toString v;
  unitFile = name: u: ''
    [Unit]
    Description=${u.description}
    After=${lib.concatStringsSep " " u.after}

    [Service]
  '' + lib.concatStrings (lib.mapAttrsToList (k: v: "Environment=${lib.escapeShellArg "${k}=${toString v}"}\n") (lib.filterAttrs (_: v: v != null) u.environment))
  + lib.concatStrings (lib.mapAttrsToList (k: v: "${k}=${show v}\n") u.serviceConfig)
  + lib.optionalString (u.script != "") "ExecStart=${pkgs.writeShellScript "${name}-start" u.script}\n"
  + ''

    [Install]
    WantedBy=${lib.concatStringsSep " " u.wantedBy}
  '';
in
{
  config.environment.etc = lib.mapAttrs' (name: u: lib.nameValuePair "systemd/system/${name}.service" { text = unitFile name u; })
    (lib.filterAttrs (_: u: u.enable) config.systemd.services);

  options.systemd.services = mkOption { type = types.attrsOf unit; default = { }; description = "systemd services."; };
  options.systemd.timers = mkOption { type = types.attrsOf unit; default = { }; description = "systemd timers."; };
}
