//! `glix switch | boot | test` on this machine (issue 17): build the host's toplevel
//! with the real Nix, show the closure difference against the running system, ask,
//! activate through nixos-rebuild, record what was activated; `glix diff [OP]`; the
//! generation's configurationRevision; `--switch` on a change; and the faults (a host
//! that does not build, Ctrl-C, a "no", nothing to change).
//!
//! The systems are real: the nixpkgs stand-in's `system.build.toplevel` builds without
//! network. The "running system" is a toplevel built before the change, named by
//! GLIX_CURRENT_SYSTEM. nixos-rebuild cannot run here (no NixOS): a stand-in first on
//! PATH records its argument vector and, for switch and boot, adds the built system
//! to the profile at GLIX_SYSTEM_PROFILE with `nix-env --set`, as the real one does.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::glix_env::Env;
use common::standins::{write, write_script};
use common::{nix, nix_eval_json};
use serde_json::Value;

struct Machine {
    env: Env,
    bin: PathBuf,
    record: PathBuf,
    profile: PathBuf,
}

impl Machine {
    /// A repo whose host builds, and a stand-in nixos-rebuild.
    fn new() -> Machine {
        let env = Env::new();
        env.init();
        env.make_bootable(&["alice"]);
        let bin = env.root.join("rebuild-bin");
        let record = env.root.join("rebuild-argv.txt");
        let profile = env.root.join("profiles/system");
        std::fs::create_dir_all(profile.parent().unwrap()).unwrap();
        write_script(
            &bin.join("nixos-rebuild"),
            r#"#!/bin/sh
for a in "$@"; do printf '%s\n' "$a" >> "$GLIX_TEST_RECORD"; done
printf '\n' >> "$GLIX_TEST_RECORD"
flake=""; prev=""
for a in "$@"; do [ "$prev" = "--flake" ] && flake="$a"; prev="$a"; done
echo "stand-in nixos-rebuild: $1 ${flake##*#}" >&2
code="${GLIX_TEST_EXIT:-0}"
[ "$code" = 0 ] || exit "$code"
case "$1" in switch|boot)
  out=$(nix build --no-link --print-out-paths "${flake%%#*}#nixosConfigurations.${flake##*#}.config.system.build.toplevel") || exit 1
  nix-env -p "$GLIX_SYSTEM_PROFILE" --set "$out" || exit 1;;
esac
"#,
        );
        Machine { env, bin, record, profile }
    }

    fn envs(&self, running: &Path) -> Vec<(&'static str, String)> {
        vec![
            ("PATH", self.bin.display().to_string()),
            ("GLIX_TEST_RECORD", self.record.display().to_string()),
            ("GLIX_SYSTEM_PROFILE", self.profile.display().to_string()),
            ("GLIX_CURRENT_SYSTEM", running.display().to_string()),
        ]
    }

    fn glix(&self, args: &[&str], running: &Path) -> Output {
        self.env.glix_with(args, &self.envs(running))
    }

    /// What nixos-rebuild was called with, one argument vector per call.
    fn calls(&self) -> Vec<Vec<String>> {
        common::standins::recorded_calls(&self.record)
    }

    fn flake(&self) -> String {
        format!("{}#laptop", self.env.repo.canonicalize().unwrap().display())
    }

    /// The host's toplevel as the repo says now, built with the real nix.
    fn build(&self) -> PathBuf {
        let out = nix()
            .args(["build", "--no-link", "--print-out-paths", "--no-write-lock-file"])
            .arg(format!("git+file://{}#nixosConfigurations.laptop.config.system.build.toplevel", self.env.repo.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "nix build: {}", String::from_utf8_lossy(&out.stderr));
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    }

    fn head(&self) -> String {
        self.env.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Add a package to the host by hand (hosts/laptop/default.nix), committed.
    fn hand_package(&self, nix_expr: &str) {
        let path = self.env.repo.join("hosts/laptop/machine.nix");
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replacen("{ ... }:\n{\n", &format!("{{ pkgs, ... }}:\n{{\n  environment.systemPackages = [ ({nix_expr}) ];\n"), 1);
        write(&path, &text);
        self.env.commit_all("laptop: a package of my own");
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn switch_yes_shows_the_added_package_activates_once_and_records_the_generation() {
    let m = Machine::new();
    let running = m.build();
    m.env.ok(&["add", "nixpkgs#hello"]);
    let head = m.head();

    let out = m.glix(&["switch", "--yes", "--no-plugin"], &running);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("added:\n  hello  2.12.1"), "the added package with its version:\n{stdout}");
    assert!(stdout.contains("size: "), "{stdout}");
    assert!(stderr.contains("stand-in nixos-rebuild: switch laptop"), "nixos-rebuild's output streams through: {stderr}");
    // Off a terminal, the build's progress is a plain line per derivation started.
    assert!(stderr.lines().any(|l| l.starts_with("building nixos-system-") && l.ends_with(" derivations done)")), "{stderr}");
    assert_eq!(m.calls(), vec![vec!["switch".to_string(), "--flake".into(), m.flake()]], "activated once, with exactly this argv");
    assert!(stderr.contains("activated (generation 1)"), "{stderr}");

    // The generation carries the commit it was built from: the repo's HEAD.
    let built = std::fs::canonicalize(&m.profile).unwrap();
    assert_eq!(std::fs::read_to_string(built.join("configuration-revision")).unwrap(), head);
    let rev = nix_eval_json(
        &format!("(builtins.getFlake \"git+file://{}\").nixosConfigurations.laptop.config.system.configurationRevision", m.env.repo.display()),
        false,
    );
    assert_eq!(text(&rev.stdout).trim(), format!("\"{head}\""), "{}", text(&rev.stderr));

    // glix log shows what was activated, without a commit on the branch.
    assert_eq!(m.env.git(&["rev-parse", "HEAD"]).trim(), head, "no commit added");
    assert_eq!(m.env.git(&["status", "--porcelain"]), "");
    let log = m.env.ok(&["log"]);
    let first = log.lines().nth(1).unwrap_or_default();
    assert!(
        first.contains(&head[..12]) && first.contains("switch") && first.contains(&format!("laptop: switched to op {}, generation 1", &head[..12])),
        "{log}"
    );
    assert!(m.env.ok(&["log", "--host", "laptop"]).contains("generation 1"));
    let json: Value = serde_json::from_str(&m.env.ok(&["log", "--json"])).unwrap();
    assert_eq!((json[0]["operation"].as_str(), json[0]["generation"].as_u64(), json[0]["commit"].as_str()), (Some("switch"), Some(1), Some(head.as_str())));
    assert_eq!(json[1]["operation"], "add");
    // Another host's records are not laptop's.
    m.env.ok(&["host", "add", "desk"]);
    assert!(!m.env.ok(&["log", "--host", "desk"]).contains("switched"));

    // glix diff --json: the same change, nothing activated.
    let out = m.glix(&["diff", "--json", "--no-plugin", "--host", "laptop"], &running);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["added"][0]["name"], "hello");
    assert_eq!(d["added"][0]["after"], serde_json::json!(["2.12.1"]));
    assert_eq!(d["before"].as_str(), Some(running.to_str().unwrap()));
    assert!(d["sizeAfter"].as_u64() > d["sizeBefore"].as_u64(), "{d}");
    assert_eq!(m.calls().len(), 1, "glix diff activates nothing");
}

#[test]
fn diff_against_an_operation_builds_the_host_from_that_commit() {
    let m = Machine::new();
    m.env.ok(&["add", "nixpkgs#hello"]);
    let op = m.head();
    m.env.ok(&["add", "nixpkgs#jq"]);
    m.env.ok(&["remove", "hello"]);
    let out = m.glix(&["diff", &op[..10], "--json", "--no-plugin"], Path::new("/nonexistent"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["operation"].as_str(), Some(op.as_str()));
    let names = |k: &str| d[k].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(names("added").iter().any(|n| n == "jq"), "{d}");
    assert_eq!(names("removed"), vec!["hello"], "{d}");
    // The human form says the same.
    let out = m.glix(&["diff", &op[..10], "--no-plugin"], Path::new("/nonexistent"));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("laptop: after op {}", &op[..12])) && stdout.contains("removed:\n  hello  2.12.1"), "{stdout}");
    // Without an operation and without a running system: said, with what to do.
    let out = m.glix(&["diff", "--no-plugin"], Path::new("/nonexistent"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no running system at /nonexistent") && stderr.contains("hint: give an operation"), "{stderr}");
    let out = m.glix(&["diff", "--json", "--no-plugin"], Path::new("/nonexistent"));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["kind"], "no-running-system");
}

#[test]
fn nothing_to_change_says_so_and_activates_nothing() {
    let m = Machine::new();
    let running = m.build();
    let out = m.glix(&["switch", "--yes", "--no-plugin"], &running);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(text(&out.stdout).contains("no difference: it is the same system"), "{}", text(&out.stdout));
    assert!(stderr.contains("laptop already runs this system; nothing to activate"), "{stderr}");
    assert!(m.calls().is_empty(), "nixos-rebuild was not run");
    assert!(!m.env.ok(&["log"]).contains("switched"), "nothing recorded");
    let out = m.glix(&["switch", "--yes", "--no-plugin", "--json"], &running);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["activated"].as_bool(), v["diff"]["before"].as_str(), v["system"].as_str()), (Some(false), running.to_str(), running.to_str()), "{v}");
    assert!(m.calls().is_empty());
}

