//! `glix fleet enable colmena|deploy-rs` / `disable` / `status`.

use anyhow::Result;
use clap::{Arg, ArgMatches, Command};
use glix::flake::Engine;

use crate::global::Global;

pub fn command() -> Command {
    let engines: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
    Command::new("fleet")
        .about("Hand the hosts to a fleet deployment engine (colmena or deploy-rs) that `glix switch --all` then runs")
        .subcommand_required(true)
        .subcommand(
            Command::new("enable")
                .about("Add the engine's flake input and its outputs (colmena/colmenaHive, or deploy) to flake.nix, one commit")
                .arg(
                    Arg::new("engine")
                        .value_name("ENGINE")
                        .required(true)
                        .value_parser(clap::builder::PossibleValuesParser::new(engines))
                        .help("colmena (tags, parallel deploys, apply-local) or deploy-rs (magic rollback)"),
                )
                .arg(
                    Arg::new("url")
                        .long("url")
                        .value_name("FLAKE-REF")
                        .help("Where the engine's flake comes from [default: github:zhaofengli/colmena or github:serokell/deploy-rs]"),
                )
                .after_help("Examples:\n  glix fleet enable colmena\n  glix fleet enable deploy-rs --url github:serokell/deploy-rs/<rev>"),
        )
        .subcommand(Command::new("disable").about("Remove the engine's input and outputs from flake.nix, one commit (switch --all runs nixos-rebuild again)"))
        .subcommand(Command::new("status").about("Say which engine is enabled"))
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    match m.subcommand() {
        Some(("enable", m)) => {
            let engine = Engine::parse(m.get_one::<String>("engine").expect("required")).expect("clap checked the engine");
            g.report(&glix::ops::fleet_enable(&g.context()?, engine, m.get_one::<String>("url").map(String::as_str))?)
        }
        Some(("disable", _)) => g.report(&glix::ops::fleet_disable(&g.context()?)?),
        Some(("status", _)) => {
            let enabled = glix::ops::fleet_enabled(&g.open_repo()?)?;
            if g.json {
                let v = enabled.as_ref().map(|(e, url)| serde_json::json!({ "engine": e, "url": url }));
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "fleet": v }))?);
            } else {
                match enabled {
                    Some((e, url)) => println!("{e} ({url}): `glix switch --all` runs {}", e.program()),
                    None => println!("no engine: `glix switch --all` runs nixos-rebuild host after host"),
                }
            }
            Ok(())
        }
        _ => unreachable!("clap requires a subcommand"),
    }
}
