//! The plugin loaded into the real Nix 2.26.3: for every manifest of the corpus, the
//! plugin's view equals the CLI's (`glix manifest parse --json`), invalid manifests
//! fail with the same message and line in both, and nothing a Nix expression passes
//! in can crash the evaluator.

mod common;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

fn glix_json(path: &std::path::Path) -> Result<Value, String> {
    let out = Command::cargo_bin("glix").unwrap().args(["manifest", "parse", "--json"]).arg(path).output().unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).expect("glix prints JSON"))
    } else {
        // With --json, a failure is one JSON object on stdout.
        let v: Value = serde_json::from_slice(&out.stdout).expect("glix prints its error as JSON");
        Err(v["error"].as_str().expect("the error's message").to_string())
    }
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `nix eval --json EXPR` with the plugin, which must succeed; its result.
fn eval(expr: &str) -> Value {
    let out = nix_eval_json(expr, true);
    assert!(out.status.success(), "nix eval failed: {:?} {}", out.status, stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `nix eval --json EXPR` with the plugin, which must fail as an ordinary evaluation
/// error (exit code 1; a crash would be a signal); its stderr.
fn eval_error(expr: &str) -> String {
    let out = nix_eval_json(expr, true);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{expr}: nix did not fail normally: {:?}\n{err}", out.status);
    err
}

#[test]
fn plugin_and_cli_agree_on_every_valid_manifest() {
    let valid: Vec<CorpusEntry> = corpus().into_iter().filter(|e| e.expect_error.is_none()).collect();
    assert!(valid.len() >= 20, "corpus has {} valid manifests", valid.len());
    // One evaluation for all of them: an attrset file name → parsed manifest.
    let items: Vec<String> = valid
        .iter()
        .map(|e| {
            format!(
                "{} = builtins.glixParseManifest {} (builtins.readFile {});",
                nix_str(&file_name(&e.path)),
                nix_str(&e.path.display().to_string()),
                e.path.display()
            )
        })
        .collect();
    let by_plugin = eval(&format!("{{ {} }}", items.join("\n")));
    for e in &valid {
        let cli = glix_json(&e.path).unwrap_or_else(|err| panic!("glix rejected {}: {err}", e.path.display()));
        assert_eq!(by_plugin[file_name(&e.path)], cli, "plugin and CLI differ on {}", e.path.display());
    }
}

/// The corpus's invalid manifests (each with the line and message it must be refused with).
fn invalid_manifests() -> Vec<CorpusEntry> {
    let invalid: Vec<CorpusEntry> = corpus().into_iter().filter(|e| e.expect_error.is_some()).collect();
    assert!(invalid.len() >= 10);
    invalid
}

#[test]
fn plugin_and_cli_reject_invalid_manifests_with_the_same_line_and_message() {
    let invalid = invalid_manifests();
    for e in &invalid {
        let (line, msg) = e.expect_error.clone().unwrap();
        let origin = e.path.display().to_string();
        let expr = format!("builtins.glixParseManifest {} (builtins.readFile {})", nix_str(&origin), e.path.display());
        let err = eval_error(&expr);
        assert!(err.contains(&msg), "{origin}: plugin error lacks {msg:?}: {err}");
        assert!(err.contains(&format!("{origin}:{line}:")), "{origin}: plugin error lacks line {line}: {err}");
        let cli = glix_json(&e.path).expect_err("glix must reject it");
        assert!(cli.contains(&msg) && cli.contains(&format!("{origin}:{line}:")), "{origin}: CLI error: {cli}");
    }
}

#[test]
fn plugin_loads_through_nix_config_too() {
    let mut c = nix();
    let conf = format!("experimental-features = nix-command flakes\nplugin-files = {}\nsubstituters =", plugin().display());
    c.env("NIX_CONFIG", conf).args(["eval", "--json", "--expr", "builtins.glixInfo"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["currentSchema"], 1);
    assert_eq!(info["schemas"], serde_json::json!([0, 1]));
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let built_for = info["builtForNix"].as_str().unwrap();
    assert_eq!(built_for, nix_version());
    assert_eq!(info["nixApiVersion"], built_for, "the older name glix doctor reads");
    assert_eq!(info["supportedNix"], serde_json::json!({ "oldest": "2.26", "newest": "2.35", "refused": ["2.34.0"] }));
}

/// The toolchain's `nix --version`, e.g. "2.26.3".
fn nix_version() -> String {
    let out = nix().arg("--version").output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.split_whitespace().last().unwrap().to_string()
}

/// Loaded by a Nix other than the one it was built for (the test build's
/// GLIX_PLUGIN_TEST_RUNNING_NIX stands in for another Nix), the plugin registers no
/// builtin, says so in one warning naming both versions and what to do, and Nix goes
/// on: importManifest reads the manifest with its pure-Nix fallback.
#[test]
fn a_plugin_loaded_by_another_nix_registers_nothing_and_importmanifest_falls_back() {
    let m = repo_root().join("tests/corpus/manifests/valid/several-users.toml");
    let expr = format!(
        r#"let
          importManifest = import {}/nix/lib/importManifest.nix;
          r = importManifest {{ manifestPath = {}; inputs = {{ shell = 1; bob-shell = 1; git-setup = 1; printer = 1; }}; }};
        in {{
          registered = builtins.filter (n: builtins.substring 0 4 n == "glix") (builtins.attrNames builtins);
          packages = builtins.attrNames r.manifest.packages;
          inherit (r) reader;
        }}"#,
        repo_root().display(),
        m.display()
    );
    let run = |running: Option<&str>| {
        let mut cmd = nix();
        if let Some(v) = running {
            cmd.env("GLIX_PLUGIN_TEST_RUNNING_NIX", v);
        }
        let out = cmd.arg("--option").arg("plugin-files").arg(plugin()).args(["eval", "--json", "--impure", "--expr", &expr]).output().unwrap();
        assert!(out.status.success(), "{running:?}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (v, stderr(&out))
    };
    let (matched, quiet) = run(None);
    assert!(!quiet.contains("glix nix plugin"), "{quiet}");
    assert!(matched["registered"].as_array().unwrap().len() >= 6, "{matched}");

    let (other, warned) = run(Some("2.28.3"));
    assert_eq!(other["registered"], serde_json::json!([]));
    assert_eq!(other["packages"], matched["packages"]);
    assert_eq!((matched["reader"].as_str(), other["reader"].as_str()), (Some("plugin"), Some("fallback")));
    let built_for = nix_version();
    let warnings: Vec<&str> = warned.lines().filter(|l| l.contains("glix nix plugin")).collect();
    assert_eq!(warnings.len(), 1, "{warned}");
    let w = warnings[0];
    assert!(
        w.contains(&format!("built for Nix {built_for} but loaded by Nix 2.28.3"))
            && w.contains("not registered")
            && w.contains("fallback")
            && w.contains("Rebuild the plugin against this Nix"),
        "{w}"
    );
}

/// The library the plugin was built against is gone (say, garbage-collected) while a
/// Nix of the same version runs: the guard passes, loading the C API fails, and the
/// plugin says so once, registers nothing, and Nix goes on with the fallback (the test
/// build's GLIX_PLUGIN_TEST_C_API_LIB names the missing file).
#[test]
fn a_plugin_whose_nix_library_is_gone_registers_nothing_and_nix_goes_on() {
    let gone = tempfile::tempdir().unwrap().path().join("libnixexprc.so");
    let out = nix()
        .env("GLIX_PLUGIN_TEST_C_API_LIB", &gone)
        .arg("--option")
        .arg("plugin-files")
        .arg(plugin())
        .args(["eval", "--json", "--expr", "builtins.glixInfo or \"absent\""])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"absent\"");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("glix nix plugin")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("could not load the Nix C API library") && warnings[0].contains(&gone.display().to_string()) && warnings[0].contains("fallback"),
        "{err}"
    );
}

/// The plugin names no Nix library for the dynamic loader (plugin/build.rs says why: a
/// plugin that does drags its own Nix into any other `nix` that loads it, which crashed
/// Nix 2.33.6); it opens the C API itself, after the version guard.
#[test]
fn the_plugin_needs_no_nix_library_to_be_loaded() {
    let out = std::process::Command::new("readelf").arg("-d").arg(plugin()).output().expect("readelf (binutils)");
    assert!(out.status.success(), "{}", stderr(&out));
    let dynamic = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = dynamic.lines().filter(|l| l.contains("(NEEDED)")).collect();
    assert!(!needed.is_empty(), "{dynamic}");
    assert!(needed.iter().all(|l| !l.contains("libnix")), "the plugin links a Nix library:\n{}", needed.join("\n"));
    assert!(!dynamic.contains("(RUNPATH)") && !dynamic.contains("(RPATH)"), "{dynamic}");
}

#[test]
fn without_the_plugin_the_builtins_are_absent() {
    let out = nix_eval_json("builtins ? glixParseManifest", false);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "false");
    let out = nix_eval_json("builtins ? glixParseManifest", true);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "true");
}

