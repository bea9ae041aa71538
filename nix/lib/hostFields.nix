# The deployment fields of one of a flake's nixosConfigurations, as glix's manifest
# says them: `[host] target-host`, `tags`, `build-on-target` of hosts/<host>/glix.toml.
# They reach Nix through importManifest's result, which glix's mkHost hands every
# module as the `manifest` special argument (`manifest.manifest.host`); a system not
# made that way has none of them (no target: deployed only locally).
name: cfg:
let
  host = cfg._module.specialArgs.manifest.manifest.host or { };
  targetHost = host.targetHost or null;
in
{
  inherit targetHost;
  tags = host.tags or [ ];
  buildOnTarget = host.buildOnTarget or false;
  # { user, host, port } of targetHost, or null.
  target = if targetHost == null then null else import ./sshTarget.nix "host ${name}" targetHost;
  # The Nix system the host runs (its pkgs' host platform).
  system = cfg.pkgs.stdenv.hostPlatform.system;
}
