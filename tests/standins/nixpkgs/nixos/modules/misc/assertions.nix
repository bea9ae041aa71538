# Stands in for nixpkgs' nixos/modules/misc/assertions.nix (not nixpkgs): conditions the
# system must meet and warnings to show; top-level.nix enforces them.
{ lib, ... }:
{
  options.assertions = lib.mkOption {
    type = lib.types.listOf lib.types.unspecified;
    internal = true;
    default = [ ];
    example = [ { assertion = false; message = "you can't enable this for that reason"; } ];
    description = "Assertions: when one's `assertion` is false, building the system fails with its `message`.";
  };
  options.warnings = lib.mkOption {
    type = lib.types.listOf lib.types.str;
    internal = true;
    default = [ ];
    description = "Warnings shown when the system is built.";
  };
}
