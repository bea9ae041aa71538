//! Reading a machine's NixOS configuration as it is (`/etc/nixos`), without evaluating
//! it: which files belong to it (`configuration.nix`, `hardware-configuration.nix` and
//! every file they refer to by a relative path, followed recursively), what it says
//! about the host (name, platform, `system.stateVersion`), and what a flake cannot
//! carry over — channel lookups, fetches without a hash, impure builtins, paths outside
//! the directory — each named with its file and line and what to do.
//!
//! `glix init --from` and `glix host add --from` copy what [`read`] found into
//! `hosts/<host>/`; `glix doctor` runs [`findings`] over the hosts' files again.

pub mod lex;
pub mod scan;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use scan::{Impure, Scan};

pub const CONFIGURATION: &str = "configuration.nix";
pub const HARDWARE: &str = "hardware-configuration.nix";

/// Why a directory could not be adopted. What to do is [`AdoptError::hint`].
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    #[error("{0} holds no configuration.nix, so there is no NixOS configuration to adopt")]
    NoConfiguration(String),
    #[error("cannot read {path}: {error}")]
    Unreadable { path: String, error: std::io::Error },
    #[error("{0} is not UTF-8 text; glix adopts text files only")]
    NotText(String),
}

impl AdoptError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            AdoptError::NoConfiguration(_) => {
                "name the directory that holds it (--from DIR; on the machine, /etc/nixos), or make a fresh host without --from (`glix init --empty`)".into()
            }
            AdoptError::Unreadable { .. } => {
                "run glix as a user who can read it (sudo keeps your repo: `sudo glix --repo … init --from …`), or fix its permissions".into()
            }
            AdoptError::NotText(_) => "copy it into the repo yourself after adopting the rest, or drop the reference to it".into(),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            AdoptError::NoConfiguration(_) => "no-configuration",
            AdoptError::Unreadable { .. } => "unreadable",
            AdoptError::NotText(_) => "not-text",
        }
    }
}

/// Something of the configuration that does not carry over into a flake as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the configuration's directory.
    pub file: String,
    pub line: Option<usize>,
    pub problem: String,
    pub fix: String,
}

impl Finding {
    /// `hosts/laptop/configuration.nix:12: <nixpkgs> … ; fix: …`, the file named under `prefix`.
    pub fn render(&self, prefix: &str) -> String {
        let at = match self.line {
            Some(l) => format!("{prefix}{}:{l}", self.file),
            None => format!("{prefix}{}", self.file),
        };
        format!("{at}: {}; {}", self.problem, self.fix)
    }
}

/// A setting read from the configuration's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `None`: it is set, but not to a plain string glix can read.
    pub value: Option<String>,
    pub file: String,
    pub line: usize,
}

/// A machine's configuration, as read.
#[derive(Debug, Default)]
pub struct Adoption {
    /// Every file to copy: path relative to the directory → its text.
    pub files: BTreeMap<String, String>,
    pub findings: Vec<Finding>,
    pub host_name: Option<Found>,
    pub platform: Option<Found>,
    pub state_version: Option<Found>,
    /// hardware-configuration.nix is there but configuration.nix does not import it
    /// (it is copied, and not imported, as on the machine).
    pub hardware_unused: bool,
}

