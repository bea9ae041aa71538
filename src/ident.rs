//! What a valid name is — the one place. Package, input and host names, user names,
//! systems (`x86_64-linux`), attribute paths (`nixosModules.default`) and SSH targets
//! (`root@desk.lan`): the manifest loader, `glix add`/`init`/`host add`, the repo's
//! host discovery, the glix registry and the flake.nix renderer all call these.
//!
//! The pure-Nix fallback (nix/lib/fallback.nix) cannot call Rust, so it has regexes of
//! its own; tests/ident_rules_match_fallback.rs evaluates them over [`samples`] with
//! the real Nix and checks they agree with these functions on every sample. A change
//! to a rule here changes that table, and the test shows where the fallback must follow.
//!
//! Part of the core (no `cli` feature needed): the Nix plugin validates manifests with
//! these rules too.

/// The longest package, input or host name.
pub const NAME_MAX: usize = 64;
/// The longest user name (what `useradd` accepts on most systems).
pub const USER_MAX: usize = 32;
/// The longest attribute path: no real one comes close, and a bound keeps a hostile
/// registry entry from putting a megabyte into the manifest.
pub const ATTR_PATH_MAX: usize = 256;
/// The longest SSH destination (a DNS name is at most 253 characters).
pub const SSH_TARGET_MAX: usize = 255;

/// Nix keywords: `if.url = ...` or `let = mkHost ...` is a syntax error. (`or` parses as
/// an attribute name, but only by a special case in Nix's grammar; glix never writes it.)
pub const NIX_KEYWORDS: [&str; 10] = ["assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with"];

/// The name rule in words, for error messages.
pub const NAME_RULE: &str = "letters, digits, '_' and '-', starting with a letter or '_', at most 64 characters, not a Nix keyword or `self`";

/// Why a string is not a valid name (the first reason found, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    BadStart,
    BadChar,
    TooLong,
    Keyword,
    /// `self` names the flake itself in `outputs`; an input called `self` would shadow it.
    ReservedSelf,
}

impl NameProblem {
    /// Says what is wrong, after "… because".
    pub fn reason(self) -> &'static str {
        match self {
            NameProblem::Empty => "it is empty",
            NameProblem::BadStart => "it must start with a letter or `_`",
            NameProblem::BadChar => "it may only contain letters, digits, `_` and `-`",
            NameProblem::TooLong => "it is longer than 64 characters",
            NameProblem::Keyword => "it is a Nix keyword",
            NameProblem::ReservedSelf => "`self` is the flake itself, it cannot name an input",
        }
    }
}

/// Whether `s` can be written unquoted as a Nix attribute name, the way glix writes
/// them: `^[A-Za-z_][A-Za-z0-9_-]*$` and not a keyword. No length limit and `self` is
/// fine: this is what flake.nix's syntax needs, [`name_problem`] is what glix allows.
pub fn attr_name_problem(s: &str) -> Option<NameProblem> {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return Some(NameProblem::Empty);
    };
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return Some(NameProblem::BadStart);
    }
    if !b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
        return Some(NameProblem::BadChar);
    }
    NIX_KEYWORDS.contains(&s).then_some(NameProblem::Keyword)
}

/// What is wrong with `s` as a package, input or host name, if anything. One rule for
/// all three: each becomes an attribute name in flake.nix (`inputs.NAME`,
/// `nixosConfigurations.HOST`) and a key of the manifest, and a package's name is its
/// input's name by default.
pub fn name_problem(s: &str) -> Option<NameProblem> {
    attr_name_problem(s).or(if s.len() > NAME_MAX {
        Some(NameProblem::TooLong)
    } else if s == "self" {
        Some(NameProblem::ReservedSelf)
    } else {
        None
    })
}

/// Is `s` a valid package, input or host name ([`name_problem`] finds nothing).
pub fn is_valid_name(s: &str) -> bool {
    name_problem(s).is_none()
}

