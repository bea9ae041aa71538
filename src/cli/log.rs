use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    Command::new("log")
        .about("The history of glix operations (from the trailers of glix commits) and of what glix switch activated, newest first")
        .arg(
            Arg::new("limit")
                .short('n')
                .long("limit")
                .value_name("N")
                .default_value("50")
                .value_parser(clap::value_parser!(usize))
                .help("Show at most N operations"),
        )
        .after_help(
            "With --host, only that host's operations. DATE is the commit's, in UTC. A `switch`, `boot` or `test`\n\
             line is a record of what glix activated (kept under refs/glix/switches, not on the branch): its OP is\n\
             the commit the system was built from, its summary the generation it became.\n\nExamples:\n  glix log\n  glix log --host desk\n  glix log --json -n 5",
        )
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    let entries = glix::ops::glix_log(&g.open_repo()?, *m.get_one::<usize>("limit").expect("default"), g.host.as_deref())?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                e.commit.get(..12).filter(|c| !c.is_empty()).unwrap_or("-").to_string(),
                utc(e.time),
                e.operation.clone(),
                e.host.clone().unwrap_or_else(|| "-".into()),
                e.package.clone().unwrap_or_else(|| "-".into()),
                e.summary.clone(),
            ]
        })
        .collect();
    crate::list::print_table(&["OP", "DATE", "OPERATION", "HOST", "PACKAGE", "SUMMARY"], &rows);
    Ok(())
}

/// A commit time (seconds since the epoch) as `2024-05-01 13:45` in UTC.
fn utc(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00");
        assert_eq!(super::utc(1_714_571_100), "2024-05-01 13:45");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00");
    }
}
