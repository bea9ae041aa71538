//! What changes between two systems: the packages added, removed and changed (with
//! their versions) and the size of each closure, read from `nix store diff-closures`
//! and `nix path-info --closure-size` (run by `src/nix.rs`). Why not the `dix` crate
//! nh uses: it is GPL-3.0 (glix is MIT), and it reads Nix's SQLite database directly,
//! so it sees only a local store at the default place; the Nix glix already runs
//! answers for whatever store that Nix uses, with its own notion of names and versions.
//!
//! `nix store diff-closures` prints one line per package name whose versions or size
//! changed: `NAME: OLD → NEW[, ±SIZE KiB]` or `NAME: ±SIZE KiB`, where OLD and NEW
//! are versions joined by ", ", `∅` is none and `ε` an empty version. Names are store
//! path names up to their version (never a space or a ':'), so the line splits
//! unambiguously; colours are stripped first.

use serde::Serialize;

use crate::nix_log::strip_ansi;

/// One package name and how it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageChange {
    pub name: String,
    /// Versions only the old system has (`""` for a package without one).
    pub before: Vec<String>,
    /// Versions only the new system has.
    pub after: Vec<String>,
    /// How much bigger its paths are, in bytes (Nix shows changes of 8 KiB or more).
    pub size_delta: Option<i64>,
}

/// The difference between two systems.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClosureDiff {
    pub before: String,
    pub after: String,
    /// In the new system only.
    pub added: Vec<PackageChange>,
    /// In the old system only.
    pub removed: Vec<PackageChange>,
    /// In both, with other versions or another size.
    pub changed: Vec<PackageChange>,
    /// The closures' sizes, in bytes.
    pub size_before: u64,
    pub size_after: u64,
}

impl ClosureDiff {
    /// From the output of `nix store diff-closures BEFORE AFTER` and both closure sizes.
    pub fn parse(before: &str, after: &str, text: &str, size_before: u64, size_after: u64) -> ClosureDiff {
        let mut d =
            ClosureDiff { before: before.to_string(), after: after.to_string(), added: vec![], removed: vec![], changed: vec![], size_before, size_after };
        for line in text.lines().map(strip_ansi) {
            let Some(c) = parse_line(&line) else { continue };
            match (c.before.is_empty(), c.after.is_empty()) {
                (true, false) => d.added.push(c),
                (false, true) => d.removed.push(c),
                _ => d.changed.push(c),
            }
        }
        d
    }

    /// The two systems are the same store path.
    pub fn identical(&self) -> bool {
        self.before == self.after
    }

    /// No package was added, removed or changed (the systems may still differ, e.g. in
    /// a configuration file or the configuration revision).
    pub fn no_package_changes(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    pub fn size_delta(&self) -> i64 {
        self.size_after as i64 - self.size_before as i64
    }

    /// For a person: a line per package, then the sizes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.identical() {
            out.push_str("no difference: it is the same system\n");
            return out;
        }
        let versions = |v: &[String]| v.iter().map(|s| if s.is_empty() { "(no version)" } else { s.as_str() }).collect::<Vec<_>>().join(", ");
        let size = |c: &PackageChange| c.size_delta.map(|s| format!(" ({})", signed_size(s))).unwrap_or_default();
        for (title, list) in [("added", &self.added), ("removed", &self.removed), ("changed", &self.changed)] {
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("{title}:\n"));
            for c in list {
                let what = match title {
                    "added" => versions(&c.after),
                    "removed" => versions(&c.before),
                    _ if c.before.is_empty() && c.after.is_empty() => "same version".into(),
                    _ => format!("{} → {}", versions(&c.before), versions(&c.after)),
                };
                out.push_str(&format!("  {}  {what}{}\n", c.name, size(c)));
            }
        }
        if self.no_package_changes() {
            out.push_str("no package changes (the systems differ only in their configuration)\n");
        }
        out.push_str(&format!("size: {} → {} ({})\n", human(self.size_before as i64), human(self.size_after as i64), signed_size(self.size_delta())));
        out
    }
}

