//! Options every subcommand shares, the context mutations run in, and how results and
//! errors reach the user.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches};
use glix::ops::{Context, Outcome};
use glix::repo::Repo;
use glix::txn::TxnOptions;

#[derive(Clone)]
pub struct Global {
    pub repo: Option<PathBuf>,
    pub host: Option<String>,
    pub json: bool,
    pub dry_run: bool,
    pub allow_dirty: bool,
    pub no_lock: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub registry: Option<String>,
    pub wait: u64,
    pub allow_insecure: bool,
    pub offline: bool,
    /// `glix doctor --fix`: an interrupted operation whose files were changed since is
    /// forgotten, the files kept as they are.
    pub keep_changed_files: bool,
}

pub fn args() -> Vec<Arg> {
    let flag = |name: &'static str, help: &'static str| Arg::new(name).long(name).global(true).action(ArgAction::SetTrue).help(help);
    vec![
        Arg::new("repo")
            .long("repo")
            .global(true)
            .value_name("DIR")
            .value_parser(clap::value_parser!(PathBuf))
            .help("The user-packages flake [default: the repo the current directory is in, else GLIX_REPO, else ~/.config/glixos]"),
        Arg::new("host").long("host").global(true).value_name("HOST").help("The host to act on [default: the only host, or this machine's hostname]"),
        flag("json", "Print machine-readable JSON"),
        flag("dry-run", "Show the diff a change would make; change nothing"),
        flag("allow-dirty", "Change files even when they have uncommitted changes"),
        flag("no-lock", "Do not run `nix flake lock` after changing inputs"),
        flag("allow-insecure", "Accept a registry over plain http:// without a warning"),
        flag("offline", "Use no network: the cached copy of the glix registry (whatever its age), and `nix --offline`"),
        Arg::new("quiet")
            .short('q')
            .long("quiet")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print only errors (doctor: only the failing checks; the build verbs: no notes, no derivation path)"),
        Arg::new("verbose").short('v').long("verbose").global(true).action(ArgAction::SetTrue).help("Say more about what happens"),
        Arg::new("registry")
            .long("registry")
            .global(true)
            .value_name("URL")
            .env("GLIX_REGISTRY")
            .help("The glix registry index (file:// or https://) used to resolve names"),
        Arg::new("wait")
            .long("wait")
            .global(true)
            .value_name("SECONDS")
            .default_value("60")
            .value_parser(clap::value_parser!(u64))
            .help("How long to wait for another glix working on the same repo"),
    ]
}

/// The global flags whose meaning depends on the command (`--repo`, `--json`, `-q`,
/// `-v` mean the same everywhere).
pub const FLAGS: [&str; 8] = ["host", "dry-run", "allow-dirty", "no-lock", "wait", "registry", "allow-insecure", "offline"];

/// Whether global flag `flag` means something to subcommand `command`.
pub fn means_something(flag: &str, command: &str) -> bool {
    // The commands that change the repo (main.rs's list), and doctor, for --fix.
    let changes = crate::MUTATIONS.contains(&command) || command == "doctor";
    const RESOLVES: &[&str] = &["add", "search"];
    const NO_HOST: &[&str] = &["search", "completions", "man", "migrate", "doctor"];
    match flag {
        // `search --dry-run` stores no index, as a dry run writes no cache.
        "dry-run" => changes || command == "search",
        "allow-dirty" | "wait" => changes,
        "no-lock" => changes && command != "migrate",
        "registry" | "allow-insecure" => RESOLVES.contains(&command),
        "offline" => RESOLVES.contains(&command),
        "host" => !NO_HOST.contains(&command),
        _ => true,
    }
}

