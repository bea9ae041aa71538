# Stands in for nixpkgs' lib/generators.nix (not nixpkgs): toPretty, for error messages
# (showDefs) the way nixpkgs prints definition values.
{ lib }:
let
  pretty = indent: v:
    let next = indent + "  "; in
    if builtins.isAttrs v && (v.type or null) == "derivation" then "<derivation ${v.name or "?"}>"
    else if builtins.isAttrs v && v ? _type && v._type == "option-type" then "<option type ${v.description}>"
    else if builtins.isAttrs v then
      if v == { } then "{ }"
      else "{\n" + lib.concatMapStrings (n: "${next}${lib.escapeNixIdentifier n} = ${pretty next v.${n}};\n") (builtins.attrNames v) + "${indent}}"
    else if builtins.isList v then
      if v == [ ] then "[ ]"
      else "[\n" + lib.concatMapStrings (x: "${next}${pretty next x}\n") v + "${indent}]"
    else if builtins.isString v then
      if lib.hasInfix "\n" v then "''\n" + lib.concatMapStrings (l: "${next}${l}\n") (lib.splitString "\n" v) + "${indent}''"
      else builtins.toJSON v
    else if builtins.isFunction v then "<function>"
    else if v == null then "null"
    else if v == true then "true"
    else if v == false then "false"
    else toString v;
in
{
  generators = {
    toPretty = { multiline ? true, ... }: pretty "";
    toJSON = { }: builtins.toJSON;
    toINI = { }: attrs: lib.concatStrings (lib.mapAttrsToList (sec: kv:
      "[${sec}]\n" + lib.concatStrings (lib.mapAttrsToList (k: v: "${k}=${toString v}\n") kv)) attrs);
    toKeyValue = { }: attrs: lib.concatStrings (lib.mapAttrsToList (k: v: "${k}=${toString v}\n") attrs);
  };
}
