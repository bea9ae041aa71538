//! The one place glix runs `nix` and `nixos-rebuild`. Always an argument vector, never
//! a shell; always with `--extra-experimental-features "nix-command flakes"`, so a
//! user's nix.conf without flakes still works. Every evaluation passes
//! `--no-write-lock-file`, so `flake.lock` only changes inside a glix transaction
//! (`flake_lock` / `flake_update`), committed with its cause. While Nix works, a
//! spinner shows its latest message on a terminal.
//!
//! **A nix never outlives glix's interest in it.** Each `nix` runs in a process group
//! of its own, with `PR_SET_PDEATHSIG = SIGKILL`: when glix dies (even by SIGKILL, when
//! nothing of glix runs any more) the kernel kills it, and when glix gives up on it (a
//! timeout, Ctrl-C, an error while waiting) glix kills the whole group. Without that,
//! an orphaned `nix flake lock` writes flake.lock after the next glix has rolled the
//! change back, and the work tree is dirty for every later command (issue 13,
//! finding 5). `nixos-rebuild` gets the death signal too but stays in glix's process
//! group: it may prompt on the terminal (sudo, ssh), which only the foreground group
//! can, and the terminal's Ctrl-C reaches it directly.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The flags every `nix` gets: glix needs the new CLI and flakes whatever nix.conf says.
const FEATURES: [&str; 2] = ["--extra-experimental-features", "nix-command flakes"];

/// How often a waiting glix looks at the clock and the interrupt flag.
const POLL: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NixError {
    #[error("cannot find `nix` (looked at GLIX_NIX and PATH); install Nix, or set GLIX_NIX to the nix binary")]
    NotFound,
    /// It could not be started (not installed, not executable).
    #[error("could not run '{program}': {reason} (install Nix, or set GLIX_NIX to the nix binary)")]
    Spawn { program: String, reason: String },
    /// It exited unsuccessfully; `stderr` is the end of what it printed.
    #[error("`{cmd}` failed ({status}):\n{stderr}")]
    Failed { cmd: String, status: String, code: Option<i32>, stderr: String },
    /// It ran longer than allowed; glix killed its process group.
    #[error("`{cmd}` did not finish within {after:?}; glix stopped it")]
    Timeout { cmd: String, after: Duration },
    /// Ctrl-C while it ran; glix killed its process group.
    #[error("interrupted while `{cmd}` ran; glix stopped it")]
    Interrupted { cmd: String },
    #[error("`{cmd}` printed something that is not JSON: {err}")]
    BadJson { cmd: String, err: String },
    /// `nix build` failed: Nix's error (naming the failing derivation) and the tail of
    /// the log of each derivation it names.
    #[error("{}", build_failure(installable, error, logs))]
    BuildFailed { installable: String, error: String, logs: Vec<(String, Vec<String>)> },
}

fn build_failure(installable: &str, error: &str, logs: &[(String, Vec<String>)]) -> String {
    let mut s = format!("building {installable} failed:\n{error}");
    for (drv, lines) in logs {
        s.push_str(&format!("\nthe last {} lines of the log of {drv}:", lines.len()));
        for l in lines {
            s.push_str(&format!("\n  > {l}"));
        }
    }
    s
}

/// What the resolver needs of Nix: run it with arguments and get its standard output.
/// [`Nix`] is the real one; tests pass fakes.
pub trait NixRunner: std::fmt::Debug + Send + Sync {
    /// `nix ARGS...`: its standard output when it exits with status 0.
    fn run(&self, args: &[&str]) -> Result<String, NixError>;
}

/// The flag that stops whatever nix glix is running (the CLI's Ctrl-C handler sets
/// it); see [`stop_when`].
static STOP: OnceLock<&'static AtomicBool> = OnceLock::new();

/// From now on, every `nix` glix runs is stopped (its process group killed, the call
/// failing with [`NixError::Interrupted`]) once `flag` is set. Nix is in a process
/// group of its own, so the terminal's Ctrl-C no longer reaches it: this is how it
/// still stops.
pub fn stop_when(flag: &'static AtomicBool) {
    let _ = STOP.set(flag);
}

fn stop_requested() -> bool {
    STOP.get().is_some_and(|f| f.load(Ordering::SeqCst))
}

