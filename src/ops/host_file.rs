//! `hosts/<host>/default.nix`, the host's own configuration, which `glix init` and
//! `glix host add` write once (the user owns it after). A fresh host says what a NixOS
//! machine needs to be honest about — its name, its `--user`, the `system.stateVersion`
//! of the release it starts on — and an adopted one imports the machine's own files and
//! adds only what they do not say, weaker than anything they say.

use crate::flake::escape_nix_string;

/// Which host file to write.
#[derive(Debug, Clone)]
pub enum HostFile<'a> {
    Fresh {
        host: &'a str,
        user: Option<&'a str>,
        state_version: &'a str,
        /// `hosts/<host>/hardware-configuration.nix` is there already: import it.
        hardware: bool,
    },
    Adopted {
        /// Where the configuration came from (`/etc/nixos`), for the comment.
        from: String,
        /// The machine's files to import (`configuration.nix`).
        imports: Vec<String>,
        /// Set only when the configuration does not set them.
        host_name: Option<&'a str>,
        state_version: Option<&'a str>,
        user: Option<&'a str>,
    },
}

/// The home-manager wiring every host file has: glix's home-scope packages per user,
/// with the system's stateVersion as home-manager's (never a release of its own).
const HOME: &str = "  # Home-scope packages of glix.toml, per user, as home-manager modules.
  home-manager.useGlobalPkgs = lib.mkDefault true;
  home-manager.users = lib.mapAttrs
    (_user: modules: { imports = modules ++ [ { home.stateVersion = lib.mkDefault config.system.stateVersion; } ]; })
    manifest.homeModulesByUser;
";

fn q(s: &str) -> String {
    // Host names, user names and releases are checked by ident.rs before they get here.
    format!("\"{}\"", escape_nix_string(s).unwrap_or_default())
}

impl HostFile<'_> {
    pub fn render(&self) -> String {
        match self {
            HostFile::Fresh { host, user, state_version, hardware } => {
                let mut s = String::from(
                    "# This host's own configuration: hardware, users, anything else. glix writes this\n\
                     # file once (`glix init` / `glix host add`) and never again; it is yours.\n\
                     { config, lib, manifest, ... }:\n{\n",
                );
                if *hardware {
                    s.push_str("  # The machine's hardware (file systems, boot loader), as nixos-generate-config wrote it.\n");
                    s.push_str("  imports = [ ./hardware-configuration.nix ];\n\n");
                } else {
                    s.push_str(&format!(
                        "  # The machine's hardware (file systems, boot loader): without it the host does not\n  \
                         # boot, and `glix doctor` says so. On the machine, write it with\n  \
                         #   nixos-generate-config --show-hardware-config > hosts/{host}/hardware-configuration.nix\n  \
                         # then `git add` it and uncomment the next line (or adopt the machine's whole\n  \
                         # configuration instead: `glix host add {host} --from /etc/nixos`).\n  \
                         # imports = [ ./hardware-configuration.nix ];\n\n"
                    ));
                }
                s.push_str(&format!("  networking.hostName = {};\n\n", q(host)));
                if let Some(u) = user {
                    s.push_str(&format!("  users.users.{u}.isNormalUser = true;\n\n"));
                }
                s.push_str(HOME);
                s.push_str(&format!(
                    "\n  # The NixOS release this host was first installed with: leave it as it is when you\n  \
                     # upgrade (stateful services read it to keep their data's format).\n  \
                     system.stateVersion = {};\n}}\n",
                    q(state_version)
                ));
                s
            }
            HostFile::Adopted { from, imports, host_name, state_version, user } => {
                let mut s = format!(
                    "# This host's own configuration. glix wrote it once (adopting {from}) and never\n\
                     # writes it again; it is yours, as are the files it imports: the machine's own\n\
                     # configuration as it was there.\n\
                     {{ config, lib, manifest, ... }}:\n{{\n  imports = [ {} ];\n\n",
                    imports.iter().map(|i| format!("./{i}")).collect::<Vec<_>>().join(" ")
                );
                if host_name.is_some() || state_version.is_some() || user.is_some() {
                    s.push_str("  # What the configuration did not say, weaker than anything it says (1200: below lib.mkDefault).\n");
                }
                if let Some(h) = host_name {
                    s.push_str(&format!("  networking.hostName = lib.mkOverride 1200 {};\n", q(h)));
                }
                if let Some(v) = state_version {
                    s.push_str(&format!("  system.stateVersion = lib.mkOverride 1200 {};\n", q(v)));
                }
                if let Some(u) = user {
                    s.push_str(&format!("  users.users.{u}.isNormalUser = lib.mkOverride 1200 true;\n"));
                }
                if host_name.is_some() || state_version.is_some() || user.is_some() {
                    s.push('\n');
                }
                s.push_str(HOME);
                s.push_str("}\n");
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_host_file_is_what_glix_writes_for_a_fresh_host() {
        let fresh = HostFile::Fresh { host: "laptop", user: Some("alice"), state_version: "25.11", hardware: false };
        assert_eq!(fresh.render(), include_str!("../../nix/templates/default/hosts/laptop/default.nix"));
    }

    #[test]
    fn an_adopted_host_file_writes_only_what_the_configuration_does_not_say() {
        let a = HostFile::Adopted { from: "/etc/nixos".into(), imports: vec!["configuration.nix".into()], host_name: None, state_version: None, user: None };
        let text = a.render();
        assert!(text.contains("imports = [ ./configuration.nix ];"));
        assert!(!text.contains("stateVersion = lib.mkOverride") && !text.contains("hostName") && !text.contains("users.users"), "{text}");
        let b = HostFile::Adopted {
            from: "/x".into(),
            imports: vec!["configuration.nix".into()],
            host_name: Some("box"),
            state_version: Some("23.05"),
            user: None,
        };
        assert!(b.render().contains("networking.hostName = lib.mkOverride 1200 \"box\";"));
        assert!(b.render().contains("system.stateVersion = lib.mkOverride 1200 \"23.05\";"));
    }
}
