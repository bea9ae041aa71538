use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("update")
        .args(crate::rebuild::switch_args())
        .about("Re-lock packages' inputs to their newest revisions (all inputs without NAME)")
        .arg(Arg::new("names").value_name("NAME").action(ArgAction::Append).help("A package whose input to re-lock (of any host; with --host, of that host)"))
        .after_help("With --host and no NAME, that host's packages' inputs.\n\nExamples:\n  glix update\n  glix update cool-pkg\n  glix update --host desk")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let names: Vec<String> = m.get_many::<String>("names").into_iter().flatten().cloned().collect();
    g.report(&glix::ops::update(&g.context()?, g.host.as_deref(), &names)?)
}
