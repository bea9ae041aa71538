# Stands in for nixpkgs' nixos/lib/eval-config.nix (not nixpkgs): a NixOS system is
# the base modules (../modules/module-list.nix) evaluated first, then extended with the
# user's modules. `_module.args` carries modules, baseModules, extraModules and
# noUserModules, as the real one does (tools evaluate nodes through them).
evalConfigArgs@
{ system ? null
, pkgs ? null
, baseModules ? import ../modules/module-list.nix
, extraArgs ? { }
, specialArgs ? { }
, modules
, modulesLocation ? (builtins.unsafeGetAttrPos "modules" evalConfigArgs).file or null
, extraModules ? [ ]
, check ? true
, prefix ? [ ]
, lib ? import ../../lib
}:
let
  pkgs_ = pkgs;
  pkgsModule = rec {
    _file = toString ./eval-config.nix;
    key = _file;
    config = lib.mkMerge (
      lib.optional (system != null) { nixpkgs.system = lib.mkDefault system; }
      ++ lib.optional (pkgs_ != null) { _module.args.pkgs = lib.mkForce pkgs_; }
    );
  };
  modulesModule = {
    config._module.args = { inherit noUserModules baseModules extraModules modules; };
  };
  locatedModules = if modulesLocation == null then modules else map (lib.setDefaultModuleLocation modulesLocation) modules;
  legacyModules =
    lib.optional (evalConfigArgs ? extraArgs) { config._module.args = extraArgs; }
    ++ lib.optional (evalConfigArgs ? check) { config._module.check = lib.mkDefault check; };
  noUserModules = lib.evalModules {
    inherit prefix;
    class = "nixos";
    specialArgs = { modulesPath = builtins.toString ../modules; } // specialArgs;
    modules = baseModules ++ extraModules ++ [ pkgsModule modulesModule ];
  };
  nixosWithUserModules = noUserModules.extendModules { modules = locatedModules ++ legacyModules; };
  withExtraAttrs = configuration: configuration // {
    inherit extraArgs lib;
    inherit (configuration._module.args) pkgs;
    extendModules = args: withExtraAttrs (configuration.extendModules args);
  };
in
withExtraAttrs nixosWithUserModules
