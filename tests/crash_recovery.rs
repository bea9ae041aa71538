//! What a person finds after glix was killed, interrupted or refused mid-change, and what
//! the next glix command does about it (issue 13's findings 1-3, 6-11). Each test kills
//! or stops the real binary at a failpoint, then does what a user would — `git
//! checkout`, a hand edit, a commit of their own — and checks the repository with git.

mod common;

use std::process::{Output, Stdio};

use common::glix_env::Env;
use common::killing::{glix_at, kill9, signal, wait_for};

const MANIFEST: &str = "hosts/laptop/glix.toml";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn journal(env: &Env) -> bool {
    env.repo.join(".git/glix-journal.json").exists()
}

/// The state every recovery must leave: no journal, `git status` clean, the index equal
/// to HEAD, and a repository git itself finds sound.
fn assert_clean(env: &Env, what: &str) {
    assert!(!journal(env), "{what}: journal left");
    assert_eq!(env.git(&["status", "--porcelain", "--untracked-files=all"]), "", "{what}: work tree not clean");
    let staged = std::process::Command::new("git").args(["diff", "--cached", "--quiet"]).current_dir(&env.repo).status().unwrap();
    assert!(staged.success(), "{what}: the index differs from HEAD");
    env.git(&["fsck", "--no-dangling", "--no-progress"]);
}

/// `glix add pkg-web --no-lock`, stopped at `failpoint` (a sleep) once `reached` holds,
/// then killed.
fn kill_add_at(env: &Env, failpoint: &str, reached: impl Fn() -> bool) {
    let mut child = glix_at(env, &["add", &env.path("pkg-web"), "--no-lock"], &format!("{failpoint}=sleep(30000)")).stderr(Stdio::null()).spawn().unwrap();
    wait_for(&mut child, failpoint, reached);
    kill9(&mut child);
    assert!(journal(env), "{failpoint}: the killed glix left its journal");
}

#[test]
fn a_kill_after_the_branch_moved_keeps_the_commit_and_leaves_the_index_equal_to_head() {
    // Finding 1: killed between index and HEAD, `git status` showed the aborted change
    // staged. Now the branch moves first; a kill before the index is refreshed leaves a
    // commit that stands, and the next glix repairs the index.
    let env = Env::new();
    env.init();
    let head = env.git(&["rev-parse", "HEAD"]);
    kill_add_at(&env, "txn-after-branch", || env.git(&["rev-parse", "HEAD"]) != head);
    let out = env.glix(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("had committed"), "{}", stderr(&out));
    assert_eq!(env.commits(), 2);
    assert!(env.read(MANIFEST).contains("[packages.pkg-web]"));
    assert_clean(&env, "after the branch moved");
    env.ok(&["add", &env.path("pkg-cli"), "--no-lock"]);
    assert_eq!(env.commits(), 3);
}

#[test]
fn a_kill_after_the_commit_object_is_rolled_back_with_no_trace_in_the_history() {
    // Finding 1's other half: a commit object HEAD never reached is rolled back, and
    // neither the branch's reflog nor HEAD's names it.
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    let reflog = env.git(&["reflog", "--format=%H"]);
    let mut child = glix_at(&env, &["add", &env.path("pkg-web"), "--no-lock"], "txn-commit-object=sleep(30000)").stderr(Stdio::null()).spawn().unwrap();
    wait_for(&mut child, "commit object", || env.read(MANIFEST).contains("pkg-web"));
    std::thread::sleep(std::time::Duration::from_millis(700));
    kill9(&mut child);
    let out = env.glix(&["list"]);
    assert!(stderr(&out).contains("rolled back"), "{}", stderr(&out));
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), 1);
    assert_eq!(env.git(&["reflog", "--format=%H"]), reflog);
    assert_clean(&env, "after the commit object");
}

