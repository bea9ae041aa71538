//! glixos-core's fleet adapters with the real Nix: `lib.colmena`'s hive evaluated node
//! by node the way colmena evaluates it (tests/nix/colmena-eval.nix, a stand-in of
//! colmena's evaluation, through the stand-in nixpkgs' `nixos/lib/eval-config.nix`)
//! gives every host the toplevel its nixosConfiguration has, with `deployment` taken
//! from the host's manifest; `lib.deployRs` gives deploy-rs nodes from the same fields
//! (with a stand-in deploy-rs flake, tests/standins/flakes/deploy-rs).

mod common;

use common::glix_env::Env;
use common::standins::make_host_bootable;
use common::*;
use serde_json::{json, Value};

/// A repo of three hosts glix made: `laptop` (no target: local only), `web1` (a user
/// and a port, tagged web and eu) and `db1` (an IPv6 target that builds there), each
/// bootable, committed.
fn fleet() -> Env {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "web1", "--target-host", "deploy@web1.example.org:2222", "--tag", "web", "--tag", "eu"]);
    env.ok(&["host", "add", "db1", "--system", "x86_64-linux", "--target-host", "root@[fd00::1]", "--tag", "db", "--build-on-target"]);
    for (host, users) in [("laptop", &["alice"][..]), ("web1", &[]), ("db1", &[])] {
        let dir = env.repo.join("hosts").join(host);
        make_host_bootable(&dir, users);
        // Each machine its own name, so no two hosts build the same system.
        let machine = std::fs::read_to_string(dir.join("machine.nix")).unwrap();
        let named = machine.replacen(
            "  boot.loader.systemd-boot.enable = true;\n",
            &format!("  networking.hostName = \"{host}\";\n  boot.loader.systemd-boot.enable = true;\n"),
            1,
        );
        assert_ne!(named, machine);
        std::fs::write(dir.join("machine.nix"), named).unwrap();
    }
    env.git(&["add", "-A"]);
    env.commit_all("hosts: hardware, boot loaders and users");
    env
}

fn eval(expr: &str) -> Value {
    // With the plugin when it loads and without: the host fields reach Nix the same way.
    let mut last = Value::Null;
    for with_plugin in [true, false] {
        let out = nix_eval_json(expr, with_plugin);
        assert!(out.status.success(), "nix eval (plugin: {with_plugin}): {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        if with_plugin {
            last = v;
        } else {
            assert_eq!(v, last, "plugin and fallback differ");
        }
    }
    last
}

#[test]
fn every_colmena_node_evaluates_to_its_hosts_toplevel_and_deploys_where_the_manifest_says() {
    let env = fleet();
    let expr = format!(
        r#"let
  f = builtins.getFlake "git+file://{repo}";
  hive = f.inputs.glixos-core.lib.colmena {{ self = f; inherit (f.inputs) nixpkgs; }};
  nodes = import {eval} hive;
in {{
  names = builtins.attrNames nodes;
  same = builtins.mapAttrs (n: node: node.config.system.build.toplevel.drvPath == f.nixosConfigurations.${{n}}.config.system.build.toplevel.drvPath) nodes;
  drv = builtins.mapAttrs (n: node: node.config.system.build.toplevel.drvPath) nodes;
  deployment = builtins.mapAttrs (_: node: node.config.deployment) nodes;
  modulesAreTheSystems = builtins.mapAttrs (n: _: hive.${{n}}.imports == f.nixosConfigurations.${{n}}._module.args.modules) nodes;
  nodeSystems = builtins.mapAttrs (_: p: p.system) hive.meta.nodeNixpkgs;
  specialArgNames = builtins.mapAttrs (_: a: builtins.attrNames a) hive.meta.nodeSpecialArgs;
}}"#,
        repo = env.repo.display(),
        eval = repo_root().join("tests/nix/colmena-eval.nix").display(),
    );
    let v = eval(&expr);
    assert_eq!(v["names"], json!(["db1", "laptop", "web1"]));
    for host in ["db1", "laptop", "web1"] {
        assert_eq!(v["same"][host], true, "{host}: colmena's node builds another system than nixosConfigurations.{host}: {}", v["drv"][host]);
        assert_eq!(v["modulesAreTheSystems"][host], true, "{host}");
        assert_eq!(v["nodeSystems"][host], "x86_64-linux");
        let args = v["specialArgNames"][host].as_array().unwrap();
        assert!(args.contains(&json!("manifest")) && args.contains(&json!("inputs")), "{host}: {args:?}");
    }
    // three hosts, three systems (not one evaluated thrice)
    assert_ne!(v["drv"]["web1"], v["drv"]["db1"]);
    assert_eq!(
        v["deployment"]["web1"],
        json!({ "targetHost": "web1.example.org", "targetUser": "deploy", "targetPort": 2222, "tags": ["web", "eu"], "buildOnTarget": false, "allowLocalDeployment": false })
    );
    assert_eq!(
        v["deployment"]["db1"],
        json!({ "targetHost": "fd00::1", "targetUser": "root", "targetPort": null, "tags": ["db"], "buildOnTarget": true, "allowLocalDeployment": false })
    );
    // no target-host: local only (targetUser is colmena's default, unused locally)
    assert_eq!(
        v["deployment"]["laptop"],
        json!({ "targetHost": null, "targetUser": "root", "targetPort": null, "tags": [], "buildOnTarget": false, "allowLocalDeployment": true })
    );
}

