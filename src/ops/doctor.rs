//! `glix doctor`: check the invariants glix promises, each with a fix hint, and
//! `--fix` what can be fixed (regenerate the regions, re-lock) through the transaction.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::state::{desired_for, regenerate_flake, summaries_of};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, FLAKE_LOCK, FLAKE_NIX};
use crate::flake::{self, Region};
use crate::flakeref::FlakeRef;
use crate::manifest::{load_str, Manifest, CURRENT_SCHEMA};
use crate::nix::{self, Nix};
use crate::repo::Repo;
use crate::txn::{Operation, TxnOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    /// Worth knowing; does not fail the doctor (the plugin is optional).
    Warning,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Severity,
    pub detail: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
}

impl DoctorReport {
    pub fn healthy(&self) -> bool {
        self.checks.iter().all(|c| c.status != Severity::Error)
    }

    fn push(&mut self, name: &'static str, result: Result<String, (String, String)>) {
        self.checks.push(match result {
            Ok(detail) => Check { name, status: Severity::Ok, detail, hint: None },
            Err((detail, hint)) => Check { name, status: Severity::Error, detail, hint: Some(hint) },
        });
    }
}

const FIX: &str = "run `glix doctor --fix`";

/// Check the repository at `dir`. Never changes anything.
pub fn doctor(dir: &Path) -> DoctorReport {
    let mut r = DoctorReport { checks: vec![] };
    let repo = match Repo::open(dir) {
        Ok(repo) => {
            r.push("repo", Ok(format!("{} is a glix repository under git", repo.root().display())));
            repo
        }
        Err(e) => {
            r.push("repo", Err((e.to_string(), "point --repo or GLIX_REPO at your repository, or create one with `glix init`".into())));
            return r;
        }
    };
    r.push(
        "git",
        match crate::txn::operation_in_progress(&repo) {
            Ok(None) => Ok("no merge, rebase, cherry-pick or revert in progress".into()),
            Ok(Some(what)) => Err((
                format!("{what} is in progress; glix changes nothing until it is finished"),
                "finish it with git first (resolve the conflicts in hosts/*/glix.toml, then commit, or abort it); then `glix doctor --fix` regenerates flake.nix's regions and flake.lock from the manifests".into(),
            )),
            Err(e) => Err((e.to_string(), "check the repository with `git status`".into())),
        },
    );
    r.push(
        "journal",
        match crate::txn::pending(&repo) {
            Ok(None) => Ok("no interrupted operation".into()),
            Ok(Some(p)) if !p.foreign.is_empty() => Err((
                format!("an interrupted `{}` left its journal, and {} changed after it stopped", p.description, p.foreign.join(", ")),
                "look at them (`git diff`); `glix doctor --fix` keeps them as they are and forgets the operation (it restores nothing)".into(),
            )),
            Ok(Some(p)) if p.committed => {
                Err((format!("an interrupted `{}` had committed but left its journal", p.description), format!("{FIX}, or any glix command, to tidy it up")))
            }
            Ok(Some(p)) => Err((format!("an interrupted `{}` left its journal", p.description), format!("{FIX}, or any glix command, to roll it back"))),
            Err(e) => Err((e.to_string(), "see the message".into())),
        },
    );
    check_uncommitted(&repo, &mut r);
    let manifests = check_manifests(&repo, &mut r);
    let flake_text = std::fs::read_to_string(repo.path(FLAKE_NIX)).unwrap_or_default();
    let located = match flake::locate(&flake_text) {
        Ok(l) => {
            let fleet = match &l.fleet {
                Some(f) => format!(", fleet at line {}", f.begin_line),
                None => String::new(),
            };
            r.push("markers", Ok(format!("the regions are found (inputs at line {}, hosts at line {}{fleet})", l.inputs.begin_line, l.hosts.begin_line)));
            Some(l)
        }
        Err(e) => {
            r.push(
                "markers",
                Err((
                    e.to_string(),
                    "restore the marker lines by hand (see `nix/templates/default/flake.nix` in glixos-core for where they go); glix will not guess".into(),
                )),
            );
            None
        }
    };
    if let (Some(manifests), Some(located)) = (&manifests, located) {
        check_regions(&flake_text, &located, manifests, &mut r);
        check_lock(&repo, manifests, &mut r);
    }
    if let Some(manifests) = &manifests {
        let hosts: Vec<&str> = manifests.keys().map(String::as_str).collect();
        check_host_files(&repo, &hosts, &mut r);
        // The evaluation depends on everything above: until that holds, its failure
        // would only repeat theirs.
        if r.healthy() {
            check_boot(&repo, &hosts, &mut r);
        } else {
            r.checks.push(Check {
                name: "boot",
                status: Severity::Warning,
                detail: "the hosts were not evaluated: a check above fails".into(),
                hint: Some("fix the checks marked FAIL first; then doctor evaluates each host's NixOS assertions".into()),
            });
        }
    }
    check_cache(&repo, &mut r);
    check_nix(&mut r);
    r
}

