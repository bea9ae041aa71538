# Stands in for nixpkgs' nixos/modules/system/activation/top-level.nix (not nixpkgs):
# system.build.toplevel, a real derivation: $out/sw (system.path), $out/etc,
# $out/nixos-version, $out/configuration-revision, and an activate script that does
# nothing. Failed assertions stop the evaluation with NixOS's message; warnings are
# shown as evaluation warnings.
{ config, lib, pkgs, ... }:
let
  failedAssertions = map (x: x.message) (builtins.filter (x: !x.assertion) config.assertions);
  showWarnings = warnings: res: lib.foldr (w: x: lib.warn w x) res warnings;
  rev = config.system.configurationRevision;
  baseSystem = derivation {
    name = "nixos-system-${config.system.name}-${config.system.nixos.label}";
    system = pkgs.stdenv.hostPlatform.system;
    builder = "/bin/sh";
    PATH = "/bin:/usr/bin";
    args = [
      "-c"
      ''
        set -e
        mkdir -p $out/bin
        ln -s ${config.system.path} $out/sw
        ln -s ${config.system.build.etc}/etc $out/etc
        printf '%s' ${lib.escapeShellArg config.system.nixos.version} > $out/nixos-version
        ${lib.optionalString (rev != null) "printf '%s' ${lib.escapeShellArg rev} > $out/configuration-revision"}
        printf '%s\n' ${lib.escapeShellArgs config.boot.kernelModules} > $out/kernel-modules
        printf '#!/bin/sh\necho "activating %s (glixos test stand-in: nothing to do)"\n' "$out" > $out/activate
        cp $out/activate $out/bin/switch-to-configuration
        chmod +x $out/activate $out/bin/switch-to-configuration
      ''
    ];
  };
in
{
  options.system.build = lib.mkOption {
    type = lib.types.lazyAttrsOf lib.types.raw;
    default = { };
    description = "Derivations of the system (toplevel, etc, …).";
  };

  config.system.build.toplevel =
    if failedAssertions != [ ] then
      throw "\nFailed assertions:\n${lib.concatStringsSep "\n" (map (x: "- ${x}") failedAssertions)}"
    else showWarnings config.warnings baseSystem;
}
