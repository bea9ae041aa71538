//! Shared helpers for the end-to-end tests: the project's real Nix toolchain, the
//! built plugin, and the corpus. A test that needs Nix fails loudly when the
//! toolchain is missing; it never skips itself.
#![allow(dead_code)]

pub mod glix_env;
pub mod killing;
pub mod registry;
pub mod standins;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `glix init` through the library into `dir`: host laptop, user alice, stateVersion
/// 25.11, nothing locked (no Nix runs), for tests about the files glix writes.
pub fn init_unlocked(dir: &Path) {
    glix::ops::init(&glix::ops::InitRequest {
        dir: dir.to_path_buf(),
        host: Some("laptop".into()),
        user: Some("alice".into()),
        lock: false,
        state_version: Some("25.11".into()),
        ..Default::default()
    })
    .unwrap();
}

/// The toolchain prefix built by scripts/bootstrap-nix.
pub fn toolchain() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::var_os("GLIX_TOOLCHAIN").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map(PathBuf::from).expect("HOME is not set");
            home.join(".cache/glixos/nix-2.26.3")
        });
        let nix = dir.join("bin/nix");
        assert!(
            nix.is_file(),
            "the Nix toolchain is missing ({} not found).\nThese tests run against the real Nix 2.26.3; \
             build it with scripts/bootstrap-nix (scripts/test does this for you).",
            nix.display()
        );
        dir
    })
    .clone()
}

/// The Nix configuration scripts/env.sh sets: flakes on, no sandbox, no substituters
/// (there is no network), no build users (no daemon).
pub const NIX_CONFIG: &str = "experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\nwarn-dirty = false";

/// A `nix` command configured like scripts/env.sh does: flakes on, no sandbox, no
/// substituters (there is no network), no daemon.
pub fn nix() -> Command {
    let tc = toolchain();
    let mut c = Command::new(tc.join("bin/nix"));
    let path = std::env::var("PATH").unwrap_or_default();
    c.env("PATH", format!("{}:{path}", tc.join("bin").display())).env("NIX_CONF_DIR", tc.join("etc/nix")).env("NIX_CONFIG", NIX_CONFIG);
    c
}

/// The plugin: GLIX_PLUGIN (set by scripts/test), else the debug build.
pub fn plugin() -> PathBuf {
    let p = std::env::var_os("GLIX_PLUGIN").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target/debug/libglix_nix_plugin.so"));
    assert!(
        p.is_file(),
        "the glix Nix plugin is missing ({}); build it with `cargo build -p glix-nix-plugin --features test-panic` (scripts/test does this)",
        p.display()
    );
    p
}

/// `nix eval --json --expr EXPR`, with the plugin loaded or not.
pub fn nix_eval_json(expr: &str, with_plugin: bool) -> Output {
    let mut c = nix();
    if with_plugin {
        c.arg("--option").arg("plugin-files").arg(plugin());
    }
    c.args(["eval", "--json", "--impure", "--expr", expr]);
    c.output().expect("running nix")
}

/// A Nix string literal for `s` (escapes `"`, `\` and `${`).
pub fn nix_str(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A manifest in the corpus and, for invalid ones, the expected error.
pub struct CorpusEntry {
    pub path: PathBuf,
    pub text: String,
    /// (line, substring) from the file's `# expect-error: LINE: TEXT` first line.
    pub expect_error: Option<(usize, String)>,
}

pub fn corpus() -> Vec<CorpusEntry> {
    let base = repo_root().join("tests/corpus/manifests");
    let mut out = Vec::new();
    for sub in ["valid", "invalid"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(base.join(sub))
            .expect("corpus directory")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let expect_error = text.lines().next().and_then(|l| l.strip_prefix("# expect-error: ")).map(|rest| {
                let (line, msg) = rest.split_once(": ").expect("`# expect-error: LINE: TEXT`");
                (line.parse().expect("line number"), msg.to_string())
            });
            assert_eq!(sub == "invalid", expect_error.is_some(), "{}: invalid corpus files (only) start with # expect-error", path.display());
            out.push(CorpusEntry { path, text, expect_error });
        }
    }
    out
}

pub fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}
