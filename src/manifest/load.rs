//! Loading: text → TOML (with spans) → migrate to the current schema → validate →
//! normalized [`Manifest`]. Every error names the line and column it is about.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Item, Table, TableLike, Value};

use super::error::{ErrorKind, ManifestError};
use super::model::{HostSettings, Kind, Manifest, Package, Scope, Source};
use super::{migrate, CURRENT_SCHEMA, OLDEST_SCHEMA};
use crate::flakeref::FlakeRef;
use crate::ident;

/// Load a manifest from its text. `origin` names it in errors (a path, or `<string>`).
pub fn load_str(text: &str, origin: &str) -> Result<Manifest, ManifestError> {
    let text = super::text_style::without_bom(text);
    load_table(parse(text, origin)?.as_table(), text, origin)
}

/// Parse TOML, keeping spans (for errors that point into `text`).
pub(super) fn parse<'t>(text: &'t str, origin: &str) -> Result<toml_edit::Document<&'t str>, ManifestError> {
    toml_edit::Document::parse(text).map_err(|e| {
        let msg = e.message().trim_end().to_string();
        ManifestError::new(ErrorKind::Syntax, origin, text, e.span(), format!("invalid TOML: {msg}"))
    })
}

/// The manifest a parsed table says. Errors point into `text` through the table's
/// spans; a table without spans (one being edited) gives errors without a position.
pub(super) fn load_table(parsed: &Table, text: &str, origin: &str) -> Result<Manifest, ManifestError> {
    let cx = Cx { text, origin };
    check_nix_representable(&cx, parsed)?;
    let file_schema = read_schema(&cx, parsed)?;
    // An older file is migrated on a clone of the parsed table: the clone keeps its
    // spans, so errors still point into the user's file. A current one is read as it is.
    let root = if file_schema < CURRENT_SCHEMA {
        let mut root = parsed.clone();
        migrate::upgrade(&mut root, file_schema).map_err(|m| cx.err(ErrorKind::Schema, root.get("schema").and_then(Item::span), m))?;
        std::borrow::Cow::Owned(root)
    } else {
        std::borrow::Cow::Borrowed(parsed)
    };
    let mut manifest = read_manifest(&cx, &root)?;
    manifest.file_schema = file_schema;
    Ok(manifest)
}

struct Cx<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Cx<'_> {
    fn err(&self, kind: ErrorKind, span: Option<Range<usize>>, msg: impl Into<String>) -> ManifestError {
        ManifestError::new(kind, self.origin, self.text, span, msg)
    }
    fn invalid(&self, span: Option<Range<usize>>, msg: impl Into<String>) -> ManifestError {
        self.err(ErrorKind::Invalid, span, msg)
    }
}

/// Refuse what Nix cannot represent, everywhere (unknown keys included), so that the
/// plugin, the pure-Nix fallback and glix accept the same files: Nix's
/// `builtins.fromTOML` cannot read TOML dates and times, and Nix strings cannot hold
/// NUL characters.
fn check_nix_representable(cx: &Cx, table: &dyn TableLike) -> Result<(), ManifestError> {
    for (key, item) in table.iter() {
        let span = || item.span().or_else(|| table.key(key).and_then(|k| k.span()));
        if key.contains('\0') {
            return Err(cx.invalid(table.key(key).and_then(|k| k.span()), "a key contains a NUL character, which Nix cannot represent"));
        }
        match item {
            Item::Value(v) => check_value(cx, key, v, span())?,
            Item::Table(t) => check_nix_representable(cx, t)?,
            Item::ArrayOfTables(a) => a.iter().try_for_each(|t| check_nix_representable(cx, t))?,
            Item::None => {}
        }
    }
    Ok(())
}

