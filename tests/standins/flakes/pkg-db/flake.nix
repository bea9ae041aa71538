# Stands in for a package flake with a NixOS module (not a real package): the module
# declares `received.db` and sets it to the glixConfig it was given, so a test can
# read what reached it at nixosConfigurations.<host>.config.received.db.
{
  outputs = { self }: {
    nixosModules.default = { glixConfig, lib, ... }: {
      options.received.db = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
        description = "The glixConfig the db package's module received.";
      };
      config.received.db = glixConfig;
    };
  };
}
