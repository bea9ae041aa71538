use anyhow::Result;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::global::Global;

pub fn command() -> Command {
    let name = || Arg::new("name").value_name("HOST").required(true).help("The host's name (its directory under hosts/ and its nixosConfigurations attribute)");
    Command::new("host")
        .about("Add, remove, change or list hosts")
        .subcommand_required(true)
        .subcommand(
            Command::new("add")
                .about("Add a host (hosts/HOST/glix.toml, hosts/HOST/default.nix, a line in flake.nix)")
                .arg(name())
                .arg(Arg::new("system").long("system").value_name("SYSTEM").help("The Nix system the host runs (x86_64-linux, aarch64-linux, ...; a malformed one is refused, an unknown one warned about) [default: x86_64-linux]"))
                .arg(Arg::new("user").long("user").value_name("USER").help("The host's default user (declared in users.users)"))
                .arg(
                    Arg::new("from")
                        .long("from")
                        .value_name("DIR")
                        .value_parser(clap::value_parser!(std::path::PathBuf))
                        .help("Adopt that machine's NixOS configuration (a copy of its /etc/nixos): its files go into hosts/HOST/"),
                )
                .arg(crate::init::state_version_arg())
                .arg(
                    Arg::new("target-host")
                        .long("target-host")
                        .value_name("[USER@]HOST[:PORT]")
                        .help("Where the host is deployed over SSH (`glix switch --all`, colmena, deploy-rs); without it the host is deployed only locally"),
                )
                .arg(
                    Arg::new("tag")
                        .long("tag")
                        .value_name("TAG")
                        .action(ArgAction::Append)
                        .help("A tag of the host, for `glix switch --all --on @TAG` and colmena's tags (repeat for several)"),
                )
                .arg(
                    Arg::new("build-on-target")
                        .long("build-on-target")
                        .action(ArgAction::SetTrue)
                        .help("Build the system on the target machine rather than here (colmena and deploy-rs)"),
                )
                .after_help(
                    "A hosts/HOST/ without a glix.toml (your own files, or what `host remove` kept) is taken as it is:\n\
                     glix adds the manifest and writes none of your files over.\n\n\
                     Examples:\n  glix host add desk --system aarch64-linux --user alice\n  glix host add server --from ./server-etc-nixos\n  glix host add web1 --target-host root@web1.lan --tag web --tag eu",
                ),
        )
        .subcommand(
            Command::new("set")
                .about("Change a host's deployment fields in its glix.toml (one commit; the rest of the file stays as it is)")
                .arg(name())
                .arg(
                    Arg::new("pairs")
                        .value_name("KEY=VALUE")
                        .required(true)
                        .action(ArgAction::Append)
                        .help("target-host=[USER@]HOST[:PORT], tags=TAG,TAG… or build-on-target=true|false; KEY= (empty) unsets KEY"),
                )
                .after_help("Examples:\n  glix host set web1 target-host=root@web1.lan:2222 tags=web,eu\n  glix host set web1 build-on-target=true\n  glix host set web1 target-host= tags="),
        )
        .subcommand(Command::new("remove").about("Remove a host's manifest and its line in flake.nix (your own files in hosts/HOST stay)").arg(name()))
        .subcommand(Command::new("list").about("List the hosts"))
}

pub fn exec(g: &Global, m: &ArgMatches) -> Result<()> {
    match m.subcommand() {
        Some(("add", m)) => {
            let name = m.get_one::<String>("name").expect("required");
            let tags: Vec<&str> = m.get_many::<String>("tag").into_iter().flatten().map(String::as_str).collect();
            let fields = glix::ops::HostFields {
                target_host: m.get_one::<String>("target-host").map(|t| Some(t.clone())),
                tags: if tags.is_empty() { None } else { Some(glix::ops::parse_tags(tags)?) },
                build_on_target: m.get_flag("build-on-target").then_some(Some(true)),
            };
            let req = glix::ops::HostRequest {
                name: Some(name),
                system: m.get_one::<String>("system").map(String::as_str),
                user: m.get_one::<String>("user").map(String::as_str),
                state_version: m.get_one::<String>("state-version").map(String::as_str),
                from: m.get_one::<std::path::PathBuf>("from").map(std::path::PathBuf::as_path),
            };
            g.report(&glix::ops::host_add_with(&g.context()?, &req, &fields)?)
        }
        Some(("set", m)) => {
            let name = m.get_one::<String>("name").expect("required");
            let fields = glix::ops::HostFields::parse(&crate::config::pairs(m.get_many::<String>("pairs").into_iter().flatten())?)?;
            g.report(&glix::ops::host_set(&g.context()?, name, &fields)?)
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
                    "targetHost": m.host.target_host,
                    "tags": m.host.tags,
                    "buildOnTarget": m.host.build_on_target,
                    "packages": m.packages.len(),
                }));
            }
            if g.json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let table: Vec<[String; 6]> = rows
                    .iter()
                    .map(|r| {
                        [
                            r["host"].as_str().unwrap_or("").to_string(),
                            r["system"].as_str().unwrap_or("").to_string(),
                            r["defaultUser"].as_str().unwrap_or("-").to_string(),
                            r["targetHost"].as_str().unwrap_or("-").to_string(),
                            match r["tags"].as_array() {
                                Some(t) if !t.is_empty() => t.iter().filter_map(|t| t.as_str()).collect::<Vec<_>>().join(","),
                                _ => "-".into(),
                            },
                            r["packages"].to_string(),
                        ]
                    })
                    .collect();
                crate::list::print_table(&["HOST", "SYSTEM", "USER", "TARGET", "TAGS", "PACKAGES"], &table);
            }
            Ok(())
        }
        _ => unreachable!("clap requires a subcommand"),
    }
}