/// Read the configuration in `dir`.
pub fn read(dir: &Path) -> Result<Adoption, AdoptError> {
    if !dir.join(CONFIGURATION).is_file() {
        return Err(AdoptError::NoConfiguration(dir.display().to_string()));
    }
    let mut a = Adoption::default();
    let mut walk = Walk { dir, seen: BTreeSet::new(), queue: VecDeque::new(), queued: BTreeSet::new(), scans: Vec::new() };
    walk.visit_file(&mut a, CONFIGURATION)?;
    walk.run(&mut a)?;
    a.hardware_unused = dir.join(HARDWARE).is_file() && !a.files.contains_key(HARDWARE);
    if a.hardware_unused {
        walk.visit_file(&mut a, HARDWARE)?;
        walk.run(&mut a)?;
    }
    let setting =
        |option: &[&str]| walk.scans.iter().find_map(|(file, s)| s.setting(option).map(|x| Found { value: x.value.clone(), file: file.clone(), line: x.line }));
    a.host_name = setting(&["networking", "hostName"]);
    a.state_version = setting(&["system", "stateVersion"]);
    // `nixpkgs.hostPlatform = { system = "…"; }` sets hostPlatform to a set: the first
    // of these spellings that names a system.
    let named = |option: &[&str]| setting(option).filter(|f| f.value.is_some());
    a.platform = named(&["nixpkgs", "hostPlatform"])
        .or_else(|| named(&["nixpkgs", "hostPlatform", "system"]))
        .or_else(|| named(&["nixpkgs", "system"]))
        .or_else(|| named(&["nixpkgs", "localSystem", "system"]));
    if dir.join("flake.nix").is_file() {
        a.findings.push(Finding {
            file: "flake.nix".into(),
            line: None,
            problem: "this machine is configured through a flake of its own, which glix does not adopt (only configuration.nix and the files it refers to)"
                .into(),
            fix: "carry its inputs and modules into the repo's flake.nix by hand".into(),
        });
    }
    Ok(a)
}

/// What a flake cannot carry over in the files of a host already in a repo (for `glix
/// doctor`): `entry` (`hosts/laptop/default.nix`, relative to `root`) and every file it
/// refers to, with paths outside `root` named. Returns the findings and the files
/// reached (relative to `root`).
pub fn findings(root: &Path, entry: &str) -> (Vec<Finding>, Vec<String>) {
    let mut a = Adoption::default();
    let mut walk = Walk { dir: root, seen: BTreeSet::new(), queue: VecDeque::new(), queued: BTreeSet::new(), scans: Vec::new() };
    // A file that cannot be read ends the walk: the evaluation (doctor's boot check)
    // names it in Nix's words.
    let _ = walk.visit_file(&mut a, entry).and_then(|()| walk.run(&mut a));
    (a.findings, a.files.into_keys().collect())
}

struct Walk<'a> {
    dir: &'a Path,
    /// Files and directories already taken (relative to `dir`).
    seen: BTreeSet<String>,
    /// Nix files to read, and every file ever queued.
    queue: VecDeque<String>,
    queued: BTreeSet<String>,
    scans: Vec<(String, Scan)>,
}

