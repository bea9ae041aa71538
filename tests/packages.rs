//! Package entries end to end (issue: packages first-class): `glix add nixpkgs#A`,
//! `FLAKE#attr`, a flake without `#`, a bare name, through the built binary, with the
//! real git and Nix, against the stand-ins of tests/standins (a nixpkgs whose
//! packages build without network, home-manager, package flakes). What reaches
//! `environment.systemPackages` and `home.packages` is evaluated with the plugin and
//! without it, and built with the real `nix build`.

mod common;

use common::glix_env::Env;
use common::standins::write;
use common::{nix, nix_eval_json, plugin};
use serde_json::Value;

/// An empty glix registry, so bare names go on to the repo's nixpkgs without asking
/// the network.
fn empty_registry(env: &Env) -> String {
    let path = env.root.join("registry.json");
    std::fs::write(&path, r#"{"version": 1, "packages": {}}"#).unwrap();
    format!("file://{}", path.display())
}

/// A package flake with a `nixpkgs` input of its own (the stand-in), whose package is
/// built with that nixpkgs: `follows` has something to act on.
fn flake_with_nixpkgs(env: &Env) -> String {
    write(
        &env.root.join("pkg-fmt/flake.nix"),
        &format!(
            r#"{{
  # Stands in for a package flake that builds with its own nixpkgs input.
  inputs.nixpkgs.url = "path:{}";
  outputs = {{ self, nixpkgs }}: {{
    packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.stdenv.mkDerivation {{
      pname = "fmt"; version = "0.1.0";
      buildCommand = "mkdir -p $out/bin; echo '#!/bin/sh' > $out/bin/fmt; chmod +x $out/bin/fmt";
    }};
  }};
}}"#,
            env.root.join("nixpkgs").display()
        ),
    );
    env.path("pkg-fmt")
}

