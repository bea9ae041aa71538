//! `glix manifest`: the normalized manifest as glix (and the Nix plugin) see it.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("manifest")
        .about("Show a manifest as glix reads it (defaults filled in, older schemas migrated)")
        .subcommand_required(true)
        .subcommand(
            Command::new("parse")
                .about("Parse a manifest file and print the normalized manifest")
                .arg(Arg::new("file").value_name("FILE").required(true).value_parser(clap::value_parser!(PathBuf)).help("A glix.toml, anywhere"))
                .after_help("Examples:\n  glix manifest parse hosts/laptop/glix.toml --json"),
        )
        .subcommand(
            Command::new("show")
                .about("Print the normalized manifest of a host of the repo")
                .after_help("Examples:\n  glix manifest show --host laptop --json"),
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let path = match m.subcommand() {
        Some(("parse", m)) => m.get_one::<PathBuf>("file").cloned().expect("required"),
        Some(("show", _)) => host_manifest_path(g)?,
        _ => unreachable!("clap requires a subcommand"),
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let manifest = glix::manifest::load_str(&text, &path.display().to_string())?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        print_human(&manifest);
    }
    Ok(())
}

fn host_manifest_path(g: &Global) -> Result<PathBuf> {
    let repo = g.open_repo()?;
    let host = repo.choose_host(g.host.as_deref())?;
    Ok(repo.path(&glix::repo::Repo::manifest_rel(&host)))
}

fn print_human(m: &glix::manifest::Manifest) {
    println!("schema {}", m.schema);
    if let Some(u) = &m.host.default_user {
        println!("default user {u}");
    }
    for p in m.packages.values() {
        let state = if p.enable { "" } else { " (disabled)" };
        let user = p.user.as_deref().map(|u| format!(" user={u}")).unwrap_or_default();
        let via = p.input.as_deref().map(|i| format!(" via input {i}")).unwrap_or_default();
        println!("{:<20} {:<7} {:<7}{user} {}{via}{state}", p.name, p.kind, p.scope, p.origin());
    }
}
