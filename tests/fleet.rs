//! `glix host set`, `glix fleet enable|disable` and `glix switch --all` handing off to
//! the enabled engine, end to end: the real glix binary, real git, the real Nix (for
//! `nix flake lock` and evaluating the flake) against local stand-in flakes — among
//! them stand-ins for colmena's and deploy-rs's flakes (tests/standins/flakes/; there
//! is no network) — and, for the hand-off, stand-in `colmena`/`deploy` scripts on PATH
//! that record their argument vectors (no colmena or deploy-rs binaries here).

mod common;

use common::glix_env::Env;
use common::standins::{recorded_calls, write_script};
use common::*;
use serde_json::{json, Value};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A repo with `laptop` (local), `web1` (tagged web) and `db1` (tagged db).
fn fleet() -> Env {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "web1", "--target-host", "root@web1.lan", "--tag", "web"]);
    env.ok(&["host", "add", "db1", "--target-host", "admin@db1.lan:2222", "--tag", "db", "--build-on-target"]);
    env
}

fn colmena_url(env: &Env) -> String {
    env.path("colmena")
}

const COLMENA_LINES: &str =
    "      colmena = glixos-core.lib.colmena { inherit self nixpkgs; };\n      colmenaHive = inputs.colmena.lib.makeHive self.colmena;\n";

#[test]
fn host_add_writes_the_fields_and_host_set_changes_them_in_place_keeping_comments() {
    let env = fleet();
    assert_eq!(
        env.read("hosts/db1/glix.toml").split("[host]\n").nth(1).unwrap(),
        "system = \"x86_64-linux\"\ntarget-host = \"admin@db1.lan:2222\"\ntags = [\"db\"]\nbuild-on-target = true\n"
    );
    // a comment of the user's survives a change of its line
    let m = env.read("hosts/web1/glix.toml").replace("target-host = \"root@web1.lan\"\n", "target-host = \"root@web1.lan\" # the rack by the door\n");
    std::fs::write(env.repo.join("hosts/web1/glix.toml"), m).unwrap();
    env.commit_all("a comment");
    let before = env.commits();
    env.ok(&["host", "set", "web1", "target-host=deploy@web1.example.org:2200", "tags=web, eu", "build-on-target=true"]);
    env.check(before);
    let text = env.read("hosts/web1/glix.toml");
    assert!(
        text.contains("target-host = \"deploy@web1.example.org:2200\" # the rack by the door\ntags = [\"web\", \"eu\"]\nbuild-on-target = true\n"),
        "{text}"
    );
    assert_eq!(env.git(&["log", "-1", "--format=%s"]).trim(), "glix host set web1: target-host, tags, build-on-target");
    // unset with KEY=
    env.ok(&["host", "set", "web1", "tags=", "build-on-target="]);
    let text = env.read("hosts/web1/glix.toml");
    assert!(!text.contains("tags") && !text.contains("build-on-target"), "{text}");
    // the same again changes nothing and says so
    let before = env.commits();
    let out = env.glix(&["host", "set", "web1", "tags="]);
    assert!(out.status.success() && stderr(&out).contains("already says that"), "{}", stderr(&out));
    assert_eq!(env.commits(), before);
    // `host list` shows them
    let list = json_of(&env.glix(&["--json", "host", "list"]));
    assert_eq!(list[0]["host"], "db1");
    assert_eq!((&list[0]["targetHost"], &list[0]["tags"], &list[0]["buildOnTarget"]), (&json!("admin@db1.lan:2222"), &json!(["db"]), &json!(true)));
}

