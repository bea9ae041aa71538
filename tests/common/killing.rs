//! Stopping a running glix at a failpoint: spawn it with `FAILPOINTS` set to sleep at a
//! step, wait until the repository shows it got there, then kill it.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

use super::glix_env::Env;
use super::toolchain;

/// `glix ARGS` in `env`'s repository with `FAILPOINTS` set, not yet started.
pub fn glix_at(env: &Env, args: &[&str], failpoints: &str) -> Command {
    let tc = toolchain();
    let mut c = Command::cargo_bin("glix").unwrap();
    c.args(args)
        .env("FAILPOINTS", failpoints)
        .env("GLIX_REPO", &env.repo)
        .env("HOME", env.root.join("home"))
        .env("XDG_CACHE_HOME", env.root.join("home/.cache"))
        .env("PATH", format!("{}:{}", tc.join("bin").display(), std::env::var("PATH").unwrap_or_default()))
        .env("NIX_CONF_DIR", tc.join("etc/nix"))
        .env("NIX_CONFIG", super::NIX_CONFIG)
        .env("GIT_AUTHOR_NAME", "tester")
        .env("GIT_AUTHOR_EMAIL", "tester@localhost");
    c
}

/// Wait until `cond` holds while `child` still runs (it is then at, or a few
/// instructions before, the sleeping failpoint).
pub fn wait_for(child: &mut Child, what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(child.try_wait().unwrap().is_none(), "{what}: glix ended before reaching the step");
        assert!(start.elapsed() < Duration::from_secs(60), "{what}: glix did not reach the step in time");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
}

/// Send `signal` (`-9`, `-TERM`, …) to `child` and reap it.
pub fn signal(child: &mut Child, signal: &str) -> std::process::ExitStatus {
    let st = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    child.wait().unwrap()
}

pub fn kill9(child: &mut Child) {
    signal(child, "-9");
}
