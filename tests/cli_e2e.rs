//! glix end to end: the built binary, real git, the real Nix 2.26.3, and local flakes
//! standing in for nixpkgs, home-manager, glixos-core and packages (no network here).
//! After every change: exactly one new commit, the regions say what the manifests say,
//! flake.lock is real, and the host still evaluates.

mod common;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::glix_env::Env;
use common::registry::{registry_json, serve};
use common::standins::{write, write_script};
use common::*;
use serde_json::{json, Value};

#[test]
fn init_add_every_way_configure_update_remove_undo() {
    let env = Env::new();
    env.init();
    assert_eq!(env.commits(), 1);
    assert!(env.read("flake.lock").contains("\"nixpkgs\""), "init locks the flake");
    assert!(env.read("flake.nix").contains("laptop = mkHost \"laptop\" \"x86_64-linux\";"));
    // the owner adds the hardware file, a boot loader and the two home-manager users
    // (home-manager reads users.users.<name>), as for any new host
    env.make_bootable(&["alice", "bob"]);

    // 1. a flake URI, with config
    let n = env.commits();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--config", "port=8080"]);
    env.check(n);
    assert!(env.git(&["log", "-1", "--format=%s"]).starts_with(&format!("glix add laptop: web ({})", env.path("pkg-web"))));

    // 2. a name from a glix registry on disk (file://)
    let index = env.root.join("registry.json");
    write(&index, &registry_json(&[("db", env.path("pkg-db"), None)]));
    let n = env.commits();
    env.ok(&["add", "db", "--registry", &format!("file://{}", index.display()), "--config", "port=5432"]);
    env.check(n);

    // 3. a name from a glix registry over HTTP (a server on 127.0.0.1)
    let url = serve(registry_json(&[("shell", env.path("pkg-shell"), Some("home"))]), 4);
    let n = env.commits();
    let out = env.glix(&["add", "shell", "--registry", &url, "--config", "theme=dark"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://"), "plain http is warned about");
    env.check(n);

    // 4. a name from Nix's own flake registry (the user registry of this test's HOME)
    let reg = nix()
        .env("XDG_CONFIG_HOME", env.root.join("home/.config"))
        .env("HOME", env.root.join("home"))
        .args(["registry", "add", "editor", &env.path("pkg-editor")])
        .output()
        .unwrap();
    assert!(reg.status.success(), "{}", String::from_utf8_lossy(&reg.stderr));
    let n = env.commits();
    env.ok(&["add", "editor", "--scope", "home", "--user", "bob", "--registry", &format!("file://{}", index.display()), "--config", "theme=light"]);
    env.check(n);
    assert!(!env.read("flake.nix").contains("flake:editor"), "flake.nix gets the resolved reference");

    // list / show / --json
    let list: Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    let sources: Vec<(String, String)> =
        list.as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap().into(), p["source"].as_str().unwrap().into())).collect();
    assert_eq!(
        sources,
        vec![("db".into(), "registry".into()), ("editor".into(), "nix-registry".into()), ("shell".into(), "registry".into()), ("web".into(), "uri".into())]
    );
    let shell: Value = serde_json::from_str(&env.ok(&["show", "shell", "--json"])).unwrap();
    assert_eq!(shell["scope"], "home");
    assert_eq!(shell["user"], "alice", "home scope defaults to the host's user");
    assert!(env.ok(&["list"]).contains("HOST"));

    // the host evaluates, with the plugin and without, each module with its own config
    for with_plugin in [true, false] {
        let v = env.eval_host(with_plugin);
        assert_eq!(v["system"], json!({ "db": { "port": "5432" }, "web": { "port": "8080" } }));
        assert_eq!(v["home"], json!({ "alice": { "shell": { "theme": "dark" } }, "bob": { "editor": { "theme": "light" } } }));
    }

    // config set / unset
    let n = env.commits();
    env.ok(&["config", "set", "web", "port=9090", "mode=fast"]);
    env.check(n);
    let n = env.commits();
    env.ok(&["config", "unset", "web", "mode"]);
    env.check(n);
    assert_eq!(env.eval_host(true)["system"]["web"], json!({ "port": "9090" }));

    // disable / enable
    let n = env.commits();
    env.ok(&["disable", "db"]);
    env.check(n);
    assert_eq!(env.eval_host(false)["system"], json!({ "web": { "port": "9090" } }), "a disabled package reaches nothing");
    let n = env.commits();
    env.ok(&["enable", "db"]);
    env.check(n);

    // update: the web package's flake changed upstream
    write(
        &env.root.join("pkg-web/flake.nix"),
        "{ outputs = _: { nixosModules.default = { glixConfig, lib, ... }: {
             options.received.web2 = lib.mkOption { type = lib.types.attrsOf lib.types.anything; default = { }; };
             config.received.web2 = glixConfig;
           }; }; }",
    );
    let lock_before = env.read("flake.lock");
    let n = env.commits();
    env.ok(&["update", "web"]);
    env.check(n);
    assert_ne!(env.read("flake.lock"), lock_before);
    assert_eq!(env.eval_host(true)["system"], json!({ "db": { "port": "5432" }, "web2": { "port": "9090" } }));

    // remove: the input goes from flake.nix and flake.lock
    let n = env.commits();
    env.ok(&["remove", "db"]);
    env.check(n);
    assert!(!env.read("flake.nix").contains("pkg-db"));
    assert!(!env.read("flake.lock").contains("pkg-db"));

    // undo: db is back, as a new commit
    let n = env.commits();
    env.ok(&["undo"]);
    env.check(n);
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.db]"));
    assert_eq!(env.eval_host(true)["system"], json!({ "db": { "port": "5432" }, "web2": { "port": "9090" } }));

    // the log reads it all back from the trailers
    let log: Value = serde_json::from_str(&env.ok(&["log", "--json"])).unwrap();
    let ops: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["undo", "remove", "update", "enable", "disable", "config-unset", "config-set", "add", "add", "add", "add", "init"]);
    assert_eq!(log[0]["package"], "db");
}

