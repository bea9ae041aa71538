//! Reverting one change to a manifest when later changes (made outside glix) touched
//! the same file: entry by entry, not file by file. `glix undo` of operation T puts
//! back what T changed — each package T added, removed or edited, and `[host]` or
//! `schema` if T changed them — onto the file as it is now, and refuses only when a
//! later change touched one of those same entries.

use toml_edit::{DocumentMut, Item};

use super::load::load_str;
use super::text_style::{without_bom, TextStyle};
use super::Manifest;

/// What a later change touched that the revert would have to undo too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlap {
    /// `[packages.<name>]`.
    Package(String),
    /// `[host]` or `schema`.
    Key(&'static str),
    /// One of the three texts is not a valid manifest, or not TOML: no entry-wise
    /// revert is possible.
    Unreadable(String),
}

/// `now` with the change from `before` to `after` taken back, entry by entry; the
/// entries the change did not touch stay as they are in `now` (comments and all).
pub fn revert(before: &str, after: &str, now: &str, origin: &str) -> Result<String, Overlap> {
    let model = |t: &str| load_str(t, origin).map_err(|e| Overlap::Unreadable(e.to_string()));
    let (b, a, n) = (model(before)?, model(after)?, model(now)?);
    let changed = changed_entries(&b, &a);
    let later = changed_entries(&a, &n);
    if let Some(o) = changed.iter().find(|e| later.contains(e)) {
        return Err(o.clone());
    }
    let parse = |t: &str| t.parse::<DocumentMut>().map_err(|e| Overlap::Unreadable(e.to_string()));
    let old = parse(without_bom(before))?;
    let mut doc = parse(without_bom(now))?;
    for entry in &changed {
        match entry {
            Overlap::Package(name) => {
                let from = old.get("packages").and_then(Item::as_table_like).and_then(|t| t.get(name)).cloned();
                if doc.get("packages").is_none() {
                    let mut t = toml_edit::Table::new();
                    t.set_implicit(true);
                    doc.insert("packages", Item::Table(t));
                }
                let packages =
                    doc.get_mut("packages").and_then(Item::as_table_like_mut).ok_or_else(|| Overlap::Unreadable("`packages` is not a table".into()))?;
                match from {
                    Some(item) => {
                        packages.insert(name, item);
                    }
                    None => {
                        packages.remove(name);
                    }
                }
            }
            Overlap::Key(key) => match old.get(key).cloned() {
                Some(item) => {
                    doc.insert(key, item);
                }
                None => {
                    doc.remove(key);
                }
            },
            Overlap::Unreadable(_) => {}
        }
    }
    let text = TextStyle::of(now).apply(doc.to_string());
    // What comes out must be a manifest (it is checked again where it is written).
    model(&text)?;
    Ok(text)
}

/// The entries that differ between two manifests, by meaning (a comment is not a change).
fn changed_entries(x: &Manifest, y: &Manifest) -> Vec<Overlap> {
    let mut out = Vec::new();
    if x.file_schema != y.file_schema {
        out.push(Overlap::Key("schema"));
    }
    if x.host != y.host {
        out.push(Overlap::Key("host"));
    }
    let names: std::collections::BTreeSet<&String> = x.packages.keys().chain(y.packages.keys()).collect();
    out.extend(names.into_iter().filter(|n| x.packages.get(*n) != y.packages.get(*n)).map(|n| Overlap::Package(n.clone())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "schema = 1\n[host]\ndefault-user = \"alice\"\n\n[packages.web]\nflake = \"github:o/web\"\ninput = \"web\"\n";

    #[test]
    fn a_change_is_taken_back_around_a_later_one_to_another_entry() {
        // T added `db`; later, by hand, `web` got a config and a comment.
        let after = format!("{BEFORE}\n[packages.db]\nflake = \"github:o/db\"\ninput = \"db\"\n");
        let now = after.replace("input = \"web\"\n", "input = \"web\"\n# mine\nconfig = { port = \"80\" }\n");
        let out = revert(BEFORE, &after, &now, "m").unwrap();
        assert!(!out.contains("packages.db") && out.contains("# mine") && out.contains("port = \"80\""), "{out}");
    }

    #[test]
    fn a_later_change_to_the_same_entry_is_an_overlap() {
        let after = BEFORE.replace("input = \"web\"\n", "input = \"web\"\nenable = false\n");
        let now = after.replace("enable = false", "enable = false\nconfig = { a = \"b\" }");
        assert_eq!(revert(BEFORE, &after, &now, "m"), Err(Overlap::Package("web".into())));
    }
}
