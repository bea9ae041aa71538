//! The user-packages repository, read side: where it is, its hosts, and its history
//! (git2). Changing it is the transaction's job (`crate::txn`), so the rest of the
//! library speaks in repo-relative paths.

pub mod git;
pub mod switches;

use std::path::{Path, PathBuf};

pub use git::{CommitInfo, Trailers};

/// Why a repository could not be used. What to do about it is [`RepoError::hint`].
///
/// A cause (an I/O or git error) is part of the message, not also a `source()`: the
/// CLI prints an error's chain, and would say it twice.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{0} is not a glix repository (no flake.nix and hosts/ there)")]
    NotARepo(String),
    #[error("{0} is not a git repository, and glix records every change as a git commit")]
    NotGit(String),
    #[error("no host named '{name}' in {repo}; hosts: {hosts}")]
    NoSuchHost { name: String, repo: String, hosts: String },
    #[error("{repo} has several hosts ({hosts}) and none is this machine's hostname")]
    AmbiguousHost { repo: String, hosts: String },
    #[error("{0} has no hosts yet")]
    NoHosts(String),
    #[error("'{0}' is not a valid host name ({rule})", rule = crate::ident::NAME_RULE)]
    InvalidHostName(String),
    #[error("{what}: {error}")]
    Io { what: String, error: std::io::Error },
    #[error("git: {}", .0.message())]
    Git(::git2::Error),
    #[error("another glix is changing {0} and did not finish within {1} s")]
    Busy(String, u64),
    #[error("{0}")]
    Journal(String),
    #[error("an interrupted `{description}` left files that were changed after it stopped: {}; glix restored nothing", files.join(", "))]
    RecoveryConflict { description: String, files: Vec<String> },
    #[error("{rel} leads outside the repository (to {target}); glix does not follow symlinks out of the repo, so it neither reads nor writes that file")]
    OutsideRepo { rel: String, target: String },
}

pub type Result<T> = std::result::Result<T, RepoError>;

impl From<::git2::Error> for RepoError {
    fn from(e: ::git2::Error) -> RepoError {
        RepoError::Git(e)
    }
}

impl RepoError {
    /// What to do next, for the `hint:` line.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            RepoError::NotARepo(dir) => format!("create one with `glix init {dir}`, or point --repo / GLIX_REPO at yours"),
            RepoError::NotGit(_) => "run `git init` there and commit its files, or start afresh with `glix init`".into(),
            RepoError::NoSuchHost { name, hosts, .. } => match crate::ident::closest(name, hosts.split(", ")) {
                Some(near) => format!("did you mean --host {near}? (or add this one with `glix host add {name}`)"),
                None => format!("choose one of the hosts with --host, or add this one with `glix host add {name}`"),
            },
            RepoError::AmbiguousHost { .. } => "choose one with --host".into(),
            RepoError::NoHosts(_) => "add one with `glix host add NAME`".into(),
            RepoError::Busy(..) => "try again (--wait SECONDS waits longer), or check for a stuck glix process".into(),
            RepoError::RecoveryConflict { .. } => {
                "look at them (`git status`, `git diff`); to keep them as they are now, run `glix doctor --fix`, which forgets the interrupted operation without restoring anything".into()
            }
            RepoError::InvalidHostName(_) | RepoError::Io { .. } | RepoError::Git(_) | RepoError::Journal(_) | RepoError::OutsideRepo { .. } => return None,
        })
    }

    /// A stable, machine-readable name of what went wrong (see `glix::ops::OpError::kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            RepoError::NotARepo(_) => "not-a-repo",
            RepoError::NotGit(_) => "not-git",
            RepoError::NoSuchHost { .. } => "no-such-host",
            RepoError::AmbiguousHost { .. } => "ambiguous-host",
            RepoError::NoHosts(_) => "no-hosts",
            RepoError::InvalidHostName(_) => "invalid-host-name",
            RepoError::Io { .. } => "io",
            RepoError::Git(_) => "git",
            RepoError::Busy(..) => "busy",
            RepoError::Journal(_) => "journal",
            RepoError::RecoveryConflict { .. } => "recovery-conflict",
            RepoError::OutsideRepo { .. } => "outside-repo",
        }
    }
}

pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> RepoError {
    let what = what.into();
    move |error| RepoError::Io { what, error }
}