#[test]
fn dry_run_prints_the_diff_and_changes_nothing() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    let out = env.ok(&["add", &env.path("pkg-web"), "--dry-run"]);
    assert!(out.contains("+[packages.pkg-web]") && out.contains("+    pkg-web.url = "), "{out}");
    assert!(out.contains("nix flake lock"), "{out}");
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), 1);
}

#[test]
fn a_failing_nix_flake_lock_leaves_every_file_as_it_was_and_no_commit() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    // A nix that fails: stands in for a lock that cannot complete.
    let fake = env.root.join("bin/nix");
    write_script(&fake, "#!/bin/sh\necho 'error: simulated lock failure' >&2\nexit 1\n");
    let mut c = Command::cargo_bin("glix").unwrap();
    let out = c.args(["add", &env.path("pkg-web")]).env("GLIX_REPO", &env.repo).env("GLIX_NIX", &fake).env("HOME", env.root.join("home")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("simulated lock failure") && err.contains("nothing was changed"), "{err}");
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), 1);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_failing_commit_leaves_every_file_as_it_was() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    // Someone else holds git's index lock: the commit cannot update the index.
    std::fs::write(env.repo.join(".git/index.lock"), "").unwrap();
    let out = env.glix(&["add", &env.path("pkg-web"), "--no-lock"]);
    std::fs::remove_file(env.repo.join(".git/index.lock")).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), 1, "{}", env.git(&["log", "--oneline"]));
}

