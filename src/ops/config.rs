//! `glix config set` / `unset`: the string → string table a package's module receives
//! as `glixConfig`.

use super::state::{edit_package, Edited};
use super::{Context, OpError, Outcome, Refusal};

/// A config key is never empty (`config set cool '=v'`).
pub fn check_keys(pairs: &[(String, String)]) -> Result<(), OpError> {
    match pairs.iter().find(|(k, _)| k.is_empty()) {
        Some((_, v)) => Err(Refusal::EmptyConfigKey(format!("={v}")).into()),
        None => Ok(()),
    }
}

/// Setting every key to the value it already has changes nothing and says so.
pub fn config_set(ctx: &Context, host: Option<&str>, name: &str, pairs: &[(String, String)]) -> Result<Outcome, OpError> {
    check_keys(pairs)?;
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let what = format!("set {}", keys.join(", "));
    edit_package(
        ctx,
        host,
        name,
        "config-set",
        |h| format!("glix config {h}: {name}: {what}"),
        |doc, host| {
            if let Some(p) = doc.manifest().packages.get(name) {
                if pairs.iter().all(|(k, v)| p.config.get(k) == Some(v)) {
                    let said: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    return Ok(Edited::Already(format!("{name}'s config on {host} already says {}", said.join(" "))));
                }
            }
            doc.set_config(name, pairs).map(|()| Edited::Changed)
        },
    )
}

pub fn config_unset(ctx: &Context, host: Option<&str>, name: &str, keys: &[String]) -> Result<Outcome, OpError> {
    let what = format!("unset {}", keys.join(", "));
    edit_package(
        ctx,
        host,
        name,
        "config-unset",
        |h| format!("glix config {h}: {name}: {what}"),
        |doc, _| {
            if let Some(p) = doc.manifest().packages.get(name) {
                if let Some(missing) = keys.iter().find(|k| !p.config.contains_key(*k)) {
                    return Err(crate::manifest::edit::EditError::NoSuchKey(name.to_string(), missing.clone()));
                }
            }
            doc.unset_config(name, keys).map(|()| Edited::Changed)
        },
    )
}
