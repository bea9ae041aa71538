//! Format-preserving edits, in the manner of `cargo add`: existing keys are updated in
//! place, new entries are appended, and everything a person wrote (comments, key
//! order, blank lines, unknown keys) survives. Every edit re-validates the result, so
//! an edit can never produce a manifest that `load` would reject.

use toml_edit::{value, DocumentMut, Item, Table};

use super::error::{ErrorKind, ManifestError};
use super::load::{self, load_str};
use super::model::{Manifest, Package};
use super::text_style::{without_bom, TextStyle};
use super::{migrate, CURRENT_SCHEMA};

/// An editable manifest: the document as the user wrote it plus its validated model,
/// and the document's text.
#[derive(Debug, Clone)]
pub struct ManifestDoc {
    doc: DocumentMut,
    origin: String,
    manifest: Manifest,
    /// Exactly the file's bytes (its BOM and line endings included).
    text: String,
    style: TextStyle,
}

/// Why an edit was refused. What to do about it is the CLI's `hint:` line
/// (`glix::ops::OpError::hint`), not part of the message.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Invalid(#[from] ManifestError),
    #[error("{origin} is at schema {found}, and glix edits only schema {CURRENT_SCHEMA}")]
    OldSchema { origin: String, found: i64 },
    #[error("package '{0}' is already in this manifest")]
    Duplicate(String),
    /// The name, and the manifest's nearest name (for "did you mean").
    #[error("no package named '{0}' in this manifest")]
    NoSuchPackage(String, Option<String>),
    #[error("package '{0}' has no config key '{1}'")]
    NoSuchKey(String, String),
}

impl EditError {
    /// A stable, machine-readable name of what went wrong (the `kind` of glix's
    /// `--json` errors).
    pub fn kind(&self) -> &'static str {
        match self {
            EditError::Invalid(m) => m.kind.as_str(),
            EditError::OldSchema { .. } => "old-schema",
            EditError::Duplicate(_) => "name-taken",
            EditError::NoSuchPackage(..) => "no-such-package",
            EditError::NoSuchKey(..) => "no-such-config-key",
        }
    }

    /// What to do next (the CLI's `hint:` line). A manifest error's message already
    /// says what is expected at its line.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            EditError::Invalid(_) => return None,
            EditError::OldSchema { .. } => format!("run `glix migrate` to upgrade it to schema {CURRENT_SCHEMA}"),
            EditError::Duplicate(_) => "choose another name with --name".into(),
            EditError::NoSuchPackage(_, Some(near)) => format!("did you mean '{near}'? (`glix list` shows the packages)"),
            EditError::NoSuchPackage(_, None) => "`glix list` shows the packages".into(),
            EditError::NoSuchKey(name, _) => format!("`glix show {name}` shows its config"),
        })
    }
}

impl ManifestDoc {
    /// Parse and validate `text`. Editing needs a file at the current schema.
    pub fn parse(text: &str, origin: &str) -> Result<ManifestDoc, EditError> {
        // One parse serves both the model (read with spans, for errors) and the
        // editable document.
        let body = without_bom(text);
        let parsed = load::parse(body, origin)?;
        let manifest = load::load_table(parsed.as_table(), body, origin)?;
        require_current(&manifest, origin)?;
        Ok(ManifestDoc::from_parts(parsed.into_mut(), text, origin, manifest))
    }

    /// [`ManifestDoc::parse`] for text whose model glix validated before (kept by
    /// content in glix's cache): the document is parsed for editing, not validated
    /// again. (Debug and release builds take the same path: tests/summary_cache.rs
    /// compares what glix does with the cache and without it.)
    pub fn with_model(text: &str, origin: &str, manifest: Manifest) -> Result<ManifestDoc, EditError> {
        require_current(&manifest, origin)?;
        let parsed = load::parse(without_bom(text), origin)?;
        Ok(ManifestDoc::from_parts(parsed.into_mut(), text, origin, manifest))
    }

