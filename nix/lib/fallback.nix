# The pure-Nix reading of a glix.toml, used when the glix plugin is not loaded.
#
# It mirrors the Rust library (src/manifest/load.rs, src/ident.rs, src/plan.rs) rule
# for rule, so that importManifest gives the same result with and
# without the plugin; tests/nix_import_manifest.rs checks that over the manifest corpus.
# It reads only the current schema: migrating older files is Rust's job (run
# `glix migrate`, or load the plugin, which migrates on the fly).
let
  currentSchema = 1;

  inherit (builtins)
    attrNames attrValues elem filter isAttrs isBool isInt isString mapAttrs match
    stringLength throw;

  # The value rules of src/ident.rs, which is the reference: tests/ident_rules_match_fallback.rs
  # evaluates these over its table of samples and checks that they agree.
  # Nix keywords and `self` cannot be flake input names.
  reservedNames = [ "assert" "else" "if" "in" "inherit" "let" "or" "rec" "then" "with" "self" ];
  isValidName = s: match "[A-Za-z_][A-Za-z0-9_-]*" s != null && stringLength s <= 64 && !(elem s reservedNames);
  isValidUser = s: match "[a-z_][a-z0-9_-]*" s != null && stringLength s <= 32;
  isValidSystem = s: match "[a-z0-9_]+-[a-z0-9_]+" s != null;
  isValidAttrPath = s: match "[A-Za-z_][A-Za-z0-9_'-]*([.][A-Za-z_][A-Za-z0-9_'-]*)*" s != null && stringLength s <= 256;
  # `[user@]host[:port]`, IPv6 in brackets, no shell metacharacters, not an option (`-…`).
  isValidSshTarget = s: match "[]A-Za-z0-9_.@:[-]+" s != null && builtins.substring 0 1 s != "-" && stringLength s <= 255;
  flakePolicy = import ./flakePolicy.nix;
  inputName = import ./inputName.nix;
  defaultOutput = { system = "nixosModules.default"; home = "homeManagerModules.default"; };

  # `check cond msg value`: value when cond holds, else an evaluation error.
  mkCheck = origin: cond: msg: value: if cond then value else throw "${origin}: ${msg}";

  parse = origin: text:
    let
      check = mkCheck origin;
      raw = builtins.fromTOML text;
      schema = raw.schema or (throw "${origin}: missing `schema = ${toString currentSchema}` at the top of the manifest");

      optString = what: set: key:
        if set ? ${key} then check (isString set.${key}) "${what}: `${key}` must be a string" set.${key} else null;

      hostRaw = check (isAttrs (raw.host or { })) "`host` must be a table ([host])" (raw.host or { });
      defaultUser =
        let u = optString "host" hostRaw "default-user"; in
        if u == null then null
        else check (isValidUser u) "host: `default-user` \"${u}\" is not a valid user name" u;
      system =
        let s = optString "host" hostRaw "system"; in
        if s == null then null
        else check (isValidSystem s) "host: `system` \"${s}\" is not a Nix system such as \"x86_64-linux\"" s;

      targetHost =
        let h = optString "host" hostRaw "target-host"; in
        if h == null then null
        else check (isValidSshTarget h) "host: `target-host` \"${h}\" is not an SSH destination such as \"root@laptop.lan\"" h;

      # A list of names, each once (as src/manifest/load.rs's read_tags).
      tags =
        let ts = hostRaw.tags or [ ]; in
        check (builtins.isList ts) "host: `tags` must be a list of names, e.g. tags = [\"web\", \"eu\"]"
          (builtins.foldl'
            (seen: s:
              check (isString s) "host: `tags` must be a list of names, e.g. tags = [\"web\", \"eu\"]"
                (check (isValidName s) "host: tag \"${s}\" is not a valid name"
                  (check (!(elem s seen)) "host: tag \"${s}\" is listed twice" (seen ++ [ s ]))))
            [ ]
            ts);

      buildOnTarget =
        let b = hostRaw."build-on-target" or false; in
        check (isBool b) "host: `build-on-target` must be true or false" b;

      package = name: p:
        let
          what = "package '${name}'";
          t = check (isValidName name) "${what}: the name is not valid"
            (check (isAttrs p) "${what} must be a table, e.g. [packages.${name}]" p);
          kind =
            let k = optString what t "kind"; in
            if k == null then "module"
            else check (elem k [ "module" "package" ]) "${what}: `kind` must be \"module\" or \"package\", found \"${k}\"" k;
          isPackage = kind == "package";
          flake =
            let f = optString what t "flake"; in
            # A package without a flake comes from the host's own nixpkgs.
            if f == null && isPackage then null
            else check (f != null) "${what}: missing `flake`"
              (check ((builtins.parseFlakeRef f).type != "indirect")
                "${what}: `flake` \"${f}\" is an indirect (registry) reference; the manifest holds resolved references"
                (let why = flakePolicy.check f; in
                  check (why == null) "${what}: `flake` \"${f}\" is not a valid flake reference: ${toString why}" f));
          input =
            let i = optString what t "input"; in
            # Written by hand without one: the name glix would have given it.
            if i == null then (if flake == null then null else inputName flake)
            else check (isValidName i) "${what}: `input` \"${i}\" is not a valid flake input name"
              (check (flake != null) "${what}: `input` \"${i}\" without a `flake`" i);
          scope =
            let s = optString what t "scope"; in
            if s == null then "system"
            else check (elem s [ "system" "home" ]) "${what}: `scope` must be \"system\" or \"home\", found \"${s}\"" s;
          user =
            let u = optString what t "user"; in
            if u != null then
              check (scope == "home") "${what}: `user` \"${u}\" is only meaningful with scope = \"home\""
                (check (isValidUser u) "${what}: `user` \"${u}\" is not a valid user name" u)
            else if scope == "home" then defaultUser
            else null;
          source =
            let s = optString what t "source"; in
            if s == null then "uri"
            else check (elem s [ "uri" "registry" "nix-registry" "nixpkgs" ]) "${what}: `source` must be \"uri\", \"registry\", \"nix-registry\" or \"nixpkgs\", found \"${s}\"" s;
          outputRaw =
            let o = optString what t "output"; in
            if o == null then null
            else check (isValidAttrPath o) "${what}: `output` \"${o}\" is not an attribute path such as \"nixosModules.default\"" o;
          attrRaw =
            let a = optString what t "attr"; in
            if a == null then null
            else check (isValidAttrPath a) "${what}: `attr` \"${a}\" is not an attribute path such as \"ripgrep\" or \"python3Packages.requests\"" a;
          output =
            if isPackage then check (outputRaw == null) "${what}: `output` is for modules; a package (kind = \"package\") names its attribute with `attr`" null
            else check (attrRaw == null) "${what}: `attr` is for packages (kind = \"package\"); a module names its output with `output`"
              (if outputRaw == null then defaultOutput.${scope} else outputRaw);
          attr =
            if !isPackage then null
            else if attrRaw != null then attrRaw
            # As Nix's installables: a flake without `#attr` means its default package.
            else if flake != null then "default"
            else throw "${origin}: ${what}: missing `attr`";
          followNixpkgs =
            if t ? "follow-nixpkgs" then
              check (isBool t."follow-nixpkgs") "${what}: `follow-nixpkgs` must be true or false"
                (check (flake != null) "${what}: `follow-nixpkgs` needs a `flake`" t."follow-nixpkgs")
            else isPackage && flake != null;
          enable = check (isBool (t.enable or true)) "${what}: `enable` must be true or false" (t.enable or true);
          config =
            let c = t.config or { }; in
            check (isAttrs c) "${what}: `config` must be a table of strings"
              (check (!isPackage || c == { }) "${what}: a package takes no `config`"
                (mapAttrs (k: v: check (isString v) "${what}: config value `${k}` must be a string" v) c));
        in
        { inherit name kind flake input scope user source output attr followNixpkgs enable config; };

      packagesRaw = check (isAttrs (raw.packages or { })) "`packages` must be a table of packages" (raw.packages or { });
      packages = mapAttrs package packagesRaw;

      # Two packages may share an input only when they use the same flake. Grouping
      # keeps this linear (an attrset update per package would copy the set each time).
      # Packages of the host's nixpkgs have no input.
      inputConflicts = map
        (group:
          let first = builtins.head group; in
          map
            (p:
              if p.flake != first.flake then
                throw "${origin}: packages '${first.name}' and '${p.name}' both use input '${p.input}' but for different flakes"
              else null)
            group)
        (attrValues (builtins.groupBy (p: p.input) (filter (p: p.input != null) (attrValues packages))));

      manifest = {
        schema = currentSchema;
        host = { inherit defaultUser system targetHost tags buildOnTarget; };
        inherit packages;
      };
    in
    if !isInt schema then throw "${origin}: `schema` must be an integer such as ${toString currentSchema}"
    else if schema > currentSchema then throw "${origin}: schema ${toString schema} is newer than this glixos-core understands (up to ${toString currentSchema}); upgrade glixos-core"
    else if schema < currentSchema then throw "${origin}: schema ${toString schema} is older than ${toString currentSchema}; run `glix migrate` to upgrade the file (or load the glix Nix plugin, which migrates it on the fly)"
    # Validate everything up front, as the Rust reader does, not lazily.
    else builtins.deepSeq [ manifest inputConflicts ] manifest;

  # "a.b" → [ "a" "b" ]; null → [ ].
  splitPath = s: if s == null then [ ] else filter isString (builtins.split "[.]" s);

  # The module plan (mirrors src/plan.rs).
  # `inputs` is the flake's inputs (only the names are looked at, never the values).
  resolve = manifest: inputs: defaultUser:
    if defaultUser != null && !(isString defaultUser && isValidUser defaultUser) then
      throw "glix: importManifest's defaultUser \"${toString defaultUser}\" is not a valid user name (lowercase letters, digits, '_' and '-', starting with a letter or '_')"
    else
    map
      (p:
        if p.input != null && !(inputs ? ${p.input}) then
          throw "glix: package '${p.name}' uses flake input '${p.input}', which is not an input of this flake; run `glix doctor --fix` (it regenerates the inputs region and re-locks)"
        else {
          inherit (p) name kind input scope config;
          output = splitPath p.output;
          attr = splitPath p.attr;
          user =
            if p.scope == "system" then null
            else if p.user != null then p.user
            else if defaultUser != null then defaultUser
            else throw "glix: package '${p.name}' has scope \"home\" but no user; set `user` on the package, `default-user` under [host], or pass defaultUser to importManifest";
        })
      (filter (p: p.enable) (map (n: manifest.packages.${n}) (attrNames manifest.packages)));
in
{
  inherit parse resolve currentSchema;
  # For tests/ident_rules_match_fallback.rs.
  rules = { inherit isValidName isValidUser isValidSystem isValidAttrPath isValidSshTarget inputName; };
}
