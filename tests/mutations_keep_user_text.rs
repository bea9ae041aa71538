//! A flake.nix full of the user's own comments and code outside the regions stays byte
//! for byte the same outside the regions through 50 random glix mutations, and after
//! each one the regions say exactly what the manifests say.

mod common;

use std::process::Command;

use glix::flake;
use glix::ops::{self, AddRequest, Context};
use glix::repo::Repo;
use glix::resolve::ResolveOptions;
use glix::txn::TxnOptions;
use proptest::prelude::*;

/// The user's additions around (never inside) the regions.
const USER_PREAMBLE: &str =
    "# My systems. Hand-written notes that glix must never touch.\n# ${not an interpolation} \"quotes\" and a stray # >>> glix-managed inputs >>> mention\n";
const USER_INPUT: &str = "    my-own-tool.url = \"github:me/tool\"; # mine\n";

fn outside_regions(text: &str) -> String {
    let located = flake::locate(text).unwrap();
    let mut spans = [located.inputs.body.clone(), located.hosts.body.clone()];
    spans.sort_by_key(|r| r.start);
    format!("{}{}{}", &text[..spans[0].start], &text[spans[0].end..spans[1].start], &text[spans[1].end..])
}

#[derive(Debug, Clone)]
enum Step {
    Add(u8, bool),
    Remove(u8),
    Config(u8, String),
    Toggle(u8, bool),
    HostAdd(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..12, any::<bool>()).prop_map(|(n, home)| Step::Add(n, home)),
        1 => (0u8..12).prop_map(Step::Remove),
        1 => (0u8..12, "[ -~]{0,12}").prop_map(|(n, v)| Step::Config(n, v)),
        1 => (0u8..12, any::<bool>()).prop_map(|(n, e)| Step::Toggle(n, e)),
        1 => (0u8..4).prop_map(Step::HostAdd),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fifty_random_mutations_keep_every_byte_outside_the_regions(steps in proptest::collection::vec(step(), 50)) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sys");
        common::init_unlocked(&dir);
        // The user edits flake.nix by hand (and commits it, as people do).
        let path = dir.join("flake.nix");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.insert_str(0, USER_PREAMBLE);
        text = text.replacen("    # Packages added with `glix add`.", &format!("{USER_INPUT}    # Packages added with `glix add`."), 1);
        text = text.replace("      nixosConfigurations = {", "      # my own output\n      formatter = { };\n      nixosConfigurations = {");
        std::fs::write(&path, &text).unwrap();
        let git = |args: &[&str]| assert!(Command::new("git").args(args).current_dir(&dir).env("GIT_AUTHOR_NAME", "t").env("GIT_AUTHOR_EMAIL", "t@l").env("GIT_COMMITTER_NAME", "t").env("GIT_COMMITTER_EMAIL", "t@l").status().unwrap().success());
        git(&["commit", "-qam", "my edits"]);
        let user_text = outside_regions(&text);

        let ctx = Context { repo: Repo::open(&dir).unwrap(), txn: TxnOptions::default(), dry_run: false, lock: false, nix: None };
        let resolve = ResolveOptions { nix: None, cache_dir: None, ..ResolveOptions::new(Some("file:///nonexistent/index.json".into())) };
        let mut applied = 0;
        for s in &steps {
            // laptop, which has a default user: on a host added without one, every home
            // add is refused, and too few steps would apply to show anything.
            let host = || { let h = ctx.repo.hosts().unwrap(); h.iter().find(|h| *h == "laptop").unwrap_or(&h[0]).clone() };
            let result = match s {
                Step::Add(n, home) => ops::add(&ctx, &AddRequest {
                    host: Some(host()),
                    typed: format!("github:owner{}/pkg-{n}", n % 3),
                    scope: Some(if *home { glix::manifest::Scope::Home } else { glix::manifest::Scope::System }),
                    ..AddRequest::default()
                }, &resolve),
                Step::Remove(n) => ops::remove(&ctx, Some(&host()), &format!("pkg-{n}")),
                Step::Config(n, v) => ops::config_set(&ctx, Some(&host()), &format!("pkg-{n}"), &[("k".into(), v.clone())]),
                Step::Toggle(n, e) => ops::set_enabled(&ctx, Some(&host()), &format!("pkg-{n}"), *e),
                Step::HostAdd(n) => ops::host_add(&ctx, &ops::HostRequest { name: Some(&format!("host{n}")), state_version: Some("25.11"), ..Default::default() }),
            };
            // Refusals (a duplicate, a missing package) and no-ops (disabling a disabled
            // package) are fine; they change nothing and make no commit.
            if result.is_ok_and(|o| o.commit.is_some()) {
                applied += 1;
            }
            let now = std::fs::read_to_string(&path).unwrap();
            prop_assert_eq!(outside_regions(&now), user_text.clone(), "after {:?}", s);
            let manifests = ops::load_manifests(&ctx.repo, None).unwrap();
            prop_assert_eq!(ops::regenerate_flake(&ctx.repo, &ops::summaries_of(&manifests)).unwrap(), now);
        }
        // each applied mutation is one commit on top of init and the user's edit
        let commits = Command::new("git").args(["rev-list", "--count", "HEAD"]).current_dir(&dir).output().unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&commits.stdout).trim().parse::<usize>().unwrap(), applied + 2);
        prop_assert!(applied >= 10, "only {} of 50 steps applied", applied);
    }
}
