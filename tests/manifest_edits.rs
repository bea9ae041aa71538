//! Format-preserving edits: whatever a person wrote outside the entry glix edits
//! (comments, order, blank lines, unknown keys) survives byte for byte, and nothing
//! thrown at the loader makes it panic.

use std::collections::BTreeMap;

use glix::manifest::{load_str, Kind, ManifestDoc, Package, Scope, Source};
use proptest::prelude::*;

/// Split a manifest into its sections: the preamble (before the first `[` header) and
/// one entry per table header, keyed by the header line. Blank and comment lines just
/// above a header belong to that header's section (a comment above a package is about
/// it, and goes when the package goes).
fn sections(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut key = String::from("<preamble>");
    let mut body: Vec<&str> = Vec::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            let keep = body.iter().rposition(|l| !(l.trim().is_empty() || l.trim_start().starts_with('#'))).map_or(0, |i| i + 1);
            let leading = body.split_off(keep);
            out.insert(std::mem::replace(&mut key, line.trim_end().to_string()), body.concat());
            body = leading;
        }
        body.push(line);
    }
    let body = body.concat();
    out.insert(key, body);
    out
}

/// A generated package: name, home scope?, config pairs, a comment.
type GenPackage = (String, bool, Vec<(String, String)>, String);

/// A manifest with comments everywhere, unknown keys and `n` packages.
fn manifest_text(pkgs: &[GenPackage]) -> String {
    let mut t = String::from("# my laptop\n\nschema = 1 # current\nunknown-top = \"kept\"\n\n[host] # host\ndefault-user = \"alice\"\n\n");
    for (name, home, config, comment) in pkgs {
        t.push_str(&format!("# {comment}\n[packages.{name}]\nflake = \"github:o/{name}\"  # {comment}\ninput = \"{name}\"\n"));
        if *home {
            t.push_str("scope = \"home\"\n");
        }
        t.push_str(&format!("extra-{name} = [1, 2]\n\n"));
        if !config.is_empty() {
            t.push_str(&format!("[packages.{name}.config] # cfg\n"));
            for (k, v) in config {
                t.push_str(&format!("{k} = \"{v}\"\n"));
            }
            t.push('\n');
        }
    }
    t
}

fn pkg_strategy() -> impl Strategy<Value = Vec<GenPackage>> {
    proptest::collection::btree_map(
        "[a-z][a-z0-9-]{0,8}",
        (any::<bool>(), proptest::collection::vec(("[a-z]{1,6}", "[ -~&&[^\"\\\\]]{0,10}"), 0..3), "[ -~]{0,20}"),
        1..8,
    )
    .prop_filter("package names are valid names", |m| m.keys().all(|k| glix::ident::is_valid_name(k)))
    .prop_map(|m| {
        m.into_iter()
            .map(|(name, (home, config, comment))| {
                let config: BTreeMap<_, _> = config.into_iter().collect();
                (name, home, config.into_iter().collect(), comment)
            })
            .collect()
    })
}

fn new_package(name: &str) -> Package {
    Package {
        name: name.to_string(),
        kind: Kind::Module,
        flake: Some(format!("github:o/{name}")),
        input: Some(name.to_string()),
        scope: Scope::Home,
        user: Some("bob".into()),
        source: Source::Registry,
        output: Some("homeManagerModules.default".into()),
        attr: None,
        follow_nixpkgs: false,
        enable: true,
        config: [("k".to_string(), "v \"quoted\" ${x}".to_string())].into(),
    }
}

/// The package entries `glix add` writes: one of the host's nixpkgs, one of a flake
/// (following the repo's nixpkgs, or not).
fn new_packages() -> [Package; 3] {
    let base = Package { kind: Kind::Package, output: None, config: BTreeMap::new(), scope: Scope::System, user: None, ..new_package("x") };
    [
        Package { name: "rg".into(), flake: None, input: None, attr: Some("ripgrep".into()), source: Source::Nixpkgs, ..base.clone() },
        Package {
            name: "req".into(),
            flake: None,
            input: None,
            attr: Some("python3Packages.requests".into()),
            scope: Scope::Home,
            user: Some("bob".into()),
            ..base.clone()
        },
        Package { name: "tool".into(), attr: Some("default".into()), follow_nixpkgs: true, ..base.clone() },
    ]
}

