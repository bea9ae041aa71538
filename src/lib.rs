//! glixos core: the code the `glix` CLI and the Nix plugin share.
//!
//! Everything in this crate root builds without the `cli` feature, so the plugin
//! (`plugin/`) links the manifest model, the flake-reference parser and the module
//! planner without pulling in git, clap or an HTTP client. The Nix evaluator and
//! `glix` therefore see manifests through one implementation.

/// Reading a machine's NixOS configuration for `glix init --from` / `host add --from`.
#[cfg(feature = "cli")]
pub mod adopt;
pub mod atomic_write;
/// The closure difference between two systems (`glix switch`, `glix diff`).
#[cfg(feature = "cli")]
pub mod closure_diff;
pub mod flake;
pub mod flakeref;
pub mod ident;
pub mod manifest;
#[cfg(feature = "cli")]
pub mod nix;
/// Nix's `--log-format internal-json`: build progress and failed builds' logs.
#[cfg(feature = "cli")]
pub mod nix_log;
/// The packages of the repo's locked nixpkgs, indexed once per revision (`glix search`).
#[cfg(feature = "cli")]
pub mod nixpkgs_index;
#[cfg(feature = "cli")]
pub mod ops;
pub mod plan;
/// What a flake offers, asked of Nix at add time.
#[cfg(feature = "cli")]
pub mod probe;
#[cfg(feature = "cli")]
pub mod repo;
/// The resolver chain of `glix add` (links an HTTP client, so not part of the plugin).
#[cfg(feature = "cli")]
pub mod resolve;
#[cfg(feature = "cli")]
pub mod speedups;
#[cfg(feature = "cli")]
pub mod txn;
#[cfg(feature = "cli")]
pub mod user_cache;