/// The files each host's default.nix imports: every one tracked by git (a flake does not
/// see an untracked file), and what a flake cannot carry over (as `init --from` warned).
fn check_host_files(repo: &Repo, hosts: &[&str], r: &mut DoctorReport) {
    let tracked: std::collections::BTreeSet<String> = match crate::repo::git::tracked(repo) {
        Ok(t) => t.into_iter().collect(),
        Err(e) => return r.push("imports", Err((e.to_string(), "check the repository with `git status`".into()))),
    };
    let mut untracked = Vec::new();
    let mut findings = Vec::new();
    for h in hosts {
        let entry = format!("hosts/{h}/default.nix");
        if !repo.path(&entry).is_file() {
            continue;
        }
        let (found, reached) = crate::adopt::findings(repo.root(), &entry);
        untracked.extend(reached.into_iter().filter(|f| !tracked.contains(f)));
        findings.extend(found.iter().map(|f| f.render("")));
    }
    r.push(
        "imports",
        if untracked.is_empty() {
            Ok("every file the hosts import is tracked by git".into())
        } else {
            Err((
                format!("the hosts import files git does not track, which a flake cannot see (the host does not evaluate): {}", untracked.join(", ")),
                format!("`git add {}` (and commit)", untracked.join(" ")),
            ))
        },
    );
    if findings.is_empty() {
        r.push("purity", Ok("nothing the hosts' files refer to needs an impure evaluation".into()));
    } else {
        r.checks.push(Check {
            name: "purity",
            status: Severity::Warning,
            detail: format!("what a flake cannot carry over:\n{}", findings.join("\n")),
            hint: Some("each line says what to do; the host does not evaluate until they are gone".into()),
        });
    }
}

/// What NixOS's assertions say about each host (`config.assertions` of
/// `nixosConfigurations.<host>`), with what keeps it from booting named and its fix.
fn check_boot(repo: &Repo, hosts: &[&str], r: &mut DoctorReport) {
    let Ok(nix) = Nix::locate() else {
        return r.push("boot", Err(("cannot evaluate the hosts: no nix".into(), "install Nix (2.19 or newer)".into())));
    };
    const FAILED: &str = "c: { failed = map (a: a.message) (builtins.filter (a: !a.assertion) (c.assertions or [ ])); warnings = c.warnings or [ ]; }";
    let mut problems = Vec::new();
    let mut hints = Vec::new();
    let mut warnings = Vec::new();
    for h in hosts {
        let installable = format!("{}#nixosConfigurations.{h}.config", repo.root().display());
        let v = match nix.eval_json(&installable, Some(FAILED)) {
            Ok(v) => v,
            Err(e) => {
                let text = e.to_string();
                let last: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                problems.push(format!("{h} does not evaluate: {}", last[last.len().saturating_sub(3)..].join(" / ")));
                continue;
            }
        };
        for m in v["failed"].as_array().into_iter().flatten().filter_map(|m| m.as_str()) {
            let m = m.trim();
            if m.contains("root file system") {
                problems.push(format!("{h} has no root file system, so it would not boot ({m})"));
                hints.push(format!(
                    "on the machine, `nixos-generate-config --show-hardware-config > hosts/{h}/hardware-configuration.nix`, `git add` it and import it from hosts/{h}/default.nix — or adopt the machine's whole configuration: `glix host add {h} --from /etc/nixos`"
                ));
            } else if m.contains("boot.loader") || m.contains("bootable") {
                problems.push(format!("{h} has no boot loader, so it would not boot ({m})"));
                hints.push(format!(
                    "in hosts/{h}/, set `boot.loader.systemd-boot.enable = true;` (UEFI) or `boot.loader.grub.devices = [ \"/dev/sda\" ];`, or adopt the machine's configuration (`glix host add {h} --from /etc/nixos`)"
                ));
            } else {
                problems.push(format!("{h}: {m}"));
            }
        }
        warnings.extend(v["warnings"].as_array().into_iter().flatten().filter_map(|w| w.as_str()).map(|w| format!("{h}: {}", w.trim())));
    }
    if problems.is_empty() {
        r.push("boot", Ok(format!("every host evaluates and NixOS's assertions hold ({} host(s))", hosts.len())));
    } else {
        hints.dedup();
        if hints.is_empty() {
            hints.push("fix what NixOS names, in the host's files".into());
        }
        r.push("boot", Err((problems.join("\n"), hints.join("; "))));
    }
    if !warnings.is_empty() {
        r.checks.push(Check { name: "warnings", status: Severity::Warning, detail: warnings.join("\n"), hint: Some("NixOS's own warnings: see each".into()) });
    }
}

