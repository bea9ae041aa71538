//! Flake URIs: what passes through the resolver unchanged, and how a registry target is
//! adjusted by what the user typed (`name/branch`, `?dir=`), as Nix's
//! `Input::applyOverrides` does it.

use crate::flakeref::{percent_encode, FlakeRef, FlakeRefError};

/// What the user typed, once parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A direct flake reference (`github:o/r`, `path:/x`, ...): passes through.
    Uri(FlakeRef),
    /// A registry name (`cool-pkg`, `flake:cool-pkg`, `cool-pkg/branch`): looked up.
    Name(FlakeRef),
}

/// Parses what the user typed with the foundation parser.
pub fn classify(typed: &str) -> Result<Typed, FlakeRefError> {
    let r = FlakeRef::parse(typed.trim())?;
    Ok(if r.is_indirect() { Typed::Name(r) } else { Typed::Uri(r) })
}

/// A change to one attribute of a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Keep,
    Set(String),
    Remove,
}

impl Change {
    /// The attribute's value after this change, given its value before.
    fn applied_to(&self, old: Option<&str>) -> Option<String> {
        match self {
            Change::Keep => old.map(str::to_string),
            Change::Set(v) => Some(v.clone()),
            Change::Remove => None,
        }
    }
}

/// `r` with its `ref`, `rev` and `dir` changed, re-parsed (so the result is validated and
/// canonical). Follows Nix's `applyOverrides`: forges take either a branch or a commit
/// (a commit replaces the branch; a branch on a pinned commit is an error); Git,
/// Mercurial and indirect references take both; paths, tarballs and files take neither.
pub(crate) fn rebuild(r: &FlakeRef, rf: Change, rev: Change, dir: Change) -> Result<FlakeRef, String> {
    if rf == Change::Keep && rev == Change::Keep && dir == Change::Keep {
        return Ok(r.clone());
    }
    let kind = r.kind();
    let mut new_ref = rf.applied_to(r.str_attr("ref"));
    let new_rev = rev.applied_to(r.str_attr("rev"));
    let url = r.to_url();
    let touches_version = rf != Change::Keep || rev != Change::Keep;
    if touches_version {
        match kind {
            "github" | "gitlab" | "sourcehut" => {
                if let (Change::Set(b), Change::Set(c)) = (&rf, &rev) {
                    return Err(format!("cannot apply both a commit ({c}) and a branch or tag ('{b}') to {url}"));
                }
                if matches!(rev, Change::Set(_)) {
                    new_ref = None;
                } else if let (Change::Set(b), Some(c)) = (&rf, &new_rev) {
                    return Err(format!("cannot apply the branch or tag '{b}' to {url}: it is pinned to commit {c}"));
                }
            }
            "git" | "hg" | "indirect" => {}
            _ => return Err(format!("cannot apply a branch, tag or commit to {url} (a {kind} reference has none)")),
        }
    }

    let (base, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    // Unreserved characters and `/` stay as they are. (The encoder leaves a NUL raw, as Nix
    // does; none reaches here: every value comes from a parsed `FlakeRef`, whose policy
    // refuses control characters.)
    let encode = |v: &str| percent_encode(v.as_bytes(), b"/");
    let set_param = |params: &mut Vec<(String, String)>, key: &str, value: Option<&str>| {
        params.retain(|(k, _)| k != key);
        if let Some(v) = value {
            params.push((key.to_string(), encode(v)));
        }
    };
    let base = match kind {
        "github" | "gitlab" | "sourcehut" => {
            // Branch and commit go into the query; the parser reads them back from there.
            set_param(&mut params, "ref", new_ref.as_deref());
            set_param(&mut params, "rev", new_rev.as_deref());
            format!("{kind}:{}/{}", encode(r.str_attr("owner").unwrap_or_default()), encode(r.str_attr("repo").unwrap_or_default()))
        }
        "indirect" => {
            let mut b = format!("flake:{}", encode(r.str_attr("id").unwrap_or_default()));
            for v in [&new_ref, &new_rev].into_iter().flatten() {
                b.push('/');
                b.push_str(&encode(v));
            }
            b
        }
        _ => {
            if touches_version {
                set_param(&mut params, "ref", new_ref.as_deref());
                set_param(&mut params, "rev", new_rev.as_deref());
            }
            base.to_string()
        }
    };
    match &dir {
        Change::Keep => {}
        Change::Set(d) => set_param(&mut params, "dir", Some(d)),
        Change::Remove => set_param(&mut params, "dir", None),
    }
    let mut out = base;
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
    }
    FlakeRef::parse(&out).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(s: &str, rf: Change, rev: Change, dir: Change) -> Result<String, String> {
        rebuild(&FlakeRef::parse(s).unwrap(), rf, rev, dir).map(|f| f.to_url())
    }

    const REV: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn uris_and_names_are_told_apart() {
        assert!(matches!(classify("github:o/r"), Ok(Typed::Uri(_))));
        assert!(matches!(classify(" path:/srv/x "), Ok(Typed::Uri(_))));
        assert!(matches!(classify("cool-pkg"), Ok(Typed::Name(_))));
        assert!(matches!(classify("flake:cool-pkg/main"), Ok(Typed::Name(_))));
        assert!(classify("github:o").is_err());
        assert!(classify("nixpkgs#hello").is_err());
    }

    #[test]
    fn branch_and_commit_apply_to_forges() {
        let s = |v: &str| Change::Set(v.into());
        assert_eq!(re("github:o/r", s("dev"), Change::Keep, Change::Keep).unwrap(), "github:o/r/dev");
        assert_eq!(re("github:o/r/main?dir=sub", s("dev"), Change::Keep, Change::Keep).unwrap(), "github:o/r/dev?dir=sub");
        assert_eq!(re("github:o/r/main", Change::Keep, s(REV), Change::Keep).unwrap(), format!("github:o/r/{REV}"));
        assert!(re(&format!("github:o/r/{REV}"), s("dev"), Change::Keep, Change::Keep).unwrap_err().contains("pinned"));
        assert_eq!(re("gitlab:o/r?host=git.example.org", s("v1"), Change::Keep, Change::Keep).unwrap(), "gitlab:o/r/v1?host=git.example.org");
    }

    #[test]
    fn branch_and_commit_apply_to_git() {
        let s = |v: &str| Change::Set(v.into());
        assert_eq!(
            re("git+https://example.org/x.git?ref=main", s("dev"), s(REV), Change::Keep).unwrap(),
            format!("git+https://example.org/x.git?ref=dev&rev={REV}")
        );
    }

    #[test]
    fn paths_and_tarballs_take_no_branch() {
        let s = |v: &str| Change::Set(v.into());
        assert!(re("path:/srv/x", s("dev"), Change::Keep, Change::Keep).is_err());
        assert!(re("https://example.org/x.tar.gz", s("dev"), Change::Keep, Change::Keep).is_err());
    }

    #[test]
    fn dir_can_be_set_and_removed() {
        assert_eq!(re("github:o/r", Change::Keep, Change::Keep, Change::Set("a/b".into())).unwrap(), "github:o/r?dir=a/b");
        assert_eq!(re("flake:x/main?dir=a", Change::Keep, Change::Keep, Change::Remove).unwrap(), "flake:x/main");
        assert_eq!(re("path:/srv/x?dir=a", Change::Keep, Change::Keep, Change::Remove).unwrap(), "path:/srv/x");
    }
}
