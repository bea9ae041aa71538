//! glix's flake-reference parser against the real thing: the `builtins.parseFlakeRef` of
//! the Nix it is run with (2.26.3 by default; `scripts/test-nix-matrix` runs it with every
//! toolchain present), on the corpus in `tests/corpus/flakerefs.txt` plus a few thousand
//! generated references (valid, near-valid and hostile).
//!
//! For every reference:
//! - what `FlakeRef::parse` accepts, this Nix parses to the same attributes, and reads
//!   `to_url` back the same way (the promise to a user, whatever their Nix);
//! - on Nix 2.26, `nix_parse_attrs` (glix's re-implementation of 2.26) accepts it iff Nix
//!   does, with the same attributes; on other versions the references where that Nix
//!   reads differently from 2.26 are counted and printed (`GLIX_ORACLE_DEBUG=1` lists
//!   them): glix refuses all of them as `NotPortable` or otherwise, or the first check
//!   fails;
//! - `FlakeRef::parse` either accepts it with those attributes, or refuses it; when it
//!   refuses something Nix accepts, the error must be one of the documented policy classes
//!   (`FlakeRefError::is_policy`), and a policy error is only ever given for something Nix
//!   2.26 accepts (as the re-implementation reads it);
//! - for accepted references, `to_url` parses back to the same reference, and it equals
//!   Nix's `builtins.flakeRefToString` unless Nix's string loses information.
//!
//! Knobs for exploring: `GLIX_ORACLE_GENERATED=N` changes how many references are
//! generated (default 3000; 40000 run clean in about 45 s with 2.26.3, 2.31.5 and 2.33.6),
//! `GLIX_ORACLE_DEBUG=1` prints what `nix repl` wrote to stderr, the references read
//! differently from 2.26 and those Nix crashed on.
//!
//! On a Nix other than 2.26, `to_url` is not required to equal that Nix's
//! `flakeRefToString` (2.33 writes a ref's '/' as `%2F`); such differences are counted,
//! and that this Nix reads `to_url` as the same reference is checked for all of them.
//!
//! Nix is found through `GLIX_TOOLCHAIN` (default `~/.cache/glixos/nix-2.26.3`, what
//! `scripts/bootstrap-nix` builds). The test fails when it is missing; it never skips.
//!
//! `parseFlakeRef` errors cannot be caught by `builtins.tryEval`, so all references go
//! through one `nix repl` process, one line per reference: a failing line prints an error
//! and the repl carries on. Results come back as `builtins.trace` lines tagged with a
//! per-run marker. One Nix 2.26 bug aborts the whole process (an assertion on a bare path
//! with a line break after `#`, and 2.33.6 on some `git` URLs in `ParsedURL::
//! renderAuthorityAndPath`); the harness then records a rejection and restarts after that
//! reference, so glix must refuse every reference a Nix crashes on.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use glix::flakeref::{nix_parse_attrs, FlakeRef, FlakeRefError};
use serde_json::Value;

type Attrs = BTreeMap<String, Value>;

// ---------------------------------------------------------------------------------------
// The toolchain.

fn toolchain() -> PathBuf {
    let prefix = std::env::var_os("GLIX_TOOLCHAIN").map(PathBuf::from).unwrap_or_else(|| {
        let cache =
            std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
        cache.join("glixos/nix-2.26.3")
    });
    let nix = prefix.join("bin/nix");
    assert!(
        nix.is_file() && prefix.join(".glix-toolchain-complete").is_file(),
        "no complete Nix toolchain at {} (bin/nix and the .glix-toolchain-complete marker; \
         set GLIX_TOOLCHAIN or run scripts/bootstrap-nix for 2.26.3); \
         this test compares glix's flake-reference parser with the real Nix and does not skip",
        prefix.display()
    );
    prefix
}

/// `nix --version`'s number, e.g. "2.26.3".
fn nix_version(prefix: &Path) -> String {
    let out = nix_command(prefix).arg("--version").output().expect("run nix --version");
    assert!(out.status.success(), "nix --version failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().last().unwrap_or_default().to_string()
}

/// `nix` with the environment `scripts/bootstrap-nix --print-env` prints.
fn nix_command(prefix: &Path) -> Command {
    let mut cmd = Command::new(prefix.join("bin/nix"));
    let path = std::env::var("PATH").unwrap_or_default();
    let ld = std::env::var("LD_LIBRARY_PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", prefix.join("bin").display()))
        .env("LD_LIBRARY_PATH", format!("{}:{ld}", prefix.join("lib").display()))
        .env("NIX_CONF_DIR", prefix.join("etc/nix"))
        .env(
            "NIX_CONFIG",
            "experimental-features = nix-command flakes\nsandbox = false\n\
             build-users-group =\nsubstituters =\nwarn-dirty = false",
        )
        .env("NO_COLOR", "1")
        .env_remove("NIX_PATH");
    cmd
}

