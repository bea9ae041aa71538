//! The user's own git running while glix waits for `nix flake lock`: `git stash -u`,
//! `git checkout -f` of another branch, `git commit -am`. Before committing, HEAD must
//! still be the baseline commit on the same branch and every file glix wrote must still
//! hold glix's bytes; otherwise glix rolls back, says the repository changed under it,
//! and makes no commit — and what the user's git did stays as they left it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use common::glix_env::Env;
use common::standins::write_script;
use common::toolchain;

/// A glix `add` held inside `nix flake lock` until the test lets it go.
struct SlowLock {
    child: Child,
    reached: PathBuf,
    go: PathBuf,
}

impl SlowLock {
    /// `glix add pkg-db` with a `nix` whose `flake lock` writes a marker, then waits for
    /// a go file (at most 120 s) before running the real nix.
    fn start(env: &Env) -> SlowLock {
        let reached = env.root.join("lock-reached");
        let go = env.root.join("lock-go");
        let nix = env.root.join("slow-nix");
        write_script(
            &nix,
            &format!(
                "#!/bin/sh\ncase \" $* \" in\n  *\" flake lock \"*)\n    : > '{reached}'\n    i=0\n    while [ ! -e '{go}' ]; do\n      i=$((i + 1)); [ \"$i\" -gt 2400 ] && exit 1\n      sleep 0.05\n    done ;;\nesac\nexec '{real}' \"$@\"\n",
                reached = reached.display(),
                go = go.display(),
                real = toolchain().join("bin/nix").display()
            ),
        );
        let child = env
            .glix_command(&["add", &env.path("pkg-db")], &[("GLIX_NIX", nix.display().to_string())])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut slow = SlowLock { child, reached, go };
        let start = Instant::now();
        while !slow.reached.exists() {
            if let Some(status) = slow.child.try_wait().unwrap() {
                panic!("glix ended ({status}) before it ran `nix flake lock`: {}", slow.stderr());
            }
            assert!(start.elapsed() < Duration::from_secs(120), "glix did not reach `nix flake lock` in 120 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        slow
    }

    fn stderr(&mut self) -> String {
        use std::io::Read;
        let mut s = String::new();
        if let Some(e) = self.child.stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }

    /// Let nix go and wait for glix.
    fn finish(mut self) -> Output {
        std::fs::write(&self.go, "").unwrap();
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(180) {
                let _ = self.child.kill();
                panic!("glix did not finish within 180 s of nix being let go");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.wait_with_output().unwrap()
    }
}

/// A repo with two glix commits on `master`: the init and an add of pkg-web.
fn repo() -> Env {
    let env = Env::new();
    env.init();
    env.ok(&["add", &env.path("pkg-web")]);
    env
}

fn glix_subjects(env: &Env) -> Vec<String> {
    env.git(&["log", "--all", "--format=%s"]).lines().filter(|l| l.contains("pkg-db")).map(str::to_string).collect()
}

/// glix failed, said why, made no commit, and left nothing behind.
fn assert_refused(env: &Env, out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: glix should refuse to commit; stderr:\n{err}");
    let lower = err.to_lowercase();
    assert!(
        ["changed under", "moved", "changed while"].iter().any(|w| lower.contains(w)),
        "{what}: the error should say the repository changed under glix:\n{err}"
    );
    assert!(err.contains("nothing was changed"), "{what}: {err}");
    assert_eq!(glix_subjects(env), Vec::<String>::new(), "{what}: glix made a commit");
    assert!(!env.repo.join(".git/glix-journal.json").exists(), "{what}: journal left behind");
    let leftovers: Vec<PathBuf> =
        walk(&env.repo).into_iter().filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".glix-tmp-"))).collect();
    assert_eq!(leftovers, Vec::<PathBuf>::new(), "{what}: temporary files left");
    for lock in ["index.lock", "HEAD.lock", "refs/heads/master.lock", "refs/heads/other.lock"] {
        assert!(!env.repo.join(".git").join(lock).exists(), "{what}: .git/{lock} left");
    }
    let list = env.glix(&["list"]);
    assert!(list.status.success(), "{what}: the next glix command fails: {}", String::from_utf8_lossy(&list.stderr));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn git_stash_during_the_lock_makes_glix_refuse_and_keeps_the_stash() {
    let env = repo();
    let base = env.git(&["rev-parse", "HEAD"]);
    std::fs::write(env.repo.join("notes.txt"), "my own notes\n").unwrap();
    let slow = SlowLock::start(&env);
    env.git(&["stash", "-u"]);
    let out = slow.finish();
    assert_refused(&env, &out, "git stash -u");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), base, "HEAD moved");
    assert_eq!(env.git(&["stash", "list"]).lines().count(), 1, "the user's stash is gone");
    assert!(env.git(&["stash", "show", "--include-untracked", "--name-only"]).contains("notes.txt"), "the stash lost the user's file");
    assert_eq!(env.git(&["status", "--porcelain"]), "", "the work tree after the stash is not as the user left it");
    env.ok(&["add", &env.path("pkg-editor"), "--scope", "home", "--no-lock"]);
    assert_eq!(env.git(&["stash", "list"]).lines().count(), 1);
}