fn check_value(cx: &Cx, key: &str, v: &Value, span: Option<Range<usize>>) -> Result<(), ManifestError> {
    match v {
        Value::Datetime(_) => Err(cx.invalid(
            v.span().or(span),
            format!("`{key}`: TOML dates and times are not supported in glix.toml (Nix cannot read them); write the value as a string"),
        )),
        Value::String(s) if s.value().contains('\0') => {
            Err(cx.invalid(v.span().or(span), format!("`{key}`: the string contains a NUL character, which Nix cannot represent")))
        }
        Value::Array(a) => a.iter().try_for_each(|x| check_value(cx, key, x, span.clone())),
        Value::InlineTable(t) => check_nix_representable(cx, t),
        _ => Ok(()),
    }
}

fn read_schema(cx: &Cx, root: &Table) -> Result<i64, ManifestError> {
    let Some(item) = root.get("schema") else {
        return Err(cx.err(ErrorKind::Schema, Some(0..0), format!("missing `schema = {CURRENT_SCHEMA}` at the top of the manifest")));
    };
    let Some(n) = item.as_integer() else {
        return Err(cx.err(ErrorKind::Schema, item.span(), format!("`schema` must be an integer such as {CURRENT_SCHEMA}")));
    };
    if n > CURRENT_SCHEMA {
        return Err(cx.err(ErrorKind::Schema, item.span(), format!("schema {n} is newer than this glix understands (up to {CURRENT_SCHEMA}); upgrade glix")));
    }
    if n < OLDEST_SCHEMA {
        return Err(cx.err(ErrorKind::Schema, item.span(), format!("unknown schema {n} (this glix reads {OLDEST_SCHEMA} to {CURRENT_SCHEMA})")));
    }
    Ok(n)
}

fn read_manifest(cx: &Cx, root: &Table) -> Result<Manifest, ManifestError> {
    let host = match root.get("host") {
        None => HostSettings::default(),
        Some(item) => read_host(cx, item, root.key("host").and_then(|k| k.span()))?,
    };
    let mut packages = BTreeMap::new();
    if let Some(item) = root.get("packages") {
        let span = item.span().or_else(|| root.key("packages").and_then(|k| k.span()));
        let table = item.as_table_like().ok_or_else(|| cx.invalid(span, "`packages` must be a table of packages, e.g. [packages.cool-pkg]"))?;
        for (name, item) in table.iter() {
            let key_span = table.key(name).and_then(|k| k.span());
            let pkg = read_package(cx, name, item, key_span, &host)?;
            packages.insert(name.to_string(), pkg);
        }
    }
    check_input_conflicts(cx, root, &packages)?;
    Ok(Manifest { schema: CURRENT_SCHEMA, host, packages, file_schema: CURRENT_SCHEMA })
}

/// After an edit that touched only package `name` (changed, added or removed it):
/// bring `m` up to date by reading that package again from the edited `root`, under
/// the same rules as a whole load (the package's own, and those between packages),
/// without reading the others again. On an error `m` is left as it was.
pub(super) fn reload_package(root: &Table, m: &mut Manifest, name: &str, origin: &str) -> Result<(), ManifestError> {
    let cx = Cx { text: "", origin };
    let new = match package_item(root, name) {
        None => None,
        Some(item) => {
            if let Some(t) = item.as_table_like() {
                check_nix_representable(&cx, t)?;
            }
            Some(read_package(&cx, name, item, None, &m.host)?)
        }
    };
    let old = match new {
        Some(p) => m.packages.insert(name.to_string(), p),
        None => m.packages.remove(name),
    };
    check_input_conflicts(&cx, root, &m.packages).inspect_err(|_| {
        match old {
            Some(p) => m.packages.insert(name.to_string(), p),
            None => m.packages.remove(name),
        };
    })
}

