//! `glix`: manage a NixOS system declaratively from one git repo.
//!
//! This layer parses arguments and renders results and errors for a person; the work
//! happens in the `glix` library (`glix::ops`). One file per subcommand, each with
//! `command()` (its clap definition) and `exec()`.

mod add;
mod completions;
mod config;
mod diff;
mod doctor;
mod enable;
mod fleet;
mod global;
mod host;
mod init;
mod list;
mod log;
mod man;
mod manifest;
mod migrate;
mod move_to;
mod rebuild;
mod remove;
mod rename;
mod restore;
mod search;
mod show;
mod undo;
mod update;

// See Cargo.toml: most of glix's memory is many small, short-lived allocations.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{ArgMatches, Command};

const AFTER_HELP: &str = "\
Every change (add, remove, rename, move, enable, disable, config, update, host, undo, restore, migrate) edits the
host manifests (hosts/<host>/glix.toml), regenerates both glix-managed regions of flake.nix from
every manifest, re-locks, and makes exactly one git commit. If anything fails, every file is
restored and no commit is made. When the regions were stale before the change (a manifest or
flake.nix edited by hand), the commit brings them up to date too and a warning names what else
it changes; a line written by hand inside a region, which the regeneration removes, is named
in a warning (the dry run shows the same warnings).

Exit status:
  0  success, also for a change the repository already says (it says so; no commit)
  1  the command failed (the message says why, `hint:` what to do; a failed change
     changed nothing unless it says otherwise)
  2  the command line was wrong
  switch, boot, test, build and dry-build exit with nixos-rebuild's own status, and switch,
  boot and test with 1 when the build fails, is interrupted or the answer is no (nothing
  activated); a change with --switch exits with its switch's status (the commit stays);
  doctor exits 1 when a check fails

Errors:
  error: what failed (then `caused by:` lines), `hint:` what to do next, and for a change
  that left every file as it was, `nothing was changed`. With --json, a failure prints
  exactly one JSON object on stdout instead, and keeps its exit status:
    {\"version\": 1, \"error\": MESSAGE, \"kind\": KIND, \"hint\": HINT or null, \"changedNothing\": BOOL}
  KIND is stable, kebab-case (no-such-package, dirty, head-moved, nix-failed, ...).

Repository: --repo DIR, else the glix repository the current directory is in
(flake.nix and hosts/ there or in a directory above), else GLIX_REPO, else
~/.config/glixos. Under sudo, which resets HOME and GLIX_REPO, that default is
the invoking user's (SUDO_USER's home).

Environment (every variable glix reads; an empty value counts as unset):
  GLIX_REPO          the user-packages flake, when the current directory is not in one
  GLIX_REGISTRY      the glix registry index URL (as --registry)
  GLIX_NIX           the nix binary to run (default: nix on PATH)
  GLIX_PLUGIN        the glix Nix plugin to load (default: next to the glix binary)
  GLIX_CURRENT_SYSTEM the running system switch, boot, test and diff compare with
                     (default: /run/current-system)
  GLIX_SYSTEM_PROFILE the system profile whose generations switch and boot find
                     (default: /nix/var/nix/profiles/system)
  GLIX_PLUGIN_TIMING set, not 0: the plugin says where evaluation time went
  GLIX_SPEEDUPS_OFF  speed-ups to turn off, comma-separated (summary-cache,
                     model-cache, blob-journal), for the benchmark
  SUDO_USER          under sudo: whose ~/.config/glixos is the default repo
  HOME               for ~/.config/glixos and, without XDG_CACHE_HOME, ~/.cache
  XDG_CACHE_HOME     where the registry cache (XDG_CACHE_HOME/glix/registry) and the
                     nixpkgs index (XDG_CACHE_HOME/glix/nixpkgs-index) live
  GIT_AUTHOR_NAME    with GIT_AUTHOR_EMAIL, the commits' author (else git's
  GIT_AUTHOR_EMAIL   user.name and user.email)
  PATH               where nix, nixos-rebuild and git are found
  NO_COLOR           disable colours";

/// The whole command line, also used for completions and the man page. Global flags
/// are shown only in the help of the commands they mean something to (and refused
/// elsewhere: see [`flag_means_nothing`]).
pub fn cli() -> Command {
    let mut c = full_cli();
    for sc in c.get_subcommands_mut() {
        let name = sc.get_name().to_string();
        // A subcommand's own (hidden) copy of the flag: clap propagates a global flag
        // only to subcommands that do not define it.
        for arg in global::args().into_iter().filter(|a| global::FLAGS.contains(&a.get_id().as_str()) && !global::means_something(a.get_id().as_str(), &name)) {
            *sc = std::mem::take(sc).arg(arg.global(false).hide(true));
        }
    }
    c
}

