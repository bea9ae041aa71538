# Stands in for nixpkgs' `lib` in glixos's tests. This is NOT nixpkgs: a compact
# library written for the tests, with the same names and semantics for the parts
# glixos and typical modules use (the module system in ./modules.nix, its types in
# ./types.nix). Each file adds one concept; they all see the finished `lib`, which
# has each file's functions at the top and under its name (lib.attrsets.…, lib.lists.…).
let
  files = [ "trivial" "attrsets" "lists" "strings" "versions" "sources" "licenses" "generators" "options" "modules" "types" "systems" ];
  parts = builtins.listToAttrs (map (name: { inherit name; value = import (./. + "/${name}.nix") { inherit lib; }; }) files);
  lib = builtins.foldl' (acc: name: acc // parts.${name}) { } files // {
    inherit (parts) attrsets lists strings options sources;
    trivial = parts.trivial // parts.trivial.trivial;
  };
in
lib