#[test]
fn host_set_refuses_unknown_keys_and_bad_values_and_changes_nothing() {
    let env = fleet();
    let before = env.snapshot();
    let commits = env.commits();
    for (arg, kind, says) in [
        ("target-hots=x", "unknown-host-key", "did you mean target-host?"),
        ("user=alice", "unknown-host-key", "glix host set knows target-host, tags, build-on-target"),
        ("target-host=-oProxyCommand=x", "invalid-host-value", "an empty value unsets it"),
        ("tags=web,no way", "invalid-host-value", "an empty value unsets it"),
        ("build-on-target=yes", "invalid-host-value", "an empty value unsets it"),
    ] {
        let out = env.glix(&["host", "set", "web1", arg]);
        assert_eq!(out.status.code(), Some(1), "{arg}");
        let err = stderr(&out);
        assert!(err.contains(&format!("hint: {says}")), "{arg}: {err}");
        assert!(err.contains("nothing was changed"), "{arg}: {err}");
        let j = json_of(&env.glix(&["--json", "host", "set", "web1", arg]));
        assert_eq!(j["kind"], kind, "{arg}");
    }
    for bad in [&["--tag", "bad tag"][..], &["--target-host", "a b"]] {
        let mut args = vec!["--json", "host", "add", "web2"];
        args.extend_from_slice(bad);
        let out = env.glix(&args);
        assert_eq!((out.status.code(), &json_of(&out)["kind"]), (Some(1), &json!("invalid-host-value")), "{bad:?}");
        assert!(!env.repo.join("hosts/web2").exists());
    }
    assert_eq!(env.snapshot(), before);
    assert_eq!(env.commits(), commits);
}

#[test]
fn fleet_enable_colmena_writes_its_input_and_region_in_one_commit_and_later_hosts_join_the_hive() {
    let env = fleet();
    let before = env.commits();
    let url = colmena_url(&env);
    // a dry run shows the diff and changes nothing; a bad --url is refused
    let snapshot = env.snapshot();
    let diff = env.ok(&["--dry-run", "fleet", "enable", "colmena", "--url", &url]);
    assert!(
        diff.contains(&format!("+    colmena.url = \"{url}\";")) && diff.contains("+      colmenaHive = inputs.colmena.lib.makeHive self.colmena;"),
        "{diff}"
    );
    for bad in ["colmena", "not a ref"] {
        let out = env.glix(&["--json", "fleet", "enable", "colmena", "--url", bad]);
        assert_eq!((out.status.code(), &json_of(&out)["kind"]), (Some(1), &json!("invalid-fleet-url")), "{bad}");
    }
    assert_eq!((env.snapshot(), env.commits()), (snapshot, before));
    env.ok(&["fleet", "enable", "colmena", "--url", &url]);
    env.check(before);
    let flake = env.read("flake.nix");
    assert!(flake.contains(&format!("    colmena.url = \"{url}\";\n")), "{flake}");
    assert!(flake.contains(&format!("      # >>> glix-managed fleet >>>\n{COLMENA_LINES}      # <<< glix-managed fleet <<<\n")), "{flake}");
    let lock: Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    assert!(lock["nodes"]["root"]["inputs"].get("colmena").is_some(), "colmena is locked");
    assert_eq!(env.ok(&["fleet", "status"]).trim(), format!("colmena ({url}): `glix switch --all` runs colmena"));

    // a host added later is in the hive with no further edit, and the engine stays
    env.ok(&["host", "add", "cache1", "--target-host", "cache1.lan", "--tag", "web"]);
    let flake = env.read("flake.nix");
    assert!(flake.contains(COLMENA_LINES) && flake.contains("colmena.url"), "{flake}");
    let expr = format!(
        r#"let f = builtins.getFlake "git+file://{repo}"; in {{
  hive = builtins.attrNames f.colmenaHive.hive;
  standIn = f.colmenaHive._standIn;
  cache1 = f.colmena.cache1.deployment;
}}"#,
        repo = env.repo.display()
    );
    let out = nix_eval_json(&expr, false);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hive"], json!(["cache1", "db1", "laptop", "meta", "web1"]));
    assert_eq!(v["standIn"], "colmena makeHive");
    assert_eq!(v["cache1"], json!({ "targetHost": "cache1.lan", "targetUser": null, "targetPort": null, "tags": ["web"], "buildOnTarget": false }));

    // the same again changes nothing; another engine is refused until this one is off
    let before = env.commits();
    let out = env.glix(&["fleet", "enable", "colmena", "--url", &url]);
    assert!(out.status.success() && stderr(&out).contains("already enabled"), "{}", stderr(&out));
    let out = env.glix(&["--json", "fleet", "enable", "deploy-rs", "--url", &env.path("deploy-rs")]);
    assert_eq!(json_of(&out)["kind"], "other-engine-enabled");
    assert_eq!(env.commits(), before);

    // disable: region empty, input gone (from flake.lock too)
    env.ok(&["fleet", "disable"]);
    env.check(before);
    let flake = env.read("flake.nix");
    assert!(!flake.contains("colmena.url") && !flake.contains(COLMENA_LINES), "{flake}");
    assert!(flake.contains("      # >>> glix-managed fleet >>>\n      # <<< glix-managed fleet <<<\n"), "{flake}");
    let lock: Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    assert!(lock["nodes"]["root"]["inputs"].get("colmena").is_none());
    assert!(env.glix(&["fleet", "disable"]).status.success());
    assert_eq!(env.commits(), before + 1);

    // deploy-rs now
    env.ok(&["fleet", "enable", "deploy-rs", "--url", &env.path("deploy-rs")]);
    let flake = env.read("flake.nix");
    assert!(flake.contains("      deploy = glixos-core.lib.deployRs { inherit self; inherit (inputs) deploy-rs; };\n"), "{flake}");
    let expr = format!(r#"builtins.attrNames (builtins.getFlake "git+file://{}").deploy.nodes"#, env.repo.display());
    let out = nix_eval_json(&expr, false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), json!(["cache1", "db1", "web1"]));

    // `glix undo` takes the engine back out, as any other change
    let before = env.commits();
    env.ok(&["undo"]);
    env.check(before);
    assert_eq!(env.ok(&["fleet", "status"]).trim(), "no engine: `glix switch --all` runs nixos-rebuild host after host");
    assert!(!env.read("flake.nix").contains("deploy-rs.url"));
}

