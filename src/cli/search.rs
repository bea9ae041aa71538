use anyhow::Result;
use clap::{Arg, ArgMatches, Command};
use glix::ops::SearchHit;

use crate::global::Global;

pub fn command() -> Command {
    Command::new("search")
        .about("Search the glix registry and the packages of the repo's locked nixpkgs")
        .arg(
            Arg::new("term")
                .value_name("TERM")
                .help("Matched against names (nixpkgs: attribute paths and package names) and descriptions, ignoring case [default: list every entry]"),
        )
        .after_help(
            "In a repo, the nixpkgs its flake.lock locks is indexed once per revision (one `nix search`, \
             kept in $XDG_CACHE_HOME/glix/nixpkgs-index); later searches evaluate nothing and work offline.\n\n\
             Examples:\n  glix search\n  glix search ripgrep\n  glix search editor --json --registry file:///srv/registry.json",
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let term = m.get_one::<String>("term").map(String::as_str).unwrap_or("");
    let repo = g.open_repo().ok();
    let mut iopts = glix::nixpkgs_index::IndexOptions::new();
    iopts.offline = g.offline;
    let quiet = g.quiet;
    let report = glix::ops::search(term, repo.as_ref().map(|r| r.root()), &g.resolve_options(), &iopts, &mut |n| {
        if !quiet {
            eprintln!("indexing nixpkgs {} (once per nixpkgs revision)…", n.short());
        }
    });
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if !g.quiet {
        for n in &report.notes {
            eprintln!("note: {n}");
        }
    }
    if let Some(e) = report.failure {
        return Err(e.into());
    }
    if g.json {
        let v: Vec<serde_json::Value> = report.hits.iter().map(hit_json).collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if report.hits.is_empty() {
        let nixpkgs = report.nixpkgs.as_ref().map(|n| format!(" or nixpkgs {}", n.short())).unwrap_or_default();
        match term {
            "" => eprintln!("neither {}{nixpkgs} lists any packages", report.registry_url),
            _ => eprintln!("nothing in {}{nixpkgs} matches '{term}'", report.registry_url),
        }
        return Ok(());
    }
    let rows: Vec<[String; 5]> = report
        .hits
        .iter()
        .map(|h| {
            let flake = match h {
                SearchHit::Registry(e) => e.flake.to_url(),
                SearchHit::Nixpkgs(_) => "-".into(),
            };
            [h.name().to_string(), h.version().unwrap_or("-").to_string(), h.source().to_string(), flake, h.description().unwrap_or("").to_string()]
        })
        .collect();
    crate::list::print_table(&["NAME", "VERSION", "SOURCE", "FLAKE", "DESCRIPTION"], &rows);
    if !g.quiet {
        let registry = report.hits.iter().any(|h| matches!(h, SearchHit::Registry(_)));
        let nixpkgs = report.hits.iter().find(|h| matches!(h, SearchHit::Nixpkgs(_)));
        match (registry, nixpkgs) {
            (true, None) => eprintln!("add one with `glix add NAME`"),
            (true, Some(n)) => eprintln!("add one with `glix add NAME` (registry) or `glix add nixpkgs#<attr>` (nixpkgs), e.g. `glix add {}`", n.add_ref()),
            (false, Some(n)) => eprintln!("add one with `glix add nixpkgs#<attr>`, e.g. `glix add {}`", n.add_ref()),
            (false, None) => {}
        }
    }
    Ok(())
}

/// One hit as `--json` prints it. `packageVersion`, not `version`: in glix's JSON,
/// `version` is a document's format version (the error object's `"version": 1`).
fn hit_json(h: &SearchHit) -> serde_json::Value {
    match h {
        SearchHit::Registry(e) => serde_json::json!({
            "source": h.source(), "name": e.name, "packageVersion": null, "description": e.description,
            "flake": e.flake.to_url(), "scope": e.scope, "output": e.output,
        }),
        SearchHit::Nixpkgs(p) => serde_json::json!({
            "source": h.source(), "name": p.attr, "packageVersion": h.version(), "description": h.description(), "pname": p.pname,
        }),
    }
}
