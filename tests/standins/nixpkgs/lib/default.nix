# Stands in for nixpkgs' `lib` in glixos's tests. This is NOT nixpkgs: a compact
# library written for the tests, with the same names and semantics for the parts
# glixos and typical modules use (the module system in ./modules.nix, its types in
# ./types.nix). Each file adds one concept; they all see the finished `lib`.
let
  lib = builtins.foldl' (acc: f: acc // import f { inherit lib; }) { } [
    ./trivial.nix
    ./attrsets.nix
    ./lists.nix
    ./strings.nix
    ./versions.nix
    ./sources.nix
    ./licenses.nix
    ./generators.nix
    ./options.nix
    ./modules.nix
    ./types.nix
    ./systems.nix
  ];
in
lib
