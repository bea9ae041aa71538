# lib.deployRs { self, deploy-rs } => deploy-rs's `deploy` output for
# self.nixosConfigurations
#
# Each host with a `target-host` in its manifest is a node: `hostname` and `sshUser`
# from `[user@]host[:port]` (the port as `sshOpts = [ "-p" PORT ]`), `remoteBuild` from
# `build-on-target`, and one profile, `system`, activated as root:
# `deploy-rs.lib.<host's system>.activate.nixos nixosConfigurations.<host>`. A host
# without a target-host is not a node (deploy-rs deploys over SSH only), as
# `glix switch --all` skips it too.
#
# In flake.nix (what `glix fleet enable deploy-rs` writes):
#   deploy = glixos-core.lib.deployRs { inherit self; inherit (inputs) deploy-rs; };
{ self, deploy-rs }:
let
  inherit (builtins) attrNames filter mapAttrs removeAttrs;
  configs = self.nixosConfigurations or { };
  fields = mapAttrs (import ./hostFields.nix) configs;
  local = filter (name: fields.${name}.targetHost == null) (attrNames configs);
  node = name: cfg:
    let f = fields.${name}; in
    {
      hostname = f.target.host;
      remoteBuild = f.buildOnTarget;
      profiles.system = {
        user = "root";
        path = deploy-rs.lib.${f.system}.activate.nixos cfg;
      };
    }
    // (if f.target.user == null then { } else { sshUser = f.target.user; })
    // (if f.target.port == null then { } else { sshOpts = [ "-p" (toString f.target.port) ]; });
in
{
  nodes = mapAttrs node (removeAttrs configs local);
}
