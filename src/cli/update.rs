use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("update")
        .about("Re-lock packages' inputs to their newest revisions (all inputs without NAME)")
        .arg(Arg::new("names").value_name("NAME").action(ArgAction::Append))
        .after_help("Examples:\n  glix update\n  glix update cool-pkg")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let names: Vec<String> = m.get_many::<String>("names").into_iter().flatten().cloned().collect();
    g.report(&glix::ops::update(&g.context()?, &names)?)
}
