//! Thin wrappers around the `nix` processes glix runs. Always an argument vector,
//! never a shell. Every evaluation passes `--no-write-lock-file`, so `flake.lock` only
//! changes inside a glix transaction (`flake_lock` / `flake_update`), committed with
//! its cause. While Nix works, a spinner shows its latest message on a terminal.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error("cannot find `nix` (looked at GLIX_NIX and PATH); install Nix, or set GLIX_NIX to the nix binary")]
    NotFound,
    #[error("could not run {cmd}: {source}")]
    Spawn { cmd: String, source: std::io::Error },
    #[error("`{cmd}` failed ({status}):\n{stderr}")]
    Failed { cmd: String, status: String, stderr: String },
    #[error("`{cmd}` printed something that is not JSON: {err}")]
    BadJson { cmd: String, err: String },
}

#[derive(Debug, Clone)]
pub struct Nix {
    bin: PathBuf,
    /// The glix plugin to load (`--option plugin-files`), when configured.
    plugin: Option<PathBuf>,
}

impl Nix {
    /// `GLIX_NIX`, else `nix` on PATH.
    pub fn locate() -> Result<Nix, NixError> {
        if let Some(p) = std::env::var_os("GLIX_NIX").filter(|p| !p.is_empty()) {
            return Ok(Nix { bin: PathBuf::from(p), plugin: None });
        }
        on_path("nix").map(|bin| Nix { bin, plugin: None }).ok_or(NixError::NotFound)
    }

    pub fn with_plugin(mut self, plugin: Option<PathBuf>) -> Nix {
        self.plugin = plugin;
        self
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        if let Some(p) = &self.plugin {
            c.arg("--option").arg("plugin-files").arg(p);
        }
        c.args(args);
        c
    }

    /// `nix flake lock`: lock inputs that are new or changed, keep the others.
    pub fn flake_lock(&self, dir: &Path) -> Result<(), NixError> {
        self.run_with_progress(self.command(&["flake", "lock"]).arg(dir), "locking the flake inputs")
    }

    /// `nix flake update [INPUT...]`: re-lock the named inputs to their newest
    /// revisions (all of them when `inputs` is empty).
    pub fn flake_update(&self, dir: &Path, inputs: &[String]) -> Result<(), NixError> {
        let mut c = self.command(&["flake", "update", "--flake"]);
        c.arg(dir).args(inputs);
        self.run_with_progress(&mut c, "updating the flake inputs")
    }

    /// `nix --version`, e.g. "2.26.3".
    pub fn version(&self) -> Result<String, NixError> {
        let mut c = Command::new(&self.bin);
        c.arg("--version");
        let out = c.output().map_err(|e| NixError::Spawn { cmd: describe(&c), source: e })?;
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.split_whitespace().last().unwrap_or("").to_string())
    }

    /// Run `c`, showing its latest stderr line under a spinner on a terminal, and
    /// keeping its stderr for the error message.
    fn run_with_progress(&self, c: &mut Command, what: &str) -> Result<(), NixError> {
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| NixError::Spawn { cmd: describe(c), source: e })?;
        let spinner = std::io::stderr().is_terminal().then(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_message(format!("nix: {what}"));
            pb.enable_steady_tick(Duration::from_millis(100));
            pb
        });
        let mut stderr = String::new();
        if let Some(pipe) = child.stderr.take() {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(pb) = &spinner {
                    pb.set_message(format!("nix: {}", line.trim()));
                }
                stderr.push_str(&line);
                stderr.push('\n');
            }
        }
        let status = child.wait().map_err(|e| NixError::Spawn { cmd: describe(c), source: e })?;
        if let Some(pb) = spinner {
            pb.finish_and_clear();
        }
        if status.success() {
            Ok(())
        } else {
            Err(NixError::Failed { cmd: describe(c), status: status.to_string(), stderr: tail(&stderr) })
        }
    }
}

