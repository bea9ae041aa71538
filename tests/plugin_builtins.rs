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
    let out = Command::cargo_bin("glix")
        .unwrap()
        .args(["manifest", "parse", "--json"])
        .arg(path)
        .output()
        .unwrap();
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
    assert!(
        out.status.success(),
        "nix eval failed: {:?} {}",
        out.status,
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `nix eval --json EXPR` with the plugin, which must fail as an ordinary evaluation
/// error (exit code 1; a crash would be a signal); its stderr.
fn eval_error(expr: &str) -> String {
    let out = nix_eval_json(expr, true);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{expr}: nix did not fail normally: {:?}\n{err}",
        out.status
    );
    err
}

#[test]
fn plugin_and_cli_agree_on_every_valid_manifest() {
    let valid: Vec<CorpusEntry> = corpus()
        .into_iter()
        .filter(|e| e.expect_error.is_none())
        .collect();
    assert!(
        valid.len() >= 20,
        "corpus has {} valid manifests",
        valid.len()
    );
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
        let cli = glix_json(&e.path)
            .unwrap_or_else(|err| panic!("glix rejected {}: {err}", e.path.display()));
        assert_eq!(
            by_plugin[file_name(&e.path)],
            cli,
            "plugin and CLI differ on {}",
            e.path.display()
        );
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
        let expr = format!(
            "builtins.glixParseManifest {} (builtins.readFile {})",
            nix_str(&origin),
            e.path.display()
        );
        let err = eval_error(&expr);
        assert!(
            err.contains(&msg),
            "{origin}: plugin error lacks {msg:?}: {err}"
        );
        assert!(
            err.contains(&format!("{origin}:{line}:")),
            "{origin}: plugin error lacks line {line}: {err}"
        );
        let cli = glix_json(&e.path).expect_err("glix must reject it");
        assert!(
            cli.contains(&msg) && cli.contains(&format!("{origin}:{line}:")),
            "{origin}: CLI error: {cli}"
        );
    }
}

