//! The byte-level style of a manifest that TOML itself does not keep: a UTF-8 byte
//! order mark and CRLF line endings (files from Windows editors). glix reads past
//! both and writes them back, so its first edit of such a file changes only the lines
//! it means to (`git diff` does not show every line changed).

const BOM: char = '\u{feff}';

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    bom: bool,
    crlf: bool,
}

impl TextStyle {
    /// The style of `text`: a BOM at its start; CRLF when its first line ends so.
    pub fn of(text: &str) -> TextStyle {
        let body = without_bom(text);
        let crlf = body.find('\n').is_some_and(|i| body[..i].ends_with('\r'));
        TextStyle { bom: body.len() != text.len(), crlf }
    }

    /// `text` (as toml_edit writes it: new lines end in `\n`) in this style.
    pub fn apply(self, text: String) -> String {
        let mut out = if self.crlf { crlf(&text) } else { text };
        if self.bom && !out.starts_with(BOM) {
            out.insert(0, BOM);
        }
        out
    }
}

/// `text` without its byte order mark: what the TOML parser reads.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Every `\n` not already after a `\r` as `\r\n`.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_and_crlf_are_kept_and_lf_files_stay_lf() {
        let s = TextStyle::of("\u{feff}a = 1\r\nb = 2\r\n");
        assert_eq!(s.apply("a = 1\r\nb = 2\r\nc = 3\n".into()), "\u{feff}a = 1\r\nb = 2\r\nc = 3\r\n");
        let plain = TextStyle::of("a = 1\nb = 2\n");
        assert_eq!(plain.apply("a = 1\nc = 3\n".into()), "a = 1\nc = 3\n");
        assert_eq!(without_bom("\u{feff}x"), "x");
    }
}
