//! The transaction every mutation runs through, on real git repositories: one commit
//! of exactly the changed files, rollback on every failure path, crash recovery from
//! the journal, and one glix at a time.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use glix::repo::{git, Repo};
use glix::txn::{After, Before, Entry, Journal, Operation, RepoLock, Transaction, TxnError, TxnOptions};

const MANIFEST: &str = "hosts/h/glix.toml";

fn sh_git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@localhost")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@localhost")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A committed glix repo with one host.
fn repo() -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("hosts/h")).unwrap();
    std::fs::write(root.join("flake.nix"), "{ outputs = _: { }; }\n").unwrap();
    std::fs::write(root.join(MANIFEST), "schema = 1\n").unwrap();
    sh_git(root, &["init", "-q"]);
    sh_git(root, &["add", "."]);
    sh_git(root, &["commit", "-qm", "initial"]);
    let repo = Repo::open(root).unwrap();
    (dir, repo)
}

fn op(summary: &str) -> Operation {
    Operation {
        kind: "add".into(),
        host: Some("h".into()),
        package: Some("p".into()),
        reference: Some("github:o/p".into()),
        undoes: None,
        summary: summary.into(),
    }
}

fn quick() -> TxnOptions {
    TxnOptions { wait: Duration::from_millis(200), ..TxnOptions::default() }
}

fn branch(repo: &Repo) -> Option<String> {
    Some(sh_git(repo.root(), &["symbolic-ref", "HEAD"]).trim().to_string())
}

fn head(repo: &Repo) -> Option<String> {
    Some(sh_git(repo.root(), &["rev-parse", "HEAD"]).trim().to_string())
}