fn read_host(cx: &Cx, item: &Item, key_span: Option<Range<usize>>) -> Result<HostSettings, ManifestError> {
    let t = item.as_table_like().ok_or_else(|| cx.invalid(item.span().or(key_span), "`host` must be a table ([host])"))?;
    Ok(HostSettings {
        default_user: opt_valid(
            cx,
            t,
            "default-user",
            "host",
            ident::is_valid_user,
            "a valid user name (lowercase letters, digits, '_' and '-', starting with a letter or '_')",
        )?,
        system: opt_valid(cx, t, "system", "host", ident::is_valid_system, "a Nix system such as \"x86_64-linux\"")?,
        target_host: opt_valid(cx, t, "target-host", "host", ident::is_valid_ssh_target, "an SSH destination such as \"root@laptop.lan\"")?,
        tags: read_tags(cx, t)?,
        build_on_target: match t.get("build-on-target") {
            None => false,
            Some(item) => item.as_bool().ok_or_else(|| cx.invalid(item.span(), "host: `build-on-target` must be true or false"))?,
        },
    })
}

/// `[host] tags = ["web", "eu"]`: a list of names ([`ident::is_valid_name`]), each once.
fn read_tags(cx: &Cx, t: &dyn TableLike) -> Result<Vec<String>, ManifestError> {
    let Some(item) = t.get("tags") else { return Ok(vec![]) };
    let span = item.span().or_else(|| t.key("tags").and_then(|k| k.span()));
    let list = item.as_array().ok_or_else(|| cx.invalid(span.clone(), "host: `tags` must be a list of names, e.g. tags = [\"web\", \"eu\"]"))?;
    let mut tags: Vec<String> = Vec::with_capacity(list.len());
    for v in list.iter() {
        let Some(s) = v.as_str() else {
            return Err(cx.invalid(v.span().or(span.clone()), "host: `tags` must be a list of names, e.g. tags = [\"web\", \"eu\"]"));
        };
        if !ident::is_valid_name(s) {
            return Err(cx.invalid(v.span().or(span.clone()), format!("host: tag \"{s}\" is not a valid name ({})", ident::NAME_RULE)));
        }
        if tags.iter().any(|t| t == s) {
            return Err(cx.invalid(v.span().or(span.clone()), format!("host: tag \"{s}\" is listed twice")));
        }
        tags.push(s.to_string());
    }
    Ok(tags)
}