/// The names (`pname-version` as Nix builds them) of what reaches the host.
fn host_packages(env: &Env, with_plugin: bool) -> Value {
    let expr = format!(
        r#"let
  c = (builtins.getFlake "git+file://{}").nixosConfigurations.laptop.config;
  names = map (p: p.name);
in {{
  system = names c.environment.systemPackages;
  alice = names c.home-manager.users.alice.home.packages;
  toplevel = c.system.build.toplevel.drvPath;
}}"#,
        env.repo.display()
    );
    let out = nix_eval_json(&expr, with_plugin);
    assert!(out.status.success(), "nix eval: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn nix_build(env: &Env, attr: &str) -> std::path::PathBuf {
    let out = nix()
        .args(["build", "--no-link", "--print-out-paths", "--no-write-lock-file"])
        .arg(format!("git+file://{}#nixosConfigurations.laptop.config.{attr}", env.repo.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "nix build {attr}: {}", String::from_utf8_lossy(&out.stderr));
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

#[test]
fn packages_of_nixpkgs_and_of_flakes_reach_the_host_and_build_with_and_without_the_plugin() {
    let env = Env::new();
    env.init();
    env.make_bootable(&["alice"]);
    let registry = empty_registry(&env);

    // A package of the repo's nixpkgs changes glix.toml only: no input, no re-lock.
    let (flake_nix, flake_lock, commits) = (env.read("flake.nix"), env.read("flake.lock"), env.commits());
    let out = env.ok(&["add", "nixpkgs#hello"]);
    assert!(out.contains("glix add laptop: hello (package nixpkgs#hello)"), "{out}");
    assert_eq!(env.read("flake.nix"), flake_nix, "flake.nix is byte for byte the same");
    assert_eq!(env.read("flake.lock"), flake_lock, "flake.lock is byte for byte the same");
    assert_eq!(env.commits(), commits + 1, "one commit");
    assert_eq!(env.git(&["show", "--name-only", "--format=", "HEAD"]).trim(), "hosts/laptop/glix.toml");

    // Home scope, an attribute path; the default user (alice) gets it.
    env.ok(&["add", "nixpkgs#python3Packages.requests", "--scope", "home"]);
    // A bare name the (empty) glix registry does not know: found in the repo's nixpkgs.
    let out = env.glix(&["add", "jq", "--registry", &registry]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.jq]\nkind = \"package\"\nattr = \"jq\"\nscope = \"system\"\nsource = \"nixpkgs\"\n"));

    // A package of another flake: its input, once, following the repo's nixpkgs.
    let fmt = flake_with_nixpkgs(&env);
    let commits = env.commits();
    env.ok(&["add", &fmt]);
    env.check(commits);
    let flake_text = env.read("flake.nix");
    assert!(flake_text.contains("pkg-fmt.inputs.nixpkgs.follows = \"nixpkgs\";"), "{flake_text}");
    let lock: Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    let fmt_node = lock["nodes"]["root"]["inputs"]["pkg-fmt"].as_str().unwrap();
    assert_eq!(lock["nodes"][fmt_node]["inputs"]["nixpkgs"], serde_json::json!(["nixpkgs"]), "one nixpkgs in the lock");
    // `FLAKE#attr` of a flake with no nixpkgs input: nothing to follow, said in the file.
    env.ok(&["add", &format!("{}#tool", env.path("pkg-tool"))]);
    assert!(env.read("hosts/laptop/glix.toml").contains("attr = \"tool\"\nscope = \"system\"\nsource = \"uri\"\nfollow-nixpkgs = false\n"));
    assert!(!env.read("flake.nix").contains("pkg-tool.inputs.nixpkgs.follows"));
    // legacyPackages, as Nix's installables look there after packages.
    env.ok(&["add", &format!("{}#widget", env.path("pkg-legacy")), "--scope", "home"]);

    let with_plugin = host_packages(&env, true);
    let fallback = host_packages(&env, false);
    assert_eq!(with_plugin, fallback, "the plugin and the fallback give the host the same packages");
    let system: Vec<&str> = with_plugin["system"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for want in ["hello-2.12.1", "jq-", "fmt-0.1.0", "tool-1.2.0"] {
        assert!(system.iter().any(|n| n.starts_with(want)), "{want} in environment.systemPackages: {system:?}");
    }
    let alice: Vec<&str> = with_plugin["alice"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(alice.iter().any(|n| n.contains("requests")) && alice.iter().any(|n| n.starts_with("widget-0.3.0")), "{alice:?}");

    // Everything builds with the real nix: the system's PATH and alice's home.
    let toplevel = nix_build(&env, "system.build.toplevel");
    for bin in ["hello", "jq", "fmt", "tool"] {
        assert!(toplevel.join("sw/bin").join(bin).exists(), "{bin} in {}/sw/bin", toplevel.display());
    }
    let home = nix_build(&env, "home-manager.users.alice.home.path");
    assert!(home.join("bin/widget").exists(), "widget in {}", home.display());
    assert!(plugin().exists());
}

#[test]
fn removing_undoing_and_restoring_a_package_behave_as_for_modules() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "nixpkgs#hello"]);
    let added = env.read("hosts/laptop/glix.toml");
    let flake_nix = env.read("flake.nix");
    let commits = env.commits();
    env.ok(&["remove", "hello"]);
    env.check(commits);
    assert!(!env.read("hosts/laptop/glix.toml").contains("hello"));
    assert_eq!(env.read("flake.nix"), flake_nix, "removing a nixpkgs package leaves flake.nix alone");
    env.ok(&["undo"]);
    assert_eq!(env.read("hosts/laptop/glix.toml"), added, "undo brings the entry back as it was");
    let list = env.ok(&["list"]);
    assert!(list.contains("nixpkgs#hello"), "{list}");
    let show = env.ok(&["show", "hello"]);
    assert!(show.contains("kind:    package") && show.contains("attr:    hello") && show.contains("the host's own nixpkgs"), "{show}");
    env.ok(&["disable", "hello"]);
    env.ok(&["enable", "hello"]);
    env.check_regions();
    // Restore the state right after the add, from a later one without the package.
    let add = env.git(&["log", "--format=%H", "--grep=glix add laptop: hello"]).lines().last().unwrap().to_string();
    env.ok(&["remove", "hello"]);
    let commits = env.commits();
    env.ok(&["restore", &add[..10]]);
    env.check(commits);
    assert_eq!(env.read("hosts/laptop/glix.toml"), added, "restore gives back the manifest as the add left it");
}

#[test]
fn what_a_flake_exports_decides_module_or_package_and_says_so() {
    let env = Env::new();
    env.init();
    // Only packages: its default package.
    let out = env.ok(&["add", &env.path("pkg-tool")]);
    assert!(out.contains("(package path:"), "{out}");
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.pkg-tool]\nkind = \"package\""));
    // Only the newer home-manager name: a home module, found under homeModules.
    env.ok(&["add", &env.path("pkg-notes")]);
    let toml = env.read("hosts/laptop/glix.toml");
    assert!(toml.contains("scope = \"home\"") && toml.contains("output = \"homeModules.default\""), "{toml}");
    // A NixOS module, as before.
    env.ok(&["add", &env.path("pkg-web")]);
    assert!(env.read("hosts/laptop/glix.toml").contains("[packages.pkg-web]\nflake = "));
}