#[derive(Debug, Clone)]
pub struct Nix {
    bin: PathBuf,
    /// The glix plugin to load (`--option plugin-files`), when configured.
    plugin: Option<PathBuf>,
    /// Appended to every command, e.g. `--option flake-registry /path/registry.json`.
    extra_args: Vec<OsString>,
    /// Set for the child only (e.g. `XDG_CONFIG_HOME` in tests).
    env: Vec<(OsString, OsString)>,
    /// How long one command may take; `None` waits as long as it takes.
    timeout: Option<Duration>,
}

impl Nix {
    /// `GLIX_NIX`, else `nix` on PATH.
    pub fn locate() -> Result<Nix, NixError> {
        if let Some(p) = std::env::var_os("GLIX_NIX").filter(|p| !p.is_empty()) {
            return Ok(Nix::at(p));
        }
        on_path("nix").map(Nix::at).ok_or(NixError::NotFound)
    }

    /// The nix at `bin` (a bare name is looked up on PATH when it runs).
    pub fn at(bin: impl Into<PathBuf>) -> Nix {
        Nix { bin: bin.into(), plugin: None, extra_args: Vec::new(), env: Vec::new(), timeout: None }
    }

    pub fn with_plugin(mut self, plugin: Option<PathBuf>) -> Nix {
        self.plugin = plugin;
        self
    }

    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Nix {
        self.timeout = timeout;
        self
    }

