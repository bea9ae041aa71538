//! How a failure reads, through the built binary: each cause once, what to do next on
//! its own `hint:` line, "nothing was changed" only when that is true, and with
//! `--json` one object on stdout. And a change with nothing to change: it says so and
//! exits 0 without a commit. These cases need no Nix: the repository is made by the
//! library's `init` without a lock, and a `nix` is either absent or a shell script
//! standing in for one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use common::standins::write_script;

const NOTHING_CHANGED: &str = "nothing was changed: every file is as it was, and no commit was made";

/// A glix repository with one host, `laptop`, and one package, `web`.
struct Repo {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    dir: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let dir = root.join("sys");
        common::init_unlocked(&dir);
        let r = Repo { _tmp: tmp, root, dir };
        r.ok(&["add", "github:o/web", "--no-lock"]);
        r
    }

    fn glix(&self, args: &[&str], envs: &[(&str, &Path)]) -> Output {
        let mut c = Command::cargo_bin("glix").unwrap();
        c.args(args)
            .env("GLIX_REPO", &self.dir)
            .env("HOME", &self.root)
            .env("GLIX_REGISTRY", "file:///nonexistent/index.json")
            .env("GLIX_NIX", "/nonexistent/nix");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.glix(args, &[]);
        assert!(out.status.success(), "glix {args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn commits(&self) -> usize {
        let out = Command::new("git").args(["rev-list", "--count", "HEAD"]).current_dir(&self.dir).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_nix_that_cannot_run_is_named_once_with_its_cause() {
    let r = Repo::new();
    let out = r.glix(&["add", "github:o/api"], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: could not run '/nonexistent/nix'"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "the cause once: {err}");
    assert!(!err.contains("caused by"), "{err}");
    assert!(err.ends_with(&format!("{NOTHING_CHANGED}\n")), "{err}");
}

#[test]
fn an_unreadable_manifest_is_named_once_with_its_cause() {
    let r = Repo::new();
    std::fs::write(r.dir.join("hosts/laptop/glix.toml"), b"schema = 1\n\xff\xfe\n").unwrap();
    let out = r.glix(&["list"], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: cannot read ") && err.contains("hosts/laptop/glix.toml"), "{err}");
    assert_eq!(err.matches("did not contain valid UTF-8").count(), 1, "the cause once: {err}");
    // a read: no word about changes
    assert!(!err.contains("nothing was changed"), "{err}");
}

#[test]
fn what_to_do_is_its_own_hint_line() {
    let r = Repo::new();
    let lines = |args: &[&str]| stderr(&r.glix(args, &[])).lines().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(lines(&["update", "nope"]), ["error: no package named 'nope' on any host", "hint: `glix list --all-hosts` shows them", NOTHING_CHANGED]);
    assert_eq!(lines(&["show", "nope"]), ["error: no package named 'nope' on laptop", "hint: `glix list` shows the host's packages"]);
    assert_eq!(
        lines(&["--host", "desk", "list"]),
        [
            format!("error: no host named 'desk' in {}; hosts: laptop", r.dir.canonicalize().unwrap().display()).as_str(),
            "hint: choose one of the hosts with --host, or add this one with `glix host add desk`"
        ]
    );
    assert_eq!(
        lines(&["host", "add", "laptop"]),
        ["error: hosts/laptop already exists", "hint: choose another name, or `glix host remove laptop` first", NOTHING_CHANGED]
    );
    let unresolved = lines(&["add", "cool-pkg", "--no-lock"]);
    assert!(unresolved[0].starts_with("error: could not resolve 'cool-pkg'"), "{unresolved:?}");
    assert_eq!(
        unresolved[unresolved.len() - 2..],
        ["hint: pass a flake URI such as github:owner/repo, look for the name with `glix search`, or point --registry at another index", NOTHING_CHANGED]
    );
    assert_eq!(unresolved.iter().filter(|l| l.contains("hint")).count(), 1, "{unresolved:?}");
    // a message never carries its hint
    let undo = lines(&["restore", "0000000"]);
    assert_eq!(undo, ["error: no glix operation with commit id 0000000", "hint: `glix log` lists glix's operations and their commit ids", NOTHING_CHANGED]);
}

/// For a stand-in `nix` script: answer glix add's look at the flake (`nix eval`) with
/// "it has nixosModules.default", so the script's other lines are about locking.
const OFFERS_A_MODULE: &str = "case \"$*\" in *' eval '*) echo '{\"outputs\":[],\"nixosModules\":[\"default\"],\"homeModules\":[],\"homeManagerModules\":[],\"packages\":[],\"hasLegacyPackages\":false,\"package\":null,\"module\":null}'; exit 0;; esac\n";

#[test]
fn a_failed_change_that_left_a_file_does_not_say_nothing_was_changed() {
    let r = Repo::new();
    // A `nix flake lock` that fails after someone else changed the manifest glix wrote:
    // glix puts back what it wrote, leaves that file as it is now, and says so.
    let nix = r.root.join("bin/nix");
    write_script(&nix, &format!("#!/bin/sh\n{OFFERS_A_MODULE}echo '# edited meanwhile' >> \"$GLIX_REPO/hosts/laptop/glix.toml\"\necho 'error: simulated lock failure' >&2\nexit 1\n"));
    let n = r.commits();
    let out = r.glix(&["add", "github:o/api"], &[("GLIX_NIX", &nix)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("simulated lock failure") && err.contains("changed by someone else meanwhile"), "{err}");
    assert!(!err.contains("nothing was changed"), "{err}");
    assert!(r.read("hosts/laptop/glix.toml").ends_with("# edited meanwhile\n"));
    assert_eq!(r.commits(), n);
}

/// The one JSON value a `--json` command printed on stdout (parsing fails on anything
/// more, or less).
fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn with_json_a_failure_is_one_object_on_stdout_and_exits_1() {
    let r = Repo::new();
    let out = r.glix(&["--json", "remove", "no-such-package"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_of(&out),
        serde_json::json!({
            "version": 1,
            "error": "no package named 'no-such-package' in this manifest",
            "kind": "no-such-package",
            "hint": "`glix list` shows the packages",
            "changedNothing": true,
        })
    );
    assert_eq!(stderr(&out), "", "the object is the whole report");

    // a read, a cause, and a refusal without a hint
    let out = r.glix(&["--json", "--host", "desk", "list"], &[]);
    assert_eq!((out.status.code(), json_of(&out)["kind"].as_str()), (Some(1), Some("no-such-host")));
    let out = r.glix(&["add", "github:o/api", "--json"], &[]);
    let v = json_of(&out);
    assert_eq!((out.status.code(), v["kind"].as_str()), (Some(1), Some("nix-not-runnable")));
    assert_eq!(v["error"].as_str().unwrap().matches("No such file or directory").count(), 1, "{v}");
    assert_eq!(v["hint"], serde_json::Value::Null);

    // usage errors stay clap's: exit 2
    assert_eq!(r.glix(&["--json", "remove"], &[]).status.code(), Some(2));
}

#[test]
fn with_json_a_failure_that_left_a_file_says_so() {
    let r = Repo::new();
    let nix = r.root.join("bin/nix");
    write_script(&nix, &format!("#!/bin/sh\n{OFFERS_A_MODULE}echo '# edited meanwhile' >> \"$GLIX_REPO/hosts/laptop/glix.toml\"\nexit 1\n"));
    let out = r.glix(&["--json", "add", "github:o/api"], &[("GLIX_NIX", &nix)]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!((v["kind"].as_str(), &v["changedNothing"]), (Some("nix-failed"), &serde_json::Value::Bool(false)), "{v}");
}

#[test]
fn disabling_a_disabled_package_says_so_and_changes_nothing() {
    let r = Repo::new();
    r.ok(&["disable", "web"]);
    let (n, before) = (r.commits(), r.read("hosts/laptop/glix.toml"));
    let out = r.glix(&["disable", "web"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!((stderr(&out).as_str(), out.stdout.is_empty()), ("web is already disabled on laptop\n", true));
    assert_eq!((r.commits(), r.read("hosts/laptop/glix.toml")), (n, before.clone()));
    // the same with --dry-run, and with --json: a normal outcome without a commit
    let out = r.glix(&["disable", "web", "--dry-run"], &[]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), "web is already disabled on laptop\n"));
    let out = r.glix(&["disable", "web", "--json"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(
        v,
        serde_json::json!({
            "version": 1,
            "warnings": [],
            "summary": "glix disable laptop: web",
            "commit": null,
            "files": [],
            "dryRun": false,
            "diff": null,
            "noop": true,
            "reason": "web is already disabled on laptop",
        })
    );
    assert_eq!((r.commits(), r.read("hosts/laptop/glix.toml")), (n, before));
    // and back: enabling once changes it, twice says so
    r.ok(&["enable", "web"]);
    let out = r.glix(&["enable", "web"], &[]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), "web is already enabled on laptop\n"));
    assert_eq!(r.commits(), n + 1);
    // a changing outcome says noop: false
    let v: serde_json::Value = serde_json::from_str(&r.ok(&["disable", "web", "--json"])).unwrap();
    assert_eq!((&v["noop"], v["commit"].is_string()), (&serde_json::Value::Bool(false), true), "{v}");
}

#[test]
fn setting_config_to_the_values_it_has_changes_nothing() {
    let r = Repo::new();
    r.ok(&["config", "set", "web", "port=8080", "host=::"]);
    let n = r.commits();
    let out = r.glix(&["config", "set", "web", "port=8080"], &[]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), "web's config on laptop already says port=8080\n"));
    assert_eq!(r.commits(), n);
    // one value that differs is a change
    r.ok(&["config", "set", "web", "port=8080", "host=0.0.0.0"]);
    assert_eq!(r.commits(), n + 1);
    assert!(r.read("hosts/laptop/glix.toml").contains("host = \"0.0.0.0\""));
}

#[test]
fn update_migrate_and_restore_with_nothing_to_change_exit_0_without_a_commit() {
    let r = Repo::new();
    // a `nix flake update` that leaves flake.lock as it is
    let nix = r.root.join("bin/nix");
    write_script(&nix, "#!/bin/sh\nexit 0\n");
    let n = r.commits();
    let out = r.glix(&["update"], &[("GLIX_NIX", &nix)]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), "already up to date: flake.lock did not change\n"));
    let out = r.glix(&["update", "--json"], &[("GLIX_NIX", &nix)]);
    let v = json_of(&out);
    assert_eq!((out.status.code(), &v["noop"], &v["commit"]), (Some(0), &serde_json::Value::Bool(true), &serde_json::Value::Null), "{v}");

    let out = r.glix(&["migrate"], &[]);
    assert_eq!((out.status.code(), stderr(&out).as_str()), (Some(0), "nothing to migrate: every manifest is at schema 1\n"));
    let v = json_of(&r.glix(&["migrate", "--json"], &[]));
    assert_eq!(v["reason"], "nothing to migrate: every manifest is at schema 1");

    let head = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&r.dir).output().unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let out = r.glix(&["restore", &head], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("the repository is already as after {}\n", &head[..12]));
    assert_eq!(r.commits(), n);
}

#[test]
fn doctor_fix_json_prints_one_document_with_the_fix_and_the_report() {
    let r = Repo::new();
    // No nix: the doctor fails its Nix check, and the fix cannot re-lock.
    let out = r.glix(&["doctor", "--fix", "--json"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json_of(&out);
    assert_eq!(v["version"], 1, "{v}");
    assert_eq!((v["fix"]["kind"].as_str(), &v["fix"]["changedNothing"]), (Some("nix-not-runnable"), &serde_json::Value::Bool(true)), "{v}");
    assert!(v["fix"]["error"].as_str().unwrap().starts_with("could not run '/nonexistent/nix'"), "{v}");
    let checks = v["report"]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["name"] == "nix" && c["status"] == "error"), "{v}");
    // without --fix, the report alone, as before
    let v = json_of(&r.glix(&["doctor", "--json"], &[]));
    assert!(v.get("version").is_none() && v["checks"].is_array(), "{v}");
}
