use anyhow::Result;
use clap::{ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("migrate")
        .about("Upgrade every manifest to the current schema, keeping comments (one commit)")
        .after_help("Examples:\n  glix migrate --dry-run\n  glix migrate")
}

pub fn exec(g: &Global, _m: &ArgMatches) -> Result<i32> {
    g.report(&glix::ops::migrate(&g.context()?)?)?;
    Ok(0)
}