#[test]
fn a_no_activates_nothing_and_exits_1_on_a_terminal_and_with_ask() {
    let m = Machine::new();
    let running = m.build();
    m.env.ok(&["add", "nixpkgs#hello"]);

    // --ask off a terminal reads the answer from stdin.
    for (answer, code, calls) in [("n\n", 1, 0), ("", 1, 0), ("yes\n", 0, 1)] {
        let mut c = m.env.glix_command(&["switch", "--ask", "--no-plugin"], &m.envs(&running));
        let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(answer.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "answer {answer:?}: {stderr}");
        assert!(stderr.contains("Switch to the new system of laptop on this machine? [y/N]"), "{stderr}");
        assert_eq!(m.calls().len(), calls, "answer {answer:?}");
        if code == 1 {
            assert!(stderr.contains("error: not activated") && stderr.contains("hint: nothing was activated"), "{stderr}");
        }
    }

    // On a terminal it asks without --ask: a pseudo-terminal (script(1)) answers no.
    let c = m.env.glix_command(&["switch", "--no-plugin"], &m.envs(&running));
    let line = std::iter::once(c.get_program()).chain(c.get_args()).map(|a| format!("'{}'", a.to_string_lossy())).collect::<Vec<_>>().join(" ");
    let mut s = Command::new("script");
    s.args(["-qec", &line, "/dev/null"]);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => s.env(k, v),
            None => s.env_remove(k),
        };
    }
    let mut child = s.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The answer waits in the terminal's input until glix reads it after the prompt
    // (nix builds with its stdin closed); stdin stays open until glix has ended.
    let mut stdin = child.stdin.take().unwrap();
    {
        use std::io::Write;
        stdin.write_all(b"n\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let all = text(&out.stdout);
    assert!(all.contains("added:") && all.contains("hello"), "the difference is shown on the terminal:\n{all}");
    assert!(all.contains("[y/N]"), "it asks on a terminal:\n{all}");
    assert!(all.contains("error: not activated"), "{all}");
    assert_eq!(m.calls().len(), 1, "the no activated nothing (the one call is the earlier yes)");
}

#[test]
fn a_host_that_does_not_build_shows_nix_error_and_the_log_tail_and_activates_nothing() {
    let m = Machine::new();
    let running = m.build();
    m.hand_package(
        r#"pkgs.stdenv.mkDerivation { pname = "broken"; version = "1.0"; buildCommand = "echo compiling broken; echo 'it broke here' >&2; exit 2"; }"#,
    );
    let out = m.glix(&["switch", "--yes", "--no-plugin"], &running);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("-broken-1.0.drv' failed with exit code 2"), "Nix's error names the failing derivation:\n{stderr}");
    assert!(stderr.contains("> compiling broken") && stderr.contains("> it broke here"), "the tail of its log:\n{stderr}");
    assert!(m.calls().is_empty(), "nothing activated");
    assert!(stderr.trim_end().ends_with("nothing was activated"), "{stderr}");
    let out = m.glix(&["switch", "--yes", "--no-plugin", "--json"], &running);
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["kind"], "build-failed");
}