#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// Open the glix repository at `dir`: a git work tree with `flake.nix` and `hosts/`.
    pub fn open(dir: &Path) -> Result<Repo> {
        let root = dir.canonicalize().map_err(|_| RepoError::NotARepo(dir.display().to_string()))?;
        if !root.join("flake.nix").is_file() || !root.join("hosts").is_dir() {
            return Err(RepoError::NotARepo(dir.display().to_string()));
        }
        if !root.join(".git").exists() {
            return Err(RepoError::NotGit(root.display().to_string()));
        }
        Ok(Repo { root })
    }

    /// A repository object for a directory `glix init` is about to fill.
    pub fn at_new(root: PathBuf) -> Repo {
        Repo { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Where glix keeps its lock, journal and cache: the git directory, so they are
    /// never committed and never show up in `git status`. In a linked work tree
    /// (`git worktree add`) `.git` is a file naming that work tree's own git directory.
    pub fn state_dir(&self) -> PathBuf {
        let dot_git = self.root.join(".git");
        match std::fs::read_to_string(&dot_git) {
            Ok(text) => match text.strip_prefix("gitdir:") {
                Some(dir) => self.root.join(dir.trim()), // `join` keeps an absolute path as it is
                None => dot_git,
            },
            Err(_) => dot_git, // a directory (or nothing yet, for `glix init`)
        }
    }

    /// The absolute path of a repo file that glix will read or write, refusing one that
    /// leads (through a symlink) outside the repository.
    pub fn contained(&self, rel: &str) -> Result<PathBuf> {
        let path = self.root.join(rel);
        if let Ok(real) = path.canonicalize() {
            if !real.starts_with(&self.root) {
                return Err(RepoError::OutsideRepo { rel: rel.to_string(), target: real.display().to_string() });
            }
        }
        Ok(path)
    }

    /// The repo-relative path of the file `rel` names, through in-repo symlinks (of the
    /// file or of a directory above it), so glix writes through a link instead of
    /// replacing it. A file that does not exist yet is named through its directory.
    pub fn real_rel(&self, rel: &str) -> Result<String> {
        let path = self.contained(rel)?;
        let real = match path.canonicalize() {
            Ok(real) => real,
            Err(_) => match (path.parent().and_then(|d| d.canonicalize().ok()), path.file_name()) {
                (Some(dir), Some(name)) => dir.join(name),
                _ => return Ok(rel.to_string()),
            },
        };
        match real.strip_prefix(&self.root) {
            Ok(inside) => Ok(inside.to_string_lossy().into_owned()),
            Err(_) => Err(RepoError::OutsideRepo { rel: rel.to_string(), target: real.display().to_string() }),
        }
    }

    /// The repo-relative path of a host's manifest.
    pub fn manifest_rel(host: &str) -> String {
        format!("hosts/{host}/glix.toml")
    }

    /// Hosts, sorted: the directories of `hosts/` that hold a glix.toml.
    pub fn hosts(&self) -> Result<Vec<String>> {
        let dir = self.root.join("hosts");
        let mut hosts: Vec<String> = std::fs::read_dir(&dir)
            .map_err(io(format!("cannot read {}", dir.display())))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("glix.toml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            // Host names become Nix attribute names: a directory that is not one (or a
            // `..`) is not a host.
            .filter(|h| crate::ident::is_valid_name(h))
            .collect();
        hosts.sort();
        Ok(hosts)
    }

    /// The host a command is about: `--host`, else the only host, else this machine's
    /// hostname when it is a host, else an error listing the hosts.
    pub fn choose_host(&self, explicit: Option<&str>) -> Result<String> {
        let hosts = self.hosts()?;
        let list = || if hosts.is_empty() { "none".to_string() } else { hosts.join(", ") };
        if let Some(h) = explicit {
            if hosts.iter().any(|x| x == h) {
                return Ok(h.to_string());
            }
            return Err(RepoError::NoSuchHost { name: h.to_string(), repo: self.root.display().to_string(), hosts: list() });
        }
        match hosts.len() {
            0 => Err(RepoError::NoHosts(self.root.display().to_string())),
            1 => Ok(hosts[0].clone()),
            _ => {
                let me = machine_hostname();
                hosts
                    .iter()
                    .find(|h| Some(h.as_str()) == me.as_deref())
                    .cloned()
                    .ok_or_else(|| RepoError::AmbiguousHost { repo: self.root.display().to_string(), hosts: list() })
            }
        }
    }
}

/// This machine's hostname, when it has one.
/// Whether an SSH destination (`[user@]host[:port]`, IPv6 in brackets) names this
/// machine: its hostname (or that name with a domain, `laptop.lan`), `localhost` or a
/// loopback address. A manifest's `target-host` that does so is deployed locally.
pub fn names_this_machine(target: &str) -> bool {
    let host = target.rsplit_once('@').map_or(target, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    let host = host.to_ascii_lowercase();
    if matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1") {
        return true;
    }
    let short = host.split('.').next().unwrap_or("");
    machine_hostname().is_some_and(|me| {
        let me = me.to_ascii_lowercase();
        host == me || short == me.split('.').next().unwrap_or("")
    })
}

pub fn machine_hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