/// The command line, for messages.
fn describe(c: &Command) -> String {
    std::iter::once(c.get_program().to_string_lossy().into_owned())
        .chain(c.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last lines of a process's stderr: where Nix puts the error.
fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// `nixos-rebuild <verb> --flake <repo>#<host> …` for `glix switch` and friends.
#[derive(Debug, Clone, Default)]
pub struct Rebuild {
    pub verb: String,
    pub flake: String,
    pub target_host: Option<String>,
    pub build_host: Option<String>,
    pub use_remote_sudo: bool,
    /// The glix plugin to load into Nix for this build.
    pub plugin: Option<PathBuf>,
    /// Passed through after glix's own arguments.
    pub extra: Vec<String>,
}

impl Rebuild {
    /// The argument vector (after the program name).
    pub fn args(&self) -> Vec<String> {
        let mut a = vec![self.verb.clone(), "--flake".into(), self.flake.clone()];
        if let Some(h) = &self.target_host {
            a.extend(["--target-host".into(), h.clone()]);
        }
        if let Some(h) = &self.build_host {
            a.extend(["--build-host".into(), h.clone()]);
        }
        if self.use_remote_sudo {
            a.push("--use-remote-sudo".into());
        }
        if let Some(p) = &self.plugin {
            a.extend(["--option".into(), "plugin-files".into(), p.display().to_string()]);
        }
        a.extend(self.extra.iter().cloned());
        a
    }
}

/// `nixos-rebuild` on PATH, if there is one.
pub fn find_nixos_rebuild() -> Option<PathBuf> {
    on_path("nixos-rebuild")
}

/// The first file called `name` in a directory of PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Run `c` to completion and return its stdout; a failure carries the end of its stderr.
fn capture(c: &mut Command) -> Result<Vec<u8>, NixError> {
    let out = c.output().map_err(|e| NixError::Spawn { cmd: describe(c), source: e })?;
    if !out.status.success() {
        return Err(NixError::Failed { cmd: describe(c), status: out.status.to_string(), stderr: tail(&String::from_utf8_lossy(&out.stderr)) });
    }
    Ok(out.stdout)
}

/// Run nixos-rebuild with inherited stdio (its output streams to the user) and return
/// its exit code (a signal counts as 128 + signal, like a shell).
pub fn run_nixos_rebuild(bin: &Path, r: &Rebuild) -> Result<i32, NixError> {
    let mut c = Command::new(bin);
    c.args(r.args());
    let status = c.status().map_err(|e| NixError::Spawn { cmd: describe(&c), source: e })?;
    use std::os::unix::process::ExitStatusExt;
    Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

impl Nix {
    /// `nix eval --raw` of an attribute of a flake (never writing its lock).
    pub fn eval_raw(&self, installable: &str) -> Result<String, NixError> {
        let stdout = capture(&mut self.command(&["eval", "--raw", "--no-write-lock-file", installable]))?;
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    }

    /// Whether this Nix loads `plugin` and what the plugin says about itself
    /// (`builtins.glixInfo`), run in a separate process so a mismatched plugin can only
    /// take that process down.
    pub fn probe_plugin(&self, plugin: &Path) -> Result<serde_json::Value, NixError> {
        let mut c = self.clone().with_plugin(Some(plugin.to_path_buf())).command(&["eval", "--json", "--expr", "builtins.glixInfo"]);
        let stdout = capture(&mut c)?;
        serde_json::from_slice(&stdout).map_err(|e| NixError::BadJson { cmd: describe(&c), err: e.to_string() })
    }
}

/// Where the glix plugin is, when none is named: `GLIX_PLUGIN`, else next to the glix
/// binary (`target/<profile>/` of a cargo build) or in `../lib/` of its prefix (how
/// the glixos-core package installs them).
pub fn detect_plugin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GLIX_PLUGIN").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join("libglix_nix_plugin.so"), dir.join("../lib/libglix_nix_plugin.so")].into_iter().find(|p| p.is_file())
}
