use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("restore")
        .args(crate::rebuild::switch_args())
        .about("Bring back the manifests, regions and lock as they were after operation OP, as a new commit")
        .arg(Arg::new("op").value_name("OP").required(true).help("The operation's commit id (or a unique prefix), from `glix log`"))
        .after_help("Example:\n  glix log\n  glix restore 3f2a9c1d7e4b")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    g.report(&glix::ops::restore(&g.context()?, m.get_one::<String>("op").expect("required"))?)
}
