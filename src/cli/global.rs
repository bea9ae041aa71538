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
            .env("GLIX_REPO")
            .value_parser(clap::value_parser!(PathBuf))
            .help("The user-packages flake [default: ~/.config/glixos]"),
        Arg::new("host").long("host").global(true).value_name("HOST").help("The host to act on [default: the only host, or this machine's hostname]"),
        flag("json", "Print machine-readable JSON"),
        flag("dry-run", "Show the diff a change would make; change nothing"),
        flag("allow-dirty", "Change files even when they have uncommitted changes"),
        flag("no-lock", "Do not run `nix flake lock` after changing inputs"),
        flag("allow-insecure", "Accept a registry over plain http:// without a warning"),
        Arg::new("quiet").short('q').long("quiet").global(true).action(ArgAction::SetTrue).help("Print only errors"),
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
            keep_changed_files: false,
        }
    }

    /// The repo: --repo, GLIX_REPO, or ~/.config/glixos.
    pub fn repo_dir(&self) -> PathBuf {
        self.repo.clone().unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
            home.join(".config/glixos")
        })
    }

    /// Open the repo. Before anything else, a journal left by a killed glix is rolled
    /// back (under the repo lock) and reported — by every command, reads included, so
    /// nobody ever looks at a half-changed repo.
    pub fn open_repo(&self) -> Result<Repo> {
        let repo = Repo::open(&self.repo_dir()).map_err(|e| self.with_cwd_hint(e))?;
        if glix::txn::leftovers(&repo) {
            let opts = TxnOptions { wait: Duration::from_secs(self.wait), keep_changed_files: self.keep_changed_files, ..TxnOptions::default() };
            let locked = glix::txn::Locked::acquire(&repo, &opts)?;
            if let Some(r) = locked.recovery() {
                report_recovery(r);
            }
        }
        Ok(repo)
    }

    /// The repo is found only through --repo, GLIX_REPO or the default (a command
    /// never changes a repo just because the shell is in it); when the default is not
    /// one but the current directory is inside one, say so.
    fn with_cwd_hint(&self, e: glix::repo::RepoError) -> anyhow::Error {
        let inside = match (&e, &self.repo) {
            (glix::repo::RepoError::NotARepo(_), None) => std::env::current_dir()
                .ok()
                .and_then(|cwd| cwd.ancestors().find(|d| d.join("flake.nix").is_file() && d.join("hosts").is_dir()).map(Path::to_path_buf)),
            _ => None,
        };
        match inside {
            Some(dir) => CliError::RepoElsewhere { error: e, dir }.into(),
            None => e.into(),
        }
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
        opts
    }

    /// Say what a mutation did (or would do).
    pub fn report(&self, outcome: &Outcome) -> Result<()> {
        if let Some(r) = &outcome.recovery {
            report_recovery(r);
        }
        for w in &outcome.warnings {
            eprintln!("warning: {w}");
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
        "summary": outcome.summary,
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
    /// The default repo is not one, but the current directory is inside one.
    #[error("{error}")]
    RepoElsewhere { error: glix::repo::RepoError, dir: PathBuf },
    #[error("glix init needs --host NAME (the first host of the repo)")]
    InitNeedsHost,
    #[error("{arg}: expected {expected}")]
    NotAPair { arg: String, expected: &'static str },
}

impl CliError {
    fn diagnosis(&self) -> glix::ops::Diagnosis {
        let (kind, hint) = match self {
            CliError::RepoElsewhere { error, dir } => (
                error.kind(),
                Some(format!(
                    "the current directory is inside {d}, which looks like a glix repository: use `--repo {d}` or `export GLIX_REPO={d}`",
                    d = dir.display()
                )),
            ),
            CliError::InitNeedsHost => ("init-needs-host", Some("e.g. `glix init --host laptop --user alice`".into())),
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
