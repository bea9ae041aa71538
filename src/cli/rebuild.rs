//! `glix switch | boot | test | build | dry-build`.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::ops::{deploy, DeployRequest, PluginChoice};

use crate::global::Global;

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
        .arg(
            Arg::new("plugin")
                .long("plugin")
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Load this glix plugin into Nix [default: GLIX_PLUGIN or the one next to glix, when it loads]"),
        )
        .arg(Arg::new("no-plugin").long("no-plugin").action(ArgAction::SetTrue).conflicts_with("plugin").help("Never load the glix plugin"))
        .arg(Arg::new("extra").value_name("EXTRA").num_args(0..).last(true).help("Passed to nixos-rebuild as they are (after --)"));
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
    c.after_help(format!(
        "Examples:\n  glix {verb}\n  glix {verb} --host desk --target-host root@desk.lan -- --show-trace{}",
        if verb == "switch" { "\n  glix switch --all\n  glix switch --all --on @web,db1" } else { "" }
    ))
}

pub fn exec(g: &Global, m: &ArgMatches, verb: &str) -> Result<i32> {
    let repo = g.open_repo()?;
    let plugin = match (m.get_one::<PathBuf>("plugin"), m.get_flag("no-plugin")) {
        (Some(p), _) => PluginChoice::Explicit(p.clone()),
        (None, true) => PluginChoice::Off,
        (None, false) => PluginChoice::Auto,
    };
    let req = DeployRequest {
        verb: verb.to_string(),
        host: g.host.clone(),
        all: m.try_get_one::<bool>("all").ok().flatten().copied().unwrap_or(false),
        on: m.try_get_one::<String>("on").ok().flatten().cloned(),
        target_host: m.get_one::<String>("target-host").cloned(),
        build_host: m.get_one::<String>("build-host").cloned(),
        use_remote_sudo: m.get_flag("use-remote-sudo"),
        plugin,
        extra: m.get_many::<String>("extra").into_iter().flatten().cloned().collect(),
    };
    let report = deploy(&repo, &req)?;
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