/// glix's cache only saves time, so one it cannot write is a warning: but a slow glix
/// with no word said is what a root-owned cache (after `sudo glix …`) gave.
fn check_cache(repo: &Repo, r: &mut DoctorReport) {
    let dir = super::summary::cache_dir(repo);
    let probe = if dir.exists() { tempfile::tempfile_in(&dir).map(drop) } else { tempfile::tempfile_in(repo.state_dir()).map(drop) };
    match probe {
        Ok(()) => r.push("cache", Ok(format!("{} is writable", dir.display()))),
        Err(e) => r.checks.push(Check {
            name: "cache",
            status: Severity::Warning,
            detail: format!("glix cannot write its cache in {} ({e}), so every command reads every manifest again", dir.display()),
            hint: Some(super::summary::cache_hint(&dir)),
        }),
    }
}

fn check_manifests(repo: &Repo, r: &mut DoctorReport) -> Option<BTreeMap<String, Manifest>> {
    let hosts = match repo.hosts() {
        Ok(h) => h,
        Err(e) => {
            r.push("manifests", Err((e.to_string(), "see the message".into())));
            return None;
        }
    };
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    let mut old = Vec::new();
    for h in &hosts {
        let rel = Repo::manifest_rel(h);
        // Read as every command reads it (symlink containment, conflict markers named).
        match super::state::read_manifest(repo, h).map_err(|e| e.to_string()).and_then(|(_, t)| load_str(&t, &rel).map_err(|e| e.to_string())) {
            Ok(m) => {
                if m.file_schema != CURRENT_SCHEMA {
                    old.push(format!("{rel} (schema {})", m.file_schema));
                }
                out.insert(h.clone(), m);
            }
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        r.push(
            "manifests",
            Err((
                problems.join("\n"),
                "fix the file at the line named (a conflict marker: finish the merge first, see `git status`), or `glix undo` the change that broke it".into(),
            )),
        );
        return None;
    }
    if !old.is_empty() {
        r.push("manifests", Err((format!("older schema: {}", old.join(", ")), "run `glix migrate`".into())));
        return Some(out);
    }
    r.push("manifests", Ok(format!("{} host(s), every manifest valid at schema {CURRENT_SCHEMA}", hosts.len())));
    check_users(&out, r);
    Some(out)
}

/// Every home entry needs a user, its own or the host's default-user: home-manager
/// puts it under `home-manager.users.<user>`, and without one the host does not
/// evaluate (a hand edit can leave one so; `glix add` refuses to).
fn check_users(manifests: &BTreeMap<String, Manifest>, r: &mut DoctorReport) {
    let homeless: Vec<String> = manifests
        .iter()
        .flat_map(|(h, m)| {
            m.packages.values().filter(|p| p.scope == crate::manifest::Scope::Home && p.user.is_none()).map(move |p| format!("{} on {h}", p.name))
        })
        .collect();
    r.push(
        "users",
        if homeless.is_empty() {
            Ok("every home entry has a user".into())
        } else {
            Err((
                format!("home entries without a user (and no default-user on their host): {}", homeless.join(", ")),
                "set `user = \"NAME\"` on each, or `default-user = \"NAME\"` under [host] in the host's glix.toml".into(),
            ))
        },
    );
}

fn check_regions(flake_text: &str, located: &flake::Located, manifests: &BTreeMap<String, Manifest>, r: &mut DoctorReport) {
    let summaries = summaries_of(manifests);
    let want = match desired_for(flake_text, &summaries) {
        Ok(d) => d,
        Err(e) => {
            r.push("regions", Err((e.to_string(), "see the message".into())));
            return;
        }
    };
    let differ: Vec<&str> = flake::differing_regions(flake_text, located, &want).into_iter().map(Region::name).collect();
    r.push(
        "regions",
        if differ.is_empty() {
            Ok("the regions of flake.nix are what the manifests generate".into())
        } else {
            Err((
                format!("the {} region(s) of flake.nix differ from what the manifests say (edited by hand?)", differ.join(" and ")),
                format!("{FIX} to regenerate them from the manifests"),
            ))
        },
    );
    // `<name>.url …` lines of the region, read once (not once per input).
    let declared: std::collections::BTreeSet<&str> =
        flake_text[located.inputs.body.clone()].lines().filter_map(|l| l.trim_start().split_once(".url").map(|(name, _)| name)).collect();
    let missing: Vec<&str> = want.inputs.iter().map(|(i, _)| *i).filter(|i| !declared.contains(i)).collect();
    r.push(
        "inputs",
        if missing.is_empty() {
            Ok(format!("every package's input is in flake.nix ({})", want.inputs.len()))
        } else {
            Err((format!("packages use inputs that flake.nix does not declare: {}", missing.join(", ")), FIX.into()))
        },
    );
}

/// What is wrong with flake.lock for these manifests: `Err` when it is missing or not
/// JSON, else the inputs that are not locked or are locked from another reference.
fn lock_problems(repo: &Repo, manifests: &BTreeMap<String, Manifest>) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(repo.path(FLAKE_LOCK)).map_err(|_| "flake.lock is missing".to_string())?;
    let lock: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("flake.lock is not valid JSON: {e}"))?;
    let mut wanted = BTreeMap::new();
    for m in manifests.values() {
        for (input, flake) in m.packages.values().filter_map(|p| p.flake_input()) {
            wanted.insert(input.to_string(), flake.to_string());
        }
    }
    let mut problems = Vec::new();
    for (input, flake_url) in &wanted {
        let Some(node) = lock["nodes"]["root"]["inputs"].get(input).and_then(|n| n.as_str()) else {
            problems.push((input.clone(), format!("input '{input}' is not locked")));
            continue;
        };
        let original = &lock["nodes"][node]["original"];
        let want = FlakeRef::parse(flake_url).map(|f| serde_json::to_value(f.attrs()).unwrap_or_default()).unwrap_or_default();
        if *original != want {
            problems.push((input.clone(), format!("input '{input}' is locked from {} but the manifest says {flake_url}", compact(original))));
        }
    }
    Ok(problems)
}