#[test]
fn recovery_never_writes_over_a_hand_edit_made_after_the_crash() {
    // Finding 2: a user who finds a half-changed tree, discards it and edits the
    // manifest by hand lost the edit at the next `glix list`.
    let env = Env::new();
    env.init();
    kill_add_at(&env, "op-before-lock", || env.read(MANIFEST).contains("pkg-web"));
    env.git(&["checkout", "--", "."]);
    let edited = format!("{}# my own note\n", env.read(MANIFEST));
    std::fs::write(env.repo.join(MANIFEST), &edited).unwrap();

    let out = env.glix(&["list"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(MANIFEST) && err.contains("restored nothing") && err.contains("hint:") && err.contains("glix doctor --fix"), "{err}");
    assert_eq!(env.read(MANIFEST), edited, "the hand edit survives");
    let doctor = env.glix(&["doctor"]);
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("changed after it stopped"), "{}", String::from_utf8_lossy(&doctor.stdout));

    // the way out: keep the files as they are, forget the operation
    let fix = env.glix(&["doctor", "--fix"]);
    assert!(stderr(&fix).contains("kept hosts/laptop/glix.toml"), "{}", stderr(&fix));
    assert_eq!(env.read(MANIFEST), edited);
    assert!(!journal(&env));
}

#[test]
fn recovery_after_a_checkout_of_another_branch_touches_nothing() {
    // Finding 2, across `git checkout -f other-branch`: the files there are not glix's.
    let env = Env::new();
    env.init();
    env.git(&["branch", "other"]);
    kill_add_at(&env, "op-before-lock", || env.read(MANIFEST).contains("pkg-web"));
    env.git(&["checkout", "-qf", "other"]);
    std::fs::write(env.repo.join("hosts/laptop/default.nix"), "{ ... }: { }\n# other work\n").unwrap();
    let snapshot = env.snapshot();
    let _ = env.glix(&["list"]);
    assert_eq!(env.snapshot(), snapshot, "nothing written over the other branch's files");
}

#[test]
fn an_operation_committed_before_the_crash_stays_committed_after_a_commit_of_the_users() {
    // Finding 3: "committed" was decided by HEAD alone carrying the op id, so a user
    // commit between the crash and the next glix run made recovery undo the change.
    let env = Env::new();
    env.init();
    let mut child = glix_at(&env, &["add", &env.path("pkg-web"), "--no-lock"], "txn-after-commit=sleep(30000)").stderr(Stdio::null()).spawn().unwrap();
    wait_for(&mut child, "after the commit", || env.commits() == 2);
    kill9(&mut child);
    std::fs::write(env.repo.join("shared/notes.md"), "mine\n").unwrap();
    env.git(&["add", "shared/notes.md"]);
    env.commit_all("my notes");

    let out = env.glix(&["list"]);
    assert!(stderr(&out).contains("had committed"), "{}", stderr(&out));
    assert!(env.read(MANIFEST).contains("[packages.pkg-web]"), "the committed add was not undone");
    assert_eq!(env.commits(), 3);
    assert_clean(&env, "after the user's commit");
}

