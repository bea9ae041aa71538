use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("move")
        .about("Move a package to another host (its config kept), one commit of both manifests")
        .arg(Arg::new("name").value_name("NAME").required(true).help("The package (on the current host, or --host's)"))
        .arg(
            Arg::new("to")
                .long("to")
                .value_name("HOST")
                .required(true)
                .help("The host it goes to; a home package of the first host's default user goes to this host's"),
        )
        .after_help("Examples:\n  glix move cool-pkg --to desk\n  glix --host laptop move db --to server --dry-run")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let (name, to) = (m.get_one::<String>("name").expect("required"), m.get_one::<String>("to").expect("required"));
    g.report(&glix::ops::move_to(&g.context()?, g.host.as_deref(), name, to)?)
}