// ---------------------------------------------------------------------------------------
// What Nix says.

#[derive(Debug, Default, Clone)]
struct NixResult {
    /// `builtins.parseFlakeRef`'s result, or None when it failed.
    attrs: Option<Attrs>,
    /// `builtins.flakeRefToString` of that result, when it did not fail.
    string: Option<String>,
    /// Nix aborted (the assertion bug) on this reference.
    crashed: bool,
}

/// Evaluates every reference in one `nix repl` (restarting only after a crash).
fn ask_nix(prefix: &Path, refs: &[String]) -> Vec<NixResult> {
    let dir = tempfile::tempdir().expect("temp dir");
    let refs_file = dir.path().join("refs.json");
    std::fs::write(&refs_file, serde_json::to_string(refs).unwrap()).unwrap();
    let file_s = refs_file.to_str().expect("UTF-8 temp path");
    assert!(file_s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)), "temp path {file_s} is not usable as a Nix path literal");
    // A marker no reference can forge: error messages quote the reference, so a hostile
    // one could otherwise print a fake result line.
    let marker = format!("GLIX{}x{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());

    let mut results = vec![NixResult::default(); refs.len()];
    let mut start = 0;
    while start < refs.len() {
        match run_repl(prefix, dir.path(), file_s, &marker, start, refs.len(), &mut results) {
            RunEnd::Finished => break,
            RunEnd::CrashedAfter(last) => {
                // The reference after the last completed one took Nix down.
                let crashed = last.map_or(start, |l| l + 1);
                results[crashed] = NixResult { crashed: true, ..NixResult::default() };
                start = crashed + 1;
            }
        }
    }
    results
}

enum RunEnd {
    Finished,
    /// Nix was killed by a signal after finishing this reference (None: before the first).
    CrashedAfter(Option<usize>),
}

/// Runs references `start..end` in one `nix repl`.
fn run_repl(prefix: &Path, home: &Path, refs_file: &str, marker: &str, start: usize, end: usize, results: &mut [NixResult]) -> RunEnd {
    let mut script = format!("refs = builtins.fromJSON (builtins.readFile {refs_file})\n");
    for i in start..end {
        let parsed = format!("builtins.parseFlakeRef (builtins.elemAt refs {i})");
        script += &format!("builtins.trace (\"{marker}R {i} \" + builtins.toJSON ({parsed})) null\n");
        script += &format!("builtins.trace (\"{marker}S {i} \" + builtins.toJSON (builtins.flakeRefToString ({parsed}))) null\n");
        script += &format!("builtins.trace \"{marker}D {i}\" null\n");
    }
    let mut child = nix_command(prefix)
        .arg("repl")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("failed to start nix repl");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes()); // fails only if nix died early
    });
    let out = child.wait_with_output().expect("nix repl");
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if std::env::var_os("GLIX_ORACLE_DEBUG").is_some() {
        eprintln!("{}", stderr.chars().take(3000).collect::<String>());
    }

    let mut last_done = None;
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("trace: ").and_then(|l| l.strip_prefix(marker)) else {
            continue;
        };
        let (tag, rest) = rest.split_at(1);
        let (index, payload) = rest.trim_start().split_once(' ').unwrap_or((rest.trim(), ""));
        let i: usize = index.parse().expect("trace index");
        match tag {
            "R" => results[i].attrs = Some(serde_json::from_str(payload).expect("parseFlakeRef JSON")),
            "S" => results[i].string = Some(serde_json::from_str(payload).expect("flakeRefToString JSON")),
            "D" => last_done = Some(i),
            _ => {}
        }
    }
    use std::os::unix::process::ExitStatusExt;
    if out.status.signal().is_some() {
        return RunEnd::CrashedAfter(last_done);
    }
    assert!(
        out.status.success() && last_done == Some(end - 1),
        "nix repl stopped early ({}); stderr:\n{}",
        out.status,
        stderr.chars().take(4000).collect::<String>()
    );
    RunEnd::Finished
}

// ---------------------------------------------------------------------------------------
// The references.

fn corpus() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/flakerefs.txt");
    let text = std::fs::read_to_string(&path).expect("tests/corpus/flakerefs.txt");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.strip_prefix("json:") {
            Some(j) => serde_json::from_str(j).unwrap_or_else(|e| panic!("bad json: line {l:?}: {e}")),
            None => l.to_string(),
        })
        .collect()
}

