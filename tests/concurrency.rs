//! Eight `glix add` of different packages started at once on one repository: eight
//! commits, eight packages, regions and lock consistent — while readers running
//! `glix list --json` the whole time never see a half-written manifest.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use assert_cmd::cargo::CommandCargoExt;
use common::glix_env::Env;
use common::standins::write;
use common::toolchain;

const WRITERS: usize = 8;

#[test]
fn eight_concurrent_adds_all_land_and_readers_never_see_half_a_change() {
    let env = Env::new();
    env.init();
    for i in 0..WRITERS {
        write(&env.root.join(format!("c{i}/flake.nix")), &format!("{{ outputs = _: {{ nixosModules.default = {{ ... }}: {{ config.n{i} = true; }}; }}; }}"));
    }
    let tc = toolchain();
    let path = format!("{}:{}", tc.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let cmd = |args: &[String]| {
        let mut c = Command::cargo_bin("glix").unwrap();
        c.args(args)
            .env("GLIX_REPO", &env.repo)
            .env("HOME", env.root.join("home"))
            .env("PATH", &path)
            .env("NIX_CONFIG", common::NIX_CONFIG)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };

    // Readers: list in a loop until the writers are done; every read must parse.
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let done = done.clone();
            let mut c = cmd(&["list".into(), "--json".into()]);
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::SeqCst) {
                    let out = c.output().unwrap();
                    assert!(out.status.success(), "a reader failed: {}", String::from_utf8_lossy(&out.stderr));
                    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a reader saw something that is not a manifest listing");
                    assert!(v.as_array().unwrap().len() <= WRITERS);
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    let writers: Vec<_> = (0..WRITERS).map(|i| cmd(&["add".into(), env.path(&format!("c{i}")), "--name".into(), format!("c{i}")]).spawn().unwrap()).collect();
    for (i, w) in writers.into_iter().enumerate() {
        let out = w.wait_with_output().unwrap();
        assert!(out.status.success(), "writer {i}: {}", String::from_utf8_lossy(&out.stderr));
    }
    done.store(true, Ordering::SeqCst);
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(reads >= 2, "the readers ran ({reads} reads)");

    assert_eq!(env.commits(), 1 + WRITERS);
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), WRITERS);
    env.check_regions();
    let lock: serde_json::Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    for i in 0..WRITERS {
        assert!(lock["nodes"]["root"]["inputs"].get(format!("c{i}")).is_some(), "c{i} is locked");
    }
    let log = env.git(&["log", "--format=%s"]);
    assert_eq!(log.lines().filter(|l| l.starts_with("glix add laptop: c")).count(), WRITERS);
}