fn full_cli() -> Command {
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
            rename::command(),
            move_to::command(),
            enable::command(true),
            enable::command(false),
            config::command(),
            list::command(),
            show::command(),
            update::command(),
            host::command(),
            fleet::command(),
            undo::command(),
            log::command(),
            restore::command(),
            diff::command(),
        ])
        .subcommands(glix::ops::VERBS.map(rebuild::command))
        .subcommands([doctor::command(), migrate::command(), search::command(), manifest::command(), completions::command(), man::command()])
}

/// Commands that change the repository (their errors end with "nothing was changed").
const MUTATIONS: &[&str] = &["init", "add", "remove", "rename", "move", "enable", "disable", "config", "update", "host", "fleet", "undo", "restore", "migrate"];

fn main() -> ExitCode {
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    // `glix --help | head` too: until the command is known to change nothing, a closed
    // pipe may end glix (see `global::closed_pipe_ends_quietly`).
    global::closed_pipe_ends_quietly();
    let matches = cli().get_matches();
    let g = global::Global::from_matches(&matches);
    if g.dry_run {
        // A dry run leaves `.git` byte for byte as it was: no cache entries either.
        glix::ops::cache_read_only();
    }
    // Ctrl-C, SIGTERM, SIGHUP: glix stops the nix it runs (nix is in a process group of
    // its own, which the terminal's signal does not reach: src/nix.rs), notices before
    // it commits, and rolls back.
    let _ = ctrlc::set_handler(|| glix::txn::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    glix::nix::stop_when(&glix::txn::INTERRUPTED);
    let (name, m) = matches.subcommand().expect("clap requires a subcommand");
    if let Some(flag) = flag_means_nothing(name, m) {
        eprintln!("error: --{flag} means nothing for `glix {name}`\n\nFor more information, try 'glix {name} --help'.");
        return ExitCode::from(2);
    }
    let changes = MUTATIONS.contains(&name) && !matches!(m.subcommand_name(), Some("list" | "status")) || (name == "doctor" && m.get_flag("fix"));
    if changes {
        global::pipes_fail_writes();
    }
    let result = run(&g, name, m);
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            let read_only = matches!(m.subcommand_name(), Some("list" | "status"));
            global::report_error(&e, MUTATIONS.contains(&name) && !read_only, g.json);
            ExitCode::FAILURE
        }
    }
}

/// A global flag given explicitly to a command it means nothing to (`glix log
/// --dry-run`): a usage error, rather than silently ignored.
fn flag_means_nothing(name: &str, m: &ArgMatches) -> Option<&'static str> {
    global::FLAGS.iter().copied().find(|f| !global::means_something(f, name) && m.value_source(f) == Some(clap::parser::ValueSource::CommandLine))
}

/// Run a subcommand; the result is the exit status (nixos-rebuild's, for the
/// rebuild verbs; 1 from doctor when a check fails).
fn run(g: &global::Global, name: &str, m: &ArgMatches) -> anyhow::Result<i32> {
    let done = |r: anyhow::Result<()>| r.map(|()| 0);
    match name {
        verb if glix::ops::VERBS.contains(&verb) => rebuild::exec(g, m, verb),
        "doctor" => doctor::exec(g, m),
        "migrate" => migrate::exec(g, m),
        _ => {
            run_simple(g, name, m)?;
            // `--switch` on a change (`glix config set` has it on its subcommand):
            // committed, now switch (its status is glix's).
            let leaf = m.subcommand().map_or(m, |(_, sub)| sub);
            if leaf.try_get_one::<bool>("switch").ok().flatten().copied().unwrap_or(false) {
                return rebuild::switch_after(g, leaf);
            }
            done(Ok(()))
        }
    }
}

fn run_simple(g: &global::Global, name: &str, m: &ArgMatches) -> anyhow::Result<()> {
    match name {
        "init" => init::exec(g, m),
        "add" => add::exec(g, m),
        "remove" => remove::exec(g, m),
        "rename" => rename::exec(g, m),
        "move" => move_to::exec(g, m),
        "enable" => enable::exec(g, m, true),
        "disable" => enable::exec(g, m, false),
        "config" => config::exec(g, m),
        "list" => list::exec(g, m),
        "show" => show::exec(g, m),
        "update" => update::exec(g, m),
        "host" => host::exec(g, m),
        "fleet" => fleet::exec(g, m),
        "undo" => undo::exec(g, m),
        "log" => log::exec(g, m),
        "diff" => diff::exec(g, m),
        "restore" => restore::exec(g, m),
        "search" => search::exec(g, m),
        "manifest" => manifest::exec(g, m),
        "completions" => completions::exec(g, m),
        "man" => man::exec(g, m),
        _ => unreachable!("clap knows every subcommand"),
    }
}
