//! Unit and property tests for `flakeref`. The comparison with the real Nix lives in
//! `tests/flakeref_oracle.rs`.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::json;

use super::*;
use crate::ident::{is_valid_name, NIX_KEYWORDS};

const REV: &str = "0123456789abcdef0123456789abcdef01234567";
const NAR: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn attrs(s: &str) -> BTreeMap<String, serde_json::Value> {
    FlakeRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).attrs()
}

fn obj(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    serde_json::from_value(v).unwrap()
}

#[test]
fn forge_refs_split_into_owner_repo_ref_rev() {
    assert_eq!(attrs("github:NixOS/nixpkgs/23.05?dir=lib"), obj(json!({"type": "github", "owner": "NixOS", "repo": "nixpkgs", "ref": "23.05", "dir": "lib"})));
    assert_eq!(attrs(&format!("gitlab:o/r/{REV}")), obj(json!({"type": "gitlab", "owner": "o", "repo": "r", "rev": REV})));
    // After owner/repo, '%2F' reads as '/' to every Nix (2.33 prints it so).
    assert_eq!(attrs("github:o/r/feature%2Fx")["ref"], json!("feature/x"));
    assert_eq!(
        attrs("sourcehut:~sircmpwn/hare?ref=feature/x&host=git.example.org"),
        obj(json!({"type": "sourcehut", "owner": "~sircmpwn", "repo": "hare", "ref": "feature/x", "host": "git.example.org"}))
    );
    assert_eq!(attrs("github:o/r/a/b/c")["ref"], json!("a/b/c"));
}

#[test]
fn git_urls_keep_their_url_and_flags() {
    assert_eq!(
        attrs("git+https://example.com/o/r.git?ref=main&submodules=1&dir=sub"),
        obj(json!({"type": "git", "url": "https://example.com/o/r.git", "ref": "main", "submodules": true, "dir": "sub"}))
    );
    assert_eq!(
        attrs(&format!("git+ssh://git@example.com/o/r?rev={REV}&shallow=0")),
        obj(json!({"type": "git", "url": "ssh://git@example.com/o/r", "rev": REV, "shallow": false}))
    );
    assert_eq!(attrs("git+file:///srv/repo")["url"], json!("file:///srv/repo"));
}

#[test]
fn paths_tarballs_and_registry_refs() {
    assert_eq!(attrs(&format!("path:/srv/flake?revCount=3&narHash={NAR}")), obj(json!({"type": "path", "path": "/srv/flake", "revCount": 3, "narHash": NAR})));
    assert_eq!(attrs("https://example.com/x/foo-1.0.tar.gz"), obj(json!({"type": "tarball", "url": "https://example.com/x/foo-1.0.tar.gz"})));
    assert_eq!(attrs("file+https://example.com/f")["type"], json!("file"));
    assert_eq!(attrs("nixpkgs/nixos-24.05"), obj(json!({"type": "indirect", "id": "nixpkgs", "ref": "nixos-24.05"})));
    assert!(FlakeRef::parse("flake:nixpkgs").unwrap().is_indirect());
}

#[test]
fn junk_is_rejected_with_a_reason() {
    for (input, needle) in [
        ("foo:bar", "unsupported flake reference type 'foo:'"),
        ("github:o", "needs an owner and a repository"),
        ("github:o/r/bad ref", "not a valid URL"),
        ("github:o/r/v1?rev=abc", "not a commit hash"),
        (&format!("github:o/r/v1?rev={REV}"), "both a commit hash and a branch"),
        ("github:o/r#pkg", "unexpected '#pkg'"),
        ("", "empty flake reference"),
        ("./foo", "write path:/absolute/path"),
        ("githb:o/r", "did you mean 'github:'"),
        ("nixpkgs?dir=lib", "write flake:nixpkgs?dir=lib"),
    ] {
        let err = FlakeRef::parse(input).expect_err(input).to_string();
        assert!(err.contains(needle), "{input:?}: {err}");
    }
}

#[test]
fn edit_distance_counts_edits() {
    assert_eq!(edit_distance("", ""), 0);
    assert_eq!(edit_distance("abc", ""), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("cool-pkg", "cool-pgk"), 2);
    assert_eq!(edit_distance("ünï", "uni"), 2);
}

