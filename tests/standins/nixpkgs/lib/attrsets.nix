# Stands in for nixpkgs' lib/attrsets.nix (not nixpkgs): attribute-set functions.
{ lib }:
let
  inherit (builtins) head tail length isAttrs attrNames listToAttrs;
in
rec {
  inherit (builtins) attrNames attrValues mapAttrs listToAttrs hasAttr getAttr removeAttrs intersectAttrs catAttrs zipAttrsWith;
  nameValuePair = name: value: { inherit name value; };
  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
  filterAttrs = pred: set: removeAttrs set (builtins.filter (n: !pred n set.${n}) (attrNames set));
  mapAttrs' = f: set: listToAttrs (map (n: f n set.${n}) (attrNames set));
  mapAttrsToList = f: set: map (n: f n set.${n}) (attrNames set);
  attrsToList = mapAttrsToList nameValuePair;
  concatMapAttrs = f: set: builtins.foldl' (a: b: a // b) { } (mapAttrsToList f set);
  foldlAttrs = f: init: set: builtins.foldl' (acc: n: f acc n set.${n}) init (attrNames set);
  optionalAttrs = cond: set: if cond then set else { };
  attrByPath = path: default: set:
    if path == [ ] then set
    else if isAttrs set && set ? ${head path} then attrByPath (tail path) default set.${head path}
    else default;
  hasAttrByPath = path: set:
    path == [ ] || (isAttrs set && set ? ${head path} && hasAttrByPath (tail path) set.${head path});
  getAttrFromPath = path: set:
    attrByPath path (throw "cannot find attribute `${lib.concatStringsSep "." path}'") set;
  setAttrByPath = path: value: if path == [ ] then value else { ${head path} = setAttrByPath (tail path) value; };
  zipAttrs = zipAttrsWith (_: vs: vs);
  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = path: zipAttrsWith (n: values:
        let here = path ++ [ n ]; in
        if length values == 1 || pred here (head (tail values)) (head values) then head values
        else f here values);
    in
    f [ ] [ rhs lhs ];
  recursiveUpdate = recursiveUpdateUntil (_: lhs: rhs: !(isAttrs lhs && isAttrs rhs));
  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path: mapAttrs (n: v:
        if isAttrs v && cond v then recurse (path ++ [ n ]) v else f (path ++ [ n ]) v);
    in
    recurse [ ] set;
  mapAttrsRecursive = mapAttrsRecursiveCond (_: true);
  recurseIntoAttrs = attrs: attrs // { recurseForDerivations = true; };
  isDerivation = x: (x.type or null) == "derivation";
  toDerivation = path: {
    type = "derivation";
    name = builtins.unsafeDiscardStringContext (baseNameOf path);
    outPath = path;
    outputs = [ "out" ];
    drvPath = throw "toDerivation: no drvPath for ${toString path}";
  };
  getName = x: if isAttrs x then x.pname or (builtins.parseDrvName x.name).name else (builtins.parseDrvName x).name;
  getVersion = x: if isAttrs x then x.version or (builtins.parseDrvName x.name).version else (builtins.parseDrvName x).version;
  getBin = x: x.bin or x.out or x;
  getExe = x: "${getBin x}/bin/${x.meta.mainProgram or (getName x)}";
  collect = pred: v:
    if pred v then [ v ]
    else if isAttrs v then lib.concatMap (collect pred) (builtins.attrValues v)
    else [ ];
  cartesianProduct = set:
    builtins.foldl' (acc: n: lib.concatMap (a: map (v: a // { ${n} = v; }) set.${n}) acc) [ { } ] (attrNames set);
}
