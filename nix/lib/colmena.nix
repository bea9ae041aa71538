# lib.colmena { self, nixpkgs } => a colmena hive of self.nixosConfigurations
#
# Every NixOS system of the flake becomes a node that colmena evaluates again with
# the same modules and special arguments — `imports = cfg._module.args.modules` (the
# modules nixosSystem was given, as nixpkgs' eval-config.nix records them) and
# `meta.nodeSpecialArgs.<host> = cfg._module.specialArgs` — with the nixpkgs of the
# host's platform (`meta.nodeNixpkgs`), so the node's toplevel is the system's.
# `deployment` comes from the host's manifest ([host] target-host, tags,
# build-on-target): `targetHost`/`targetUser`/`targetPort` from `[user@]host[:port]`,
# and a host without a target-host is local-only (`targetHost = null`,
# `allowLocalDeployment = true`: `colmena apply-local` on the machine itself).
#
# Hosts added later appear with no edit: the hive maps over nixosConfigurations.
# In flake.nix (what `glix fleet enable colmena` writes):
#   colmena = glixos-core.lib.colmena { inherit self nixpkgs; };
#   colmenaHive = inputs.colmena.lib.makeHive self.colmena;
{ self, nixpkgs }:
let
  inherit (builtins) attrValues elem head listToAttrs mapAttrs;
  configs = self.nixosConfigurations or { };
  fields = mapAttrs (import ./hostFields.nix) configs;
  reserved = [ "meta" "defaults" "network" ];
  # One nixpkgs per platform, shared by the hosts on it.
  systems = builtins.attrNames (builtins.groupBy (s: s) (map (f: f.system) (attrValues fields)));
  pkgsFor = listToAttrs (map (system: { name = system; value = import nixpkgs { inherit system; }; }) systems);
  deployment = name: f:
    {
      inherit (f) tags buildOnTarget;
    }
    // (if f.target == null then {
      targetHost = null;
      allowLocalDeployment = true;
    } else {
      targetHost = f.target.host;
      targetUser = f.target.user;
      targetPort = f.target.port;
    });
  node = name: cfg:
    if elem name reserved then
      throw "glix: host '${name}' cannot be a colmena node: ${builtins.concatStringsSep ", " reserved} are names colmena keeps for itself (give the host another name)"
    else {
      imports = cfg._module.args.modules;
      deployment = deployment name fields.${name};
    };
in
{
  meta = {
    description = "NixOS hosts managed with glix";
    # colmena wants one; every node has its own below.
    nixpkgs = if systems == [ ] then import nixpkgs { system = "x86_64-linux"; } else pkgsFor.${head systems};
    nodeNixpkgs = mapAttrs (name: _: pkgsFor.${fields.${name}.system}) configs;
    nodeSpecialArgs = mapAttrs (_: cfg: cfg._module.specialArgs) configs;
  };
}
// mapAttrs node configs