#[test]
fn git_checkout_of_another_branch_during_the_lock_makes_glix_refuse_and_keeps_the_checkout() {
    let env = repo();
    let master = env.git(&["rev-parse", "HEAD"]);
    // `other` starts before the add of pkg-web: its manifest differs from master's
    env.git(&["branch", "other", "HEAD^"]);
    env.git(&["checkout", "-q", "other"]);
    std::fs::write(env.repo.join("notes.txt"), "on other\n").unwrap();
    env.git(&["add", "notes.txt"]);
    env.commit_all("notes on other");
    let other = env.git(&["rev-parse", "HEAD"]);
    env.git(&["checkout", "-q", "master"]);
    let slow = SlowLock::start(&env);
    env.git(&["checkout", "-q", "-f", "other"]);
    let out = slow.finish();
    assert_refused(&env, &out, "git checkout -f other");
    assert_eq!(env.git(&["symbolic-ref", "HEAD"]).trim(), "refs/heads/other", "the user's checkout was undone");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), other, "a commit landed on other");
    assert_eq!(env.git(&["rev-parse", "master"]), master, "a commit landed on master");
    assert_eq!(env.git(&["status", "--porcelain"]), "", "glix's roll-back wrote master's files into the checkout of other");
    env.ok(&["add", &env.path("pkg-editor"), "--scope", "home", "--no-lock"]);
}

#[test]
fn git_commit_during_the_lock_makes_glix_refuse_and_keeps_the_users_commit() {
    let env = repo();
    let base = env.git(&["rev-parse", "HEAD"]);
    let slow = SlowLock::start(&env);
    env.commit_all("user");
    let user = env.git(&["rev-parse", "HEAD"]);
    let user_tree = env.git(&["rev-parse", "HEAD^{tree}"]);
    let out = slow.finish();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "glix should refuse to commit on top of the user's commit; stderr:\n{err}");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), user, "the user's commit is not HEAD any more");
    assert_eq!(env.git(&["rev-parse", "HEAD^{tree}"]), user_tree);
    assert_eq!(env.git(&["rev-parse", "HEAD^"]), base);
    assert_eq!(env.git(&["log", "-1", "--format=%s"]).trim(), "user");
    let lower = err.to_lowercase();
    assert!(["changed under", "moved", "changed while"].iter().any(|w| lower.contains(w)), "the error should say the repository changed under glix:\n{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(glix_subjects(&env), Vec::<String>::new(), "glix made a commit");
    assert!(!env.repo.join(".git/glix-journal.json").exists(), "journal left behind");
    assert!(!env.repo.join(".git/index.lock").exists() && !env.repo.join(".git/refs/heads/master.lock").exists(), "a git lock left behind");
    let list = env.glix(&["list"]);
    assert!(list.status.success(), "the next glix command fails: {}", String::from_utf8_lossy(&list.stderr));
}
