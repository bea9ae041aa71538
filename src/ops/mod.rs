//! The operations behind glix's commands. Each one reads the repository under its
//! lock, plans the new contents of the files it changes, and hands them to
//! [`mutate`], which runs the one transaction (or, for `--dry-run`, prints the diff).
//! The CLI layer only parses arguments and renders [`Outcome`]s.

mod add;
mod config;
mod deploy;
mod doctor;
mod error;
mod fleet;
mod history;
mod host;
mod host_file;
mod init;
mod migrate;
mod new_host;
mod remove;
mod rename;
mod search;
mod state;
pub(crate) mod summary;
mod switch;
mod toggle;
mod update;

pub use add::{add, AddRequest};
pub use config::{config_set, config_unset};
pub use deploy::{deploy, DeployReport, DeployRequest, HostRun, PluginChoice, VERBS};
pub use doctor::{doctor, doctor_fix, Check, DoctorReport, Severity};
pub use error::{diagnose, Diagnosis, OpError, Refusal};
pub use fleet::{enabled as fleet_enabled, fleet_disable, fleet_enable};
pub use history::{find_operation, glix_log, restore, undo, LogEntry};
pub use host::{host_add, host_add_with, host_remove, host_set, parse_tags, HostFields, HOST_KEYS};
pub use init::{init, InitRequest};
pub use migrate::migrate;
pub use new_host::HostRequest;
pub use remove::remove;
pub use rename::{move_to, rename};
pub use search::{search, SearchHit, SearchReport};
pub use state::{load_host, load_manifest, load_manifests, read_manifest_any_schema, regenerate_flake, summaries_of};
pub use summary::{read_only as cache_read_only, HostSummary};
pub use switch::{activate, builds_first, host_diff, prepare, running_system, HostDiff, Prepared};
pub use toggle::set_enabled;
pub use update::update;

use std::collections::BTreeMap;

use crate::nix::Nix;
use crate::repo::Repo;
use crate::txn::{Locked, Operation, Recovery, Transaction, TxnError, TxnOptions};

pub const FLAKE_NIX: &str = "flake.nix";
pub const FLAKE_LOCK: &str = "flake.lock";

/// How an operation runs.
#[derive(Clone)]
pub struct Context {
    pub repo: Repo,
    pub txn: TxnOptions,
    /// Print the diff, change nothing.
    pub dry_run: bool,
    /// Run `nix flake lock` after changing inputs (off with `--no-lock`).
    pub lock: bool,
    /// Found lazily: only operations that lock need Nix.
    pub nix: Option<Nix>,
}

/// What an operation did, for the CLI to render.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The commit summary (`glix add laptop: cool-pkg (github:o/cool-pkg)`).
    pub summary: String,
    /// The new commit, or `None` for a dry run.
    pub commit: Option<String>,
    /// Dry run: the unified diff of every file that would change.
    pub diff: Option<String>,
    /// A previous glix had been interrupted; this is what was rolled back first.
    pub recovery: Option<Recovery>,
    pub warnings: Vec<String>,
    /// Files the commit changed.
    pub files: Vec<String>,
    /// The repository already said what was asked, so nothing was changed and no commit
    /// made: why (`cool-pkg is already disabled on laptop`).
    pub noop: Option<String>,
    /// What the change did that a person wants to hear (what `init --from` adopted).
    pub notes: Vec<String>,
}

impl Outcome {
    /// Nothing to change: the repository already says what `summary` asked for.
    pub fn noop(summary: &str, reason: String) -> Outcome {
        Outcome { summary: summary.to_string(), noop: Some(reason), ..Outcome::default() }
    }
}

/// What to do with flake.lock after the files are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockStep {
    None,
    /// `nix flake lock`: lock new inputs, drop removed ones.
    Lock,
    /// `nix flake update INPUT...` (all inputs when empty).
    Update(Vec<String>),
}

/// An operation's plan: its commit metadata and the new contents of its files.
pub struct Planned {
    pub op: Operation,
    /// Repo-relative path → new contents (`None`: delete).
    pub files: BTreeMap<String, Option<String>>,
    pub lock: LockStep,
    pub warnings: Vec<String>,
    /// Work that only saves time later (cache entries): done on another core while the
    /// change is written, and not at all for a dry run.
    pub after: Vec<Deferred>,
    /// What to say when the change turns out to change nothing — no file to write and
    /// no lock step, or a lock step that left every file as it was: the repository
    /// already says what was asked. `None`: a generic "nothing to change".
    pub unchanged: Option<String>,
}

impl Planned {
    /// A plan that changes nothing, because the repository already says what was asked.
    pub fn unchanged(op: Operation, reason: String) -> Planned {
        Planned { op, files: BTreeMap::new(), lock: LockStep::None, warnings: vec![], after: vec![], unchanged: Some(reason) }
    }

    /// Whether there is nothing to do at all.
    fn is_empty(&self) -> bool {
        self.files.is_empty() && self.lock == LockStep::None
    }

    fn noop(&self, recovery: Option<Recovery>) -> Outcome {
        let reason = self.unchanged.clone().unwrap_or_else(|| "nothing to change: the repository already says that".into());
        Outcome { recovery, warnings: self.warnings.clone(), ..Outcome::noop(&self.op.summary, reason) }
    }
}

/// See [`Planned::after`].
pub type Deferred = Box<dyn FnOnce() + Send>;

