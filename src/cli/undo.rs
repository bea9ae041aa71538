use anyhow::Result;
use clap::{ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("undo").args(crate::rebuild::switch_args()).about("Revert the last glix operation, as a new commit (history is never rewritten)").after_help(
        "Running it again reverts the operation before that one. With --host, the newest operation on that host\n\
             (refused when a later operation elsewhere changed its files). The regions of flake.nix are regenerated\n\
             from the manifests as the undo leaves them.\n\nExamples:\n  glix undo --dry-run\n  glix undo --host desk",
    )
}

pub fn exec(g: &Global, _m: &ArgMatches) -> Result<()> {
    g.report(&glix::ops::undo(&g.context()?, g.host.as_deref())?)
}
