//! What every supported Nix reads alike. Nix 2.26 parses URLs with its own regexes and
//! keeps an authority as written; from 2.31 Nix parses them with boost::url, decodes the
//! user, password and host and percent-encodes everything but RFC 3986's unreserved
//! characters when it prints them again (`a+b` becomes `a%2Bb`), rejects a port that is
//! not a number from 1 to 65535, and checks every `ref` with libgit2's reference-name
//! rules (the same in 2.35.2's source). A reference on either side of those lines means one thing to a
//! NixOS 25.05 host (Nix 2.28) and another, or nothing, to a 25.11 host (2.31) of the same fleet, so glix
//! accepts only what both read the same. `tests/flakeref_oracle.rs` checks this against
//! each Nix it is run with (`scripts/test-nix-matrix`).

/// Why `authority` (`user:password@host:port`) is not portable, if it is not.
pub(crate) fn authority_problem(authority: &str) -> Option<String> {
    if authority.is_empty() {
        return None;
    }
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if let Some(userinfo) = userinfo {
        if userinfo.contains('@') {
            return Some(format!("the authority '{authority}' has more than one '@'"));
        }
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        if user.is_empty() || !unreserved(user) || !unreserved(password) {
            return Some(format!("the user part '{userinfo}' is not letters, digits, '-', '.', '_' and '~' (with one ':' before a password)"));
        }
    }
    let (host, port) = split_port(host_port);
    let ipv6 = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).is_some_and(|literal| {
        // An RFC 6874 zone ("%25eth0") both read alike: 2.31+ decodes it and encodes it again.
        let (address, zone) = literal.split_once("%25").unwrap_or((literal, "a"));
        !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') && !zone.is_empty() && unreserved(zone)
    });
    if !ipv6 && (host.is_empty() || !unreserved(host)) {
        return Some(format!("the host '{host}' is not letters, digits, '-', '.', '_' and '~'"));
    }
    let port_ok = |p: &str| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
    match port {
        Some(p) if !port_ok(p) => Some(format!("the port '{p}' is not a number from 1 to 65535")),
        _ => None,
    }
}

/// `host:port` at the last ':' outside an IPv6 literal.
fn split_port(host_port: &str) -> (&str, Option<&str>) {
    let after_literal = host_port.rfind(']').map_or(0, |i| i + 1);
    match host_port[after_literal..].rfind(':') {
        Some(i) => (&host_port[..after_literal + i], Some(&host_port[after_literal + i + 1..])),
        None => (host_port, None),
    }
}

fn unreserved(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Why `name` is not a branch or tag name by Git's rules (`git check-ref-format`, as
/// libgit2 checks them for Nix ≥ 2.31), if it is not; also refused: a leading '-', which
/// Git refuses for branch and tag names and which reads as an option on a command line.
pub(crate) fn git_ref_problem(name: &str) -> Option<&'static str> {
    const FORBIDDEN: &[u8] = b" ~^:?*[\\";
    Some(if name.is_empty() || name == "@" {
        "it is empty or '@'"
    } else if name.starts_with('-') {
        "it starts with '-'"
    } else if name.bytes().any(|b| b < 0x20 || b == 0x7f || FORBIDDEN.contains(&b)) {
        "it contains a space, a control character or one of ~ ^ : ? * [ \\"
    } else if name.contains("..") || name.contains("@{") {
        "it contains '..' or '@{'"
    } else if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        "it has an empty '/'-separated part"
    } else if name.ends_with('.') || name.split('/').any(|part| part.starts_with('.') || part.ends_with(".lock")) {
        "it ends with '.', or a part of it starts with '.' or ends with '.lock'"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        for ok in ["example.com", "git@github.com", "git@example.com:2222", "u:p@h", "[::1]:8080", "[fe80::1%25eth0]", "192.168.0.1", "a_b~c", "host.example."]
        {
            assert_eq!(authority_problem(ok), None, "{ok}");
        }
        for bad in ["a+b", "a@b@c", "h:b", "h:0", "h:65536", "h:", "a%41", "@h", "a=b", "[zz]", "[::1%25]", "u:p:q@h"] {
            assert!(authority_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn git_refs() {
        for ok in ["main", "nixos-24.05", "release/2.31", "v1.0", "feature/a-b_c", "a@b", "HEAD"] {
            assert_eq!(git_ref_problem(ok), None, "{ok}");
        }
        for bad in ["", "@", "-x", "a..b", "a//b", "/a", "a/", "a.", "a/.b", "a.lock", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "a@{1}", "a\u{7f}"]
        {
            assert!(git_ref_problem(bad).is_some(), "{bad:?}");
        }
    }
}