/// One line of `nix store diff-closures`, colours stripped.
fn parse_line(line: &str) -> Option<PackageChange> {
    let (name, rest) = line.trim().split_once(": ")?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    let (versions, size_delta) = match rest.rsplit_once(", ") {
        Some((v, s)) if v.contains(" → ") && parse_kib(s).is_some() => (Some(v), parse_kib(s)),
        _ => match parse_kib(rest) {
            Some(s) => (None, Some(s)),
            None => (Some(rest), None),
        },
    };
    let (before, after) = match versions {
        Some(v) => {
            let (b, a) = v.split_once(" → ")?;
            (version_list(b), version_list(a))
        }
        None => (vec![], vec![]),
    };
    Some(PackageChange { name: name.to_string(), before, after, size_delta })
}

fn version_list(s: &str) -> Vec<String> {
    match s.trim() {
        "∅" => vec![],
        s => s.split(", ").map(|v| if v == "ε" { String::new() } else { v.to_string() }).collect(),
    }
}

/// `+12.3 KiB` → bytes.
fn parse_kib(s: &str) -> Option<i64> {
    let n: f64 = s.trim().strip_suffix(" KiB")?.parse().ok()?;
    n.is_finite().then(|| (n * 1024.0).round() as i64)
}

/// A size for a person: `812 B`, `4.2 KiB`, `1.3 GiB`.
pub fn human(bytes: i64) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    let abs = bytes.unsigned_abs();
    if abs < 1024 {
        return format!("{sign}{abs} B");
    }
    let mut v = abs as f64 / 1024.0;
    let mut unit = "KiB";
    for next in ["MiB", "GiB"] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = next;
    }
    format!("{sign}{v:.1} {unit}")
}

fn signed_size(bytes: i64) -> String {
    if bytes >= 0 {
        format!("+{}", human(bytes))
    } else {
        human(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_closures_output_splits_into_added_removed_and_changed() {
        let text = "hello: ∅ → 2.12.1, +12.3 KiB\nlibfoo: 1.0 → ∅\n\u{1b}[1mpython3\u{1b}[0m: 3.11.9, 3.12.4 → 3.12.5, \u{1b}[31;1m+8.0 KiB\u{1b}[0m\nglibc: -20.0 KiB\nicu: ε → 74\n";
        let d = ClosureDiff::parse("/a", "/b", text, 1000, 13_000);
        assert_eq!(
            d.added.iter().map(|c| (c.name.as_str(), c.after.clone(), c.size_delta)).collect::<Vec<_>>(),
            vec![("hello", vec!["2.12.1".to_string()], Some(12595))]
        );
        assert_eq!(d.removed[0].name, "libfoo");
        assert_eq!(
            d.changed[0],
            PackageChange { name: "python3".into(), before: vec!["3.11.9".into(), "3.12.4".into()], after: vec!["3.12.5".into()], size_delta: Some(8192) }
        );
        assert_eq!(d.changed[1], PackageChange { name: "glibc".into(), before: vec![], after: vec![], size_delta: Some(-20480) });
        assert_eq!((d.changed[2].before.clone(), d.changed[2].after.clone()), (vec![String::new()], vec!["74".to_string()]));
        let r = d.render();
        assert!(r.contains("added:\n  hello  2.12.1 (+12.3 KiB)\n"), "{r}");
        assert!(r.contains("  python3  3.11.9, 3.12.4 → 3.12.5 (+8.0 KiB)\n"), "{r}");
        assert!(r.contains("  glibc  same version (-20.0 KiB)\n"), "{r}");
        assert!(r.ends_with("size: 1000 B → 12.7 KiB (+11.7 KiB)\n"), "{r}");
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(-3 * 1024 * 1024), "-3.0 MiB");
        assert_eq!(human(5 * 1024 * 1024 * 1024 * 1024), "5120.0 GiB");
    }

    proptest::proptest! {
        #[test]
        fn any_output_parses_without_a_panic(text in "(.{0,40}(: |, | → |∅|ε| KiB|\n)){0,12}") {
            let d = ClosureDiff::parse("/a", "/b", &text, 0, u64::MAX / 4);
            let _ = d.render();
        }
    }
}
