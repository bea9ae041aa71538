use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::ops::Severity;

use crate::global::Global;

pub fn command() -> Command {
    Command::new("doctor")
        .about("Check the repo's invariants (markers, regions, manifests, lock, Nix, plugin); --fix repairs what it can")
        .arg(Arg::new("fix").long("fix").action(ArgAction::SetTrue).help("Regenerate the regions and re-lock, as one commit"))
        .after_help("Exit status is 0 only when every check passes (a missing plugin is only a warning).\n\nExamples:\n  glix doctor\n  glix doctor --json\n  glix doctor --fix")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<i32> {
    let dir = g.repo_dir();
    let mut report = glix::ops::doctor(&dir);
    if m.get_flag("fix") {
        if report.healthy() {
            if !g.quiet {
                eprintln!("nothing to fix: every check passes");
            }
        } else {
            // Rolls back a left journal first — or, when its files were changed since,
            // keeps them and forgets it: the one way out of a refused recovery.
            let g = Global { keep_changed_files: true, ..g.clone() };
            let ctx = g.context()?;
            match glix::ops::doctor_fix(&ctx) {
                Ok(outcome) => g.report(&outcome)?,
                Err(glix::ops::OpError::Txn(glix::txn::TxnError::NothingChanged)) => {}
                Err(e) => eprintln!("glix doctor --fix could not regenerate and re-lock: {e}"),
            }
            // Checked again: the report is of the repo as the fix left it (a rolled-back
            // journal included, even when there was nothing else to change).
            report = glix::ops::doctor(&dir);
        }
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for c in &report.checks {
            let mark = match c.status {
                Severity::Ok => "ok  ",
                Severity::Warning => "warn",
                Severity::Error => "FAIL",
            };
            println!("{mark} {:<10} {}", c.name, c.detail.replace('\n', "\n                "));
            if let Some(h) = c.hint.as_ref().filter(|_| c.status != Severity::Ok) {
                println!("                fix: {h}");
            }
        }
        if m.get_flag("fix") && !report.healthy() {
            println!("\nglix doctor --fix repaired what it could; the checks marked FAIL need you (see `fix:`)");
        }
    }
    Ok(if report.healthy() { 0 } else { 1 })
}
