//! `glix host add` / `glix host remove` / `glix host set`.

use std::collections::BTreeMap;

use super::new_host::{self, HostRequest, StateVersion};
use super::state::{load_for_edit, load_host, read_flake, regenerate_one, remember_edit, with_edit, HostEdit};
use super::summary::{self, load_summaries, HostSummary};
use super::{mutate, Context, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::ident;
use crate::manifest::ManifestDoc;
use crate::nix::Nix;
use crate::repo::{Repo, RepoError};
use crate::txn::Operation;

/// The `[host]` fields every deployment engine reads (`glix host add --target-host …`,
/// `glix host set`): `None` leaves a field as it is (unset, for a new host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFields {
    /// `Some(None)`: remove `target-host`.
    pub target_host: Option<Option<String>>,
    /// `Some(vec![])`: remove `tags`.
    pub tags: Option<Vec<String>>,
    /// `Some(None)`: remove `build-on-target` (false, the default).
    pub build_on_target: Option<Option<bool>>,
}

/// The keys `glix host set` knows, in the order they are written.
pub const HOST_KEYS: [&str; 3] = ["target-host", "tags", "build-on-target"];

impl HostFields {
    /// `KEY=VALUE` pairs of `glix host set` (an empty VALUE unsets the key), checked:
    /// a key glix does not know, or a value the manifest would refuse, is refused here,
    /// before anything is read or written.
    pub fn parse(pairs: &[(String, String)]) -> Result<HostFields, OpError> {
        let mut f = HostFields::default();
        for (key, value) in pairs {
            let bad = |expected: &str| Refusal::InvalidHostValue { key: key.clone(), value: value.clone(), expected: expected.to_string() };
            match key.as_str() {
                "target-host" if value.is_empty() => f.target_host = Some(None),
                "target-host" => {
                    if !ident::is_valid_ssh_target(value) {
                        return Err(bad("an SSH destination [user@]host[:port], such as root@web1.lan:2222").into());
                    }
                    f.target_host = Some(Some(value.clone()));
                }
                "tags" => f.tags = Some(parse_tags(value.split(',').map(str::trim).filter(|t| !t.is_empty()))?),
                "build-on-target" => {
                    f.build_on_target = Some(match value.as_str() {
                        "" => None,
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => return Err(bad("true or false").into()),
                    })
                }
                _ => return Err(Refusal::UnknownHostKey { key: key.clone(), near: ident::closest(key, HOST_KEYS.iter().copied()).map(str::to_string) }.into()),
            }
        }
        Ok(f)
    }

    /// The edits of `[host]` these fields make (`None`: remove the key).
    fn changes(&self) -> Vec<(&'static str, Option<toml_edit::Value>)> {
        let mut out = Vec::new();
        if let Some(t) = &self.target_host {
            out.push(("target-host", t.as_deref().map(toml_edit::Value::from)));
        }
        if let Some(tags) = &self.tags {
            out.push(("tags", (!tags.is_empty()).then(|| toml_edit::Value::Array(tags.iter().map(String::as_str).collect()))));
        }
        if let Some(b) = &self.build_on_target {
            // false is the default: unsetting and setting false both leave no line.
            out.push(("build-on-target", b.filter(|b| *b).map(toml_edit::Value::from)));
        }
        out
    }
}

