//! Nix's flake registry: `nix registry resolve` where the Nix has it (Nix 2.33 and
//! later), else `nix registry list` parsed and looked up the way Nix 2.26 does it
//! (`lookupInRegistries`: flag, then user, then system, then global entries; an entry
//! matches the reference exactly or without its `ref`/`rev`, which then carry over to
//! the target; redirections repeat until no entry matches).

use std::collections::BTreeMap;

use crate::flakeref::FlakeRef;
use crate::nix::{NixError, NixRunner};

use super::format_duration;
use super::uri::{rebuild, Change};

/// How many redirections one lookup may take (Nix gives up after 100 too).
const MAX_REDIRECTS: usize = 100;

/// Why `nix` gave no answer, in the words of one step of the resolver's report: Nix's
/// own `error:` line rather than the whole command line and its stderr.
fn failure_text(e: &NixError) -> String {
    match e {
        NixError::Timeout { after, .. } => {
            format!("nix did not finish within {}", format_duration(*after))
        }
        NixError::Failed { code, stderr, .. } => {
            let msg = last_error_line(stderr);
            match code {
                Some(c) if msg.is_empty() => format!("nix exited with status {c}"),
                None if msg.is_empty() => "nix was killed by a signal".to_string(),
                _ => msg,
            }
        }
        e => e.to_string(),
    }
}

/// The `error: ...` line of Nix's output (without the prefix), else its last line.
fn last_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.iter().rev().find_map(|l| l.strip_prefix("error: ")).or(lines.last().copied()).unwrap_or("").to_string()
}

/// Which registry an entry of `nix registry list` comes from, in Nix's lookup order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NixRegistryKind {
    /// `--override-flake` on the command line.
    Flags,
    /// `~/.config/nix/registry.json`.
    User,
    /// `/etc/nix/registry.json`.
    System,
    /// The downloaded `flake-registry`.
    Global,
}

impl NixRegistryKind {
    fn parse(s: &str) -> Option<NixRegistryKind> {
        Some(match s {
            "flags" => NixRegistryKind::Flags,
            "user" => NixRegistryKind::User,
            "system" => NixRegistryKind::System,
            "global" => NixRegistryKind::Global,
            _ => return None,
        })
    }
}

/// One line of `nix registry list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixRegistryEntry {
    pub kind: NixRegistryKind,
    pub from: String,
    pub to: String,
}

/// Parses `nix registry list` output (`<kind> <from> <to>` per line), in lookup order
/// (flags, user, system, global; the order within one registry is kept). Lines that do
/// not have that shape are returned separately.
pub fn parse_registry_list(text: &str) -> (Vec<NixRegistryEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split_whitespace();
        match (parts.next().and_then(NixRegistryKind::parse), parts.next(), parts.next(), parts.next()) {
            (Some(kind), Some(from), Some(to), None) => entries.push(NixRegistryEntry { kind, from: from.to_string(), to: to.to_string() }),
            _ => bad.push(line.to_string()),
        }
    }
    entries.sort_by_key(|e| e.kind);
    (entries, bad)
}

/// A successful lookup.
#[derive(Debug, Clone)]
pub struct NixResolved {
    pub flake: FlakeRef,
    /// Each reference the lookup went through, the result last.
    pub chain: Vec<String>,
    pub method: &'static str,
    pub warnings: Vec<String>,
}

/// A failed lookup.
#[derive(Debug, Clone)]
pub enum NixLookupError {
    /// The registries have no entry for the reference (`outcome` says so for the user).
    NotFound { outcome: String },
    /// `nix` could not tell (not installed, failed, timed out).
    Failed { outcome: String },
    /// An entry matched, but its target is not something glix writes into flake.nix.
    Unwritable { target: String, reason: String },
    /// The entries redirect in a circle.
    Cycle { chain: Vec<String> },
}

/// The registry as `nix registry list` shows it, for lookups and name suggestions.
#[derive(Debug, Clone, Default)]
pub struct NixRegistryList {
    pub entries: Vec<NixRegistryEntry>,
    pub warnings: Vec<String>,
}

