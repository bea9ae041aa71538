//! Which Nix versions the plugin's source supports, and how it meets each one. Shared
//! by the build script (which refuses an unsupported Nix and picks the `EvalState`
//! bridge) and the plugin (which refuses, at load time, a Nix other than the one it
//! was built for, and reports the range in `glixInfo`). Plain Rust, no FFI, so that
//! `build.rs` can include it and its unit tests run without Nix.

use std::fmt;

/// The oldest and newest Nix release series the source supports (the C API calls the
/// plugin uses exist unchanged in all of them).
pub const OLDEST: Version = Version::new(2, 26, 0);
pub const NEWEST_SERIES: (u32, u32) = (2, 35);

/// A Nix version as `nix --version` and pkg-config spell it: `2.26.3`, also with a
/// suffix (`2.29.0pre20250101_abcdef`, `2.31.2+1`), which is ignored for ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch }
    }

    /// `major.minor[.patch]` followed by anything that does not start with a digit.
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.trim().splitn(3, '.');
        let num = |p: &str| -> Option<u32> {
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        };
        let major = num(parts.next()?)?;
        let minor = num(parts.next()?)?;
        let patch = match parts.next() {
            Some(p) => num(p)?,
            None => 0,
        };
        Some(Version::new(major, minor, patch))
    }

    fn series(self) -> (u32, u32) {
        (self.major, self.minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How a primop's `EvalState *` argument becomes the pointer the C API's functions
/// expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bridge {
    /// Up to 2.33: the primop receives `(EvalState *) &state`, the inner
    /// `nix::EvalState`, and the plugin steps back by the offset of the wrapper's
    /// `state` member (plugin/cpp/eval_state_offset.cc).
    InnerState,
    /// From 2.34.1 (NixOS/nix#15383): the primop receives a real wrapper; nothing to do.
    Wrapper,
}

/// The bridge for a Nix the plugin is built against, or why it cannot be built for it.
pub fn bridge(v: Version) -> Result<Bridge, String> {
    if v < OLDEST {
        return Err(format!("Nix {v} is older than {}.{}, the first Nix whose C API can register primops from a plugin", OLDEST.major, OLDEST.minor));
    }
    if v.series() > NEWEST_SERIES {
        return Err(format!(
            "Nix {v} is newer than {}.{}, the newest series glix's plugin has been checked against. \
             Before allowing it in plugin/src/nix_version.rs, check in the Nix repository that the \
             primop callback still receives the C API wrapper (nix_c_primop_wrapper in \
             src/libexpr-c/nix_api_value.cc) and that the C API calls listed in plugin/src/ffi.rs \
             are unchanged",
            NEWEST_SERIES.0, NEWEST_SERIES.1
        ));
    }
    if v == Version::new(2, 34, 0) {
        return Err("Nix 2.34.0 passes primops a pointer to a reference-holding wrapper that the plugin \
                    cannot correct (stepping back from it reads garbage; fixed in 2.34.1, \
                    NixOS/nix#15383). Build the plugin against Nix 2.34.1 or later, or against 2.33.x"
            .into());
    }
    Ok(if v.series() <= (2, 33) { Bridge::InnerState } else { Bridge::Wrapper })
}

/// The load-time guard: the plugin's C API calls and the offset it corrects by are
/// those of the exact Nix it was built for, so any other Nix — another patch release
/// included — gets no builtins. `Err` is the one warning to print.
pub fn check_running(built_for: &str, running: Option<&str>) -> Result<(), String> {
    let advice = "its builtins are not registered and lib.importManifest uses its pure-Nix fallback. \
                  Rebuild the plugin against this Nix (on NixOS, glixos.plugin.enable builds it \
                  against config.nix.package), or remove it from plugin-files";
    match running {
        Some(r) if r == built_for => Ok(()),
        Some(r) => Err(format!("glix nix plugin: built for Nix {built_for} but loaded by Nix {r}; {advice}")),
        None => Err(format!("glix nix plugin: built for Nix {built_for} but could not tell which Nix loaded it; {advice}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_and_without_suffixes() {
        assert_eq!(Version::parse("2.26.3"), Some(Version::new(2, 26, 3)));
        assert_eq!(Version::parse("2.28"), Some(Version::new(2, 28, 0)));
        assert_eq!(Version::parse("2.29.0pre20250101_abcdef"), Some(Version::new(2, 29, 0)));
        assert_eq!(Version::parse("2.31.2+1"), Some(Version::new(2, 31, 2)));
        assert_eq!(Version::parse("nix"), None);
        assert_eq!(Version::parse("2"), None);
    }

    #[test]
    fn the_bridge_is_the_offset_up_to_2_33_and_nothing_from_2_34_1() {
        for v in ["2.26.0", "2.26.3", "2.28.4", "2.32.0", "2.33.9"] {
            assert_eq!(bridge(Version::parse(v).unwrap()), Ok(Bridge::InnerState), "{v}");
        }
        for v in ["2.34.1", "2.34.8", "2.35.0", "2.35.2"] {
            assert_eq!(bridge(Version::parse(v).unwrap()), Ok(Bridge::Wrapper), "{v}");
        }
    }

    #[test]
    fn nix_2_34_0_and_versions_outside_the_range_are_refused() {
        let e = bridge(Version::new(2, 34, 0)).unwrap_err();
        assert!(e.contains("2.34.1") && e.contains("15383"), "{e}");
        assert!(bridge(Version::new(2, 25, 9)).unwrap_err().contains("older"));
        assert!(bridge(Version::new(2, 36, 0)).unwrap_err().contains("newer"));
        assert!(bridge(Version::new(3, 0, 0)).unwrap_err().contains("newer"));
    }

    #[test]
    fn only_the_exact_nix_it_was_built_for_passes_the_load_guard() {
        assert_eq!(check_running("2.26.3", Some("2.26.3")), Ok(()));
        for other in ["2.26.4", "2.28.3", "2.26.3pre", "2.26"] {
            let e = check_running("2.26.3", Some(other)).unwrap_err();
            assert!(
                e.contains("built for Nix 2.26.3") && e.contains(&format!("loaded by Nix {other};")) && e.contains("not registered") && e.contains("Rebuild"),
                "{e}"
            );
        }
        let e = check_running("2.26.3", None).unwrap_err();
        assert!(e.contains("could not tell"), "{e}");
    }
}
