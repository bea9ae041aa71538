use std::fmt;
use std::ops::Range;

/// 1-based line and column (in characters) of a place in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text` (clamped to the text).
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not TOML at all.
    Syntax,
    /// The `schema` is missing, unknown or newer than this glix.
    Schema,
    /// Valid TOML that breaks a manifest rule.
    Invalid,
}

impl ErrorKind {
    /// A stable, machine-readable name (the `kind` of glix's `--json` errors).
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Syntax => "manifest-syntax",
            ErrorKind::Schema => "manifest-schema",
            ErrorKind::Invalid => "invalid-manifest",
        }
    }
}

/// A manifest error: what is wrong, where, and what is expected instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ManifestError {
    pub kind: ErrorKind,
    /// The file (as the user would name it), or `<string>` when loaded from text.
    pub origin: String,
    pub location: Option<Location>,
    pub message: String,
}

impl ManifestError {
    pub(crate) fn new(kind: ErrorKind, origin: &str, text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        ManifestError { kind, origin: origin.to_string(), location: span.map(|s| Location::of_offset(text, s.start)), message: message.into() }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(l) => write!(f, "{}:{}:{}: {}", self.origin, l.line, l.column, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters() {
        let t = "a = 1\nbé = \"x\"\n";
        assert_eq!(Location::of_offset(t, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::of_offset(t, 6), Location { line: 2, column: 1 });
        // 'é' is two bytes but one column
        assert_eq!(Location::of_offset(t, 9), Location { line: 2, column: 3 });
        assert_eq!(Location::of_offset(t, 999).line, 3);
    }
}