impl NixRegistryList {
    /// Runs `nix registry list`. When that fails (typically: the global registry could not
    /// be downloaded, which makes Nix 2.26 fail the whole command), tries again without
    /// the global registry and says so in a warning.
    pub fn load(nix: &dyn NixRunner, offline: bool) -> Result<NixRegistryList, NixError> {
        let mut args = vec!["registry", "list"];
        if offline {
            args.push("--offline");
        }
        let (text, mut warnings) = match nix.run(&args) {
            Ok(text) => (text, Vec::new()),
            Err(first @ NixError::Failed { .. }) => {
                let warning = format!(
                    "Nix's global flake registry could not be read ({}); only the user and \
                     system registries were searched",
                    failure_text(&first)
                );
                args.extend(["--option", "flake-registry", ""]);
                let text = nix.run(&args).map_err(|_| first)?;
                (text, vec![warning])
            }
            Err(e) => return Err(e),
        };
        let (entries, bad) = parse_registry_list(&text);
        if !bad.is_empty() {
            warnings.push(format!(
                "ignored {} line(s) of `nix registry list` that glix does not understand, \
                 e.g. '{}'",
                bad.len(),
                bad[0]
            ));
        }
        Ok(NixRegistryList { entries, warnings })
    }

    /// The ids of indirect entries (`flake:ID`), for "did you mean".
    pub fn names(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|e| FlakeRef::parse(&e.from).ok())
            .filter(|f| f.is_indirect())
            .filter_map(|f| f.str_attr("id").map(str::to_string))
            .collect()
    }

    /// Looks `input` up the way Nix's `lookupInRegistries` does.
    pub fn lookup(&self, input: &FlakeRef) -> Result<NixResolved, NixLookupError> {
        let parsed: Vec<(BTreeMap<String, serde_json::Value>, &NixRegistryEntry)> =
            self.entries.iter().filter_map(|e| FlakeRef::parse(&e.from).ok().map(|f| (f.attrs(), e))).collect();
        let typed_dir = input.str_attr("dir").map(str::to_string);
        let mut current =
            rebuild(input, Change::Keep, Change::Keep, Change::Remove).map_err(|reason| NixLookupError::Unwritable { target: input.to_url(), reason })?;
        let mut target_dir: Option<String> = None;
        let mut chain = vec![input.to_url()];
        loop {
            let attrs = current.attrs();
            let mut bare = attrs.clone();
            bare.remove("ref");
            bare.remove("rev");
            let Some((from, entry)) = parsed.iter().find(|(from, _)| *from == attrs || *from == bare) else {
                break;
            };
            // One element per redirection taken so far, plus the input.
            if chain.len() > MAX_REDIRECTS {
                return Err(NixLookupError::Cycle { chain });
            }
            let to = FlakeRef::parse(&entry.to).map_err(|e| NixLookupError::Unwritable { target: entry.to.clone(), reason: e.to_string() })?;
            // Like Nix: the typed ref/rev carry over unless the entry itself names one.
            let carry = |key: &str| match current.str_attr(key) {
                Some(v) if !from.contains_key(key) => Change::Set(v.to_string()),
                _ => Change::Keep,
            };
            let (r, v) = (carry("ref"), carry("rev"));
            target_dir = to.str_attr("dir").map(str::to_string);
            current = rebuild(&to, r, v, Change::Remove).map_err(|reason| NixLookupError::Unwritable { target: entry.to.clone(), reason })?;
            chain.push(current.to_url());
        }
        if current.is_indirect() {
            let mut outcome = if chain.len() == 1 {
                format!("no entry for {} among {} entries of `nix registry list`", current.to_url(), self.entries.len())
            } else {
                format!("{} leads to {}, which has no entry", chain[0], current.to_url())
            };
            for w in &self.warnings {
                outcome.push_str(&format!(" ({w})"));
            }
            return Err(NixLookupError::NotFound { outcome });
        }
        // Like Nix: the last matching entry's `dir` wins, else the typed one.
        let dir = match target_dir.or(typed_dir) {
            Some(d) => Change::Set(d),
            None => Change::Keep,
        };
        let flake = rebuild(&current, Change::Keep, Change::Keep, dir).map_err(|reason| NixLookupError::Unwritable { target: current.to_url(), reason })?;
        if let Some(last) = chain.last_mut() {
            *last = flake.to_url();
        }
        Ok(NixResolved { flake, chain, method: "nix registry list", warnings: self.warnings.clone() })
    }
}