#[test]
fn ctrl_c_during_the_build_stops_it_and_activates_nothing() {
    let m = Machine::new();
    let running = m.build();
    let marker = m.env.root.join("build-started");
    m.hand_package(&format!(
        r#"pkgs.stdenv.mkDerivation {{ pname = "slow"; version = "1.0"; buildCommand = "touch {}; sleep 120; mkdir $out"; }}"#,
        marker.display()
    ));
    let mut child = m.env.glix_command(&["switch", "--yes", "--no-plugin"], &m.envs(&running)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the build never started");
        assert!(child.try_wait().unwrap().is_none(), "glix ended before the build started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = Instant::now();
    // Ctrl-C: the terminal sends SIGINT to glix (nix runs in a process group of its own).
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(start.elapsed() < Duration::from_secs(60), "glix stopped the build promptly");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted") && stderr.contains("nothing was activated"), "{stderr}");
    assert!(m.calls().is_empty(), "nothing activated");
}

#[test]
fn a_change_with_switch_commits_then_switches_and_a_failed_switch_keeps_the_commit() {
    let m = Machine::new();
    let running = m.build();
    let commits = m.env.commits();
    let out = m.glix(&["add", "nixpkgs#hello", "--switch", "--yes"], &running);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("glix add laptop: hello") && stdout.contains("added:\n  hello  2.12.1"), "{stdout}");
    assert_eq!(m.env.commits(), commits + 1);
    let calls = m.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0][..3], ["switch".to_string(), "--flake".into(), m.flake()]);

    // The switch fails: the commit stays, and glix says how to go back.
    let now = m.build();
    let out = m.env.glix_with(&["add", "nixpkgs#jq", "--switch"], &[m.envs(&now), vec![("GLIX_TEST_EXIT", "4".into())]].concat());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "nixos-rebuild's status: {stderr}");
    assert_eq!(m.env.commits(), commits + 2, "the commit stays");
    assert!(stderr.contains("the change stays committed") && stderr.contains("`glix undo --switch`"), "{stderr}");

    // Going back: undo, then switch to the system without jq.
    let out = m.env.glix_with(&["undo", "--switch", "--yes"], &m.envs(&now));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!m.env.read("hosts/laptop/glix.toml").contains("jq"));
    assert_eq!(m.calls().len(), 3, "switched to the undone state: {}", text(&out.stderr));

    // glix config set has it too (on its subcommand): the module's config changes, so
    // the system does.
    m.env.ok(&["add", &m.env.path("pkg-web"), "--config", "port=1"]);
    let out = m.env.glix_with(&["config", "set", "pkg-web", "port=2", "--switch", "--yes"], &m.envs(&now));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls().len(), 4, "config set --switch switched: {}", text(&out.stderr));
}

