//! What a user sees from the flags every command shares: `--json` on a change, `-q`,
//! `-v`, `list --all-hosts`, `manifest show`, and the plugin found without `--plugin`.

mod common;

use assert_cmd::cargo::CommandCargoExt;
use common::glix_env::Env;
use common::plugin;
use common::registry::{registry_json, serve};
use common::standins::{write, write_script};
use serde_json::Value;

#[test]
fn json_quiet_and_verbose_report_a_change() {
    let env = Env::new();
    env.init();
    let out: Value = serde_json::from_str(&env.ok(&["add", &env.path("pkg-web"), "--no-lock", "--json"])).unwrap();
    let head = env.git(&["rev-parse", "HEAD"]);
    assert_eq!(out["commit"], head.trim());
    assert_eq!(out["summary"], format!("glix add laptop: pkg-web ({})", env.path("pkg-web")));
    assert_eq!(out["files"], serde_json::json!(["flake.nix", "hosts/laptop/glix.toml"]));
    assert_eq!(out["dryRun"], false);

    let quiet = env.glix(&["disable", "pkg-web", "-q"]);
    assert!(quiet.status.success() && quiet.stdout.is_empty() && quiet.stderr.is_empty());

    let verbose = env.ok(&["enable", "pkg-web", "-v"]);
    assert!(verbose.contains("glix enable laptop: pkg-web") && verbose.contains("  changed hosts/laptop/glix.toml"), "{verbose}");
}

#[test]
fn list_all_hosts_and_manifest_show() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--user", "bob"]);
    env.ok(&["--host", "laptop", "add", &env.path("pkg-web"), "--no-lock"]);
    env.ok(&["--host", "desk", "add", &env.path("pkg-db"), "--no-lock", "--scope", "home"]);
    let all: Value = serde_json::from_str(&env.ok(&["list", "--all-hosts", "--json"])).unwrap();
    let rows: Vec<(String, String, Value)> =
        all.as_array().unwrap().iter().map(|p| (p["host"].as_str().unwrap().into(), p["name"].as_str().unwrap().into(), p["user"].clone())).collect();
    assert_eq!(rows, vec![("desk".into(), "pkg-db".into(), "bob".into()), ("laptop".into(), "pkg-web".into(), Value::Null)]);
    let table = env.ok(&["list", "--all-hosts"]);
    assert!(table.lines().count() == 3 && table.contains("desk") && table.contains("laptop"), "{table}");

    // the repo's view of a host equals parsing its file
    let shown: Value = serde_json::from_str(&env.ok(&["--host", "desk", "manifest", "show", "--json"])).unwrap();
    let parsed: Value = serde_json::from_str(&env.ok(&["manifest", "parse", env.repo.join("hosts/desk/glix.toml").to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(shown["packages"], parsed["packages"]);
    assert_eq!(shown["host"]["defaultUser"], "bob");
}

#[test]
fn the_plugin_named_by_glix_plugin_is_passed_when_it_loads() {
    let env = Env::new();
    env.init();
    // glix switch builds the host first: it must pass NixOS's assertions.
    env.make_bootable(&["alice"]);
    let bin = env.root.join("rebuild-bin");
    let record = env.root.join("argv");
    write_script(&bin.join("nixos-rebuild"), &format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\n", record.display()));
    let p = plugin();
    let out = env.glix_with(
        &["switch"],
        &[("PATH", bin.display().to_string()), ("GLIX_PLUGIN", p.display().to_string()), ("GLIX_CURRENT_SYSTEM", "/nonexistent".into())],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let argv = std::fs::read_to_string(&record).unwrap();
    assert!(argv.contains(&format!("--option\nplugin-files\n{}\n", p.display())), "{argv}");

    // one that does not load is left out, with a note
    let bogus = env.root.join("bogus.so");
    write(&bogus, "not a plugin");
    let out = env.glix_with(
        &["switch"],
        &[("PATH", bin.display().to_string()), ("GLIX_PLUGIN", bogus.display().to_string()), ("GLIX_CURRENT_SYSTEM", "/nonexistent".into())],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not load into the nix on PATH; building without it"));
    assert!(!std::fs::read_to_string(&record).unwrap().contains("plugin-files"));
}

#[test]
fn allow_insecure_accepts_a_plain_http_registry_without_the_warning() {
    let env = Env::new();
    env.init();
    let url = serve(registry_json(&[("web", env.path("pkg-web"), None), ("db", env.path("pkg-db"), None)]), 8);
    let warned = env.glix(&["add", "web", "--registry", &url, "--no-lock"]);
    assert!(warned.status.success(), "{}", String::from_utf8_lossy(&warned.stderr));
    assert!(
        String::from_utf8_lossy(&warned.stderr).contains("warning") && String::from_utf8_lossy(&warned.stderr).contains("http://"),
        "plain http is warned about"
    );
    let quiet = env.glix(&["add", "db", "--registry", &url, "--no-lock", "--allow-insecure"]);
    assert!(quiet.status.success(), "{}", String::from_utf8_lossy(&quiet.stderr));
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("http://"), "--allow-insecure silences it: {}", String::from_utf8_lossy(&quiet.stderr));
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.db]"));
}

#[test]
fn wait_bounds_how_long_a_change_waits_for_another_glix() {
    let env = Env::new();
    env.init();
    // Another glix holding the repo lock (the same flock glix takes).
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(env.repo.join(".git/glix.lock")).unwrap();
    lock.lock().unwrap();
    let before = env.snapshot();
    let n = env.commits();
    let started = std::time::Instant::now();
    let out = env.glix(&["add", &env.path("pkg-web"), "--no-lock", "--wait", "1"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("waiting for another glix") && err.contains("another glix is changing"), "{err}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "it waited for the second it was given");
    assert_eq!((env.snapshot(), env.commits()), (before, n), "nothing changed");
    lock.unlock().unwrap();
    env.ok(&["add", &env.path("pkg-web"), "--no-lock", "--wait", "1"]);
    assert_eq!(env.commits(), n + 1);
}

#[test]
fn outside_any_repo_the_error_says_where_glix_looked() {
    let env = Env::new();
    env.init();
    let out = std::process::Command::cargo_bin("glix")
        .unwrap()
        .args(["list"])
        .current_dir(env.root.join("home"))
        .env_remove("GLIX_REPO")
        .env_remove("SUDO_USER")
        .env("HOME", env.root.join("home"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("is not a glix repository"), "{err}");
    assert!(err.contains("\nhint: create one with `glix init"), "{err}");
}

#[test]
fn a_linked_work_tree_is_a_repo_like_any_other() {
    let env = Env::new();
    env.init();
    // `git worktree add`: there `.git` is a file naming the work tree's git directory.
    let wt = env.root.join("wt");
    env.git(&["worktree", "add", "-q", "-b", "trying", wt.to_str().unwrap()]);
    assert!(wt.join(".git").is_file());
    let main_head = env.git(&["rev-parse", "HEAD"]);
    let out = env.glix_with(&["--repo", wt.to_str().unwrap(), "add", &env.path("pkg-web"), "--no-lock"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let git_wt = |args: &[&str]| String::from_utf8(std::process::Command::new("git").args(args).current_dir(&wt).output().unwrap().stdout).unwrap();
    assert!(git_wt(&["log", "-1", "--format=%s"]).starts_with("glix add laptop: pkg-web"), "the commit is on the work tree's branch");
    assert_eq!(git_wt(&["status", "--porcelain"]), "", "and its index agrees");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), main_head, "the main work tree is untouched");
    assert!(std::fs::read_to_string(wt.join("flake.nix")).unwrap().contains("pkg-web.url"));
}
