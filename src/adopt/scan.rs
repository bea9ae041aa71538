//! What one Nix file of a configuration says, read from its tokens: the paths it refers
//! to, what a flake cannot evaluate (channel lookups, fetches without a hash, impure
//! builtins), and the plain-string settings it assigns (`networking.hostName = "x";`,
//! also written as `networking = { hostName = "x"; };`).

use super::lex::{lex, Tok, Token};

/// A path literal of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    pub text: String,
    pub line: usize,
    /// Built at evaluation time (`./hosts/${name}.nix`): `text` is its fixed start.
    pub dynamic: bool,
}

/// Something a flake, which evaluates purely, cannot do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Impure {
    /// `<nixpkgs>`.
    SearchPath(String),
    /// `fetchTarball "…"` (or fetchGit, builtins.fetchurl, builtins.fetchTree) without a hash.
    Unhashed(String),
    /// `builtins.currentSystem`, `builtins.getEnv`.
    Builtin(String),
}

/// An assignment of the file: its attribute path (inside the attribute sets it is
/// nested in) and its value when that is a plain string, possibly wrapped in
/// `lib.mkDefault`/`mkForce`/`mkOverride N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: Vec<String>,
    pub value: Option<String>,
    pub line: usize,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub paths: Vec<PathRef>,
    pub impure: Vec<(Impure, usize)>,
    pub settings: Vec<Setting>,
}

impl Scan {
    /// The setting of an option (`["system", "stateVersion"]`), also when written
    /// under `config = { … }`.
    pub fn setting(&self, option: &[&str]) -> Option<&Setting> {
        self.settings.iter().find(|s| {
            let p: Vec<&str> = s.path.iter().map(String::as_str).collect();
            p == option || (p.first() == Some(&"config") && p[1..] == *option)
        })
    }
}

pub fn scan(text: &str) -> Scan {
    let t = lex(text);
    let mut out = Scan::default();
    for (i, tok) in t.iter().enumerate() {
        match &tok.tok {
            Tok::Path { text, dynamic } => out.paths.push(PathRef { text: text.clone(), line: tok.line, dynamic: *dynamic }),
            Tok::SearchPath(name) => out.impure.push((Impure::SearchPath(name.clone()), tok.line)),
            Tok::Ident(name) => {
                let after_builtins = i >= 2 && t[i - 1].tok == Tok::Punct('.') && t[i - 2].tok == Tok::Ident("builtins".into());
                let after_dot = i >= 1 && t[i - 1].tok == Tok::Punct('.');
                let global = matches!(name.as_str(), "fetchTarball" | "fetchGit");
                let fetcher = matches!(name.as_str(), "fetchTarball" | "fetchGit" | "fetchurl" | "fetchTree");
                if fetcher && (after_builtins || (global && !after_dot)) && !hashed(&t[i + 1..], name) {
                    out.impure.push((Impure::Unhashed(name.clone()), tok.line));
                }
                if after_builtins && matches!(name.as_str(), "currentSystem" | "getEnv" | "currentTime") {
                    out.impure.push((Impure::Builtin(name.clone()), tok.line));
                }
            }
            _ => {}
        }
    }
    out.settings = settings(&t);
    out
}

/// Whether the fetch whose arguments start at `rest` pins its contents: an attribute
/// set naming a hash (for fetchGit a `rev`, which pins it too).
fn hashed(rest: &[Token], fetcher: &str) -> bool {
    // `fetchTarball` used as a value (`map fetchTarball urls`), not applied here: say
    // nothing only when it is clearly applied to an attribute set with a hash.
    if rest.first().map(|t| &t.tok) != Some(&Tok::Punct('{')) {
        return false;
    }
    let pins: &[&str] = if fetcher == "fetchGit" { &["rev", "narHash"] } else { &["sha256", "hash", "narHash"] };
    let mut depth = 0;
    for (k, tok) in rest.iter().enumerate() {
        match &tok.tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            }
            Tok::Ident(n) if depth == 1 && pins.contains(&n.as_str()) && rest.get(k + 1).map(|t| &t.tok) == Some(&Tok::Punct('=')) => return true,
            _ => {}
        }
    }
    false
}

