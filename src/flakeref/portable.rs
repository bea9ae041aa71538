//! What every supported Nix reads alike. Nix 2.26 parses URLs with its own regexes and
//! keeps an authority as written; from 2.31 Nix parses them with boost::url, decodes the
//! user, password and host and percent-encodes everything but RFC 3986's unreserved
//! characters when it prints them again (`a+b` becomes `a%2Bb`), rejects a port that is
//! not a number from 1 to 65535, and checks every `ref` with libgit2's reference-name
//! rules (the same in 2.35.2's source). Nix 2.33 then splits a URL's path at '/' before
//! percent-decoding it (so `%2F` no longer separates a forge's owner from its repository,
//! and stays `%2F` in a Git or tarball URL) and keeps a forge's commit hash as written
//! where 2.26 converts it to 40 lower-case hex digits (see `policy::check_forge_rev`). A
//! reference on either side of those lines means one thing to a NixOS 25.05 host (Nix
//! 2.28) and another, or nothing, to a 25.11 host (2.31) or a later one of the same
//! fleet, so glix accepts only what all read the same. `tests/flakeref_oracle.rs` checks
//! this against each Nix it is run with (`scripts/test-nix-matrix`; 2.26.3, 2.31.5 and
//! 2.33.6 here).

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

/// Why the path of the URL-form reference `input` is not portable, if it is not: a `%2F`
/// (an encoded '/'). Nix up to 2.31 decodes the whole path and then splits it at '/'; Nix
/// 2.33 splits first, so `github:a%2Fb/c` is owner `a`, repository `b`, branch `c` to one
/// and owner `a/b`, repository `c` to the other; a Git, Mercurial or tarball URL keeps
/// `%2F` as written (2.26 writes '/'), and `path:` and `flake:` refuse it. After a forge's
/// owner and repository (`github:o/r/feature%2Fx`) both read the branch `feature/x`,
/// which is how 2.33 itself prints it, so that is allowed.
pub(crate) fn encoded_slash_problem(input: &str, forge: bool) -> Option<String> {
    let rest = input.split_once(':').map_or("", |(_, r)| r);
    let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let path = match path.strip_prefix("//") {
        Some(after) => &after[after.find('/').unwrap_or(after.len())..],
        None => path,
    };
    let has = |s: &str| s.to_ascii_lowercase().contains("%2f");
    let bad = if forge { path.split('/').filter(|s| !s.is_empty()).take(2).any(has) } else { has(path) };
    bad.then(|| {
        if forge {
            "its owner or repository contains '%2F' (an encoded '/'), which Nix 2.33 and later keep in the name and earlier versions read as a '/'".to_string()
        } else {
            "its path contains '%2F' (an encoded '/'), which Nix 2.33 and later keep as written (or refuse) and earlier versions read as a '/'".to_string()
        }
    })
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
    fn encoded_slashes() {
        for (ok, forge) in
            [("github:o/r", true), ("github:o/r/feature%2Fx", true), ("github:o/r?dir=a%2Fb", true), ("git+https://h/a%20b", false), ("path:/a/b?x=%2F", false)]
        {
            assert_eq!(encoded_slash_problem(ok, forge), None, "{ok}");
        }
        for (bad, forge) in [
            ("github:a%2Fb/c", true),
            ("gitlab:o/r%2f", true),
            ("sourcehut:~u/r%2Fx/main", true),
            ("git+https://h/a%2Fb", false),
            ("path:/x%2fy", false),
            ("flake:a%2Fb", false),
        ] {
            assert!(encoded_slash_problem(bad, forge).is_some(), "{bad}");
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
