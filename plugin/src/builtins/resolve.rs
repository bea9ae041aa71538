//! glixResolve takes a manifest as Nix values, not text, so nothing upstream has
//! validated it: it reads only the fields the plan uses (so `extra = throw …` or an
//! unread `flake` never runs), and checks each with the rules the manifest loader
//! applies (src/ident.rs), as it checks `defaultUser`.

use std::collections::BTreeMap;

use glix::ident;
use glix::manifest::{HostSettings, Kind, Manifest, Package, Scope, Source, CURRENT_SCHEMA};

use crate::ffi;
use crate::primop::Builtin;
use crate::value::{type_name, Args, Failure};

pub static BUILTIN: Builtin = Builtin {
    name: "glixResolve",
    args: &["manifest", "inputs", "defaultUser"],
    doc: "The module plan for a normalized manifest (the result of glixParseManifest): for each enabled entry its kind, input (null for a package of the host's pkgs), output path (modules) or attribute path (packages), scope, user and config. `inputs` is the flake's inputs (an attrset; only the names are used) or a list of input names; `defaultUser` (a valid user name or null) applies to home packages without a user. Only the manifest's `schema` and its packages' name, kind, input, scope, user, output (modules), attr (packages), enable and config are read.",
    run,
};

const USER_RULE: &str = "lowercase letters, digits, '_' and '-', starting with a letter or '_'";

fn run(a: &Args, ret: *mut ffi::nix_value) -> Result<(), Failure> {
    let manifest = read_manifest(a).map_err(|f| match f {
        Failure::Message(m) => Failure::Message(format!("the first argument is not a normalized manifest (pass the result of glixParseManifest): {m}")),
        nix => nix,
    })?;
    let inputs = a.names(1, "the inputs (second argument)")?;
    let default_user = a.opt_string(2, "defaultUser (third argument)")?;
    if let Some(u) = &default_user {
        if !ident::is_valid_user(u) {
            return Err(format!("defaultUser (third argument) \"{u}\" is not a valid user name ({USER_RULE})").into());
        }
    }
    let plan = glix::plan::plan(&manifest, &inputs, default_user.as_deref()).map_err(|e| e.to_string())?;
    a.write(ret, &plan)
}

fn read_manifest(a: &Args) -> Result<Manifest, Failure> {
    let m = a.value(0);
    let t = a.type_of(m)?;
    if t != ffi::ValueType_NIX_TYPE_ATTRS {
        return Err(format!("it is {}", type_name(t)).into());
    }
    let schema = match a.attr_of(m, "schema")? {
        None => return Err("it has no `schema`".into()),
        Some(v) => a.int_of(v.ptr(), "`schema`")?,
    };
    if schema != CURRENT_SCHEMA {
        return Err(format!("its `schema` is {schema}, but a normalized manifest's is always {CURRENT_SCHEMA}").into());
    }
    let Some(pkgs) = a.attr_of(m, "packages")? else {
        return Err("it has no `packages`".into());
    };
    let t = a.type_of(pkgs.ptr())?;
    if t != ffi::ValueType_NIX_TYPE_ATTRS {
        return Err(format!("`packages` must be an attrset, but it is {}", type_name(t)).into());
    }
    let mut packages = BTreeMap::new();
    for (key, p) in a.attrs_of(pkgs.ptr())? {
        let package = read_package(a, &key, p.ptr())?;
        packages.insert(key, package);
    }
    Ok(Manifest {
        schema,
        // Not read: loading already gave the host's default user to every home
        // package without one, and the plan needs nothing else of the host.
        host: HostSettings::default(),
        packages,
        file_schema: schema,
    })
}

fn read_package(a: &Args, key: &str, p: *mut ffi::nix_value) -> Result<Package, Failure> {
    let what = format!("package '{key}'");
    let t = a.type_of(p)?;
    if t != ffi::ValueType_NIX_TYPE_ATTRS {
        return Err(format!("{what} must be an attrset, but it is {}", type_name(t)).into());
    }
    if !ident::is_valid_name(key) {
        return Err(format!("{what}: the name is not valid (use {})", ident::NAME_RULE).into());
    }
    let field = |name: &str| -> Result<Option<String>, Failure> {
        match a.attr_of(p, name)? {
            None => Ok(None),
            Some(v) if a.type_of(v.ptr())? == ffi::ValueType_NIX_TYPE_NULL => Ok(None),
            Some(v) => a.string_of(v.ptr(), &format!("{what}: `{name}`")).map(Some),
        }
    };
    let required = |name: &str| -> Result<String, Failure> { field(name)?.ok_or_else(|| format!("{what}: missing `{name}`").into()) };
    let name = required("name")?;
    if name != key {
        return Err(format!("{what}: `name` is \"{name}\", not the attribute's name").into());
    }
    // Absent in a manifest normalized before package entries existed: a module.
    let kind = match field("kind")? {
        None => Kind::Module,
        Some(k) => Kind::parse(&k).ok_or_else(|| format!("{what}: `kind` must be \"module\" or \"package\", found \"{k}\""))?,
    };
    // null: a package of the host's own nixpkgs.
    let input = field("input")?;
    match (&input, kind) {
        (Some(i), _) if !ident::is_valid_name(i) => {
            return Err(format!("{what}: `input` \"{i}\" is not a valid flake input name ({})", ident::NAME_RULE).into());
        }
        (None, Kind::Module) => return Err(format!("{what}: missing `input`").into()),
        _ => {}
    }
    let scope_s = required("scope")?;
    let scope = Scope::parse(&scope_s).ok_or_else(|| format!("{what}: `scope` must be \"system\" or \"home\", found \"{scope_s}\""))?;
    let user = field("user")?;
    match (&user, scope) {
        (Some(u), Scope::System) => return Err(format!("{what}: `user` \"{u}\" is only meaningful with scope = \"home\"").into()),
        (Some(u), Scope::Home) if !ident::is_valid_user(u) => return Err(format!("{what}: `user` \"{u}\" is not a valid user name ({USER_RULE})").into()),
        _ => {}
    }
    let path = |name: &str, example: &str| -> Result<String, Failure> {
        let p = required(name)?;
        if !ident::is_valid_attr_path(&p) {
            return Err(format!("{what}: `{name}` \"{p}\" is not an attribute path such as \"{example}\"").into());
        }
        Ok(p)
    };
    let (output, attr) = match kind {
        Kind::Module => (Some(path("output", "nixosModules.default")?), None),
        Kind::Package => (None, Some(path("attr", "ripgrep")?)),
    };
    let enable = match a.attr_of(p, "enable")? {
        None => return Err(format!("{what}: missing `enable`").into()),
        Some(v) => a.bool_of(v.ptr(), &format!("{what}: `enable`"))?,
    };
    let config = match a.attr_of(p, "config")? {
        None => BTreeMap::new(),
        Some(v) => {
            let cwhat = format!("{what}: `config`");
            let t = a.type_of(v.ptr())?;
            if t != ffi::ValueType_NIX_TYPE_ATTRS {
                return Err(format!("{cwhat} must be an attrset of strings, but it is {}", type_name(t)).into());
            }
            a.attrs_of(v.ptr())?
                .into_iter()
                .map(|(k, x)| {
                    let s = a.string_of(x.ptr(), &format!("{what}: config value `{k}`"))?;
                    Ok((k, s))
                })
                .collect::<Result<_, Failure>>()?
        }
    };
    Ok(Package {
        name,
        kind,
        // Not read: the plan does not use them.
        flake: None,
        follow_nixpkgs: false,
        source: Source::Uri,
        input,
        scope,
        user,
        output,
        attr,
        enable,
        config,
    })
}
