//! `glix switch | boot | test | build | dry-build`, and `--switch` after a change.
//!
//! On this machine, switch, boot and test build first, show what changes and ask
//! (on a terminal, or with --ask; never with --yes) before nixos-rebuild activates.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::ops::{activate, builds_first, deploy, prepare, DeployRequest, PluginChoice, Refusal};

use crate::global::Global;

/// `--yes` and `--ask`: whether to ask before activating.
pub fn confirm_args() -> [Arg; 2] {
    [
        Arg::new("yes").short('y').long("yes").action(ArgAction::SetTrue).help("Activate without asking (on a terminal glix asks first)"),
        Arg::new("ask")
            .long("ask")
            .action(ArgAction::SetTrue)
            .conflicts_with("yes")
            .help("Ask before activating even when not on a terminal (reads the answer from stdin)"),
    ]
}

/// `--switch` (with `--yes`, `--ask`) for the commands that change the repository.
pub fn switch_args() -> Vec<Arg> {
    let mut v = vec![Arg::new("switch")
        .long("switch")
        .action(ArgAction::SetTrue)
        .help("After the commit, `glix switch` this machine's host to it (if that fails, the commit stays)")];
    v.extend(confirm_args().map(|a| a.requires("switch")));
    v
}

pub fn command(verb: &'static str) -> Command {
    let about = match verb {
        "switch" => "Build the host and make it the running system (nixos-rebuild switch)",
        "boot" => "Build the host and make it the boot default (nixos-rebuild boot)",
        "test" => "Build the host and activate it without adding a boot entry (nixos-rebuild test)",
        "build" => "Build the host (nixos-rebuild build; without nixos-rebuild, evaluate its derivation)",
        _ => "Show what would be built (nixos-rebuild dry-build)",
    };
    let mut c = Command::new(verb)
        .about(about)
        .arg(Arg::new("target-host").long("target-host").value_name("USER@HOST").help("Deploy to this machine over SSH [default: the manifest's target-host]"))
        .arg(Arg::new("build-host").long("build-host").value_name("USER@HOST").help("Build on this machine over SSH"))
        .arg(Arg::new("use-remote-sudo").long("use-remote-sudo").action(ArgAction::SetTrue).help("Use sudo on the target host"))
        .args(plugin_args())
        .arg(Arg::new("extra").value_name("EXTRA").num_args(0..).last(true).help("Passed to nixos-rebuild as they are (after --)"));
    if matches!(verb, "switch" | "boot" | "test") {
        c = c.args(confirm_args());
    }
    if verb == "switch" {
        c = c.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .conflicts_with("target-host")
                .help("Deploy the fleet: with an engine enabled (`glix fleet enable`), hand every host to colmena or deploy-rs; else run nixos-rebuild for each host that has a target-host, one after another (the small-fleet path)"),
        )
        .arg(
            Arg::new("on")
                .long("on")
                .value_name("HOST|@TAG,…")
                .requires("all")
                .help("With --all: only these hosts and the hosts with these tags (comma-separated; `@web` is tag web)"),
        );
    }
    let flow = if matches!(verb, "switch" | "boot" | "test") {
        "On this machine (no --target-host, --build-host or --all, and no target-host in the manifest)\n\
         glix first builds the host's toplevel (`nix build`, with progress), prints what changes against\n\
         the running system (/run/current-system, or GLIX_CURRENT_SYSTEM): packages added, removed and\n\
         changed with their versions, and the size; asks on a terminal (--yes: never, --ask: also off a\n\
         terminal); then runs `nixos-rebuild VERB --flake REPO#HOST` to activate it, and records what it\n\
         activated (glix log). When the host already runs that very system it says so and activates\n\
         nothing. Exit status: nixos-rebuild's; 1 when the build fails, is interrupted or the answer is\n\
         no (then nothing was activated).\n\n"
    } else {
        ""
    };
    c.after_help(format!(
        "{flow}Examples:\n  glix {verb}\n  glix {verb} --host desk --target-host root@desk.lan -- --show-trace{}",
        if verb == "switch" { "\n  glix switch --yes\n  glix switch --all\n  glix switch --all --on @web,db1" } else { "" }
    ))
}

