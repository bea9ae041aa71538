use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("remove")
        .args(crate::rebuild::switch_args())
        .visible_alias("rm")
        .about("Remove a package from a host (its input goes when no host uses it)")
        .arg(Arg::new("name").value_name("NAME").required(true).help("The package (as `glix list` names it)"))
        .after_help("Examples:\n  glix remove cool-pkg\n  glix remove --host desk cool-pkg --dry-run")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let name = m.get_one::<String>("name").expect("required");
    g.report(&glix::ops::remove(&g.context()?, g.host.as_deref(), name)?)
}
