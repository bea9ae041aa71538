//! `glix`: manage a NixOS system declaratively from one git repo.
//!
//! This layer parses arguments and renders results and errors for a person; the work
//! happens in the `glix` library (`glix::ops`). One file per subcommand, each with
//! `command()` (its clap definition) and `exec()`.

mod add;
mod completions;
mod config;
mod enable;
mod global;
mod host;
mod init;
mod list;
mod log;
mod man;
mod manifest;
mod remove;
mod restore;
mod search;
mod show;
mod undo;
mod update;

use std::process::ExitCode;

use clap::{ArgMatches, Command};

const AFTER_HELP: &str = "\
Every change (add, remove, enable, disable, config, update, host, undo, restore) edits the
host manifests (hosts/<host>/glix.toml), regenerates the glix-managed regions of flake.nix,
re-locks, and makes exactly one git commit. If anything fails, every file is restored and
no commit is made.

Exit status:
  0  success
  1  the command failed (the message says why and what to do; a failed change changed nothing)
  2  the command line was wrong

Environment:
  GLIX_REPO      the user-packages flake (default ~/.config/glixos)
  GLIX_REGISTRY  the glix registry index URL
  GLIX_NIX       the nix binary to run (default: nix on PATH)
  NO_COLOR       disable colours";

/// The whole command line, also used for completions and the man page.
pub fn cli() -> Command {
    Command::new("glix")
        .about("Manage a NixOS system declaratively from one git repo")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(AFTER_HELP)
        .args(global::args())
        .subcommands([
            init::command(),
            add::command(),
            remove::command(),
            enable::command(true),
            enable::command(false),
            config::command(),
            list::command(),
            show::command(),
            update::command(),
            host::command(),
            undo::command(),
            log::command(),
            restore::command(),
            search::command(),
            manifest::command(),
            completions::command(),
            man::command(),
        ])
}

/// Commands that change the repository (their errors end with "nothing was changed").
const MUTATIONS: &[&str] = &["init", "add", "remove", "enable", "disable", "config", "update", "host", "undo", "restore"];

fn main() -> ExitCode {
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    let matches = cli().get_matches();
    let g = global::Global::from_matches(&matches);
    // Ctrl-C: Nix (in our process group) stops on its own; glix notices before it
    // commits and rolls back.
    let _ = ctrlc::set_handler(|| glix::ops::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let (name, m) = matches.subcommand().expect("clap requires a subcommand");
    let result = run(&g, name, m);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let read_only = matches!(m.subcommand_name(), Some("list"));
            global::report_error(&e, MUTATIONS.contains(&name) && !read_only);
            ExitCode::FAILURE
        }
    }
}

fn run(g: &global::Global, name: &str, m: &ArgMatches) -> anyhow::Result<()> {
    match name {
        "init" => init::exec(g, m),
        "add" => add::exec(g, m),
        "remove" => remove::exec(g, m),
        "enable" => enable::exec(g, m, true),
        "disable" => enable::exec(g, m, false),
        "config" => config::exec(g, m),
        "list" => list::exec(g, m),
        "show" => show::exec(g, m),
        "update" => update::exec(g, m),
        "host" => host::exec(g, m),
        "undo" => undo::exec(g, m),
        "log" => log::exec(g, m),
        "restore" => restore::exec(g, m),
        "search" => search::exec(g, m),
        "manifest" => manifest::exec(g, m),
        "completions" => completions::exec(g, m),
        "man" => man::exec(g, m),
        _ => unreachable!("clap knows every subcommand"),
    }
}
