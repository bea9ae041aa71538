use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("search")
        .about("Search the glix registry index")
        .arg(Arg::new("term").value_name("TERM").help("Matched against names and descriptions, ignoring case [default: list every entry]"))
        .after_help("Examples:\n  glix search\n  glix search editor\n  glix search editor --json --registry file:///srv/registry.json")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let term = m.get_one::<String>("term").map(String::as_str).unwrap_or("");
    let results = glix::resolve::search(term, &g.resolve_options())?;
    for w in &results.warnings {
        eprintln!("warning: {w}");
    }
    if g.json {
        let v: Vec<serde_json::Value> = results
            .hits
            .iter()
            .map(|e| serde_json::json!({ "name": e.name, "flake": e.flake.to_url(), "description": e.description, "scope": e.scope, "output": e.output }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if results.hits.is_empty() {
        match term {
            "" => eprintln!("{} lists no packages", results.registry_url),
            _ => eprintln!("nothing in {} matches '{term}'", results.registry_url),
        }
        return Ok(());
    }
    let rows: Vec<[String; 3]> = results.hits.iter().map(|e| [e.name.clone(), e.flake.to_url(), e.description.clone().unwrap_or_default()]).collect();
    crate::list::print_table(&["NAME", "FLAKE", "DESCRIPTION"], &rows);
    Ok(())
}
