# Stands in for nixpkgs' default.nix (not nixpkgs): `import <this> { system; config; overlays; }`.
import ./pkgs