/// Whether to ask before activating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// On a terminal only.
    Terminal,
    Always,
    Never,
}

impl Ask {
    fn of(m: &ArgMatches) -> Ask {
        let flag = |name: &str| m.try_get_one::<bool>(name).ok().flatten().copied().unwrap_or(false);
        match (flag("yes"), flag("ask")) {
            (true, _) => Ask::Never,
            (_, true) => Ask::Always,
            _ => Ask::Terminal,
        }
    }

    fn asks(self) -> bool {
        match self {
            Ask::Always => true,
            Ask::Never => false,
            Ask::Terminal => std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        }
    }
}

fn request(g: &Global, m: &ArgMatches, verb: &str) -> DeployRequest {
    let plugin = match (m.try_get_one::<PathBuf>("plugin").ok().flatten(), m.try_get_one::<bool>("no-plugin").ok().flatten().copied().unwrap_or(false)) {
        (Some(p), _) => PluginChoice::Explicit(p.clone()),
        (None, true) => PluginChoice::Off,
        (None, false) => PluginChoice::Auto,
    };
    let get = |name: &str| m.try_get_one::<String>(name).ok().flatten().cloned();
    DeployRequest {
        verb: verb.to_string(),
        host: g.host.clone(),
        all: m.try_get_one::<bool>("all").ok().flatten().copied().unwrap_or(false),
        on: m.try_get_one::<String>("on").ok().flatten().cloned(),
        target_host: get("target-host"),
        build_host: get("build-host"),
        use_remote_sudo: m.try_get_one::<bool>("use-remote-sudo").ok().flatten().copied().unwrap_or(false),
        plugin,
        extra: m.try_get_many::<String>("extra").ok().flatten().into_iter().flatten().cloned().collect(),
    }
}

/// Build, show, ask, activate: `glix switch | boot | test` on this machine.
fn here(g: &Global, repo: &glix::repo::Repo, req: &DeployRequest, ask: Ask) -> Result<i32> {
    let (p, notes) = match prepare(repo, req) {
        Ok(prepared) => prepared,
        Err(e) => {
            // Nix's error first (a failed build names its derivation and log), then
            // what it means for the machine.
            crate::global::report_error(&e.into(), false, g.json);
            if !g.json {
                eprintln!("nothing was activated");
            }
            return Ok(1);
        }
    };
    for n in notes.iter().filter(|_| !g.quiet) {
        eprintln!("note: {n}");
    }
    let json = |activated: bool, run: Option<&glix::ops::HostRun>| {
        serde_json::json!({
            "host": p.host, "verb": p.verb, "system": p.system, "running": p.running, "diff": p.diff,
            "commit": p.commit, "dirty": p.dirty, "activated": activated,
            "exitCode": run.map(|r| r.exit_code), "generation": run.and_then(|r| r.generation),
        })
    };
    if !g.json && !g.quiet {
        match (&p.diff, &p.running) {
            (Some(d), Some(running)) => {
                println!("{}: {running} → {}", p.host, p.system);
                print!("{}", d.render());
            }
            _ => println!("{}: built {}", p.host, p.system),
        }
    }
    if p.unchanged() {
        if g.json {
            println!("{}", serde_json::to_string_pretty(&json(false, None))?);
        } else if !g.quiet {
            eprintln!("{} already runs this system; nothing to activate", p.host);
        }
        return Ok(0);
    }
    if ask.asks() && !confirm(&format!("{} {} on this machine?", verb_question(&p.verb), p.host))? {
        return Err(Refusal::Declined(p.host.clone()).into());
    }
    let (run, notes) = activate(repo, req, &p)?;
    for n in notes.iter().filter(|_| !g.quiet) {
        eprintln!("note: {n}");
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&json(run.exit_code == 0, Some(&run)))?);
    } else if run.exit_code == 0 && !g.quiet {
        let generation = run.generation.map(|n| format!(" (generation {n})")).unwrap_or_default();
        eprintln!("{}: {} activated{generation}", p.host, p.system);
    }
    Ok(run.exit_code)
}

