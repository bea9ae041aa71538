use anyhow::Result;
use clap::{Arg, ArgMatches, Command};
use clap_complete::Shell;

use crate::global::Global;

pub fn command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script")
        .arg(Arg::new("shell").value_name("SHELL").required(true).value_parser(clap::value_parser!(Shell)).help("The shell to write the completion script for"))
        .after_help("Examples:\n  glix completions bash > ~/.local/share/bash-completion/completions/glix\n  glix completions zsh > ~/.zfunc/_glix\n  glix completions fish > ~/.config/fish/completions/glix.fish")
}

pub fn exec(_g: &Global, m: &ArgMatches) -> Result<()> {
    let shell = *m.get_one::<Shell>("shell").expect("required");
    clap_complete::generate(shell, &mut crate::cli(), "glix", &mut std::io::stdout());
    Ok(())
}
