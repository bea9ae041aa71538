//! A glix repository in a temporary directory, made with the real `glix init` against
//! local stand-in flakes, and helpers to drive the built binary in it.

use std::path::PathBuf;
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use super::standins::{make_host_bootable, standins};
use super::{nix_eval_json, toolchain};

pub struct Env {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub repo: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        standins(&root);
        std::fs::create_dir_all(root.join("home")).unwrap();
        let repo = root.join("system");
        Env { _tmp: tmp, root, repo }
    }

    /// `glix ARGS` against this repo, in an environment of its own (HOME, caches, the
    /// user's Nix registry), with the toolchain's nix first on PATH.
    pub fn glix(&self, args: &[&str]) -> Output {
        self.glix_with(args, &[])
    }

    /// `glix ARGS` with extra environment; a `PATH` given here goes in front.
    pub fn glix_with(&self, args: &[&str], envs: &[(&str, String)]) -> Output {
        self.glix_command(args, envs).output().unwrap()
    }

    /// The command [`Env::glix_with`] runs, to spawn it instead.
    pub fn glix_command(&self, args: &[&str], envs: &[(&str, String)]) -> Command {
        let tc = toolchain();
        let front: Vec<String> = envs.iter().filter(|(k, _)| *k == "PATH").map(|(_, v)| v.clone()).collect();
        let mut c = Command::cargo_bin("glix").unwrap();
        c.args(args)
            .env("GLIX_REPO", &self.repo)
            .env_remove("GLIX_REGISTRY")
            .env_remove("SUDO_USER")
            .env("HOME", self.root.join("home"))
            .env("XDG_CACHE_HOME", self.root.join("home/.cache"))
            .env("XDG_CONFIG_HOME", self.root.join("home/.config"))
            .env(
                "PATH",
                format!(
                    "{}{}:{}",
                    front.iter().map(|p| format!("{p}:")).collect::<String>(),
                    tc.join("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("NIX_CONF_DIR", tc.join("etc/nix"))
            .env("NIX_CONFIG", super::NIX_CONFIG)
            .env("GIT_AUTHOR_NAME", "tester")
            .env("GIT_AUTHOR_EMAIL", "tester@localhost")
            .env("GIT_COMMITTER_NAME", "tester")
            .env("GIT_COMMITTER_EMAIL", "tester@localhost");
        for (k, v) in envs.iter().filter(|(k, _)| *k != "PATH") {
            c.env(k, v);
        }
        c
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.glix(args);
        assert!(out.status.success(), "glix {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn path(&self, name: &str) -> String {
        format!("path:{}", self.root.join(name).display())
    }

    pub fn init(&self) {
        self.ok(&[
            "init",
            "--host",
            "laptop",
            "--user",
            "alice",
            "--input",
            &format!("nixpkgs={}", self.path("nixpkgs")),
            "--input",
            &format!("home-manager={}", self.path("home-manager")),
            "--input",
            &format!("glixos-core={}", self.path("glixos-core")),
        ]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git").args(args).current_dir(&self.repo).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git commit -am`, as a person committing a hand edit would.
    pub fn commit_all(&self, msg: &str) {
        self.git(&["-c", "user.name=t", "-c", "user.email=t@l", "commit", "-qam", msg]);
    }

    pub fn commits(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo.join(rel)).unwrap_or_default()
    }

    pub fn snapshot(&self) -> Vec<(String, String)> {
        ["flake.nix", "flake.lock", "hosts/laptop/glix.toml"].iter().map(|f| (f.to_string(), self.read(f))).collect()
    }

    /// The invariants after a successful change.
    pub fn check(&self, commits_before: usize) {
        assert_eq!(self.commits(), commits_before + 1, "exactly one new commit");
        self.check_regions();
        // flake.lock is real and locks every input flake.nix has
        let repo = glix::repo::Repo::open(&self.repo).unwrap();
        let manifests: std::collections::BTreeMap<_, _> = glix::ops::load_manifests(&repo, None).unwrap();
        let lock: Value = serde_json::from_str(&self.read("flake.lock")).unwrap();
        for m in manifests.values() {
            for p in m.packages.values() {
                assert!(lock["nodes"]["root"]["inputs"].get(&p.input).is_some(), "{} not in flake.lock", p.input);
            }
        }
    }

    /// A clean work tree whose regions are what the manifests generate.
    pub fn check_regions(&self) {
        assert_eq!(self.git(&["status", "--porcelain"]), "", "the work tree is clean after a glix commit");
        // manifest is the truth: regenerating the regions changes nothing
        let repo = glix::repo::Repo::open(&self.repo).unwrap();
        let manifests = glix::ops::load_manifests(&repo, None).unwrap();
        assert_eq!(
            glix::ops::regenerate_flake(&repo, &glix::ops::summaries_of(&manifests)).unwrap(),
            self.read("flake.nix"),
            "regions equal what the manifests generate"
        );
    }

    /// Make host `laptop` buildable as its owner would: a hardware file, a boot loader
    /// and `users` as normal users (home-manager users must exist in users.users), in
    /// one commit of its own.
    pub fn make_bootable(&self, users: &[&str]) {
        make_host_bootable(&self.repo.join("hosts/laptop"), users);
        self.git(&["add", "-A"]);
        self.commit_all("laptop: hardware, boot loader and users");
    }

    /// What reaches nixosConfigurations.laptop: what each system package module
    /// received (`config.received.<package>`) and, per home-manager user, what each home
    /// package module received (with and without the plugin).
    pub fn eval_host(&self, with_plugin: bool) -> Value {
        let expr = format!(
            r#"let
  f = builtins.getFlake "git+file://{repo}";
  c = f.nixosConfigurations.laptop.config;
in {{
  system = c.received or {{ }};
  home = builtins.mapAttrs (_: u: u.received or {{ }}) c.home-manager.users;
}}"#,
            repo = self.repo.display()
        );
        let out = nix_eval_json(&expr, with_plugin);
        assert!(out.status.success(), "nix eval of the host: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}
