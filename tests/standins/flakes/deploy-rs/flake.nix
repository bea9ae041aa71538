# Stands in for deploy-rs's flake in glixos's tests (not deploy-rs, no deploy-rs
# code): `lib.<system>.activate.nixos` returns a marker derivation that records the
# system it activates (the real one wraps the toplevel in an activation script).
{
  outputs = { self }:
    let
      activateFor = system: {
        activate.nixos = cfg: derivation {
          name = "deploy-rs-activate-standin";
          inherit system;
          builder = "/bin/sh";
          args = [ "-c" "echo $toplevel > $out" ];
          toplevel = cfg.config.system.build.toplevel.drvPath;
          standIn = "deploy-rs activate.nixos";
        };
      };
    in
    {
      lib = { x86_64-linux = activateFor "x86_64-linux"; aarch64-linux = activateFor "aarch64-linux"; };
    };
}
