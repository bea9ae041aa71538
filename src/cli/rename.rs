use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("rename")
        .about("Rename a package on a host (its config, comments and input kept), one commit")
        .arg(Arg::new("old").value_name("OLD").required(true).help("The package's name now (as `glix list` names it)"))
        .arg(Arg::new("new").value_name("NEW").required(true).help("Its new name: letters, digits, '_' and '-'"))
        .after_help("Examples:\n  glix rename cool-pkg web\n  glix --host desk rename db postgres --dry-run")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let (old, new) = (m.get_one::<String>("old").expect("required"), m.get_one::<String>("new").expect("required"));
    g.report(&glix::ops::rename(&g.context()?, g.host.as_deref(), old, new)?)
}