    /// Arguments appended to every command (after the subcommand's own).
    pub fn with_args(mut self, args: impl IntoIterator<Item = impl Into<OsString>>) -> Nix {
        self.extra_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Environment variables for the child only.
    pub fn with_env(mut self, env: impl IntoIterator<Item = (impl Into<OsString>, impl Into<OsString>)>) -> Nix {
        self.env.extend(env.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(FEATURES);
        if let Some(p) = &self.plugin {
            c.arg("--option").arg("plugin-files").arg(p);
        }
        c.args(args).args(&self.extra_args).envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }

    /// `nix flake lock`: lock inputs that are new or changed, keep the others.
    pub fn flake_lock(&self, dir: &Path) -> Result<(), NixError> {
        let mut c = self.command(&["flake", "lock"]);
        c.arg(dir);
        self.run_command(c, Some("locking the flake inputs")).map(drop)
    }

    /// `nix flake update [INPUT...]`: re-lock the named inputs to their newest
    /// revisions (all of them when `inputs` is empty).
    pub fn flake_update(&self, dir: &Path, inputs: &[String]) -> Result<(), NixError> {
        let mut c = self.command(&["flake", "update", "--flake"]);
        c.arg(dir).args(inputs);
        self.run_command(c, Some("updating the flake inputs")).map(drop)
    }

    /// `nix --version`, e.g. "2.26.3".
    pub fn version(&self) -> Result<String, NixError> {
        let out = self.run_command(self.command(&["--version"]), None)?;
        Ok(String::from_utf8_lossy(&out).split_whitespace().last().unwrap_or("").to_string())
    }

    /// `nix eval --raw` of an attribute of a flake (never writing its lock). Without
    /// Nix's evaluation cache: glix evaluates with the plugin or without it, and a
    /// failure cached by one reader ("cached failure of attribute") must not answer
    /// for the other.
    pub fn eval_raw(&self, installable: &str) -> Result<String, NixError> {
        let out = self.run_command(self.command(&["eval", "--raw", "--no-write-lock-file", "--no-eval-cache", installable]), None)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// `nix eval --json --impure --expr EXPR`, parsed; `what` is the spinner's message.
    /// Impure because it fetches flake references that are not locked (getFlake).
    pub fn eval_json_expr<T: serde::de::DeserializeOwned>(&self, expr: &str, what: &str) -> Result<T, NixError> {
        let c = self.command(&["eval", "--json", "--impure", "--no-write-lock-file", "--expr", expr]);
        let cmd = describe(&c);
        let out = self.run_command(c, Some(what))?;
        serde_json::from_slice(&out).map_err(|e| NixError::BadJson { cmd, err: e.to_string() })
    }

    /// `nix eval --json` of an attribute of a flake, `apply` (a Nix function) applied to
    /// it first when given (never writing its lock).
    pub fn eval_json(&self, installable: &str, apply: Option<&str>) -> Result<serde_json::Value, NixError> {
        let mut args = vec!["eval", "--json", "--no-write-lock-file", "--no-eval-cache", installable];
        if let Some(f) = apply {
            args.extend(["--apply", f]);
        }
        let c = self.command(&args);
        let cmd = describe(&c);
        let out = self.run_command(c, Some("evaluating"))?;
        serde_json::from_slice(&out).map_err(|e| NixError::BadJson { cmd, err: e.to_string() })
    }

    /// The release of the nixpkgs the flake in `dir` locks (`lib.trivial.release`,
    /// "25.11"): `nixpkgs` looked up among that flake's inputs only (no registry).
    pub fn nixpkgs_release(&self, dir: &Path) -> Result<String, NixError> {
        let mut c = self.command(&["eval", "--raw", "--no-write-lock-file", "--option", "flake-registry", "", "--inputs-from"]);
        c.arg(dir).arg("nixpkgs#lib.trivial.release");
        let out = self.run_command(c, Some("reading the release of nixpkgs"))?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// `nix build --no-link --print-out-paths INSTALLABLE`: its output path. Nix's log
    /// is read as `--log-format internal-json` ([`crate::nix_log`]): on a terminal a
    /// bar shows how many derivations are built of how many and what builds now;
    /// elsewhere a line per derivation started. A failure is [`NixError::BuildFailed`]
    /// with the tail of the failing build's log; Ctrl-C stops the whole build. `what`
    /// names it while Nix evaluates.
    pub fn build(&self, installable: &str, what: &str) -> Result<PathBuf, NixError> {
        let mut c = self.command(&["build", "--no-link", "--print-out-paths", "--no-write-lock-file", "--log-format", "internal-json", installable]);
        let cmd = describe(&c);
        c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = Guarded::spawn(&mut c, Group::Own)?;
        let stdout = child.child.stdout.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                buf
            })
        });
        let what = what.to_string();
        let stderr = child.child.stderr.take().map(|pipe| std::thread::spawn(move || show_build(pipe, &what)));
        let waited = child.wait_until(self.timeout.map(|t| Instant::now() + t));
        // Given up on: the group is dead, so its end of the pipe closes and the progress
        // bar clears — awaited briefly, so it never clears a line of the error after it.
        let settle = |t: Option<std::thread::JoinHandle<crate::nix_log::BuildLog>>| {
            let deadline = Instant::now() + Duration::from_secs(1);
            while t.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
                std::thread::sleep(POLL);
            }
        };
        let status = match waited {
            Waited::Exited(status) => status,
            Waited::TimedOut => {
                settle(stderr);
                return Err(NixError::Timeout { cmd, after: self.timeout.unwrap_or_default() });
            }
            Waited::Stopped => {
                settle(stderr);
                return Err(NixError::Interrupted { cmd });
            }
            Waited::Failed(e) => return Err(NixError::Spawn { program: self.bin.display().to_string(), reason: e.to_string() }),
        };
        let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let log = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        let path = String::from_utf8_lossy(&out).lines().map(str::trim).find(|l| !l.is_empty()).map(PathBuf::from);
        match path {
            Some(p) if status.success() => Ok(p),
            _ => {
                let mut error = log.errors.join("\n");
                if error.is_empty() {
                    error = tail(&log.other.join("\n"));
                }
                if error.is_empty() {
                    error = format!("`{cmd}` failed ({status})");
                }
                Err(NixError::BuildFailed { installable: installable.to_string(), error, logs: log.failed_logs() })
            }
        }
    }

    /// `nix store diff-closures BEFORE AFTER`, as it prints it.
    pub fn diff_closures(&self, before: &Path, after: &Path) -> Result<String, NixError> {
        let mut c = self.command(&["store", "diff-closures"]);
        c.arg(before).arg(after);
        let out = self.run_command(c, Some("comparing the systems"))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// The size of `path`'s closure in bytes (`nix path-info --closure-size --json`).
    pub fn closure_size(&self, path: &Path) -> Result<u64, NixError> {
        let mut c = self.command(&["path-info", "--closure-size", "--json"]);
        c.arg(path);
        let cmd = describe(&c);
        let out = self.run_command(c, None)?;
        let v: serde_json::Value = serde_json::from_slice(&out).map_err(|e| NixError::BadJson { cmd: cmd.clone(), err: e.to_string() })?;
        // Nix 2.19+: an object keyed by path; before: an array of objects.
        let info = match &v {
            serde_json::Value::Object(m) => m.values().next(),
            serde_json::Value::Array(a) => a.first(),
            _ => None,
        };
        info.and_then(|i| i.get("closureSize")).and_then(serde_json::Value::as_u64).ok_or(NixError::BadJson { cmd, err: "no closureSize".into() })
    }

    /// Whether this Nix loads `plugin` and what the plugin says about itself
    /// (`builtins.glixInfo`), run in a separate process so a mismatched plugin can only
    /// take that process down.
    pub fn probe_plugin(&self, plugin: &Path) -> Result<serde_json::Value, NixError> {
        let c = self.clone().with_plugin(Some(plugin.to_path_buf())).command(&["eval", "--json", "--expr", "builtins.glixInfo"]);
        let cmd = describe(&c);
        let out = self.run_command(c, None)?;
        serde_json::from_slice(&out).map_err(|e| NixError::BadJson { cmd, err: e.to_string() })
    }

    /// Run `c` in a process group of its own and return its stdout. With `spinner`, a
    /// terminal shows that message, then Nix's latest stderr line. Its stderr is kept
    /// for the error message. On a timeout or Ctrl-C the group is killed.
    fn run_command(&self, mut c: Command, spinner: Option<&str>) -> Result<Vec<u8>, NixError> {
        let cmd = describe(&c);
        c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = Guarded::spawn(&mut c, Group::Own)?;
        let pb = spinner.filter(|_| std::io::stderr().is_terminal()).map(|what| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_message(format!("nix: {what}"));
            pb.enable_steady_tick(Duration::from_millis(100));
            pb
        });
        // Read both pipes on threads, so a full pipe never blocks nix while glix is
        // waiting for it, and the waiting loop stays free to watch the clock.
        let stdout = child.child.stdout.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                buf
            })
        });
        let stderr = child.child.stderr.take().map(|pipe| {
            let pb = pb.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(pb) = &pb {
                        pb.set_message(format!("nix: {}", line.trim()));
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
                text
            })
        });
        let waited = child.wait_until(self.timeout.map(|t| Instant::now() + t));
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        // On a give-up the reader threads are left to finish on their own: the group
        // is dead, but something that left it could still hold a pipe open.
        let status = match waited {
            Waited::Exited(status) => status,
            Waited::TimedOut => return Err(NixError::Timeout { cmd, after: self.timeout.unwrap_or_default() }),
            Waited::Stopped => return Err(NixError::Interrupted { cmd }),
            Waited::Failed(e) => return Err(NixError::Spawn { program: self.bin.display().to_string(), reason: e.to_string() }),
        };
        let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        if status.success() {
            Ok(out)
        } else {
            Err(NixError::Failed { cmd, status: status.to_string(), code: status.code(), stderr: tail(&err) })
        }
    }
}