/// Resolves an indirect reference through Nix's registries: `nix registry resolve` when
/// this Nix has it, else `nix registry list` and [`NixRegistryList::lookup`]. Returns the
/// listing too when it was loaded (for name suggestions).
pub fn resolve(nix: &dyn NixRunner, input: &FlakeRef, offline: bool) -> (Result<NixResolved, NixLookupError>, Option<NixRegistryList>) {
    let url = input.to_url();
    let mut args = vec!["registry", "resolve", url.as_str()];
    if offline {
        args.push("--offline");
    }
    match nix.run(&args) {
        Ok(out) => {
            let line = out.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            let result = match FlakeRef::parse(line) {
                Ok(f) if !f.is_indirect() => {
                    Ok(NixResolved { chain: vec![url.clone(), f.to_url()], flake: f, method: "nix registry resolve", warnings: Vec::new() })
                }
                Ok(f) => Err(NixLookupError::NotFound { outcome: format!("`nix registry resolve` answered {}", f.to_url()) }),
                Err(e) => Err(NixLookupError::Unwritable { target: line.to_string(), reason: e.to_string() }),
            };
            (result, None)
        }
        Err(NixError::Failed { stderr, .. }) if stderr.contains("cannot find flake") && !stderr.contains("not a recognised") => {
            // Resolve says "not found"; list only for suggestions.
            let list = NixRegistryList::load(nix, offline).ok();
            let outcome = format!("nix registry resolve: {}", last_error_line(&stderr));
            (Err(NixLookupError::NotFound { outcome }), list)
        }
        // Nix that cannot start, or hangs, would do the same for `registry list`, and
        // after Ctrl-C nothing more should run: say so once instead of waiting for the
        // listing (and its retry) too.
        Err(e @ (NixError::Spawn { .. } | NixError::NotFound | NixError::Timeout { .. } | NixError::Interrupted { .. })) => {
            (Err(NixLookupError::Failed { outcome: failure_text(&e) }), None)
        }
        // No `resolve` in this Nix (2.26: "'resolve' is not a recognised command"), or it
        // failed for another reason: look the reference up in the listing ourselves.
        Err(_) => match NixRegistryList::load(nix, offline) {
            Ok(list) => (list.lookup(input), Some(list)),
            Err(e) => (Err(NixLookupError::Failed { outcome: format!("`nix registry list` failed: {}", failure_text(&e)) }), None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const LIST: &str = "\
global flake:nixpkgs github:NixOS/nixpkgs/nixpkgs-unstable
global flake:home-manager github:nix-community/home-manager
user   flake:nixpkgs path:/nix/store/abc-source
system flake:nixpkgs github:NixOS/nixpkgs/nixos-24.05
system flake:sys-only git+https://example.org/sys.git?ref=main
global flake:blender-bin github:edolstra/nix-warez?dir=blender
user   flake:alias flake:home-manager
user   flake:loop-a flake:loop-b
user   flake:loop-b flake:loop-a
user   flake:pinned/stable github:o/pinned/v1
user   flake:bad path:./relative
flags  flake:flagged github:o/flagged
";

    fn list() -> NixRegistryList {
        let (entries, bad) = parse_registry_list(LIST);
        assert!(bad.is_empty(), "{bad:?}");
        NixRegistryList { entries, warnings: Vec::new() }
    }

    fn lookup(s: &str) -> Result<String, NixLookupError> {
        list().lookup(&FlakeRef::parse(s).unwrap()).map(|r| r.flake.to_url())
    }

    #[test]
    fn list_parser_reads_kind_from_and_to_in_lookup_order() {
        let (entries, bad) = parse_registry_list(LIST);
        assert!(bad.is_empty());
        assert_eq!(entries.len(), 12);
        assert_eq!(entries[0].kind, NixRegistryKind::Flags);
        assert_eq!(entries[1].kind, NixRegistryKind::User);
        assert_eq!(entries[1], NixRegistryEntry { kind: NixRegistryKind::User, from: "flake:nixpkgs".into(), to: "path:/nix/store/abc-source".into() });
        assert!(entries.windows(2).all(|w| w[0].kind <= w[1].kind));
    }

    #[test]
    fn list_parser_sets_aside_lines_it_does_not_understand() {
        let (entries, bad) = parse_registry_list("warning: something\nuser flake:a github:o/a\n\nuser onlytwo\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(bad, ["warning: something", "user onlytwo"]);
    }

    #[test]
    fn user_entries_win_over_system_and_global() {
        assert_eq!(lookup("nixpkgs").unwrap(), "path:/nix/store/abc-source");
    }

    #[test]
    fn flag_entries_are_found() {
        assert_eq!(lookup("flagged").unwrap(), "github:o/flagged");
    }

    #[test]
    fn typed_branch_carries_over_to_the_target() {
        assert_eq!(lookup("flake:home-manager/release-24.05").unwrap(), "github:nix-community/home-manager/release-24.05");
        assert_eq!(lookup("sys-only/dev").unwrap(), "git+https://example.org/sys.git?ref=dev");
    }

    #[test]
    fn an_entry_for_a_specific_branch_matches_only_that_branch() {
        assert_eq!(lookup("pinned/stable").unwrap(), "github:o/pinned/v1");
        assert!(matches!(lookup("pinned"), Err(NixLookupError::NotFound { .. })));
    }

    #[test]
    fn registry_dir_wins_over_typed_dir() {
        assert_eq!(lookup("blender-bin").unwrap(), "github:edolstra/nix-warez?dir=blender");
        assert_eq!(lookup("flake:blender-bin?dir=other").unwrap(), "github:edolstra/nix-warez?dir=blender");
        assert_eq!(lookup("flake:home-manager?dir=sub").unwrap(), "github:nix-community/home-manager?dir=sub");
    }

    #[test]
    fn indirect_targets_are_followed() {
        let r = list().lookup(&FlakeRef::parse("alias").unwrap()).unwrap();
        assert_eq!(r.flake.to_url(), "github:nix-community/home-manager");
        assert_eq!(r.chain, ["flake:alias", "flake:home-manager", "github:nix-community/home-manager"]);
    }

    #[test]
    fn redirect_cycles_are_reported() {
        assert!(matches!(lookup("loop-a"), Err(NixLookupError::Cycle { .. })));
    }

    #[test]
    fn targets_glix_cannot_write_are_reported() {
        assert!(matches!(lookup("bad"), Err(NixLookupError::Unwritable { .. })));
    }

    #[test]
    fn unknown_names_are_not_found() {
        assert!(matches!(lookup("nope"), Err(NixLookupError::NotFound { .. })));
    }

    #[derive(Debug)]
    struct Fake(Vec<(&'static str, Result<String, NixError>)>);

    impl NixRunner for Fake {
        fn run(&self, args: &[&str]) -> Result<String, NixError> {
            let cmd = args.join(" ");
            self.0.iter().find(|(prefix, _)| cmd.starts_with(prefix)).map(|(_, r)| r.clone()).unwrap_or_else(|| panic!("unexpected nix {cmd}"))
        }
    }

    fn exit(stderr: &str) -> Result<String, NixError> {
        Err(NixError::Failed { cmd: "nix".into(), status: "exit status: 1".into(), code: Some(1), stderr: stderr.into() })
    }

    #[test]
    fn resolve_uses_nix_registry_resolve_when_nix_has_it() {
        let nix = Fake(vec![("registry resolve flake:blender-bin", Ok("github:edolstra/nix-warez?dir=blender\n".into()))]);
        let (r, list) = resolve(&nix, &FlakeRef::parse("blender-bin").unwrap(), false);
        let r = r.unwrap();
        assert_eq!(r.flake.to_url(), "github:edolstra/nix-warez?dir=blender");
        assert_eq!(r.method, "nix registry resolve");
        assert!(list.is_none());
    }

    #[test]
    fn a_nix_that_hangs_is_given_up_on_once_not_asked_again_for_the_listing() {
        // The fake panics on any command it was not given: `registry list` would.
        let nix = Fake(vec![("registry resolve", Err(NixError::Timeout { cmd: "nix registry resolve".into(), after: Duration::from_secs(60) }))]);
        let (r, list) = resolve(&nix, &FlakeRef::parse("home-manager").unwrap(), false);
        match r {
            Err(NixLookupError::Failed { outcome }) => {
                assert_eq!(outcome, "nix did not finish within 60 s")
            }
            other => panic!("{other:?}"),
        }
        assert!(list.is_none());
    }

    #[test]
    fn resolve_falls_back_to_the_listing_on_nix_without_resolve() {
        let nix = Fake(vec![
            ("registry resolve", exit("error: 'resolve' is not a recognised command\n       Did you mean remove?")),
            ("registry list", Ok(LIST.into())),
        ]);
        let (r, list) = resolve(&nix, &FlakeRef::parse("home-manager").unwrap(), false);
        assert_eq!(r.unwrap().method, "nix registry list");
        assert!(list.unwrap().names().contains(&"nixpkgs".to_string()));
    }

    #[test]
    fn resolve_not_found_still_lists_names_for_suggestions() {
        let nix = Fake(vec![("registry resolve", exit("error: cannot find flake 'flake:nope' in the flake registries")), ("registry list", Ok(LIST.into()))]);
        let (r, list) = resolve(&nix, &FlakeRef::parse("nope").unwrap(), false);
        match r {
            Err(NixLookupError::NotFound { outcome }) => {
                assert!(outcome.contains("cannot find flake 'flake:nope'"), "{outcome}")
            }
            other => panic!("{other:?}"),
        }
        assert!(list.is_some());
    }

    #[test]
    fn listing_retries_without_the_global_registry_when_it_cannot_be_downloaded() {
        let nix = Fake(vec![
            ("registry resolve", exit("error: 'resolve' is not a recognised command")),
            ("registry list --option flake-registry ", Ok("user flake:mine github:o/mine\n".into())),
            ("registry list", exit("error: unable to download 'https://channels.nixos.org/flake-registry.json'")),
        ]);
        let (r, _) = resolve(&nix, &FlakeRef::parse("mine").unwrap(), false);
        let r = r.unwrap();
        assert_eq!(r.flake.to_url(), "github:o/mine");
        assert!(r.warnings[0].contains("unable to download"), "{:?}", r.warnings);
    }

    #[test]
    fn missing_nix_is_reported_with_a_hint() {
        let nix = crate::nix::Nix::at("/nonexistent/nix");
        let (r, _) = resolve(&nix, &FlakeRef::parse("x").unwrap(), false);
        match r {
            Err(NixLookupError::Failed { outcome }) => {
                assert!(outcome.contains("GLIX_NIX"), "{outcome}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn slow_nix_is_killed_after_the_timeout_and_reported_in_plain_words() {
        use std::os::unix::fs::PermissionsExt;
        use std::time::Instant;
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("nix");
        std::fs::write(&fake, "#!/bin/sh\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let nix = crate::nix::Nix::at(fake).with_timeout(Some(Duration::from_millis(300)));
        let start = Instant::now();
        let (r, list) = resolve(&nix, &FlakeRef::parse("x").unwrap(), false);
        match r {
            Err(NixLookupError::Failed { outcome }) => {
                assert_eq!(outcome, "nix did not finish within 300 ms")
            }
            other => panic!("{other:?}"),
        }
        assert!(list.is_none());
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
