//! Issue 16, "a new user's first month": each rough edge a day of real use found, as
//! the user met it, through the built binary against real git and the real Nix.

mod common;

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use common::glix_env::Env;
use common::registry::registry_json;
use common::standins::write;
use serde_json::Value;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `glix ARGS` run from `dir`, with GLIX_REPO as given (None: unset).
fn glix_in(env: &Env, dir: &std::path::Path, glix_repo: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = env.glix_command(args, &[]);
    c.current_dir(dir);
    match glix_repo {
        Some(v) => c.env("GLIX_REPO", v),
        None => c.env_remove("GLIX_REPO"),
    };
    c.output().unwrap()
}

#[test]
fn inside_the_repo_or_a_subfolder_glix_finds_it_like_git_does() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    // From a subfolder, with no GLIX_REPO at all.
    let out = glix_in(&env, &env.repo.join("hosts/laptop"), None, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("web"), "{}", stdout(&out));
    // The directory wins over GLIX_REPO pointing elsewhere.
    let out = glix_in(&env, &env.repo, Some("/nonexistent"), &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // An empty GLIX_REPO is unset: the default (~/.config/glixos) is looked at, no clap error.
    let out = glix_in(&env, &env.root.join("home"), Some(""), &["list"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(".config/glixos is not a glix repository"), "{}", stderr(&out));
    // A change from a subfolder commits in that repo.
    let n = env.commits();
    let out = glix_in(&env, &env.repo.join("hosts"), None, &["disable", "web"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.commits(), n + 1);
}

#[test]
fn sudo_without_the_users_repo_says_exactly_how_to_run_it() {
    // glix runs as root here (the test machine's Nix is single-user root); sudo sets
    // SUDO_USER and resets HOME and GLIX_REPO. A user without a repo (or unknown to the
    // password database): the error says how to name the repo.
    if unsafe_geteuid() != 0 {
        return;
    }
    let env = Env::new();
    let out =
        env.glix_command(&["list"], &[]).current_dir(env.root.join("home")).env_remove("GLIX_REPO").env("SUDO_USER", "no-such-user-glix").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("is not a glix repository"), "{err}");
    assert!(err.contains("hint: sudo resets HOME and GLIX_REPO") && err.contains("sudo glix --repo") && err.contains("--preserve-env=GLIX_REPO"), "{err}");
    // A user the password database knows (root's own entry stands in): their home's
    // ~/.config/glixos is where glix looked.
    let out = env.glix_command(&["list"], &[]).current_dir(env.root.join("home")).env_remove("GLIX_REPO").env("SUDO_USER", "daemon").output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("hint: sudo resets HOME") && !err.contains(&env.root.join("home").display().to_string()), "{err}");
}

fn unsafe_geteuid() -> u32 {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn init_without_host_names_the_first_host_after_this_machine() {
    let env = Env::new();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    if !glix::ident::is_valid_name(&hostname) {
        return;
    }
    let out = env.glix(&["init", "--no-lock", "--state-version", "25.11", "--user", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.repo.join(format!("hosts/{hostname}/glix.toml")).is_file());
    assert!(env.read("flake.nix").contains(&format!("{hostname} = mkHost \"{hostname}\"")));
}

/// Spawn glix with its stdout a pipe whose reader is gone before glix writes.
fn with_closed_stdout(env: &Env, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut c = env.glix_command(args, &[]);
    let mut child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap(), err)
}

#[test]
fn a_closed_pipe_ends_glix_quietly_like_ls() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    for args in [&["list"][..], &["show", "web"], &["completions", "zsh"], &["man"], &["log"], &["--help"]] {
        let (status, err) = with_closed_stdout(&env, args);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "glix {args:?}: {err}");
        assert!(status.success() || status.signal() == Some(libc_sigpipe()), "glix {args:?}: {status:?} {err}");
    }
    // The shell's view: `glix list | head -1` prints the header and nothing on stderr.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{} --repo {} completions zsh | head -1", Command::cargo_bin("glix").unwrap().get_program().to_string_lossy(), env.repo.display()))
        .output()
        .unwrap();
    assert!(out.status.success() && stderr(&out).is_empty(), "{}", stderr(&out));
    // A change whose report cannot be read is still one whole commit.
    let n = env.commits();
    let (_, err) = with_closed_stdout(&env, &["disable", "web"]);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.commits(), n + 1);
    env.check_regions();
}

