# Stands in for a package flake exporting its home-manager module under the newer name
# `homeModules` (not a real package): the module reports its glixConfig at
# received.notes and puts the glixConfig's `file` (default "notes.txt") in the home.
{
  outputs = { self }: {
    homeModules.default = { glixConfig, lib, ... }: {
      options.received.notes = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
        description = "The glixConfig the notes package's home module received.";
      };
      config.received.notes = glixConfig;
      config.home.file.${glixConfig.file or "notes.txt"}.text = "notes (glixos test stand-in)\n";
    };
  };
}
