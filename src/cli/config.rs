use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::global::{CliError, Global};

pub fn command() -> Command {
    Command::new("config")
        .about("Set or unset a package's config (its module's glixConfig)")
        .subcommand_required(true)
        .after_help("Examples:\n  glix config set web port=8080\n  glix config unset web port")
        .subcommand(
            Command::new("set")
                .about("Set config entries")
                .args(crate::rebuild::switch_args())
                .arg(Arg::new("name").value_name("NAME").required(true).help("The package (as `glix list` names it)"))
                .arg(
                    Arg::new("pairs")
                        .value_name("KEY=VALUE")
                        .required(true)
                        .action(ArgAction::Append)
                        .help("An entry of glixConfig; KEY must not be empty, VALUE may contain '='"),
                )
                .after_help("Example:\n  glix config set web port=8080 host=0.0.0.0"),
        )
        .subcommand(
            Command::new("unset")
                .about("Remove config entries")
                .args(crate::rebuild::switch_args())
                .arg(Arg::new("name").value_name("NAME").required(true).help("The package (as `glix list` names it)"))
                .arg(Arg::new("keys").value_name("KEY").required(true).action(ArgAction::Append).help("A key of its glixConfig to remove"))
                .after_help("Example:\n  glix config unset web port"),
        )
}

/// `KEY=VALUE` arguments (the value may contain `=`).
pub fn pairs<'a>(args: impl Iterator<Item = &'a String>) -> Result<Vec<(String, String)>> {
    args.map(|kv| {
        kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or_else(|| CliError::NotAPair { arg: kv.clone(), expected: "KEY=VALUE" }.into())
    })
    .collect()
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let ctx = g.context()?;
    let outcome = match m.subcommand() {
        Some(("set", m)) => {
            let name = m.get_one::<String>("name").expect("required");
            glix::ops::config_set(&ctx, g.host.as_deref(), name, &pairs(m.get_many::<String>("pairs").into_iter().flatten())?)?
        }
        Some(("unset", m)) => {
            let name = m.get_one::<String>("name").expect("required");
            let keys: Vec<String> = m.get_many::<String>("keys").into_iter().flatten().cloned().collect();
            glix::ops::config_unset(&ctx, g.host.as_deref(), name, &keys)?
        }
        _ => unreachable!("clap requires a subcommand"),
    };
    g.report(&outcome)
}
