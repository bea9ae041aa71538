//! glixos core: the code the `glix` CLI and the Nix plugin share.
//!
//! Everything in this crate root builds without the `cli` feature, so the plugin
//! (`plugin/`) links the manifest model, the flake-reference parser and the module
//! planner without pulling in git, clap or an HTTP client. The Nix evaluator and
//! `glix` therefore see manifests through one implementation.

pub mod atomic_write;
pub mod flakeref;
pub mod manifest;
pub mod plan;
#[cfg(feature = "cli")]
pub mod repo;
#[cfg(feature = "cli")]
pub mod txn;