/// SplitMix64: a fixed seed gives the same references on every run and platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const REV: &str = "0123456789abcdef0123456789abcdef01234567";

/// References assembled from pieces (a scheme, segments, parameters, a fragment), a third
/// of them then mutated by inserting a hostile character, deleting one, or upper-casing.
fn generated(n: usize) -> Vec<String> {
    let schemes = [
        "github:",
        "gitlab:",
        "sourcehut:",
        "git+https://",
        "git+ssh://",
        "git+file://",
        "git+file:",
        "git+http://",
        "git://",
        "hg+https://",
        "path:",
        "path:/",
        "https://",
        "http://",
        "file://",
        "tarball+https://",
        "file+https://",
        "flake:",
        "",
        "/",
        "Github:",
        "git+htps://",
        "ssh://",
        "github://",
        "gti:",
        "https:",
    ];
    let segments = [
        "o",
        "r",
        "NixOS",
        "nixpkgs",
        "~user",
        "git@github.com",
        "example.com",
        "example.com:22",
        "[::1]",
        "a b",
        "a%20b",
        "x%2Fy",
        "..",
        ".",
        "-",
        "é",
        "r.git",
        "v1.0",
        REV,
        "0123456789ABCDEF0123456789ABCDEF01234567",
        "abc123",
        "x.tar.gz",
        "x.zip",
        "@",
        "a+b",
        "a:b",
        "%",
        "%zz",
        "u@h",
        "",
    ];
    let params = [
        "dir=sub",
        "dir=a/b",
        "dir=",
        "dir=%22",
        "ref=main",
        "ref=a..b",
        "ref=%7E",
        "ref=a/b",
        "rev=0123456789abcdef0123456789abcdef01234567",
        "rev=junk",
        "host=h.example",
        "host=a_b",
        "narHash=sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "narHash=junk",
        "submodules=1",
        "shallow=0",
        "allRefs=true",
        "revCount=5",
        "revCount=x",
        "lastModified=+7",
        "name=x",
        "unpack=0",
        "foo=bar",
        "nodash",
        "a%20b=c",
        "=v",
    ];
    let fragments = ["", "", "", "#", "#x", "#%20"];
    let hostile = [
        " ", "\"", "\\", "${", "\n", "\t", "%", "%zz", "#", "?", "&", "=", "é", "\u{0}", "/", ":", "@", "'", "`", "$", "{", "}", "\u{7f}", "%00", "%FF", "[",
        "]",
    ];

    let mut rng = Rng(0x5eed_f1a6_e5ef_0001);
    (0..n)
        .map(|i| {
            let mut s = rng.pick(&schemes).to_string();
            // Every fourth one: a scheme and then characters that steer URL parsing
            // (authority, port, IPv6, percent-escapes, query and fragment separators).
            if i % 4 == 3 {
                let alphabet = b"/:@?#&=%.~_-+!$'()*,;[] \"^aAfF09xX";
                for _ in 0..rng.below(24) {
                    s.push(alphabet[rng.below(alphabet.len())] as char);
                }
                return s;
            }
            let nseg = 1 + rng.below(4);
            s += &(0..nseg).map(|_| rng.pick(&segments)).collect::<Vec<_>>().join("/");
            let nparam = rng.below(4);
            if nparam > 0 {
                s += "?";
                s += &(0..nparam).map(|_| rng.pick(&params)).collect::<Vec<_>>().join("&");
            }
            s += rng.pick(&fragments);
            if rng.below(3) == 0 {
                for _ in 0..1 + rng.below(3) {
                    s = mutate(&mut rng, &s, &hostile);
                }
            }
            s
        })
        .collect()
}

fn mutate(rng: &mut Rng, s: &str, hostile: &[&str]) -> String {
    let boundaries: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let at = boundaries[rng.below(boundaries.len())];
    match rng.below(3) {
        0 => format!("{}{}{}", &s[..at], rng.pick(hostile), &s[at..]),
        1 if at < s.len() => {
            let next = s[at..].chars().next().map_or(0, char::len_utf8);
            format!("{}{}", &s[..at], &s[at + next..])
        }
        _ => s.to_uppercase(),
    }
}

// ---------------------------------------------------------------------------------------
// The comparison.

