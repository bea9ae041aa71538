//! The bounded CI run of scripts/kill-test: glix killed with SIGKILL just before and
//! just after every 10th file-system call (and the last) of every mutation, then any
//! glix command, and the repository checked (journal gone, status clean, index ==
//! HEAD, HEAD the old commit or exactly the finished change, doctor ok, `git fsck`
//! clean, a follow-up change works). The script is the one place the harness lives;
//! `scripts/kill-test` without `--every` runs every point.

mod common;

use std::process::Command;

#[test]
fn sigkill_at_every_tenth_file_system_call_of_every_mutation_leaves_a_whole_repository() {
    let tc = common::toolchain();
    let glix = std::path::Path::new(env!("CARGO_BIN_EXE_glix"));
    // target/<profile>/glix: the shim is built next to it, in target/killshim
    let target = glix.parent().and_then(|p| p.parent()).unwrap();
    // on a tmpfs when there is one, as the script itself does: every run copies and
    // deletes a repository, which on a busy disk is most of its time
    let shm = std::path::Path::new("/dev/shm");
    let work = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let summary = work.path().join("summary.json");
    let out = Command::new(common::repo_root().join("scripts/kill-test"))
        .args(["--every", "10", "--work"])
        .arg(work.path())
        .arg("--json")
        .arg(&summary)
        .env("GLIX_BIN", glix)
        .env("GLIX_TOOLCHAIN", &tc)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("running scripts/kill-test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap_or_default())
        .unwrap_or_else(|e| panic!("scripts/kill-test wrote no summary ({e}):\n{stdout}\n{stderr}"));
    // The sample covers every mutation the script knows, with both phases.
    let ops = summary["ops"].as_object().unwrap();
    assert!(ops.len() >= 12, "{stdout}");
    for (op, o) in ops {
        assert!(o["points"].as_u64().unwrap() > 10 && o["runs"].as_u64().unwrap() >= 4, "{op}: {o}");
    }
    // The first violations and the tables; the full list is in the summary.
    let lines: Vec<&str> = stdout.lines().collect();
    let first: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("VIOLATION")).take(30).collect();
    let tables: Vec<&str> = lines.iter().copied().filter(|l| !l.starts_with("VIOLATION")).collect();
    assert!(
        out.status.success() && summary["violations"] == 0,
        "scripts/kill-test found violations; the first {}:\n{}\n\n{}\n{stderr}",
        first.len(),
        first.join("\n"),
        tables.join("\n")
    );
}