    /// The document `doc`, parsed from `text`, with its validated `manifest`.
    fn from_parts(doc: DocumentMut, text: &str, origin: &str, manifest: Manifest) -> ManifestDoc {
        ManifestDoc { doc, origin: origin.to_string(), manifest, text: text.to_string(), style: TextStyle::of(text) }
    }

    /// A new manifest, as `glix init` and `glix host add` write it.
    pub fn new_host(default_user: Option<&str>, system: Option<&str>, origin: &str) -> Result<ManifestDoc, EditError> {
        let mut text = format!(
            "# Packages of this host, managed by `glix` (glix add / remove / config ...).\n\
             # You may edit this file by hand; glix keeps your comments and layout.\n\
             schema = {CURRENT_SCHEMA}\n\n[host]\n"
        );
        if let Some(u) = default_user {
            text.push_str(&format!("default-user = {}\n", value(u)));
        }
        if let Some(s) = system {
            text.push_str(&format!("system = {}\n", value(s)));
        }
        ManifestDoc::parse(&text, origin)
    }

    /// Upgrade an older file to the current schema, keeping its comments. Returns
    /// `None` when it is already current.
    pub fn migrate(text: &str, origin: &str) -> Result<Option<ManifestDoc>, EditError> {
        // As in `parse`, one parse serves the check and the document that is upgraded.
        let body = without_bom(text);
        let parsed = load::parse(body, origin)?;
        let manifest = load::load_table(parsed.as_table(), body, origin)?;
        if require_current(&manifest, origin).is_ok() {
            return Ok(None);
        }
        let mut doc = parsed.into_mut();
        migrate::upgrade(doc.as_table_mut(), manifest.file_schema).map_err(|m| ManifestError::new(ErrorKind::Schema, origin, text, None, m))?;
        let out = TextStyle::of(text).apply(doc.to_string());
        Ok(Some(ManifestDoc::parse(&out, origin)?))
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// Append a package as a new `[packages.<name>]` table. Fields equal to their
    /// default are left out, so the file stays short.
    pub fn add_package(&mut self, p: &Package) -> Result<(), EditError> {
        if self.manifest.packages.contains_key(&p.name) {
            return Err(EditError::Duplicate(p.name.clone()));
        }
        let mut t = Table::new();
        let package = p.kind == super::Kind::Package;
        if package {
            t.insert("kind", value(p.kind.as_str()));
        }
        if let Some((input, flake)) = p.flake_input() {
            t.insert("flake", value(flake));
            t.insert("input", value(input));
        }
        if let Some(attr) = &p.attr {
            t.insert("attr", value(attr));
        }
        t.insert("scope", value(p.scope.as_str()));
        if p.scope == super::Scope::Home {
            if let Some(u) = p.user.as_deref().filter(|u| Some(*u) != self.manifest.host.default_user.as_deref()) {
                t.insert("user", value(u));
            }
        }
        t.insert("source", value(p.source.as_str()));
        if let Some(o) = p.output.as_deref().filter(|o| *o != p.scope.default_output()) {
            t.insert("output", value(o));
        }
        // Written when it differs from the default, which depends on the kind.
        if p.flake.is_some() && p.follow_nixpkgs != package {
            t.insert("follow-nixpkgs", value(p.follow_nixpkgs));
        }
        if !p.enable {
            t.insert("enable", value(false));
        }
        if !p.config.is_empty() {
            let mut c = Table::new();
            for (k, v) in &p.config {
                c.insert(k, value(v));
            }
            t.insert("config", Item::Table(c));
        }
        self.edit(&p.name, |root| {
            let packages = root.entry("packages").or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true); // no bare `[packages]` header
                Item::Table(t)
            });
            if let Some(pk) = packages.as_table_like_mut() {
                pk.insert(&p.name, Item::Table(t));
            }
        })
    }

    pub fn remove_package(&mut self, name: &str) -> Result<Package, EditError> {
        let p = self.package(name)?.clone();
        self.edit(name, |root| {
            if let Some(pk) = root.get_mut("packages").and_then(Item::as_table_like_mut) {
                pk.remove(name);
            }
        })?;
        Ok(p)
    }

    /// Rename a package: its table (comments, fields, config) keeps its place in the
    /// file under the new name.
    pub fn rename_package(&mut self, old: &str, new: &str) -> Result<(), EditError> {
        self.package(old)?;
        if self.manifest.packages.contains_key(new) {
            return Err(EditError::Duplicate(new.to_string()));
        }
        let before = (self.doc.clone(), self.manifest.clone(), self.text.clone());
        // Taken out and put back under the new key: a `[packages.x]` table keeps its
        // place in the file (tables print by their position, not their key).
        let renamed = |k: toml_edit::Key| {
            let mut n = toml_edit::Key::new(new);
            *n.leaf_decor_mut() = k.leaf_decor().clone();
            *n.dotted_decor_mut() = k.dotted_decor().clone();
            n
        };
        match self.doc.as_table_mut().get_mut("packages") {
            Some(Item::Table(pk)) => {
                if let Some((k, item)) = pk.remove_entry(old) {
                    pk.insert_formatted(&renamed(k), item);
                }
            }
            Some(Item::Value(toml_edit::Value::InlineTable(pk))) => {
                if let Some((k, v)) = pk.remove_entry(old) {
                    pk.insert_formatted(&renamed(k), v);
                }
            }
            _ => {}
        }
        // Both names are read again: the old one is gone, the new one must be valid.
        let root = self.doc.as_table();
        let reread =
            load::reload_package(root, &mut self.manifest, old, &self.origin).and_then(|()| load::reload_package(root, &mut self.manifest, new, &self.origin));
        if let Err(e) = reread {
            (self.doc, self.manifest, self.text) = before;
            return Err(e.into());
        }
        self.text = self.style.apply(self.doc.to_string());
        debug_assert_eq!(load_str(&self.text, &self.origin).ok().as_ref(), Some(&self.manifest));
        Ok(())
    }

    /// Set (or add) a top-level field of a package, keeping its position and comments.
    pub fn set_field(&mut self, name: &str, key: &str, v: toml_edit::Value) -> Result<(), EditError> {
        self.package(name)?;
        self.edit(name, |root| {
            if let Some(t) = package_table(root, name) {
                set_value(t, key, v);
            }
        })
    }

    /// Disabling writes `enable = false`; enabling removes that line (true is the
    /// default), so enable after disable gives back the file as it was.
    pub fn set_enable(&mut self, name: &str, enable: bool) -> Result<(), EditError> {
        if !enable {
            return self.set_field(name, "enable", false.into());
        }
        self.package(name)?;
        self.edit(name, |root| {
            if let Some(t) = package_table(root, name) {
                t.remove("enable");
            }
        })
    }

    pub fn set_config(&mut self, name: &str, pairs: &[(String, String)]) -> Result<(), EditError> {
        self.package(name)?;
        self.edit(name, |root| {
            if let Some(t) = package_table(root, name) {
                let c = t.entry("config").or_insert_with(|| Item::Table(Table::new()));
                if let Some(c) = c.as_table_like_mut() {
                    for (k, v) in pairs {
                        set_value(c, k, v.as_str().into());
                    }
                }
            }
        })
    }

    /// Remove config keys; an emptied `config` table is removed too.
    pub fn unset_config(&mut self, name: &str, keys: &[String]) -> Result<(), EditError> {
        self.package(name)?;
        self.edit(name, |root| {
            if let Some(t) = package_table(root, name) {
                let now_empty = match t.get_mut("config").and_then(Item::as_table_like_mut) {
                    Some(c) => {
                        keys.iter().for_each(|k| {
                            c.remove(k);
                        });
                        c.is_empty()
                    }
                    None => false,
                };
                if now_empty {
                    t.remove("config");
                }
            }
        })
    }

    /// Set (`Some`) or remove (`None`) keys of `[host]`, keeping everything else as it
    /// is (a value set in place keeps its comment; a new key goes at the end of the
    /// table, which is created when the file has none). The whole result is validated,
    /// as loading the file would; a refused edit leaves the document as it was.
    pub fn set_host_values(&mut self, changes: &[(&str, Option<toml_edit::Value>)]) -> Result<(), EditError> {
        let before = self.doc.clone();
        let root = self.doc.as_table_mut();
        let host = root.entry("host").or_insert_with(|| Item::Table(Table::new()));
        if let Some(t) = host.as_table_like_mut() {
            for (key, v) in changes {
                match v {
                    Some(v) => set_value(t, key, v.clone()),
                    None => {
                        t.remove(key);
                    }
                }
            }
        }
        let text = self.style.apply(self.doc.to_string());
        match load_str(&text, &self.origin) {
            Ok(m) => {
                self.manifest = m;
                self.text = text;
                Ok(())
            }
            Err(e) => {
                self.doc = before;
                Err(e.into())
            }
        }
    }

    fn package(&self, name: &str) -> Result<&Package, EditError> {
        self.manifest.packages.get(name).ok_or_else(|| {
            EditError::NoSuchPackage(name.to_string(), crate::ident::closest(name, self.manifest.packages.keys().map(String::as_str)).map(str::to_string))
        })
    }

    /// Apply `f`, an edit of package `name` only, validate the result, and keep it only
    /// if it is valid; a refused edit leaves the document as it was.
    ///
    /// Only the edited package is read again (with the same rules as loading a file,
    /// including those between packages), from the edited table rather than its text:
    /// on 1 000 packages an edit then costs a fraction of a parse. Only a refused edit
    /// renders and re-parses the whole text, so its error points at a line.
    fn edit(&mut self, name: &str, f: impl FnOnce(&mut Table)) -> Result<(), EditError> {
        f(self.doc.as_table_mut());
        match load::reload_package(self.doc.as_table(), &mut self.manifest, name, &self.origin) {
            Ok(()) => {
                self.text = self.style.apply(self.doc.to_string());
                // The text reads back as the same manifest, as a whole load sees it;
                // the tests (debug builds) hold every edit to that.
                debug_assert_eq!(load_str(&self.text, &self.origin).ok().as_ref(), Some(&self.manifest));
                Ok(())
            }
            Err(table_err) => {
                let err = load_str(&self.doc.to_string(), &self.origin).err().unwrap_or(table_err);
                // The text parsed before, so it parses again.
                if let Ok(doc) = load::parse(without_bom(&self.text), &self.origin) {
                    self.doc = doc.into_mut();
                }
                Err(err.into())
            }
        }
    }
}

/// Editing needs a file at the current schema: [`EditError::OldSchema`] for any other.
fn require_current(manifest: &Manifest, origin: &str) -> Result<(), EditError> {
    if manifest.file_schema == CURRENT_SCHEMA {
        Ok(())
    } else {
        Err(EditError::OldSchema { origin: origin.to_string(), found: manifest.file_schema })
    }
}

fn package_table<'a>(root: &'a mut Table, name: &str) -> Option<&'a mut dyn toml_edit::TableLike> {
    root.get_mut("packages")?.as_table_like_mut()?.get_mut(name)?.as_table_like_mut()
}

/// Replace a value in place (keeping the comment after it), or append it.
fn set_value(t: &mut dyn toml_edit::TableLike, key: &str, mut v: toml_edit::Value) {
    match t.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *v.decor_mut() = old.decor().clone();
            *old = v;
        }
        None => {
            t.insert(key, Item::Value(v));
        }
    }
}
