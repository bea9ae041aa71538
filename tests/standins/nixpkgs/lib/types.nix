# Stands in for nixpkgs' lib/types.nix (not nixpkgs; written for glixos's tests): option
# types. A type says what a definition may be (check), how several definitions become
# one value (merge), how to describe itself in errors, and whether two declarations
# of one option with this type can be combined (typeMerge, through its functor).
{ lib }:
let
  inherit (builtins) isAttrs isString isInt isBool isList isPath length head tail all filter concatLists mapAttrs zipAttrsWith;
  inherit (lib) mergeEqualOption mergeOneOption mergeDefaultOption mergeUniqueOption showOption showFiles getValues getFiles mergeDefinitions;

  defaultFunctor = name: { inherit name; type = lib.types.${name} or null; wrapped = null; payload = null; binOp = _: _: null; };

  defaultTypeMerge = f: f':
    if f.name != f'.name then null
    else if f.wrapped != null && f'.wrapped != null then
      let w = f.wrapped.typeMerge f'.wrapped.functor; in if w == null then null else f.type w
    else if f.payload != null && f'.payload != null then
      let p = f.binOp f.payload f'.payload; in if p == null then null else f.type p
    else if f.payload == null && f'.payload == null && f.wrapped == null && f'.wrapped == null then f.type
    else null;

  mkOptionType =
    { name, description ? name, descriptionClass ? null, check ? _: true, merge ? mergeDefaultOption
    , emptyValue ? { }, getSubOptions ? _: { }, getSubModules ? null, substSubModules ? _: null
    , functor ? defaultFunctor name, typeMerge ? defaultTypeMerge functor, nestedTypes ? { }, deprecationMessage ? null
    }:
    {
      _type = "option-type";
      inherit name description descriptionClass check merge emptyValue getSubOptions getSubModules substSubModules functor typeMerge nestedTypes deprecationMessage;
    };

  showValue = v: if isString v then builtins.toJSON v else if isBool v then lib.boolToString v else toString v;

  # Container types: the functor wraps the element type, so declarations merge when
  # their element types do.
  wrapping = name: elemType: extra: mkOptionType ({
    inherit name;
    getSubModules = elemType.getSubModules;
    functor = defaultFunctor name // { wrapped = elemType; };
    nestedTypes.elemType = elemType;
  } // extra);

  types = rec {
    inherit mkOptionType defaultFunctor defaultTypeMerge;
    isType = name: t: (t._type or "") == "option-type" && t.name == name;
    isOptionType = t: (t._type or "") == "option-type";

    raw = mkOptionType { name = "raw"; description = "raw value"; merge = mergeOneOption; };
    unspecified = mkOptionType { name = "unspecified"; description = "unspecified value"; };
    anything = mkOptionType {
      name = "anything";
      description = "anything";
      merge = loc: defs:
        let
          kind = v: if isAttrs v && lib.isStringLike v then "stringCoercibleSet" else builtins.typeOf v;
          common = builtins.foldl'
            (k: def: if kind def.value == k then k else throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}")
            (kind (head defs).value) defs;
        in
        {
          set = (attrsOf anything).merge;
          stringCoercibleSet = mergeOneOption;
          lambda = loc: defs: arg: anything.merge (loc ++ [ "<function body>" ]) (map (def: { inherit (def) file; value = def.value arg; }) defs);
        }.${common} or mergeEqualOption loc defs;
    };
    bool = mkOptionType { name = "bool"; description = "boolean"; check = isBool; merge = mergeEqualOption; };
    int = mkOptionType { name = "int"; description = "signed integer"; check = isInt; merge = mergeEqualOption; };
    float = mkOptionType { name = "float"; description = "floating point number"; check = builtins.isFloat; merge = mergeEqualOption; };
    number = either int float;
    ints = rec {
      between = lo: hi: addCheck int (x: x >= lo && x <= hi) // {
        name = "intBetween";
        description = "integer between ${toString lo} and ${toString hi} (both inclusive)";
      };
      unsign = bits: range: addCheck int (x: x >= 0 && x <= range) // {
        name = "unsignedInt${toString bits}";
        description = "${toString bits} bit unsigned integer; between 0 and ${toString range} (both inclusive)";
      };
      unsigned = addCheck int (x: x >= 0) // { name = "unsignedInt"; description = "unsigned integer, meaning >=0"; };
      positive = addCheck int (x: x > 0) // { name = "positiveInt"; description = "positive integer, meaning >0"; };
      u8 = unsign 8 255;
      u16 = unsign 16 65535;
      u32 = unsign 32 4294967295;
    };
    port = ints.u16;
    str = mkOptionType { name = "str"; description = "string"; check = isString; merge = mergeEqualOption; };
    nonEmptyStr = mkOptionType {
      name = "nonEmptyStr";
      description = "non-empty string";
      check = x: isString x && builtins.match "[ \t\n]*" x == null;
      merge = mergeEqualOption;
    };
    singleLineStr = mkOptionType {
      name = "singleLineStr";
      description = "(optionally newline-terminated) single-line string";
      check = x: isString x && builtins.match "[^\n]*\n?" x != null;
      merge = mergeEqualOption;
    };
    strMatching = pattern: mkOptionType {
      name = "strMatching ${builtins.toJSON pattern}";
      description = "string matching the pattern ${pattern}";
      check = x: isString x && builtins.match pattern x != null;
      merge = mergeEqualOption;
      functor = defaultFunctor "strMatching" // { type = strMatching; payload = pattern; binOp = a: b: if a == b then a else null; };
    };
    separatedString = sep: mkOptionType {
      name = "separatedString";
      description = if sep == "" then "Concatenated string" else "strings concatenated with ${builtins.toJSON sep}";
      check = isString;
      merge = _: defs: lib.concatStringsSep sep (getValues defs);
      functor = defaultFunctor "separatedString" // { type = separatedString; payload = sep; binOp = a: b: if a == b then a else null; };
    };
    lines = separatedString "\n";
    commas = separatedString ",";
    envVar = separatedString ":";
    passwdEntry = entryType: addCheck entryType (s: !(lib.hasInfix ":" s || lib.hasInfix "\n" s)) // {
      name = "passwdEntry ${entryType.name}";
      description = "${entryType.description}, not containing newlines or colons";
    };
    attrs = mkOptionType {
      name = "attrs";
      description = "attribute set";
      check = isAttrs;
      merge = _: builtins.foldl' (res: def: res // def.value) { };
      emptyValue = { value = { }; };
    };
    package = mkOptionType {
      name = "package";
      description = "package";
      check = x: lib.isDerivation x || lib.isStorePath x;
      merge = loc: defs:
        let res = mergeOneOption loc defs; in
        if isPath res || (isString res && !builtins.hasContext res) then lib.toDerivation res else res;
    };
    path = mkOptionType {
      name = "path";
      description = "path";
      check = x: lib.isStringLike x && builtins.substring 0 1 (toString x) == "/";
      merge = mergeEqualOption;
    };
    pathInStore = addCheck path (x: lib.hasPrefix builtins.storeDir (toString x)) // { name = "pathInStore"; description = "path in the Nix store"; };

    listOf = elemType: wrapping "listOf" elemType {
      description = "list of ${elemType.description}";
      check = isList;
      merge = loc: defs:
        map (x: x.value) (filter (x: x ? value) (concatLists (lib.imap1
          (n: def: lib.imap1
            (m: v: (mergeDefinitions (loc ++ [ "[definition ${toString n}-entry ${toString m}]" ]) elemType [ { inherit (def) file; value = v; } ]).optionalValue)
            def.value)
          defs)));
      emptyValue = { value = [ ]; };
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
      substSubModules = m: listOf (elemType.substSubModules m);
    };
    nonEmptyListOf = elemType: addCheck (listOf elemType) (l: l != [ ]) // { description = "non-empty list of ${elemType.description}"; };

    attrsOf = elemType: wrapping "attrsOf" elemType {
      description = "attribute set of ${elemType.description}";
      check = isAttrs;
      # Each attribute merged on its own (a `mkIf false` one disappears).
      merge = loc: defs:
        mapAttrs (_: v: v.value) (lib.filterAttrs (_: v: v ? value) (zipAttrsWith
          (name: defs: (mergeDefinitions (loc ++ [ name ]) elemType defs).optionalValue)
          (map (def: mapAttrs (_: v: { inherit (def) file; value = v; }) def.value) defs)));
      emptyValue = { value = { }; };
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<name>" ]);
      substSubModules = m: attrsOf (elemType.substSubModules m);
    };
    attrsWith = { elemType, lazy ? false, ... }: if lazy then lazyAttrsOf elemType else attrsOf elemType;
    # Like attrsOf, but which attributes exist does not depend on their values.
    lazyAttrsOf = elemType: wrapping "lazyAttrsOf" elemType {
      description = "lazy attribute set of ${elemType.description}";
      check = isAttrs;
      merge = loc: defs:
        zipAttrsWith
          (name: defs:
            let merged = mergeDefinitions (loc ++ [ name ]) elemType defs; in
            merged.optionalValue.value or elemType.emptyValue.value or merged.mergedValue)
          (map (def: mapAttrs (_: v: { inherit (def) file; value = v; }) def.value) defs);
      emptyValue = { value = { }; };
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<name>" ]);
      substSubModules = m: lazyAttrsOf (elemType.substSubModules m);
    };

    nullOr = elemType: wrapping "nullOr" elemType {
      description = "null or ${elemType.description}";
      check = x: x == null || elemType.check x;
      merge = loc: defs:
        let nulls = lib.count (def: def.value == null) defs; in
        if nulls == length defs then null
        else if nulls != 0 then throw "The option `${showOption loc}' is defined both null and not null, in ${showFiles (getFiles defs)}."
        else elemType.merge loc defs;
      emptyValue = { value = null; };
      getSubOptions = elemType.getSubOptions;
      substSubModules = m: nullOr (elemType.substSubModules m);
    };
    uniq = elemType: wrapping "uniq" elemType {
      inherit (elemType) description check emptyValue getSubOptions;
      merge = mergeOneOption;
      substSubModules = m: uniq (elemType.substSubModules m);
    };
    unique = { message }: elemType: wrapping "unique" elemType {
      inherit (elemType) description check emptyValue getSubOptions;
      merge = mergeUniqueOption { inherit message; inherit (elemType) merge; };
    };
    functionTo = elemType: wrapping "functionTo" elemType {
      description = "function that evaluates to a(n) ${elemType.description}";
      check = lib.isFunction;
      merge = loc: defs: args:
        (mergeDefinitions (loc ++ [ "<function body>" ]) elemType (map (fn: { inherit (fn) file; value = fn.value args; }) defs)).mergedValue;
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<function body>" ]);
    };
    either = t1: t2: mkOptionType {
      name = "either";
      description = "${t1.description} or ${t2.description}";
      check = x: t1.check x || t2.check x;
      merge = loc: defs:
        let values = getValues defs; in
        if all t1.check values then t1.merge loc defs
        else if all t2.check values then t2.merge loc defs
        else mergeOneOption loc defs;
      typeMerge = f': if f'.name == "either" then either t1 t2 else null;
      nestedTypes = { left = t1; right = t2; };
    };
    oneOf = ts: builtins.foldl' either (head ts) (tail ts);
    enum = values: mkOptionType {
      name = "enum";
      description = if values == [ ] then "impossible (empty enum)" else "one of ${lib.concatMapStringsSep ", " showValue values}";
      check = x: builtins.elem x values;
      merge = mergeEqualOption;
      functor = defaultFunctor "enum" // { type = enum; payload = values; binOp = a: b: lib.unique (a ++ b); };
    };
    addCheck = elemType: check: elemType // { check = x: elemType.check x && check x; };
    coercedTo = from: f: to: mkOptionType {
      name = "coercedTo";
      description = "${to.description} or ${from.description} convertible to it";
      check = x: (from.check x && to.check (f x)) || to.check x;
      merge = loc: defs: to.merge loc (map (def: def // { value = if from.check def.value && !(to.check def.value) then f def.value else def.value; }) defs);
      getSubOptions = to.getSubOptions;
      nestedTypes = { coercedType = from; finalType = to; };
    };

    # A module's value where the module itself is evaluated later (imports of them).
    deferredModule = mkOptionType {
      name = "deferredModule";
      description = "module";
      check = x: isAttrs x || lib.isFunction x || isPath x;
      merge = loc: defs: { imports = map (def: lib.setDefaultModuleLocation "${def.file}, via option ${showOption loc}" def.value) defs; };
    };

    submoduleWith = { modules, specialArgs ? { }, shorthandOnlyDefinesConfig ? false, description ? null, class ? null }@attrs:
      let
        # Each definition becomes a module of the submodule's evaluation, named by its file.
        fromDefs = defs: map
          ({ value, file }:
            if isAttrs value && shorthandOnlyDefinesConfig then { _file = file; config = value; }
            else { _file = file; imports = [ value ]; })
          defs;
        base = lib.evalModules {
          inherit class specialArgs;
          modules = [ { _module.args.name = lib.mkOptionDefault "‹name›"; } ] ++ modules;
        };
        freeformType = base._module.freeformType;
      in
      mkOptionType {
        name = "submodule";
        description = if description != null then description else "submodule";
        check = x: isAttrs x || lib.isFunction x || isPath x;
        merge = loc: defs:
          (base.extendModules { modules = [ { _module.args.name = lib.last loc; } ] ++ fromDefs defs; prefix = loc; }).config;
        emptyValue = { value = { }; };
        getSubOptions = prefix: (base.extendModules { inherit prefix; }).options;
        getSubModules = modules;
        substSubModules = m: submoduleWith (attrs // { modules = m; });
        nestedTypes = lib.optionalAttrs (freeformType != null) { inherit freeformType; };
        functor = defaultFunctor "submodule" // {
          type = submoduleWith;
          payload = { inherit modules specialArgs shorthandOnlyDefinesConfig description class; };
          binOp = lhs: rhs: {
            modules = lhs.modules ++ rhs.modules;
            specialArgs = lhs.specialArgs // rhs.specialArgs;
            shorthandOnlyDefinesConfig =
              if lhs.shorthandOnlyDefinesConfig == rhs.shorthandOnlyDefinesConfig then lhs.shorthandOnlyDefinesConfig
              else throw "A submoduleWith option is declared multiple times with conflicting shorthandOnlyDefinesConfig values";
            description = if lhs.description == null then rhs.description else lhs.description;
            class = if lhs.class == null then rhs.class else lhs.class;
          };
        };
      };
    submodule = modules: submoduleWith { shorthandOnlyDefinesConfig = true; modules = lib.toList modules; };
  };
in
{
  inherit types mkOptionType;
}
