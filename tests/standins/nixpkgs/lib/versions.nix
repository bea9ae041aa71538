# Stands in for nixpkgs' lib/versions.nix (not nixpkgs): version comparison.
{ lib }:
let
  parts = v: builtins.splitVersion v;
  nth = n: v: let p = parts v; in if builtins.length p > n then builtins.elemAt p n else "";
in
{
  versionOlder = a: b: builtins.compareVersions b a == 1;
  versionAtLeast = a: b: builtins.compareVersions a b != -1;
  versions = {
    splitVersion = builtins.splitVersion;
    major = nth 0;
    minor = nth 1;
    patch = nth 2;
    majorMinor = v: "${nth 0 v}.${nth 1 v}";
  };
}
