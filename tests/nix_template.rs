//! The user-packages template end to end with the real Nix: a flake made from
//! nix/templates/default whose nixpkgs, home-manager and package inputs are local
//! flakes standing in for the real ones (tests/standins/; there is no nixpkgs here),
//! locked with the real `nix flake lock` offline, `nixosConfigurations.<host>`
//! evaluated by the stand-in's module system to see what each package module
//! receives, and its toplevel built.

mod common;

use std::fs;
use std::path::Path;

use common::standins::{copy_dir, make_host_bootable, standins};
use common::*;
use serde_json::{json, Value};

/// The user's flake: the template with the stand-ins as inputs and two packages per
/// scope (the regions filled in as glix would write them).
fn user_flake(root: &Path) -> std::path::PathBuf {
    let dir = root.join("mysystem");
    copy_dir(&repo_root().join("nix/templates/default"), &dir);
    let mut flake = fs::read_to_string(dir.join("flake.nix")).unwrap();
    for (name, url) in
        [("nixpkgs", "github:NixOS/nixpkgs/nixos-unstable"), ("home-manager", "github:nix-community/home-manager"), ("glixos-core", "github:glixos/glixos")]
    {
        let local = format!("path:{}", root.join(name).display());
        flake = flake.replace(&format!("{name}.url = \"{url}\";"), &format!("{name}.url = \"{local}\";"));
    }
    let inputs: String =
        ["web", "db", "shell", "editor"].iter().map(|n| format!("    pkg-{n}.url = \"path:{}\";\n", root.join(format!("pkg-{n}")).display())).collect();
    flake = flake.replace("    # >>> glix-managed inputs >>>\n", &format!("    # >>> glix-managed inputs >>>\n{inputs}"));
    flake =
        flake.replace("        # >>> glix-managed hosts >>>\n", "        # >>> glix-managed hosts >>>\n        laptop = mkHost \"laptop\" \"x86_64-linux\";\n");
    fs::write(dir.join("flake.nix"), flake).unwrap();
    let mut manifest = fs::read_to_string(dir.join("hosts/laptop/glix.toml")).unwrap();
    manifest.push_str(
        r#"
[packages.web]
flake = "github:o/web"
input = "pkg-web"
config = { port = "8080" }

[packages.db]
flake = "github:o/db"
input = "pkg-db"
config = { port = "5432" }

[packages.shell]
flake = "github:o/shell"
input = "pkg-shell"
scope = "home"
config = { theme = "dark" }

[packages.editor]
flake = "github:o/editor"
input = "pkg-editor"
scope = "home"
user = "bob"
config = { theme = "light" }
"#,
    );
    fs::write(dir.join("hosts/laptop/glix.toml"), manifest).unwrap();
    // the owner's part of a new host: hardware, boot loader, the home-manager users
    make_host_bootable(&dir.join("hosts/laptop"), &["alice", "bob"]);
    dir
}

/// What reaches nixosConfigurations.laptop: which modules took part, and what each
/// package module received (`received.<package>`, system-wide and per home user).
fn evaluate(flake: &Path, with_plugin: bool) -> Value {
    let expr = format!(
        r#"let
  f = builtins.getFlake "path:{flake}";
  s = f.nixosConfigurations.laptop;
  c = s.config;
in {{
  system = s.pkgs.stdenv.hostPlatform.system;
  # the glixos module declared its options, home-manager's too, the host file set stateVersion
  fixed = [ (s.options.glixos ? enable) (s.options.home-manager ? users) c.system.stateVersion ];
  received = c.received;
  home = builtins.mapAttrs (_: u: u.received) c.home-manager.users;
  homeStateVersions = builtins.mapAttrs (_: u: u.home.stateVersion) c.home-manager.users;
  reader = s._module.specialArgs.manifest.reader;
}}"#,
        flake = flake.display()
    );
    let out = nix_eval_json(&expr, with_plugin);
    assert!(out.status.success(), "nix eval: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn template_flake_locks_offline_builds_and_each_package_gets_its_own_config() {
    let tmp = tempfile::tempdir().unwrap();
    standins(tmp.path());
    let flake = user_flake(tmp.path());

    let out = nix().arg("flake").arg("lock").current_dir(&flake).output().unwrap();
    assert!(out.status.success(), "nix flake lock: {}", String::from_utf8_lossy(&out.stderr));
    let lock: Value = serde_json::from_str(&fs::read_to_string(flake.join("flake.lock")).unwrap()).unwrap();
    for input in ["nixpkgs", "home-manager", "glixos-core", "pkg-web", "pkg-db", "pkg-shell", "pkg-editor"] {
        assert!(lock["nodes"]["root"]["inputs"].get(input).is_some(), "{input} not locked: {lock}");
    }

    for with_plugin in [true, false] {
        let v = evaluate(&flake, with_plugin);
        assert_eq!(v["reader"], if with_plugin { "plugin" } else { "fallback" });
        assert_eq!(v["system"], "x86_64-linux");
        assert_eq!(v["fixed"], json!([true, true, "25.11"]));
        // system scope: each package module with its own config only
        assert_eq!(v["received"], json!({ "db": { "port": "5432" }, "web": { "port": "8080" } }));
        // home scope: shell for the default user alice, editor for bob; the host file
        // adds home.stateVersion to each user's modules
        assert_eq!(v["home"], json!({ "alice": { "shell": { "theme": "dark" } }, "bob": { "editor": { "theme": "light" } } }));
        // the system's stateVersion, not a release of its own
        assert_eq!(v["homeStateVersions"], json!({ "alice": "25.11", "bob": "25.11" }));
    }

    // the whole system builds: glix (the glixos module's) is on the system's PATH
    let out = nix()
        .args(["build", "--no-link", "--print-out-paths", ".#nixosConfigurations.laptop.config.system.build.toplevel"])
        .current_dir(&flake)
        .output()
        .unwrap();
    assert!(out.status.success(), "nix build: {}", String::from_utf8_lossy(&out.stderr));
    let toplevel = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(toplevel.join("sw/bin/glix").exists(), "{} has no sw/bin/glix", toplevel.display());
    assert_eq!(fs::read_to_string(toplevel.join("nixos-version")).unwrap().get(..5), Some("25.11"));
}

#[test]
fn every_nix_file_parses() {
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('.') && name != "target" {
                walk(&p, out);
            } else if name.ends_with(".nix") {
                out.push(p);
            }
        }
    }
    walk(&repo_root(), &mut files);
    assert!(files.len() >= 10, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("nix/templates/default/flake.nix")));
    let tc = toolchain();
    let out = std::process::Command::new(tc.join("bin/nix-instantiate")).arg("--parse").args(&files).env("NIX_CONF_DIR", tc.join("etc/nix")).output().unwrap();
    assert!(out.status.success(), "nix-instantiate --parse: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn builtins_from_toml_reads_a_manifest_with_the_toolchain() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.toml");
    fs::write(&p, "schema = 1\n[packages.a]\nflake = \"github:o/a\"\n").unwrap();
    let out = nix_eval_json(&format!("builtins.fromTOML (builtins.readFile {})", p.display()), false);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, json!({ "schema": 1, "packages": { "a": { "flake": "github:o/a" } } }));
}