#[test]
fn glix_refuses_what_nix_would_misread() {
    for input in [
        "/srv/flake",
        "path:./foo",
        "git+file:relative",
        "github:o/r?dri=lib",
        "github:o/r?dir=a%22b",
        "github:o/r?dir=%24%7Bx%7D",
        "github:o/r?dir=a%0Ab",
        "github:o/r?ref=a&ref=b",
        "git+https://example.com/r?submodules=true",
        "git+https://example.com/r?rev=junk",
        "github:o/r?narHash=junk",
        "git+ssh:git@github.com:o/r",
        "git+https://",
        "https://example.com/a.tar.gz?unpack=0",
        // Nix 2.33 reads these otherwise (portable.rs)
        "github:a%2Fb/c",
        "git+https://example.com/a%2Fb/r",
        "path:/srv/a%2Fb",
        "gitlab:o/r/0123456789ABCDEF0123456789ABCDEF01234567",
        "github:o/r?rev=sha1:0123456789abcdef0123456789abcdef01234567",
    ] {
        let err = FlakeRef::parse(input).expect_err(input);
        assert!(err.is_policy(), "{input}: {err}");
        assert!(nix_parse_attrs(input).is_ok(), "{input}: Nix accepts this");
    }
}

#[test]
fn stem_examples() {
    for (input, stem) in [
        ("github:NixOS/nixpkgs", "nixpkgs"),
        ("github:o/Cool.Pkg/v2?dir=modules/Home", "cool-pkg-home"),
        ("git+https://example.com/o/my-tool.git", "my-tool"),
        ("git+ssh://git@example.com/o/r.git/", "r"),
        ("https://example.com/dl/foo-1.2.tar.gz", "foo-1-2"),
        ("https://github.com/o/repo/archive/v1.0.tar.gz", "repo"),
        ("https://example.com", "example-com"),
        ("path:/srv/flakes/2048", "input-2048"),
        ("path:/", "input"),
        ("nixpkgs", "nixpkgs"),
        ("github:o/if", "input-if"),
        ("github:o/self", "input-self"),
        ("github:o/%C3%A9t%C3%A9", "t"),
    ] {
        let r = FlakeRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.stem(), stem, "{input}");
        assert!(is_valid_name(&r.stem()));
    }
    let long = FlakeRef::parse(&format!("github:o/{}", "x".repeat(200))).unwrap();
    assert_eq!(long.stem().len(), 48);
}

#[test]
fn a_name_cut_back_to_a_keyword_is_not_a_keyword() {
    // Longer than a stem may be (48 bytes): the cut lands in the dashes, and trimming
    // them leaves `else` (as the fuzzer found); without the `b`, trimming alone does.
    let dashes = "-".repeat(60);
    for repo in [format!("else{dashes}b"), format!("else{dashes}")] {
        let r = FlakeRef::parse(&format!("github:o/{repo}")).unwrap();
        let name = canonical_input_name(&r);
        assert_eq!(name, "input-else", "{repo}");
        assert!(!NIX_KEYWORDS.contains(&name.as_str()));
        assert!(is_valid_name(&name));
    }
}

#[test]
fn input_name_falls_back_in_order() {
    let r = FlakeRef::parse("github:alice/tool").unwrap();
    assert_eq!(canonical_input_name(&r), "tool");
    assert_eq!(input_name(&r, |n| n == "tool"), "alice-tool");
    let hashed = input_name(&r, |n| n == "tool" || n == "alice-tool");
    assert!(hashed.starts_with("tool-") && hashed.len() == "tool-".len() + 8, "{hashed}");
    let used = ["tool", "alice-tool", hashed.as_str(), "tool-2"];
    assert_eq!(input_name(&r, |n| used.contains(&n)), "tool-3");
}

