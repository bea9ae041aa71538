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
        .arg(Arg::new("user").long("user").value_name("USER").help("The host's default user (declared in users.users; gets home-scope packages)"))
        .arg(
            Arg::new("from")
                .long("from")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .conflicts_with("empty")
                .help("Adopt the NixOS configuration in DIR: configuration.nix, hardware-configuration.nix and every file they refer to by a relative path [default: /etc/nixos when it holds a configuration.nix]"),
        )
        .arg(Arg::new("empty").long("empty").action(ArgAction::SetTrue).help("Start with a fresh host even when /etc/nixos holds a configuration"))
        .arg(state_version_arg())
        .arg(
            Arg::new("input")
                .long("input")
                .value_name("NAME=URL")
                .action(ArgAction::Append)
                .help("Point a template input (nixpkgs, home-manager, glixos-core) elsewhere"),
        )
        .after_help(
            "The first host is --host; without it, the adopted configuration's networking.hostName, else this\n\
             machine's hostname. An adopted configuration keeps its host name, platform and system.stateVersion;\n\
             what a flake cannot carry over (channel lookups such as <nixpkgs>, fetches without a hash, paths\n\
             outside DIR) is named as a warning with its file and line. DIR may be a fresh clone (only .git and\n\
             files such as a README).\n\n\
             Examples:\n  glix init --host laptop --user alice\n  glix init --from /etc/nixos\n  \
             glix init ~/systems --host desk --system aarch64-linux --input nixpkgs=github:NixOS/nixpkgs/nixos-24.11",
        )
}

/// Where init adopts from: --from; else /etc/nixos when it holds a configuration.nix
/// (unless --empty).
const ETC_NIXOS: &str = "/etc/nixos";

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
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
    let from = m.get_one::<PathBuf>("from").cloned().or_else(|| {
        let etc = PathBuf::from(ETC_NIXOS);
        (!m.get_flag("empty") && etc.join("configuration.nix").is_file()).then_some(etc)
    });
    let req = InitRequest {
        dir: m.get_one::<PathBuf>("dir").cloned().unwrap_or_else(|| g.repo_dir()),
        host: g.host.clone(),
        system: m.get_one::<String>("system").cloned(),
        user: m.get_one::<String>("user").cloned(),
        inputs,
        lock: !g.no_lock,
        nix: None,
        dry_run: g.dry_run,
        from,
        state_version: m.get_one::<String>("state-version").cloned(),
    };
    let outcome = init(&req)?;
    g.report(&outcome)?;
    if !g.quiet && !g.json && !g.dry_run {
        eprintln!("created {}; add packages with `glix add --repo {} REF`", req.dir.display(), req.dir.display());
    }
    Ok(())
}

/// `--state-version`, as `init` and `host add` take it.
pub fn state_version_arg() -> Arg {
    Arg::new("state-version")
        .long("state-version")
        .value_name("YY.MM")
        .help("The host's system.stateVersion [default: the release of the repo's nixpkgs; an adopted configuration keeps its own]")
}
