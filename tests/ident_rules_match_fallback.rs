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

/// What Nix versions read differently (src/flakeref/portable.rs): nix/lib/flakePolicy.nix
/// refuses it in glix's words. A reference the running Nix's own parseFlakeRef refuses
/// never reaches the fallback's rules (that Nix stops it first), so each reference is its
/// own `nix eval` and such a refusal counts as agreeing.
#[test]
fn fallback_nix_refuses_what_nix_versions_read_differently_as_glix_does() {
    let refs = [
        "git+https://git.example.com/o/r.git",
        "git+ssh://git@example.com:2222/o/r.git",
        "git+https://user:secret@example.com/o/r",
        "git+https://[::1]:8080/o/r",
        "git+https://[fe80::1%25eth0]/o/r",
        "https://dl.example/x.tar.gz",
        "git+https://git+mirror.example/o/r.git",
        "hg+https://a,b/r",
        "https://a$b/x.tar.gz",
        "git+https://u+x@example.com/o/r",
        "git+https://example.com:99999/o/r",
        "git+https://example.com:0/o/r",
        "github:o/r?ref=main",
        "github:o/r/release/2.31",
        "github:NixOS/nixpkgs?ref=nixos-24.05",
        "github:o/r?ref=feature//x",
        "github:o/r?ref=a..b",
        "github:o/r?ref=v1.",
        "github:o/r?ref=-x",
        "github:o/r?ref=x.lock",
        "gitlab:o/r?ref=.hidden/x",
        "git+https://example.com/o/r?ref=a@{1}",
        "git+https://example.com/o/r?ref=-x",
        "sourcehut:~u/r?ref=a~1",
        "flake:nixpkgs/a..b",
        "github:a%2Fb/c",
        "gitlab:group%2Fsubgroup/project",
        "sourcehut:~u/r%2fx",
        "github:o/r/feature%2Fx",
        "git+https://example.com/a%2Fb/r.git",
        "https://example.com/x%2Fy/a.tar.gz",
        "path:/srv/x%2Fy",
        "flake:nixpkgs%2Fx",
        "github:o/r/0123456789ABCDEF0123456789ABCDEF01234567",
        "github:o/r?rev=0123456789ABCDEF0123456789ABCDEF01234567",
        "gitlab:o/r?rev=sha1:0123456789abcdef0123456789abcdef01234567",
        "sourcehut:~u/r?rev=sha1-ASNFZ4mrze8BI0VniavN7wEjRWc=",
        "github:o/r/0123456789abcdef0123456789abcdef01234567",
        "git+https://example.com/o/r?rev=0123456789ABCDEF0123456789ABCDEF01234567",
    ];
    let policy = repo_root().join("nix/lib/flakePolicy.nix");
    let mut disagree = Vec::new();
    let mut compared = 0;
    for r in refs {
        let glix = match glix::flakeref::FlakeRef::parse(r) {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        let out = nix_eval_json(&format!("(import {}).check {}", policy.display(), nix_str(r)), false);
        if !out.status.success() {
            // This Nix refuses it itself; glix must refuse it too.
            if glix.is_none() {
                disagree.push(format!("{r}: glix accepts it, this Nix refuses it: {}", String::from_utf8_lossy(&out.stderr)));
            }
            continue;
        }
        compared += 1;
        let nix: Option<String> = serde_json::from_slice(&out.stdout).unwrap();
        let glix_portability = glix.filter(|m| m.contains("means different things to different Nix versions"));
        if nix != glix_portability {
            disagree.push(format!("{r}: glix says {glix_portability:?}, flakePolicy.nix says {nix:?}"));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    assert!(compared >= 12, "only {compared} references reached the fallback's rules");
}