#[test]
fn stale_git_locks_and_temp_files_a_kill_left_are_removed_but_a_held_lock_is_not() {
    // Findings 6 and 7: libgit2 killed holding .git/index.lock (every later `git commit`
    // failed), and `.glix-tmp-*` files an interrupted write left (a `git add -A` would
    // commit them).
    let env = Env::new();
    env.init();
    kill_add_at(&env, "op-before-lock", || env.read(MANIFEST).contains("pkg-web"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(env.repo.join(".git/index.lock"), "").unwrap();
    std::fs::write(env.repo.join("hosts/laptop/.glix-tmp-AbC123"), "half").unwrap();
    let out = env.glix(&["list"]);
    assert!(stderr(&out).contains("removed the git lock files") && stderr(&out).contains(".git/index.lock"), "{}", stderr(&out));
    assert_clean(&env, "stale lock");

    // A lock some process holds open is git's own business: recovery leaves it.
    kill_add_at(&env, "op-before-lock", || env.read(MANIFEST).contains("pkg-web"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let lock = env.repo.join(".git/index.lock");
    let mut holder = std::process::Command::new("sh").arg("-c").arg(format!("exec 3>'{}'; sleep 30", lock.display())).spawn().unwrap();
    while !lock.exists() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = env.glix(&["list"]);
    assert!(lock.exists(), "a held lock was removed");
    let _ = holder.kill();
    let _ = holder.wait();
    std::fs::remove_file(&lock).unwrap();
}

#[test]
fn a_killed_host_add_leaves_no_directory_behind() {
    // Finding 7: a leftover hosts/desk/ made `glix host add desk` refuse.
    let env = Env::new();
    env.init();
    let mut child = glix_at(&env, &["host", "add", "desk", "--no-lock"], "op-before-lock=sleep(30000)").stderr(Stdio::null()).spawn().unwrap();
    wait_for(&mut child, "host add", || env.repo.join("hosts/desk/glix.toml").exists());
    kill9(&mut child);
    std::fs::write(env.repo.join("hosts/desk/.glix-tmp-xyz"), "half").unwrap();
    let _ = env.glix(&["list"]);
    assert!(!env.repo.join("hosts/desk").exists());
    env.ok(&["host", "add", "desk", "--no-lock"]);
}

#[test]
fn a_manifest_shared_through_a_symlink_stays_a_symlink() {
    // Finding 8: a symlinked manifest was replaced by a regular file, by a failed change
    // too.
    let env = Env::new();
    env.init();
    std::fs::create_dir_all(env.repo.join("hosts/desk")).unwrap();
    std::os::unix::fs::symlink("../laptop/glix.toml", env.repo.join("hosts/desk/glix.toml")).unwrap();
    env.git(&["add", "hosts/desk"]);
    env.commit_all("desk shares laptop's packages");
    let is_link = |env: &Env| std::fs::symlink_metadata(env.repo.join("hosts/desk/glix.toml")).unwrap().file_type().is_symlink();

    let failed = glix_at(&env, &["--host", "desk", "add", &env.path("pkg-web"), "--no-lock"], "op-before-lock=return").output().unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(is_link(&env), "a failed change replaced the symlink");

    env.ok(&["--host", "desk", "add", &env.path("pkg-web"), "--no-lock"]);
    assert!(is_link(&env), "a change replaced the symlink");
    assert!(env.read(MANIFEST).contains("[packages.pkg-web]"), "written through the link");
    assert_eq!(env.git(&["show", "--name-only", "--format=", "HEAD"]).trim().lines().filter(|l| l.starts_with("hosts/")).collect::<Vec<_>>(), vec![MANIFEST]);
    assert_eq!(env.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_rollback_that_fails_never_says_nothing_was_changed() {
    // Finding 9: with the disk full, a rollback that could not restore the files still
    // printed "nothing was changed".
    let env = Env::new();
    env.init();
    let before = env.snapshot();
    let out = glix_at(&env, &["add", &env.path("pkg-web"), "--no-lock"], "op-before-lock=return;txn-restore=return").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("nothing was changed"), "{err}");
    assert!(err.contains("could not put every file back") && err.contains("journal stays"), "{err}");
    // the next command finishes the rollback
    let next = env.glix(&["list"]);
    assert!(stderr(&next).contains("rolled back"), "{}", stderr(&next));
    assert_eq!(env.snapshot(), before);
    assert_clean(&env, "after the failed rollback");
}

#[test]
fn sigterm_and_sighup_roll_a_change_back_like_ctrl_c() {
    // Finding 10: only SIGINT rolled back; SIGTERM and SIGHUP left the tree half-changed.
    for sig in ["-TERM", "-HUP", "-INT"] {
        let env = Env::new();
        env.init();
        let before = env.snapshot();
        let mut child = glix_at(&env, &["add", &env.path("pkg-web"), "--no-lock"], "op-before-lock=sleep(1500)").stderr(Stdio::piped()).spawn().unwrap();
        wait_for(&mut child, sig, || env.read(MANIFEST).contains("pkg-web"));
        let status = signal(&mut child, sig);
        assert!(!status.success(), "{sig}: glix went on to commit");
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert!(err.contains("interrupted") && err.contains("nothing was changed"), "{sig}: {err}");
        assert_eq!(env.snapshot(), before, "{sig}");
        assert_eq!(env.commits(), 1, "{sig}");
        assert_clean(&env, sig);
    }
}

#[test]
fn a_fifo_or_a_device_in_the_cache_neither_hangs_nor_exhausts_glix() {
    // Finding 10: a FIFO in .git/glix-cache hung glix; a symlink to /dev/zero grew it
    // until the OOM killer.
    let env = Env::new();
    env.init();
    let cache = env.repo.join(".git/glix-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let _ = std::fs::remove_file(cache.join("laptop.bin"));
    let _ = std::fs::remove_file(cache.join("laptop.read.model"));
    assert!(std::process::Command::new("mkfifo").arg(cache.join("laptop.bin")).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", cache.join("laptop.read.model")).unwrap();
    let mut child = glix_at(&env, &["list"], "").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "glix hung on the cache");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success());
    env.ok(&["add", &env.path("pkg-web"), "--no-lock"]);
}

#[test]
fn a_merge_in_progress_is_named_and_every_change_refuses_it() {
    // Finding 11: conflict markers were reported as "invalid TOML … or `glix undo`", and
    // `glix doctor --fix --allow-dirty` made a single-parent commit mid-merge.
    let env = Env::new();
    env.init();
    env.git(&["checkout", "-qb", "theirs"]);
    env.ok(&["add", &env.path("pkg-web"), "--no-lock"]);
    env.git(&["checkout", "-q", "-"]);
    env.ok(&["add", &env.path("pkg-cli"), "--no-lock"]);
    let merge =
        std::process::Command::new("git").args(["-c", "user.name=t", "-c", "user.email=t@l", "merge", "-q", "theirs"]).current_dir(&env.repo).output().unwrap();
    assert!(!merge.status.success(), "the fixture needs a conflicting merge");
    let commits = env.commits();

    for args in [vec!["add", "github:o/other", "--no-lock"], vec!["--allow-dirty", "doctor", "--fix"], vec!["remove", "pkg-cli"]] {
        let out = env.glix(&args);
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.contains("a merge is in progress") || err.contains("conflict marker"), "{args:?}: {err}");
        assert!(!err.contains("invalid TOML"), "{args:?}: {err}");
    }
    assert_eq!(env.commits(), commits, "no commit mid-merge");
    assert!(env.repo.join(".git/MERGE_HEAD").exists());
    let doctor = String::from_utf8_lossy(&env.glix(&["doctor"]).stdout).into_owned();
    assert!(doctor.contains("FAIL git") && doctor.contains("a merge is in progress"), "{doctor}");
    assert!(doctor.contains("conflict marker at line"), "{doctor}");
}

#[test]
fn conflict_markers_left_in_a_committed_manifest_are_named_with_their_line() {
    let env = Env::new();
    env.init();
    let text = env.read(MANIFEST);
    std::fs::write(env.repo.join(MANIFEST), format!("{text}<<<<<<< HEAD\n# a\n=======\n# b\n>>>>>>> theirs\n")).unwrap();
    env.commit_all("oops, committed the markers");
    let line = text.lines().count() + 1;
    let out = env.glix(&["add", &env.path("pkg-web"), "--no-lock"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{MANIFEST} has a git conflict marker at line {line}")), "{err}");
    assert!(err.contains("hint:"), "{err}");
}
