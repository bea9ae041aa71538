use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::ops::Severity;

use crate::global::{outcome_json, Global, Report};

pub fn command() -> Command {
    Command::new("doctor")
        .about(
            "Check the repo's invariants (markers, regions, manifests, lock, the hosts' NixOS assertions and imports, Nix, plugin); --fix repairs what it can",
        )
        .arg(Arg::new("fix").long("fix").action(ArgAction::SetTrue).help("Regenerate the regions and re-lock, as one commit"))
        .after_help(
            "Exit status is 0 only when every check passes (a missing plugin is only a warning, and so is what a\n\
             flake cannot evaluate purely). `boot` evaluates each host and names what keeps it from booting (no\n\
             root file system, no boot loader) with the fix; `imports` fails on a file a host imports that git\n\
             does not track.\n\n\
             With --json, doctor prints the report ({\"checks\": [...]}); with --fix --json, one document holding\n\
             both: {\"version\": 1, \"fix\": FIX, \"report\": REPORT}, where FIX is what a change prints with\n\
             --json (\"noop\": true when there was nothing to fix) or, when the fix failed, {\"error\", \"kind\",\n\
             \"hint\", \"changedNothing\"}, and REPORT is the report of the repo as the fix left it.\n\n\
             Examples:\n  glix doctor\n  glix doctor --json\n  glix doctor --fix",
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<i32> {
    let dir = g.repo_dir();
    let mut report = glix::ops::doctor(&dir);
    // With --fix, what the fix did, for --json.
    let mut fixed = None;
    if m.get_flag("fix") {
        if report.healthy() {
            let reason = "nothing to fix: every check passes".to_string();
            if !g.quiet && !g.json {
                eprintln!("{reason}");
            }
            fixed = Some(outcome_json(&glix::ops::Outcome::noop("glix doctor --fix", reason)));
        } else {
            // Rolls back a left journal first — or, when its files were changed since,
            // keeps them and forgets it: the one way out of a refused recovery.
            let g = Global { keep_changed_files: true, ..g.clone() };
            let ctx = g.context()?;
            fixed = Some(match glix::ops::doctor_fix(&ctx) {
                Ok(outcome) => {
                    if !g.json {
                        g.report(&outcome)?;
                    }
                    outcome_json(&outcome)
                }
                Err(e) => {
                    let r = Report::of(&e.into());
                    if !g.json {
                        eprintln!("glix doctor --fix could not regenerate and re-lock: {}", r.lines.join(": "));
                        if let Some(h) = &r.diagnosis.hint {
                            eprintln!("hint: {h}");
                        }
                    }
                    let mut v = r.json();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("version");
                    }
                    v
                }
            });
            // Checked again: the report is of the repo as the fix left it (a rolled-back
            // journal included, even when there was nothing else to change).
            report = glix::ops::doctor(&dir);
        }
    }
    if g.json {
        let doc = match fixed {
            Some(fix) => serde_json::json!({ "version": 1, "fix": fix, "report": report }),
            None => serde_json::to_value(&report)?,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        // -q: only what failed.
        for c in report.checks.iter().filter(|c| !g.quiet || c.status == Severity::Error) {
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
        if m.get_flag("fix") && !report.healthy() && !g.quiet {
            println!("\nglix doctor --fix repaired what it could; the checks marked FAIL need you (see `fix:`)");
        }
    }
    Ok(if report.healthy() { 0 } else { 1 })
}