impl NixRunner for Nix {
    fn run(&self, args: &[&str]) -> Result<String, NixError> {
        let out = self.run_command(self.command(args), None)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Which process group a child runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// A group of its own (its pid is the group id): glix can kill everything it
    /// started, and the terminal's signals do not reach it.
    Own,
    /// glix's group: it stays in the terminal's foreground, so it can prompt there.
    Inherit,
}

/// A running child that is killed (its whole group, for [`Group::Own`]) and reaped when
/// dropped before it was waited for: an early return or a panic never leaves it running.
struct Guarded {
    child: Child,
    group: Group,
    /// Waited for: its pid may belong to someone else now, so never signal it again.
    reaped: bool,
}

/// How waiting for a [`Guarded`] child ended.
enum Waited {
    Exited(ExitStatus),
    TimedOut,
    Stopped,
    Failed(std::io::Error),
}

impl Guarded {
    fn spawn(c: &mut Command, group: Group) -> Result<Guarded, NixError> {
        if group == Group::Own {
            c.process_group(0);
        }
        // Taken before the fork: the child compares its parent with this.
        let parent = std::process::id();
        // SAFETY: the closure runs in the child between fork and exec, where only
        // async-signal-safe functions may be called; prctl, getppid and _exit are, and
        // it allocates nothing and takes no locks.
        unsafe {
            c.pre_exec(move || {
                // Killed by the kernel when the thread that spawned it ends: glix spawns
                // and waits on the same thread, so that is when glix dies.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // glix may have died between the fork and the prctl, which then never
                // fires: the child has been handed to another parent already.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let program = c.get_program().to_string_lossy().into_owned();
        let child = c.spawn().map_err(|e| NixError::Spawn { program, reason: e.to_string() })?;
        Ok(Guarded { child, group, reaped: false })
    }

    /// Wait for the child to exit, giving up at `deadline` or when a stop is requested
    /// (then it is killed before this returns).
    fn wait_until(&mut self, deadline: Option<Instant>) -> Waited {
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    self.reaped = true;
                    return Waited::Exited(status);
                }
                Ok(None) if deadline.is_some_and(|d| Instant::now() >= d) => {
                    self.kill();
                    return Waited::TimedOut;
                }
                Ok(None) if stop_requested() => {
                    self.kill();
                    return Waited::Stopped;
                }
                Ok(None) => std::thread::sleep(POLL),
                Err(e) => {
                    self.kill();
                    return Waited::Failed(e);
                }
            }
        }
    }

