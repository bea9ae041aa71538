use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};
use glix::manifest::Package;

use crate::global::Global;

pub fn command() -> Command {
    Command::new("list")
        .visible_alias("ls")
        .about("List a host's packages (--all-hosts for every host)")
        .arg(Arg::new("all-hosts").long("all-hosts").action(ArgAction::SetTrue).help("List the packages of every host"))
        .after_help("Examples:\n  glix list\n  glix list --all-hosts --json")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let repo = g.open_repo()?;
    let hosts = if m.get_flag("all-hosts") { repo.hosts()? } else { vec![repo.choose_host(g.host.as_deref())?] };
    let mut rows: Vec<(String, Package)> = Vec::new();
    for h in &hosts {
        let (m, note) = glix::ops::read_manifest_any_schema(&repo, h)?;
        if let Some(note) = note {
            eprintln!("note: {note}");
        }
        rows.extend(m.packages.values().map(|p| (h.clone(), p.clone())));
    }
    if g.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(h, p)| {
                let mut v = serde_json::to_value(p).expect("a package serializes");
                v["host"] = h.clone().into();
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if rows.is_empty() {
        if !g.quiet {
            eprintln!("no packages on {}; add one with `glix add REF`", hosts.join(", "));
        }
        return Ok(());
    }
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|(h, p)| {
            [
                h.clone(),
                p.name.clone(),
                p.scope.to_string(),
                p.user.clone().unwrap_or_else(|| "-".into()),
                if p.enable { "yes".into() } else { "no".into() },
                p.source.to_string(),
                p.origin(),
            ]
        })
        .collect();
    print_table(&["HOST", "NAME", "SCOPE", "USER", "ENABLED", "SOURCE", "FROM"], &table);
    Ok(())
}

/// Columns padded to their widest cell.
pub fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut width = header.map(|h| h.chars().count());
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let s: Vec<String> = cells.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = width[i])).collect();
        println!("{}", s.join("  ").trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}
