//! `lib.importManifest` with the real Nix, with and without the plugin: over the
//! manifest corpus both give the same manifest and the same modules (compared by
//! applying them to a fixed argument set), or both fail.

mod common;

use common::*;
use serde_json::Value;

fn import_manifest_lib() -> String {
    repo_root().join("nix/lib/importManifest.nix").display().to_string()
}

/// The expression importing one manifest with stand-in inputs, applied.
fn applied_expr(path: &std::path::Path) -> String {
    let tests = repo_root().join("tests/nix");
    format!(
        "let
           importManifest = import {lib};
           apply = import {apply};
           text = builtins.readFile {p};
           # the stand-in inputs are derived from the manifest itself (read by the fallback
           # parser for current schemas, so both modes see the same inputs)
           parsed = if builtins ? glixParseManifest then builtins.glixParseManifest \"x\" text else (import {fallback}).parse \"x\" text;
           standins = import {standins} {{ manifest = parsed; }};
         in apply.applyAllWith standins.pkgs (importManifest {{ manifestPath = {p}; inherit (standins) inputs; defaultUser = \"tester\"; }})",
        lib = import_manifest_lib(),
        apply = tests.join("apply.nix").display(),
        standins = tests.join("standins.nix").display(),
        fallback = repo_root().join("nix/lib/fallback.nix").display(),
        p = path.display(),
    )
}

/// `nix eval --json EXPR`, with the plugin or not, which must succeed; its result.
fn eval(expr: &str, with_plugin: bool) -> Value {
    let out = nix_eval_json(expr, with_plugin);
    assert!(out.status.success(), "{}: {}", if with_plugin { "with plugin" } else { "fallback" }, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn is_old_schema(e: &CorpusEntry) -> bool {
    glix::manifest::load_str(&e.text, "x").is_ok_and(|m| m.file_schema < glix::manifest::CURRENT_SCHEMA)
}

#[test]
fn plugin_and_fallback_produce_the_same_manifest_and_modules() {
    let valid: Vec<CorpusEntry> = corpus().into_iter().filter(|e| e.expect_error.is_none() && !is_old_schema(e)).collect();
    assert!(valid.len() >= 20);
    let all = valid.iter().map(|e| format!("{} = {};", nix_str(&file_name(&e.path)), applied_expr(&e.path))).collect::<Vec<_>>().join("\n");
    let expr = format!("{{ {all} }}");
    let native = eval(&expr, true);
    let fallback = eval(&expr, false);
    for e in &valid {
        let name = file_name(&e.path);
        assert_eq!(native[&name]["reader"], "plugin");
        assert_eq!(fallback[&name]["reader"], "fallback");
        let strip = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().unwrap().remove("reader");
            v
        };
        let (n, f) = (strip(&native[&name]), strip(&fallback[&name]));
        assert!(n == f, "plugin and fallback differ on {name}:\nplugin:   {n}\nfallback: {f}");
    }
    // and the manifest part is what glix itself reads
    for e in &valid {
        let lib = serde_json::to_value(glix::manifest::load_str(&e.text, "x").unwrap()).unwrap();
        assert_eq!(native[file_name(&e.path)]["manifest"], lib, "{}", e.path.display());
    }
}

/// The inputs a manifest names, each a stand-in flake with the outputs a module flake
/// has: an invalid manifest must be refused for what is wrong with it, not because an
/// input is missing.
fn inputs_for(text: &str) -> String {
    let names: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("input"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .filter_map(|v| v.trim().strip_prefix('"')?.split('"').next())
        .collect();
    let one = |n: &str| format!("{} = {{ outPath = \"/dev/null\"; nixosModules.default = {{ }}; homeManagerModules.default = {{ }}; }};", nix_str(n));
    format!("{{ {} }}", names.iter().map(|n| one(n)).collect::<Vec<_>>().join(" "))
}

#[test]
fn plugin_and_fallback_both_reject_invalid_manifests_with_the_same_message() {
    for e in corpus().into_iter().filter(|e| e.expect_error.is_some()) {
        let (line, message) = e.expect_error.clone().unwrap();
        let expr = format!("(import {} {{ manifestPath = {}; inputs = {}; }}).manifest", import_manifest_lib(), e.path.display(), inputs_for(&e.text));
        let name = file_name(&e.path);
        let native = nix_eval_json(&expr, true);
        let err = String::from_utf8_lossy(&native.stderr);
        assert_eq!(native.status.code(), Some(1), "{name}: plugin accepted it");
        // The plugin names the file, the line and the message glix itself gives.
        assert!(err.contains(&format!("{}:{line}:", e.path.display())) && err.contains(&message), "{name}: plugin said:\n{err}");
        let fallback = nix_eval_json(&expr, false);
        let ferr = String::from_utf8_lossy(&fallback.stderr);
        assert_eq!(fallback.status.code(), Some(1), "{name}: fallback accepted it: {}", String::from_utf8_lossy(&fallback.stdout));
        // The fallback has no line numbers (fromTOML gives none: README, Limits). Its
        // message is glix's, except where Nix's own parsers refuse first, in their words.
        let expected = match name.as_str() {
            "bad-flake.toml" | "flake-injection.toml" => vec!["is not an absolute path"], // builtins.parseFlakeRef
            "datetime.toml" => vec!["Dates and times are not supported"],
            "nul-char.toml" => vec!["cannot be represented as Nix string"],
            "schema-future.toml" => vec!["is newer than this glixos-core understands"],
            // What Nix 2.26 accepts and later versions refuse: glix's words, or that Nix's
            // (2.31's parseFlakeRef, failing as a URL, ends with the path reading's words).
            "policy-not-portable-port.toml" | "policy-not-portable-ref.toml" => vec![message.as_str(), "is not an absolute path"],
            _ if message.starts_with("invalid TOML") => vec!["while parsing TOML"],
            _ => vec![message.as_str()],
        };
        assert!(expected.iter().any(|m| ferr.contains(m)), "{name}: fallback said:\n{ferr}");
    }
}

#[test]
fn fallback_asks_for_glix_migrate_on_an_older_schema_and_the_plugin_migrates() {
    let p = repo_root().join("tests/corpus/manifests/valid/schema0.toml");
    let expr = format!("(import {} {{ manifestPath = {}; inputs = {{ editor = {{}}; server = {{}}; }}; }}).manifest", import_manifest_lib(), p.display());
    let fallback = nix_eval_json(&expr, false);
    assert_eq!(fallback.status.code(), Some(1));
    let err = String::from_utf8_lossy(&fallback.stderr);
    assert!(err.contains("run `glix migrate`"), "{err}");
    let m = eval(&expr, true);
    assert_eq!(m["packages"]["editor"]["flake"], "github:owner/editor");
}

#[test]
fn each_package_module_gets_its_own_config_only() {
    // Two packages with different configs, in system and in home scope, on one host.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("glix.toml");
    std::fs::write(
        &p,
        r#"schema = 1
[host]
default-user = "alice"
[packages.web]
flake = "github:o/web"
input = "web"
config = { port = "8080" }
[packages.db]
flake = "github:o/db"
input = "db"
config = { port = "5432" }
[packages.shell]
flake = "github:o/shell"
input = "shell"
scope = "home"
config = { theme = "dark" }
[packages.editor]
flake = "github:o/editor"
input = "editor"
scope = "home"
config = { theme = "light" }
[packages.off]
flake = "github:o/off"
input = "off"
enable = false
"#,
    )
    .unwrap();
    for with_plugin in [true, false] {
        let v = eval(&applied_expr(&p), with_plugin);
        let received = |list: &Value, i: usize| list[i]["imports"][0]["result"]["config"]["received"].clone();
        let sys = &v["systemModules"];
        assert_eq!(sys.as_array().unwrap().len(), 2, "disabled packages produce nothing");
        // name order: db, web
        assert_eq!(received(sys, 0)["db.nixosModules.default"]["glixConfig"], serde_json::json!({ "port": "5432" }));
        assert_eq!(received(sys, 1)["web.nixosModules.default"]["glixConfig"], serde_json::json!({ "port": "8080" }));
        let home = &v["homeModulesByUser"]["alice"];
        assert_eq!(received(home, 0)["editor.homeManagerModules.default"]["glixConfig"], serde_json::json!({ "theme": "light" }));
        assert_eq!(received(home, 1)["shell.homeManagerModules.default"]["glixConfig"], serde_json::json!({ "theme": "dark" }));
        assert_eq!(v["homeModules"], v["homeModulesByUser"]["alice"]);
        // The module system would not be asked for glixConfig: it is hidden from the
        // visible arguments and passed by the wrapper.
        assert!(!sys[0]["imports"][0]["visibleArgs"].as_array().unwrap().contains(&"glixConfig".into()));
        assert_eq!(sys[0]["file"], "glix package 'db' (inputs.db.nixosModules.default)");
    }
}

#[test]
fn path_modules_keep_their_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("module.nix");
    std::fs::write(&module, "{ glixConfig, lib, ... }: { config.got = glixConfig; }").unwrap();
    let manifest = dir.path().join("glix.toml");
    std::fs::write(&manifest, "schema = 1\n[packages.p]\nflake = \"github:o/p\"\ninput = \"p\"\nconfig = { a = \"1\" }\n").unwrap();
    let expr = format!(
        "let apply = import {}; r = import {} {{ manifestPath = {}; inputs = {{ p.nixosModules.default = {}; }}; }}; in map apply.call r.systemModules",
        repo_root().join("tests/nix/apply.nix").display(),
        import_manifest_lib(),
        manifest.display(),
        module.display()
    );
    for with_plugin in [true, false] {
        let v = eval(&expr, with_plugin);
        assert_eq!(v[0]["file"], module.display().to_string());
        assert_eq!(v[0]["key"], module.display().to_string());
        assert_eq!(v[0]["imports"][0]["visibleArgs"], serde_json::json!(["lib"]));
        assert_eq!(v[0]["imports"][0]["result"]["config"]["got"], serde_json::json!({ "a": "1" }));
    }
}

/// importManifest's own `defaultUser` becomes an attribute name under
/// home-manager.users: both readers refuse an invalid one, in the same words.
#[test]
fn an_invalid_default_user_is_refused_by_both_readers_alike() {
    let p = repo_root().join("tests/corpus/manifests/valid/home-no-user.toml");
    let expr = format!(
        "builtins.deepSeq ((import {}) {{ manifestPath = {}; inputs = {{ }}; defaultUser = \"Bad User; rm\"; }}).homeModulesByUser \"ok\"",
        import_manifest_lib(),
        p.display()
    );
    let mut messages = Vec::new();
    for with_plugin in [true, false] {
        let out = nix_eval_json(&expr, with_plugin);
        assert!(!out.status.success(), "with_plugin={with_plugin}: accepted");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let line =
            err.lines().find(|l| l.contains("glix: importManifest's defaultUser")).unwrap_or_else(|| panic!("with_plugin={with_plugin}: {err}")).to_string();
        let msg = line[line.find("glix: importManifest").expect("glix's message")..].to_string();
        messages.push(msg);
    }
    assert_eq!(messages[0], messages[1]);
    assert!(messages[0].contains("\"Bad User; rm\" is not a valid user name"), "{}", messages[0]);
}
