{
  description = "My NixOS systems, managed with glix";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    home-manager.url = "github:nix-community/home-manager";
    home-manager.inputs.nixpkgs.follows = "nixpkgs";
    glixos-core.url = "github:glixos/glixos";
    glixos-core.inputs.nixpkgs.follows = "nixpkgs";

    # Packages added with `glix add`. glix rewrites only the lines between these two
    # markers; everything else in this file is yours.
    # >>> glix-managed inputs >>>
    # <<< glix-managed inputs <<<
  };

  outputs = { self, nixpkgs, home-manager, glixos-core, ... }@inputs:
    let
      # One NixOS system per host: the glixos base, home-manager, the host's own
      # configuration (hosts/<host>/default.nix) and the system-scope packages of its
      # manifest (hosts/<host>/glix.toml).
      mkHost = host: system:
        let
          manifest = glixos-core.lib.importManifest {
            manifestPath = ./hosts/${host}/glix.toml;
            inherit inputs;
          };
        in
        nixpkgs.lib.nixosSystem {
          inherit system;
          specialArgs = { inherit inputs manifest; };
          modules = [
            glixos-core.nixosModules.glixos
            home-manager.nixosModules.home-manager
            ./hosts/${host}
          ] ++ manifest.systemModules;
        };
    in
    {
      nixosConfigurations = {
        # >>> glix-managed hosts >>>
        # <<< glix-managed hosts <<<
      };

      # A fleet deployment engine reading the hosts above (`glix fleet enable colmena`
      # or `deploy-rs`); glix writes the lines between these two markers.
      # >>> glix-managed fleet >>>
      # <<< glix-managed fleet <<<
    };
}