fn check_lock(repo: &Repo, manifests: &BTreeMap<String, Manifest>, r: &mut DoctorReport) {
    let inputs: usize = manifests.values().map(|m| m.packages.values().filter(|p| p.input.is_some()).count()).sum();
    r.push(
        "lock",
        match lock_problems(repo, manifests) {
            Err(e) => Err((e, format!("{FIX} (re-creates it with nix flake lock)"))),
            Ok(p) if p.is_empty() => Ok(format!("flake.lock locks every package's input as the manifests say ({inputs} package(s))")),
            Ok(p) => Err((p.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("; "), format!("{FIX} (re-locks)"))),
        },
    );
}

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn check_nix(r: &mut DoctorReport) {
    let nix = match Nix::locate() {
        Ok(n) => n,
        Err(e) => return r.push("nix", Err((e.to_string(), "install Nix (2.19 or newer)".into()))),
    };
    let version = nix.version().unwrap_or_default();
    let parts: Vec<u32> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    let supported = parts.len() >= 2 && (parts[0], parts[1]) >= (2, 19);
    r.push(
        "nix",
        if supported {
            Ok(format!("{} is Nix {version}", nix.bin().display()))
        } else {
            Err((format!("{} is Nix {version:?}; glix needs 2.19 or newer (`nix flake update INPUT`)", nix.bin().display()), "upgrade Nix".into()))
        },
    );
    match nix::detect_plugin() {
        None => r.checks.push(Check {
            name: "plugin",
            status: Severity::Warning,
            detail: "no glix plugin found (GLIX_PLUGIN, or next to the glix binary); importManifest uses its pure-Nix fallback".into(),
            hint: Some("optional: `nix build github:glixos/glixos#nix-plugin` (built against your Nix) and set GLIX_PLUGIN to its lib/libglix_nix_plugin.so, or set glixos.plugin.enable in your NixOS configuration".into()),
        }),
        Some(p) if !p.is_file() => r.push(
            "plugin",
            Err((
                format!("GLIX_PLUGIN names {}, which is not a file", p.display()),
                "point GLIX_PLUGIN at the plugin's lib/libglix_nix_plugin.so (`nix build github:glixos/glixos#nix-plugin`), or unset it".into(),
            )),
        ),
        Some(p) => r.push(
            "plugin",
            match nix.probe_plugin(&p) {
                Ok(info) => Ok(format!(
                    "{} loads (plugin {}, built for the Nix {} C API)",
                    p.display(),
                    info["version"].as_str().unwrap_or("?"),
                    info["nixApiVersion"].as_str().unwrap_or("?")
                )),
                Err(e) => {
                    Err((format!("{} does not load into this Nix: {e}", p.display()), "build the plugin against this Nix (`nix build github:glixos/glixos#nix-plugin` builds it against the Nix of that nixpkgs), or unset GLIX_PLUGIN".into()))
                }
            },
        ),
    }
}

