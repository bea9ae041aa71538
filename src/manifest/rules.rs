//! The validation rules for single values, shared by loading and editing. The pure-Nix
//! fallback in nix/lib/importManifest.nix mirrors these; the corpus tests keep the two
//! in agreement.

/// Package and input names: safe as flake input names and Nix attribute names.
pub fn is_valid_name(s: &str) -> bool {
    crate::flakeref::is_valid_name(s)
}

/// POSIX-portable user names as NixOS accepts them in `users.users`.
pub fn is_valid_user(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A Nix system double such as `x86_64-linux` or `aarch64-darwin`.
pub fn is_valid_system(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// An attribute path such as `nixosModules.default`: dot-separated Nix identifiers.
pub fn is_valid_attr_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            let mut cs = seg.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'' || c == '-')
        })
}

/// An SSH destination for `nixos-rebuild --target-host`: `[user@]host[:port]`, IPv6 in
/// brackets. No spaces, quotes or shell metacharacters, and not an option (`-…`).
pub fn is_valid_ssh_target(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('-')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_.@:-[]".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users() {
        for ok in ["alice", "_svc", "bob-2", "a_b"] {
            assert!(is_valid_user(ok), "{ok}");
        }
        for bad in [
            "",
            "Alice",
            "1bob",
            "bob smith",
            "../x",
            "a".repeat(33).as_str(),
            "root$",
        ] {
            assert!(!is_valid_user(bad), "{bad}");
        }
    }

    #[test]
    fn ssh_targets() {
        for ok in ["laptop", "root@laptop.lan", "me@[::1]:2222", "host-1.example.org"] {
            assert!(is_valid_ssh_target(ok), "{ok}");
        }
        for bad in ["", "-oProxyCommand=x", "a b", "h;rm", "h$(x)", "\"h\""] {
            assert!(!is_valid_ssh_target(bad), "{bad}");
        }
    }

    #[test]
    fn systems() {
        assert!(is_valid_system("x86_64-linux"));
        assert!(is_valid_system("aarch64-darwin"));
        for bad in ["x86_64", "x86_64-linux-gnu", "X86-linux", "-linux", ""] {
            assert!(!is_valid_system(bad), "{bad}");
        }
    }

    #[test]
    fn attr_paths() {
        assert!(is_valid_attr_path("nixosModules.default"));
        assert!(is_valid_attr_path("homeManagerModules.my-mod'"));
        for bad in ["", ".a", "a.", "a..b", "a.1b", "a b", "a.${x}"] {
            assert!(!is_valid_attr_path(bad), "{bad}");
        }
    }
}