#[test]
fn input_name_builtin_is_the_library_function() {
    let refs = [
        "github:owner/cool-pkg",
        "gitlab:group/Some.Repo",
        "git+https://example.org/x/y.git?ref=main",
        "github:NixOS/nixpkgs?dir=lib",
        "path:/srv/flakes/42-things",
    ];
    let list = refs.iter().map(|r| nix_str(r)).collect::<Vec<_>>().join(" ");
    let names: Vec<String> = serde_json::from_value(eval(&format!("map builtins.glixInputName [ {list} ]"))).unwrap();
    for (r, name) in refs.iter().zip(&names) {
        let parsed = glix::flakeref::FlakeRef::parse(r).unwrap();
        assert_eq!(name, &glix::flakeref::canonical_input_name(&parsed), "{r}");
    }
    let err = eval_error("builtins.glixInputName \"not a ref\"");
    assert!(err.contains("is not a valid flake reference"), "{err}");
}

#[test]
fn resolve_builtin_plans_enabled_packages_and_names_missing_inputs() {
    let m = repo_root().join("tests/corpus/manifests/valid/several-users.toml");
    let parse = format!("builtins.glixParseManifest \"x\" (builtins.readFile {})", m.display());
    let inputs = "{ shell = 1; bob-shell = 1; git-setup = 1; printer = 1; self = 1; }";
    // `lazy`: the values of `inputs` are never forced, only the names matter (else
    // the whole evaluation fails).
    let v = eval(&format!(
        "{{ plan = builtins.glixResolve ({parse}) {inputs} null; \
           lazy = builtins.glixResolve ({parse}) {{ shell = throw \"forced\"; bob-shell = 1; git-setup = 1; printer = 1; }} null; }}"
    ));
    let plan = &v["plan"];
    let users: Vec<(String, Value)> = plan.as_array().unwrap().iter().map(|e| (e["name"].as_str().unwrap().to_string(), e["user"].clone())).collect();
    assert_eq!(
        users,
        vec![("bob-shell".into(), "bob".into()), ("carol-git".into(), "carol".into()), ("printer".into(), Value::Null), ("shell".into(), "alice".into()),]
    );
    assert_eq!(plan[2]["output"], serde_json::json!(["nixosModules", "default"]));

    let err = eval_error(&format!("builtins.glixResolve ({parse}) [ \"shell\" \"bob-shell\" \"printer\" ] null"));
    assert!(err.contains("package 'carol-git' uses flake input 'git-setup'") && err.contains("glix doctor"), "{err}");

    let home = repo_root().join("tests/corpus/manifests/valid/home-no-user.toml");
    let expr = format!("builtins.glixResolve (builtins.glixParseManifest \"x\" (builtins.readFile {})) [ \"dotfiles\" ] null", home.display());
    let out = nix_eval_json(&expr, true);
    assert!(stderr(&out).contains("has scope \"home\" but no user"), "{}", stderr(&out));
}