/// The assignments of the file, with the attribute path of the sets they are in.
fn settings(t: &[Token]) -> Vec<Setting> {
    let mut out = Vec::new();
    // One frame per open `{`: the attribute path it adds (empty for a set that is not
    // the value of an assignment, such as a function's arguments).
    let mut frames: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        match &t[i].tok {
            Tok::Punct('{') => frames.push(Vec::new()),
            Tok::Punct('}') => {
                frames.pop();
            }
            Tok::Ident(_) | Tok::Str(Some(_)) if starts_binding(t, i) => {
                let (path, eq) = attr_path(t, i);
                if t.get(eq).map(|x| &x.tok) == Some(&Tok::Punct('=')) && !path.is_empty() {
                    let mut v = eq + 1;
                    // `lib.mkDefault "x"`, `mkForce "x"`, `lib.mkOverride 900 "x"`, `rec { … }`
                    if let Some(skip) = modifier_len(&t[v..]) {
                        v += skip;
                    }
                    let full: Vec<String> = frames.iter().flatten().cloned().chain(path.iter().cloned()).collect();
                    match t.get(v).map(|x| &x.tok) {
                        Some(Tok::Punct('{')) => {
                            out.push(Setting { path: full, value: None, line: t[i].line });
                            frames.push(path);
                            i = v + 1;
                            continue;
                        }
                        Some(Tok::Str(Some(s))) if t.get(v + 1).map(|x| &x.tok) == Some(&Tok::Punct(';')) => {
                            out.push(Setting { path: full, value: Some(s.clone()), line: t[i].line });
                        }
                        _ => out.push(Setting { path: full, value: None, line: t[i].line }),
                    }
                    i = v;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether an attribute path may start at `i`: after `{`, `;`, or `let` (not in the
/// middle of an expression such as `a.b.c` or `f x`).
fn starts_binding(t: &[Token], i: usize) -> bool {
    i == 0 || matches!(&t[i - 1].tok, Tok::Punct('{') | Tok::Punct(';')) || t[i - 1].tok == Tok::Ident("let".into())
}

/// The attribute path starting at `i` (`a.b."c"`) and the index after it.
fn attr_path(t: &[Token], mut i: usize) -> (Vec<String>, usize) {
    let mut path = Vec::new();
    loop {
        match t.get(i).map(|x| &x.tok) {
            Some(Tok::Ident(n)) => path.push(n.clone()),
            Some(Tok::Str(Some(s))) => path.push(s.clone()),
            _ => return (Vec::new(), i),
        }
        i += 1;
        if t.get(i).map(|x| &x.tok) != Some(&Tok::Punct('.')) {
            return (path, i);
        }
        i += 1;
    }
}

/// How many tokens of a priority wrapper (`lib.mkDefault`, `mkForce`, `lib.mkOverride
/// N`) or `rec` a value starts with.
fn modifier_len(t: &[Token]) -> Option<usize> {
    let ident = |k: usize| match t.get(k).map(|x| &x.tok) {
        Some(Tok::Ident(n)) => Some(n.as_str()),
        _ => None,
    };
    let mut k = 0;
    if ident(0) == Some("lib") && t.get(1).map(|x| &x.tok) == Some(&Tok::Punct('.')) {
        k = 2;
    }
    match ident(k) {
        Some("mkDefault" | "mkForce" | "mkOptionDefault") => Some(k + 1),
        Some("mkOverride") if t.get(k + 1).map(|x| &x.tok) == Some(&Tok::Number) => Some(k + 2),
        Some("rec") if k == 0 => Some(1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_nested_and_through_priority_wrappers() {
        let s = scan(
            r#"{ config, lib, pkgs, ... }:
{
  networking.hostName = "oldbox";
  nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";
  system = { stateVersion = "23.05"; };
  users.users.bob = { isNormalUser = true; home = "/home/bob"; };
  services.x.port = 8080;
}"#,
        );
        assert_eq!(s.setting(&["networking", "hostName"]).unwrap().value.as_deref(), Some("oldbox"));
        assert_eq!(s.setting(&["networking", "hostName"]).unwrap().line, 3);
        assert_eq!(s.setting(&["nixpkgs", "hostPlatform"]).unwrap().value.as_deref(), Some("x86_64-linux"));
        assert_eq!(s.setting(&["system", "stateVersion"]).unwrap().value.as_deref(), Some("23.05"));
        assert_eq!(s.setting(&["users", "users", "bob", "home"]).unwrap().value.as_deref(), Some("/home/bob"));
        // set, but not to a plain string
        assert_eq!(s.setting(&["services", "x", "port"]).unwrap().value, None);
        assert!(s.setting(&["networking", "domain"]).is_none());
    }

    #[test]
    fn a_setting_under_config_counts_and_a_computed_one_is_set_without_a_value() {
        let s = scan(r#"{ config = { system.stateVersion = "22.11"; networking.hostName = "a" + "b"; }; }"#);
        assert_eq!(s.setting(&["system", "stateVersion"]).unwrap().value.as_deref(), Some("22.11"));
        assert_eq!(s.setting(&["networking", "hostName"]).unwrap().value, None);
    }

    #[test]
    fn channel_lookups_unhashed_fetches_and_impure_builtins_are_found() {
        let s = scan(
            r#"{
  imports = [ <home-manager/nixos> ./hw.nix ];
  a = fetchTarball "https://x/y.tar.gz";
  b = builtins.fetchTarball { url = "https://x"; sha256 = "abc"; };
  c = builtins.fetchGit { url = "https://x"; };
  d = builtins.fetchGit { url = "https://x"; rev = "abc"; };
  e = pkgs.fetchurl { url = "https://x"; };
  f = builtins.getEnv "HOME";
}"#,
        );
        let found: Vec<(Impure, usize)> = s.impure.clone();
        assert_eq!(
            found,
            [
                (Impure::SearchPath("home-manager/nixos".into()), 2),
                (Impure::Unhashed("fetchTarball".into()), 3),
                (Impure::Unhashed("fetchGit".into()), 5),
                (Impure::Builtin("getEnv".into()), 8),
            ]
        );
        assert_eq!(s.paths, [PathRef { text: "./hw.nix".into(), line: 2, dynamic: false }]);
    }
}
