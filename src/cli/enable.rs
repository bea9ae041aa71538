use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command(enable: bool) -> Command {
    let (name, about, example) = if enable {
        ("enable", "Switch a disabled package back on", "glix enable cool-pkg")
    } else {
        ("disable", "Keep a package in glix.toml but leave it out of the system", "glix disable cool-pkg")
    };
    Command::new(name)
        .about(about)
        .args(crate::rebuild::switch_args())
        .arg(Arg::new("name").value_name("NAME").required(true).help("The package (as `glix list` names it)"))
        .after_help(format!("Example:\n  {example}"))
}

pub fn exec(g: &Global, m: &ArgMatches, enable: bool) -> Result<()> {
    let name = m.get_one::<String>("name").expect("required");
    g.report(&glix::ops::set_enabled(&g.context()?, g.host.as_deref(), name, enable)?)
}
