# Stands in for nixpkgs' lib/modules.nix (not nixpkgs; written for glixos's tests):
# the module system. evalModules collects modules (imports, dedup by key, disabled
# modules), splits each into option declarations and config definitions, walks the
# option tree level by level, and merges each option's definitions by priority
# (mkOverride), condition (mkIf), order (mkOrder) and type. Definitions without an
# option fail with "The option `…' does not exist" unless a freeformType takes them.
{ lib }:
let
  inherit (builtins) isAttrs isList isPath isString attrNames attrValues head length filter concatMap
    foldl' addErrorContext mapAttrs zipAttrsWith genericClosure;
  inherit (lib) showOption showFiles showDefs isOption;

  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;
  moduleKeys = [ "_class" "_file" "key" "disabledModules" "imports" "options" "config" "meta" "freeformType" ];

  # One module, whatever its form, as { key, file, imports, disabled, options, config }.
  unify = file: key: m:
    let
      file' = m._file or file;
      explicit = m ? config || m ? options;
      extra = removeAttrs m moduleKeys;
      config = if explicit then m.config or { } else extra;
    in
    if explicit && extra != { } then
      throw "Module `${file'}' has an unsupported attribute `${head (attrNames extra)}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them (namely: ${lib.concatStringsSep " " (attrNames extra)}) into the explicit `config' attribute."
    else {
      file = file';
      key = toString (m.key or key);
      imports = m.imports or [ ];
      disabled = m.disabledModules or [ ];
      options = m.options or { };
      config = if m ? freeformType then mkMerge [ { _module.freeformType = m.freeformType; } config ] else config;
    };

  # A function module gets lib, config, options, specialArgs and _class, and every other
  # argument it names from specialArgs or else config._module.args — lazily, each only
  # when used.
  applyArgs = key: f: args:
    let
      context = name: "while evaluating the module argument `${name}' in \"${key}\":";
      named = mapAttrs (name: _: addErrorContext (context name) (args.${name} or args.config._module.args.${name})) (lib.functionArgs f);
    in
    f (args // named);

  load = args: file: key: m:
    if lib.isFunction m then unify file key (applyArgs key m args)
    else if isAttrs m then
      if m ? _type && m._type != "module" then
        throw "Module `${file}' is a `${m._type}' (mkIf/mkMerge/…), not a module; put it under `config'."
      else unify file key m
    else if isPath m || isString m then load args (toString m) (toString m) (import m)
    else if isList m then
      throw "Module imports can't be nested lists. Perhaps you meant to remove one level of lists? Definitions:${showDefs [ { inherit file; value = m; } ]}"
    else throw "Module `${file}' is not a module: it is a ${builtins.typeOf m}.";

  # Every module reachable through imports, once per key; modules named by a
  # disabledModules (and what only they import) left out.
  collect = args: modulesPath: modules:
    let
      item = parent: n: m:
        let
          file = if isPath m || isString m then toString m else parent.file;
          key = if isPath m || isString m then toString m else "${parent.key}:anon-${toString n}";
          u = addErrorContext "while evaluating the module `${key}':" (load args file key m);
        in
        { inherit (u) key; module = u; };
      children = x: lib.imap1 (item x.module) x.module.imports;
      top = lib.imap1 (item { file = "<unknown-file>"; key = ""; }) modules;
      all = genericClosure { startSet = top; operator = children; };
      disabledKey = d:
        if isAttrs d then toString d.key
        else if isString d && !lib.hasPrefix "/" d then "${toString modulesPath}/${d}"
        else toString d;
      disabled = map disabledKey (concatMap (x: x.module.disabled) all);
      keep = filter (x: !(builtins.elem x.key disabled));
    in
    map (x: x.module) (if disabled == [ ] then all else genericClosure { startSet = keep top; operator = x: keep (children x); });

  # mkIf/mkMerge/mkOverride around an attribute set moved down onto its attributes,
  # so a level's attribute names never depend on a condition's value.
  pushDownProperties = cfg:
    let t = cfg._type or ""; in
    if t == "merge" then concatMap pushDownProperties cfg.contents
    else if t == "if" then map (mapAttrs (_: v: mkIf cfg.condition v)) (pushDownProperties cfg.content)
    else if t == "override" then map (mapAttrs (_: v: mkOverride cfg.priority v)) (pushDownProperties cfg.content)
    else [ cfg ];

  dischargeProperties = def:
    let t = def._type or ""; in
    if t == "merge" then concatMap dischargeProperties def.contents
    else if t == "if" then
      if builtins.isBool def.condition then
        if def.condition then dischargeProperties def.content else [ ]
      else throw "‘mkIf’ called with a non-Boolean condition"
    else [ def ];

  filterOverrides' = defs:
    let
      prio = def: if def.value._type or "" == "override" then def.value.priority else defaultOverridePriority;
      highestPrio = foldl' (p: def: lib.min (prio def) p) 9999 defs;
      strip = def: if def.value._type or "" == "override" then def // { value = def.value.content; } else def;
    in
    { values = concatMap (def: if prio def == highestPrio then [ (strip def) ] else [ ]) defs; inherit highestPrio; };

  sortProperties = defs:
    let
      strip = def: if def.value._type or "" == "order" then def // { value = def.value.content; inherit (def.value) priority; } else def;
    in
    builtins.sort (a: b: (a.priority or defaultOrderPriority) < (b.priority or defaultOrderPriority)) (map strip defs);

  # An option's definitions ({ file, value }) merged: properties, then priorities, order,
  # the type check and the type's merge.
  mergeDefinitions = loc: type: defs:
    let
      discharged = concatMap
        (d: map (value: { inherit (d) file; inherit value; })
          (addErrorContext "while evaluating definitions from `${d.file}':" (dischargeProperties d.value)))
        defs;
      overridden = filterOverrides' discharged;
      final =
        if builtins.any (d: d.value._type or "" == "order") overridden.values then sortProperties overridden.values
        else overridden.values;
      isDefined = final != [ ];
      mergedValue =
        if isDefined then
          let invalid = filter (d: !type.check d.value) final; in
          if invalid == [ ] then type.merge loc final
          else throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${showDefs invalid}"
        else throw "The option `${showOption loc}' was accessed but has no value defined. Try setting the option.";
    in
    {
      defsFinal = final;
      inherit isDefined mergedValue;
      inherit (overridden) highestPrio;
      optionalValue = if isDefined then { value = mergedValue; } else { };
    };

  # Several declarations of one option: types merge when they can (submodules do,
  # their modules concatenated); a second default, description, example or apply is
  # an error, as is a second type that does not merge.
  mergeOptionDecls = loc: decls:
    let
      merged = foldl'
        (res: d:
          let
            o = d.options;
            both = k: o ? ${k} && res ? ${k};
            mergedType = if both "type" then res.type.typeMerge o.type.functor else null;
          in
          if both "default" || both "example" || both "description" || both "apply" || (both "type" && mergedType == null) then
            throw "The option `${showOption loc}' in `${d.file}' is already declared in ${showFiles res.declarations}."
          else
            res // removeAttrs o [ "_type" ] // { declarations = res.declarations ++ [ d.file ]; }
            // lib.optionalAttrs (mergedType != null) { type = mergedType; })
        { _type = "option"; inherit loc; declarations = [ ]; }
        decls;
    in
    merged // { type = merged.type or lib.types.unspecified; };

  evalOptionValue = loc: opt: defs:
    let
      defs' = lib.optional (opt ? default) { file = head opt.declarations; value = mkOptionDefault opt.default; } ++ defs;
      res =
        if opt.readOnly or false && length defs' > 1 then
          throw "The option `${showOption loc}' is read-only, but it's set multiple times. Definition values:${showDefs (map (d: d // { value = (mergeDefinitions loc opt.type [ d ]).mergedValue; }) defs')}"
        else mergeDefinitions loc opt.type defs';
      value = if opt ? apply then opt.apply res.mergedValue else res.mergedValue;
    in
    opt // {
      value = addErrorContext "while evaluating the option `${showOption loc}':" value;
      inherit (res) isDefined highestPrio;
      definitions = map (d: d.value) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
      files = map (d: d.file) res.defsFinal;
    };

  # One level of the option tree. decls: [ { file, options } ] (declarations below this
  # level); defs: [ { file, config } ] (attribute sets, properties pushed down).
  # Returns the options found ({ name = option or nested level }) and the definitions
  # no option takes ({ file, prefix, value }).
  mergeLevel = loc: decls: defs:
    let
      declsByName = zipAttrsWith (_: ds: ds) (map (d: mapAttrs (_: options: { inherit (d) file; inherit options; }) d.options) decls);
      defsByName = zipAttrsWith (_: vs: vs) (map
        (d:
          if !isAttrs d.config then
            throw "You're trying to declare a value of type `${builtins.typeOf d.config}'\nrather than an attribute set for the option\n`${showOption loc}'!\nIn `${d.file}'."
          else mapAttrs (_: value: { inherit (d) file; inherit value; }) d.config)
        defs);
      results = mapAttrs
        (name: _:
          let
            here = loc ++ [ name ];
            ds = declsByName.${name} or [ ];
            vs = defsByName.${name} or [ ];
            optionDecls = filter (d: isOption d.options) ds;
          in
          if ds == [ ] then { unmatched = map (v: { inherit (v) file value; prefix = [ name ]; }) vs; }
          else if optionDecls != [ ] then
            if length optionDecls != length ds then
              throw "The option `${showOption here}' in `${(head optionDecls).file}' is a prefix of options in `${(head (filter (d: !isOption d.options) ds)).file}'."
            else { option = evalOptionValue here (mergeOptionDecls here ds) vs; unmatched = [ ]; }
          else
            let sub = mergeLevel here ds (concatMap (v: map (c: { inherit (v) file; config = c; }) (pushDownProperties v.value)) vs);
            in { nested = sub.matched; unmatched = map (u: u // { prefix = [ name ] ++ u.prefix; }) sub.unmatched; })
        (declsByName // defsByName);
    in
    {
      matched = mapAttrs (_: r: r.option or r.nested) (lib.filterAttrs (_: r: r ? option || r ? nested) results);
      unmatched = concatMap (r: r.unmatched) (attrValues results);
    };

  evalModules = evalArgs@{ modules, prefix ? [ ], specialArgs ? { }, class ? null, ... }:
    let
      internalModule = {
        _file = toString ./modules.nix;
        key = toString ./modules.nix;
        options._module.args = lib.mkOption {
          type = lib.types.lazyAttrsOf lib.types.raw;
          description = "Arguments passed to each module (besides lib, config, options and specialArgs).";
        };
        options._module.check = lib.mkOption { type = lib.types.bool; internal = true; default = true; description = "Whether to check that every definition has an option."; };
        options._module.freeformType = lib.mkOption { type = lib.types.nullOr lib.types.raw; internal = true; default = null; description = "The type of definitions without an option."; };
        options._module.specialArgs = lib.mkOption { type = lib.types.attrs; internal = true; readOnly = true; description = "The specialArgs of this evaluation."; };
        config._module.args = { inherit extendModules; moduleType = type; };
        config._module.specialArgs = specialArgs;
      };
      args = { inherit lib options config specialArgs; _class = class; } // specialArgs;
      collected = collect args (specialArgs.modulesPath or "") ([ internalModule ] ++ modules);
      merged = mergeLevel prefix
        (map (m: { inherit (m) file options; }) collected)
        (concatMap (m: map (c: { inherit (m) file; config = c; }) (pushDownProperties m.config)) collected);
      options = merged.matched;
      declaredConfig = lib.mapAttrsRecursiveCond (v: !isOption v) (_: o: o.value) options;
      freeformConfig =
        let defs = map (d: { inherit (d) file; value = lib.setAttrByPath d.prefix d.value; }) merged.unmatched; in
        if defs == [ ] then { } else declaredConfig._module.freeformType.merge prefix defs;
      config =
        if declaredConfig._module.freeformType == null then declaredConfig
        else lib.recursiveUpdate freeformConfig declaredConfig;
      checkUnmatched =
        if config._module.check && config._module.freeformType == null && merged.unmatched != [ ] then
          let first = head merged.unmatched; in
          throw "The option `${showOption (prefix ++ first.prefix)}' does not exist. Definition values:${addErrorContext "while evaluating a definition from `${first.file}'" (showDefs [ first ])}"
        else null;
      checked = builtins.seq checkUnmatched;
      extendModules = extendArgs@{ modules ? [ ], specialArgs ? { }, prefix ? [ ] }:
        evalModules (evalArgs // {
          modules = evalArgs.modules ++ modules;
          specialArgs = (evalArgs.specialArgs or { }) // specialArgs;
          prefix = extendArgs.prefix or evalArgs.prefix or [ ];
        });
      type = lib.types.submoduleWith { inherit modules specialArgs class; };
    in
    {
      _type = "configuration";
      options = checked options;
      config = checked (removeAttrs config [ "_module" ]);
      _module = checked config._module;
      inherit extendModules type class;
    };

  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOptionDefault = mkOverride 1500;
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
in
{
  inherit evalModules mergeDefinitions pushDownProperties dischargeProperties mkIf mkMerge mkOverride mkOptionDefault mkOrder
    defaultOverridePriority defaultOrderPriority;
  modules = { inherit evalModules mergeDefinitions; };
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  mkDefaultOrder = mkOrder defaultOrderPriority;
  setDefaultModuleLocation = file: m: { _file = file; imports = [ m ]; };
  mkAliasDefinitions = option: mkIf (option.isDefined or false) (mkMerge option.definitions);

  # An option moved: `from' still accepts definitions, which go to `to' at their
  # priority, with the warning nixpkgs gives; reading `from' reads `to'.
  mkRenamedOptionModule = from: to: { config, options, ... }:
    let fromOpt = lib.getAttrFromPath from options; in
    {
      options = lib.setAttrByPath from (lib.mkOption {
        visible = false;
        description = "Alias of {option}`${showOption to}`.";
        apply = _: lib.getAttrFromPath to config;
      });
      config = mkMerge [
        { warnings = lib.optional fromOpt.isDefined "The option `${showOption from}' defined in ${showFiles fromOpt.files} has been renamed to `${showOption to}'."; }
        (lib.setAttrByPath to (mkIf fromOpt.isDefined (mkMerge (map (mkOverride fromOpt.highestPrio) fromOpt.definitions))))
      ];
    };

  # An option removed: defining it fails the system's assertions with the reason.
  mkRemovedOptionModule = optionName: replacementInstructions: { options, ... }:
    let opt = lib.getAttrFromPath optionName options; in
    {
      options = lib.setAttrByPath optionName (lib.mkOption {
        visible = false;
        apply = _: throw "The option `${showOption optionName}' can no longer be used since it's been removed. ${replacementInstructions}";
      });
      config.assertions = [
        {
          assertion = !opt.isDefined;
          message = "The option definition `${showOption optionName}' in ${showFiles opt.files} no longer has any effect; please remove it.\n${replacementInstructions}";
        }
      ];
    };
}
