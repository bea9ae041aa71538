use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("man")
        .about("Print the man page (or write one per subcommand with --dir)")
        .arg(Arg::new("dir").long("dir").value_name("DIR").value_parser(clap::value_parser!(PathBuf)).help("Write glix.1 and glix-SUBCOMMAND.1 into DIR"))
        .after_help("Examples:\n  glix man | man -l -\n  glix man --dir ~/.local/share/man/man1")
}

pub fn exec(_g: &Global, m: &ArgMatches) -> Result<()> {
    // Without clap's `help` subcommand, which has no page of its own: the page lists
    // exactly the pages --dir writes.
    let cmd = crate::cli().disable_help_subcommand(true);
    match m.get_one::<PathBuf>("dir") {
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?,
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir).with_context(|| format!("cannot write man pages to {}", dir.display()))?;
        }
    }
    Ok(())
}