/// Words no name may be: the Nix keywords and `self`.
pub fn is_reserved(s: &str) -> bool {
    s == "self" || NIX_KEYWORDS.contains(&s)
}

/// POSIX-portable user names as NixOS accepts them in `users.users`:
/// `^[a-z_][a-z0-9_-]*$`, at most 32 characters.
pub fn is_valid_user(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(c) if c.is_ascii_lowercase() || *c == b'_')
        && b.len() <= USER_MAX
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// A Nix system double such as `x86_64-linux` or `aarch64-darwin`: two non-empty parts
/// of lowercase letters, digits and `_`, joined by one `-`.
pub fn is_valid_system(s: &str) -> bool {
    let part = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
    matches!(s.split_once('-'), Some((arch, os)) if part(arch) && part(os))
}

/// A NixOS release as `system.stateVersion` takes it: `YY.MM` (`23.05`, `25.11`).
pub fn is_valid_state_version(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && b[2] == b'.' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
}

/// The system of the machine glix runs on (`x86_64-linux`), as Nix names it.
pub fn machine_system() -> String {
    format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// The systems Nix and nixpkgs build for (nixpkgs' `lib.systems.flakeExposed`): a
/// well-formed system outside this list is accepted with a warning.
pub const KNOWN_SYSTEMS: &[&str] = &[
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
    "armv6l-linux",
    "armv7l-linux",
    "i686-linux",
    "powerpc64le-linux",
    "riscv64-linux",
    "x86_64-freebsd",
];

/// Whether `s` is one of [`KNOWN_SYSTEMS`].
pub fn is_known_system(s: &str) -> bool {
    KNOWN_SYSTEMS.contains(&s)
}

/// The known name closest to `s` (at most a third of its characters different), for a
/// "did you mean" — of systems, packages, hosts.
pub fn closest<'a>(s: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (crate::flakeref::edit_distance(s, k), k))
        .filter(|(d, k)| *d > 0 && *d <= s.chars().count().max(k.chars().count()).div_ceil(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// An attribute path such as `nixosModules.default`: dot-separated Nix identifiers
/// (`^[A-Za-z_][A-Za-z0-9_'-]*$` each; no quoting, no interpolation), at most 256
/// characters.
pub fn is_valid_attr_path(s: &str) -> bool {
    s.len() <= ATTR_PATH_MAX
        && s.split('.').all(|seg| {
            let b = seg.as_bytes();
            matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
        })
}

/// An SSH destination for `nixos-rebuild --target-host`: `[user@]host[:port]`, IPv6 in
/// brackets. No spaces, quotes or shell metacharacters (it ends up in a remote shell
/// command line), and not an option (`-oProxyCommand=…`); at most 255 characters.
pub fn is_valid_ssh_target(s: &str) -> bool {
    !s.is_empty() && s.len() <= SSH_TARGET_MAX && !s.starts_with('-') && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"_.@:-[]".contains(&c))
}

/// One rule of this module, as [`samples`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Package, input and host names: [`is_valid_name`].
    Name,
    User,
    System,
    AttrPath,
    SshTarget,
}

impl Rule {
    pub const ALL: [Rule; 5] = [Rule::Name, Rule::User, Rule::System, Rule::AttrPath, Rule::SshTarget];

    /// Whether `s` satisfies this rule.
    pub fn accepts(self, s: &str) -> bool {
        match self {
            Rule::Name => is_valid_name(s),
            Rule::User => is_valid_user(s),
            Rule::System => is_valid_system(s),
            Rule::AttrPath => is_valid_attr_path(s),
            Rule::SshTarget => is_valid_ssh_target(s),
        }
    }

    /// The function of nix/lib/fallback.nix (its `rules` attribute) that mirrors it.
    pub fn fallback_function(self) -> &'static str {
        match self {
            Rule::Name => "isValidName",
            Rule::User => "isValidUser",
            Rule::System => "isValidSystem",
            Rule::AttrPath => "isValidAttrPath",
            Rule::SshTarget => "isValidSshTarget",
        }
    }
}

