# Stands in for nixpkgs' stdenv (not nixpkgs): mkDerivation runs `buildCommand` (or a
# default that installs a tiny $out/bin/<program>) with /bin/sh, and refuses an unfree
# package unless the nixpkgs config allows it, with nixpkgs' message.
{ lib, system, config }:
let
  platform = lib.systems.elaborate system;
  passable = v: builtins.isString v || builtins.isInt v || builtins.isBool v || builtins.isPath v || lib.isDerivation v
    || (builtins.isList v && builtins.all (x: builtins.isString x || lib.isDerivation x || builtins.isPath x) v);
  notEnv = [ "meta" "passthru" "pos" "src" "nativeBuildInputs" "buildInputs" "nativeCheckInputs" "shellHook" ];

  allowed = drv:
    (drv.meta.license.free or true) || config.allowUnfree || config.allowUnfreePredicate drv;
  refusal = drv: ''
    Package ‘${drv.name}’ in ${drv.meta.position or "<unknown>"} has an unfree license (‘${drv.meta.license.shortName or "unfree"}’), refusing to evaluate.

    a) To temporarily allow unfree packages, you can use an environment variable
       for a single invocation of the nix tools.

         $ export NIXPKGS_ALLOW_UNFREE=1

    b) For `nixos-rebuild` you can set
      { nixpkgs.config.allowUnfree = true; }
    in configuration.nix to override this.

    Alternatively you can configure a predicate to allow specific packages:
      { nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [
          "${drv.pname or drv.name}"
        ];
      }
  '';

  mkDerivation = arg:
    let
      attrs = if lib.isFunction arg then lib.fix' arg else arg;
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      program = attrs.meta.mainProgram or attrs.pname or (builtins.parseDrvName name).name;
      defaultBuild = ''
        mkdir -p $out/bin
        printf '#!/bin/sh\necho "%s %s (glixos test stand-in)"\n' ${program} ${attrs.version or "0"} > $out/bin/${program}
        chmod +x $out/bin/${program}
      '';
      env = lib.filterAttrs (n: v: !(builtins.elem n notEnv) && passable v) (removeAttrs attrs [ "name" "args" "builder" ]);
      drv = derivation (env // {
        inherit name system;
        builder = "/bin/sh";
        PATH = "/bin:/usr/bin";
        args = [ "-c" "set -e\n${attrs.buildCommand or (attrs.buildPhase or "" + "\n" + attrs.installPhase or defaultBuild)}" ];
      });
      meta = { outputsToInstall = [ "out" ]; available = true; } // attrs.meta or { };
      result = drv // attrs.passthru or { } // {
        inherit meta;
        overrideAttrs = f: mkDerivation (attrs // (if lib.isFunction f then f attrs else f));
      } // lib.optionalAttrs (attrs ? pname) { inherit (attrs) pname; }
        // lib.optionalAttrs (attrs ? version) { inherit (attrs) version; };
    in
    if allowed result then result
    else result // { drvPath = throw (refusal result); outPath = throw (refusal result); };
in
{
  inherit system mkDerivation;
  hostPlatform = platform;
  buildPlatform = platform;
  targetPlatform = platform;
  isLinux = platform.isLinux;
  shell = "/bin/sh";
  cc = null;
}