#[test]
fn fleet_enable_on_a_flake_without_fleet_markers_says_where_they_go_and_changes_nothing() {
    let env = fleet();
    let flake = env.read("flake.nix");
    let old = flake.replace("      # >>> glix-managed fleet >>>\n", "").replace("      # <<< glix-managed fleet <<<\n", "");
    assert_ne!(old, flake);
    std::fs::write(env.repo.join("flake.nix"), &old).unwrap();
    env.commit_all("a flake.nix from before fleets");
    // everything else works as before
    env.ok(&["host", "set", "web1", "tags=web,eu"]);
    let before = env.snapshot();
    let commits = env.commits();
    let out = env.glix(&["fleet", "enable", "colmena", "--url", &colmena_url(&env)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("flake.nix has no glix-managed fleet region"), "{err}");
    assert!(
        err.contains("hint: add the two lines `# >>> glix-managed fleet >>>` and `# <<< glix-managed fleet <<<` to flake.nix at the top level of the attribute set `outputs` returns"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(json_of(&env.glix(&["--json", "fleet", "enable", "colmena"]))["kind"], "no-fleet-region");
    assert_eq!((env.snapshot(), env.commits()), (before, commits));
    // with the markers added by hand, it works
    std::fs::write(env.repo.join("flake.nix"), &flake).unwrap();
    env.commit_all("the fleet markers");
    env.ok(&["fleet", "enable", "colmena", "--url", &colmena_url(&env)]);
}

#[test]
fn doctor_checks_the_fleet_markers_and_region() {
    let env = fleet();
    env.ok(&["fleet", "enable", "colmena", "--url", &colmena_url(&env)]);
    // a duplicated marker is refused by every change and reported by doctor
    let flake = env.read("flake.nix");
    let dup = flake.replacen("      # <<< glix-managed fleet <<<\n", "      # <<< glix-managed fleet <<<\n      # <<< glix-managed fleet <<<\n", 1);
    std::fs::write(env.repo.join("flake.nix"), &dup).unwrap();
    env.commit_all("oops");
    let out = env.glix(&["host", "set", "web1", "tags=x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("flake.nix has the end marker `# <<< glix-managed fleet <<<` on lines"), "{}", stderr(&out));
    let out = env.glix(&["--json", "doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("glix-managed fleet"), "{}", String::from_utf8_lossy(&out.stdout));
    // a hand-edited region differs from what glix writes
    std::fs::write(env.repo.join("flake.nix"), flake.replace("colmenaHive = inputs.colmena.lib.makeHive self.colmena;", "colmenaHive = { };")).unwrap();
    env.commit_all("hand edit");
    let out = env.glix(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fleet"), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Stand-ins for the engines' and nixos-rebuild's programs (there are no colmena,
/// deploy-rs or nixos-rebuild binaries here): each records its working directory and
/// argument vector, one line each, a blank line after, and exits with
/// `GLIX_TEST_EXIT` (0 by default).
fn stand_in_programs(env: &Env) -> (String, std::path::PathBuf) {
    let bin = env.root.join("engine-bin");
    let record = env.root.join("argv.txt");
    for program in ["colmena", "deploy", "nixos-rebuild"] {
        write_script(
            &bin.join(program),
            &format!(
                "#!/bin/sh\n# stand-in {program}: records how it was run\n{{ echo \"{program} in $(pwd)\"; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; printf '\\n'; }} >> \"$GLIX_TEST_RECORD\"\nexit \"${{GLIX_TEST_EXIT:-0}}\"\n"
            ),
        );
    }
    (bin.display().to_string(), record)
}

fn switch(env: &Env, bin: &str, record: &std::path::Path, args: &[&str], exit: &str) -> std::process::Output {
    let _ = std::fs::remove_file(record);
    let mut all = vec!["switch", "--all", "--no-plugin"];
    all.extend_from_slice(args);
    env.glix_with(&all, &[("PATH", bin.to_string()), ("GLIX_TEST_RECORD", record.display().to_string()), ("GLIX_TEST_EXIT", exit.to_string())])
}

#[test]
fn switch_all_on_a_tag_hands_off_to_colmena_with_the_exact_argv() {
    let env = fleet();
    env.ok(&["fleet", "enable", "colmena", "--url", &colmena_url(&env)]);
    let (bin, record) = stand_in_programs(&env);
    let dir = env.repo.display().to_string();

    let out = switch(&env, &bin, &record, &["--on", "@web"], "0");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(recorded_calls(&record), vec![vec![format!("colmena in {dir}"), "apply".into(), "--on".into(), "@web".into()]]);
    // glix's per-host summary: the hosts the selection names
    assert!(stdout.contains("glix handed these hosts to colmena: colmena apply --on @web"), "{stdout}");
    assert!(stdout.contains("web1") && stdout.contains("root@web1.lan") && !stdout.contains("db1"), "{stdout}");

    // hosts and tags together, extra arguments last, the engine's exit code is glix's
    let out = switch(&env, &bin, &record, &["--on", "db1,@web", "--", "--parallel", "2"], "3");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        recorded_calls(&record),
        vec![vec![format!("colmena in {dir}"), "apply".into(), "--on".into(), "db1,@web".into(), "--parallel".into(), "2".into()]]
    );
    let j = json_of(&switch(&env, &bin, &record, &["--on", "db1", "--json"], "0"));
    assert_eq!(j["handedTo"], json!({ "engine": "colmena", "argv": ["colmena", "apply", "--on", "db1"], "exitCode": 0 }));
    assert_eq!(j["runs"].as_array().unwrap().iter().map(|r| r["host"].as_str().unwrap()).collect::<Vec<_>>(), ["db1"]);
    // the whole fleet
    assert!(switch(&env, &bin, &record, &[], "0").status.success());
    assert_eq!(recorded_calls(&record), vec![vec![format!("colmena in {dir}"), "apply".into()]]);

    // an unknown host or tag is refused with the known ones, and nothing runs
    let out = switch(&env, &bin, &record, &["--on", "@nope"], "0");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`--on @nope` names no host or tag"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint: known hosts and tags: db1, laptop, web1, @db, @web"), "{}", stderr(&out));
    assert!(recorded_calls(&record).is_empty());
    // no colmena on PATH: said so, with what to do
    let out = env.glix_with(&["--json", "switch", "--all", "--no-plugin"], &[("PATH", env.root.join("empty-bin").display().to_string())]);
    assert_eq!(json_of(&out)["kind"], "no-engine-program");
}

#[test]
fn switch_all_hands_off_to_deploy_rs_with_targets_resolved_from_tags() {
    let env = fleet();
    env.ok(&["fleet", "enable", "deploy-rs", "--url", &env.path("deploy-rs")]);
    let (bin, record) = stand_in_programs(&env);
    let dir = env.repo.display().to_string();
    assert!(switch(&env, &bin, &record, &[], "0").status.success());
    assert_eq!(recorded_calls(&record), vec![vec![format!("deploy in {dir}"), ".".into()]]);
    let out = switch(&env, &bin, &record, &["--on", "@db,web1"], "0");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(recorded_calls(&record), vec![vec![format!("deploy in {dir}"), "--targets".into(), ".#db1".into(), ".#web1".into()]]);
    // a host without a target-host is no deploy-rs node: skipped, with a note
    let out = switch(&env, &bin, &record, &["--on", "laptop,web1"], "0");
    assert!(stderr(&out).contains("no target-host, so no deploy-rs node: laptop"), "{}", stderr(&out));
    assert_eq!(recorded_calls(&record), vec![vec![format!("deploy in {dir}"), "--targets".into(), ".#web1".into()]]);
}

#[test]
fn without_an_engine_switch_all_runs_nixos_rebuild_host_after_host_and_honours_on() {
    let env = fleet();
    let (bin, record) = stand_in_programs(&env);
    let root = env.repo.canonicalize().unwrap().display().to_string();
    let cwd = std::env::current_dir().unwrap().display().to_string();
    let rebuild = |host: &str, target: &str| {
        vec![format!("nixos-rebuild in {cwd}"), "switch".into(), "--flake".into(), format!("{root}#{host}"), "--target-host".into(), target.into()]
    };
    assert!(switch(&env, &bin, &record, &[], "0").status.success());
    assert_eq!(recorded_calls(&record), vec![rebuild("db1", "admin@db1.lan:2222"), rebuild("web1", "root@web1.lan")]);
    let out = switch(&env, &bin, &record, &["--on", "@web"], "0");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(recorded_calls(&record), vec![rebuild("web1", "root@web1.lan")]);
    // a selected host without a target-host is skipped with a note
    let out = switch(&env, &bin, &record, &["--on", "laptop,@db"], "0");
    assert!(stderr(&out).contains("laptop has no target-host, so --all skips it"), "{}", stderr(&out));
    assert_eq!(recorded_calls(&record), vec![rebuild("db1", "admin@db1.lan:2222")]);
    // unknown: refused, nothing run
    let out = switch(&env, &bin, &record, &["--on", "web9"], "0");
    assert_eq!(json_of(&env.glix_with(&["--json", "switch", "--all", "--no-plugin", "--on", "web9"], &[("PATH", bin.clone())]))["kind"], "unknown-selection");
    assert_eq!(out.status.code(), Some(1));
    assert!(recorded_calls(&record).is_empty());
    // --on needs --all
    let out = env.glix(&["switch", "--on", "@web"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