fn read_package(cx: &Cx, name: &str, item: &Item, key_span: Option<Range<usize>>, host: &HostSettings) -> Result<Package, ManifestError> {
    let what = format!("package '{name}'");
    if !ident::is_valid_name(name) {
        return Err(cx.invalid(key_span, format!("{what}: the name is not valid (use {})", ident::NAME_RULE)));
    }
    let t = item.as_table_like().ok_or_else(|| cx.invalid(item.span().or(key_span.clone()), format!("{what} must be a table, e.g. [packages.{name}]")))?;
    let table_span = || key_span.clone();

    let kind = match opt_string(cx, t, "kind", &what)? {
        None => Kind::Module,
        Some((k, span)) => Kind::parse(&k).ok_or_else(|| cx.invalid(span, format!("{what}: `kind` must be \"module\" or \"package\", found \"{k}\"")))?,
    };

    let flake = match opt_string(cx, t, "flake", &what)? {
        Some((flake, span)) => Some(read_flake(cx, &what, flake, span)?),
        // A package without a flake comes from the host's own nixpkgs.
        None if kind == Kind::Package => None,
        None => return Err(cx.invalid(table_span(), format!("{what}: missing `flake` (the flake reference, e.g. flake = \"github:owner/repo\")"))),
    };

    let input = opt_valid(cx, t, "input", &what, ident::is_valid_name, format_args!("a valid flake input name ({})", ident::NAME_RULE))?;
    let input = match (&flake, input) {
        // Written by hand without one: the name glix would have given it (glixInputName's).
        (Some((_, parsed)), None) => Some(crate::flakeref::canonical_input_name(parsed)),
        (None, Some(i)) => {
            return Err(cx.invalid(
                span_of(t, "input"),
                format!("{what}: `input` \"{i}\" without a `flake`; a package without `flake` comes from the host's nixpkgs and needs no input"),
            ))
        }
        (_, input) => input,
    };
    let flake = flake.map(|(url, _)| url);

    let scope = match opt_string(cx, t, "scope", &what)? {
        None => Scope::System,
        Some((s, span)) => Scope::parse(&s).ok_or_else(|| cx.invalid(span, format!("{what}: `scope` must be \"system\" or \"home\", found \"{s}\"")))?,
    };

    let user = match (opt_string(cx, t, "user", &what)?, scope) {
        (Some((u, span)), Scope::System) => {
            return Err(cx.invalid(span, format!("{what}: `user` \"{u}\" is only meaningful with scope = \"home\"")));
        }
        (Some((u, span)), Scope::Home) => {
            if !ident::is_valid_user(&u) {
                return Err(cx.invalid(span, format!("{what}: `user` \"{u}\" is not a valid user name (lowercase letters, digits, '_' and '-')")));
            }
            Some(u)
        }
        (None, Scope::Home) => host.default_user.clone(),
        (None, Scope::System) => None,
    };

    let source = match opt_string(cx, t, "source", &what)? {
        None => Source::Uri,
        Some((s, span)) => Source::parse(&s)
            .ok_or_else(|| cx.invalid(span, format!("{what}: `source` must be \"uri\", \"registry\", \"nix-registry\" or \"nixpkgs\", found \"{s}\"")))?,
    };

    let output = opt_valid(cx, t, "output", &what, ident::is_valid_attr_path, "an attribute path such as \"nixosModules.default\"")?;
    let attr = opt_valid(cx, t, "attr", &what, ident::is_valid_attr_path, "an attribute path such as \"ripgrep\" or \"python3Packages.requests\"")?;
    let (output, attr) = match kind {
        Kind::Module => {
            if attr.is_some() {
                return Err(
                    cx.invalid(span_of(t, "attr"), format!("{what}: `attr` is for packages (kind = \"package\"); a module names its output with `output`"))
                );
            }
            (Some(output.unwrap_or_else(|| scope.default_output().to_string())), None)
        }
        Kind::Package => {
            if output.is_some() {
                return Err(cx.invalid(
                    span_of(t, "output"),
                    format!("{what}: `output` is for modules; a package (kind = \"package\") names its attribute with `attr`, e.g. attr = \"ripgrep\""),
                ));
            }
            let attr = match (attr, &flake) {
                (Some(a), _) => a,
                // As Nix's installables: a flake without `#attr` means its default package.
                (None, Some(_)) => "default".to_string(),
                (None, None) => {
                    return Err(cx.invalid(table_span(), format!("{what}: missing `attr` (the nixpkgs attribute, e.g. attr = \"ripgrep\")")));
                }
            };
            (None, Some(attr))
        }
    };

    let follow_nixpkgs = match t.get("follow-nixpkgs") {
        None => kind == Kind::Package && flake.is_some(),
        Some(item) => {
            let b = item.as_bool().ok_or_else(|| cx.invalid(item.span(), format!("{what}: `follow-nixpkgs` must be true or false")))?;
            if flake.is_none() {
                return Err(cx.invalid(item.span(), format!("{what}: `follow-nixpkgs` needs a `flake` (a package of the host's nixpkgs follows nothing)")));
            }
            b
        }
    };

    let enable = match t.get("enable") {
        None => true,
        Some(item) => item.as_bool().ok_or_else(|| cx.invalid(item.span(), format!("{what}: `enable` must be true or false")))?,
    };

    let config = read_config(cx, t, &what)?;
    if kind == Kind::Package && !config.is_empty() {
        return Err(
            cx.invalid(span_of(t, "config"), format!("{what}: a package takes no `config` (glixConfig is handed to modules; a package is installed as it is)"))
        );
    }

    Ok(Package { name: name.to_string(), kind, flake, input, scope, user, source, output, attr, follow_nixpkgs, enable, config })
}