fn commit_count(root: &Path) -> usize {
    sh_git(root, &["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
}

#[test]
fn commit_records_exactly_the_changed_files_with_trailers() {
    let (dir, repo) = repo();
    // Something the user staged on their own must not ride along.
    std::fs::write(dir.path().join("notes.txt"), "mine\n").unwrap();
    sh_git(dir.path(), &["add", "notes.txt"]);

    let mut t = Transaction::begin(&repo, op("glix add h: p (github:o/p)"), &[MANIFEST, "flake.nix", "flake.lock"], &quick()).unwrap();
    t.write(MANIFEST, b"schema = 1\n# changed\n").unwrap();
    t.commit().unwrap();

    assert_eq!(commit_count(dir.path()), 2);
    let log = git::log(&repo, 1).unwrap();
    assert_eq!(log[0].summary, "glix add h: p (github:o/p)");
    assert_eq!(log[0].paths, vec![MANIFEST.to_string()]);
    assert_eq!(log[0].trailers.get("Glix-Operation"), Some("add"));
    assert_eq!(log[0].trailers.get("Glix-Host"), Some("h"));
    assert_eq!(log[0].trailers.get("Glix-Package"), Some("p"));
    assert_eq!(log[0].trailers.get("Glix-Ref"), Some("github:o/p"));
    // the user's staged file is still staged, the manifest is clean
    let status = sh_git(dir.path(), &["status", "--porcelain"]);
    assert_eq!(status, "A  notes.txt\n");
    assert!(!Journal::path(&repo).exists());
}

#[test]
fn dropping_a_transaction_restores_every_file_and_commits_nothing() {
    let (dir, repo) = repo();
    {
        let mut t = Transaction::begin(&repo, op("x"), &[MANIFEST, "flake.nix"], &quick()).unwrap();
        t.write(MANIFEST, b"broken").unwrap();
        t.write("flake.nix", b"broken").unwrap();
        t.write("hosts/new/glix.toml", b"created").unwrap();
        // an early return / `?` / panic drops it here
    }
    assert_eq!(std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap(), "schema = 1\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("flake.nix")).unwrap(), "{ outputs = _: { }; }\n");
    assert!(!dir.path().join("hosts/new").exists(), "created files and their directories go too");
    assert_eq!(commit_count(dir.path()), 1);
    assert_eq!(sh_git(dir.path(), &["status", "--porcelain"]), "");
    assert!(!Journal::path(&repo).exists());
}

#[test]
fn files_with_uncommitted_changes_are_refused_unless_allowed() {
    let (dir, repo) = repo();
    std::fs::write(dir.path().join(MANIFEST), "schema = 1\n# hand edit\n").unwrap();
    let err = Transaction::begin(&repo, op("x"), &[MANIFEST], &quick()).err().unwrap();
    assert!(matches!(&err, TxnError::Dirty(p) if p == &vec![MANIFEST.to_string()]), "{err}");
    assert!(err.hint().unwrap().contains("--allow-dirty"));
    let opts = TxnOptions { allow_dirty: true, ..quick() };
    let t = Transaction::begin(&repo, op("x"), &[MANIFEST], &opts).unwrap();
    drop(t);
    assert_eq!(std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap(), "schema = 1\n# hand edit\n");
}

#[test]
fn a_commit_with_nothing_changed_is_refused() {
    let (dir, repo) = repo();
    let mut t = Transaction::begin(&repo, op("x"), &[MANIFEST], &quick()).unwrap();
    t.write(MANIFEST, b"schema = 1\n").unwrap();
    assert!(matches!(t.commit(), Err(TxnError::NothingChanged)));
    assert_eq!(commit_count(dir.path()), 1);
}

#[test]
fn a_journal_left_by_a_killed_glix_is_rolled_back_first() {
    let (dir, repo) = repo();
    // What a glix killed after writing the manifest leaves behind.
    let mut j = Journal::new("glix add h: p (github:o/p)", head(&repo), branch(&repo));
    j.files.insert(MANIFEST.into(), Entry { before: Before::Text("schema = 1\n".into()), after: After::of(Some(b"half written")) });
    j.files.insert("flake.lock".into(), Entry { before: Before::Absent, after: After::Unknown });
    j.save(&repo).unwrap();
    std::fs::write(dir.path().join(MANIFEST), "half written").unwrap();
    std::fs::write(dir.path().join("flake.lock"), "{}").unwrap();

    let t = Transaction::begin(&repo, op("next"), &[MANIFEST], &quick()).unwrap();
    let rec = t.recovery().cloned().expect("recovery reported");
    assert_eq!(rec.description, "glix add h: p (github:o/p)");
    assert!(!rec.completed);
    assert_eq!(rec.restored, vec!["flake.lock".to_string(), MANIFEST.to_string()]);
    drop(t);
    assert_eq!(std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap(), "schema = 1\n");
    assert!(!dir.path().join("flake.lock").exists());
    assert_eq!(commit_count(dir.path()), 1);
}

#[test]
fn a_committed_file_is_journaled_by_its_blob_and_restored_from_git() {
    let (dir, repo) = repo();
    let flake = dir.path().join("flake.nix");
    let committed = std::fs::read_to_string(&flake).unwrap();
    let t = Transaction::begin(&repo, op("x"), &["flake.nix", MANIFEST, "flake.lock"], &quick()).unwrap();
    let j = Journal::load(&repo).unwrap().expect("journal written");
    // Files as committed: by blob id (what `git hash-object` says), not by contents.
    let hash = sh_git(dir.path(), &["hash-object", "flake.nix"]);
    assert_eq!(j.files["flake.nix"].before, Before::Blob(hash.trim().to_string()));
    assert!(matches!(j.files[MANIFEST].before, Before::Blob(_)));
    // A file that does not exist yet is journaled as absent.
    assert_eq!(j.files["flake.lock"].before, Before::Absent);
    assert!(!std::fs::read_to_string(Journal::path(&repo)).unwrap().contains("outputs"), "contents in the journal");
    drop(t);

    // What a glix killed mid-write leaves: that journal, and changed files.
    j.save(&repo).unwrap();
    std::fs::write(&flake, "half written").unwrap();
    std::fs::write(dir.path().join("flake.lock"), "{}").unwrap();
    let t = Transaction::begin(&repo, op("next"), &[MANIFEST], &quick()).unwrap();
    let rec = t.recovery().cloned().expect("recovery reported");
    assert_eq!(rec.restored, vec!["flake.lock".to_string(), "flake.nix".to_string()]);
    drop(t);
    assert_eq!(std::fs::read_to_string(&flake).unwrap(), committed);
    assert!(!dir.path().join("flake.lock").exists());
    assert_eq!(sh_git(dir.path(), &["status", "--porcelain"]), "");
}

#[test]
fn with_allow_dirty_the_uncommitted_contents_are_what_a_rollback_restores() {
    let (dir, repo) = repo();
    let manifest = dir.path().join(MANIFEST);
    std::fs::write(
        &manifest,
        "schema = 1
# my own edit
",
    )
    .unwrap();
    let err = Transaction::begin(&repo, op("x"), &[MANIFEST], &quick()).err().expect("dirty file refused");
    assert!(matches!(&err, TxnError::Dirty(files) if files == &vec![MANIFEST.to_string()]), "{err}");

    let opts = TxnOptions { allow_dirty: true, ..quick() };
    let mut t = Transaction::begin(&repo, op("x"), &[MANIFEST], &opts).unwrap();
    let j = Journal::load(&repo).unwrap().unwrap();
    assert_eq!(j.files[MANIFEST].before, Before::Text("schema = 1\n# my own edit\n".to_string()));
    t.write(MANIFEST, b"schema = 1\n# glix\n").unwrap();
    drop(t); // rolled back: the user's own edit, not HEAD's text
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), "schema = 1\n# my own edit\n");
}

#[test]
fn a_journal_whose_commit_was_made_is_only_tidied_up() {
    let (dir, repo) = repo();
    let mut j = Journal::new("glix add h: p", head(&repo), branch(&repo));
    j.files.insert(MANIFEST.into(), Entry { before: Before::Text("schema = 1\n".into()), after: After::of(Some(b"schema = 1\n# new\n")) });
    j.save(&repo).unwrap();
    std::fs::write(dir.path().join(MANIFEST), "schema = 1\n# new\n").unwrap();
    // killed right after the commit, before removing the journal
    glix::txn::commit_work_tree(&repo, &[MANIFEST.into()], &op("glix add h: p").message(&j.op_id)).unwrap();

    let t = Transaction::begin(&repo, op("next"), &[MANIFEST], &quick()).unwrap();
    assert!(t.recovery().unwrap().completed);
    drop(t);
    assert_eq!(std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap(), "schema = 1\n# new\n");
    assert_eq!(commit_count(dir.path()), 2);
}

#[test]
fn a_second_glix_waits_for_the_lock_then_fails_clearly() {
    let (_dir, repo) = repo();
    let held = RepoLock::acquire(&repo, Duration::from_secs(1), || {}).unwrap();
    let err = Transaction::begin(&repo, op("x"), &[MANIFEST], &quick()).err().unwrap();
    assert!(err.to_string().contains("another glix is changing"), "{err}");
    drop(held);
    assert!(Transaction::begin(&repo, op("x"), &[MANIFEST], &quick()).is_ok());
}

#[test]
fn hosts_are_chosen_explicitly_or_when_unambiguous() {
    let (dir, repo) = repo();
    assert_eq!(repo.choose_host(None).unwrap(), "h");
    assert!(repo.choose_host(Some("nope")).unwrap_err().to_string().contains("hosts: h"));
    std::fs::create_dir_all(dir.path().join("hosts/zz-other")).unwrap();
    std::fs::write(dir.path().join("hosts/zz-other/glix.toml"), "schema = 1\n").unwrap();
    std::fs::create_dir_all(dir.path().join("hosts/..x")).unwrap();
    assert_eq!(repo.hosts().unwrap(), vec!["h".to_string(), "zz-other".to_string()]);
    let err = repo.choose_host(None).unwrap_err();
    assert!(err.to_string().contains("h, zz-other"), "{err}");
    assert_eq!(err.kind(), "ambiguous-host");
    assert!(err.hint().unwrap().contains("--host"), "{err}");
}

#[test]
fn opening_something_that_is_not_a_glix_repo_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = Repo::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("is not a glix repository"), "{err}");
    // What to do is the hint, not the message.
    assert!(err.hint().unwrap().contains("glix init") && !err.to_string().contains("glix init"), "{err}");
}