fn verb_question(verb: &str) -> &'static str {
    match verb {
        "switch" => "Switch to the new system of",
        "boot" => "Make the new system the boot default of",
        _ => "Activate (test) the new system of",
    }
}

/// Ask a yes/no question on stderr and read the answer from stdin; no unless it is
/// y or yes. Ctrl-C (or the end of the input) while waiting is a no.
fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = Vec::new();
    loop {
        if glix::txn::INTERRUPTED.load(Ordering::SeqCst) {
            eprintln!();
            return Ok(false);
        }
        let mut fds = libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 };
        // SAFETY: `fds` is one valid pollfd that outlives the call.
        let ready = unsafe { libc::poll(&mut fds, 1, 100) };
        if ready <= 0 {
            continue;
        }
        let mut byte = [0u8; 1];
        // SAFETY: reading at most one byte into a buffer of one byte from fd 0.
        let n = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
        if n <= 0 || byte[0] == b'\n' {
            break;
        }
        answer.push(byte[0]);
    }
    let answer = String::from_utf8_lossy(&answer).trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

/// After a change committed with `--switch`: switch this machine's host to it. When
/// that fails, the commit stays; glix says so and how to go back. The exit status is
/// the switch's.
pub fn switch_after(g: &Global, m: &ArgMatches) -> Result<i32> {
    if g.dry_run {
        eprintln!("dry run: nothing to switch to");
        return Ok(0);
    }
    let repo = g.open_repo()?;
    let code = match run(g, &repo, &request(g, m, "switch"), Ask::of(m)) {
        Ok(code) => code,
        Err(e) => {
            crate::global::report_error(&e, false, g.json);
            1
        }
    };
    if code != 0 {
        let head = glix::repo::git::head(&repo).ok().flatten().map(|h| h[..12.min(h.len())].to_string()).unwrap_or_default();
        eprintln!("the change stays committed ({head}), but the switch did not happen; to go back: `glix undo --switch`");
    }
    Ok(code)
}

pub fn exec(g: &Global, m: &ArgMatches, verb: &str) -> Result<i32> {
    run(g, &g.open_repo()?, &request(g, m, verb), Ask::of(m))
}

/// Here (build, show, ask, activate), or handed to nixos-rebuild as it is.
fn run(g: &Global, repo: &glix::repo::Repo, req: &DeployRequest, ask: Ask) -> Result<i32> {
    if builds_first(repo, req)? {
        return here(g, repo, req, ask);
    }
    let report = deploy(repo, req)?;
    for n in report.notes.iter().filter(|_| !g.quiet) {
        eprintln!("note: {n}");
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for r in &report.runs {
            if let Some(d) = r.drv_path.as_ref().filter(|_| !g.quiet) {
                println!("{d}");
            }
        }
        if req.all && !g.quiet {
            let rows: Vec<[String; 4]> = report
                .runs
                .iter()
                .map(|r| {
                    [
                        r.host.clone(),
                        r.target.clone().unwrap_or_default(),
                        if r.exit_code == 0 { "ok".into() } else { format!("failed (exit {})", r.exit_code) },
                        format!("{:.1}s", r.seconds),
                    ]
                })
                .collect();
            println!();
            if let Some(h) = &report.handed_to {
                println!("glix handed these hosts to {}: {}", h.engine, h.argv.join(" "));
            }
            crate::list::print_table(&["HOST", "TARGET", "RESULT", "TIME"], &rows);
        }
    }
    Ok(report.exit_code())
}

/// `--plugin PATH` and `--no-plugin`, for every command that has Nix evaluate a host.
pub fn plugin_args() -> [Arg; 2] {
    [
        Arg::new("plugin")
            .long("plugin")
            .value_name("PATH")
            .value_parser(clap::value_parser!(PathBuf))
            .help("Load this glix plugin into Nix [default: GLIX_PLUGIN or the one next to glix, when it loads]"),
        Arg::new("no-plugin").long("no-plugin").action(ArgAction::SetTrue).conflicts_with("plugin").help("Never load the glix plugin"),
    ]
}