#[test]
fn a_dirty_tree_is_said_and_recorded_as_such() {
    let m = Machine::new();
    let running = m.build();
    let path = m.env.repo.join("hosts/laptop/machine.nix");
    let text_before = std::fs::read_to_string(&path).unwrap();
    write(&path, &text_before.replace("{ ... }:\n{\n", "{ pkgs, ... }:\n{\n  environment.systemPackages = [ pkgs.hello ];\n"));
    let out = m.glix(&["switch", "--yes", "--no-plugin"], &running);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("uncommitted changes"), "{stderr}");
    assert!(stderr.contains("evaluation warning: glixos: this system is built from a work tree with uncommitted changes"), "the module warns too: {stderr}");
    let head = m.head();
    let built = std::fs::canonicalize(&m.profile).unwrap();
    assert_eq!(std::fs::read_to_string(built.join("configuration-revision")).unwrap(), format!("{head}-dirty"));
    assert!(m.env.ok(&["log"]).contains(&format!("switched to op {} plus uncommitted changes", &head[..12])));
}

/// `sudo glix switch`: sudo resets HOME and GLIX_REPO. Run from inside the repo, glix
/// finds it there; from elsewhere it says exactly how to name it. The switch record it
/// writes as root into a user's repo is left to that user, so their git keeps working.
#[test]
fn switch_under_sudo_finds_the_repo_and_leaves_the_record_to_the_repo_owner() {
    use std::os::unix::fs::MetadataExt;
    let m = Machine::new();
    let running = m.build();
    m.env.ok(&["add", "nixpkgs#hello"]);
    // The repo belongs to a user (nobody's uid stands in for them); glix runs as root
    // for them, as sudo starts it.
    let (uid, gid) = (65534u32, 65534u32);
    assert!(Command::new("chown").args(["-R", &format!("{uid}:{gid}"), m.env.repo.to_str().unwrap()]).status().unwrap().success());
    let sudo = |c: &mut Command| {
        c.env_remove("GLIX_REPO").env("HOME", "/root").env("SUDO_USER", "nobody").env("SUDO_UID", uid.to_string()).env("SUDO_GID", gid.to_string());
    };
    let mut c = m.env.glix_command(&["switch", "--yes", "--no-plugin"], &m.envs(&running));
    sudo(&mut c);
    let out = c.current_dir(m.env.repo.join("hosts")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls().len(), 1);
    let git = m.env.repo.join(".git");
    let tip = m.env.git(&["-c", &format!("safe.directory={}", m.env.repo.display()), "rev-parse", "refs/glix/switches"]).trim().to_string();
    for p in [git.join("refs/glix"), git.join("refs/glix/switches"), git.join("objects").join(&tip[..2]).join(&tip[2..])] {
        assert_eq!(std::fs::metadata(&p).unwrap().uid(), uid, "{} is the repo owner's", p.display());
    }
    // From outside any repo, with no repo in the user's home: what to type.
    let mut c = m.env.glix_command(&["switch", "--yes", "--no-plugin"], &m.envs(&running));
    sudo(&mut c);
    let out = c.current_dir(&m.env.root).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sudo glix --repo /path/to/repo") && stderr.contains("--preserve-env=GLIX_REPO"), "{stderr}");
    assert_eq!(m.calls().len(), 1, "nothing activated");
}

