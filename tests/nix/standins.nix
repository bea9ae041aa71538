# Stand-ins for a flake's `inputs` and the host's `pkgs`, built from a normalized
# manifest: for every module entry, `inputs.<input>.<output path>` is a module that
# reports what it was called with; for every package entry, the derivation it names
# (`inputs.<input>.packages.x86_64-linux.<attr>`, or `pkgs.<attr>` for one of the
# host's nixpkgs) is a stand-in that says where it was found. There is no nixpkgs
# here; these replace real package flakes in the tests.
{ manifest }:
let
  inherit (builtins) attrValues foldl' isAttrs head tail filter;
  # A package module that records the glixConfig it received, and which output it is.
  recorder = tag: { glixConfig ? "<no glixConfig>", ... }@args: {
    config.received.${tag} = {
      inherit glixConfig;
      args = builtins.attrNames args;
    };
  };
  # Enough of a derivation for importManifest's check (`type`), named after where it is.
  drv = where: { type = "derivation"; name = where; };
  setPath = path: value: if path == [ ] then value else { ${head path} = setPath (tail path) value; };
  merge = a: b:
    a // builtins.mapAttrs (k: v: if a ? ${k} && isAttrs a.${k} && isAttrs v then merge a.${k} v else v) b;
  splitPath = o: builtins.filter builtins.isString (builtins.split "[.]" o);
  entries = attrValues manifest.packages;
  fromInputs = filter (p: p.input != null) entries;
  fromPkgs = filter (p: p.input == null) entries;
  at = p:
    if p.kind == "package" then
      { path = [ p.input "packages" "x86_64-linux" ] ++ splitPath p.attr; value = drv "${p.input}#${p.attr}"; }
    else { path = [ p.input ] ++ splitPath p.output; value = recorder "${p.input}.${p.output}"; };
in
{
  inputs = foldl' (acc: p: let a = at p; in merge acc (setPath a.path a.value)) { self = { }; nixpkgs = { }; } fromInputs;
  pkgs = foldl' (acc: p: merge acc (setPath (splitPath p.attr) (drv "pkgs.${p.attr}"))) { stdenv.hostPlatform.system = "x86_64-linux"; } fromPkgs;
}
