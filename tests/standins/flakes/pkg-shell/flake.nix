# Stands in for a package flake with a home-manager module (not a real package): the
# module declares `received.shell` and sets it to the glixConfig it was given, read at
# nixosConfigurations.<host>.config.home-manager.users.<user>.received.shell.
{
  outputs = { self }: {
    homeManagerModules.default = { glixConfig, lib, ... }: {
      options.received.shell = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
        description = "The glixConfig the shell package's home module received.";
      };
      config.received.shell = glixConfig;
    };
  };
}