#[test]
fn wrong_argument_types_are_evaluation_errors_not_crashes() {
    let cases = [
        ("builtins.glixParseManifest 1 \"schema = 1\"", "must be a string, but it is an integer"),
        ("builtins.glixParseManifest \"x\" { }", "must be a string, but it is a set"),
        ("builtins.glixParseManifest \"x\" (throw \"lazy arg\")", "lazy arg"),
        ("builtins.glixInputName [ ]", "must be a string, but it is a list"),
        ("builtins.glixResolve (x: x) [ ] null", "not a normalized manifest (pass the result of glixParseManifest): it is a function"),
        ("builtins.glixResolve { } [ ] null", "not a normalized manifest"),
        ("builtins.glixResolve { schema = 1; host = {}; packages = {}; } 3 null", "must be an attrset"),
        ("builtins.glixResolve { schema = 1; packages = { }; } (let a = [ a ]; in a) null", "nested more than"),
        ("builtins.glixResolve { schema = 1; host = { defaultUser = null; system = null; }; packages = { }; } [ ] 42", "must be a string"),
        ("builtins.glixImportManifest \"x\" \"schema = 1\" 3 null", "the inputs (third argument) must be an attrset"),
        ("builtins.glixImportManifest \"x\" \"schema = 1\" { } 42", "defaultUser (fourth argument) must be a string, but it is an integer"),
    ];
    for (expr, msg) in cases {
        let err = eval_error(expr);
        assert!(err.contains(msg), "{expr}: expected {msg:?} in {err}");
    }
}

