//! nix/lib/fallback.nix validates manifests without the plugin, with regexes of its
//! own; src/ident.rs is the reference. Every sample of `glix::ident::samples()` goes
//! through the matching fallback function with the real Nix 2.26.3, and both must say
//! the same — so a manifest the plugin refuses is refused without it too, and the
//! other way round.

mod common;

use common::*;
use glix::ident::{samples, Rule};

#[test]
fn fallback_nix_judges_every_sample_as_ident_rs_does() {
    let samples = samples();
    // The samples reach Nix as JSON, so the strings it sees are exactly these bytes
    // (unicode, newlines and quotes included), with no escaping of our own in between.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("samples.json");
    let list: Vec<serde_json::Value> = samples.iter().map(|s| serde_json::json!({ "f": s.rule.fallback_function(), "v": s.value })).collect();
    std::fs::write(&json, serde_json::to_string(&list).unwrap()).unwrap();
    let expr = format!(
        "let rules = (import {fallback}).rules; in map (s: rules.${{s.f}} s.v) (builtins.fromJSON (builtins.readFile {json}))",
        fallback = repo_root().join("nix/lib/fallback.nix").display(),
        json = json.display(),
    );
    let out = nix_eval_json(&expr, false);
    assert!(out.status.success(), "nix eval: {}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdicts.len(), samples.len());

    let disagree: Vec<String> = samples
        .iter()
        .zip(&verdicts)
        .filter(|(s, nix)| s.rule.accepts(&s.value) != **nix)
        .map(|(s, nix)| format!("{}({:?}): ident.rs says {}, fallback.nix says {nix}", s.rule.fallback_function(), s.value, s.rule.accepts(&s.value)))
        .collect();
    assert!(disagree.is_empty(), "fallback.nix and src/ident.rs disagree:\n{}", disagree.join("\n"));
    // and the table means what it says (ident.rs's own tests check the same)
    assert!(samples.iter().all(|s| s.rule.accepts(&s.value) == s.valid));
    for rule in Rule::ALL {
        assert!(samples.iter().any(|s| s.rule == rule), "{rule:?} has samples");
    }
}
