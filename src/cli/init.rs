use std::path::PathBuf;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::ops::{init, InitRequest};

use crate::global::{CliError, Global};

pub fn command() -> Command {
    Command::new("init")
        .about("Create a user-packages flake (a git repo) with one host")
        .arg(Arg::new("dir").value_name("DIR").value_parser(clap::value_parser!(PathBuf)).help("Where to create it [default: --repo, GLIX_REPO or ~/.config/glixos]"))
        .arg(Arg::new("system").long("system").value_name("SYSTEM").help("The host's Nix system [default: x86_64-linux]"))
        .arg(Arg::new("user").long("user").value_name("USER").help("The host's default user (gets home-scope packages)"))
        .arg(
            Arg::new("input")
                .long("input")
                .value_name("NAME=URL")
                .action(ArgAction::Append)
                .help("Point a template input (nixpkgs, home-manager, glixos-core) elsewhere"),
        )
        .after_help(
            "The first host is --host, or this machine's hostname without it.\n\nExamples:\n  glix init --host laptop --user alice\n  glix init ~/systems --host desk --system aarch64-linux --input nixpkgs=github:NixOS/nixpkgs/nixos-24.11",
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    // As elsewhere, --host defaults to this machine's hostname (when it is a valid host name).
    let host = match g.host.clone().or_else(glix::repo::machine_hostname) {
        Some(h) if g.host.is_some() || glix::ident::is_valid_name(&h) => h,
        Some(h) => return Err(CliError::InitNeedsHost(format!("'{h}' is not a valid host name")).into()),
        None => return Err(CliError::InitNeedsHost("is unknown".into()).into()),
    };
    let inputs = m
        .get_many::<String>("input")
        .into_iter()
        .flatten()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| CliError::NotAPair { arg: format!("--input {kv}"), expected: "NAME=URL" }.into())
        })
        .collect::<Result<Vec<_>>>()?;
    let req = InitRequest {
        dir: m.get_one::<PathBuf>("dir").cloned().unwrap_or_else(|| g.repo_dir()),
        host,
        system: m.get_one::<String>("system").cloned(),
        user: m.get_one::<String>("user").cloned(),
        inputs,
        lock: !g.no_lock,
        nix: None,
        dry_run: g.dry_run,
    };
    let outcome = init(&req)?;
    g.report(&outcome)?;
    if !g.quiet && !g.json && !g.dry_run {
        eprintln!("created {}; add packages with `glix add --repo {} REF`", req.dir.display(), req.dir.display());
    }
    Ok(())
}