#[test]
fn a_panic_in_a_builtin_becomes_an_evaluation_error() {
    let err = eval_error("builtins.glixTestPanic \"boom from the test\"");
    assert!(err.contains("internal error in the glix plugin") && err.contains("boom from the test"), "{err}");
}

#[test]
fn garbage_text_gives_errors_never_a_crash() {
    // Random strings (printable, control characters, TOML-ish fragments), written to
    // files and parsed in ONE evaluation through glixTryParseManifest.
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::prop_oneof![
        proptest::string::string_regex("(?s).{0,200}").unwrap(),
        proptest::string::string_regex("(schema = [0-9a-z\"]{1,3}\n)?(\\[[a-z.\" ]{0,12}\\]\n)?([a-z\"-]{1,8} = [\"{}\\[\\]0-9a-z:/,]{0,30}\n){0,6}").unwrap(),
    ];
    let mut files = Vec::new();
    for i in 0..300 {
        let s = strategy.new_tree(&mut runner).unwrap().current();
        if s.contains('\0') {
            continue; // Nix strings cannot hold NUL; builtins.readFile would fail first
        }
        let p = dir.path().join(format!("g{i}.toml"));
        std::fs::write(&p, &s).unwrap();
        files.push((p, s));
    }
    let list = files.iter().map(|(p, _)| format!("(builtins.glixTryParseManifest \"g\" (builtins.readFile {}))", p.display())).collect::<Vec<_>>().join("\n");
    let results: Vec<Value> = serde_json::from_value(eval(&format!("[ {list} ]"))).unwrap();
    assert_eq!(results.len(), files.len());
    for ((_, text), r) in files.iter().zip(&results) {
        // The plugin's verdict is the library's verdict.
        let lib = glix::manifest::load_str(text, "g");
        assert_eq!(r["success"].as_bool().unwrap(), lib.is_ok(), "{text:?}: {r}");
        if let Err(e) = lib {
            assert_eq!(r["error"].as_str().unwrap(), e.to_string());
        }
    }
}