/// Run an operation: plan it under the repo lock, then write, lock and commit in one
/// transaction — or only show the diff for a dry run.
pub fn mutate(ctx: &Context, plan: impl FnOnce(&Repo) -> Result<Planned, OpError>) -> Result<Outcome, OpError> {
    if ctx.dry_run {
        let planned = plan(&ctx.repo)?;
        if planned.is_empty() {
            return Ok(Outcome { diff: Some(String::new()), ..planned.noop(None) });
        }
        return Ok(Outcome {
            summary: planned.op.summary.clone(),
            diff: Some(diff(&ctx.repo, &planned, ctx.lock)),
            warnings: planned.warnings,
            files: planned.files.keys().cloned().collect(),
            ..Outcome::default()
        });
    }
    let locked = Locked::acquire(&ctx.repo, &ctx.txn)?;
    let recovery = locked.recovery().cloned();
    let mut planned = plan(&ctx.repo)?;
    if planned.is_empty() {
        return Ok(planned.noop(recovery));
    }
    let after = std::mem::take(&mut planned.after);
    let locking = ctx.lock && planned.lock != LockStep::None;
    let contents: Vec<(&str, Option<&[u8]>)> = planned.files.iter().map(|(rel, c)| (rel.as_str(), c.as_deref().map(str::as_bytes))).collect();
    std::thread::scope(|s| {
        // flake.lock is covered from the start when nix will write it: the dirty check
        // and the preconditions apply to it like to every file glix writes itself.
        let covers: &[&str] = if locking && !planned.files.contains_key(FLAKE_LOCK) { &[FLAKE_LOCK] } else { &[] };
        let mut txn = locked.start(planned.op.clone(), &contents, covers, ctx.txn.allow_dirty)?;
        // Cache entries that only save time later are written on the other core while
        // the change is written.
        s.spawn(move || quietly(|| after.into_iter().for_each(|f| f())));
        let steps = |txn: &mut Transaction| -> Result<(), OpError> {
            for &(rel, bytes) in &contents {
                match bytes {
                    Some(b) => txn.write(rel, b)?,
                    None => txn.remove(rel)?,
                }
            }
            fail::fail_point!("op-before-lock", |_| Err(Refusal::Injected("before nix flake lock").into()));
            if locking {
                let nix = match &ctx.nix {
                    Some(n) => n.clone(),
                    None => Nix::locate()?,
                };
                txn.let_write(FLAKE_LOCK, || match &planned.lock {
                    LockStep::Lock => nix.flake_lock(ctx.repo.root()).map_err(OpError::from),
                    LockStep::Update(inputs) => nix.flake_update(ctx.repo.root(), inputs).map_err(OpError::from),
                    LockStep::None => Ok(()),
                })?;
            }
            fail::fail_point!("op-after-lock", |_| Err(Refusal::Injected("after nix flake lock").into()));
            Ok(())
        };
        let committed = steps(&mut txn).and_then(|()| txn.commit().map_err(OpError::from));
        let committed = match committed.map_err(|e| rolled_back(txn, e)) {
            // A lock step that changed nothing, rolled back cleanly: nothing was asked
            // that the repository did not already say.
            Err(OpError::Txn(TxnError::NothingChanged)) => return Ok(planned.noop(recovery)),
            other => other?,
        };
        let mut warnings = planned.warnings.clone();
        warnings.extend(committed.warnings);
        Ok(Outcome {
            summary: planned.op.summary.clone(),
            commit: Some(committed.id),
            diff: None,
            recovery,
            warnings,
            files: committed.files,
            noop: None,
            notes: vec![],
        })
    })
}

/// Roll a failed transaction back and say how that went, with the error that ended it.
fn rolled_back(txn: Transaction, cause: OpError) -> OpError {
    match txn.abort() {
        Ok(a) if a.foreign.is_empty() => cause,
        Ok(a) => OpError::LeftForeign { cause: Box::new(cause), files: a.foreign },
        Err(e) => OpError::RollbackFailed { cause: Box::new(cause), rollback: e },
    }
}

/// Run work whose failure only costs time later (a blob the commit then writes itself,
/// a cache entry) on a helper thread: a panic there must not become glix's own when
/// the thread scope ends.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// The unified diff of one file (`None`: the file does not exist on that side).
pub(crate) fn file_diff(rel: &str, old: Option<&str>, new: Option<&str>) -> String {
    let from = if old.is_some() { format!("a/{rel}") } else { "/dev/null".into() };
    let to = if new.is_some() { format!("b/{rel}") } else { "/dev/null".into() };
    similar::TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or("")).unified_diff().context_radius(3).header(&from, &to).to_string()
}

/// The unified diff of a plan against the files as they are.
fn diff(repo: &Repo, planned: &Planned, lock: bool) -> String {
    let mut out = String::new();
    for (rel, new) in &planned.files {
        let old = std::fs::read_to_string(repo.path(rel)).ok();
        if old.as_deref() == new.as_deref() {
            continue;
        }
        out.push_str(&file_diff(rel, old.as_deref(), new.as_deref()));
    }
    if lock {
        match &planned.lock {
            LockStep::Lock => out.push_str("# then: nix flake lock (flake.lock would change)\n"),
            LockStep::Update(i) if i.is_empty() => out.push_str("# then: nix flake update (all inputs)\n"),
            LockStep::Update(i) => out.push_str(&format!("# then: nix flake update {}\n", i.join(" "))),
            LockStep::None => {}
        }
    }
    out
}