/// A host whose manifest names a `target-host` lives elsewhere: `glix switch` hands it
/// to nixos-rebuild for that target as before, and builds nothing here.
#[test]
fn a_host_with_a_target_host_in_its_manifest_is_deployed_there_not_here() {
    let m = Machine::new();
    let manifest = m.env.repo.join("hosts/laptop/glix.toml");
    let body = std::fs::read_to_string(&manifest).unwrap().replace("[host]\n", "[host]\ntarget-host = \"root@laptop.lan\"\n");
    write(&manifest, &body);
    m.env.commit_all("laptop lives elsewhere");
    let out = m.glix(&["switch", "--no-plugin"], Path::new("/nonexistent"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls(), vec![vec!["switch".to_string(), "--flake".into(), m.flake(), "--target-host".into(), "root@laptop.lan".into()]]);
    assert!(!text(&out.stderr).contains("building nixos-system"), "nothing built here: {}", text(&out.stderr));
    // and with --switch after a change
    let out = m.glix(&["add", "nixpkgs#hello", "--switch"], Path::new("/nonexistent"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls().len(), 2);
    assert_eq!(m.calls()[1][3..5], ["--target-host".to_string(), "root@laptop.lan".into()]);
}

/// `glix boot` makes a generation without switching to it; `glix test` activates
/// without one. Both are recorded as what they are.
#[test]
fn boot_and_test_activate_with_their_verb_and_are_recorded_as_such() {
    let m = Machine::new();
    let running = m.build();
    m.env.ok(&["add", "nixpkgs#hello"]);
    let head = m.head();
    let out = m.glix(&["test", "--yes", "--no-plugin"], &running);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("added:\n  hello  2.12.1"), "{}", text(&out.stdout));
    let out = m.glix(&["boot", "--yes", "--no-plugin"], &running);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls(), vec![vec!["test".to_string(), "--flake".into(), m.flake()], vec!["boot".to_string(), "--flake".into(), m.flake()]]);
    let log = m.env.ok(&["log"]);
    let op = &head[..12];
    assert!(log.contains(&format!("laptop: made op {op} the boot default, generation 1")), "{log}");
    assert!(log.contains(&format!("laptop: activated op {op} until reboot")) && !log.contains("until reboot, generation"), "test makes no generation: {log}");
}

/// A `target-host` that names this machine (its hostname, with a user) is this machine:
/// the switch is local, with the build and the difference first (#16).
#[test]
fn a_target_host_that_is_this_machine_is_switched_locally() {
    let m = Machine::new();
    let me = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let manifest = m.env.repo.join("hosts/laptop/glix.toml");
    let body = std::fs::read_to_string(&manifest).unwrap().replace("[host]\n", &format!("[host]\ntarget-host = \"root@{me}\"\n"));
    write(&manifest, &body);
    m.env.commit_all("laptop is this machine");
    let running = m.build();
    m.env.ok(&["add", "nixpkgs#hello"]);
    let out = m.glix(&["switch", "--yes", "--no-plugin"], &running);
    assert!(text(&out.stdout).contains("hello") || text(&out.stderr).contains("hello"), "the difference is shown: {}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(m.calls(), vec![vec!["switch".to_string(), "--flake".into(), m.flake()]], "no --target-host");
}
