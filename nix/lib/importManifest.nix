# lib.importManifest { manifestPath, inputs, defaultUser ? null }
#   => { systemModules, homeModules, homeModulesByUser, manifest }
#
# Reads a host's glix.toml and turns each enabled entry into a module:
# * a module entry imports the module at `inputs.<input>.<output>` and hands it the
#   entry's `config` table as the `glixConfig` argument — to that module only;
# * a package entry adds a derivation to `environment.systemPackages` (system scope)
#   or the user's `home.packages` (home scope): `pkgs.<attr>` for a package of the
#   host's own nixpkgs (so nixpkgs.config, overlays and allowUnfree apply and no second
#   nixpkgs is instantiated), else `inputs.<input>.packages.<system>.<attr>`, else
#   `inputs.<input>.legacyPackages.<system>.<attr>`, as Nix's installables look.
#
# With the glix Nix plugin loaded (`--option plugin-files …/libglix_nix_plugin.so`)
# parsing and planning run in Rust, the same code `glix` uses; without it, a pure-Nix
# fallback (./fallback.nix) gives the same result for current-schema manifests.
let
  fallback = import ./fallback.nix;
  native = builtins ? glixParseManifest && builtins ? glixResolve;

  # A package module receives `glixConfig` by being wrapped, not through
  # `_module.args`: `_module.args.glixConfig` is one definition per evaluation, so two
  # packages with different configs on one host would conflict.
  #
  # Modules may be paths (imported here, so `_file`/`key` stay the path and errors
  # point at the package's own file), functions, or attrsets.
  wrapModule = entry: module:
    let
      isPathLike = builtins.isPath module || (builtins.isString module && builtins.substring 0 1 module == "/");
      file =
        if isPathLike then toString module
        else "glix package '${entry.name}' (inputs.${entry.input}.${builtins.concatStringsSep "." entry.output})";
      loaded = if isPathLike then import module else module;
      withConfig =
        if builtins.isFunction loaded || loaded ? __functor then
          let
            fArgs = if loaded ? __functionArgs then loaded.__functionArgs else builtins.functionArgs loaded;
            call = args: loaded (if fArgs ? glixConfig then args // { glixConfig = entry.config; } else args);
          in
          # The module system reads a functor's __functionArgs to decide which
          # arguments to pass; glixConfig is ours to pass, so it is hidden from it.
          { __functor = _: call; __functionArgs = builtins.removeAttrs fArgs [ "glixConfig" ]; }
        else loaded;
    in
    # Two literal sets rather than `//`: one fewer attrset per package.
    if isPathLike then { _file = file; key = file; imports = [ withConfig ]; }
    else { _file = file; imports = [ withConfig ]; };

  attrPath = path: builtins.concatStringsSep "." path;

  # Walk `path` in `set`; null where it stops.
  walk = set: path:
    if path == [ ] then set
    else if builtins.isAttrs set && set ? ${builtins.head path} then walk set.${builtins.head path} (builtins.tail path)
    else null;

  # The derivation of a package entry, for the `pkgs` of the module system evaluating
  # it (the host's, or home-manager's, which with useGlobalPkgs is the host's).
  packageOf = inputs: entry: pkgs:
    let
      system = pkgs.stdenv.hostPlatform.system;
      attr = attrPath entry.attr;
      where = if entry.input == null then "nixpkgs (the host's pkgs)" else "flake input '${entry.input}'";
      found =
        if entry.input == null then walk pkgs entry.attr
        else
          let
            flake = inputs.${entry.input};
            fromPackages = walk (flake.packages.${system} or { }) entry.attr;
          in
          if fromPackages != null then fromPackages else walk (flake.legacyPackages.${system} or { }) entry.attr;
    in
    if found == null then
      throw "glix: package '${entry.name}': ${where} has no package ${attr} for ${system}; `glix add` checks this when it adds a package, so glix.toml or the input changed since"
    else if !(builtins.isAttrs found && (found.type or null) == "derivation") then
      throw "glix: package '${entry.name}': ${attr} of ${where} is a ${builtins.typeOf found}, not a package (a derivation)"
    else found;

  # A package entry as a module: system scope puts it on the system's PATH, home
  # scope on the user's.
  packageModule = inputs: entry: {
    _file = "glix package '${entry.name}' (${if entry.input == null then "nixpkgs" else "inputs.${entry.input}"}#${attrPath entry.attr})";
    imports = [
      ({ pkgs, ... }:
        if entry.scope == "system" then { environment.systemPackages = [ (packageOf inputs entry pkgs) ]; }
        else { home.packages = [ (packageOf inputs entry pkgs) ]; })
    ];
  };

  getOutput = entry:
    let
      input = inputs: inputs.${entry.input};
      walk = set: path:
        if path == [ ] then set
        else if builtins.isAttrs set && set ? ${builtins.head path} then walk set.${builtins.head path} (builtins.tail path)
        else throw "glix: package '${entry.name}': flake input '${entry.input}' has no output ${builtins.concatStringsSep "." entry.output}; set `output` in glix.toml to the module it provides (a flake that offers a package, not a module, needs kind = \"package\"; `glix add FLAKE#ATTR` writes that)";
    in
    inputs: walk (input inputs) entry.output;
in
{ manifestPath, inputs, defaultUser ? null }:
let
  text = builtins.readFile manifestPath;
  origin = toString manifestPath;
  # With the plugin, one call parses and plans (the manifest never travels back from Nix
  # values to Rust); without it, the same two steps in Nix.
  imported =
    if builtins ? glixImportManifest then builtins.glixImportManifest origin text inputs defaultUser
    else
      let manifest = if native then builtins.glixParseManifest origin text else fallback.parse origin text;
      in {
        inherit manifest;
        # Parsing already gave the manifest's default user to every home package
        # without a `user`, so the caller's only reaches the rest.
        plan = (if native then builtins.glixResolve else fallback.resolve) manifest inputs defaultUser;
      };
  inherit (imported) manifest plan;
  # homeModules are the default user's: the manifest's own wins over the caller's.
  effectiveDefault = if manifest.host.defaultUser != null then manifest.host.defaultUser else defaultUser;
  moduleOf = entry: if entry.kind == "package" then packageModule inputs entry else wrapModule entry (getOutput entry inputs);
  system = builtins.filter (e: e.scope == "system") plan;
  home = builtins.filter (e: e.scope == "home") plan;
  homeModulesByUser = builtins.mapAttrs (_: map moduleOf) (builtins.groupBy (e: e.user) home);
in
{
  inherit manifest homeModulesByUser;
  systemModules = map moduleOf system;
  homeModules = if effectiveDefault != null then homeModulesByUser.${effectiveDefault} or [ ] else [ ];
  # Which reader produced this (for `glix doctor` and tests).
  reader = if native then "plugin" else "fallback";
}
