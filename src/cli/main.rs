//! `glix`: manage a NixOS system declaratively from one git repo.
//!
//! This layer parses arguments and renders results and errors for a person; the work
//! happens in the `glix` library. One file per subcommand, each with `command()`
//! (its clap definition) and `exec()`.

mod global;
mod manifest;

use std::process::ExitCode;

use clap::Command;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  the command failed (the message says what to do; a failed change changes nothing)
  2  the command line was wrong

Environment:
  GLIX_REPO   the user-packages flake (default ~/.config/glixos)
  NO_COLOR    disable colours";

fn cli() -> Command {
    Command::new("glix")
        .about("Manage a NixOS system declaratively from one git repo")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(AFTER_HELP)
        .args(global::args())
        .subcommand(manifest::command())
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    let global = global::Global::from_matches(&matches);
    let result = match matches.subcommand() {
        Some(("manifest", m)) => manifest::exec(&global, m),
        _ => unreachable!("clap requires a subcommand"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            global::report_error(&e);
            ExitCode::FAILURE
        }
    }
}
