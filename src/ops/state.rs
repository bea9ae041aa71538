//! Reading the repository's state: the hosts' manifests, and flake.nix regenerated
//! from them ("manifest is the truth").

use std::collections::BTreeMap;

use super::summary::{self, load_summaries, HostSummary};
use super::{mutate, Context, Deferred, LockStep, OpError, Outcome, Planned, Refusal, FLAKE_NIX};
use crate::flake::{self, DesiredRef};
use crate::manifest::edit::EditError;
use crate::manifest::{Manifest, ManifestDoc};
use crate::repo::Repo;
use crate::txn::Operation;

/// The system a host builds for when its manifest does not say.
pub const DEFAULT_SYSTEM: &str = "x86_64-linux";

/// A host's manifest file: its repo-relative path (how errors name it) and its text.
pub(super) fn read_manifest(repo: &Repo, host: &str) -> Result<(String, String), OpError> {
    let rel = Repo::manifest_rel(host);
    let path = repo.contained(&rel)?;
    let text = std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?;
    // A merge or `git stash pop` that stopped on a conflict: say that, not "invalid TOML".
    if let Some(line) = crate::txn::conflict_marker_line(&text) {
        return Err(crate::txn::TxnError::ConflictMarkers { file: rel, line }.into());
    }
    Ok((rel, text))
}

/// The model of a manifest's text, refusing an older schema as editing does (run
/// `glix migrate`): the regions are generated from current-schema manifests only.
pub(super) fn current_model(text: &str, rel: String) -> Result<Manifest, OpError> {
    let m = crate::manifest::load_str(text, &rel)?;
    if m.file_schema != crate::manifest::CURRENT_SCHEMA {
        return Err(EditError::OldSchema { origin: rel, found: m.file_schema }.into());
    }
    Ok(m)
}

/// One host's manifest, editable. Its model comes from the cache when glix validated
/// exactly these bytes before (usually: glix wrote them).
pub fn load_host(repo: &Repo, host: &str) -> Result<ManifestDoc, OpError> {
    let (rel, text) = read_manifest(repo, host)?;
    if let Some(m) = summary::cached_model(repo, host, &text) {
        return Ok(ManifestDoc::with_model(&text, &rel, m)?);
    }
    let doc = ManifestDoc::parse(&text, &rel)?;
    summary::remember_read_model(repo, host, &text, doc.manifest());
    Ok(doc)
}

/// What a change to one host's manifest reads: that manifest, editable; every other
/// host's summary; and flake.nix.
pub struct HostEdit {
    pub doc: ManifestDoc,
    pub others: BTreeMap<String, HostSummary>,
    pub flake_text: String,
}

/// Read what a change to `host` needs. The edited manifest is parsed on this thread
/// while another reads the other hosts' summaries and flake.nix: they are the two
/// largest reads of a change and neither needs the other (on 20 hosts of 1 000
/// packages, each is a few milliseconds).
pub fn load_for_edit(repo: &Repo, host: &str) -> Result<HostEdit, OpError> {
    std::thread::scope(|s| {
        let rest = s.spawn(|| Ok::<_, OpError>((load_summaries(repo, Some(host))?, read_flake(repo)?)));
        let doc = load_host(repo, host);
        let rest = rest.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The edited host's own error first, as if read one after the other.
        let doc = doc?;
        let (others, flake_text) = rest?;
        Ok(HostEdit { doc, others, flake_text })
    })
}

/// What the regions should say for these hosts, borrowing every name and URL from the
/// summaries. Two hosts may share an input only for the same flake.
pub fn desired_ref(hosts: &BTreeMap<String, HostSummary>) -> Result<DesiredRef<'_>, OpError> {
    // Every package as (input, flake, host, name), stably sorted by input: the users
    // of one input are then neighbours, and the first of them (in host, then name
    // order) is its owner.
    let mut uses: Vec<(&str, &str, &str, &str)> = Vec::with_capacity(hosts.values().map(HostSummary::len).sum());
    uses.extend(hosts.iter().flat_map(|(h, s)| s.packages().map(move |p| (p.input, p.flake, h.as_str(), p.name))));
    uses.sort_by(|a, b| a.0.cmp(b.0));
    // An input follows the repo's nixpkgs when any of its entries asks for it.
    let follow: std::collections::BTreeSet<&str> = hosts.values().flat_map(|s| s.packages()).filter(|p| p.follows).map(|p| p.input).collect();
    let mut inputs = Vec::with_capacity(uses.len());
    let mut follows = Vec::new();
    for group in uses.chunk_by(|a, b| a.0 == b.0) {
        let (input, url, owner_host, owner_pkg) = group[0];
        if let Some((_, flake, host, name)) = group.iter().find(|u| u.1 != url) {
            return Err(Refusal::InputClash {
                input: input.to_string(),
                url: url.to_string(),
                owner_package: owner_pkg.to_string(),
                owner_host: owner_host.to_string(),
                other_url: flake.to_string(),
                other_package: name.to_string(),
                other_host: host.to_string(),
            }
            .into());
        }
        inputs.push((input, url));
        if follow.contains(input) {
            follows.push(input);
        }
    }
    Ok(DesiredRef { inputs, hosts: hosts.iter().map(|(h, s)| (h.as_str(), s.system.as_str())).collect(), follows, fleet: None })
}

