//! UI tests for manifest edits, in the manner of cargo's: one folder per case under
//! tests/ui/ with `cmd` (the glix arguments), `in/glix.toml` (the host's manifest
//! before), `out/glix.toml` (after) and the expected `stdout` and `stderr`. Commit ids
//! read `[COMMIT]` and the temporary directory `[ROOT]`.
//!
//! After a deliberate change, `GLIX_BLESS=1 cargo test --test ui` rewrites the expected
//! files; review them like code.

mod common;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::repo_root;

fn normalize(s: &str, root: &Path) -> String {
    let s = s.replace(&root.display().to_string(), "[ROOT]");
    // 12-hex commit ids at the start of a line
    s.lines()
        .map(|l| match l.split_once(' ') {
            Some((id, rest)) if id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()) => format!("[COMMIT] {rest}"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if s.ends_with('\n') { "\n" } else { "" }
}

fn check(case: &Path, name: &str, actual: &str, bless: bool, failures: &mut Vec<String>) {
    let path = case.join(name);
    if bless {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual).unified_diff().header("expected", "actual").to_string();
        failures.push(format!("{}/{name}:\n{diff}", case.display()));
    }
}

#[test]
fn manifest_edits_match_their_golden_files() {
    let bless = std::env::var_os("GLIX_BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(repo_root().join("tests/ui")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 8, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sys");
        common::init_unlocked(&dir);
        // The case's manifest, committed together with the regions it implies.
        let manifest = std::fs::read_to_string(case.join("in/glix.toml")).unwrap();
        std::fs::write(dir.join("hosts/laptop/glix.toml"), &manifest).unwrap();
        let repo = glix::repo::Repo::open(&dir).unwrap();
        let all = glix::ops::load_manifests(&repo, None).unwrap();
        std::fs::write(dir.join("flake.nix"), glix::ops::regenerate_flake(&repo, &glix::ops::summaries_of(&all)).unwrap()).unwrap();
        glix::txn::commit_work_tree(&repo, &["hosts/laptop/glix.toml".into(), "flake.nix".into()], "fixture").unwrap();

        let cmd = std::fs::read_to_string(case.join("cmd")).unwrap();
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let out = Command::cargo_bin("glix")
            .unwrap()
            .args(&args)
            .env("GLIX_REPO", &dir)
            .env("HOME", tmp.path())
            .env("GLIX_REGISTRY", "file:///nonexistent/index.json")
            .env("GLIX_NIX", "/nonexistent/nix")
            .output()
            .unwrap();
        let root = tmp.path();
        check(case, "out/glix.toml", &std::fs::read_to_string(dir.join("hosts/laptop/glix.toml")).unwrap(), bless, &mut failures);
        check(case, "stdout", &normalize(&String::from_utf8_lossy(&out.stdout), root), bless, &mut failures);
        check(case, "stderr", &normalize(&String::from_utf8_lossy(&out.stderr), root), bless, &mut failures);
        check(case, "status", &format!("{}\n", out.status.code().unwrap_or(-1)), bless, &mut failures);
    }
    assert!(failures.is_empty(), "{} golden mismatches (GLIX_BLESS=1 to accept):\n{}", failures.len(), failures.join("\n"));
}