/// A reference generator for the property tests: every input type, with the parameters
/// that matter, including ones that share stems and owners.
fn arb_ref() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z][a-zA-Z0-9._-]{0,10}";
    let rev = "[0-9a-f]{40}";
    // A branch or tag name Git accepts (see `portable`): no trailing '.', no '..'.
    let git_ref = "[a-zA-Z][a-zA-Z0-9_-]{0,6}(\\.[0-9]{1,2}){0,2}";
    prop_oneof![
        (prop::sample::select(vec!["github", "gitlab", "sourcehut"]), word, word, prop::option::of(git_ref), prop::option::of(word)).prop_map(
            |(k, o, r, rf, d)| {
                let mut s = format!("{k}:{o}/{r}");
                if let Some(rf) = rf {
                    s += &format!("/{rf}");
                }
                if let Some(d) = d {
                    s += &format!("?dir={d}");
                }
                s
            }
        ),
        (prop::sample::select(vec!["https", "ssh", "http", "file"]), word, word, prop::option::of(rev), prop::bool::ANY).prop_map(|(t, h, p, rev, sub)| {
            let host = if t == "file" { String::new() } else { format!("{h}.example") };
            let mut s = format!("git+{t}://{host}/{p}.git?submodules={}", sub as u8);
            if let Some(rev) = rev {
                s += &format!("&rev={rev}");
            }
            s
        }),
        (word, word).prop_map(|(a, b)| format!("path:/{a}/{b}")),
        (word, prop::sample::select(vec![".tar.gz", ".zip", ""])).prop_map(|(a, e)| format!("https://dl.example/{a}{e}")),
        (word, prop::option::of(rev)).prop_map(|(id, rev)| match rev {
            Some(rev) => format!("flake:{}/{rev}", id.replace('.', "")),
            None => format!("flake:{}", id.replace('.', "")),
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = FlakeRef::parse(&s).map(|r| (r.to_url(), r.stem(), canonical_input_name(&r)));
        let _ = nix_parse_attrs(&s);
    }

    #[test]
    fn never_panics_on_url_shaped_strings(s in "[a-z+]{1,12}:[ -~]{0,40}") {
        if let Ok(r) = FlakeRef::parse(&s) {
            let _ = (r.to_url(), r.stem(), canonical_input_name(&r));
        }
    }

    #[test]
    fn accepted_refs_round_trip_and_stay_safe(s in prop_oneof![arb_ref(), "[a-z+]{1,12}:[ -~]{0,40}"]) {
        if let Ok(r) = FlakeRef::parse(&s) {
            let url = r.to_url();
            let again = FlakeRef::parse(&url);
            prop_assert_eq!(again.as_ref(), Ok(&r), "{} -> {}", s, url);
            prop_assert!(url.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b'"' && b != b'\\'), "{}", url);
            prop_assert!(!url.contains("${"), "{}", url);
            prop_assert!(is_valid_name(&r.stem()));
        }
    }
}

#[test]
fn generated_refs_round_trip() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..3000 {
        let s = arb_ref().new_tree(&mut runner).unwrap().current();
        let r = FlakeRef::parse(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(FlakeRef::parse(&r.to_url()).as_ref(), Ok(&r), "{s} -> {}", r.to_url());
    }
}

const LONG_REPO: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

#[test]
fn huge_inputs_are_handled_without_recursion_or_panic() {
    let huge = format!("github:o/r?dir={}", "a/".repeat(500_000));
    let r = FlakeRef::parse(&huge).unwrap();
    assert!(is_valid_name(&canonical_input_name(&r)));
    assert!(FlakeRef::parse(&"%".repeat(1_000_000)).is_err());
    assert!(FlakeRef::parse(&format!("/{}", "#\n".repeat(100_000))).is_err());
}

/// Names assigned the way glix does it: in order, each ref avoiding names that other refs
/// already hold.
fn assign_names(refs: &[FlakeRef]) -> Vec<String> {
    let mut holder: HashMap<String, FlakeRef> = HashMap::new();
    refs.iter()
        .map(|r| {
            let name = input_name(r, |n| holder.get(n).is_some_and(|h| h != r));
            holder.insert(name.clone(), r.clone());
            name
        })
        .collect()
}

#[test]
fn input_names_are_deterministic_and_collision_free() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    // Few distinct words, so stems, owners and even hashes-with-stems collide often.
    let strat = (
        prop::sample::select(vec!["github", "gitlab", "git+https", "https", "path"]),
        prop::sample::select(vec!["alice", "bob", "Alice", "9lives"]),
        prop::sample::select(vec!["tool", "Tool", "tool.git", "if", LONG_REPO]),
        prop::sample::select(vec!["", "?dir=sub", "?dir=a/sub", "/v1", "/v2"]),
    )
        .prop_map(|(k, o, r, extra)| match k {
            "github" | "gitlab" => format!("{k}:{o}/{r}{extra}"),
            "git+https" => format!("git+https://{o}.example/{r}{}", extra.replace('/', "?ref=")),
            "https" => format!("https://{o}.example/{r}.tar.gz"),
            _ => format!("path:/{o}/{r}"),
        });
    let mut refs = Vec::new();
    while refs.len() < 1500 {
        let s = strat.new_tree(&mut runner).unwrap().current();
        if let Ok(r) = FlakeRef::parse(&s) {
            refs.push(r);
        }
    }
    let names = assign_names(&refs);
    let mut by_name: HashMap<&str, &FlakeRef> = HashMap::new();
    for (name, r) in names.iter().zip(&refs) {
        assert!(is_valid_name(name), "{name}");
        if let Some(other) = by_name.insert(name, r) {
            assert_eq!(other, r, "two refs got {name}");
        }
    }
    let distinct_refs: std::collections::HashSet<_> = refs.iter().collect();
    let distinct_names: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(distinct_refs.len(), distinct_names.len());
    assert!(distinct_refs.len() > 100, "the generator should produce many distinct refs");
    assert_eq!(assign_names(&refs), names, "same refs, same order, same names");
}