#[test]
fn import_builtin_is_parse_and_resolve_in_one_call() {
    let files = ["several-users.toml", "every-field.toml", "large.toml", "home-no-user.toml"];
    let dir = repo_root().join("tests/corpus/manifests/valid");
    // One evaluation for all of them: file name → both ways of getting the plan. Each
    // manifest is read and parsed once; the manifest's own default user wins.
    let items: Vec<String> = files.iter().map(|f| format!("{} = one {};", nix_str(f), dir.join(f).display())).collect();
    let expr = format!(
        r#"let
          one = m: let
            text = builtins.readFile m;
            parsed = builtins.glixParseManifest "x" text;
            inputs = builtins.listToAttrs (map (p: {{ name = p.input; value = null; }}) (builtins.attrValues parsed.packages));
            dflt = if parsed.host.defaultUser != null then parsed.host.defaultUser else "tester";
          in {{
            one = builtins.glixImportManifest "x" text inputs "tester";
            two = {{ manifest = parsed; plan = builtins.glixResolve parsed inputs dflt; }};
          }};
        in {{ {} }}"#,
        items.join("\n")
    );
    let by_file = eval(&expr);
    for file in files {
        let v = &by_file[file];
        assert_eq!(v["one"], v["two"], "{file}");
        // every-field.toml's only package is disabled: nothing to plan
        assert_eq!(v["one"]["plan"].as_array().unwrap().is_empty(), file == "every-field.toml", "{file}");
    }
    let err = eval_error("builtins.glixImportManifest \"x\" \"schema = 1\\n[packages.a]\\nflake = \\\"github:o/a\\\"\\ninput = \\\"a\\\"\\n\" { } null");
    assert!(err.contains("not an input of this flake"), "{err}");
}

/// A broken glix.toml reaching `lib.importManifest` through the plugin is reported
/// exactly as `glixParseManifest` (and `glix`) report it: file, line, column, message.
#[test]
fn import_builtin_rejects_invalid_manifests_with_the_parse_error() {
    let invalid = invalid_manifests();
    for e in &invalid {
        let (line, msg) = e.expect_error.clone().unwrap();
        let origin = e.path.display().to_string();
        let args = format!("{} (builtins.readFile {})", nix_str(&origin), e.path.display());
        let by_parse = eval_error(&format!("builtins.glixParseManifest {args}"));
        let by_import = eval_error(&format!("builtins.glixImportManifest {args} {{ }} null"));
        // From "<file>:<line>:" on: the message itself, without Nix's own trace.
        let at = format!("{origin}:{line}:");
        let message = |err: &str| -> String {
            let i = err.find(&at).unwrap_or_else(|| panic!("{origin}: error lacks {at}: {err}"));
            err[i..].to_string()
        };
        assert!(by_import.contains(&msg), "{origin}: import error lacks {msg:?}: {by_import}");
        assert_eq!(message(&by_import), message(&by_parse), "{origin}");
    }
}

