//! Just enough of Nix's lexer to read a NixOS configuration without evaluating it: the
//! path literals it refers to, its channel lookups, identifiers, plain strings and
//! punctuation — each with its line. Comments are skipped; the code inside a string's
//! `${…}` is lexed like any other code (a path there is a path). The rules follow Nix's
//! own `lexer.l` (PATH, HPATH, SPATH, URI and the longest-match choice between them).

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// A path literal (`./x.nix`, `../y`, `/etc/z`, `~/w`). `dynamic`: it continues
    /// with an interpolation (`./hosts/${name}.nix`); `text` is the part before it.
    Path {
        text: String,
        dynamic: bool,
    },
    /// `<nixpkgs>`: a lookup in NIX_PATH.
    SearchPath(String),
    /// A string literal; its value when it has no interpolation.
    Str(Option<String>),
    Uri(String),
    Number,
    /// Any other character of code (`=`, `;`, `{`, `.` …).
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
}

fn path_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+')
}

fn uri_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"%/?:@&=+$,-_.!~*'".contains(&c)
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-')
}

/// The tokens of `text`. Never fails: what it does not understand becomes
/// punctuation, and an unterminated string or comment ends the text.
pub fn lex(text: &str) -> Vec<Token> {
    let mut l = Lexer { s: text.as_bytes(), i: 0, line: 1, out: Vec::new(), nesting: 0 };
    l.code(false);
    l.out
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
    out: Vec<Token>,
    /// Interpolations open (`"${"${…"}"}"`): past [`MAX_NESTING`] the rest of the text
    /// is not lexed, so no input can exhaust the stack.
    nesting: usize,
}