/// Nix strings are C strings: a NUL that percent-decoding produces cuts the attribute
/// short when Nix turns it into a Nix string.
fn truncate_at_nul(attrs: &Attrs) -> Attrs {
    attrs
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => (k.clone(), Value::String(s.split('\0').next().unwrap_or("").to_string())),
            other => (k.clone(), other.clone()),
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    both_accept: usize,
    both_reject: usize,
    policy: BTreeMap<String, usize>,
    not_utf8: usize,
    nix_crashed: usize,
    to_url_differs: usize,
    /// On a Nix the re-implementation does not emulate: its flakeRefToString differs from
    /// `to_url` though both read back alike (2.33 writes a ref's '/' as `%2F`).
    to_url_rendered_otherwise: usize,
}

fn policy_class(e: &FlakeRefError) -> String {
    format!("{e:?}").split([' ', '{', '(']).next().unwrap_or("").to_string()
}

/// Nix's changes since 2.26 that the re-implementation does not follow: reported when the
/// oracle runs with another Nix, not failed (glix's own parser is still held to it).
#[derive(Default)]
struct Drift(Vec<String>);

fn check_one(s: &str, nix: &NixResult, emulates_this_nix: bool, tally: &mut Tally, failures: &mut Vec<String>, drift: &mut Drift) {
    let mut fail = |msg: String| failures.push(format!("{s:?}: {msg}"));
    let emulated = nix_parse_attrs(s);
    if nix.crashed {
        tally.nix_crashed += 1;
    }

    // 1. The re-implementation of 2.26's parseFlakeRef agrees with Nix 2.26.
    let differs = match (&emulated, &nix.attrs) {
        (Ok(mine), Some(theirs)) if truncate_at_nul(mine) == *theirs => {
            tally.both_accept += 1;
            None
        }
        (Ok(mine), Some(theirs)) => Some(format!("attrs differ: glix {mine:?}, Nix {theirs:?}")),
        (Ok(mine), None) => Some(format!("glix parses it as {mine:?}, Nix rejects it")),
        // Nix parses these, then fails to print the invalid UTF-8 as JSON.
        (Err(FlakeRefError::NotUtf8 { .. }), _) => {
            tally.not_utf8 += 1;
            None
        }
        (Err(e), Some(theirs)) => Some(format!("glix rejects it ({e}), Nix gives {theirs:?}")),
        (Err(_), None) => {
            tally.both_reject += 1;
            None
        }
    };
    match differs {
        Some(msg) if emulates_this_nix => fail(msg),
        Some(msg) => drift.0.push(format!("{s:?}: {msg}")),
        None => {}
    }

    // 2. glix's own parser: same as the re-implementation, or a documented refusal.
    match FlakeRef::parse(s) {
        Ok(r) => {
            match &emulated {
                Ok(attrs) if *attrs == r.attrs() => {}
                other => fail(format!("FlakeRef::parse gives {:?}, nix_parse_attrs {other:?}", r.attrs())),
            }
            // What a user relies on, with any Nix: what glix accepts, this Nix reads alike.
            if !s.contains('\0') && nix.attrs.as_ref() != Some(&r.attrs()) {
                fail(format!("FlakeRef::parse accepts it as {:?}, the running Nix gives {:?}", r.attrs(), nix.attrs));
            }
            check_to_url(&r, nix, emulates_this_nix, tally, &mut fail);
        }
        Err(e) if e.is_policy() => {
            *tally.policy.entry(policy_class(&e)).or_default() += 1;
            // A refusal on policy grounds is for something Nix accepts. (With a NUL, Nix
            // never sees the part that glix objects to.)
            if !s.contains('\0') && emulated.is_err() && !matches!(e, FlakeRefError::NotUtf8 { .. }) {
                fail(format!("policy error ({e}) for something Nix rejects"));
            }
        }
        Err(e) => {
            if let Ok(attrs) = &emulated {
                if !s.contains('\0') {
                    fail(format!("glix rejects it ({e}) though Nix accepts it as {attrs:?}"));
                }
            }
        }
    }
}

/// `to_url` reads back as the same reference, and is Nix's own string unless that one
/// does not read back as the same reference. The last part only on Nix 2.26, whose
/// printer glix follows: other versions print differently (Nix 2.33 writes a ref's '/'
/// as `%2F`), which is counted; that they read `to_url` alike is checked on every version
/// (`url_results`).
fn check_to_url(r: &FlakeRef, nix: &NixResult, emulates_this_nix: bool, tally: &mut Tally, fail: &mut impl FnMut(String)) {
    let url = r.to_url();
    match FlakeRef::parse(&url) {
        Ok(again) if again == *r => {}
        other => fail(format!("to_url {url:?} does not read back: {other:?}")),
    }
    let Some(nix_string) = &nix.string else {
        // flakeRefToString refused; to_url must still be a string Nix reads back alike.
        return;
    };
    if *nix_string != url {
        tally.to_url_differs += 1;
        if nix_parse_attrs(nix_string).ok() == Some(r.attrs()) && !emulates_this_nix {
            tally.to_url_rendered_otherwise += 1;
        } else if nix_parse_attrs(nix_string).ok() == Some(r.attrs()) {
            fail(format!("to_url {url:?} differs from Nix's {nix_string:?}, which reads back fine"));
        }
    }
}