/// `nix eval --json --expr` with the plugin loaded and the environment variable `var`
/// set to `value` (`None`: unset).
fn eval_with_env(var: &str, value: Option<&str>, expr: &str) -> std::process::Output {
    let mut cmd = nix();
    match value {
        Some(v) => cmd.env(var, v),
        None => cmd.env_remove(var),
    };
    let out = cmd.arg("--option").arg("plugin-files").arg(plugin()).args(["eval", "--json", "--expr", expr]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// GLIX_PLUGIN_TIMING=1: each glixImportManifest call says where its time went; without
/// it, nothing is said.
#[test]
fn glix_plugin_timing_reports_each_import_on_stderr() {
    let expr = r#"builtins.glixImportManifest "/x/glix.toml" "schema = 1\n[packages.a]\nflake = \"github:o/a\"\ninput = \"a\"\n[packages.b]\nflake = \"github:o/b\"\ninput = \"b\"\n" { a = 1; b = 2; } null"#;
    let run = |timing: Option<&str>| stderr(&eval_with_env("GLIX_PLUGIN_TIMING", timing, expr));
    let err = run(Some("1"));
    let line = err.lines().find(|l| l.starts_with("glix plugin: glixImportManifest /x/glix.toml: 2 packages; ")).unwrap_or_else(|| panic!("{err}"));
    for part in ["arguments ", "parse + validate + plan ", "Nix values "] {
        assert!(line.contains(part) && line.contains(" ms"), "{line}");
    }
    assert!(!run(None).contains("glixImportManifest"));
    assert!(!run(Some("0")).contains("glixImportManifest"));
}

/// glixResolve takes Nix values nothing has validated: it checks what it reads with the
/// manifest loader's rules (defaultUser, schema, each field the plan uses) and reads
/// nothing else, so an attribute it does not need may even throw.
#[test]
fn resolve_validates_what_it_reads_and_forces_nothing_else() {
    let pkg = |fields: &str| {
        format!(
            r#"{{ schema = 1; host = throw "host is not read"; extra = throw "extra is not read";
                 packages.a = {{ name = "a"; input = "a"; scope = "home"; user = null; output = "homeManagerModules.default";
                                 enable = true; config = {{ }}; flake = throw "flake is not read"; source = throw "source is not read"; {fields} }}; }}"#
        )
    };
    let plan = eval(&format!(r#"builtins.glixResolve ({}) [ "a" ] "alice""#, pkg("")));
    assert_eq!(plan[0]["user"], "alice", "{plan}");

    let cases = [
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] "Bad User; ${{"rm"}}""#, pkg("")),
            r#"defaultUser (third argument) "Bad User; rm" is not a valid user name"#.to_string(),
        ),
        (r#"builtins.glixResolve { schema = 7; packages = { }; } [ ] null"#.into(), "its `schema` is 7, but a normalized manifest's is always 1".into()),
        (r#"builtins.glixResolve { schema = "1"; packages = { }; } [ ] null"#.into(), "`schema` must be an integer, but it is a string".into()),
        (r#"builtins.glixResolve { schema = 1; } [ ] null"#.into(), "it has no `packages`".into()),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"user = "Root!";"#).replace("user = null;", "")),
            r#"package 'a': `user` "Root!" is not a valid user name"#.into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"input = "1 bad";"#).replace(r#"input = "a";"#, "")),
            r#"package 'a': `input` "1 bad" is not a valid flake input name"#.into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"scope = "global";"#).replace(r#"scope = "home";"#, "")),
            r#"`scope` must be "system" or "home", found "global""#.into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"output = "a..b";"#).replace(r#"output = "homeManagerModules.default";"#, "")),
            r#"`output` "a..b" is not an attribute path"#.into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"enable = "yes";"#).replace("enable = true;", "")),
            "package 'a': `enable` must be true or false".into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"config.port = 8080;"#).replace("config = { };", "")),
            "package 'a': config value `port` must be a string".into(),
        ),
        (
            format!(r#"builtins.glixResolve ({}) [ "a" ] null"#, pkg(r#"name = "b";"#).replace(r#"name = "a";"#, "")),
            r#"`name` is "b", not the attribute's name"#.into(),
        ),
    ];
    for (expr, want) in cases {
        let err = eval_error(&expr);
        assert!(err.contains(&want), "{expr}\nwanted {want:?} in:\n{err}");
        // (The source Nix echoes contains the throws; the error itself must not.)
        let message: Vec<&str> = err.lines().filter(|l| l.trim_start().starts_with("error:")).collect();
        assert!(!message.iter().any(|l| l.contains("is not read")), "{expr}: forced an attribute it does not need:\n{err}");
    }
}

/// An error thrown deep inside an argument reaches the user as Nix's own error: it
/// came out as "return value was not initialized" when releasing a value reset the
/// call's error.
#[test]
fn an_error_inside_a_nested_argument_keeps_its_message() {
    let err = eval_error(r#"builtins.glixResolve { schema = 1; packages = { }; } [ [ (throw "boom in a nested list") ] ] null"#);
    assert!(err.contains("boom in a nested list") && !err.contains("not initialized"), "{err}");
}
