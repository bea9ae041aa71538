use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("log")
        .about("The history of glix operations (from the trailers of glix commits)")
        .arg(Arg::new("limit").short('n').long("limit").value_name("N").default_value("50").value_parser(clap::value_parser!(usize)))
        .after_help("Examples:\n  glix log\n  glix log --json -n 5")
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let entries = glix::ops::glix_log(&g.open_repo()?, *m.get_one::<usize>("limit").expect("default"))?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            [
                e.commit[..12].to_string(),
                e.operation.clone(),
                e.host.clone().unwrap_or_else(|| "-".into()),
                e.package.clone().unwrap_or_else(|| "-".into()),
                e.summary.clone(),
            ]
        })
        .collect();
    crate::list::print_table(&["OP", "OPERATION", "HOST", "PACKAGE", "SUMMARY"], &rows);
    Ok(())
}
