# Stands in for colmena's hive evaluation (src/nix/hive/eval.nix in colmena; this is
# not colmena's code, it does what that file does for a flake hive): each node is
# evaluated with `nixos/lib/eval-config.nix` of its nixpkgs (meta.nodeNixpkgs.<node>,
# else meta.nixpkgs), `system` that nixpkgs' system, a module merging that nixpkgs'
# overlays and config before the node's, colmena's deployment options (a tiny stand-in
# below: only the options, none of colmena's key or assertion modules), the hive's
# `defaults` and the node itself; specialArgs are meta.specialArgs //
# meta.nodeSpecialArgs.<node> // { name; nodes; }.
hive:
let
  inherit (builtins) attrNames elem filter listToAttrs;
  reserved = [ "defaults" "network" "meta" ];
  meta = { specialArgs = { }; nodeNixpkgs = { }; nodeSpecialArgs = { }; } // hive.meta;
  names = filter (n: !(elem n reserved)) (attrNames hive);

  # The options of colmena's deploymentOptions that glix sets, with colmena's types
  # and defaults (stand-in: colmena has more of them).
  deploymentOptions = { name, lib, ... }: {
    options.deployment = with lib.types; {
      targetHost = lib.mkOption { type = nullOr str; default = name; description = "The target SSH node (null: local deployment only)."; };
      targetPort = lib.mkOption { type = nullOr int; default = null; description = "The target SSH port."; };
      targetUser = lib.mkOption { type = nullOr str; default = "root"; description = "The user to SSH as."; };
      allowLocalDeployment = lib.mkOption { type = bool; default = false; description = "Whether `colmena apply-local` may deploy it."; };
      buildOnTarget = lib.mkOption { type = bool; default = false; description = "Whether to build on the target."; };
      tags = lib.mkOption { type = listOf str; default = [ ]; description = "Tags for `--on @tag`."; };
    };
  };

  evalNode = name:
    let
      npkgs = meta.nodeNixpkgs.${name} or meta.nixpkgs;
      evalConfig = import (npkgs.path + "/nixos/lib/eval-config.nix");
      nixpkgsModule = { lib, ... }: {
        nixpkgs.overlays = lib.mkBefore npkgs.overlays;
        nixpkgs.config = lib.mkBefore npkgs.config;
      };
    in
    evalConfig {
      inherit (npkgs) system;
      modules = [ nixpkgsModule deploymentOptions (hive.defaults or { }) hive.${name} ];
      specialArgs = meta.specialArgs // (meta.nodeSpecialArgs.${name} or { }) // { inherit name nodes; };
    };
  nodes = listToAttrs (map (name: { inherit name; value = evalNode name; }) names);
in
nodes
