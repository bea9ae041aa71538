//! Faults injected at every step of the transaction (failpoints, built only with the
//! `failpoints` feature) and glix killed with SIGKILL at each step: the repository is
//! always byte-identical to before and has no new commit — or, once the commit is made,
//! keeps it — and the next glix command, even a read, says what it recovered.

mod common;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::glix_env::Env;
use common::killing::{kill9, wait_for};
use common::*;

/// A condition on the repo (given the files before the command).
type Reached = Box<dyn Fn(&Env, &[(String, String)]) -> bool>;

/// The failpoints before the commit, with a condition on the repo that holds once the
/// running glix has reached them (for the kill tests).
fn steps(env: &Env) -> Vec<(&'static str, &'static str, Reached)> {
    let _ = env;
    let changed =
        |file: &'static str| -> Reached { Box::new(move |env: &Env, before: &[(String, String)]| before.iter().any(|(f, b)| f == file && env.read(f) != *b)) };
    vec![
        ("after the journal is written", "txn-after-journal", Box::new(|env: &Env, _: &[(String, String)]| env.repo.join(".git/glix-journal.json").exists())),
        ("after flake.nix is written", "txn-write=1*off->{}", changed("flake.nix")),
        ("before nix flake lock", "op-before-lock", changed("hosts/laptop/glix.toml")),
        ("after nix flake lock", "op-after-lock", changed("flake.lock")),
        ("before the commit", "txn-before-commit", changed("flake.lock")),
    ]
}

fn failpoints(spec: &str, action: &str) -> String {
    if spec.contains("{}") {
        spec.replace("{}", action)
    } else {
        format!("{spec}={action}")
    }
}

fn glix_add(env: &Env, failpoints: &str) -> Command {
    let tc = toolchain();
    let mut c = Command::cargo_bin("glix").unwrap();
    c.args(["add", &env.path("pkg-web"), "--config", "port=1"])
        .env("FAILPOINTS", failpoints)
        .env("GLIX_REPO", &env.repo)
        .env("HOME", env.root.join("home"))
        .env("PATH", format!("{}:{}", tc.join("bin").display(), std::env::var("PATH").unwrap_or_default()))
        .env("NIX_CONFIG", common::NIX_CONFIG);
    c
}

fn assert_untouched(env: &Env, before: &[(String, String)], what: &str) {
    assert_eq!(env.snapshot(), before, "{what}: files changed");
    assert_eq!(env.commits(), 1, "{what}: a commit was made");
    assert_eq!(env.git(&["status", "--porcelain"]), "", "{what}: work tree not clean");
    assert!(!env.repo.join(".git/glix-journal.json").exists(), "{what}: journal left behind");
}

#[test]
fn an_error_at_any_step_before_the_commit_changes_nothing() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    for (what, spec, _) in steps(&env) {
        let out = glix_add(&env, &failpoints(spec, "return")).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains("injected failure") && err.contains("nothing was changed"), "{what}: {err}");
        assert_untouched(&env, &before, what);
    }
}

#[test]
fn a_panic_before_the_commit_is_rolled_back_on_the_way_out() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    let out = glix_add(&env, "txn-before-commit=panic").output().unwrap();
    assert!(!out.status.success());
    assert_untouched(&env, &before, "panic before the commit");
}

#[test]
fn sigkill_at_any_step_before_the_commit_is_rolled_back_by_the_next_command() {
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    for (what, spec, reached) in steps(&env) {
        let mut child = glix_add(&env, &failpoints(spec, "sleep(30000)")).spawn().unwrap();
        wait_for(&mut child, what, || reached(&env, &before));
        kill9(&mut child);
        assert!(env.repo.join(".git/glix-journal.json").exists(), "{what}: the killed glix left its journal");
        // any command, a read included, recovers first and says so
        let out = env.glix(&["list"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{what}: {err}");
        assert!(err.contains("rolled back the interrupted `glix add laptop: pkg-web"), "{what}: {err}");
        assert_untouched(&env, &before, what);
    }
}

#[test]
fn sigkill_after_the_commit_keeps_the_commit_and_tidies_up() {
    let env = Env::new();
    env.init();
    let mut child = glix_add(&env, "txn-after-commit=sleep(30000)").spawn().unwrap();
    wait_for(&mut child, "after the commit", || env.commits() == 2);
    kill9(&mut child);
    let out = env.glix(&["list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("had committed; tidied up"), "{err}");
    assert_eq!(env.commits(), 2);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.pkg-web]"));
    assert!(!env.repo.join(".git/glix-journal.json").exists());
}