/// What the regions of `flake_text` should say for these hosts: [`desired_ref`] plus
/// the fleet engine its fleet region names (kept as it is), with that engine's input.
pub fn desired_for<'a>(flake_text: &'a str, hosts: &'a BTreeMap<String, HostSummary>) -> Result<DesiredRef<'a>, OpError> {
    let located = flake::locate(flake_text)?;
    with_fleet(desired_ref(hosts)?, flake::fleet::enabled(flake_text, &located), hosts)
}

/// `desired` with `fleet`'s engine and its input (`None`: no engine). A package whose
/// input has the engine's input's name is refused: the two would be one input.
pub fn with_fleet<'a>(mut desired: DesiredRef<'a>, fleet: Option<flake::Fleet<'a>>, hosts: &BTreeMap<String, HostSummary>) -> Result<DesiredRef<'a>, OpError> {
    let Some(fleet) = fleet else {
        desired.fleet = None;
        return Ok(desired);
    };
    let input = fleet.engine.input();
    match desired.inputs.binary_search_by(|(name, _)| (*name).cmp(input)) {
        Ok(_) => {
            let (host, package) =
                hosts.iter().find_map(|(h, s)| s.packages().find(|p| p.input == input).map(|p| (h.clone(), p.name.to_string()))).unwrap_or_default();
            Err(Refusal::FleetInputTaken { engine: fleet.engine.name(), input, package, host }.into())
        }
        Err(at) => {
            desired.inputs.insert(at, (input, fleet.url));
            desired.fleet = Some(fleet.engine);
            Ok(desired)
        }
    }
}

/// flake.nix with both regions regenerated from the hosts' summaries; every byte
/// outside the regions stays as the user wrote it.
pub fn regenerate_flake(repo: &Repo, hosts: &BTreeMap<String, HostSummary>) -> Result<String, OpError> {
    regenerate(&read_flake(repo)?, hosts)
}

/// [`regenerate_flake`] for flake.nix's text, already read.
pub fn regenerate(flake_text: &str, hosts: &BTreeMap<String, HostSummary>) -> Result<String, OpError> {
    Ok(flake::patch_ref(flake_text, &desired_for(flake_text, hosts)?)?)
}

/// The text of the repo's flake.nix.
pub fn read_flake(repo: &Repo) -> Result<String, OpError> {
    let path = repo.path(FLAKE_NIX);
    Ok(std::fs::read_to_string(&path).map_err(crate::repo::io(format!("cannot read {}", path.display())))?)
}

/// The summaries of whole manifests (for operations that load them anyway).
pub fn summaries_of(manifests: &BTreeMap<String, Manifest>) -> BTreeMap<String, HostSummary> {
    manifests.iter().map(|(h, m)| (h.clone(), HostSummary::of(m))).collect()
}

/// One host's manifest, read-only: only the model is built (no editable document),
/// or read from the cache when glix validated exactly these bytes before. Older
/// schemas are refused as they are for editing (run `glix migrate`).
pub fn load_manifest(repo: &Repo, host: &str) -> Result<Manifest, OpError> {
    let (rel, text) = read_manifest(repo, host)?;
    if let Some(m) = summary::cached_model(repo, host, &text) {
        return Ok(m);
    }
    let m = current_model(&text, rel)?;
    summary::remember_read_model(repo, host, &text, &m);
    Ok(m)
}

/// One host's manifest for a command that only reads it (`list`, `show`): an older
/// schema is migrated on the fly, as the plugin does, and the second value says so
/// (editing it still needs `glix migrate`).
pub fn read_manifest_any_schema(repo: &Repo, host: &str) -> Result<(Manifest, Option<String>), OpError> {
    match load_manifest(repo, host) {
        Err(OpError::Edit(EditError::OldSchema { origin, found })) => {
            let (rel, text) = read_manifest(repo, host)?;
            let m = crate::manifest::load_str(&text, &rel)?;
            let note = format!(
                "{origin} is at schema {found}; glix reads it as schema {}, but changing it needs `glix migrate` first",
                crate::manifest::CURRENT_SCHEMA
            );
            Ok((m, Some(note)))
        }
        other => other.map(|m| (m, None)),
    }
}

