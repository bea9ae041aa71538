use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::manifest::Scope;
use glix::ops::{add, AddRequest};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("add")
        .args(crate::rebuild::switch_args())
        .about("Add a package or a module to a host (resolve, check, edit glix.toml and flake.nix, lock, commit)")
        .arg(Arg::new("ref").value_name("REF").required(true).help(
            "nixpkgs#ATTR (a package of the repo's nixpkgs), FLAKE#ATTR (a package of a flake), FLAKE (its module, else its package), or a name: the glix registry, then the repo's nixpkgs, then Nix's flake registry",
        ))
        .arg(Arg::new("scope").long("scope").value_parser(["system", "home"]).help(
            "system: for the whole machine (a NixOS module, or environment.systemPackages); home: for a user (a home-manager module, or home.packages) [default: system, or home for a flake with only a home module]",
        ))
        .arg(Arg::new("user").long("user").value_name("USER").help("The user of a home-scope package [default: the host's default user]"))
        .arg(Arg::new("name").long("name").value_name("NAME").help("The package's name in glix.toml [default: derived from REF]"))
        .arg(Arg::new("output").long("output").value_name("ATTRPATH").help(
            "Add the flake's module at ATTRPATH, checked to exist and to be a module [default: nixosModules.default; homeModules.default or homeManagerModules.default]",
        ))
        .arg(Arg::new("config").long("config").value_name("KEY=VALUE").action(ArgAction::Append).help("A config entry handed to the module as glixConfig.KEY (modules only)"))
        .arg(Arg::new("no-follow").long("no-follow").action(ArgAction::SetTrue).help(
            "Let a package flake keep its own nixpkgs instead of following the repo's (inputs.X.inputs.nixpkgs.follows)",
        ))
        .after_help(
            "Examples:\n  glix add nixpkgs#ripgrep             # a package of the repo's nixpkgs: only glix.toml changes\n  glix add ripgrep                     # the same, found by name\n  glix add nixpkgs#python3Packages.requests --scope home\n  glix add github:owner/tool#tool      # a package of another flake\n  glix add github:owner/cool-pkg       # its nixosModules.default (or its default package)\n  glix add --scope home --user alice github:owner/dotfiles --config theme=dark\n  glix add cool-pkg                    # a name from the glix registry\n  glix add --dry-run nixpkgs#htop",
        )
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
        no_follow: m.get_flag("no-follow"),
    };
    let ctx = g.context()?;
    g.report(&add(&ctx, &req, &g.resolve_options())?)
}
