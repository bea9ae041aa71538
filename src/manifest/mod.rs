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
//! target-host = "root@desk.lan" # optional: [user@]host[:port]
//! tags = ["desk", "eu"]         # optional: names (ident::is_valid_name), each once
//! build-on-target = false       # optional, default false
//!
//! [packages.cool-pkg]
//! flake = "github:owner/cool-pkg"   # resolved flake reference (never indirect)
//! input = "cool-pkg"                # flake input it is reached through (default: derived from `flake`)
//! scope = "home"                    # "system" (default) | "home"
//! user = "alice"                    # home scope only; default: host default-user
//! source = "uri"                    # "uri" (default) | "registry" | "nix-registry"
//! output = "homeManagerModules.default"  # default by scope
//! enable = true                     # default true
//! [packages.cool-pkg.config]        # string → string, handed to the module as glixConfig
//! theme = "dark"
//!
//! [packages.ripgrep]                # a package of the host's own nixpkgs (its `pkgs`)
//! kind = "package"                  # "module" (default) | "package"
//! attr = "ripgrep"                  # attribute path, e.g. "python3Packages.requests"
//!
//! [packages.tool]                   # a package from a flake
//! kind = "package"
//! flake = "github:owner/tool"
//! input = "tool"
//! attr = "default"                  # packages.<system>.<attr>, else legacyPackages.<system>.<attr>
//! follow-nixpkgs = true             # default true for packages, false for modules
//! ```
//!
//! Package entries were added to schema 1 without a bump (as `target-host`, `tags` and
//! `build-on-target` were): a file without them means what it meant before, and a
//! glixos-core older than them refuses a package entry ("missing `flake`") rather than
//! misreading it.
//!
//! Keys this version does not know are kept in the file and ignored.

pub mod edit;
mod error;
pub mod load;
pub mod migrate;
mod model;
mod revert;
pub mod save;
mod text_style;

pub use edit::ManifestDoc;
pub use error::{ErrorKind, Location, ManifestError};
pub use load::load_str;
pub use model::{HostSettings, Kind, Manifest, Package, Scope, Source};
pub use revert::{revert, Overlap};

/// The schema this version writes.
pub const CURRENT_SCHEMA: i64 = 1;
/// The oldest schema this version can migrate from.
pub const OLDEST_SCHEMA: i64 = 0;
