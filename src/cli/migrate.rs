use anyhow::Result;
use clap::{ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("migrate")
        .about("Upgrade every manifest to the current schema, keeping comments (one commit)")
        .after_help("Examples:\n  glix migrate --dry-run\n  glix migrate")
}

pub fn exec(g: &Global, _m: &ArgMatches) -> Result<i32> {
    match glix::ops::migrate(&g.context()?)? {
        Some(outcome) => g.report(&outcome)?,
        None => {
            if !g.quiet {
                eprintln!("nothing to migrate: every manifest is at schema {}", glix::manifest::CURRENT_SCHEMA);
            }
        }
    }
    Ok(0)
}