/// Every host's manifest except `skip`, read-only: all the regions need.
pub fn load_manifests(repo: &Repo, skip: Option<&str>) -> Result<BTreeMap<String, Manifest>, OpError> {
    repo.hosts()?.into_iter().filter(|h| Some(h.as_str()) != skip).map(|h| load_manifest(repo, &h).map(|m| (h, m))).collect()
}

/// All hosts' summaries with `host`'s taken from `doc` (the edit being planned, whose
/// text is `text`), and the cache write of [`remember_edit`].
pub fn with_edit(repo: &Repo, host: &str, doc: ManifestDoc, text: &str) -> Result<(BTreeMap<String, HostSummary>, Deferred), OpError> {
    let mut all = load_summaries(repo, Some(host))?;
    let (summary, remember) = remember_edit(repo, host, doc, text);
    all.insert(host.to_string(), summary);
    Ok((all, remember))
}

/// The summary of an edited manifest, and the cache write (for [`Planned::after`]) that
/// remembers it and its model under the text glix will write, so the next command need
/// not parse that text. The document goes with the write (and is dropped there).
pub fn remember_edit(repo: &Repo, host: &str, doc: ManifestDoc, text: &str) -> (HostSummary, Deferred) {
    let s = HostSummary::of(doc.manifest());
    let (repo, host, text) = (repo.clone(), host.to_string(), text.to_string());
    (s, Box::new(move || summary::remember(&repo, &host, &text, doc.manifest())))
}

/// Input names the user declared in flake.nix outside glix's regions (`name.url = …`
/// lines), plus the template's own and `self`: a package input must not take one of
/// them. A line-based look, not a Nix parser — enough for the `x.url = "…";` style the
/// template uses; a clash it misses shows up at `nix flake lock`.
pub fn user_inputs(flake_text: &str) -> Result<std::collections::BTreeSet<String>, OpError> {
    let body = flake::locate(flake_text)?.inputs.body;
    let mut names: std::collections::BTreeSet<String> = ["self", "nixpkgs", "home-manager", "glixos-core"].iter().map(|s| s.to_string()).collect();
    // The region's body starts and ends at line starts: the lines around it are whole.
    let outside = flake_text[..body.start].split_inclusive('\n').chain(flake_text[body.end..].split_inclusive('\n'));
    for line in outside {
        let t = line.trim_start();
        let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '\'')).unwrap_or(t.len());
        let (name, rest) = t.split_at(end);
        if !name.is_empty() && rest.trim_start().starts_with(".url") {
            names.insert(name.to_string());
        }
    }
    Ok(names)
}

/// What [`edit_package`]'s edit did.
pub enum Edited {
    /// The document is changed.
    Changed,
    /// The manifest already said what was asked: nothing to change, and this is why
    /// (`cool-pkg is already disabled on laptop`).
    Already(String),
}

/// An operation that edits one package in one host's manifest (config,
/// enable/disable): its input, and so flake.lock, stay; flake.nix changes only when its
/// regions were stale. `edit` receives the document and the host's name.
pub fn edit_package(
    ctx: &Context,
    host: Option<&str>,
    name: &str,
    kind: &str,
    summary: impl FnOnce(&str) -> String,
    edit: impl FnOnce(&mut ManifestDoc, &str) -> Result<Edited, EditError>,
) -> Result<Outcome, OpError> {
    mutate(ctx, |repo| {
        let host = repo.choose_host(host)?;
        let HostEdit { mut doc, others: mut all, flake_text } = load_for_edit(repo, &host)?;
        let flake = doc.manifest().packages.get(name).map(|p| p.origin());
        let op =
            Operation { kind: kind.into(), host: Some(host.clone()), package: Some(name.to_string()), reference: flake, undoes: None, summary: summary(&host) };
        let before = HostSummary::of(doc.manifest());
        if let Edited::Already(reason) = edit(&mut doc, &host)? {
            return Ok(Planned::unchanged(op, reason));
        }
        let text = doc.text();
        let (after, remember) = remember_edit(repo, &host, doc, &text);
        all.insert(host.clone(), after);
        // The package's input stays, but the regions are regenerated all the same: a
        // change always leaves them what every manifest says.
        let (flake_nix, warnings) = regenerate_one(&flake_text, &mut all, &host, Some(before))?;
        Ok(planned_edit(op, BTreeMap::from([(Repo::manifest_rel(&host), Some(text))]), &flake_text, flake_nix, warnings, vec![remember]))
    })
}

/// The plan of a change to manifests (`files`) whose regenerated flake.nix is
/// `flake_nix`: flake.nix joins the files, and `nix flake lock` runs, only when its
/// regions changed (stale regions brought up to date may name an input flake.lock
/// lacks); otherwise flake.nix and flake.lock stay byte for byte.
pub(super) fn planned_edit(
    op: Operation,
    mut files: BTreeMap<String, Option<String>>,
    flake_text: &str,
    flake_nix: String,
    warnings: Vec<String>,
    after: Vec<super::Deferred>,
) -> Planned {
    let lock = if flake_nix == flake_text { LockStep::None } else { LockStep::Lock };
    if flake_nix != flake_text {
        files.insert(FLAKE_NIX.to_string(), Some(flake_nix));
    }
    Planned { op, files, lock, warnings, after, unchanged: None }
}