impl Walk<'_> {
    fn run(&mut self, a: &mut Adoption) -> Result<(), AdoptError> {
        while let Some(rel) = self.queue.pop_front() {
            let text = a.files.get(&rel).cloned().unwrap_or_default();
            let s = scan::scan(&text);
            let base = Path::new(&rel).parent().map(Path::to_path_buf).unwrap_or_default();
            for p in &s.paths {
                self.reference(a, &rel, &base, p)?;
            }
            for (what, line) in &s.impure {
                a.findings.push(impure_finding(&rel, *line, what));
            }
            self.scans.push((rel, s));
        }
        Ok(())
    }

    /// Take the file `rel` (relative to `dir`): copy it, and read it when it is Nix.
    fn visit_file(&mut self, a: &mut Adoption, rel: &str) -> Result<(), AdoptError> {
        if self.seen.insert(rel.to_string()) {
            let path = self.dir.join(rel);
            let bytes = std::fs::read(&path).map_err(|error| AdoptError::Unreadable { path: path.display().to_string(), error })?;
            let text = String::from_utf8(bytes).map_err(|_| AdoptError::NotText(path.display().to_string()))?;
            a.files.insert(rel.to_string(), text);
        }
        self.enqueue(rel);
        Ok(())
    }

    /// Read `rel` as Nix (once), when it is a Nix file.
    fn enqueue(&mut self, rel: &str) {
        if rel.ends_with(".nix") && self.queued.insert(rel.to_string()) {
            self.queue.push_back(rel.to_string());
        }
    }

    /// Take the directory `rel`: every file under it (not `.git`, not symlinks), and
    /// its default.nix read as Nix (what importing the directory imports).
    fn visit_dir(&mut self, a: &mut Adoption, rel: &str, from: &str, line: usize) -> Result<(), AdoptError> {
        if !self.seen.insert(format!("{rel}/")) {
            return Ok(());
        }
        let path = if rel.is_empty() { self.dir.to_path_buf() } else { self.dir.join(rel) };
        let rd = std::fs::read_dir(&path).map_err(|error| AdoptError::Unreadable { path: path.display().to_string(), error })?;
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let Ok(ft) = e.file_type() else { continue };
            if name == ".git" || (rel.is_empty() && name == "flake.lock") {
                continue;
            }
            if ft.is_symlink() {
                a.findings.push(Finding {
                    file: from.to_string(),
                    line: Some(line),
                    problem: format!("{child} is a symlink, which glix does not copy"),
                    fix: "copy what it points to into the repo yourself if the configuration needs it".into(),
                });
            } else if ft.is_dir() {
                self.visit_dir(a, &child, from, line)?;
            } else if self.seen.insert(child.clone()) {
                let p = self.dir.join(&child);
                let bytes = std::fs::read(&p).map_err(|error| AdoptError::Unreadable { path: p.display().to_string(), error })?;
                let text = String::from_utf8(bytes).map_err(|_| AdoptError::NotText(p.display().to_string()))?;
                a.files.insert(child.clone(), text);
            }
        }
        let default = if rel.is_empty() { "default.nix".to_string() } else { format!("{rel}/default.nix") };
        if a.files.contains_key(&default) {
            self.enqueue(&default);
        }
        Ok(())
    }

    /// A path literal of `from` (whose directory is `base`, relative to `dir`).
    fn reference(&mut self, a: &mut Adoption, from: &str, base: &Path, p: &scan::PathRef) -> Result<(), AdoptError> {
        let outside = |what: String| {
            Finding {
            file: from.to_string(),
            line: Some(p.line),
            problem: what,
            fix: "a flake evaluates purely and sees only the files of its repo: copy it into hosts/ and refer to it by a relative path, or read it at run time (a string, not a path)".into(),
        }
        };
        if p.text.starts_with('~') {
            a.findings.push(outside(format!("{} is in a home directory, outside the configuration", p.text)));
            return Ok(());
        }
        let absolute = p.text.starts_with('/');
        let joined = if absolute { PathBuf::from(&p.text) } else { base.join(&p.text) };
        let target = if absolute {
            let dir = self.dir.canonicalize().unwrap_or_else(|_| self.dir.to_path_buf());
            let norm = normalize(&joined);
            match norm.as_ref().and_then(|n| n.strip_prefix(&dir).ok().or_else(|| n.strip_prefix(self.dir).ok()).map(Path::to_path_buf)) {
                Some(inside) => {
                    let rel = inside.to_string_lossy().into_owned();
                    a.findings.push(Finding {
                        file: from.to_string(),
                        line: Some(p.line),
                        problem: format!("{} is an absolute path, which a flake cannot read", p.text),
                        fix: format!("glix copied it; refer to it relative to this file instead ({})", relative(base, Path::new(&rel))),
                    });
                    Some(rel)
                }
                None => {
                    a.findings.push(outside(format!("{} is outside the configuration's directory", p.text)));
                    return Ok(());
                }
            }
        } else {
            match normalize(&joined) {
                Some(n) if !n.starts_with("..") => Some(n.to_string_lossy().into_owned()),
                _ => {
                    a.findings.push(outside(format!("{} leads outside the configuration's directory", p.text)));
                    return Ok(());
                }
            }
        };
        let Some(rel) = target else { return Ok(()) };
        let rel = rel.trim_end_matches('/').to_string();
        let path = if rel.is_empty() { self.dir.to_path_buf() } else { self.dir.join(&rel) };
        if path.is_dir() {
            self.visit_dir(a, &rel, from, p.line)
        } else if path.is_file() && !p.dynamic {
            self.visit_file(a, &rel)
        } else {
            a.findings.push(Finding {
                file: from.to_string(),
                line: Some(p.line),
                problem: format!("{}{} does not exist", p.text, if p.dynamic { "…" } else { "" }),
                fix: "create it, or drop the reference (the host does not evaluate while it refers to a missing file)".into(),
            });
            Ok(())
        }
    }
}