/// Every section but the ones about `edited` is unchanged.
fn assert_only_edited_changed(before: &str, after: &str, edited: &str) {
    let (b, a) = (sections(before), sections(after));
    let touched = |k: &str| k.starts_with(&format!("[packages.{edited}]")) || k.starts_with(&format!("[packages.{edited}.config]"));
    for (k, v) in &b {
        if touched(k) {
            continue;
        }
        // (blank lines at a section's end may move to the section after it)
        let same = a.get(k).is_some_and(|x| x.trim_end() == v.trim_end());
        assert!(same, "section {k} changed:\n--- before\n{before}\n--- after\n{after}");
    }
    for k in a.keys() {
        assert!(b.contains_key(k) || touched(k), "unexpected new section {k}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn adding_a_package_keeps_every_other_byte(pkgs in pkg_strategy()) {
        let text = manifest_text(&pkgs);
        let mut doc = ManifestDoc::parse(&text, "m").unwrap();
        doc.add_package(&new_package("zz-new")).unwrap();
        let out = doc.text();
        assert!(out.starts_with(&text), "an added package is appended:\n{out}");
        assert_only_edited_changed(&text, &out, "zz-new");
        let m = load_str(&out, "m").unwrap();
        prop_assert_eq!(&m.packages["zz-new"], &new_package("zz-new"));
    }

    #[test]
    fn removing_a_package_keeps_every_other_byte(pkgs in pkg_strategy(), pick in any::<prop::sample::Index>()) {
        let text = manifest_text(&pkgs);
        let name = pkgs[pick.index(pkgs.len())].0.clone();
        let mut doc = ManifestDoc::parse(&text, "m").unwrap();
        doc.remove_package(&name).unwrap();
        let out = doc.text();
        assert_only_edited_changed(&text, &out, &name);
        prop_assert!(!load_str(&out, "m").unwrap().packages.contains_key(&name));
    }

    #[test]
    fn config_and_enable_edits_touch_only_their_package(pkgs in pkg_strategy(), pick in any::<prop::sample::Index>(), value in "[ -~]{0,12}") {
        let text = manifest_text(&pkgs);
        let name = pkgs[pick.index(pkgs.len())].0.clone();
        let mut doc = ManifestDoc::parse(&text, "m").unwrap();
        doc.set_config(&name, &[("newkey".into(), value.clone())]).unwrap();
        doc.set_enable(&name, false).unwrap();
        let out = doc.text();
        assert_only_edited_changed(&text, &out, &name);
        let m = load_str(&out, "m").unwrap();
        prop_assert_eq!(&m.packages[&name].config["newkey"], &value);
        prop_assert!(!m.packages[&name].enable);
        // and back: unsetting restores the package's config exactly
        doc.unset_config(&name, &["newkey".into()]).unwrap();
        doc.set_enable(&name, true).unwrap();
        let back = load_str(&doc.text(), "m").unwrap();
        prop_assert_eq!(&back.packages, &load_str(&text, "m").unwrap().packages);
    }

    #[test]
    fn the_loader_never_panics(s in "(?s).{0,400}") {
        let _ = load_str(&s, "fuzz");
    }

    #[test]
    fn the_loader_never_panics_on_near_manifests(s in "schema = [01]\n(\\[(host|packages\\.[a-z\"]{1,4}(\\.config)?)\\]\n([a-z-]{1,8} = (\"[a-z:/]{0,12}\"|[0-9]{1,3}|true|\\[\\]|\\{\\}|1979-05-27)\n){0,4}){0,4}") {
        let _ = load_str(&s, "fuzz");
    }
}

#[test]
fn edits_keep_comments_on_changed_values() {
    let text = "schema = 1\n[packages.a]\nflake = \"github:o/a\"\ninput = \"a\"\nenable = true # on for now\n";
    let mut doc = ManifestDoc::parse(text, "m").unwrap();
    doc.set_enable("a", false).unwrap();
    assert_eq!(doc.text(), text.replace("enable = true # on for now", "enable = false # on for now"));
}

#[test]
fn an_edit_that_would_make_the_manifest_invalid_is_refused_and_changes_nothing() {
    let text = "schema = 1\n[packages.a]\nflake = \"github:o/a\"\ninput = \"a\"\n";
    let mut doc = ManifestDoc::parse(text, "m").unwrap();
    let err = doc.set_field("a", "scope", "universe".into()).unwrap_err();
    assert!(err.to_string().contains("`scope` must be"), "{err}");
    assert_eq!(doc.text(), text);
    assert!(doc.add_package(&new_package("a")).unwrap_err().to_string().contains("already"));
    assert!(doc.remove_package("nope").unwrap_err().to_string().contains("no package named 'nope'"));
}

/// A manifest with a comment on every line that an edit could disturb.
const TWO_PACKAGES: &str = "# laptop\nschema = 1\n\n# first\n[packages.a]\nflake = \"github:o/a\" # main\ninput = \"a\"\nenable = true # on for now\n\n[packages.b] # second\nflake = \"github:o/b\"\ninput = \"b\"\n";

/// `refuse` is refused with a message containing `why` and leaves the document usable:
/// the model is as before, and a following valid edit gives exactly the text and model
/// that edit alone gives.
fn assert_refusal_leaves_the_document_usable(refuse: impl FnOnce(&mut ManifestDoc) -> String, why: &str) {
    let mut doc = ManifestDoc::parse(TWO_PACKAGES, "m").unwrap();
    let before = doc.manifest().clone();
    let err = refuse(&mut doc);
    assert!(err.contains(why), "{err}");
    assert_eq!(doc.manifest(), &before, "the refused edit changed the model");
    doc.set_enable("a", false).unwrap();
    let expected = TWO_PACKAGES.replace("enable = true # on for now", "enable = false # on for now");
    assert_eq!(doc.text(), expected);
    assert_eq!(doc.manifest(), &load_str(&expected, "m").unwrap());
}

#[test]
fn a_refused_field_value_leaves_the_document_usable() {
    assert_refusal_leaves_the_document_usable(|doc| doc.set_field("b", "scope", "universe".into()).unwrap_err().to_string(), "`scope` must be");
}

#[test]
fn a_package_whose_input_clashes_is_refused_and_leaves_the_document_usable() {
    // `c` would use input `b` for another flake than package `b` does.
    let clash = Package { input: Some("b".into()), ..new_package("c") };
    assert_refusal_leaves_the_document_usable(|doc| doc.add_package(&clash).unwrap_err().to_string(), "both use input 'b' but for different flakes");
}

#[test]
fn package_entries_round_trip_through_the_file() {
    let mut doc = ManifestDoc::new_host(Some("bob"), Some("x86_64-linux"), "m").unwrap();
    for p in new_packages() {
        doc.add_package(&p).unwrap();
    }
    let out = doc.text();
    // Only what differs from the defaults is written: no input for nixpkgs, no
    // follow-nixpkgs line where it is the default, no user that is the default user.
    assert!(out.contains("[packages.rg]\nkind = \"package\"\nattr = \"ripgrep\"\nscope = \"system\"\nsource = \"nixpkgs\"\n"), "{out}");
    assert!(!out.contains("follow-nixpkgs"), "{out}");
    let m = load_str(&out, "m").unwrap();
    for p in new_packages() {
        assert_eq!(m.packages[&p.name], p);
    }
    let mut doc = ManifestDoc::parse(&out, "m").unwrap();
    doc.add_package(&Package {
        name: "own".into(),
        follow_nixpkgs: false,
        flake: Some("github:o/own".into()),
        input: Some("own".into()),
        ..new_packages()[2].clone()
    })
    .unwrap();
    assert!(doc.text().ends_with("follow-nixpkgs = false\n"), "{}", doc.text());
}

#[test]
fn package_entries_that_cannot_work_are_refused_with_the_line() {
    let cases = [
        ("kind = \"tool\"\nattr = \"x\"", "`kind` must be \"module\" or \"package\""),
        ("kind = \"package\"", "missing `attr`"),
        ("kind = \"package\"\nattr = \"x\"\noutput = \"nixosModules.default\"", "`output` is for modules"),
        ("attr = \"x\"\nflake = \"github:o/r\"\ninput = \"r\"", "`attr` is for packages"),
        ("kind = \"package\"\nattr = \"x\"\ninput = \"r\"", "without a `flake`"),
        ("kind = \"package\"\nattr = \"x\"\nfollow-nixpkgs = true", "`follow-nixpkgs` needs a `flake`"),
        ("kind = \"package\"\nattr = \"x\"\n[packages.p.config]\nk = \"v\"", "a package takes no `config`"),
        ("kind = \"package\"\nattr = \"a..b\"", "is not an attribute path"),
    ];
    for (body, want) in cases {
        let text = format!("schema = 1\n[packages.p]\n{body}\n");
        let e = load_str(&text, "m").unwrap_err().to_string();
        assert!(e.contains(want) && e.contains("m:"), "{body:?}: {e}");
    }
}

#[test]
fn a_new_host_manifest_is_valid_and_commented() {
    let doc = ManifestDoc::new_host(Some("alice"), Some("x86_64-linux"), "m").unwrap();
    assert!(doc.text().starts_with("# Packages of this host"));
    assert_eq!(doc.manifest().host.default_user.as_deref(), Some("alice"));
    assert_eq!(doc.manifest().host.system.as_deref(), Some("x86_64-linux"));
}

#[test]
fn saving_is_atomic_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("glix.toml");
    let mut doc = ManifestDoc::new_host(Some("alice"), None, "m").unwrap();
    doc.add_package(&new_package("x")).unwrap();
    glix::manifest::save::save(&doc, &p).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), doc.text());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}
