//! The text between the markers: one line per input or host, sorted by name.
//!
//! Whatever glix accepted earlier, this is the last step before text lands in
//! `flake.nix`, so it checks again (defence in depth): names must be plain Nix attribute
//! names and strings are escaped, so no input can break the file or inject Nix into it.

use super::{Desired, DesiredRef, PatchError, Region};
use crate::ident;

/// The lines of `region` for `desired`, each indented with `indent` and ending in `\n`,
/// sorted by name. This is exactly what [`patch`](super::patch()) puts between the
/// markers of a file with `\n` line endings.
pub fn render_region(region: Region, desired: &Desired, indent: &str) -> Result<String, PatchError> {
    render_lines(region, &desired.as_ref(), indent, "\n")
}

/// [`render_region`] with the line ending chosen by the caller (`\n` or `\r\n`).
pub(super) fn render_lines(region: Region, desired: &DesiredRef, indent: &str, newline: &str) -> Result<String, PatchError> {
    let (lines, push): (_, PushLine) = match region {
        Region::Inputs => (&desired.inputs, push_input),
        Region::Hosts => (&desired.hosts, push_host),
        Region::Fleet => return Ok(render_fleet(desired, indent, newline)),
    };
    debug_assert!(desired.follows.windows(2).all(|w| w[0] < w[1]), "follows is sorted, each name once");
    debug_assert!(lines.windows(2).all(|w| w[0].0 < w[1].0), "DesiredRef lists are sorted by name, each name once");
    // Each line is its two strings plus at most this much; one allocation for all.
    let per_line = indent.len() + newline.len() + 24;
    let mut out = String::with_capacity(lines.iter().map(|(a, b)| a.len() + b.len() + per_line).sum());
    for (name, value) in lines {
        push(&mut out, name, value, indent, newline)?;
        if region == Region::Inputs && desired.follows.binary_search(name).is_ok() {
            push_follows(&mut out, name, indent, newline);
        }
    }
    Ok(out)
}

/// The fleet region: the engine's fixed lines (nothing for no engine).
fn render_fleet(desired: &DesiredRef, indent: &str, newline: &str) -> String {
    let mut out = String::new();
    for line in desired.fleet.map(|e| e.lines()).unwrap_or_default() {
        out.push_str(indent);
        out.push_str(line);
        out.push_str(newline);
    }
    out
}

type PushLine = fn(&mut String, &str, &str, &str, &str) -> Result<(), PatchError>;

/// `<indent><name>.inputs.nixpkgs.follows = "nixpkgs";` (after its `.url` line, which
/// validated the name).
fn push_follows(out: &mut String, name: &str, indent: &str, newline: &str) {
    out.push_str(indent);
    out.push_str(name);
    out.push_str(".inputs.nixpkgs.follows = \"nixpkgs\";");
    out.push_str(newline);
}

/// `<indent><name>.url = "<url>";`
fn push_input(out: &mut String, name: &str, url: &str, indent: &str, newline: &str) -> Result<(), PatchError> {
    validate_name(Region::Inputs, name)?;
    let invalid = |reason| PatchError::InvalidUrl { input: name.to_string(), url: url.to_string(), reason };
    if url.is_empty() {
        return Err(invalid("is empty"));
    }
    out.push_str(indent);
    out.push_str(name);
    out.push_str(".url = \"");
    push_escaped(out, url).map_err(invalid)?;
    out.push_str("\";");
    out.push_str(newline);
    Ok(())
}

/// `<indent><host> = mkHost "<host>" "<system>";`
fn push_host(out: &mut String, host: &str, system: &str, indent: &str, newline: &str) -> Result<(), PatchError> {
    validate_name(Region::Hosts, host)?;
    let invalid = |reason| PatchError::InvalidSystem { host: host.to_string(), system: system.to_string(), reason };
    if system.is_empty() {
        return Err(invalid("is empty"));
    }
    out.push_str(indent);
    out.push_str(host);
    out.push_str(" = mkHost \"");
    // A valid name needs no escaping; escaping anyway keeps every string on one path.
    push_escaped(out, host).expect("a valid name has no NUL");
    out.push_str("\" \"");
    push_escaped(out, system).map_err(invalid)?;
    out.push_str("\";");
    out.push_str(newline);
    Ok(())
}

/// Checks that `name` can be written in `region`: an input must be a valid input name
/// ([`ident::name_problem`]); a host needs only be an unquoted attribute name
/// ([`ident::attr_name_problem`]: `self` is harmless in `nixosConfigurations`), since
/// this check is about the file staying well-formed, and the host-name rule is enforced
/// where hosts are created and found.
pub fn validate_name(region: Region, name: &str) -> Result<(), PatchError> {
    let problem = match region {
        Region::Inputs => ident::name_problem(name),
        Region::Hosts | Region::Fleet => ident::attr_name_problem(name),
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(PatchError::InvalidName { region, name: name.to_string(), reason: p.reason() }),
    }
}

/// The contents of a Nix double-quoted string that evaluates to `s` (without the quotes).
/// Fails only for NUL, which Nix strings cannot hold.
pub fn escape_nix_string(s: &str) -> Result<String, &'static str> {
    let mut out = String::with_capacity(s.len() + 2);
    push_escaped(&mut out, s)?;
    Ok(out)
}

/// Appends `s` escaped for a Nix double-quoted string: `\` `"` and the `$` of `${` get
/// a backslash (so nothing ends the string or starts an interpolation), and line breaks
/// and tabs become `\n` `\r` `\t` (so a generated line stays one line).
fn push_escaped(out: &mut String, s: &str) -> Result<(), &'static str> {
    // Runs that need no escape are copied whole: most URLs are one run (20 000 inputs on
    // a big repo). Every byte that may need one is ASCII, so the runs are whole characters.
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        let escaped = match b {
            b'\0' => return Err("contains a NUL character, which a Nix string cannot hold"),
            b'\\' => "\\\\",
            b'"' => "\\\"",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            // `\$` is a literal `$` in Nix. Only `${` needs it: a lone `$` (also `$$`,
            // or `$` before the closing quote) is literal already.
            b'$' if bytes.get(i + 1) == Some(&b'{') => "\\$",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        out.push_str(escaped);
        run = i + 1;
    }
    out.push_str(&s[run..]);
    Ok(())
}

/// The bytes [`push_escaped`] may have to escape (`$` only before `{`).
fn needs_escape(b: u8) -> bool {
    matches!(b, b'\0' | b'\\' | b'"' | b'\n' | b'\r' | b'\t' | b'$')
}