/// `a/./b/../c` → `a/c`, lexically (a relative path may start with `..`; an absolute
/// one stops at `/`). `None` only for an empty path.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::ParentDir if !p.is_absolute() => out.push(".."),
            Component::ParentDir => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// `target` as a path literal from a file in `from_dir` (both relative to the
/// configuration's directory): `./x.nix`, `../x.nix`.
fn relative(from_dir: &Path, target: &Path) -> String {
    let from: Vec<_> = from_dir.components().collect();
    let to: Vec<_> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = std::iter::repeat_n("..".to_string(), from.len() - common).collect();
    out.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    let joined = out.join("/");
    if joined.starts_with("..") {
        joined
    } else {
        format!("./{joined}")
    }
}

fn impure_finding(file: &str, line: usize, what: &Impure) -> Finding {
    let (problem, fix) = match what {
        Impure::SearchPath(name) if name == "nixpkgs" => (
            "<nixpkgs> is a channel lookup, which a flake cannot make (it evaluates purely, without NIX_PATH)".to_string(),
            "use the module arguments instead: pkgs, lib, modulesPath (the repo's nixpkgs input)".to_string(),
        ),
        Impure::SearchPath(name) if name.starts_with("nixpkgs/nixos/modules/") => (
            format!("<{name}> is a channel lookup, which a flake cannot make"),
            format!("write (modulesPath + \"/{}\") instead", name.trim_start_matches("nixpkgs/nixos/modules/")),
        ),
        Impure::SearchPath(name) if name.starts_with("nixpkgs/") => (
            format!("<{name}> is a channel lookup, which a flake cannot make"),
            format!("write \"${{inputs.nixpkgs}}/{}\" instead (the module argument `inputs` is the repo's flake inputs)", name.trim_start_matches("nixpkgs/")),
        ),
        Impure::SearchPath(name) if name.starts_with("home-manager") => (
            format!("<{name}> is a channel lookup, which a flake cannot make"),
            "drop this import: the repo's flake.nix imports home-manager's NixOS module for every host already".to_string(),
        ),
        Impure::SearchPath(name) => (
            format!("<{name}> is a channel lookup, which a flake cannot make"),
            format!(
                "add it as an input of the repo's flake.nix and use it through the module argument `inputs` (inputs.{})",
                name.split('/').next().unwrap_or(name)
            ),
        ),
        Impure::Unhashed(f) => (
            format!("{f} without a hash, which a flake cannot evaluate (the download could change)"),
            "add its hash (sha256 = \"…\"; for fetchGit, rev = \"…\"), or make it a flake input".to_string(),
        ),
        Impure::Builtin(b) => (
            format!("builtins.{b} is impure, and a flake evaluates purely"),
            if b == "currentSystem" { "use pkgs.stdenv.hostPlatform.system".to_string() } else { "set the value in the configuration itself".to_string() },
        ),
    };
    Finding { file: file.to_string(), line: Some(line), problem, fix }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn follows_relative_imports_and_paths_recursively_and_names_what_does_not_carry_over() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        write(dir, CONFIGURATION, "{ ... }: { imports = [ ./hardware-configuration.nix ./modules <home-manager/nixos> ]; networking.hostName = \"box\"; system.stateVersion = \"23.05\"; x = /etc/secret; }\n");
        write(dir, HARDWARE, "{ lib, modulesPath, ... }: { imports = [ (modulesPath + \"/installer/scan/not-detected.nix\") ]; nixpkgs.hostPlatform = lib.mkDefault \"aarch64-linux\"; }\n");
        write(dir, "modules/default.nix", "{ imports = [ ./a.nix ../extra/b.nix ]; }\n");
        write(dir, "modules/a.nix", "{ environment.etc.motd.source = ./motd.txt; y = ../../outside.nix; }\n");
        write(dir, "modules/motd.txt", "hi\n");
        write(dir, "extra/b.nix", "{ }\n");
        write(dir, "unrelated.nix", "{ }\n");
        let a = read(dir).unwrap();
        assert_eq!(a.files.keys().collect::<Vec<_>>(), [CONFIGURATION, "extra/b.nix", HARDWARE, "modules/a.nix", "modules/default.nix", "modules/motd.txt"]);
        assert_eq!(a.host_name.as_ref().unwrap().value.as_deref(), Some("box"));
        assert_eq!(a.state_version.as_ref().unwrap().value.as_deref(), Some("23.05"));
        assert_eq!(a.platform.as_ref().unwrap().value.as_deref(), Some("aarch64-linux"));
        assert!(!a.hardware_unused);
        let f: Vec<String> = a.findings.iter().map(|f| f.render("")).collect();
        assert_eq!(f.len(), 3, "{f:#?}");
        assert!(f[0].starts_with("configuration.nix:1: /etc/secret is outside"), "{f:#?}");
        assert!(f.iter().any(|l| l.starts_with("configuration.nix:1: <home-manager/nixos> is a channel lookup") && l.contains("drop this import")), "{f:#?}");
        assert!(f.iter().any(|l| l.starts_with("modules/a.nix:1: ../../outside.nix leads outside")), "{f:#?}");
    }

    #[test]
    fn a_platform_is_read_in_each_spelling_and_an_absolute_path_is_rewritten_relative_to_its_file() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), CONFIGURATION, "{ imports = [ ./sub/m.nix ]; nixpkgs.hostPlatform = { system = \"aarch64-linux\"; }; }\n");
        write(d.path(), "sub/m.nix", &format!("{{ imports = [ {} ]; }}\n", d.path().join("x.nix").display()));
        write(d.path(), "x.nix", "{ }\n");
        let a = read(d.path()).unwrap();
        assert_eq!(a.platform.unwrap().value.as_deref(), Some("aarch64-linux"));
        assert!(a.findings[0].fix.contains("(../x.nix)"), "{:?}", a.findings);
        assert_eq!(relative(Path::new(""), Path::new("a/b.nix")), "./a/b.nix");
    }

    #[test]
    fn a_directory_without_configuration_nix_is_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(read(d.path()), Err(AdoptError::NoConfiguration(_))));
    }

    #[test]
    fn an_unimported_hardware_configuration_is_copied_and_said() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), CONFIGURATION, "{ }\n");
        write(d.path(), HARDWARE, "{ }\n");
        let a = read(d.path()).unwrap();
        assert!(a.hardware_unused && a.files.contains_key(HARDWARE));
        assert!(a.state_version.is_none() && a.host_name.is_none());
    }

    #[test]
    fn a_missing_file_and_an_absolute_path_inside_the_directory_are_named() {
        let d = tempfile::tempdir().unwrap();
        let inside = d.path().join("x.nix");
        write(d.path(), "x.nix", "{ }\n");
        write(d.path(), CONFIGURATION, &format!("{{ imports = [ ./gone.nix {} ]; }}\n", inside.display()));
        let a = read(d.path()).unwrap();
        assert!(a.files.contains_key("x.nix"));
        let f: Vec<String> = a.findings.iter().map(|f| f.render("hosts/h/")).collect();
        assert!(f[0].starts_with("hosts/h/configuration.nix:1: ./gone.nix does not exist"), "{f:?}");
        assert!(f[1].contains("is an absolute path") && f[1].contains("./x.nix"), "{f:?}");
    }
}
