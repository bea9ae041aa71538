//! `glix enable` / `glix disable`: keep a package in the manifest but switch whether
//! it reaches the system. Its input stays, so enabling it again needs no re-lock.

use super::state::edit_package;
use super::{Context, OpError, Outcome};

pub fn set_enabled(ctx: &Context, host: Option<&str>, name: &str, enable: bool) -> Result<Outcome, OpError> {
    let verb = if enable { "enable" } else { "disable" };
    edit_package(ctx, host, name, verb, |h| format!("glix {verb} {h}: {name}"), |doc| doc.set_enable(name, enable))
}
