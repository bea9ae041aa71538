//! `glix diff [OP]`: what switching would change, without activating anything.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Arg, ArgMatches, Command};
use glix::ops::PluginChoice;

use crate::global::Global;

pub fn command() -> Command {
    Command::new("diff")
        .about("Show what changes from the running system (or an operation's state) to the host as it is now, without activating")
        .arg(Arg::new("op").value_name("OP").help(
            "Compare with the host as it was right after this glix operation (a commit id or its prefix, from `glix log`), built from that commit [default: the running system]",
        ))
        .args(crate::rebuild::plugin_args())
        .after_help(
            "Both sides are built with `nix build` (the running system is /run/current-system, or\n\
             GLIX_CURRENT_SYSTEM). The lines are the packages added, removed and changed, with their\n\
             versions, then the size of each closure. With --json: {\"host\", \"operation\", \"before\",\n\
             \"after\", \"added\", \"removed\", \"changed\", \"sizeBefore\", \"sizeAfter\"}; each package is\n\
             {\"name\", \"before\", \"after\", \"sizeDelta\"} (versions only that side has; bytes).\n\n\
             Examples:\n  glix diff\n  glix diff 4f2c1a2b   # what changed since that operation\n  glix diff --json",
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let plugin = match (m.get_one::<PathBuf>("plugin"), m.get_flag("no-plugin")) {
        (Some(p), _) => PluginChoice::Explicit(p.clone()),
        (None, true) => PluginChoice::Off,
        (None, false) => PluginChoice::Auto,
    };
    let (d, notes) = glix::ops::host_diff(&g.open_repo()?, g.host.as_deref(), m.get_one::<String>("op").map(String::as_str), &plugin)?;
    crate::global::closed_pipe_ends_quietly();
    for n in notes.iter().filter(|_| !g.quiet) {
        eprintln!("note: {n}");
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    let from = match &d.operation {
        Some(op) => format!("after op {}", &op[..12.min(op.len())]),
        None => "the running system".into(),
    };
    println!("{}: {from} ({}) → now ({})", d.host, d.diff.before, d.diff.after);
    print!("{}", d.diff.render());
    Ok(())
}
