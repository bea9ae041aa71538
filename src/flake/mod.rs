//! The anchored regions of the user's `flake.nix`: the only part of that file glix writes.
//!
//! `flake.nix` belongs to the user except for two regions, each between a begin and an
//! end marker line:
//!
//! ```nix
//!   inputs = {
//!     nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
//!     # >>> glix-managed inputs >>>
//!     cool-pkg.url = "github:owner/cool-pkg";
//!     # <<< glix-managed inputs <<<
//!   };
//!   ...
//!       nixosConfigurations = {
//!         # >>> glix-managed hosts >>>
//!         laptop = mkHost "laptop" "x86_64-linux";
//!         # <<< glix-managed hosts <<<
//!       };
//! ```
//!
//! * `markers` finds the marker lines ([`locate`]) and refuses anything ambiguous:
//!   a marker missing, duplicated, out of order, or regions that overlap.
//! * `render`  the text between the markers ([`render_region`]): a pure function of
//!   [`Desired`] (sorted by name), with names validated and strings escaped, so it is
//!   valid Nix for every input it accepts.
//! * `patch`   splices the rendered regions into the file ([`patch()`]); every byte
//!   outside the region bodies, the marker lines included, is copied unchanged.
//!
//! A marker line is the exact marker text with any indentation (spaces or tabs, so that
//! formatters such as nixfmt may re-indent it) and optional trailing whitespace, and
//! nothing else. A line that merely contains the text (inside a string, after code,
//! followed by more words) is not a marker. The generated lines take the begin marker's
//! indentation and the begin marker line's line ending (`\n` or `\r\n`).
//!
//! Everything here is one pass over the file and one pass over [`Desired`]: patching is
//! linear in the size of the file plus the number of inputs and hosts.

mod error;
pub mod fleet;
mod markers;
mod patch;
mod render;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use error::{PatchError, Which};
pub use fleet::{Engine, Fleet};
pub use markers::{locate, Located, RegionSpan};
pub use patch::{differing_regions, patch, patch_ref, regions_match};
pub use render::{escape_nix_string, render_region, validate_name};

/// One of the anchored regions of `flake.nix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// Flake inputs, inside `inputs = { … };`: `<name>.url = "<url>";`, and for an
    /// input that follows the repo's nixpkgs `<name>.inputs.nixpkgs.follows = "nixpkgs";`.
    Inputs,
    /// NixOS systems, inside `nixosConfigurations = { … };`:
    /// `<host> = mkHost "<host>" "<system>";`.
    Hosts,
    /// The fleet deployment engine, at the top level of `outputs`' attribute set
    /// ([`fleet`]). Optional: a flake.nix without its markers has no fleet.
    Fleet,
}

/// The inputs region.
pub const INPUTS: Region = Region::Inputs;
/// The hosts region.
pub const HOSTS: Region = Region::Hosts;

impl Region {
    /// The two regions every glix flake.nix has, in the order errors are reported.
    pub const ALL: [Region; 2] = [Region::Inputs, Region::Hosts];

    /// The word that names the region in its markers.
    pub fn name(self) -> &'static str {
        match self {
            Region::Inputs => "inputs",
            Region::Hosts => "hosts",
            Region::Fleet => "fleet",
        }
    }

    /// The begin marker's text (without indentation or line ending).
    pub fn begin(self) -> &'static str {
        match self {
            Region::Inputs => "# >>> glix-managed inputs >>>",
            Region::Hosts => "# >>> glix-managed hosts >>>",
            Region::Fleet => "# >>> glix-managed fleet >>>",
        }
    }

    /// The end marker's text (without indentation or line ending).
    pub fn end(self) -> &'static str {
        match self {
            Region::Inputs => "# <<< glix-managed inputs <<<",
            Region::Hosts => "# <<< glix-managed hosts <<<",
            Region::Fleet => "# <<< glix-managed fleet <<<",
        }
    }

    /// The marker text for one end of the region.
    pub fn marker(self, which: Which) -> &'static str {
        match which {
            Which::Begin => self.begin(),
            Which::End => self.end(),
        }
    }

    /// Where in `flake.nix` the region belongs, for error messages.
    pub fn home(self) -> &'static str {
        match self {
            Region::Inputs => "inside `inputs = { … };`",
            Region::Hosts => "inside `nixosConfigurations = { … };` in `outputs`",
            Region::Fleet => "at the top level of the attribute set `outputs` returns (after `nixosConfigurations = { … };`)",
        }
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the regions should say: gathered from all hosts' manifests.
///
/// Both maps are sorted by name (`BTreeMap`), which is what makes the regions a pure,
/// deterministic function of the manifests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// Flake input name → flake reference URL.
    pub inputs: BTreeMap<String, String>,
    /// Host name → Nix system (`x86_64-linux`).
    pub hosts: BTreeMap<String, String>,
    /// The inputs whose own `nixpkgs` follows the repo's
    /// (`<input>.inputs.nixpkgs.follows = "nixpkgs";`).
    pub follows: std::collections::BTreeSet<String>,
    /// The fleet engine the fleet region names (its input is one of `inputs`).
    pub fleet: Option<Engine>,
}

/// [`Desired`], borrowed from wherever the names and strings already live: what the
/// renderer reads. Each list is sorted by name with no name twice, as a `BTreeMap`
/// would have it. Gathering 20 hosts × 1 000 packages this way makes two vectors
/// instead of 40 000 strings and a map of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DesiredRef<'a> {
    /// (flake input name, flake reference URL)
    pub inputs: Vec<(&'a str, &'a str)>,
    /// (host name, Nix system)
    pub hosts: Vec<(&'a str, &'a str)>,
    /// Inputs that follow the repo's nixpkgs, sorted, each once.
    pub follows: Vec<&'a str>,
    /// The fleet engine the fleet region names (its input is one of `inputs`).
    pub fleet: Option<Engine>,
}

impl Desired {
    pub fn as_ref(&self) -> DesiredRef<'_> {
        fn pairs(m: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
            m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
        }
        DesiredRef { inputs: pairs(&self.inputs), hosts: pairs(&self.hosts), follows: self.follows.iter().map(String::as_str).collect(), fleet: self.fleet }
    }
}
