# lib.importManifest { manifestPath, inputs, defaultUser ? null }
#   => { systemModules, homeModules, homeModulesByUser, manifest }
#
# Reads a host's glix.toml and turns each enabled package into a module that imports
# the package's module from `inputs.<input>.<output>` and hands it the package's
# `config` table as the `glixConfig` argument — to that module only.
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

  getOutput = entry:
    let
      input = inputs: inputs.${entry.input};
      walk = set: path:
        if path == [ ] then set
        else if builtins.isAttrs set && set ? ${builtins.head path} then walk set.${builtins.head path} (builtins.tail path)
        else throw "glix: package '${entry.name}': flake input '${entry.input}' has no output ${builtins.concatStringsSep "." entry.output}; set `output` in glix.toml to the module it provides";
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
  moduleOf = entry: wrapModule entry (getOutput entry inputs);
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
