//! `glix switch/boot/test/build/dry-build`, `glix doctor` and `glix migrate`.
//!
//! The real nixos-rebuild cannot run here (no NixOS, no nixpkgs): the rebuild tests put
//! a stand-in `nixos-rebuild` first on PATH that records its argument vector and exits
//! with a chosen code. `glix build` without nixos-rebuild evaluates a real drvPath with
//! the real Nix (the nixpkgs stand-in runs the module system, so the host must pass
//! NixOS's assertions, and its toplevel is a real derivation).

mod common;

use common::glix_env::Env;
use common::plugin;
use common::standins::{recorded_calls, write, write_script};
use serde_json::Value;

/// A nixos-rebuild that appends its argv (one argument per line, then a blank line) to
/// $GLIX_TEST_RECORD and exits with the code in $GLIX_TEST_EXIT_<host>, default 0.
fn stand_in_rebuild(env: &Env) -> (String, std::path::PathBuf) {
    let bin = env.root.join("rebuild-bin");
    let record = env.root.join("rebuild-argv.txt");
    write_script(
        &bin.join("nixos-rebuild"),
        r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a" >> "$GLIX_TEST_RECORD"; done
printf '\n' >> "$GLIX_TEST_RECORD"
host=""
prev=""
for a in "$@"; do [ "$prev" = "--flake" ] && host="${a##*#}"; prev="$a"; done
eval "code=\${GLIX_TEST_EXIT_$(echo "$host" | tr '-' '_'):-0}"
echo "stand-in nixos-rebuild: $1 $host" >&2
exit "$code"
"#,
    );
    (bin.display().to_string(), record)
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn rebuild_verbs_pass_the_exact_argument_vector_and_return_its_exit_code() {
    let env = Env::new();
    env.init();
    // switch and test build the host first (tests/switch.rs): it must pass NixOS's
    // assertions; there is no running system here to compare with.
    env.make_bootable(&["alice"]);
    let (bin, record) = stand_in_rebuild(&env);
    let flake = format!("{}#laptop", env.repo.canonicalize().unwrap().display());
    let e = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut v = vec![("PATH", bin.clone()), ("GLIX_TEST_RECORD", record.display().to_string()), ("GLIX_CURRENT_SYSTEM", "/nonexistent".into())];
        v.extend(extra.iter().cloned());
        v
    };

    let out = env.glix_with(&["switch", "--no-plugin"], &e(&[]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stand-in nixos-rebuild: switch laptop"), "its output streams through");

    let p = plugin();
    let out = env.glix_with(
        &[
            "boot",
            "--target-host",
            "root@laptop.lan",
            "--build-host",
            "me@builder",
            "--use-remote-sudo",
            "--plugin",
            p.to_str().unwrap(),
            "--",
            "--show-trace",
            "-L",
        ],
        &e(&[]),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    for verb in ["test", "build", "dry-build"] {
        assert!(env.glix_with(&[verb, "--no-plugin"], &e(&[])).status.success());
    }

    // nixos-rebuild's exit code is glix's
    let out = env.glix_with(&["switch", "--no-plugin"], &e(&[("GLIX_TEST_EXIT_laptop", "3".into())]));
    assert_eq!(out.status.code(), Some(3));

    let c = recorded_calls(&record);
    assert_eq!(c.len(), 6);
    assert_eq!(c[0], strs(&["switch", "--flake", &flake]));
    assert_eq!(
        c[1],
        strs(&[
            "boot",
            "--flake",
            &flake,
            "--target-host",
            "root@laptop.lan",
            "--build-host",
            "me@builder",
            "--use-remote-sudo",
            "--option",
            "plugin-files",
            p.to_str().unwrap(),
            "--show-trace",
            "-L"
        ])
    );
    assert_eq!(c[2], strs(&["test", "--flake", &flake]));
    assert_eq!(c[3], strs(&["build", "--flake", &flake]));
    assert_eq!(c[4], strs(&["dry-build", "--flake", &flake]));

    // a plugin that does not load is refused when named explicitly
    let bogus = env.root.join("not-a-plugin.so");
    write(&bogus, "not an ELF file");
    let out = env.glix_with(&["switch", "--plugin", bogus.to_str().unwrap()], &e(&[]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not load into the nix on PATH"));
}

#[test]
fn switch_all_deploys_every_host_with_a_target_one_after_another() {
    let env = Env::new();
    env.init();
    let (bin, record) = stand_in_rebuild(&env);
    // laptop and desk have targets; lab has none and is skipped
    env.ok(&["host", "add", "desk"]);
    env.ok(&["host", "add", "lab"]);
    for (host, target) in [("laptop", "root@laptop.lan"), ("desk", "admin@desk.lan")] {
        let m = env.repo.join(format!("hosts/{host}/glix.toml"));
        let text = std::fs::read_to_string(&m).unwrap().replace("[host]\n", &format!("[host]\ntarget-host = \"{target}\"\n"));
        std::fs::write(&m, text).unwrap();
    }
    env.commit_all("targets");
    let out = env.glix_with(
        &["switch", "--all", "--no-plugin"],
        &[("PATH", bin.clone()), ("GLIX_TEST_RECORD", record.display().to_string()), ("GLIX_TEST_EXIT_desk", "1".into())],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a failed host fails the run: {stdout}");
    let root = env.repo.canonicalize().unwrap().display().to_string();
    let c = recorded_calls(&record);
    assert_eq!(
        c,
        vec![
            strs(&["switch", "--flake", &format!("{root}#desk"), "--target-host", "admin@desk.lan"]),
            strs(&["switch", "--flake", &format!("{root}#laptop"), "--target-host", "root@laptop.lan"]),
        ]
    );
    assert!(
        stdout.contains("HOST") && stdout.contains("desk") && stdout.contains("failed (exit 1)") && stdout.contains("laptop") && stdout.contains("ok"),
        "{stdout}"
    );

    // no host with a target: a clear refusal
    let env2 = Env::new();
    env2.init();
    let out = env2.glix_with(&["switch", "--all", "--no-plugin"], &[("PATH", bin)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no host has a `target-host`"));
}

#[test]
fn build_without_nixos_rebuild_evaluates_the_drv_path_with_nix() {
    let env = Env::new();
    env.init();
    // a host as glix writes it has no root file system and no boot loader, so NixOS's
    // assertions stop its toplevel; its owner adds them first
    env.make_bootable(&["alice"]);
    env.ok(&["add", &env.path("pkg-web"), "--config", "port=1"]);
    for plugin_flag in ["--no-plugin", "--plugin"] {
        let mut args = vec!["build", plugin_flag];
        let p = plugin();
        if plugin_flag == "--plugin" {
            args.push(p.to_str().unwrap());
        }
        let out = env.glix(&args);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.trim().starts_with("/nix/store/") && stdout.trim().contains("-nixos-system-laptop-") && stdout.trim().ends_with(".drv"), "{stdout}");
        assert!(stderr.contains("nixos-rebuild is not installed here"), "{stderr}");
    }
    // switch cannot do without it
    let out = env.glix(&["switch", "--no-plugin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nixos-rebuild is not on PATH"));
}

fn doctor(env: &Env) -> (i32, Vec<String>) {
    let out = env.glix(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let failing = v["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "error").map(|c| c["name"].as_str().unwrap().to_string()).collect();
    (out.status.code().unwrap(), failing)
}

#[test]
fn doctor_reports_exactly_the_broken_invariant_and_fix_repairs_what_it_can() {
    let env = Env::new();
    env.init();
    // a host that boots (doctor's boot check evaluates NixOS's assertions)
    env.make_bootable(&["alice"]);
    env.ok(&["add", &env.path("pkg-web")]);
    assert_eq!(doctor(&env), (0, vec![]));
    // --fix on a healthy repo: says so, changes nothing
    let n = env.commits();
    let out = env.glix(&["doctor", "--fix"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to fix: every check passes"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok   regions"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(env.commits(), n);

    // a hand-edited region
    let flake = env.repo.join("flake.nix");
    let good = std::fs::read_to_string(&flake).unwrap();
    std::fs::write(&flake, good.replace("laptop = mkHost \"laptop\" \"x86_64-linux\";", "laptop = mkHost \"laptop\" \"aarch64-linux\";")).unwrap();
    env.commit_all("hand edit");
    assert_eq!(doctor(&env), (1, vec!["regions".to_string()]));
    let n = env.commits();
    env.ok(&["doctor", "--fix"]);
    assert_eq!(env.commits(), n + 1);
    assert_eq!(doctor(&env), (0, vec![]));

    // an input only in the manifest
    let m = env.repo.join("hosts/laptop/glix.toml");
    let mut text = std::fs::read_to_string(&m).unwrap();
    text.push_str(&format!("\n[packages.db]\nflake = \"{}\"\ninput = \"pkg-db\"\n", env.path("pkg-db")));
    std::fs::write(&m, text).unwrap();
    env.commit_all("by hand");
    assert_eq!(doctor(&env), (1, vec!["regions".to_string(), "inputs".to_string(), "lock".to_string()]));
    env.ok(&["doctor", "--fix"]);
    assert_eq!(doctor(&env), (0, vec![]));
    assert!(std::fs::read_to_string(&flake).unwrap().contains("pkg-db.url"));

    // a corrupted lock
    std::fs::write(env.repo.join("flake.lock"), "{ this is not json").unwrap();
    env.commit_all("oops");
    assert_eq!(doctor(&env), (1, vec!["lock".to_string()]));
    env.ok(&["doctor", "--fix"]);
    assert_eq!(doctor(&env), (0, vec![]));

    // a journal left behind by a killed glix
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut j = glix::txn::Journal::new("glix add laptop: x (github:o/x)", Some(head), Some(env.git(&["symbolic-ref", "HEAD"]).trim().to_string()));
    let before = glix::txn::Before::Text(std::fs::read_to_string(&m).unwrap());
    j.files.insert("hosts/laptop/glix.toml".into(), glix::txn::Entry { before, after: glix::txn::After::Unknown });
    j.save(&glix::repo::Repo::open(&env.repo).unwrap()).unwrap();
    assert_eq!(doctor(&env), (1, vec!["journal".to_string()]));
    // the report --fix prints is of the repo after the roll-back
    let out = env.ok(&["doctor", "--fix"]);
    assert!(out.contains("ok   journal") && !out.contains("FAIL"), "{out}");
    assert_eq!(doctor(&env), (0, vec![]));

    // a deleted marker: reported, and --fix says it cannot
    let now = std::fs::read_to_string(&flake).unwrap();
    std::fs::write(&flake, now.replace("    # <<< glix-managed inputs <<<\n", "")).unwrap();
    env.commit_all("lost a marker");
    assert_eq!(doctor(&env), (1, vec!["markers".to_string()]));
    let out = env.glix(&["doctor", "--fix"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL markers") && stdout.contains("need you"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not regenerate"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn migrate_upgrades_an_old_manifest_in_one_commit_keeping_comments() {
    let env = Env::new();
    env.init();
    env.make_bootable(&["alice"]);
    let m = env.repo.join("hosts/laptop/glix.toml");
    std::fs::write(
        &m,
        format!(
            "# my laptop, from the glix prototype\nschema = 0 # old\n\n[host]\ndefault-user = \"alice\"\n\n# the web thing\n[packages.web]\nurl = \"{}\" # pinned\nscope = \"system\"\n",
            env.path("pkg-web")
        ),
    )
    .unwrap();
    env.commit_all("old manifest");
    let (code, failing) = doctor(&env);
    assert_eq!((code, failing.contains(&"manifests".to_string())), (1, true));
    // editing commands ask for the migration
    let out = env.glix(&["disable", "web"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `glix migrate`"));

    let n = env.commits();
    let out = env.ok(&["migrate"]);
    assert!(out.contains("glix migrate: laptop (schema 0 → 1)"), "{out}");
    assert_eq!(env.commits(), n + 1);
    let text = std::fs::read_to_string(&m).unwrap();
    assert!(text.starts_with("# my laptop, from the glix prototype\nschema = 1 # old\n"), "{text}");
    assert!(text.contains(&format!("# the web thing\n[packages.web]\nflake = \"{}\" # pinned\ninput = \"pkg-web\"\n", env.path("pkg-web"))), "{text}");
    assert_eq!(doctor(&env), (0, vec![]));

    let out = env.glix(&["migrate"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to migrate"));
    assert_eq!(env.commits(), n + 1);
}
