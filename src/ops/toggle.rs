//! `glix enable` / `glix disable`: keep a package in the manifest but switch whether
//! it reaches the system. Its input stays, so enabling it again needs no re-lock.

use super::state::{edit_package, Edited};
use super::{Context, OpError, Outcome};

/// Enabling an enabled package (or disabling a disabled one) changes nothing and says so.
pub fn set_enabled(ctx: &Context, host: Option<&str>, name: &str, enable: bool) -> Result<Outcome, OpError> {
    let verb = if enable { "enable" } else { "disable" };
    edit_package(
        ctx,
        host,
        name,
        verb,
        |h| format!("glix {verb} {h}: {name}"),
        |doc, host| {
            if doc.manifest().packages.get(name).is_some_and(|p| p.enable == enable) {
                return Ok(Edited::Already(format!("{name} is already {verb}d on {host}")));
            }
            doc.set_enable(name, enable).map(|()| Edited::Changed)
        },
    )
}
