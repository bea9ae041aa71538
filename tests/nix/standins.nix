# Stand-ins for a flake's `inputs`, built from a normalized manifest: for every package,
# `inputs.<input>.<output path>` is a module that reports what it was called with.
# There is no nixpkgs here; these replace real package flakes in the tests.
{ manifest }:
let
  inherit (builtins) attrValues foldl' isAttrs head tail length;
  # A package module that records the glixConfig it received, and which output it is.
  recorder = tag: { glixConfig ? "<no glixConfig>", ... }@args: {
    config.received.${tag} = {
      inherit glixConfig;
      args = builtins.attrNames args;
    };
  };
  setPath = path: value: if path == [ ] then value else { ${head path} = setPath (tail path) value; };
  merge = a: b:
    a // builtins.mapAttrs (k: v: if a ? ${k} && isAttrs a.${k} && isAttrs v then merge a.${k} v else v) b;
  splitOutput = o: builtins.filter builtins.isString (builtins.split "[.]" o);
in
foldl'
  (acc: p:
    let path = [ p.input ] ++ splitOutput p.output;
    in merge acc (setPath path (recorder "${p.input}.${p.output}")))
  { self = { }; nixpkgs = { }; }
  (attrValues manifest.packages)