/// flake.nix with both regions regenerated for the hosts as they will be (`after`),
/// and what the change does to the regions beyond itself, as warnings: lines inside a
/// region that no manifest generates (written there by hand) go, and when the regions
/// were stale before (what `before`, the hosts as they are, generates is not what the
/// file says), the commit also brings them up to date.
///
/// The fleet engine is the one `flake_text` names, or with `fleet_from` (another
/// version of flake.nix: what `glix undo` or `glix restore` goes back to) the one that
/// names: the fleet region is a region too, put back with the others.
pub fn regenerate_checked(
    flake_text: &str,
    fleet_from: Option<&str>,
    before: &BTreeMap<String, HostSummary>,
    after: &BTreeMap<String, HostSummary>,
) -> Result<(String, Vec<String>), OpError> {
    let new = match fleet_from {
        None => regenerate(flake_text, after)?,
        Some(then) => {
            // A version without (valid) regions names no engine.
            let fleet = flake::locate(then).ok().and_then(|l| flake::fleet::enabled(then, &l));
            if fleet.is_some() && flake::locate(flake_text)?.fleet.is_none() {
                return Err(Refusal::NoFleetRegion.into());
            }
            flake::patch_ref(flake_text, &with_fleet(desired_ref(after)?, fleet, after)?)?
        }
    };
    let warnings = region_warnings(flake_text, &regenerate(flake_text, before)?, &new)?;
    Ok((new, warnings))
}

/// [`regenerate_checked`] for a change to one host: `all` holds every host as it will
/// be, `before` that host as it is (`None`: it is new).
pub fn regenerate_one(
    flake_text: &str,
    all: &mut BTreeMap<String, HostSummary>,
    host: &str,
    before: Option<HostSummary>,
) -> Result<(String, Vec<String>), OpError> {
    let new = regenerate(flake_text, all)?;
    let after = match before {
        Some(b) => all.insert(host.to_string(), b),
        None => all.remove(host),
    };
    let fresh = regenerate(flake_text, all);
    match after {
        Some(a) => all.insert(host.to_string(), a),
        None => all.remove(host),
    };
    let warnings = region_warnings(flake_text, &fresh?, &new)?;
    Ok((new, warnings))
}

/// What [`regenerate_checked`] warns about, from flake.nix as it is, as the hosts as
/// they are generate it (`fresh`) and as the change writes it (`new`).
fn region_warnings(flake_text: &str, fresh: &str, new: &str) -> Result<Vec<String>, OpError> {
    let mut warnings = Vec::new();
    if fresh == flake_text {
        return Ok(warnings);
    }
    let (old_at, fresh_at, new_at) = (flake::locate(flake_text)?, flake::locate(fresh)?, flake::locate(new)?);
    for region in [flake::Region::Inputs, flake::Region::Hosts, flake::Region::Fleet] {
        let (Some(old), Some(gen), Some(next)) = (old_at.get(region), fresh_at.get(region), new_at.get(region)) else { continue };
        let lines = |text: &str, body: &std::ops::Range<usize>| -> Vec<String> {
            text[body.clone()].lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
        };
        let (old_lines, gen_lines, new_lines) = (lines(flake_text, &old.body), lines(fresh, &gen.body), lines(new, &next.body));
        let body_lines = flake_text[old.body.clone()].lines().map(str::trim);
        for (i, line) in body_lines.enumerate() {
            if !line.is_empty() && !gen_lines.iter().any(|g| g == line) && !new_lines.iter().any(|g| g == line) {
                warnings.push(format!(
                    "flake.nix:{n} `{line}` is inside glix's {r} region but no manifest says it: this change removes it (to keep it, move it outside the region's markers)",
                    n = old.begin_line + 1 + i,
                    r = region.name()
                ));
            }
        }
        let added: Vec<String> = gen_lines.iter().filter(|g| !old_lines.contains(g) && new_lines.contains(g)).map(|g| format!("`{g}`")).collect();
        if !added.is_empty() {
            warnings.push(format!(
                "flake.nix's {r} region was stale before this change (a manifest edited by hand?): this commit also adds {}",
                added.join(", "),
                r = region.name()
            ));
        }
    }
    if warnings.is_empty() {
        // Only the order or the spacing differed.
        warnings.push("flake.nix's regions were not exactly what the manifests generate before this change: this commit also rewrites them".into());
    }
    Ok(warnings)
}