/// Tags (`--tag`, `tags=a,b`): each a valid name, each once (a repeat is dropped).
pub fn parse_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, OpError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        if !ident::is_valid_name(t) {
            return Err(Refusal::InvalidHostValue { key: "tags".into(), value: t.to_string(), expected: format!("a name ({})", ident::NAME_RULE) }.into());
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

pub fn host_add(ctx: &Context, req: &HostRequest) -> Result<Outcome, OpError> {
    host_add_with(ctx, req, &HostFields::default())
}

/// Add a host: fresh, or adopting a machine's configuration (`--from DIR`), with its
/// deployment fields (`--target-host`, `--tag`, `--build-on-target`) written into its
/// new manifest in the same commit. A `hosts/<name>/` without a glix.toml (files a user
/// put there, or what `host remove` kept) is taken as it is: glix adds its manifest and
/// writes none of the user's files over (an adoption whose files are there with other
/// contents is refused).
pub fn host_add_with(ctx: &Context, req: &HostRequest, fields: &HostFields) -> Result<Outcome, OpError> {
    let name = req.name.unwrap_or_default();
    if !ident::is_valid_name(name) {
        return Err(RepoError::InvalidHostName(name.to_string()).into());
    }
    let warnings = system_warnings(req.system)?;
    if let Some(Some(t)) = &fields.target_host {
        // Checked as `host set` checks it, before anything is written.
        HostFields::parse(&[("target-host".into(), t.clone())])?;
    }
    let changes = fields.changes();
    let mut notes = Vec::new();
    let mut outcome = mutate(ctx, |repo| {
        if repo.hosts()?.iter().any(|h| h == name) {
            return Err(Refusal::HostExists(name.to_string()).into());
        }
        let dir = repo.contained(&format!("hosts/{name}"))?;
        if dir.exists() && !dir.is_dir() {
            return Err(Refusal::HostExists(name.to_string()).into());
        }
        let existing = |rel: &str| std::fs::read(dir.join(rel)).ok();
        let mut host = new_host::plan(req, &existing)?;
        let nix = || match &ctx.nix {
            Some(n) => Ok::<_, OpError>(n.clone()),
            None => Ok(Nix::locate()?),
        };
        if host.state_version == StateVersion::Nixpkgs && host.write_default {
            host.resolve_state_version(&nix()?, repo.root())?;
        }
        let rel = Repo::manifest_rel(name);
        let mut doc = ManifestDoc::parse(&host.manifest, &rel)?;
        if !changes.is_empty() {
            doc.set_host_values(&changes)?;
        }
        let text = doc.text();
        let flake_text = read_flake(repo)?;
        let (mut all, remember) = with_edit(repo, name, doc, &text)?;
        let (flake_nix, regions) = regenerate_one(&flake_text, &mut all, name, None)?;
        let mut files = host.files()?;
        files.insert(rel.clone(), text);
        files.insert(FLAKE_NIX.to_string(), flake_nix);
        if host.adopts() {
            let preview = new_host::preview(repo, &files)?;
            new_host::check_evaluates(&nix()?, &format!("path:{}", preview.path().display()), name)?;
        }
        let warnings = warnings.iter().cloned().chain(host.warnings.drain(..)).chain(regions).collect();
        notes = std::mem::take(&mut host.notes);
        Ok(Planned {
            op: Operation { kind: "host-add".into(), host: Some(name.to_string()), summary: format!("glix host add {name}"), ..Operation::default() },
            files: files.into_iter().map(|(k, v)| (k, Some(v))).collect(),
            lock: LockStep::None,
            warnings,
            after: vec![remember],
            unchanged: None,
        })
    })?;
    outcome.notes = notes;
    Ok(outcome)
}

/// Remove a host's manifest and its line in the hosts region. `hosts/<host>/`'s other
/// files are the user's (hardware configuration and the like): they stay.
pub fn host_remove(ctx: &Context, name: &str) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(Some(name))?;
        // Still loaded: a host whose manifest is broken is removed with the other
        // commands' care (fix or `glix undo` first), not silently.
        let before = summary::HostSummary::of(load_host(repo, &host)?.manifest());
        let mut all = load_summaries(repo, Some(&host))?;
        let (flake_nix, mut warnings) = regenerate_one(&read_flake(repo)?, &mut all, &host, Some(before))?;
        let dir = repo.path(&format!("hosts/{host}"));
        let others: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != "glix.toml").collect())
            .unwrap_or_default();
        if !others.is_empty() {
            warnings.push(format!(
                "hosts/{host}/ still holds your own files ({}); delete them yourself if you no longer need them (`glix host add {host}` takes them back)",
                others.join(", ")
            ));
        }
        Ok(Planned {
            op: Operation { kind: "host-remove".into(), host: Some(host.clone()), summary: format!("glix host remove {host}"), ..Operation::default() },
            files: BTreeMap::from([(Repo::manifest_rel(&host), None), (FLAKE_NIX.to_string(), Some(flake_nix))]),
            lock: LockStep::Lock,
            warnings,
            // Once the host is gone its entries could only be stale (never wrong: they
            // are keyed by content), so they go.
            after: vec![{
                let (repo, host) = (repo.clone(), host.clone());
                Box::new(move || summary::forget(&repo, &host))
            }],
            unchanged: None,
        })
    })
}

/// `glix host set HOST KEY=VALUE…`: change `[host]`'s deployment fields in one
/// commit, keeping the rest of the file as it is. Setting what the file already says
/// changes nothing and says so.
pub fn host_set(ctx: &Context, name: &str, fields: &HostFields) -> Result<Outcome, OpError> {
    let changes = fields.changes();
    let keys: Vec<&str> = changes.iter().map(|(k, _)| *k).collect();
    mutate(ctx, |repo| {
        let host = repo.choose_host(Some(name))?;
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
        let op = Operation {
            kind: "host-set".into(),
            host: Some(host.clone()),
            summary: format!("glix host set {host}: {}", keys.join(", ")),
            ..Operation::default()
        };
        let before = HostSummary::of(doc.manifest());
        let old = doc.manifest().host.clone();
        doc.set_host_values(&changes)?;
        if doc.manifest().host == old {
            return Ok(Planned::unchanged(op, format!("{host}'s glix.toml already says that ({})", keys.join(", "))));
        }
        let text = doc.text();
        let (after, remember) = remember_edit(repo, &host, doc, &text);
        all.insert(host.clone(), after);
        let (flake_nix, warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
        Ok(super::state::planned_edit(op, BTreeMap::from([(Repo::manifest_rel(&host), Some(text))]), &flake_text, flake_nix, warnings, vec![remember]))
    })
}

/// A host's system (`--system`): a malformed one is refused, one Nix does not know of
/// is accepted with a warning (a new platform, or a typo: the closest known one is named).
pub fn system_warnings(system: Option<&str>) -> Result<Vec<String>, OpError> {
    let Some(s) = system else { return Ok(vec![]) };
    if !ident::is_valid_system(s) {
        return Err(Refusal::InvalidSystem(s.to_string()).into());
    }
    if ident::is_known_system(s) {
        return Ok(vec![]);
    }
    // `x86-linux`: the known system of that OS whose architecture starts with it, else
    // the closest by spelling.
    let (arch, os) = s.split_once('-').unwrap_or((s, ""));
    let by_prefix = ident::KNOWN_SYSTEMS.iter().copied().find(|k| k.split_once('-').is_some_and(|(a, o)| o == os && a.starts_with(arch)));
    let guess = match by_prefix.or_else(|| ident::closest(s, ident::KNOWN_SYSTEMS.iter().copied())) {
        Some(k) => format!("did you mean {k}? "),
        None => String::new(),
    };
    Ok(vec![format!(
        "'{s}' is not a system Nix and nixpkgs build for: {guess}(known: {}); the host will not evaluate unless your nixpkgs knows it",
        ident::KNOWN_SYSTEMS.join(", ")
    )])
}
