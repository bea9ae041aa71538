//! The per-host manifest, `hosts/<host>/glix.toml`.
//!
//! * [`model`]   the normalized model (what `glix` and the Nix plugin both see)
//! * [`load`]    text → parse → migrate → validate → [`Manifest`], errors with line/column
//! * [`migrate`] schema upgrades, written once over `toml_edit` tables so that loading
//!   and `glix migrate` (which saves the upgraded file, comments intact) share them
//! * [`edit`]    format-preserving edits in the style of `cargo add`
//! * [`save`]    atomic replacement of the file on disk
//!
//! File format (schema 1):
//!
//! ```toml
//! schema = 1
//!
//! [host]
//! default-user = "alice"        # optional
//! system = "x86_64-linux"       # optional
//!
//! [packages.cool-pkg]
//! flake = "github:owner/cool-pkg"   # resolved flake reference (never indirect)
//! input = "cool-pkg"                # flake input it is reached through
//! scope = "home"                    # "system" (default) | "home"
//! user = "alice"                    # home scope only; default: host default-user
//! source = "uri"                    # "uri" (default) | "registry" | "nix-registry"
//! output = "homeManagerModules.default"  # default by scope
//! enable = true                     # default true
//! [packages.cool-pkg.config]        # string → string, handed to the module as glixConfig
//! theme = "dark"
//! ```
//!
//! Keys this version does not know are kept in the file and ignored.

pub mod edit;
mod error;
pub mod load;
pub mod migrate;
mod model;
pub mod save;

pub use edit::ManifestDoc;
pub use error::{ErrorKind, Location, ManifestError};
pub use load::load_str;
pub use model::{HostSettings, Manifest, Package, Scope, Source};

/// The schema this version writes.
pub const CURRENT_SCHEMA: i64 = 1;
/// The oldest schema this version can migrate from.
pub const OLDEST_SCHEMA: i64 = 0;