/// A package's `flake`, checked: a valid, direct reference (with its parse).
fn read_flake(cx: &Cx, what: &str, flake: String, span: Option<Range<usize>>) -> Result<(String, FlakeRef), ManifestError> {
    let parsed = FlakeRef::parse(&flake).map_err(|e| cx.invalid(span.clone(), format!("{what}: `flake` \"{flake}\" is not a valid flake reference: {e}")))?;
    if parsed.is_indirect() {
        return Err(cx.invalid(
            span,
            format!("{what}: `flake` \"{flake}\" is an indirect (registry) reference; the manifest holds resolved references (let `glix add` resolve it)"),
        ));
    }
    Ok((flake, parsed))
}

/// Where a key's value is, else the key.
fn span_of(t: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    t.get(key).and_then(Item::span).or_else(|| t.key(key).and_then(|k| k.span()))
}

fn read_config(cx: &Cx, pkg: &dyn TableLike, what: &str) -> Result<BTreeMap<String, String>, ManifestError> {
    let mut out = BTreeMap::new();
    let Some(item) = pkg.get("config") else {
        return Ok(out);
    };
    let t = item.as_table_like().ok_or_else(|| {
        cx.invalid(
            item.span().or_else(|| pkg.key("config").and_then(|k| k.span())),
            format!("{what}: `config` must be a table of strings, e.g. config = {{ port = \"8080\" }}"),
        )
    })?;
    for (k, v) in t.iter() {
        match v.as_str() {
            Some(s) => {
                out.insert(k.to_string(), s.to_string());
            }
            None => {
                let span = v.span().or_else(|| t.key(k).and_then(|k| k.span()));
                return Err(cx.invalid(span, format!("{what}: config value `{k}` must be a string (write it in quotes, e.g. {k} = \"…\")")));
            }
        }
    }
    Ok(out)
}

/// Two packages may share an input only when they use the same flake.
fn check_input_conflicts(cx: &Cx, root: &Table, packages: &BTreeMap<String, Package>) -> Result<(), ManifestError> {
    let mut by_input: BTreeMap<&str, &Package> = BTreeMap::new();
    for p in packages.values() {
        let Some(input) = p.input.as_deref() else { continue };
        if let Some(other) = by_input.insert(input, p) {
            if other.flake != p.flake {
                let span = package_item(root, &p.name).and_then(Item::as_table_like).and_then(|t| t.get("input")).and_then(Item::span);
                return Err(cx.invalid(
                    span,
                    format!(
                        "packages '{}' and '{}' both use input '{}' but for different flakes (\"{}\" and \"{}\"); give one of them another `input`",
                        other.name,
                        p.name,
                        input,
                        other.flake.as_deref().unwrap_or_default(),
                        p.flake.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The item of package `name` in a whole manifest, `[packages.<name>]`.
fn package_item<'a>(root: &'a Table, name: &str) -> Option<&'a Item> {
    root.get("packages")?.as_table_like()?.get(name)
}

/// A string value and where it is in the file.
type Spanned = (String, Option<Range<usize>>);

/// An optional string field with the span of its value.
fn opt_string(cx: &Cx, t: &dyn TableLike, key: &str, what: &str) -> Result<Option<Spanned>, ManifestError> {
    match t.get(key) {
        None => Ok(None),
        Some(item) => match item.as_str() {
            Some(s) => Ok(Some((s.to_string(), item.span()))),
            None => {
                let span = item.span().or_else(|| t.key(key).and_then(|k| k.span()));
                Err(cx.invalid(span, format!("{what}: `{key}` must be a string")))
            }
        },
    }
}

/// An optional string field that must pass `valid`; `expected` says what it must be
/// ("a Nix system such as …"), for the error.
fn opt_valid(
    cx: &Cx,
    t: &dyn TableLike,
    key: &str,
    what: &str,
    valid: fn(&str) -> bool,
    expected: impl std::fmt::Display,
) -> Result<Option<String>, ManifestError> {
    match opt_string(cx, t, key, what)? {
        Some((v, span)) if !valid(&v) => Err(cx.invalid(span, format!("{what}: `{key}` \"{v}\" is not {expected}"))),
        v => Ok(v.map(|(v, _)| v)),
    }
}
