//! Schema migrations, written once over a `toml_edit` table: loading applies them to
//! a copy of the parsed file (so errors still point at the user's lines), and
//! `glix migrate` applies them to the document it saves (so comments survive).
//!
//! History:
//! * schema 0 — the prototype format: a package's reference was `url`, and the input
//!   name was not recorded (it was derived every time, so renaming rules could silently
//!   change flake.nix).
//! * schema 1 — `url` is `flake`, and `input` is recorded.
//!
//! A field added with a default does not bump the schema; only a change that an older
//! glix would misread does.

use std::collections::BTreeMap;

use toml_edit::{value, Item, Table, TableLike};

use super::CURRENT_SCHEMA;
use crate::flakeref::{self, FlakeRef};

/// Upgrade `root` (a whole manifest) from schema `from` to the current schema, in place.
pub fn upgrade(root: &mut Table, from: i64) -> Result<(), String> {
    let mut at = from;
    while at < CURRENT_SCHEMA {
        match at {
            0 => v0_to_v1(root)?,
            n => return Err(format!("no migration from schema {n}")),
        }
        at += 1;
        set_schema(root, at);
    }
    Ok(())
}

/// Rewrite the `schema` value, keeping the comment that may trail it.
fn set_schema(root: &mut Table, n: i64) {
    match root.get_mut("schema").and_then(Item::as_value_mut) {
        Some(v) => {
            let decor = v.decor().clone();
            *v = n.into();
            *v.decor_mut() = decor;
        }
        None => {
            root.insert("schema", value(n));
        }
    }
}

fn v0_to_v1(root: &mut Table) -> Result<(), String> {
    let Some(packages) = root.get_mut("packages").and_then(Item::as_table_like_mut) else {
        return Ok(());
    };
    // Input names are assigned in file order, each avoiding names already taken by a
    // different flake, exactly as `glix add` would have assigned them one by one.
    let mut assigned: BTreeMap<String, String> = BTreeMap::new();
    let names: Vec<String> = packages.iter().map(|(k, _)| k.to_string()).collect();
    for name in names {
        let Some(pkg) = packages.get_mut(&name).and_then(Item::as_table_like_mut) else {
            continue; // not a table: validation reports it
        };
        if pkg.contains_key("flake") || !pkg.contains_key("url") {
            continue; // validation reports the missing reference
        }
        // A recorded input (hand-added) wins over a derived one.
        let has_input = pkg.contains_key("input");
        let flake = pkg.get("url").and_then(Item::as_str).and_then(|u| FlakeRef::parse(u).ok());
        let input = flake.as_ref().filter(|_| !has_input).map(|r| {
            let url = r.to_url();
            let name = flakeref::input_name(r, |cand| assigned.get(cand).is_some_and(|u| *u != url));
            assigned.entry(name.clone()).or_insert(url);
            name
        });
        rebuild(pkg, |key, item| {
            if key != "url" {
                return vec![(key.to_string(), item)];
            }
            let mut out = vec![("flake".to_string(), item)];
            if let Some(input) = &input {
                out.push(("input".to_string(), value(input.as_str())));
            }
            out
        });
    }
    Ok(())
}

/// Re-create a table's entries in order through `f` (which may rename, drop or add
/// entries), keeping each surviving key's comments and spacing.
fn rebuild(t: &mut dyn TableLike, mut f: impl FnMut(&str, Item) -> Vec<(String, Item)>) {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    for key in keys {
        let decor = t.key(&key).map(|k| k.leaf_decor().clone());
        let Some(item) = t.remove(&key) else { continue };
        for (i, (new_key, new_item)) in f(&key, item).into_iter().enumerate() {
            t.insert(&new_key, new_item);
            if i == 0 {
                if let (Some(d), Some(mut k)) = (decor.clone(), t.key_mut(&new_key)) {
                    *k.leaf_decor_mut() = d;
                }
            }
        }
    }
}