#[test]
fn parser_agrees_with_nix_parse_flake_ref() {
    let prefix = toolchain();
    let version = nix_version(&prefix);
    // The re-implementation follows 2.26; other versions are held to glix's own parser.
    let emulates_this_nix = version.starts_with("2.26.");
    let started = std::time::Instant::now();

    let mut refs = corpus();
    let from_corpus = refs.len();
    // GLIX_ORACLE_GENERATED=N runs a bigger (or smaller) generated batch, for exploring.
    let n = std::env::var("GLIX_ORACLE_GENERATED").ok().and_then(|n| n.parse().ok());
    refs.extend(generated(n.unwrap_or(3000)));
    let mut seen = std::collections::HashSet::new();
    refs.retain(|r| seen.insert(r.clone()));
    assert!(from_corpus >= 300, "the corpus should hold 300+ references, has {from_corpus}");

    // A Nix string cannot hold a NUL (builtins.fromJSON refuses one), so such references
    // can never reach parseFlakeRef; glix must refuse them.
    let (with_nul, refs): (Vec<String>, Vec<String>) = refs.into_iter().partition(|r| r.contains('\0'));
    let mut failures = Vec::new();
    for r in &with_nul {
        if let Ok(parsed) = FlakeRef::parse(r) {
            failures.push(format!("{r:?}: glix accepts a NUL: {parsed:?}"));
        }
    }

    let results = ask_nix(&prefix, &refs);

    // Also confirm that the to_url of everything glix accepts is read by Nix the same way.
    let urls: Vec<String> = refs.iter().filter_map(|s| FlakeRef::parse(s).ok()).map(|r| r.to_url()).collect();
    let url_results = ask_nix(&prefix, &urls);

    let mut tally = Tally::default();
    let mut drift = Drift::default();
    for (s, nix) in refs.iter().zip(&results) {
        check_one(s, nix, emulates_this_nix, &mut tally, &mut failures, &mut drift);
    }
    for (url, nix) in urls.iter().zip(&url_results) {
        let mine = FlakeRef::parse(url).map(|r| r.attrs());
        if nix.attrs.as_ref() != mine.as_ref().ok() {
            failures.push(format!("to_url {url:?}: glix {mine:?}, Nix {:?}", nix.attrs));
        }
    }

    let accepted = refs.iter().filter(|s| FlakeRef::parse(s).is_ok()).count();
    eprintln!(
        "flakeref oracle: {} references ({from_corpus} from the corpus; {} more with a NUL, \
         which Nix cannot take), {} s\n  \
         Nix and glix's re-implementation: {} both accept, {} both reject, {} invalid UTF-8 \
         (not comparable), {} Nix crashes\n  \
         FlakeRef::parse accepts {accepted}; refuses on policy: {:?}\n  \
         to_url differs from Nix's flakeRefToString for {} (where Nix's string loses information, \
         or, on Nix other than 2.26, {} where it is only written otherwise)\n  \
         Nix {version}: {} references read differently from Nix 2.26's rules (the re-implementation's; none is \
         accepted by FlakeRef::parse, or this would fail)",
        refs.len(),
        with_nul.len(),
        started.elapsed().as_secs(),
        tally.both_accept,
        tally.both_reject,
        tally.not_utf8,
        tally.nix_crashed,
        tally.policy,
        tally.to_url_differs,
        tally.to_url_rendered_otherwise,
        drift.0.len(),
    );
    if std::env::var_os("GLIX_ORACLE_DEBUG").is_some() {
        for d in &drift.0 {
            eprintln!("  drift: {d}");
        }
        for (s, _) in refs.iter().zip(&results).filter(|(_, nix)| nix.crashed) {
            eprintln!("  Nix crashed on: {s:?}");
        }
    }
    assert!(tally.both_accept > 150 && tally.both_reject > 150, "the corpus should exercise both outcomes");
    assert!(failures.is_empty(), "{} disagreements with Nix {version}:\n{}", failures.len(), failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n"));
}
