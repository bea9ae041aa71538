//! `glix search` over the repo's locked nixpkgs (issue 14, item 6), through the built
//! binary, real git and the real Nix: indexed once per nixpkgs revision with one
//! `nix search`, merged with the glix registry, and offline after that. The nixpkgs is
//! the shared stand-in (tests/standins/nixpkgs: real derivations with pname, version and
//! meta.description).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::glix_env::Env;
use common::registry::registry_json;
use common::standins::{write, write_script};
use serde_json::Value;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Adds a package line to the stand-in nixpkgs' package set (tests/standins/nixpkgs,
/// copied for this test): after `jq`, in the same `program pname version description`
/// form.
fn add_package(env: &Env, line: &str) {
    let path = env.root.join("nixpkgs/pkgs/top-level.nix");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find("  jq = program").expect("the stand-in nixpkgs has jq");
    write(&path, &format!("{}  {line}\n{}", &text[..at], &text[at..]));
}

/// A repo whose nixpkgs has packages, and a registry index with one entry that matches
/// `rip` too.
fn setup() -> (Env, String) {
    let env = Env::new();
    // Nix strings cannot spell a terminal escape; fromJSON can.
    add_package(&env, r#"ripper-tui = program "ripper-tui" "0.3.0" ("Terminal UI for rip" + builtins.fromJSON ''"\u001b[2J"'') { };"#);
    env.init();
    let index = env.root.join("registry.json");
    write(&index, &registry_json(&[("ripper", env.path("pkg-web"), Some("home")), ("db", env.path("pkg-db"), None)]));
    let url = format!("file://{}", index.display());
    (env, url)
}

/// A `nix` that logs each command line and runs the real one: GLIX_NIX for glix.
fn logging_nix(env: &Env) -> (PathBuf, PathBuf) {
    let log = env.root.join("nix.log");
    let wrapper = env.root.join("bin/nix");
    write_script(&wrapper, &format!("#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n", log.display(), common::toolchain().join("bin/nix").display()));
    (wrapper, log)
}

fn nix_runs(log: &Path) -> usize {
    std::fs::read_to_string(log).map(|s| s.lines().count()).unwrap_or(0)
}

fn search(env: &Env, nix: &Path, args: &[&str]) -> Output {
    env.glix_with(&[&["search"], args].concat(), &[("GLIX_NIX", nix.display().to_string())])
}

fn cache_files(env: &Env) -> Vec<PathBuf> {
    let dir = env.root.join("home/.cache/glix/nixpkgs-index");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    files.sort();
    files
}

#[test]
fn search_finds_a_nixpkgs_package_and_a_second_search_starts_no_nix() {
    let (env, registry) = setup();
    let (nix, log) = logging_nix(&env);
    let out = search(&env, &nix, &["rip", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(err.contains("indexing nixpkgs sha256-") && err.contains("(once per nixpkgs revision)"), "{err}");
    assert_eq!(nix_runs(&log), 1, "one nix process builds the index");
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .starts_with("--extra-experimental-features nix-command flakes search --json --quiet --no-write-lock-file --no-eval-cache"));
    let rows: Vec<&str> = text.lines().collect();
    assert!(rows[0].starts_with("NAME") && rows[0].contains("VERSION") && rows[0].contains("SOURCE"), "{text}");
    let rg = rows.iter().find(|l| l.starts_with("ripgrep ")).unwrap_or_else(|| panic!("no ripgrep in\n{text}"));
    assert!(rg.contains("14.1.1") && rg.contains("nixpkgs") && rg.contains("Silver Searcher"), "{rg}");
    assert!(rows.iter().any(|l| l.starts_with("ripper ") && l.contains("registry")), "{text}");
    assert!(!text.contains('\u{1b}'), "no terminal escape reaches the terminal: {text:?}");
    assert!(
        err.contains("add one with `glix add NAME` (registry) or `glix add nixpkgs#<attr>` (nixpkgs), e.g. `glix add nixpkgs#ripgrep`"),
        "the footer says how to add one: {err}"
    );

    // The second search, --json, evaluates nothing: no nix process at all.
    let out = search(&env, &nix, &["rip", "--json", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(nix_runs(&log), 1, "the second search started nix: {}", std::fs::read_to_string(&log).unwrap());
    assert!(!stderr(&out).contains("indexing"), "{}", stderr(&out));
    let hits: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let hits = hits.as_array().unwrap();
    let names: Vec<&str> = hits.iter().map(|h| h["name"].as_str().unwrap()).collect();
    // prefix matches (by name) first, the registry's before nixpkgs' at the same name
    assert_eq!(names, ["ripgrep", "ripper", "ripper-tui"], "{hits:#?}");
    let rg = &hits[0];
    assert_eq!(rg["source"], "nixpkgs");
    assert_eq!(rg["packageVersion"], "14.1.1");
    assert_eq!(rg["pname"], "ripgrep");
    assert!(rg["description"].as_str().unwrap().starts_with("Utility that combines"));
    assert_eq!(hits[2]["description"], "Terminal UI for rip [2J", "no terminal escape in the JSON either");
    let ripper = &hits[1];
    assert_eq!(ripper["source"], "registry");
    assert_eq!(ripper["packageVersion"], Value::Null);
    assert_eq!(ripper["flake"], env.path("pkg-web"));
    assert_eq!(ripper["scope"], "home");
    assert!(ripper.get("output").is_some());

    // Offline, nested attribute paths, and no term: every package of both sources.
    let out = search(&env, &nix, &["--offline", "--json", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    let all: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    for n in ["db", "hello", "jq", "python3Packages.requests", "nixVersions.nix_2_28", "ripgrep", "ripper"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert_eq!(nix_runs(&log), 1);
}

#[test]
fn a_changed_lock_indexes_again_a_damaged_cache_file_is_rebuilt_and_a_dry_run_stores_nothing() {
    let (env, registry) = setup();
    let (nix, log) = logging_nix(&env);
    // A dry run writes no cache either.
    assert!(search(&env, &nix, &["jq", "--dry-run", "--registry", &registry]).status.success());
    assert_eq!((nix_runs(&log), cache_files(&env).len()), (1, 0));
    assert!(search(&env, &nix, &["jq", "--registry", &registry]).status.success());
    assert_eq!((nix_runs(&log), cache_files(&env).len()), (2, 1));

    // A damaged cache file is a miss: built again, and whole afterwards.
    let file = cache_files(&env).remove(0);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    let out = search(&env, &nix, &["jq", "--json", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("indexing nixpkgs"), "{}", stderr(&out));
    assert_eq!(nix_runs(&log), 3);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "rebuilt as it was");
    let hits: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(hits[0]["name"], "jq");

    // A new nixpkgs revision (another narHash in flake.lock) is indexed once, anew.
    add_package(&env, r#"tokei = program "tokei" "12.1.2" "Count your code, quickly" { };"#);
    env.ok(&["update"]);
    let out = search(&env, &nix, &["tokei", "--json", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("indexing nixpkgs"), "{}", stderr(&out));
    let hits: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((hits[0]["name"].as_str(), hits[0]["packageVersion"].as_str()), (Some("tokei"), Some("12.1.2")));
    let runs = nix_runs(&log);
    assert!(search(&env, &nix, &["tokei", "--registry", &registry]).status.success());
    assert_eq!(nix_runs(&log), runs, "the new revision's index is used from then on");
    assert_eq!(cache_files(&env).len(), 2, "one index per nixpkgs revision");
}

#[test]
fn the_index_is_of_what_flake_lock_locks_whatever_flake_nix_says_since() {
    let (env, registry) = setup();
    let (nix, log) = logging_nix(&env);
    // nixpkgs pointed elsewhere by hand, not locked: the lock still says which nixpkgs.
    let flake = env.read("flake.nix");
    let url = env.path("nixpkgs");
    assert!(flake.contains(&url), "{flake}");
    write(&env.repo.join("flake.nix"), &flake.replace(&url, "path:/nonexistent/nixpkgs"));
    let out = search(&env, &nix, &["ripgrep", "--json", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let hits: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((hits[0]["name"].as_str(), hits[0]["source"].as_str()), (Some("ripgrep"), Some("nixpkgs")));
    assert_eq!(nix_runs(&log), 1);
}

#[test]
fn without_flake_lock_or_outside_a_repo_only_the_registry_is_searched() {
    let (env, registry) = setup();
    let (nix, log) = logging_nix(&env);
    std::fs::remove_file(env.repo.join("flake.lock")).unwrap();
    let out = search(&env, &nix, &["rip", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("note: ") && err.contains("has no flake.lock") && err.contains("searched the glix registry only"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("note:")).count(), 1, "one line: {err}");
    assert!(stdout(&out).contains("ripper") && !stdout(&out).contains("ripgrep"), "{}", stdout(&out));
    assert_eq!(nix_runs(&log), 0);

    // Outside any repo.
    let mut c = env.glix_command(&["search", "rip", "--registry", &registry], &[("GLIX_NIX", nix.display().to_string())]);
    let out = c.current_dir(&env.root).env("GLIX_REPO", env.root.join("nowhere")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("not in a glix repository: searched the glix registry only"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ripper"));
    assert_eq!(nix_runs(&log), 0);
}

#[test]
fn a_failing_nix_search_is_a_warning_unless_the_registry_fails_too() {
    let (env, registry) = setup();
    let broken = env.root.join("bin/broken-nix");
    write_script(&broken, "#!/bin/sh\necho 'error: evaluation aborted' >&2\nexit 1\n");
    let out = search(&env, &broken, &["rip", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: could not index the repo's nixpkgs") && stderr(&out).contains("evaluation aborted"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ripper"), "{}", stdout(&out));

    // Both fail: an error (the registry's), with the nixpkgs one as a warning.
    let out = search(&env, &broken, &["rip", "--json", "--registry", "file:///nonexistent/index.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let e: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(e["kind"], "registry");
    assert!(stderr(&out).contains("could not index the repo's nixpkgs"), "{}", stderr(&out));

    // The registry fails, nixpkgs answers: a warning and nixpkgs' hits.
    let (nix, _) = logging_nix(&env);
    let out = search(&env, &nix, &["rip", "--registry", "file:///nonexistent/index.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not read the glix registry") && stderr(&out).contains("searched nixpkgs only"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ripgrep"));
}

#[test]
fn an_unwritable_cache_is_a_warning_and_the_search_still_answers() {
    let (env, registry) = setup();
    let (nix, log) = logging_nix(&env);
    // The index's directory is a regular file: it cannot be created, even by root.
    write(&env.root.join("home/.cache/glix/nixpkgs-index"), "");
    let out = search(&env, &nix, &["rip", "--registry", &registry]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: could not store the nixpkgs index in") && stderr(&out).contains("evaluates nixpkgs again"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ripgrep"));
    assert_eq!(nix_runs(&log), 1);
}