#[test]
fn two_adds_at_once_both_land_as_two_commits() {
    let env = Env::new();
    env.init();
    let spawn = |pkg: &str| {
        let mut c = Command::cargo_bin("glix").unwrap();
        let tc = toolchain();
        c.args(["add", &env.path(pkg), "--no-lock"])
            .env("GLIX_REPO", &env.repo)
            .env("HOME", env.root.join("home"))
            .env("PATH", format!("{}:{}", tc.join("bin").display(), std::env::var("PATH").unwrap_or_default()))
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn("pkg-web"), spawn("pkg-db"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    assert_eq!(env.commits(), 3);
    let manifest = env.read("hosts/laptop/glix.toml");
    assert!(manifest.contains("[packages.pkg-web]") && manifest.contains("[packages.pkg-db]"), "{manifest}");
    let flake = env.read("flake.nix");
    assert!(flake.contains("pkg-web.url") && flake.contains("pkg-db.url"));
}

#[test]
fn refusals_say_what_to_do() {
    let env = Env::new();
    // no repo yet
    let out = env.glix(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("glix init"));
    env.init();
    // init again
    let out = env.glix(&["init", "--host", "x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a glix repository"));
    // duplicate
    env.ok(&["add", &env.path("pkg-web"), "--no-lock"]);
    let out = env.glix(&["add", &env.path("pkg-web"), "--no-lock"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already on laptop as 'pkg-web'"), "{}", String::from_utf8_lossy(&out.stderr));
    // unknown package / host
    assert!(String::from_utf8_lossy(&env.glix(&["remove", "nope"]).stderr).contains("no package named 'nope'"));
    assert!(String::from_utf8_lossy(&env.glix(&["--host", "nope", "list"]).stderr).contains("hosts: laptop"));
    // a hand edit in the manifest is not swept into glix's commit
    let m = env.repo.join("hosts/laptop/glix.toml");
    let mut text = std::fs::read_to_string(&m).unwrap();
    text.push_str("# my own note\n");
    std::fs::write(&m, &text).unwrap();
    let out = env.glix(&["disable", "pkg-web"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-dirty"));
    env.ok(&["disable", "pkg-web", "--allow-dirty"]);
    // usage errors exit 2
    assert_eq!(env.glix(&["add"]).status.code(), Some(2));
}

#[test]
fn completions_and_man_page_are_generated() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.ok(&["completions", shell]);
        assert!(out.contains("glix") && out.contains("add") && out.contains("dry-run"), "{shell}");
    }
    let man = env.ok(&["man"]);
    assert!(man.starts_with(".ie") || man.contains(".TH glix"), "{}", &man[..200.min(man.len())]);
    let dir = env.root.join("man");
    env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(dir.join("glix.1").is_file() && dir.join("glix-add.1").is_file());
    // every subcommand's --help answers, with an example
    for sub in [
        "init",
        "add",
        "remove",
        "enable",
        "disable",
        "config",
        "list",
        "show",
        "update",
        "undo",
        "log",
        "restore",
        "search",
        "switch",
        "boot",
        "test",
        "build",
        "dry-build",
        "doctor",
        "migrate",
        "completions",
        "man",
    ] {
        let out = env.ok(&[sub, "--help"]);
        assert!(out.contains("Example"), "{sub} --help has no example:\n{out}");
    }
}

#[test]
fn hosts_search_restore_and_init_dry_run() {
    let env = Env::new();
    // init --dry-run shows the files and creates nothing
    let out = env.ok(&["init", "--host", "laptop", "--state-version", "25.11", "--dry-run"]);
    assert!(out.contains("+++ b/flake.nix") && out.contains("+++ b/hosts/laptop/glix.toml"), "{out}");
    assert!(!env.repo.exists());
    env.init();

    // host add / list / remove
    let n = env.commits();
    env.ok(&["host", "add", "desk", "--system", "aarch64-linux", "--user", "bob"]);
    env.check(n);
    assert!(env.read("flake.nix").contains("desk = mkHost \"desk\" \"aarch64-linux\";"));
    let hosts: Value = serde_json::from_str(&env.ok(&["host", "list", "--json"])).unwrap();
    assert_eq!(hosts.as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect::<Vec<_>>(), ["desk", "laptop"]);
    let out = env.glix(&["host", "add", "../evil"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid host name"));
    let n = env.commits();
    env.ok(&["--host", "desk", "add", &env.path("pkg-db"), "--no-lock"]);
    env.check_regions();
    assert_eq!(env.commits(), n + 1);
    let out = env.glix(&["host", "remove", "desk"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("default.nix"), "the user's own files are mentioned");
    assert!(!env.read("flake.nix").contains("desk = mkHost") && !env.read("flake.nix").contains("pkg-db"));
    assert!(env.repo.join("hosts/desk/default.nix").exists(), "the user's host file stays");

    // search the registry
    let index = env.root.join("registry.json");
    write(&index, &registry_json(&[("db", env.path("pkg-db"), None), ("dbtool", env.path("pkg-web"), None)]));
    let hits: Value = serde_json::from_str(&env.ok(&["search", "db", "--json", "--registry", &format!("file://{}", index.display())])).unwrap();
    assert_eq!(hits[0]["name"], "db");
    assert_eq!(hits.as_array().unwrap().len(), 2);

    // restore: back to right after the first add on laptop
    env.ok(&["add", &env.path("pkg-web")]);
    let first = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    env.ok(&["add", &env.path("pkg-shell"), "--scope", "home"]);
    env.ok(&["config", "set", "pkg-web", "a=b"]);
    let n = env.commits();
    env.ok(&["restore", &first[..10]]);
    env.check(n);
    let m = env.read("hosts/laptop/glix.toml");
    assert!(m.contains("[packages.pkg-web]") && !m.contains("pkg-shell") && !m.contains("a = \"b\""), "{m}");
    assert!(env.git(&["log", "-1", "--format=%B"]).contains("Glix-Operation: restore"));
}

#[test]
fn undo_refuses_when_a_later_hand_commit_changed_what_it_would_take_back() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--no-lock"]);
    // By hand, committed: a config for the very package the add added.
    let m = env.repo.join("hosts/laptop/glix.toml");
    let text = std::fs::read_to_string(&m).unwrap().replace("[packages.pkg-web]\n", "[packages.pkg-web]\nconfig = { port = \"80\" }\n");
    std::fs::write(&m, text).unwrap();
    env.git(&["-c", "user.name=me", "-c", "user.email=me@localhost", "commit", "-qam", "my note"]);
    let n = env.commits();
    let out = env.glix(&["undo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("a later commit not made by glix") && err.contains("my note") && err.contains("package 'pkg-web'") && err.contains("git revert"),
        "{err}"
    );
    assert_eq!(env.commits(), n);
}

#[test]
fn undo_goes_around_later_hand_commits_that_changed_other_things() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "nixpkgs#hello"]);
    env.ok(&["add", &env.path("pkg-web")]);
    let lock_with_web = env.read("flake.lock");
    // By hand, committed: a note and a config on another entry, and a lock change
    // (as `nix flake update nixpkgs` + commit would make).
    let m = env.repo.join("hosts/laptop/glix.toml");
    let text = std::fs::read_to_string(&m).unwrap().replace("[packages.hello]\n", "# mine\n[packages.hello]\n") + "# a note at the end\n";
    std::fs::write(&m, &text).unwrap();
    let lock: serde_json::Value = serde_json::from_str(&lock_with_web).unwrap();
    std::fs::write(env.repo.join("flake.lock"), serde_json::to_string_pretty(&lock).unwrap() + "\n").unwrap();
    env.git(&["-c", "user.name=me", "-c", "user.email=me@localhost", "commit", "-qam", "my edits"]);
    let n = env.commits();
    env.ok(&["undo"]);
    env.check(n);
    let after = env.read("hosts/laptop/glix.toml");
    assert!(!after.contains("pkg-web") && after.contains("# mine\n[packages.hello]") && after.contains("# a note at the end"), "{after}");
    assert!(!env.read("flake.nix").contains("pkg-web.url"));
    let lock: serde_json::Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    assert!(lock["nodes"]["root"]["inputs"].get("pkg-web").is_none(), "re-locked without the undone input");
}

#[test]
fn a_sigkilled_glix_leaves_no_nix_behind_to_write_flake_lock_later() {
    // Issue 13, finding 5: glix SIGKILLed alone while `nix flake lock` ran; the next
    // glix rolled the change back, then the orphaned nix wrote flake.lock, and every
    // later add was refused because the tree was dirty.
    let env = Env::new();
    env.init();
    let committed = env.git(&["show", "HEAD:flake.lock"]);
    let started = env.root.join("lock-started");
    // A nix whose `flake lock` says it started, takes 3 s, then writes flake.lock.
    let slow = env.root.join("bin/nix");
    write_script(
        &slow,
        &format!(
            "#!/bin/sh\nfor a in \"$@\"; do\n  if [ \"$a\" = lock ]; then\n    touch '{started}'\n    sleep 3\n    echo '{{\"written\": \"by an orphaned nix\"}}' > '{lock}'\n    exit 0\n  fi\ndone\nexec '{real}' \"$@\"\n",
            started = started.display(),
            lock = env.repo.join("flake.lock").display(),
            real = toolchain().join("bin/nix").display()
        ),
    );
    let mut child =
        env.glix_command(&["add", &env.path("pkg-web")], &[("GLIX_NIX", slow.display().to_string())]).stderr(std::process::Stdio::null()).spawn().unwrap();
    let start = std::time::Instant::now();
    while !started.exists() {
        assert!(child.try_wait().unwrap().is_none(), "glix ended before it ran nix flake lock");
        assert!(start.elapsed().as_secs() < 60, "glix never ran nix flake lock");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let locking_since = std::time::Instant::now();
    // glix alone, not its process group: what `kill -9 PID` or the OOM killer does.
    assert!(Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap().success());
    let _ = child.wait();
    let out = env.glix(&["list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("rolled back the interrupted `glix add"), "{err}");
    // Past the moment the stand-in would have written flake.lock.
    std::thread::sleep(std::time::Duration::from_secs(4).saturating_sub(locking_since.elapsed()));
    assert_eq!(env.read("flake.lock"), committed, "flake.lock is as committed");
    assert_eq!(env.git(&["status", "--porcelain"]), "", "the work tree is clean");
    // and so the next change is not refused
    env.ok(&["add", &env.path("pkg-db"), "--no-lock"]);
}

#[test]
fn ctrl_c_while_nix_works_rolls_everything_back() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    // A nix that takes its time (and keeps running through the signal, like a
    // process that is not in glix's foreground group would).
    let slow = env.root.join("bin/nix");
    write_script(&slow, &format!("#!/bin/sh\ntrap '' INT\nsleep 3\nexec {} \"$@\"\n", toolchain().join("bin/nix").display()));
    let mut child =
        env.glix_command(&["add", &env.path("pkg-web")], &[("GLIX_NIX", slow.display().to_string())]).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let start = std::time::Instant::now();
    while env.read("hosts/laptop/glix.toml") == before[2].1 {
        assert!(start.elapsed().as_secs() < 30, "glix never wrote the manifest");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("interrupted") && err.contains("nothing was changed"), "{err}");
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), 1);
}
