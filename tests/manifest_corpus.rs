//! The library over the manifest corpus: every valid manifest loads, every invalid
//! one fails with the expected message at the expected line, and older schemas
//! migrate to what a current file says.

mod common;

use common::*;
use glix::manifest::{load_str, ManifestDoc, CURRENT_SCHEMA};

#[test]
fn every_valid_manifest_loads() {
    for e in corpus().iter().filter(|e| e.expect_error.is_none()) {
        let m = load_str(&e.text, "x").unwrap_or_else(|err| panic!("{}: {err}", e.path.display()));
        assert_eq!(m.schema, CURRENT_SCHEMA);
    }
}

#[test]
fn every_invalid_manifest_names_its_line_and_what_is_wrong() {
    let invalid: Vec<_> = corpus().into_iter().filter(|e| e.expect_error.is_some()).collect();
    assert!(invalid.len() >= 20, "the table has {} cases", invalid.len());
    for e in invalid {
        let (line, msg) = e.expect_error.unwrap();
        let err = load_str(&e.text, "hosts/h/glix.toml").expect_err(&e.path.display().to_string());
        let loc = err.location.unwrap_or_else(|| panic!("{}: no location in {err}", e.path.display()));
        assert_eq!(loc.line, line, "{}: {err}", e.path.display());
        assert!(loc.column >= 1);
        let shown = err.to_string();
        assert!(shown.starts_with(&format!("hosts/h/glix.toml:{line}:{}: ", loc.column)), "{shown}");
        assert!(shown.contains(&msg), "{}: expected {msg:?} in {shown}", e.path.display());
    }
}

#[test]
fn schema0_migrates_on_load_and_in_the_file() {
    let path = repo_root().join("tests/corpus/manifests/valid/schema0.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = load_str(&text, "x").unwrap();
    assert_eq!(loaded.file_schema, 0);
    assert_eq!(loaded.packages["editor"].flake.as_deref(), Some("github:owner/editor"));
    assert_eq!(loaded.packages["editor"].input.as_deref(), Some("editor"));
    assert_eq!(loaded.packages["editor"].user.as_deref(), Some("alice"));

    let migrated = ManifestDoc::migrate(&text, "x").unwrap().expect("schema 0 needs migrating");
    let out = migrated.text();
    // Comments survive, `url` became `flake` in place, the input is recorded.
    assert!(out.contains("schema = 1"), "{out}");
    assert!(out.contains("# An old (schema 0) manifest"), "{out}");
    assert!(out.contains("# the editor\n[packages.editor]\nflake = \"github:owner/editor\" # keep this comment\ninput = \"editor\"\n"), "{out}");
    assert!(!out.contains("url ="), "{out}");
    // The migrated file says exactly what loading the old one did.
    let reloaded = load_str(&out, "x").unwrap();
    assert_eq!(reloaded.file_schema, CURRENT_SCHEMA);
    assert_eq!(reloaded.packages, loaded.packages);
    assert_eq!(reloaded.host, loaded.host);
    // A current file needs nothing.
    assert!(ManifestDoc::migrate(&out, "x").unwrap().is_none());
}

#[test]
fn migration_gives_colliding_repos_distinct_inputs() {
    let path = repo_root().join("tests/corpus/manifests/valid/schema0-collision.toml");
    let m = load_str(&std::fs::read_to_string(path).unwrap(), "x").unwrap();
    let a = &m.packages["tool-a"].input;
    let b = &m.packages["tool-b"].input;
    assert_eq!(a.as_deref(), Some("tool"));
    assert_ne!(a, b);
}

#[test]
fn editing_an_old_schema_asks_for_glix_migrate() {
    let path = repo_root().join("tests/corpus/manifests/valid/schema0.toml");
    let err = ManifestDoc::parse(&std::fs::read_to_string(path).unwrap(), "hosts/h/glix.toml").unwrap_err();
    assert!(err.to_string().contains("is at schema 0"), "{err}");
    // what to do is the hint (the CLI's `hint:` line)
    assert!(err.hint().unwrap().contains("run `glix migrate`"), "{err}");
    assert_eq!(err.kind(), "old-schema");
}