    /// Wait for the child without a time limit (a stop reaches it through the terminal).
    fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait()?;
        self.reaped = true;
        Ok(status)
    }

    /// SIGKILL the child (its whole group when it has one) and reap it.
    fn kill(&mut self) {
        if self.reaped {
            return;
        }
        match self.group {
            Group::Own => {
                // The child is not reaped yet, so its pid (the group's id) cannot have
                // been reused.
                let pgid = self.child.id() as libc::pid_t;
                // SAFETY: killpg only sends a signal; it touches no memory of ours.
                unsafe {
                    libc::killpg(pgid, libc::SIGKILL);
                }
            }
            Group::Inherit => {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
        self.reaped = true;
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Read a `nix build`'s internal-json log from `pipe` and show its progress on stderr:
/// a bar on a terminal, a plain line per derivation started otherwise. Warnings are
/// printed as they come. Returns everything it read, for the error of a failed build.
fn show_build(pipe: impl Read, what: &str) -> crate::nix_log::BuildLog {
    use crate::nix_log::{BuildLog, Step};
    let terminal = std::io::stderr().is_terminal();
    let pb = terminal.then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message(format!("evaluating {what}"));
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    });
    let mut log = BuildLog::default();
    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
        let Some(step) = log.feed(&line) else { continue };
        match (&pb, step) {
            (Some(pb), Step::Warning(w)) => pb.println(w),
            (None, Step::Warning(w)) => eprintln!("{w}"),
            (Some(pb), Step::Progress { done, expected }) => {
                if pb.length().is_none() {
                    pb.set_style(
                        indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg}")
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                    );
                }
                pb.set_length(expected);
                pb.set_position(done);
            }
            (None, Step::Progress { .. }) => {}
            (Some(pb), Step::Building { name }) => pb.set_message(format!("building {name}")),
            (Some(pb), Step::Fetching { name }) => pb.set_message(format!("copying {name}")),
            (None, Step::Building { name }) => eprintln!("building {name} ({} of {} derivations done)", log.done, log.expected),
            (None, Step::Fetching { name }) => eprintln!("copying {name}"),
        }
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    log
}

/// The command line, for messages; without the [`FEATURES`] flags every nix gets.
fn describe(c: &Command) -> String {
    let mut args: Vec<String> = c.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    if args.starts_with(&FEATURES.map(String::from)) {
        args.drain(..FEATURES.len());
    }
    // A long `--expr` (glix's own Nix code) would bury the error under it.
    for a in &mut args {
        if a.len() > 120 {
            *a = format!("'{}…'", a.lines().next().unwrap_or("").chars().take(40).collect::<String>());
        }
    }
    std::iter::once(c.get_program().to_string_lossy().into_owned()).chain(args).collect::<Vec<_>>().join(" ")
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

/// Run nixos-rebuild with inherited stdio (its output streams to the user, and it may
/// prompt) and return its exit code (a signal counts as 128 + signal, like a shell).
pub fn run_nixos_rebuild(bin: &Path, r: &Rebuild) -> Result<i32, NixError> {
    run_inherited(Command::new(bin).args(r.args()), bin)
}

/// A fleet engine's deploy (`colmena apply …`, `deploy …`) for `glix switch --all`:
/// the program on PATH, its argument vector, and the directory it runs in (the repo,
/// whose flake.nix the engine reads).
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub program: &'static str,
    pub args: Vec<String>,
    pub dir: PathBuf,
}

/// A program on PATH, if there is one (the fleet engines: `colmena`, `deploy`).
pub fn find_program(name: &str) -> Option<PathBuf> {
    on_path(name)
}

/// Run a fleet engine as [`run_nixos_rebuild`] runs nixos-rebuild: inherited stdio, its
/// exit code returned.
pub fn run_engine(bin: &Path, r: &EngineRun) -> Result<i32, NixError> {
    run_inherited(Command::new(bin).args(&r.args).current_dir(&r.dir), bin)
}

/// Run `c` with inherited stdio in a guarded process group; its exit code (a signal
/// counts as 128 + signal, like a shell).
fn run_inherited(c: &mut Command, bin: &Path) -> Result<i32, NixError> {
    let mut child = Guarded::spawn(c, Group::Inherit)?;
    let status = child.wait().map_err(|e| NixError::Spawn { program: bin.display().to_string(), reason: e.to_string() })?;
    Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("nix");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    /// Whether a process with this pid is still there (a zombie counts as gone).
    fn alive(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
    }

    #[test]
    fn every_command_enables_flakes_and_gets_the_extra_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let nix = Nix::at(script(dir.path(), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n")).with_args(["--option", "x", "y"]);
        let out = nix.run(&["registry", "list"]).unwrap();
        assert_eq!(out, "--extra-experimental-features\nnix-command flakes\nregistry\nlist\n--option\nx\ny\n");
    }

    #[test]
    fn a_failure_names_the_command_and_keeps_the_end_of_stderr_and_the_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let nix = Nix::at(script(dir.path(), "#!/bin/sh\necho 'error: no such flake' >&2\nexit 3\n"));
        match nix.run(&["flake", "lock"]) {
            Err(NixError::Failed { cmd, code, stderr, .. }) => {
                // as typed, without the flags glix adds to every command
                assert_eq!(cmd, format!("{} flake lock", dir.path().join("nix").display()));
                assert_eq!(code, Some(3));
                assert_eq!(stderr, "error: no such flake");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_timeout_kills_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        // nix starts a child of its own (as a real one starts git or a builder) that
        // would outlive it if only nix were killed.
        let nix = Nix::at(script(dir.path(), &format!("#!/bin/sh\nsleep 30 &\necho $$ $! > {}\nwait\n", pids.display())))
            .with_timeout(Some(Duration::from_millis(500)));
        let start = Instant::now();
        let r = nix.run(&["flake", "lock"]);
        assert!(matches!(r, Err(NixError::Timeout { after, .. }) if after == Duration::from_millis(500)), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(10));
        let text = std::fs::read_to_string(&pids).unwrap();
        for pid in text.split_whitespace() {
            // The grandchild is reparented and reaped by init, which may take a moment.
            let gone = (0..200).any(|_| {
                !alive(pid) || {
                    std::thread::sleep(Duration::from_millis(10));
                    false
                }
            });
            assert!(gone, "process {pid} outlived the timeout");
        }
    }

    #[test]
    fn a_failed_build_names_the_derivation_and_keeps_the_tail_of_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let drv = "/nix/store/anr6vj8knid7zjzbnxp8dmgrv0jadfc8-broken-1.0.drv";
        let nix = Nix::at(script(
            dir.path(),
            &format!(
                r#"#!/bin/sh
echo '@nix {{"action":"start","fields":["{drv}"],"id":7,"type":105}}' >&2
echo '@nix {{"action":"result","fields":["compiling"],"id":7,"type":101}}' >&2
echo '@nix {{"action":"result","fields":["it broke"],"id":7,"type":101}}' >&2
echo '@nix {{"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m builder for '"'"'{drv}'"'"' failed with exit code 2"}}' >&2
exit 1
"#
            ),
        ));
        let e = nix.build("/repo#x", "x").unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, NixError::BuildFailed { .. }), "{e:?}");
        assert!(text.contains(&format!("error: builder for '{drv}' failed with exit code 2")), "{text}");
        assert!(text.contains(&format!("the last 2 lines of the log of {drv}:\n  > compiling\n  > it broke")), "{text}");
        // A build that succeeds gives its output path.
        let ok = Nix::at(script(dir.path(), "#!/bin/sh\necho /nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-system\n"));
        assert_eq!(ok.build("/repo#x", "x").unwrap(), PathBuf::from("/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-system"));
    }

    #[test]
    fn a_missing_nix_says_how_to_point_glix_at_one() {
        let e = Nix::at("/nonexistent/nix").run(&["--version"]).unwrap_err();
        assert!(matches!(e, NixError::Spawn { .. }), "{e:?}");
        assert!(e.to_string().contains("GLIX_NIX"), "{e}");
    }
}