impl Global {
    pub fn from_matches(m: &ArgMatches) -> Global {
        Global {
            repo: m.get_one::<PathBuf>("repo").cloned(),
            host: m.get_one::<String>("host").cloned(),
            json: m.get_flag("json"),
            dry_run: m.get_flag("dry-run"),
            allow_dirty: m.get_flag("allow-dirty"),
            no_lock: m.get_flag("no-lock"),
            quiet: m.get_flag("quiet"),
            verbose: m.get_flag("verbose"),
            registry: m.get_one::<String>("registry").cloned(),
            wait: m.get_one::<u64>("wait").copied().unwrap_or(60),
            allow_insecure: m.get_flag("allow-insecure"),
            offline: m.get_flag("offline"),
            keep_changed_files: false,
        }
    }

    /// The repo: --repo; else the glix repository the current directory is in (as git
    /// and nix find theirs); else GLIX_REPO (empty means unset); else
    /// ~/.config/glixos — under sudo, which resets HOME and GLIX_REPO, the invoking
    /// user's (SUDO_USER's home, from the password database).
    pub fn repo_dir(&self) -> PathBuf {
        self.locate().0
    }

    fn locate(&self) -> (PathBuf, Found) {
        if let Some(r) = &self.repo {
            return (r.clone(), Found::Flag);
        }
        if let Some(dir) = std::env::current_dir().ok().and_then(|cwd| cwd.ancestors().find(|d| looks_like_repo(d)).map(Path::to_path_buf)) {
            return (dir, Found::Cwd);
        }
        if let Some(dir) = std::env::var_os("GLIX_REPO").filter(|v| !v.is_empty()) {
            return (PathBuf::from(dir), Found::Env);
        }
        if let Some(user) = sudo_user() {
            return match home_of(&user) {
                Some(home) => (home.join(".config/glixos"), Found::Sudo(user)),
                None => (default_repo(), Found::SudoUnknown(user)),
            };
        }
        (default_repo(), Found::Default)
    }

    /// Open the repo. Before anything else, a journal left by a killed glix is rolled
    /// back (under the repo lock) and reported — by every command, reads included, so
    /// nobody ever looks at a half-changed repo.
    pub fn open_repo(&self) -> Result<Repo> {
        let (dir, found) = self.locate();
        let repo = Repo::open(&dir).map_err(|e| match (&e, found) {
            (glix::repo::RepoError::NotARepo(_), Found::Sudo(user) | Found::SudoUnknown(user)) => {
                anyhow::Error::from(CliError::NotFoundUnderSudo { error: e, user })
            }
            _ => e.into(),
        })?;
        if glix::txn::leftovers(&repo) {
            let opts = TxnOptions { wait: Duration::from_secs(self.wait), keep_changed_files: self.keep_changed_files, ..TxnOptions::default() };
            let locked = glix::txn::Locked::acquire(&repo, &opts)?;
            if let Some(r) = locked.recovery() {
                report_recovery(r);
            }
        }
        Ok(repo)
    }

    /// The context a mutation runs in.
    pub fn context(&self) -> Result<Context> {
        Ok(Context {
            repo: self.open_repo()?,
            txn: TxnOptions { allow_dirty: self.allow_dirty, wait: Duration::from_secs(self.wait), keep_changed_files: self.keep_changed_files },
            dry_run: self.dry_run,
            lock: !self.no_lock,
            nix: None,
        })
    }

    /// The resolver's options: --registry / GLIX_REGISTRY, else the repo's `.glix.toml`.
    pub fn resolve_options(&self) -> glix::resolve::ResolveOptions {
        let repo_config = std::fs::read_to_string(self.repo_dir().join(".glix.toml"))
            .ok()
            .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
            .and_then(|d| d.get("registry").and_then(|r| r.as_str()).map(str::to_string));
        let url = glix::resolve::choose_registry_url(self.registry.as_deref(), None, repo_config.as_deref());
        let mut opts = glix::resolve::ResolveOptions::new(Some(url));
        opts.allow_insecure = self.allow_insecure;
        opts.offline = self.offline;
        opts
    }

