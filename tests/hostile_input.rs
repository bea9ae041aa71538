//! The bad-input table of the README, each row a test: glix refuses clearly and
//! changes nothing (or, for a full disk, either completes or changes nothing).

mod common;

use std::process::Command;

use common::glix_env::Env;
use common::standins::write;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `glix ARGS` must fail with exit 1, say `msg`, and leave files and history as they were.
fn refused(env: &Env, args: &[&str], msg: &str) {
    let before = (env.snapshot(), env.commits());
    let out = env.glix(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "glix {args:?}: {err}");
    assert!(err.contains(msg), "glix {args:?}: expected {msg:?} in:\n{err}");
    assert_eq!((env.snapshot(), env.commits()), before, "glix {args:?} changed something");
}

#[test]
fn malformed_and_oversized_manifests_are_errors_with_a_location() {
    let env = Env::new();
    env.init();
    let m = env.repo.join("hosts/laptop/glix.toml");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("deep nesting", format!("schema = 1\nx = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(), "glix.toml:2:"),
        ("invalid UTF-8", b"schema = 1\n# caf\xe9\n".to_vec(), "UTF-8"),
        ("a raw NUL byte", b"schema = 1\nx = \"a\0b\"\n".to_vec(), "glix.toml:2:"),
        ("wrong types", b"schema = 1\n[packages.a]\nflake = [1]\ninput = \"a\"\n".to_vec(), "glix.toml:3:"),
    ];
    for (what, bytes, msg) in cases {
        std::fs::write(&m, &bytes).unwrap();
        let out = env.glix(&["list"]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(stderr(&out).contains(msg), "{what}: {}", stderr(&out));
    }
    // a huge but valid manifest is simply read
    let mut big = String::from("schema = 1\n");
    for i in 0..20_000 {
        big.push_str(&format!("[packages.p{i}]\nflake = \"github:o/p{i}\"\ninput = \"p{i}\"\n"));
    }
    std::fs::write(&m, &big).unwrap();
    let out = env.glix(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().len(), 20_000);
}

#[test]
fn hostile_references_never_reach_flake_nix_or_a_shell() {
    let env = Env::new();
    env.init();
    let pwned = env.root.join("pwned");
    for r in ["github:o/r\"; evil = import /etc/passwd; x = \"", "github:o/${builtins.abort \"x\"}", "github:o/r\nfoo", "path:relative/dir", "-rf"] {
        let out = env.glix(&["add", r, "--no-lock"]);
        assert_ne!(out.status.code(), Some(0), "{r:?} was accepted");
    }
    // shell metacharacters are inert: there is no shell
    let r = format!("path:{}/$(touch {})", env.root.display(), pwned.display());
    let out = env.glix(&["add", &r, "--no-lock", "--name", "meta"]);
    assert!(!pwned.exists(), "a shell ran the reference");
    if out.status.success() {
        let parsed = common::nix()
            .args(["eval", "--json", "--impure", "--expr", &format!("(import {}/flake.nix).inputs.meta.url", env.repo.display())])
            .output()
            .unwrap();
        assert!(parsed.status.success(), "{}", stderr(&parsed));
        assert_eq!(serde_json::from_slice::<String>(&parsed.stdout).unwrap(), r);
    }
}

/// A reference Nix 2.26 takes but a fleet's newer Nix reads otherwise (or refuses) is
/// refused before anything is written, saying why and what to write instead.
#[test]
fn references_another_nix_version_reads_otherwise_are_refused() {
    let env = Env::new();
    env.init();
    refused(&env, &["add", "git+https://git+mirror.example/o/r.git", "--no-lock"], "the host 'git+mirror.example' is not letters, digits");
    refused(&env, &["add", "git+ssh://git@example.com:22x/o/r", "--no-lock"], "no host");
    refused(&env, &["add", "github:o/tool?ref=feature//x", "--no-lock"], "which Nix 2.31 and later refuse");
    let out = env.glix(&["add", "https://example.com:99999/x.tar.gz", "--no-lock", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("the port '99999' is not a number from 1 to 65535"), "{v}");
    assert_eq!(v["changedNothing"], true);
}

#[test]
fn host_names_cannot_escape_the_repo_and_symlinks_out_are_not_followed() {
    let env = Env::new();
    env.init();
    refused(&env, &["host", "add", "../evil"], "not a valid host name");
    refused(&env, &["--host", "../../etc", "add", "github:o/r", "--no-lock"], "no host named '../../etc'");
    // hosts/evil/glix.toml → a file outside the repo
    let outside = env.root.join("outside.toml");
    write(&outside, "schema = 1\n");
    std::fs::create_dir_all(env.repo.join("hosts/evil")).unwrap();
    std::os::unix::fs::symlink(&outside, env.repo.join("hosts/evil/glix.toml")).unwrap();
    env.git(&["add", "hosts/evil"]);
    env.git(&["-c", "user.name=t", "-c", "user.email=t@l", "commit", "-qm", "symlink"]);
    refused(&env, &["--host", "evil", "add", "github:o/r", "--no-lock"], "leads outside the repository");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "schema = 1\n", "the outside file was written");
    refused(&env, &["--host", "evil", "list"], "leads outside the repository");
}

#[test]
fn broken_markers_in_flake_nix_are_refused() {
    let env = Env::new();
    env.init();
    let flake = env.repo.join("flake.nix");
    let good = std::fs::read_to_string(&flake).unwrap();
    for (what, text, msg) in [
        ("missing", good.replace("    # <<< glix-managed inputs <<<\n", ""), "no end marker"),
        (
            "duplicated",
            good.replace("    # >>> glix-managed inputs >>>\n", "    # >>> glix-managed inputs >>>\n    # >>> glix-managed inputs >>>\n"),
            "keep exactly one",
        ),
        (
            "nested",
            good.replace("    # <<< glix-managed inputs <<<\n", "")
                .replace("        # <<< glix-managed hosts <<<\n", "        # <<< glix-managed hosts <<<\n    # <<< glix-managed inputs <<<\n"),
            "each region must end before the other begins",
        ),
    ] {
        std::fs::write(&flake, &text).unwrap();
        env.commit_all("edit");
        let before = (env.snapshot(), env.commits());
        let out = env.glix(&["add", "github:o/r", "--no-lock"]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(stderr(&out).to_lowercase().contains(msg), "{what}: {}", stderr(&out));
        assert_eq!((env.snapshot(), env.commits()), before, "{what}");
    }
}

#[test]
fn not_git_detached_head_and_dirty_tree() {
    let env = Env::new();
    env.init();
    std::fs::rename(env.repo.join(".git"), env.root.join("dotgit")).unwrap();
    let out = env.glix(&["list"]);
    assert!(stderr(&out).contains("not a git repository"), "{}", stderr(&out));
    std::fs::rename(env.root.join("dotgit"), env.repo.join(".git")).unwrap();

    let head = env.git(&["rev-parse", "HEAD"]);
    env.git(&["checkout", "-q", "--detach", head.trim()]);
    refused(&env, &["add", "github:o/r", "--no-lock"], "HEAD is detached");
    env.git(&["checkout", "-q", "-"]);

    let m = env.repo.join("hosts/laptop/glix.toml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, format!("{text}# uncommitted\n")).unwrap();
    refused(&env, &["add", "github:o/r", "--no-lock"], "--allow-dirty");
    std::fs::write(&m, &text).unwrap();

    // flake.lock, which nix writes for glix, is held to the same rule: a hand change to
    // it is not swallowed into glix's commit.
    let lock = env.repo.join("flake.lock");
    let locked = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{locked}\n")).unwrap();
    refused(&env, &["add", &env.path("pkg-web")], "flake.lock");
}

/// A tmpfs of `size`, unmounted when dropped. Needs root (the CI user here); fails
/// loudly otherwise rather than skipping.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let st = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir).status().unwrap();
        assert!(st.success(), "mounting a tmpfs failed: these tests need root (as scripts/test runs in CI)");
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_file_system_is_refused_cleanly() {
    let env = Env::new();
    let fs = Tmpfs::mount(&env.repo, "16m");
    env.init();
    let st = Command::new("mount").args(["-o", "remount,ro"]).arg(&fs.0).status().unwrap();
    assert!(st.success());
    refused(&env, &["add", &env.path("pkg-web"), "--no-lock"], "Read-only file system");
}

#[test]
fn a_full_disk_either_completes_or_changes_nothing() {
    // For growing amounts of free space, glix either finishes the add (one commit) or
    // fails and leaves every file and the history as they were — never half of it.
    let mut outcomes = Vec::new();
    // Every page count up to 24: the failures a user meets sit at different steps
    // (journal, manifest, flake.nix, commit objects, index), one or two pages apart.
    for free_pages in (0usize..=24).chain([32, 64]) {
        let env = Env::new();
        let _fs = Tmpfs::mount(&env.repo, "4m");
        env.init();
        let before = (env.snapshot(), env.commits());
        // Fill the file system, then give back `free_pages` pages.
        let filler = env.repo.join(".git/filler");
        let _ = Command::new("dd")
            .arg("if=/dev/zero")
            .arg(format!("of={}", filler.display()))
            .args(["bs=4096", "status=none"])
            .stderr(std::process::Stdio::null())
            .status();
        let len = std::fs::metadata(&filler).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&filler).unwrap();
        f.set_len(len.saturating_sub(4096 * free_pages as u64)).unwrap();
        drop(f);
        let out = env.glix(&["add", &env.path("pkg-web"), "--no-lock"]);
        let err = stderr(&out);
        // What glix says must be true right then, with the disk still full.
        if !out.status.success() && err.contains("nothing was changed") {
            assert_eq!((env.snapshot(), env.commits()), before, "{free_pages} pages: said nothing was changed, but: {err}");
            assert!(!env.repo.join(".git/glix-journal.json").exists(), "{free_pages} pages: said nothing was changed, left a journal");
        }
        let _ = std::fs::remove_file(&filler);
        // a recovery, if one is needed, happens at the next command once there is space
        let _ = env.glix(&["list"]);
        if out.status.success() {
            assert_eq!(env.commits(), before.1 + 1, "{free_pages} pages: success means one commit");
            outcomes.push("done");
        } else {
            assert!(err.contains("nothing was changed") || err.contains("could not put every file back"), "{free_pages}: {err}");
            assert_eq!((env.snapshot(), env.commits()), before, "{free_pages} pages free: a failed add changed something");
            outcomes.push("refused");
        }
    }
    assert!(outcomes.contains(&"refused") && outcomes.contains(&"done"), "the sweep covered both ends: {outcomes:?}");
}
