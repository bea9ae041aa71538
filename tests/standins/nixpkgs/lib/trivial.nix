# Stands in for nixpkgs' lib/trivial.nix (not nixpkgs): small functions, the release.
{ lib }:
let
  release = "25.11";
in
{
  trivial = { inherit release; codeName = "Standin"; version = "${release}pre-standin"; };
  inherit release;
  version = "${release}pre-standin";
  id = x: x;
  fix = f: let x = f x; in x;
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  const = x: _: x;
  flip = f: a: b: f b a;
  pipe = builtins.foldl' (x: f: f x);
  "or" = a: b: a || b;
  "and" = a: b: a && b;
  xor = a: b: a != b;
  min = a: b: if a < b then a else b;
  max = a: b: if a > b then a else b;
  mod = a: b: a - (a / b) * b;
  boolToString = b: if b then "true" else "false";
  mergeAttrs = a: b: a // b;
  isFunction = f: builtins.isFunction f || (f ? __functor && lib.isFunction (f.__functor f));
  # A functor's arguments are its __functionArgs when it says so, as in nixpkgs.
  functionArgs = f:
    if f ? __functor then f.__functionArgs or (lib.functionArgs (f.__functor f))
    else builtins.functionArgs f;
  setFunctionArgs = f: args: { __functor = _: f; __functionArgs = args; };
  warn = builtins.warn or (msg: builtins.trace "evaluation warning: ${msg}");
  warnIf = cond: msg: if cond then lib.warn msg else x: x;
  throwIf = cond: msg: if cond then throw msg else x: x;
  throwIfNot = cond: msg: if cond then x: x else throw msg;
  importJSON = path: builtins.fromJSON (builtins.readFile path);
  importTOML = path: builtins.fromTOML (builtins.readFile path);
  seq = builtins.seq;
  deepSeq = builtins.deepSeq;
  inherit (builtins) addErrorContext;
}
