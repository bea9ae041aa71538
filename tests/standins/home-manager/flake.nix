# Stands in for home-manager in glixos's tests. This is NOT home-manager and contains
# none of its code: a NixOS module (./nixos) whose home-manager.users.<name> are
# evaluated with nixpkgs' (here: the stand-in's) module system over a few home
# modules (./modules), with the same option names and the same wiring to users.users.
{
  description = "glixos test stand-in for home-manager (not home-manager)";

  # As the real flake. Tests always make it follow their nixpkgs
  # (`home-manager.inputs.nixpkgs.follows = "nixpkgs"`), so this is never fetched.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, ... }: {
    nixosModules.home-manager = import ./nixos;
    nixosModules.default = self.nixosModules.home-manager;
  };
}
