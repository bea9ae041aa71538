use anyhow::Result;
use clap::{Arg, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    let name = || Arg::new("name").value_name("HOST").required(true).help("The host's name (its directory under hosts/ and its nixosConfigurations attribute)");
    Command::new("host")
        .about("Add, remove or list hosts")
        .subcommand_required(true)
        .subcommand(
            Command::new("add")
                .about("Add a host (hosts/HOST/glix.toml, hosts/HOST/default.nix, a line in flake.nix)")
                .arg(name())
                .arg(Arg::new("system").long("system").value_name("SYSTEM").help("The Nix system the host runs (x86_64-linux, aarch64-linux, ...; a malformed one is refused, an unknown one warned about) [default: x86_64-linux]"))
                .arg(Arg::new("user").long("user").value_name("USER").help("The host's default user"))
                .after_help("Example:\n  glix host add desk --system aarch64-linux --user alice"),
        )
        .subcommand(Command::new("remove").about("Remove a host's manifest and its line in flake.nix (your own files in hosts/HOST stay)").arg(name()))
        .subcommand(Command::new("list").about("List the hosts"))
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    match m.subcommand() {
        Some(("add", m)) => {
            let name = m.get_one::<String>("name").expect("required");
            let o =
                glix::ops::host_add(&g.context()?, name, m.get_one::<String>("system").map(String::as_str), m.get_one::<String>("user").map(String::as_str))?;
            g.report(&o)
        }
        Some(("remove", m)) => g.report(&glix::ops::host_remove(&g.context()?, m.get_one::<String>("name").expect("required"))?),
        Some(("list", _)) => {
            let repo = g.open_repo()?;
            let mut rows = Vec::new();
            for h in repo.hosts()? {
                let m = glix::ops::load_manifest(&repo, &h)?;
                rows.push(serde_json::json!({
                    "host": h,
                    "system": m.host.system.clone().unwrap_or_else(|| "x86_64-linux".into()),
                    "defaultUser": m.host.default_user,
                    "packages": m.packages.len(),
                }));
            }
            if g.json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let table: Vec<[String; 4]> = rows
                    .iter()
                    .map(|r| {
                        [
                            r["host"].as_str().unwrap_or("").to_string(),
                            r["system"].as_str().unwrap_or("").to_string(),
                            r["defaultUser"].as_str().unwrap_or("-").to_string(),
                            r["packages"].to_string(),
                        ]
                    })
                    .collect();
                crate::list::print_table(&["HOST", "SYSTEM", "USER", "PACKAGES"], &table);
            }
            Ok(())
        }
        _ => unreachable!("clap requires a subcommand"),
    }
}