/// The files glix writes (flake.nix, flake.lock, the manifests) that differ from the
/// commit: glix refuses to change them until they are committed or put back.
fn uncommitted(repo: &Repo) -> Result<Vec<String>, git2::Error> {
    let r = git2::Repository::open(repo.root())?;
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).pathspec(FLAKE_NIX).pathspec(FLAKE_LOCK).pathspec("hosts/*/glix.toml");
    let statuses = r.statuses(Some(&mut opts))?;
    Ok(statuses.iter().filter(|s| s.status() != git2::Status::CURRENT).filter_map(|s| s.path().map(str::to_string)).collect())
}

fn check_uncommitted(repo: &Repo, r: &mut DoctorReport) {
    r.push(
        "uncommitted",
        match uncommitted(repo) {
            Ok(d) if d.is_empty() => Ok("flake.nix, flake.lock and the manifests are as committed".into()),
            Ok(d) if d == [FLAKE_LOCK] => Err((
                "flake.lock has changes that are not committed (Nix rewrites it when it locks inputs itself, e.g. a `nix eval` after a `--no-lock` change), so glix refuses to change the repo".into(),
                format!("{FIX} re-locks and commits it (or `git checkout flake.lock` discards Nix's change)"),
            )),
            Ok(d) => Err((
                format!("{} {} changes that are not committed, so glix refuses to change the repo", d.join(", "), if d.len() == 1 { "has" } else { "have" }),
                "commit them (`git commit -am …`) or put them back (`git checkout -- FILE`); `--allow-dirty` lets one glix command go ahead anyway".into(),
            )),
            Err(e) => Err((e.message().to_string(), "check the repository with `git status`".into())),
        },
    );
}

/// `glix doctor --fix`: regenerate the regions from the manifests and re-lock, as one
/// transaction (the journal, if any, was already rolled back when the repo was opened).
pub fn doctor_fix(ctx: &Context) -> Result<Outcome, OpError> {
    // A flake.lock that Nix rewrote (a `nix eval` after a `--no-lock` change) is what
    // --fix re-locks anyway: that alone does not make the repo too dirty to fix. A
    // failed fix puts Nix's version back.
    let only_lock_dirty = uncommitted(&ctx.repo).is_ok_and(|d| d == [FLAKE_LOCK]);
    let relaxed;
    let ctx = if only_lock_dirty && !ctx.txn.allow_dirty {
        relaxed = Context { txn: TxnOptions { allow_dirty: true, ..ctx.txn.clone() }, ..ctx.clone() };
        &relaxed
    } else {
        ctx
    };
    mutate(ctx, |repo| {
        let manifests = super::state::load_manifests(repo, None)?;
        let flake_nix = regenerate_flake(repo, &summaries_of(&manifests))?;
        let mut files = BTreeMap::from([(FLAKE_NIX.to_string(), Some(flake_nix))]);
        // A lock that is missing or not JSON is made afresh; inputs locked from the
        // wrong reference are updated by name; anything else is locked as usual.
        let lock = match lock_problems(repo, &manifests) {
            Err(_) => {
                if repo.path(FLAKE_LOCK).exists() {
                    files.insert(FLAKE_LOCK.to_string(), None);
                }
                LockStep::Lock
            }
            Ok(p) if p.is_empty() => LockStep::Lock,
            Ok(p) => LockStep::Update(p.into_iter().map(|(input, _)| input).collect()),
        };
        Ok(Planned {
            op: Operation { kind: "doctor-fix".into(), summary: "glix doctor --fix: regenerate regions, re-lock".into(), ..Operation::default() },
            files,
            lock,
            warnings: vec![],
            after: vec![],
            unchanged: Some("nothing to fix: flake.nix's regions and flake.lock already are what the manifests say".into()),
        })
    })
}