/// A value and whether `rule` accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub rule: Rule,
    pub value: String,
    pub valid: bool,
}

/// Sample values for every rule, valid and invalid, with the edges: the longest name
/// and one more, keywords and `self`, a leading digit or dash, unicode, control
/// characters, injection attempts. The unit tests here check the rules against it and
/// tests/ident_rules_match_fallback.rs checks nix/lib/fallback.nix against it. (No NUL:
/// a Nix string cannot hold one, and the TOML reader refuses it first.)
pub fn samples() -> Vec<Sample> {
    use Rule::*;
    let long = |c: &str, n: usize| c.repeat(n);
    let table: Vec<(Rule, String, bool)> = vec![
        // Package, input and host names.
        (Name, "cool-pkg".into(), true),
        (Name, "a".into(), true),
        (Name, "_".into(), true),
        (Name, "_private".into(), true),
        (Name, "Web2_x-y".into(), true),
        (Name, "pkg-".into(), true),
        (Name, long("n", NAME_MAX), true),
        (Name, long("n", NAME_MAX + 1), false),
        (Name, "".into(), false),
        (Name, "1pkg".into(), false),
        (Name, "-pkg".into(), false),
        (Name, "pkg.x".into(), false),
        (Name, "pkg x".into(), false),
        (Name, "a'b".into(), false),
        (Name, "a\"b".into(), false),
        (Name, "a${b}".into(), false),
        (Name, "x\n".into(), false),
        (Name, "a\tb".into(), false),
        (Name, "../evil".into(), false),
        (Name, "ünï".into(), false),
        (Name, "é".into(), false),
        (Name, "名前".into(), false),
        (Name, "a\u{200b}b".into(), false),
        (Name, "if".into(), false),
        (Name, "let".into(), false),
        (Name, "or".into(), false),
        (Name, "inherit".into(), false),
        (Name, "self".into(), false),
        (Name, "Self".into(), true),
        (Name, "selfish".into(), true),
        (Name, "in-x".into(), true),
        (Name, "true".into(), true),
        (Name, "null".into(), true),
        // User names.
        (User, "alice".into(), true),
        (User, "_svc".into(), true),
        (User, "bob-2".into(), true),
        (User, "a_b".into(), true),
        (User, long("u", USER_MAX), true),
        (User, long("u", USER_MAX + 1), false),
        (User, "".into(), false),
        (User, "Alice".into(), false),
        (User, "1bob".into(), false),
        (User, "-bob".into(), false),
        (User, "bob smith".into(), false),
        (User, "../root".into(), false),
        (User, "root$".into(), false),
        (User, "bob.x".into(), false),
        (User, "ünï".into(), false),
        (User, "bob\n".into(), false),
        // Systems.
        (System, "x86_64-linux".into(), true),
        (System, "aarch64-darwin".into(), true),
        (System, "i686-linux".into(), true),
        (System, "armv7l-linux".into(), true),
        (System, "x86_64".into(), false),
        (System, "x86_64-linux-gnu".into(), false),
        (System, "x86_64--linux".into(), false),
        (System, "X86_64-linux".into(), false),
        (System, "-linux".into(), false),
        (System, "x86_64-".into(), false),
        (System, "-".into(), false),
        (System, "".into(), false),
        (System, "x86_64-lïnux".into(), false),
        (System, "x86_64-linux\n".into(), false),
        (System, "x86 64-linux".into(), false),
        // Attribute paths.
        (AttrPath, "nixosModules.default".into(), true),
        (AttrPath, "homeManagerModules.my-mod'".into(), true),
        (AttrPath, "default".into(), true),
        (AttrPath, "_a._b".into(), true),
        (AttrPath, format!("a.{}", long("b", ATTR_PATH_MAX - 2)), true),
        (AttrPath, format!("a.{}", long("b", ATTR_PATH_MAX - 1)), false),
        (AttrPath, "".into(), false),
        (AttrPath, ".a".into(), false),
        (AttrPath, "a.".into(), false),
        (AttrPath, "a..b".into(), false),
        (AttrPath, "a.1b".into(), false),
        (AttrPath, "a.-b".into(), false),
        (AttrPath, "a b".into(), false),
        (AttrPath, "a.${x}".into(), false),
        (AttrPath, "a.\"b\"".into(), false),
        (AttrPath, "nixosModules.défaut".into(), false),
        (AttrPath, "a\n.b".into(), false),
        // SSH targets.
        (SshTarget, "laptop".into(), true),
        (SshTarget, "root@laptop.lan".into(), true),
        (SshTarget, "me@[::1]:2222".into(), true),
        (SshTarget, "host-1.example.org".into(), true),
        (SshTarget, "192.168.1.10".into(), true),
        (SshTarget, long("h", SSH_TARGET_MAX), true),
        (SshTarget, long("h", SSH_TARGET_MAX + 1), false),
        (SshTarget, "".into(), false),
        (SshTarget, "-oProxyCommand=x".into(), false),
        (SshTarget, "a b".into(), false),
        (SshTarget, "h;rm".into(), false),
        (SshTarget, "h$(x)".into(), false),
        (SshTarget, "\"h\"".into(), false),
        (SshTarget, "h\n".into(), false),
        (SshTarget, "hôst".into(), false),
        (SshTarget, "h/x".into(), false),
    ];
    table.into_iter().map(|(rule, value, valid)| Sample { rule, value, valid }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_judges_its_samples_as_the_table_says() {
        for s in samples() {
            assert_eq!(s.rule.accepts(&s.value), s.valid, "{:?} {:?}", s.rule, s.value);
        }
    }

    #[test]
    fn the_table_has_valid_and_invalid_samples_for_every_rule_and_the_length_edges() {
        let all = samples();
        for rule in Rule::ALL {
            assert!(all.iter().any(|s| s.rule == rule && s.valid), "{rule:?}");
            assert!(all.iter().any(|s| s.rule == rule && !s.valid), "{rule:?}");
        }
        let has = |rule, len, valid| all.iter().any(|s| s.rule == rule && s.value.len() == len && s.valid == valid);
        assert!(has(Rule::Name, 64, true) && has(Rule::Name, 65, false));
        assert!(has(Rule::User, 32, true) && has(Rule::User, 33, false));
        assert!(has(Rule::AttrPath, 256, true) && has(Rule::AttrPath, 257, false));
        assert!(has(Rule::SshTarget, 255, true) && has(Rule::SshTarget, 256, false));
        for word in NIX_KEYWORDS.iter().copied().chain(["self"]) {
            assert!(is_reserved(word) && !is_valid_name(word), "{word}");
        }
    }

    #[test]
    fn a_name_problem_says_the_first_thing_wrong() {
        assert_eq!(name_problem(""), Some(NameProblem::Empty));
        assert_eq!(name_problem("1a"), Some(NameProblem::BadStart));
        assert_eq!(name_problem("a.b"), Some(NameProblem::BadChar));
        assert_eq!(name_problem(&"a".repeat(65)), Some(NameProblem::TooLong));
        assert_eq!(name_problem("let"), Some(NameProblem::Keyword));
        assert_eq!(name_problem("self"), Some(NameProblem::ReservedSelf));
        assert_eq!(name_problem("cool-pkg"), None);
        // What flake.nix's syntax needs is less: any length, and `self`.
        assert_eq!(attr_name_problem(&"a".repeat(65)), None);
        assert_eq!(attr_name_problem("self"), None);
        assert_eq!(attr_name_problem("let"), Some(NameProblem::Keyword));
        assert_eq!(attr_name_problem(""), Some(NameProblem::Empty));
    }
}
