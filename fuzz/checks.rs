//! The properties the fuzz targets check, shared with tests/fuzz_regressions.rs (which
//! replays every crash ever found, through `#[path]`).
#![allow(dead_code)]

use std::collections::BTreeMap;

/// The manifest loader never panics; what it accepts serializes.
pub fn manifest_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(m) = glix::manifest::load_str(text, "fuzz") {
        // The plugin hands exactly this to Nix: it must always serialize.
        serde_json::to_value(&m).expect("a loaded manifest serializes");
        for p in m.packages.values() {
            assert!(glix::ident::is_valid_name(&p.name) && p.input.as_deref().is_none_or(glix::ident::is_valid_name));
            // An input exactly when a flake; a module has an output, a package an attr.
            assert_eq!(p.input.is_some(), p.flake.is_some());
            assert_eq!(p.output.is_some(), p.kind == glix::manifest::Kind::Module);
            assert_eq!(p.attr.is_some(), p.kind == glix::manifest::Kind::Package);
        }
    }
}

/// The flake-reference parser never panics; what it accepts round-trips through its
/// canonical URL and gets a valid input name.
pub fn flakeref_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(r) = glix::flakeref::FlakeRef::parse(text) {
        let url = r.to_url();
        let again = glix::flakeref::FlakeRef::parse(&url).expect("a canonical URL parses");
        assert_eq!(again, r, "{text:?} -> {url:?}");
        assert!(glix::ident::is_valid_name(&glix::flakeref::canonical_input_name(&r)));
    }
}

/// The patcher refuses or patches; a patched file differs from the input only inside
/// the two regions' bodies.
pub fn patch_flake(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // First line: "name url" pairs separated by ';' (the desired inputs); the rest is
    // the flake.nix.
    let (spec, flake) = text.split_once('\n').unwrap_or(("", text));
    let mut desired = glix::flake::Desired::default();
    for pair in spec.split(';') {
        if let Some((n, u)) = pair.split_once(' ') {
            desired.inputs.insert(n.to_string(), u.to_string());
        }
    }
    desired.hosts = BTreeMap::from([("laptop".to_string(), "x86_64-linux".to_string())]);
    if let Ok(out) = glix::flake::patch(flake, &desired) {
        let before = glix::flake::locate(flake).expect("patch accepted it, so locate does");
        let after = glix::flake::locate(&out).expect("the output still has its markers");
        let outside = |t: &str, l: &glix::flake::Located| {
            // The text outside every region body (two or three of them).
            let mut out = String::new();
            let mut at = 0;
            for span in l.in_file_order() {
                out.push_str(&t[at..span.body.start]);
                at = span.body.end;
            }
            out.push_str(&t[at..]);
            out
        };
        assert_eq!(outside(flake, &before), outside(&out, &after));
        assert_eq!(glix::flake::patch(&out, &desired).ok().as_deref(), Some(out.as_str()), "patching is idempotent");
    }
}
