# Stands in for home-manager's assertions and warnings (not home-manager).
{ lib, ... }:
{
  options.assertions = lib.mkOption { type = lib.types.listOf lib.types.unspecified; internal = true; default = [ ]; description = "Assertions of this home configuration."; };
  options.warnings = lib.mkOption { type = lib.types.listOf lib.types.str; internal = true; default = [ ]; description = "Warnings of this home configuration."; };
}
