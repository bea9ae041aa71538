//! What a flake offers, asked of Nix at `glix add` time (nix/lib/probe.nix): which
//! modules and packages it exports, and whether the attribute or output the user
//! asked for exists and is what it should be. `glix add` uses it to decide module vs
//! package and to refuse, before anything is written, an entry that could not work.

use serde::Deserialize;

use crate::flake::escape_nix_string;
use crate::nix::{Nix, NixError};

const PROBE_NIX: &str = include_str!("../nix/lib/probe.nix");

/// Where to look.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A flake reference, as `builtins.getFlake` takes it.
    Flake(&'a str),
    /// The locked `nixpkgs` input of the repo at this path.
    RepoNixpkgs(&'a std::path::Path),
}

/// What the flake exports (the names only; nothing is built).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    /// Top-level outputs other than flake plumbing (`inputs`, `outPath`, …).
    pub outputs: Vec<String>,
    pub nixos_modules: Vec<String>,
    pub home_modules: Vec<String>,
    pub home_manager_modules: Vec<String>,
    /// `packages.<system>`'s names.
    pub packages: Vec<String>,
    pub has_legacy_packages: bool,
    /// Whether the flake has an input named `nixpkgs` (that `follows` can point at
    /// the repo's).
    #[serde(default)]
    pub has_nixpkgs_input: bool,
    pub package: Option<Found<PackageInfo>>,
    pub module: Option<Found<ModuleInfo>>,
}

/// An attribute that was looked up: found (with what it is), or not (with the names
/// where the look-up stopped, for did-you-mean).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Found<T> {
    Yes(T),
    No { near: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageInfo {
    /// `packages` or `legacyPackages`.
    pub from: String,
    /// `derivation`, else Nix's type name (`set`, `lambda`, …).
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModuleInfo {
    #[serde(rename = "type")]
    pub kind: String,
}

impl Offer {
    /// The module output a flake offers for a scope, by NixOS's and home-manager's
    /// conventions: `nixosModules.default`; `homeModules.default` (the newer name) or
    /// `homeManagerModules.default`.
    pub fn default_module(&self, home: bool) -> Option<&'static str> {
        let has = |v: &[String]| v.iter().any(|n| n == "default");
        if !home {
            has(&self.nixos_modules).then_some("nixosModules.default")
        } else if has(&self.home_modules) {
            Some("homeModules.default")
        } else {
            has(&self.home_manager_modules).then_some("homeManagerModules.default")
        }
    }

    pub fn has_default_package(&self) -> bool {
        self.packages.iter().any(|n| n == "default")
    }

    /// "nixosModules.default, packages.x86_64-linux.{default, tool}" — what it offers,
    /// for messages.
    pub fn describe(&self, system: &str) -> String {
        let mut parts = Vec::new();
        let mut group = |prefix: &str, names: &[String]| {
            if !names.is_empty() {
                parts.push(format!("{prefix}.{{{}}}", names.join(", ")));
            }
        };
        group("nixosModules", &self.nixos_modules);
        group("homeModules", &self.home_modules);
        group("homeManagerModules", &self.home_manager_modules);
        group(&format!("packages.{system}"), &self.packages);
        if self.has_legacy_packages {
            parts.push(format!("legacyPackages.{system}.*"));
        }
        if parts.is_empty() {
            let outputs = if self.outputs.is_empty() { "no outputs".to_string() } else { format!("only {}", self.outputs.join(", ")) };
            return format!("no modules and no packages ({outputs})");
        }
        parts.join(", ")
    }
}

/// Ask Nix what `target` offers for `system`, and about `attr` (a package's attribute
/// path) or `output` (a module's) when given. One `nix eval`; fetches the flake as
/// `nix flake lock` would.
pub fn probe(nix: &Nix, target: Target, system: &str, attr: Option<&str>, output: Option<&str>) -> Result<Offer, NixError> {
    let s = |v: &str| format!("\"{}\"", escape_nix_string(v).unwrap_or_default());
    let path = |p: Option<&str>| match p {
        None => "null".to_string(),
        Some(p) => format!("[ {} ]", p.split('.').map(s).collect::<Vec<_>>().join(" ")),
    };
    let source = match target {
        Target::Flake(url) => format!("flake = {};", s(url)),
        Target::RepoNixpkgs(dir) => format!("repo = {};", s(&format!("git+file://{}", dir.display()))),
    };
    let expr = format!("({PROBE_NIX}) {{ {source} system = {}; attr = {}; output = {}; }}", s(system), path(attr), path(output));
    let what = match target {
        Target::Flake(url) => format!("reading what {url} offers"),
        Target::RepoNixpkgs(_) => "looking in the repo's nixpkgs".to_string(),
    };
    nix.eval_json_expr(&expr, &what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(json: &str) -> Offer {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_newer_home_modules_name_wins_over_the_older_one() {
        let o = offer(
            r#"{"outputs":[],"nixosModules":[],"homeModules":["default"],"homeManagerModules":["default"],"packages":[],"hasLegacyPackages":false,"package":null,"module":null}"#,
        );
        assert_eq!(o.default_module(true), Some("homeModules.default"));
        assert_eq!(o.default_module(false), None);
    }

    #[test]
    fn a_flake_with_neither_says_what_it_has() {
        let o = offer(
            r#"{"outputs":["lib","checks"],"nixosModules":[],"homeModules":[],"homeManagerModules":[],"packages":[],"hasLegacyPackages":false,"package":null,"module":null}"#,
        );
        assert_eq!(o.describe("x86_64-linux"), "no modules and no packages (only lib, checks)");
        let o = offer(
            r#"{"outputs":[],"nixosModules":["default"],"homeModules":[],"homeManagerModules":[],"packages":["default","tool"],"hasLegacyPackages":false,"package":{"near":["tool"]},"module":null}"#,
        );
        assert_eq!(o.describe("x86_64-linux"), "nixosModules.{default}, packages.x86_64-linux.{default, tool}");
        assert_eq!(o.package, Some(Found::No { near: vec!["tool".into()] }));
    }
}
