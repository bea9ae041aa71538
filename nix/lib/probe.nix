# What a flake offers, for `glix add` (src/probe.rs): evaluated once per add with
# `nix eval --json --impure --expr`, before anything is written, so that an entry that
# cannot work is refused at add time with what the flake does have.
#
# It forces only names and the `type` of the values asked about: never a package's
# build, never a module's body.
{
  # A flake reference (fetched with getFlake), or null with `repo` set.
  flake ? null
, # The repo (a flake reference): `flake = null` means its locked `nixpkgs` input.
  repo ? null
, system
, # A package's attribute path (a list), or null.
  attr ? null
, # A module's output attribute path (a list), or null.
  output ? null
}:
let
  inherit (builtins) attrNames isAttrs head tail length filter elem;
  f = if flake != null then builtins.getFlake flake else (builtins.getFlake repo).inputs.nixpkgs;
  names = s: if isAttrs s then attrNames s else [ ];
  isDerivation = v: isAttrs v && (v.type or null) == "derivation";
  typeOf = v: if isDerivation v then "derivation" else builtins.typeOf v;

  # Walk `path` in `set`: { found; value; near } where `near` are the names where the
  # walk stopped (for did-you-mean).
  walk = set: path:
    if path == [ ] then { found = true; value = set; near = [ ]; }
    else if isAttrs set && set ? ${head path} then walk set.${head path} (tail path)
    else { found = false; value = null; near = names set; };

  meta = v: {
    name = v.name or null;
    version = v.version or null;
    description = v.meta.description or null;
  };

  # As Nix's installables: `packages.<system>.<attr>`, else `legacyPackages.<system>.<attr>`.
  package =
    let
      fromPackages = walk (f.packages.${system} or { }) attr;
      fromLegacy = walk (f.legacyPackages.${system} or { }) attr;
      hit = if fromPackages.found then { from = "packages"; r = fromPackages; }
        else if fromLegacy.found then { from = "legacyPackages"; r = fromLegacy; }
        else null;
    in
    if hit == null then {
      found = false;
      near = if length attr == 1 then fromPackages.near ++ fromLegacy.near else fromLegacy.near;
    }
    else {
      found = true;
      inherit (hit) from;
      type = typeOf hit.r.value;
    } // (if isDerivation hit.r.value then meta hit.r.value else { });

  module =
    let r = walk f output; in
    if !r.found then { found = false; inherit (r) near; }
    else { found = true; type = typeOf r.value; };

  # The outputs that are not flake plumbing, for "it offers …".
  plumbing = [ "inputs" "outPath" "sourceInfo" "outputs" "_type" "narHash" "lastModified" "lastModifiedDate" "rev" "shortRev" "dirtyRev" "dirtyShortRev" "revCount" "submodules" ];
in
{
  outputs = filter (n: !(elem n plumbing)) (names f);
  nixosModules = names (f.nixosModules or { });
  homeModules = names (f.homeModules or { });
  homeManagerModules = names (f.homeManagerModules or { });
  packages = names (f.packages.${system} or { });
  hasLegacyPackages = f ? legacyPackages;
  # Whether `inputs.<x>.inputs.nixpkgs.follows` has an input to act on.
  hasNixpkgsInput = (f.inputs or { }) ? nixpkgs;
  package = if attr == null then null else package;
  module = if output == null then null else module;
}
