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

/// The input name of an entry written by hand without `input`: nix/lib/inputName.nix
/// (the fallback) gives the name src/flakeref/name.rs does (and the plugin's
/// glixInputName), for each kind of reference.
#[test]
fn fallback_nix_derives_the_input_names_glix_does() {
    let refs = [
        "github:owner/Cool.Pkg",
        "github:NixOS/nixpkgs/nixos-24.11",
        "gitlab:group/my_repo?dir=nix",
        "sourcehut:~user/tool",
        "path:/home/zoe/My.Flake",
        "path:/srv/flakes/2fast",
        "git+https://example.com/tools/b.git?dir=sub/Module",
        "git+ssh://git@example.com:2222/x/Repo.git",
        "git+file:///home/zoe/dotfiles",
        "hg+https://hg.example.com/proj",
        "https://example.com/owner/repo/archive/v1.2.tar.gz",
        "https://example.com/releases/tool-1.0.tar.xz",
        "https://example.com/",
        "tarball+https://example.com/a/else.zip",
        "github:o/let",
        "github:o/----",
        "git+https://[2001:db8::1]:8080/",
        "github:o/a-really-long-repository-name-that-goes-on-and-on-beyond-forty-eight",
    ];
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("refs.json");
    std::fs::write(&json, serde_json::to_string(&refs).unwrap()).unwrap();
    let expr = format!("map (import {}) (builtins.fromJSON (builtins.readFile {}))", repo_root().join("nix/lib/inputName.nix").display(), json.display());
    let out = nix_eval_json(&expr, false);
    assert!(out.status.success(), "nix eval: {}", String::from_utf8_lossy(&out.stderr));
    let nix: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    let rust: Vec<String> = refs.iter().map(|r| glix::flakeref::canonical_input_name(&glix::flakeref::FlakeRef::parse(r).unwrap())).collect();
    let disagree: Vec<String> =
        refs.iter().zip(rust.iter().zip(&nix)).filter(|(_, (a, b))| a != b).map(|(r, (a, b))| format!("{r}: glix {a}, fallback {b}")).collect();
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
