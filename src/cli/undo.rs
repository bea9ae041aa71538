use anyhow::Result;
use clap::{ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("undo")
        .about("Revert the last glix operation, as a new commit (history is never rewritten)")
        .after_help("Running it again reverts the operation before that one.\n\nExample:\n  glix undo --dry-run")
}

pub fn exec(g: &Global, _m: &ArgMatches) -> Result<()> {
    g.report(&glix::ops::undo(&g.context()?)?)
}
