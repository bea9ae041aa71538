//! Options every subcommand shares, and how errors reach the user.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches};

pub struct Global {
    pub repo: Option<PathBuf>,
    pub host: Option<String>,
    pub json: bool,
}

pub fn args() -> Vec<Arg> {
    vec![
        Arg::new("repo")
            .long("repo")
            .global(true)
            .value_name("DIR")
            .env("GLIX_REPO")
            .value_parser(clap::value_parser!(PathBuf))
            .help("The user-packages flake [default: ~/.config/glixos]"),
        Arg::new("host")
            .long("host")
            .global(true)
            .value_name("HOST")
            .help("The host whose manifest to use"),
        Arg::new("json")
            .long("json")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print machine-readable JSON"),
    ]
}

impl Global {
    pub fn from_matches(m: &ArgMatches) -> Global {
        Global {
            repo: m.get_one::<PathBuf>("repo").cloned(),
            host: m.get_one::<String>("host").cloned(),
            json: m.get_flag("json"),
        }
    }

    /// The repo: --repo, GLIX_REPO, or ~/.config/glixos.
    pub fn repo_dir(&self) -> PathBuf {
        self.repo.clone().unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            home.join(".config/glixos")
        })
    }
}

/// Print an error chain as `error: …` followed by its causes.
pub fn report_error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}
