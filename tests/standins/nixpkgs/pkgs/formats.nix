# Stands in for nixpkgs' pkgs.formats (not nixpkgs): settings formats, each a type for
# a settings option and a `generate` writing the file. Not a derivation.
{ lib, writeText }:
{
  json = { }: {
    type = lib.types.anything;
    generate = name: value: writeText name (builtins.toJSON value);
  };
  ini = { }: {
    type = lib.types.attrsOf (lib.types.attrsOf lib.types.anything);
    generate = name: value: writeText name (lib.generators.toINI { } value);
  };
  keyValue = { }: {
    type = lib.types.attrsOf lib.types.anything;
    generate = name: value: writeText name (lib.generators.toKeyValue { } value);
  };
}
