# Stands in for nixpkgs' lib/options.nix (not nixpkgs): declaring options, and how
# option names and definition values are shown in error messages.
{ lib }:
let
  inherit (builtins) length head tail filter isList;
in
rec {
  isOption = x: builtins.isAttrs x && (x._type or null) == "option";

  mkOption =
    { default ? null, defaultText ? null, example ? null, description ? null
    , relatedPackages ? null, type ? null, apply ? null, internal ? null
    , visible ? null, readOnly ? null
    }@attrs:
    attrs // { _type = "option"; };

  mkEnableOption = name: mkOption {
    default = false;
    example = true;
    description = "Whether to enable ${name}.";
    type = lib.types.bool;
  };

  # pkgs.${name} (or the attribute path `default`), as nixpkgs' simple form does.
  mkPackageOption = pkgs: name: { default ? [ name ], example ? null, nullable ? false, extraDescription ? "", pkgsText ? "pkgs" }:
    let
      path = lib.toList default;
      pkg = lib.attrByPath path (throw "${pkgsText}.${lib.concatStringsSep "." path} cannot be found") pkgs;
    in
    mkOption {
      type = if nullable then lib.types.nullOr lib.types.package else lib.types.package;
      default = pkg;
      defaultText = literalExpression "${pkgsText}.${lib.concatStringsSep "." path}";
      description = "The ${if builtins.isList name then lib.concatStringsSep "." name else name} package to use.${extraDescription}";
    };

  mkSinkUndeclaredOptions = attrs: mkOption ({ internal = true; visible = false; default = false; type = lib.types.anything; apply = _: throw "Option value is not readable because the option is not declared."; } // attrs);

  literalExpression = text: { _type = "literalExpression"; inherit text; };
  literalMD = text: { _type = "literalMD"; inherit text; };
  mdDoc = x: x;

  getValues = map (d: d.value);
  getFiles = map (d: d.file);

  showOption = parts:
    let
      part = p:
        if p == "*" || builtins.match "<.+>" p != null || builtins.match "[a-zA-Z0-9_][a-zA-Z0-9_'-]+" p != null then p
        else lib.escapeNixIdentifier p;
    in
    lib.concatStringsSep "." (map part parts);

  showFiles = files: lib.concatStringsSep " and " (map (f: "`${f}'") files);

  # "\n- In `file': value" per definition, the first five lines of each value.
  showDefs = defs: lib.concatMapStrings (def:
    let
      pretty = builtins.tryEval (lib.generators.toPretty { } def.value);
      lines = lib.splitString "\n" pretty.value;
      value = lib.concatStringsSep "\n    " (lib.take 5 lines ++ lib.optional (length lines > 5) "...");
      shown =
        if !pretty.success then ""
        else if length lines > 1 then ":\n    " + value
        else ": " + value;
    in
    "\n- In `${def.file}'${shown}") defs;

  prioritySuggestion = ''
    Use `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions.
  '';

  mergeEqualOption = loc: defs:
    if defs == [ ] then abort "mergeEqualOption: no definitions"
    else if length defs == 1 then (head defs).value
    else (builtins.foldl' (first: def:
      if def.value != first.value then
        throw "The option `${showOption loc}' has conflicting definition values:${showDefs [ first def ]}\n${prioritySuggestion}"
      else first) (head defs) (tail defs)).value;

  mergeUniqueOption = { message, merge ? _: defs: (head defs).value }: loc: defs:
    if length defs == 1 then merge loc defs
    else throw "The option `${showOption loc}' is defined multiple times while it's expected to be unique.\n${message}\nDefinition values:${showDefs defs}\n${prioritySuggestion}";

  mergeOneOption = mergeUniqueOption { message = ""; };

  mergeDefaultOption = loc: defs:
    let list = getValues defs; in
    if length list == 1 then head list
    else if builtins.all lib.isFunction list then x: mergeDefaultOption loc (map (f: { file = "<function>"; value = f x; }) defs)
    else if builtins.all isList list then builtins.concatLists list
    else if builtins.all builtins.isAttrs list then builtins.foldl' (a: b: a // b) { } list
    else if builtins.all builtins.isBool list then builtins.foldl' (a: b: a || b) false list
    else if builtins.all builtins.isString list then lib.concatStrings list
    else if builtins.all builtins.isInt list && builtins.all (x: x == head list) list then head list
    else throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";
}