const MAX_NESTING: usize = 200;

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn bump(&mut self) {
        if self.s.get(self.i) == Some(&b'\n') {
            self.line += 1;
        }
        self.i += 1;
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.out.push(Token { tok, line });
    }

    fn text(&self, from: usize) -> String {
        String::from_utf8_lossy(&self.s[from..self.i]).into_owned()
    }

    /// Lex code; with `nested`, until the `}` that closes an interpolation.
    fn code(&mut self, nested: bool) {
        if nested {
            self.nesting += 1;
            if self.nesting > MAX_NESTING {
                self.i = self.s.len();
                return;
            }
        }
        self.code_until_closed(nested);
        if nested {
            self.nesting -= 1;
        }
    }

    fn code_until_closed(&mut self, nested: bool) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            let line = self.line;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.bump(),
                b'#' => {
                    while self.peek(0).is_some_and(|c| c != b'\n') {
                        self.bump();
                    }
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    self.bump();
                    self.bump();
                    while self.peek(0).is_some() && !(self.peek(0) == Some(b'*') && self.peek(1) == Some(b'/')) {
                        self.bump();
                    }
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    self.string(line);
                }
                b'\'' if self.peek(1) == Some(b'\'') => {
                    self.bump();
                    self.bump();
                    self.indented_string(line);
                }
                b'{' => {
                    depth += 1;
                    self.bump();
                    self.push(Tok::Punct('{'), line);
                }
                b'}' => {
                    if nested && depth == 0 {
                        self.bump();
                        return;
                    }
                    depth = depth.saturating_sub(1);
                    self.bump();
                    self.push(Tok::Punct('}'), line);
                }
                b'<' if self.search_path_len() > 0 => {
                    let n = self.search_path_len();
                    let name = String::from_utf8_lossy(&self.s[self.i + 1..self.i + n - 1]).into_owned();
                    for _ in 0..n {
                        self.bump();
                    }
                    self.push(Tok::SearchPath(name), line);
                }
                _ => self.word(line),
            }
        }
    }

    /// `<PATH_CHAR+(/PATH_CHAR+)*>`: its length, or 0.
    fn search_path_len(&self) -> usize {
        let s = &self.s[self.i..];
        let mut k = 1;
        loop {
            let start = k;
            while s.get(k).copied().is_some_and(path_char) {
                k += 1;
            }
            if k == start {
                return 0;
            }
            match s.get(k) {
                Some(b'/') => k += 1,
                Some(b'>') => return k + 1,
                _ => return 0,
            }
        }
    }

    /// The length of a PATH (`PATH_CHAR*(/PATH_CHAR+)+/?`) or HPATH at the cursor, and
    /// whether it ends in `/` followed by an interpolation.
    fn path_len(&self) -> (usize, bool) {
        let s = &self.s[self.i..];
        let mut k = 0;
        if s.first() == Some(&b'~') {
            k = 1;
        } else {
            while s.get(k).copied().is_some_and(path_char) {
                k += 1;
            }
        }
        let mut segments = 0;
        while s.get(k) == Some(&b'/') {
            let start = k + 1;
            let mut e = start;
            while s.get(e).copied().is_some_and(path_char) {
                e += 1;
            }
            if e == start {
                // `dir/${x}`: a path that goes on with an interpolation
                if s.get(start) == Some(&b'$') && s.get(start + 1) == Some(&b'{') && (segments > 0 || k > 0 || s.first() == Some(&b'/')) {
                    return (start, true);
                }
                break;
            }
            segments += 1;
            k = e;
        }
        if segments == 0 {
            return (0, false);
        }
        // A trailing slash belongs to the path (`./dir/`), unless a comment starts there.
        if s.get(k) == Some(&b'/') && s.get(k + 1) != Some(&b'/') && s.get(k + 1) != Some(&b'*') {
            k += 1;
        }
        (k, false)
    }

    fn uri_len(&self) -> usize {
        let s = &self.s[self.i..];
        if !s.first().is_some_and(|c| c.is_ascii_alphabetic()) {
            return 0;
        }
        let mut k = 1;
        while s.get(k).copied().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) {
            k += 1;
        }
        if s.get(k) != Some(&b':') {
            return 0;
        }
        let start = k + 1;
        let mut e = start;
        while s.get(e).copied().is_some_and(uri_char) {
            e += 1;
        }
        if e == start {
            0
        } else {
            e
        }
    }

    fn word(&mut self, line: usize) {
        let c = self.peek(0).unwrap_or(0);
        let (path, dynamic) = self.path_len();
        let uri = self.uri_len();
        let ident = if ident_start(c) { self.s[self.i..].iter().take_while(|&&c| ident_char(c)).count() } else { 0 };
        let number = if c.is_ascii_digit() { self.s[self.i..].iter().take_while(|&&c| c.is_ascii_digit() || c == b'.').count() } else { 0 };
        let longest = path.max(uri).max(ident).max(number);
        let from = self.i;
        if longest == 0 {
            self.bump();
            self.push(Tok::Punct(c as char), line);
            return;
        }
        for _ in 0..longest {
            self.bump();
        }
        if longest == uri && uri > path {
            let t = self.text(from);
            self.push(Tok::Uri(t), line);
        } else if longest == path {
            let text = self.text(from);
            self.push(Tok::Path { text, dynamic }, line);
            if dynamic {
                self.rest_of_dynamic_path();
            }
        } else if longest == ident {
            let t = self.text(from);
            self.push(Tok::Ident(t), line);
        } else {
            self.push(Tok::Number, line);
        }
    }

    /// After `./dir/` of `./dir/${x}.nix`: the interpolations and path characters that
    /// follow (the code of the interpolations lexed as code).
    fn rest_of_dynamic_path(&mut self) {
        loop {
            if self.peek(0) == Some(b'$') && self.peek(1) == Some(b'{') {
                self.bump();
                self.bump();
                self.code(true);
            } else if self.peek(0).is_some_and(|c| path_char(c) || c == b'/') {
                self.bump();
            } else {
                break;
            }
        }
    }

    /// A `"…"` string, after its opening quote.
    fn string(&mut self, line: usize) {
        let at = self.out.len();
        self.push(Tok::Str(None), line);
        let mut value = Some(Vec::new());
        while let Some(c) = self.peek(0) {
            match c {
                b'"' => {
                    self.bump();
                    break;
                }
                b'\\' => {
                    self.bump();
                    if let (Some(v), Some(e)) = (value.as_mut(), self.peek(0)) {
                        v.push(match e {
                            b'n' => b'\n',
                            b't' => b'\t',
                            b'r' => b'\r',
                            e => e,
                        });
                    }
                    self.bump();
                }
                b'$' if self.peek(1) == Some(b'$') => {
                    self.bump();
                    self.bump();
                    if let Some(v) = value.as_mut() {
                        v.extend_from_slice(b"$$");
                    }
                }
                b'$' if self.peek(1) == Some(b'{') => {
                    self.bump();
                    self.bump();
                    value = None;
                    self.code(true);
                }
                c => {
                    if let Some(v) = value.as_mut() {
                        v.push(c);
                    }
                    self.bump();
                }
            }
        }
        self.out[at].tok = Tok::Str(value.map(|v| String::from_utf8_lossy(&v).into_owned()));
    }

    /// A `''…''` string, after its opening quotes. Its value is not kept: the settings
    /// glix reads are plain strings.
    fn indented_string(&mut self, line: usize) {
        self.push(Tok::Str(None), line);
        while let Some(c) = self.peek(0) {
            match c {
                b'\'' if self.peek(1) == Some(b'\'') => match self.peek(2) {
                    // `'''` is `''`, `''$` is `$`, `''\x` an escape: the string goes on
                    Some(b'\'') | Some(b'$') => (0..3).for_each(|_| self.bump()),
                    Some(b'\\') => (0..4).for_each(|_| self.bump()),
                    _ => {
                        self.bump();
                        self.bump();
                        break;
                    }
                },
                b'$' if self.peek(1) == Some(b'{') => {
                    self.bump();
                    self.bump();
                    self.code(true);
                }
                _ => self.bump(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).into_iter().map(|t| t.tok).collect()
    }

    fn path(s: &str) -> Tok {
        Tok::Path { text: s.into(), dynamic: false }
    }

    #[test]
    fn paths_search_paths_and_uris_are_told_apart_as_nix_does() {
        assert_eq!(toks("./a.nix ../b /etc/c ~/d e/f"), [path("./a.nix"), path("../b"), path("/etc/c"), path("~/d"), path("e/f")]);
        assert_eq!(toks("<nixpkgs> <home-manager/nixos>"), [Tok::SearchPath("nixpkgs".into()), Tok::SearchPath("home-manager/nixos".into())]);
        assert_eq!(toks("https://x.org/a"), [Tok::Uri("https://x.org/a".into())]);
        // division with spaces and `//` are operators, not paths
        assert_eq!(toks("a / b"), [Tok::Ident("a".into()), Tok::Punct('/'), Tok::Ident("b".into())]);
        assert_eq!(toks("a // b").len(), 4);
        assert_eq!(toks("a < b"), [Tok::Ident("a".into()), Tok::Punct('<'), Tok::Ident("b".into())]);
    }

    #[test]
    fn comments_hide_paths_and_interpolations_show_them() {
        assert_eq!(toks("# ./a.nix\n/* ./b.nix */ x"), [Tok::Ident("x".into())]);
        let t = toks(r#""pre ${./c.nix} post""#);
        assert_eq!(t, [Tok::Str(None), path("./c.nix")]);
        let t = toks("''\n  ${toString ./d}\n  '''x ''${y}\n''");
        assert_eq!(t, [Tok::Str(None), Tok::Ident("toString".into()), path("./d")]);
        assert_eq!(toks(r#""a\"b""#), [Tok::Str(Some("a\"b".into()))]);
    }

    #[test]
    fn a_path_with_an_interpolation_is_dynamic_and_its_code_is_lexed() {
        let t = toks("./hosts/${name}.nix ;");
        assert_eq!(t, [Tok::Path { text: "./hosts/".into(), dynamic: true }, Tok::Ident("name".into()), Tok::Punct(';')]);
    }

    #[test]
    fn lines_are_counted_through_strings_and_comments() {
        let t = lex("a\n/* x\n y */\n\"s\nt\"\n./p");
        assert_eq!(t.iter().map(|t| t.line).collect::<Vec<_>>(), [1, 4, 6]);
    }

    #[test]
    fn unterminated_input_ends_quietly() {
        for s in ["\"abc", "''abc", "/* x", "${", "./a/${", "<a/b", "''''"] {
            let _ = lex(s);
        }
        // deep interpolations stop being lexed instead of exhausting the stack
        let deep = "\"${".repeat(100_000);
        assert_eq!(lex(&deep).len(), MAX_NESTING + 1);
    }

    proptest::proptest! {
        #[test]
        fn any_text_lexes_and_scans_without_panicking(s in "[ -~\n\u{e9}]{0,200}") {
            let _ = lex(&s);
            let _ = super::super::scan::scan(&s);
        }
    }
}