    /// Say what a mutation did (or would do).
    pub fn report(&self, outcome: &Outcome) -> Result<()> {
        // The change is made (or refused) by now: a closed pipe may end glix.
        closed_pipe_ends_quietly();
        if let Some(r) = &outcome.recovery {
            report_recovery(r);
        }
        for w in &outcome.warnings {
            eprintln!("warning: {w}");
        }
        if !self.quiet && !self.json {
            for n in &outcome.notes {
                eprintln!("{n}");
            }
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(&outcome_json(outcome))?);
            return Ok(());
        }
        if let Some(reason) = &outcome.noop {
            if !self.quiet {
                eprintln!("{reason}");
            }
            return Ok(());
        }
        match (&outcome.diff, &outcome.commit) {
            (Some(diff), _) => {
                print!("{diff}");
                if !self.quiet {
                    eprintln!("dry run: `{}` would make these changes; nothing was changed", outcome.summary);
                }
            }
            (None, Some(id)) if !self.quiet => {
                println!("{} {}", &id[..12.min(id.len())], outcome.summary);
                if self.verbose {
                    for f in &outcome.files {
                        println!("  changed {f}");
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// How [`Global::locate`] found the repo.
enum Found {
    Flag,
    Cwd,
    Env,
    /// Under sudo: the invoking user's default repo.
    Sudo(String),
    /// Under sudo, for a user the password database does not know.
    SudoUnknown(String),
    Default,
}

/// A directory glix would take for a repo: `flake.nix` and `hosts/` (what
/// [`Repo::open`] checks before it looks for git).
fn looks_like_repo(d: &Path) -> bool {
    d.join("flake.nix").is_file() && d.join("hosts").is_dir()
}

fn default_repo() -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".config/glixos")
}

/// The user who ran `sudo glix`, when glix runs as root for them.
fn sudo_user() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    std::env::var("SUDO_USER").ok().filter(|u| root && !u.is_empty() && u != "root")
}

/// A user's home directory, from the password database.
fn home_of(user: &str) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(user).ok()?;
    // SAFETY: `name` is a NUL-terminated string that outlives the call; getpwnam returns
    // null or a pointer to a static record, read here before any other passwd call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    // SAFETY: `pw` is non-null and points at a valid record; pw_dir is null or a C string.
    let dir = unsafe { (*pw).pw_dir };
    if dir.is_null() {
        return None;
    }
    // SAFETY: `dir` is a valid C string owned by the static record, copied out at once.
    let bytes = unsafe { std::ffi::CStr::from_ptr(dir) }.to_bytes();
    (!bytes.is_empty()).then(|| PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

/// Let a write to a closed pipe end glix the way it ends `ls` (killed by SIGPIPE,
/// quietly), instead of a panic or "error: Broken pipe". Rust ignores SIGPIPE, so
/// glix does too until nothing it does can be left half-done by dying: a read-only
/// command from its start, a change once it is committed or rolled back.
pub fn closed_pipe_ends_quietly() {
    // SAFETY: setting a signal's disposition to its default has no preconditions; no
    // handler of glix's is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// SIGPIPE ignored again, as Rust starts a program (a write to a closed pipe is an
/// error, not death): for a change, until it is committed or rolled back.
pub fn pipes_fail_writes() {
    // SAFETY: as in `closed_pipe_ends_quietly`.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

fn report_recovery(r: &glix::txn::Recovery) {
    if !r.unlocked.is_empty() {
        eprintln!("glix: removed the git lock files the interrupted glix left: {}", r.unlocked.join(", "));
    }
    if !r.kept.is_empty() {
        eprintln!(
            "glix: forgot the interrupted `{}` and kept {} as {} now (changed after it stopped)",
            r.description,
            r.kept.join(", "),
            if r.kept.len() == 1 { "it is" } else { "they are" }
        );
    } else if r.completed {
        eprintln!("glix: the interrupted `{}` had committed; tidied up its journal", r.description);
    } else if r.restored.is_empty() {
        eprintln!("glix: rolled back the interrupted `{}` (it had not changed any file yet)", r.description);
    } else {
        eprintln!("glix: rolled back the interrupted `{}`: restored {}", r.description, r.restored.join(", "));
    }
}

/// What `--json` prints for an outcome: `commit` is null for a dry run and for a no-op
/// (`noop`: the repository already said what was asked; `reason` says why).
pub fn outcome_json(outcome: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "summary": outcome.summary,
        "warnings": outcome.warnings,
        "commit": outcome.commit,
        "files": outcome.files,
        "dryRun": outcome.diff.is_some(),
        "diff": outcome.diff,
        "noop": outcome.noop.is_some(),
        "reason": outcome.noop,
    })
}

/// Errors of the CLI layer itself (the library's are `glix::ops::OpError` and the
/// types it wraps).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Under sudo (HOME and GLIX_REPO reset), the invoking user's default is not a repo.
    #[error("{error}")]
    NotFoundUnderSudo { error: glix::repo::RepoError, user: String },
    #[error("{arg}: expected {expected}")]
    NotAPair { arg: String, expected: &'static str },
}

impl CliError {
    fn diagnosis(&self) -> glix::ops::Diagnosis {
        let (kind, hint) = match self {
            CliError::NotFoundUnderSudo { error, user } => (
                error.kind(),
                Some(format!(
                    "sudo resets HOME and GLIX_REPO, so glix looked for {user}'s repo in their home; name yours: `sudo glix --repo /path/to/repo …`, run glix from inside the repo, or `sudo --preserve-env=GLIX_REPO glix …`"
                )),
            ),
            CliError::NotAPair { .. } => ("bad-argument", None),
        };
        glix::ops::Diagnosis { kind, hint, changed_nothing: true }
    }
}

/// An error as the CLI reports it.
pub struct Report {
    /// What failed, then each cause the message does not already say.
    pub lines: Vec<String>,
    pub diagnosis: glix::ops::Diagnosis,
}

impl Report {
    pub fn of(e: &anyhow::Error) -> Report {
        let mut lines = vec![e.to_string()];
        for cause in e.chain().skip(1) {
            let text = cause.to_string();
            // A message that embeds its cause (`could not run nix: No such file …`)
            // says it once.
            if !lines.iter().any(|l| l.contains(&text)) {
                lines.push(text);
            }
        }
        let diagnosis = e
            .chain()
            .find_map(|c| c.downcast_ref::<CliError>().map(CliError::diagnosis).or_else(|| glix::ops::diagnose(c)))
            .unwrap_or(glix::ops::Diagnosis { kind: "error", hint: None, changed_nothing: true });
        Report { lines, diagnosis }
    }

    /// The `--json` form: `{"version": 1, "error", "kind", "hint", "changedNothing"}`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "version": 1,
            "error": self.lines.join(": "),
            "kind": self.diagnosis.kind,
            "hint": self.diagnosis.hint,
            "changedNothing": self.diagnosis.changed_nothing,
        })
    }
}

/// Print an error: what failed and its causes, what to do next, and for a failed
/// change that left the repository as it was, that nothing was changed. With `--json`,
/// one JSON object on stdout instead.
pub fn report_error(e: &anyhow::Error, mutation: bool, json: bool) {
    closed_pipe_ends_quietly();
    let r = Report::of(e);
    if json {
        match serde_json::to_string_pretty(&r.json()) {
            Ok(s) => println!("{s}"),
            Err(_) => println!("{}", r.json()),
        }
        return;
    }
    let mut lines = r.lines.iter();
    if let Some(first) = lines.next() {
        eprintln!("error: {first}");
    }
    for cause in lines {
        eprintln!("  caused by: {cause}");
    }
    if let Some(h) = &r.diagnosis.hint {
        eprintln!("hint: {h}");
    }
    if mutation && r.diagnosis.changed_nothing {
        eprintln!("nothing was changed: every file is as it was, and no commit was made");
    }
}
