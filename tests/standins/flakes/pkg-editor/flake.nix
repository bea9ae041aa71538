# Stands in for a package flake with a home-manager module (not a real package): the
# module declares `received.editor` and sets it to the glixConfig it was given, read at
# nixosConfigurations.<host>.config.home-manager.users.<user>.received.editor.
{
  outputs = { self }: {
    homeManagerModules.default = { glixConfig, lib, ... }: {
      options.received.editor = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
        description = "The glixConfig the editor package's home module received.";
      };
      config.received.editor = glixConfig;
    };
  };
}