/// Each refusal: exit 1, the message and hint a user needs, and nothing changed.
#[test]
fn entries_that_cannot_work_are_refused_at_add_time_and_nothing_changes() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "nixpkgs#hello"]);
    let tool = format!("{}#tool", env.path("pkg-tool"));
    let cases: Vec<(Vec<String>, &str, &str)> = vec![
        (vec!["nixpkgs#ripgrepp".into()], "nixpkgs has no package 'ripgrepp' for x86_64-linux", "did you mean ripgrep?"),
        (vec!["nixpkgs#formats".into()], "nixpkgs#formats is a set, not a package", "nixpkgs#formats.NAME"),
        (vec!["nixpkgs#hello".into()], "is already on laptop as 'hello'", "glix show hello"),
        (vec![tool.clone(), "--config".into(), "k=v".into()], "a package takes no glixConfig", "drop --config"),
        (vec!["https://github.com/BurntSushi/ripgrep".into()], "is a web page address", "did you mean `glix add github:BurntSushi/ripgrep`?"),
        (vec![env.path("pkg-lib")], "offers neither a module nor a package for x86_64-linux: it has no modules and no packages (only lib)", "REF#ATTR"),
        (
            vec![env.path("pkg-web"), "--output".into(), "nixosModules.defualt".into()],
            "has no module at `nixosModules.defualt`",
            "--output nixosModules.default",
        ),
        (vec![env.path("pkg-tool"), "--output".into(), "packages.x86_64-linux.default".into()], "is a package, not a module", "#default`"),
        (vec![format!("{}#nope", env.path("pkg-tool"))], "has no package 'nope'", "did you mean"),
    ];
    let before = (env.snapshot(), env.commits());
    for (args, message, hint) in cases {
        let mut a = vec!["add"];
        a.extend(args.iter().map(String::as_str));
        let out = env.glix(&a);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{a:?}: {stderr}");
        assert!(stderr.contains(message), "{a:?}: expected {message:?} in\n{stderr}");
        assert!(stderr.lines().any(|l| l.starts_with("hint:") && l.contains(hint)), "{a:?}: expected hint {hint:?} in\n{stderr}");
        assert!(stderr.contains("nothing was changed"), "{a:?}: {stderr}");
        assert_eq!((env.snapshot(), env.commits()), before, "{a:?} changed the repo");
    }
    // --json: one error object a script can read.
    let out = env.glix(&["add", "nixpkgs#ripgrepp", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["kind"].as_str(), v["changedNothing"].as_bool()), (Some("no-such-attr"), Some(true)), "{v}");
}

#[test]
fn a_bare_name_no_source_knows_gets_near_names_from_nixpkgs() {
    let env = Env::new();
    env.init();
    let registry = empty_registry(&env);
    let out = env.glix(&["add", "ripgre", "--registry", &registry]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the repo's nixpkgs: no package 'ripgre'"), "{stderr}");
    assert!(stderr.contains("did you mean: ripgrep"), "{stderr}");
}

#[test]
fn update_takes_an_input_of_the_flake_or_a_package_of_nixpkgs() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "nixpkgs#hello"]);
    // nixpkgs (outside glix's regions) and a package of it both mean the nixpkgs input:
    // locked from a local path, it is already as new as it gets.
    for name in ["nixpkgs", "hello", "home-manager"] {
        let out = env.glix(&["update", name]);
        assert!(out.status.success(), "update {name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("already up to date"), "update {name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = env.glix(&["update", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no package named 'nosuch'"));
}

#[test]
fn no_follow_keeps_a_package_flakes_own_nixpkgs() {
    let env = Env::new();
    env.init();
    let fmt = flake_with_nixpkgs(&env);
    env.ok(&["add", &fmt, "--no-follow"]);
    assert!(env.read("hosts/laptop/glix.toml").contains("follow-nixpkgs = false"), "{}", env.read("hosts/laptop/glix.toml"));
    let flake_text = env.read("flake.nix");
    assert!(flake_text.contains("pkg-fmt.url") && !flake_text.contains("pkg-fmt.inputs.nixpkgs.follows"), "{flake_text}");
    let lock: Value = serde_json::from_str(&env.read("flake.lock")).unwrap();
    let node = lock["nodes"]["root"]["inputs"]["pkg-fmt"].as_str().unwrap();
    assert!(lock["nodes"][node]["inputs"]["nixpkgs"].is_string(), "its own nixpkgs node: {}", lock["nodes"][node]);
}