#[test]
fn a_host_set_later_moves_its_colmena_node_and_a_new_host_joins_the_hive() {
    let env = fleet();
    env.ok(&["host", "set", "web1", "target-host=admin@web1.lan", "tags=web", "build-on-target=true"]);
    env.ok(&["host", "add", "cache1", "--target-host", "cache1.lan", "--tag", "web"]);
    let expr = format!(
        r#"let f = builtins.getFlake "git+file://{repo}"; hive = f.inputs.glixos-core.lib.colmena {{ self = f; inherit (f.inputs) nixpkgs; }};
in {{ web1 = hive.web1.deployment; cache1 = hive.cache1.deployment; names = builtins.attrNames hive; }}"#,
        repo = env.repo.display()
    );
    let v = eval(&expr);
    assert_eq!(v["names"], json!(["cache1", "db1", "laptop", "meta", "web1"]));
    assert_eq!(v["web1"], json!({ "targetHost": "web1.lan", "targetUser": "admin", "targetPort": null, "tags": ["web"], "buildOnTarget": true }));
    assert_eq!(v["cache1"], json!({ "targetHost": "cache1.lan", "targetUser": null, "targetPort": null, "tags": ["web"], "buildOnTarget": false }));
}

#[test]
fn deploy_rs_nodes_take_hostname_and_ssh_user_from_target_host() {
    let env = fleet();
    let expr = format!(
        r#"let
  f = builtins.getFlake "git+file://{repo}";
  # the stand-in deploy-rs: its activate.nixos returns a marker derivation
  deploy-rs = builtins.getFlake "path:{standin}";
  d = f.inputs.glixos-core.lib.deployRs {{ self = f; inherit deploy-rs; }};
in builtins.mapAttrs (n: node: (removeAttrs node [ "profiles" ]) // {{
  user = node.profiles.system.user;
  marker = node.profiles.system.path.standIn;
  activates = node.profiles.system.path.toplevel == f.nixosConfigurations.${{n}}.config.system.build.toplevel.drvPath;
}}) d.nodes"#,
        repo = env.repo.display(),
        standin = env.root.join("deploy-rs").display(),
    );
    let v = eval(&expr);
    let marker = "deploy-rs activate.nixos";
    assert_eq!(
        v,
        json!({
            "web1": { "hostname": "web1.example.org", "sshUser": "deploy", "sshOpts": ["-p", "2222"], "remoteBuild": false, "user": "root", "marker": marker, "activates": true },
            "db1": { "hostname": "fd00::1", "sshUser": "root", "remoteBuild": true, "user": "root", "marker": marker, "activates": true },
        }),
        "laptop has no target-host, so it is no deploy-rs node"
    );
}

#[test]
fn a_target_host_whose_port_is_not_a_number_is_refused_by_the_adapter_with_the_host_named() {
    let env = fleet();
    env.ok(&["host", "set", "web1", "target-host=web1.lan:ssh"]);
    let expr = format!(
        r#"let f = builtins.getFlake "git+file://{repo}"; in (f.inputs.glixos-core.lib.colmena {{ self = f; inherit (f.inputs) nixpkgs; }}).web1.deployment.targetPort"#,
        repo = env.repo.display()
    );
    let out = nix_eval_json(&expr, false);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("host web1: target-host \"web1.lan:ssh\" has port \"ssh\", which is not a port number"), "{err}");
}