#[test]
fn plugin_loads_through_nix_config_too() {
    let mut c = nix();
    let conf = format!(
        "experimental-features = nix-command flakes\nplugin-files = {}\nsubstituters =",
        plugin().display()
    );
    c.env("NIX_CONFIG", conf)
        .args(["eval", "--json", "--expr", "builtins.glixInfo"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["currentSchema"], 1);
    assert_eq!(info["schemas"], serde_json::json!([0, 1]));
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["nixApiVersion"].as_str().unwrap().starts_with("2.26"));
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
    let list = refs
        .iter()
        .map(|r| nix_str(r))
        .collect::<Vec<_>>()
        .join(" ");
    let names: Vec<String> =
        serde_json::from_value(eval(&format!("map builtins.glixInputName [ {list} ]"))).unwrap();
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
    let parse = format!(
        "builtins.glixParseManifest \"x\" (builtins.readFile {})",
        m.display()
    );
    let inputs = "{ shell = 1; bob-shell = 1; git-setup = 1; printer = 1; self = 1; }";
    // `lazy`: the values of `inputs` are never forced, only the names matter (else
    // the whole evaluation fails).
    let v = eval(&format!(
        "{{ plan = builtins.glixResolve ({parse}) {inputs} null; \
           lazy = builtins.glixResolve ({parse}) {{ shell = throw \"forced\"; bob-shell = 1; git-setup = 1; printer = 1; }} null; }}"
    ));
    let plan = &v["plan"];
    let users: Vec<(String, Value)> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["user"].clone()))
        .collect();
    assert_eq!(
        users,
        vec![
            ("bob-shell".into(), "bob".into()),
            ("carol-git".into(), "carol".into()),
            ("printer".into(), Value::Null),
            ("shell".into(), "alice".into()),
        ]
    );
    assert_eq!(
        plan[2]["output"],
        serde_json::json!(["nixosModules", "default"])
    );

    let err = eval_error(&format!(
        "builtins.glixResolve ({parse}) [ \"shell\" \"bob-shell\" \"printer\" ] null"
    ));
    assert!(
        err.contains("package 'carol-git' uses flake input 'git-setup'")
            && err.contains("glix doctor"),
        "{err}"
    );

    let home = repo_root().join("tests/corpus/manifests/valid/home-no-user.toml");
    let expr = format!("builtins.glixResolve (builtins.glixParseManifest \"x\" (builtins.readFile {})) [ \"dotfiles\" ] null", home.display());
    let out = nix_eval_json(&expr, true);
    assert!(
        stderr(&out).contains("has scope \"home\" but no user"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wrong_argument_types_are_evaluation_errors_not_crashes() {
    let cases = [
        ("builtins.glixParseManifest 1 \"schema = 1\"", "must be a string, but it is an integer"),
        ("builtins.glixParseManifest \"x\" { }", "must be a string, but it is a set"),
        ("builtins.glixParseManifest \"x\" (throw \"lazy arg\")", "lazy arg"),
        ("builtins.glixInputName [ ]", "must be a string, but it is a list"),
        ("builtins.glixResolve (x: x) [ ] null", "must be plain data, but it contains a function"),
        ("builtins.glixResolve { } [ ] null", "not a normalized manifest"),
        ("builtins.glixResolve { schema = 1; host = {}; packages = {}; } 3 null", "must be an attrset"),
        ("builtins.glixResolve (let a = { inherit a; }; in a) [ ] null", "nested more than"),
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
    assert!(
        err.contains("internal error in the glix plugin") && err.contains("boom from the test"),
        "{err}"
    );
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
    let list = files
        .iter()
        .map(|(p, _)| {
            format!(
                "(builtins.glixTryParseManifest \"g\" (builtins.readFile {}))",
                p.display()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let results: Vec<Value> = serde_json::from_value(eval(&format!("[ {list} ]"))).unwrap();
    assert_eq!(results.len(), files.len());
    for ((_, text), r) in files.iter().zip(&results) {
        // The plugin's verdict is the library's verdict.
        let lib = glix::manifest::load_str(text, "g");
        assert_eq!(
            r["success"].as_bool().unwrap(),
            lib.is_ok(),
            "{text:?}: {r}"
        );
        if let Err(e) = lib {
            assert_eq!(r["error"].as_str().unwrap(), e.to_string());
        }
    }
}

#[test]
fn import_builtin_is_parse_and_resolve_in_one_call() {
    let files = [
        "several-users.toml",
        "every-field.toml",
        "large.toml",
        "home-no-user.toml",
    ];
    let dir = repo_root().join("tests/corpus/manifests/valid");
    // One evaluation for all of them: file name → both ways of getting the plan. Each
    // manifest is read and parsed once; the manifest's own default user wins.
    let items: Vec<String> = files
        .iter()
        .map(|f| format!("{} = one {};", nix_str(f), dir.join(f).display()))
        .collect();
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
        assert_eq!(
            v["one"]["plan"].as_array().unwrap().is_empty(),
            file == "every-field.toml",
            "{file}"
        );
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

/// The plugin builds results either through the C API or through its C++ fast path
/// (GLIX_PLUGIN_VALUES=capi|cpp): every builtin's result, for every valid manifest of
/// the corpus, is the same data with the same Nix types either way — also when the
/// C++ builder is made to collect garbage every few values (GLIX_PLUGIN_GC_STRESS, in
/// the test-panic build), so a value it failed to keep reachable would be reused.
#[test]
fn c_api_and_cpp_value_builders_build_the_same_values() {
    let files: Vec<String> = corpus()
        .into_iter()
        .filter(|e| e.expect_error.is_none())
        .map(|e| e.path.display().to_string())
        .collect();
    let expr = format!(
        r#"let
          typed = v: let t = builtins.typeOf v; in
            if t == "set" then builtins.mapAttrs (_: typed) v
            else if t == "list" then map typed v
            else {{ ${{t}} = v; }};
          one = m: let
            text = builtins.readFile m;
            parsed = builtins.glixParseManifest "x" text;
            inputs = builtins.listToAttrs (map (p: {{ name = p.input; value = null; }}) (builtins.attrValues parsed.packages));
          in {{
            inherit parsed;
            tried = builtins.glixTryParseManifest "x" text;
            imported = builtins.glixImportManifest "x" text inputs "tester";
            resolved = builtins.glixResolve parsed inputs "tester";
          }};
        in typed {{
          info = builtins.glixInfo;
          names = map builtins.glixInputName [ "github:o/p" "path:/srv/42-things" ];
          bad = builtins.glixTryParseManifest "x" "schema = 1\n[packages.a]\nflake = 3";
          manifests = map one [ {} ];
        }}"#,
        files.join(" ")
    );
    let run = |builder: &str| -> Value {
        let out = nix()
            .env("GLIX_PLUGIN_VALUES", builder)
            .env("GLIX_PLUGIN_GC_STRESS", "50")
            .arg("--option")
            .arg("plugin-files")
            .arg(plugin())
            .args(["eval", "--json", "--impure", "--expr", &expr])
            .output()
            .unwrap();
        assert!(out.status.success(), "{builder}: {}", stderr(&out));
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let info = v["info"].as_object_mut().unwrap();
        assert_eq!(
            info.remove("valueBuilder"),
            Some(serde_json::json!({ "string": builder }))
        );
        v
    };
    let (capi, cpp) = (run("capi"), run("cpp"));
    assert_eq!(capi["manifests"].as_array().unwrap().len(), files.len());
    assert_eq!(capi, cpp);
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

/// A GLIX_PLUGIN_VALUES the plugin does not know is said once, and the default path
/// is used: the evaluation still succeeds.
#[test]
fn an_unknown_value_builder_is_warned_about_and_the_default_used() {
    let out = eval_with_env("GLIX_PLUGIN_VALUES", Some("fastest"), "builtins.glixInfo.valueBuilder");
    let err = stderr(&out);
    assert!(err.contains("GLIX_PLUGIN_VALUES=\"fastest\" is not `capi` or `cpp`; using cpp"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "\"cpp\"");
}

/// GLIX_PLUGIN_VALUES set but empty (`GLIX_PLUGIN_VALUES= nix …`) means the same as
/// unset: the default builder, and nothing said about it.
#[test]
fn an_empty_value_builder_setting_uses_the_default_silently() {
    let run = |value: Option<&str>| {
        let out = eval_with_env("GLIX_PLUGIN_VALUES", value, "builtins.glixInfo.valueBuilder");
        let err = stderr(&out);
        assert!(!err.contains("glix nix plugin"), "{value:?}: {err}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let empty = run(Some(""));
    assert_eq!(empty, run(None));
    assert_eq!(empty, "\"cpp\"");
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

/// An error thrown deep inside an argument reaches the user as Nix's own error, with
/// either value builder: it came out as "return value was not initialized" when
/// releasing a value reset the call's error.
#[test]
fn an_error_inside_a_nested_argument_keeps_its_message() {
    for builder in ["capi", "cpp"] {
        let mut cmd = nix();
        cmd.env("GLIX_PLUGIN_VALUES", builder);
        let out = cmd
            .arg("--option")
            .arg("plugin-files")
            .arg(plugin())
            .args(["eval", "--json", "--expr", r#"builtins.glixResolve { a = [ [ (throw "boom in a nested list") ] ]; } [ ] null"#])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{builder}: {err}");
        assert!(err.contains("boom in a nested list") && !err.contains("not initialized"), "{builder}: {err}");
    }
}
