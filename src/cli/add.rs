use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::manifest::Scope;
use glix::ops::{add, AddRequest};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("add")
        .about("Add a package to a host (resolve, edit glix.toml and flake.nix, lock, commit)")
        .arg(Arg::new("ref").value_name("REF").required(true).help("A flake reference (github:owner/repo, path:/…) or a name from the glix registry or Nix's flake registry"))
        .arg(Arg::new("scope").long("scope").value_parser(["system", "home"]).help("system: a NixOS module; home: a home-manager module for a user [default: system]"))
        .arg(Arg::new("user").long("user").value_name("USER").help("The user of a home-scope package [default: the host's default user]"))
        .arg(Arg::new("name").long("name").value_name("NAME").help("The package's name in glix.toml [default: derived from REF]"))
        .arg(Arg::new("output").long("output").value_name("ATTRPATH").help("The module's attribute path in the flake [default: nixosModules.default / homeManagerModules.default]"))
        .arg(Arg::new("config").long("config").value_name("KEY=VALUE").action(ArgAction::Append).help("A config entry handed to the module as glixConfig.KEY"))
        .after_help("Examples:\n  glix add github:owner/cool-pkg\n  glix add --scope home --user alice github:owner/dotfiles --config theme=dark\n  glix add cool-pkg            # a name from the glix registry\n  glix add --dry-run github:owner/cool-pkg")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let req = AddRequest {
        host: g.host.clone(),
        typed: m.get_one::<String>("ref").cloned().expect("required"),
        scope: m.get_one::<String>("scope").and_then(|s| Scope::parse(s)),
        user: m.get_one::<String>("user").cloned(),
        name: m.get_one::<String>("name").cloned(),
        output: m.get_one::<String>("output").cloned(),
        config: crate::config::pairs(m.get_many::<String>("config").into_iter().flatten())?,
    };
    let ctx = g.context()?;
    g.report(&add(&ctx, &req, &g.resolve_options())?)
}
