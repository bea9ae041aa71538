{
  description = "glixos-core: lib.importManifest, lib.colmena, lib.deployRs, the glixos NixOS module, glix and its Nix plugin";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs, ... }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # Needs nothing from nixpkgs: importManifest is plain Nix (plus the glix plugin's
      # builtins when they are loaded).
      lib.importManifest = import ./nix/lib/importManifest.nix;
      # Fleet deployment engines reading the same hosts (`glix fleet enable …`): a
      # colmena hive and deploy-rs's nodes, from self.nixosConfigurations and the
      # hosts' manifests (target-host, tags, build-on-target).
      lib.colmena = import ./nix/lib/colmena.nix;
      lib.deployRs = import ./nix/lib/deployRs.nix;

      nixosModules.glixos = import ./nix/modules/glixos.nix { glixosCore = self; };
      nixosModules.default = self.nixosModules.glixos;

      overlays.default = final: _prev: {
        glix = final.callPackage ./nix/packages/glix.nix { };
        # Built against the Nix the system runs, so the plugin's ABI matches.
        glix-nix-plugin = final.callPackage ./nix/packages/nix-plugin.nix { };
      };

      packages = forAllSystems (pkgs: rec {
        glix = pkgs.callPackage ./nix/packages/glix.nix { };
        nix-plugin = pkgs.callPackage ./nix/packages/nix-plugin.nix { };
        default = glix;
      });

      templates.default = {
        path = ./nix/templates/default;
        description = "A user-packages flake managed by glix (what `glix init` writes)";
      };
    };
}