fn libc_sigpipe() -> i32 {
    13
}

/// Two hosts; a hand edit adds a package to desk's manifest (committed), so the
/// regions are stale.
fn two_hosts_and_a_hand_edit(env: &Env) {
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    env.ok(&["host", "add", "desk", "--user", "bob", "--no-lock"]);
    let rel = "hosts/desk/glix.toml";
    let mut text = env.read(rel);
    text.push_str(&format!("\n[packages.db]\nflake = \"{}\"\ninput = \"db\"\nscope = \"system\"\nsource = \"uri\"\n", env.path("pkg-db")));
    write(&env.repo.join(rel), &text);
    env.commit_all("desk: db, by hand");
}

#[test]
fn config_enable_disable_regenerate_the_regions_and_say_what_else_changed() {
    let env = Env::new();
    two_hosts_and_a_hand_edit(&env);
    // The dry run says it too.
    let out = env.glix(&["--host", "laptop", "config", "set", "web", "port=1", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: flake.nix's inputs region was stale before this change") && stderr(&out).contains("db.url"), "{}", stderr(&out));
    assert!(stdout(&out).contains("+    db.url"), "the diff shows the region change: {}", stdout(&out));
    let n = env.commits();
    let out = env.glix(&["--host", "laptop", "config", "set", "web", "port=1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stale") && stderr(&out).contains("db.url"), "{}", stderr(&out));
    env.check(n);
    // Nothing stale now: the next change says nothing of the kind.
    let out = env.glix(&["--host", "laptop", "disable", "web"]);
    assert!(out.status.success() && !stderr(&out).contains("stale"), "{}", stderr(&out));
    env.check_regions();
}

#[test]
fn a_line_written_inside_a_region_is_named_before_it_goes() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    let flake = env.read("flake.nix");
    let marker = flake.lines().find(|l| l.contains("# >>> glix-managed inputs >>>")).unwrap().to_string();
    write(&env.repo.join("flake.nix"), &flake.replacen(&marker, &format!("{marker}\n    mine.url = \"github:me/mine\";"), 1));
    env.commit_all("my own input, in the wrong place");
    for dry in [true, false] {
        let mut args = vec!["disable", "web"];
        if dry {
            args.push("--dry-run");
        }
        let out = env.glix(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("`mine.url = \"github:me/mine\";` is inside glix's inputs region but no manifest says it: this change removes it"), "{err}");
        assert!(err.contains("flake.nix:"), "with its line: {err}");
    }
    assert!(!env.read("flake.nix").contains("mine.url"));
}

#[test]
fn undo_regenerates_the_regions_from_the_restored_manifests() {
    let env = Env::new();
    two_hosts_and_a_hand_edit(&env);
    env.ok(&["--host", "laptop", "add", &env.path("pkg-shell"), "--name", "shell", "--no-lock"]);
    let n = env.commits();
    let out = env.glix(&["undo", "--no-lock"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.commits(), n + 1);
    // Regions as every manifest now says: shell gone, desk's db (added by hand) there.
    let flake = env.read("flake.nix");
    assert!(!flake.contains("pkg-shell") && flake.contains("db.url"), "{flake}");
    env.check_regions();
}

#[test]
fn the_global_host_is_honoured_by_undo_log_and_update() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--user", "bob"]);
    env.ok(&["--host", "desk", "add", &env.path("pkg-db"), "--name", "db"]);
    env.ok(&["--host", "laptop", "add", &env.path("pkg-web"), "--name", "web"]);
    // log --host: desk's operations only.
    let log: Value = serde_json::from_str(&env.ok(&["--host", "desk", "log", "--json"])).unwrap();
    assert!(log.as_array().unwrap().iter().all(|e| e["host"] == "desk"), "{log}");
    assert_eq!(log.as_array().unwrap().len(), 2);
    // undo --host desk undoes desk's last op, not laptop's newer one.
    let n = env.commits();
    let out = env.glix(&["--host", "desk", "undo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("glix undo: glix add desk: db"), "{}", stdout(&out));
    env.check(n);
    assert!(env.read("flake.nix").contains("pkg-web.url") && !env.read("flake.nix").contains("pkg-db.url"));
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.web]"));
    // update --host: that host's inputs (laptop's web); a host with none says so.
    let out = env.glix(&["--host", "desk", "update"]);
    assert!(out.status.success() && stderr(&out).contains("desk has no packages"), "{}", stderr(&out));
    let out = env.glix(&["--host", "laptop", "update", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("nix flake update pkg-web"), "{}", stdout(&out));
    let out = env.glix(&["--host", "nope", "log"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn what_cannot_work_is_refused_when_it_is_asked() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "server", "--no-lock"]);
    let n = env.commits();
    // A home package on a host with no default user.
    let out = env.glix(&["--host", "server", "add", "--scope", "home", &env.path("pkg-shell"), "--no-lock"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("host server has no default-user") && stderr(&out).contains("hint: pass --user"), "{}", stderr(&out));
    // An empty config key.
    env.ok(&["add", &env.path("pkg-web"), "--name", "cool", "--host", "laptop", "--no-lock"]);
    let out = env.glix(&["--host", "laptop", "config", "set", "cool", "=v"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("a key cannot be empty"), "{}", stderr(&out));
    // A malformed system is refused, an unknown one warned about.
    let out = env.glix(&["host", "add", "odd", "--system", "x86 linux"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not a Nix system"), "{}", stderr(&out));
    let out = env.glix(&["host", "add", "typo", "--system", "x86-linux", "--no-lock"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: 'x86-linux' is not a system Nix and nixpkgs build for: did you mean x86_64-linux?"), "{}", stderr(&out));
    assert_eq!(env.commits(), n + 2, "the add of cool and the host typo only");
}

#[test]
fn quiet_doctor_log_dates_search_everything_and_help() {
    let env = Env::new();
    env.init();
    // -q: doctor prints only what failed (nothing, here), and exits as it would.
    let out = env.glix(&["-q", "doctor"]);
    assert!(!stdout(&out).contains("ok  "), "{}", stdout(&out));
    // log shows a date.
    let log = env.ok(&["log"]);
    assert!(log.lines().next().unwrap().contains("DATE"), "{log}");
    let year = log.lines().nth(1).unwrap().split_whitespace().nth(1).unwrap().to_string();
    assert!(year.len() == 10 && year.starts_with("20"), "{log}");
    // search without a term lists everything; bidi controls in a description are filtered.
    let index = env.root.join("registry.json");
    let mut doc: Value = serde_json::from_str(&registry_json(&[("db", env.path("pkg-db"), None), ("web", env.path("pkg-web"), None)])).unwrap();
    doc["packages"]["web"]["description"] = Value::from("safe \u{202E}txe.lmth\u{202C} \u{2066}x\u{2069}\u{200F}");
    write(&index, &doc.to_string());
    let out = env.ok(&["search", "--registry", &format!("file://{}", index.display())]);
    assert!(out.contains("db") && out.contains("web"), "{out}");
    assert!(!out.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')), "{out:?}");
    // --offline exists (docs/registry.md documents it).
    env.ok(&["search", "--offline", "--registry", &format!("file://{}", index.display())]);
    // Help names every positional argument and the variables glix reads.
    let help = env.ok(&["--help"]);
    for var in ["GLIX_REPO", "GLIX_REGISTRY", "GLIX_NIX", "GLIX_PLUGIN", "GLIX_PLUGIN_TIMING", "GLIX_SPEEDUPS_OFF", "XDG_CACHE_HOME", "NO_COLOR", "SUDO_USER"] {
        assert!(help.contains(var), "{var} missing from glix --help");
    }
    assert!(env.ok(&["host", "add", "--help"]).contains("The Nix system the host runs"));
    assert!(env.ok(&["log", "--help"]).contains("Show at most N operations"));
    assert!(env.ok(&["config", "set", "--help"]).contains("KEY must not be empty"));
}

#[test]
fn enable_after_disable_gives_back_the_file_as_it_was() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    let before = env.read("hosts/laptop/glix.toml");
    env.ok(&["disable", "web"]);
    assert!(env.read("hosts/laptop/glix.toml").contains("enable = false"));
    env.ok(&["enable", "web"]);
    assert_eq!(env.read("hosts/laptop/glix.toml"), before, "no `enable = true` line is left behind");
}

#[test]
fn unknown_package_and_host_names_get_a_did_you_mean() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web-server", "--no-lock"]);
    for args in [&["remove", "web-sever"][..], &["disable", "web-sever"], &["show", "web-sever"]] {
        let out = env.glix(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("hint: did you mean 'web-server'?"), "{args:?}: {}", stderr(&out));
    }
    let out = env.glix(&["--host", "laptpo", "list"]);
    assert!(stderr(&out).contains("hint: did you mean --host laptop?"), "{}", stderr(&out));
}

#[test]
fn list_and_show_read_an_older_schema_host_and_say_that_editing_needs_migrate() {
    let env = Env::new();
    env.init();
    // A schema 0 manifest (the prototype's `url`), committed as a user would have it.
    write(
        &env.repo.join("hosts/laptop/glix.toml"),
        "schema = 0\n[host]\ndefault-user = \"alice\"\n\n[packages.editor]\nurl = \"github:owner/editor\"\nscope = \"home\"\n",
    );
    env.commit_all("an old manifest");
    let out = env.glix(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("editor") && stderr(&out).contains("needs `glix migrate` first"), "{}{}", stdout(&out), stderr(&out));
    assert!(env.glix(&["show", "editor"]).status.success());
    let out = env.glix(&["disable", "editor"]);
    assert_eq!(out.status.code(), Some(1), "editing an older schema is still refused");
}

#[test]
fn doctor_names_a_home_entry_without_a_user() {
    let env = Env::new();
    env.init();
    // By hand: a home entry, and no default-user any more.
    let text = env.read("hosts/laptop/glix.toml").replace("default-user = \"alice\"\n", "");
    write(&env.repo.join("hosts/laptop/glix.toml"), &format!("{text}\n[packages.hello]\nkind = \"package\"\nattr = \"hello\"\nscope = \"home\"\n"));
    env.commit_all("by hand");
    let out = env.glix(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let users = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "users").expect("a users check");
    assert_eq!(users["status"], "error", "{users}");
    assert!(users["detail"].as_str().unwrap_or_default().contains("hello on laptop"), "{users}");
}

#[test]
fn adding_a_name_another_host_has_adds_the_same_flake() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-db"), "--name", "db", "--no-lock"]);
    env.ok(&["host", "add", "desk", "--user", "bob"]);
    // No registry is asked: desk gets what laptop calls `db`.
    let out = env.glix(&["--host", "desk", "add", "db", "--no-lock", "--registry", "file:///nonexistent/index.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("'db' is") && stderr(&out).contains("on laptop"), "{}", stderr(&out));
    let desk = env.read("hosts/desk/glix.toml");
    assert!(desk.contains(&format!("flake = \"{}\"", env.path("pkg-db"))) && desk.contains("input = \"pkg-db\""), "{desk}");
    env.check_regions();
}

#[test]
fn a_manifest_with_a_bom_and_crlf_keeps_both_through_an_edit() {
    let env = Env::new();
    env.init();
    let lf = env.read("hosts/laptop/glix.toml");
    let windows = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    write(&env.repo.join("hosts/laptop/glix.toml"), &windows);
    env.commit_all("edited on Windows");
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    let after = env.read("hosts/laptop/glix.toml");
    assert!(after.starts_with(&windows), "what was there is byte for byte the same:\n{after:?}");
    assert!(!after.replace("\r\n", "").contains('\n'), "every line ends in CRLF: {after:?}");
    // git sees only added lines.
    let diff = env.git(&["diff", "HEAD~1", "--numstat", "--", "hosts/laptop/glix.toml"]);
    assert!(diff.split_whitespace().nth(1) == Some("0"), "no line removed: {diff}");
    env.ok(&["disable", "web"]);
    assert!(env.read("hosts/laptop/glix.toml").starts_with('\u{feff}'));
}

#[test]
fn glix_says_when_its_commit_skips_hooks_signing_or_the_users_identity() {
    let env = Env::new();
    env.init();
    // A pre-commit hook and commit.gpgsign, as a repo under pre-commit and signing has.
    common::standins::write_script(&env.repo.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n");
    env.git(&["config", "commit.gpgsign", "true"]);
    let out = env.glix(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("did not run the repository's pre-commit hook"), "{}", stderr(&out));
    assert!(stderr(&out).contains("commit.gpgsign is set") && stderr(&out).contains("unsigned"), "{}", stderr(&out));
    // No identity anywhere: glix's own, said.
    env.git(&["config", "--unset", "commit.gpgsign"]);
    std::fs::remove_file(env.repo.join(".git/hooks/pre-commit")).unwrap();
    let mut c = env.glix_command(&["disable", "web"], &[]);
    for k in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] {
        c.env_remove(k);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("glix committed as \"glix <glix@localhost>\""), "{}", stderr(&out));
    assert_eq!(env.git(&["log", "-1", "--format=%an <%ae>"]).trim(), "glix <glix@localhost>");
}

#[test]
fn rename_and_move_keep_the_config_and_make_one_commit_each() {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--config", "port=8080", "--no-lock"]);
    env.ok(&["add", "nixpkgs#hello"]);
    // A comment above the entry goes with it.
    let text = env.read("hosts/laptop/glix.toml").replace("[packages.web]", "# the web server\n[packages.web]");
    write(&env.repo.join("hosts/laptop/glix.toml"), &text);
    env.commit_all("a comment");
    let n = env.commits();
    env.ok(&["rename", "web", "site"]);
    assert_eq!(env.commits(), n + 1);
    let after = env.read("hosts/laptop/glix.toml");
    assert_eq!(after, text.replace("[packages.web]", "[packages.site]").replace("[packages.web.config]", "[packages.site.config]"), "only the name changed");
    env.check_regions();
    let out = env.glix(&["rename", "site", "hello"]);
    assert!(stderr(&out).contains("already in this manifest"), "{}", stderr(&out));
    let out = env.glix(&["rename", "site", "not a name"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    env.ok(&["host", "add", "desk", "--user", "bob"]);
    let n = env.commits();
    env.ok(&["--host", "laptop", "move", "site", "--to", "desk"]);
    assert_eq!(env.commits(), n + 1, "one commit of both manifests");
    assert_eq!(env.git(&["show", "--name-only", "--format=", "HEAD"]).trim(), "hosts/desk/glix.toml\nhosts/laptop/glix.toml");
    assert!(!env.read("hosts/laptop/glix.toml").contains("site"));
    let desk = env.read("hosts/desk/glix.toml");
    assert!(desk.contains("[packages.site]") && desk.contains("port = \"8080\""), "{desk}");
    env.check_regions();
    // And back with undo.
    env.ok(&["undo"]);
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.site]") && !env.read("hosts/desk/glix.toml").contains("site"));
}

#[test]
fn an_entry_written_by_hand_without_input_gets_the_name_glix_would_give_it() {
    let env = Env::new();
    env.init();
    let text = format!("{}\n[packages.web]\nflake = \"{}\"\n", env.read("hosts/laptop/glix.toml"), env.path("pkg-web"));
    write(&env.repo.join("hosts/laptop/glix.toml"), &text);
    env.commit_all("by hand, no input");
    let out = env.glix(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["input"], "pkg-web", "{v}");
    // The next change brings flake.nix and its lock up to date with it.
    env.ok(&["add", "nixpkgs#hello"]);
    assert!(env.read("flake.nix").contains(&format!("pkg-web.url = \"{}\";", env.path("pkg-web"))));
    env.check_regions();
}

#[test]
fn doctor_hints_say_the_real_next_step() {
    let env = Env::new();
    env.init();
    let check = |envs: &[(&str, String)]| -> Value {
        let out = env.glix_with(&["doctor", "--json"], envs);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "plugin").cloned().expect("a plugin check")
    };
    let missing = check(&[("GLIX_PLUGIN", "/nonexistent/libglix_nix_plugin.so".into())]);
    assert_eq!(missing["status"], "error", "{missing}");
    assert!(missing["detail"].as_str().unwrap().contains("is not a file"), "{missing}");
    assert!(!missing["hint"].as_str().unwrap().contains("rebuild"), "{missing}");
    // No hint anywhere sends the user to `glix doctor` itself or to cargo.
    let out = env.glix_with(&["doctor", "--json"], &[("GLIX_PLUGIN", String::new())]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in v["checks"].as_array().unwrap() {
        let hint = c["hint"].as_str().unwrap_or_default();
        assert!(!hint.contains("cargo build") && !hint.contains("run `glix doctor`"), "{c}");
    }
}

#[test]
fn a_flake_lock_nix_rewrote_after_no_lock_is_named_by_doctor_and_fix_commits_it() {
    let env = Env::new();
    env.init();
    // A host that boots, so that doctor (which evaluates it) passes once fixed.
    env.make_bootable(&["alice"]);
    env.ok(&["add", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    // Nix locks the new input itself ("updating lock file") when the host is evaluated.
    let out = common::nix()
        .args(["eval", "--raw"])
        .arg(format!("git+file://{}#nixosConfigurations.laptop.config.networking.hostName", env.repo.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.git(&["status", "--porcelain"]).contains("flake.lock"), "nix rewrote flake.lock");
    // The next change that locks refuses: flake.lock is not as committed.
    let refused = env.glix(&["add", &env.path("pkg-db"), "--name", "db"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("flake.lock"), "{}", stderr(&refused));
    let out = env.glix(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "uncommitted").cloned().unwrap();
    assert_eq!(c["status"], "error", "{c}");
    assert!(c["detail"].as_str().unwrap().contains("flake.lock") && c["hint"].as_str().unwrap().contains("glix doctor --fix"), "{c}");
    let n = env.commits();
    env.ok(&["doctor", "--fix"]);
    assert_eq!(env.commits(), n + 1);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    env.ok(&["add", &env.path("pkg-db"), "--name", "db"]);
}

#[test]
fn global_flags_show_and_work_only_where_they_mean_something() {
    let env = Env::new();
    env.init();
    let help = |args: &[&str]| stdout(&env.glix(args));
    assert!(!help(&["log", "--help"]).contains("--dry-run") && !help(&["log", "--help"]).contains("--registry"));
    assert!(help(&["add", "--help"]).contains("--dry-run") && help(&["add", "--help"]).contains("--registry"));
    assert!(!help(&["search", "--help"]).contains("--host"));
    let out = env.glix(&["log", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--dry-run means nothing for `glix log`"), "{}", stderr(&out));
}

#[test]
fn the_man_page_lists_exactly_the_pages_man_dir_writes() {
    let env = Env::new();
    let dir = env.root.join("man");
    env.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let written: std::collections::BTreeSet<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let page = env.ok(&["man"]);
    let listed: std::collections::BTreeSet<String> = page
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.starts_with("glix\\-") && w.ends_with("(1)"))
        .map(|w| format!("{}.1", w.trim_end_matches("(1)").replace("\\-", "-")))
        .collect();
    assert!(!listed.is_empty());
    let missing: Vec<&String> = listed.iter().filter(|p| !written.contains(*p)).collect();
    assert!(missing.is_empty(), "listed but not written: {missing:?}");
}
