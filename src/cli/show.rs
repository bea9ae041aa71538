use anyhow::Result;
use clap::{Arg, ArgMatches, Command};
use glix::ops::{OpError, Refusal};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("show")
        .about("Show one package of a host")
        .arg(Arg::new("name").value_name("NAME").required(true).help("The package (as `glix list` names it)"))
        .after_help("Examples:\n  glix show cool-pkg\n  glix show cool-pkg --json")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let name = m.get_one::<String>("name").expect("required");
    let repo = g.open_repo()?;
    let host = repo.choose_host(g.host.as_deref())?;
    let (manifest, note) = glix::ops::read_manifest_any_schema(&repo, &host)?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    let p = manifest.packages.get(name).ok_or_else(|| {
        OpError::from(Refusal::NoSuchPackage {
            name: name.clone(),
            host: Some(host.clone()),
            near: glix::ident::closest(name, manifest.packages.keys().map(String::as_str)).map(str::to_string),
        })
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(p)?);
        return Ok(());
    }
    println!("name:    {}", p.name);
    println!("host:    {host}");
    println!("kind:    {}", p.kind);
    match p.flake_input() {
        Some((input, flake)) => {
            println!("flake:   {flake}");
            println!("input:   {input}");
        }
        None => println!("flake:   (the host's own nixpkgs)"),
    }
    println!("scope:   {}", p.scope);
    if let Some(u) = &p.user {
        println!("user:    {u}");
    }
    if let Some(o) = &p.output {
        println!("output:  {o}");
    }
    if let Some(a) = &p.attr {
        println!("attr:    {a}");
    }
    if p.flake.is_some() {
        println!("follows the repo's nixpkgs: {}", if p.follow_nixpkgs { "yes" } else { "no" });
    }
    println!("enabled: {}", if p.enable { "yes" } else { "no" });
    println!("source:  {}", p.source);
    if !p.config.is_empty() {
        println!("config:");
        for (k, v) in &p.config {
            println!("  {k} = {v:?}");
        }
    }
    Ok(())
}
