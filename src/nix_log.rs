//! Nix's `--log-format internal-json`, read line by line: what is building, how many
//! derivations are done of how many, the tail of each build's log, and the messages
//! Nix printed (its errors and warnings). Pure: `src/nix.rs` feeds it the lines of a
//! `nix build` and shows what it says; any line at all (not JSON, JSON of another
//! shape, an unknown activity) is taken or ignored, never a panic.
//!
//! The format (Nix's `src/libutil/logging.cc`): each line is `@nix ` and a JSON
//! object whose `action` is `start` (an activity with an `id`, a `type` and a
//! `text`; a build's `fields` start with its .drv path), `stop`, `result` (of an
//! activity: type 101 a build log line, type 105 the progress of the builds: done,
//! expected, running, failed) or `msg` (`level` 0 an error, 1 a warning).

use std::collections::{BTreeMap, VecDeque};

/// How many lines of each build's log are kept for the error of a failed build.
pub const TAIL_LINES: usize = 25;

/// Nix's activity types (`ActivityType` in logging.hh) that glix looks at.
const ACT_BUILDS: u64 = 104;
const ACT_BUILD: u64 = 105;
const ACT_COPY_PATH: u64 = 100;
const ACT_SUBSTITUTE: u64 = 108;
/// Result types (`ResultType`).
const RES_BUILD_LOG_LINE: u64 = 101;
const RES_PROGRESS: u64 = 105;

/// Something worth showing, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A derivation started building (its name, as `hello-2.12.1`).
    Building { name: String },
    /// A store path is being copied or substituted (its name).
    Fetching { name: String },
    /// The builds' progress changed.
    Progress { done: u64, expected: u64 },
    /// Nix warned (the text, without colours).
    Warning(String),
}

/// What a `nix build` said so far.
#[derive(Debug, Default, Clone)]
pub struct BuildLog {
    /// Builds done, of expected.
    pub done: u64,
    pub expected: u64,
    /// Running builds by activity id: their .drv path.
    running: BTreeMap<u64, String>,
    /// The last [`TAIL_LINES`] lines of each build's log, by .drv path.
    tails: BTreeMap<String, VecDeque<String>>,
    /// Nix's error messages (level 0), without colours.
    pub errors: Vec<String>,
    /// Lines that were not `@nix` JSON (kept for an error message).
    pub other: Vec<String>,
    /// The activity that counts the builds (Nix reports the progress of copies and
    /// downloads with the same result type).
    builds_activity: Option<u64>,
}

impl BuildLog {
    /// Take one line of stderr; what it means for a person, if anything.
    pub fn feed(&mut self, line: &str) -> Option<Step> {
        let Some(json) = line.strip_prefix("@nix ") else {
            if !line.trim().is_empty() {
                self.other.push(strip_ansi(line));
            }
            return None;
        };
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let id = v.get("id").and_then(serde_json::Value::as_u64);
        let kind = v.get("type").and_then(serde_json::Value::as_u64);
        let fields = v.get("fields").and_then(serde_json::Value::as_array);
        match v.get("action")?.as_str()? {
            "start" => match kind? {
                ACT_BUILDS => {
                    self.builds_activity = id;
                    None
                }
                ACT_BUILD => {
                    let drv = fields?.first()?.as_str()?.to_string();
                    let name = store_name(&drv).trim_end_matches(".drv").to_string();
                    self.running.insert(id?, drv);
                    Some(Step::Building { name })
                }
                ACT_COPY_PATH | ACT_SUBSTITUTE => {
                    let path = fields?.first()?.as_str()?;
                    Some(Step::Fetching { name: store_name(path).to_string() })
                }
                _ => None,
            },
            "stop" => {
                self.running.remove(&id?);
                None
            }
            "result" => match kind? {
                RES_BUILD_LOG_LINE => {
                    let drv = self.running.get(&id?)?.clone();
                    let text = strip_ansi(fields?.first()?.as_str()?);
                    let tail = self.tails.entry(drv).or_default();
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(text);
                    None
                }
                RES_PROGRESS => {
                    let n = |i: usize| fields.and_then(|f| f.get(i)).and_then(serde_json::Value::as_u64);
                    // Only the builds' progress: copies report theirs the same way.
                    let (done, expected) = (n(0)?, n(1)?);
                    if id.is_some() && id == self.builds_activity && (done, expected) != (self.done, self.expected) && expected > 0 {
                        self.done = done;
                        self.expected = expected;
                        return Some(Step::Progress { done, expected });
                    }
                    None
                }
                _ => None,
            },
            "msg" => {
                let text = strip_ansi(v.get("msg")?.as_str()?);
                match v.get("level")?.as_u64()? {
                    0 => {
                        self.errors.push(text);
                        None
                    }
                    1 => Some(Step::Warning(text)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The tail of the log of each derivation an error names, for the message of a
    /// failed build: `(drv path, lines)`.
    pub fn failed_logs(&self) -> Vec<(String, Vec<String>)> {
        self.tails
            .iter()
            .filter(|(drv, lines)| !lines.is_empty() && self.errors.iter().any(|e| e.contains(drv.as_str())))
            .map(|(drv, lines)| (drv.clone(), lines.iter().cloned().collect()))
            .collect()
    }
}

/// The name part of a store path (`/nix/store/<hash>-hello-2.12.1` → `hello-2.12.1`);
/// anything else as it is.
pub fn store_name(path: &str) -> &str {
    let base = path.rsplit('/').next().unwrap_or(path);
    match base.split_once('-') {
        Some((hash, name)) if hash.len() == 32 => name,
        _ => base,
    }
}

/// `s` without ANSI escape sequences (Nix colours its messages even in JSON).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            // CSI: parameters and intermediates, then one final byte in @..~
            Some('[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC (hyperlinks): up to BEL or ESC \
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILD: &str = r#"@nix {"action":"msg","level":3,"msg":"these 2 derivations will be built:"}
@nix {"action":"start","id":81,"level":0,"parent":0,"text":"","type":104}
@nix {"action":"start","id":82,"level":0,"parent":0,"text":"","type":103}
@nix {"action":"result","fields":[0,2,0,0],"id":81,"type":105}
@nix {"action":"result","fields":[0,5,0,0],"id":82,"type":105}
@nix {"action":"start","fields":["/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-libfoo-1.0.drv","",1,1],"id":84,"level":3,"parent":0,"text":"building '/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-libfoo-1.0.drv'","type":105}
@nix {"action":"result","fields":["building libfoo"],"id":84,"type":101}
@nix {"action":"result","fields":[1,2,0,0],"id":81,"type":105}
@nix {"action":"stop","id":84}
@nix {"action":"start","fields":["/nix/store/anr6vj8knid7zjzbnxp8dmgrv0jadfc8-broken-1.0.drv","",1,1],"id":85,"level":3,"parent":0,"text":"building","type":105}
@nix {"action":"result","fields":["line one"],"id":85,"type":101}
@nix {"action":"result","fields":["\u001b[31moops\u001b[0m"],"id":85,"type":101}
@nix {"action":"msg","level":1,"msg":"\u001b[35;1mwarning:\u001b[0m something"}
@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m builder for '\u001b[35;1m/nix/store/anr6vj8knid7zjzbnxp8dmgrv0jadfc8-broken-1.0.drv\u001b[0m' failed with exit code 3\u001b[0m"}"#;

    #[test]
    fn a_build_says_what_builds_how_far_it_is_and_keeps_the_failing_log() {
        let mut r = BuildLog::default();
        let steps: Vec<Step> = BUILD.lines().filter_map(|l| r.feed(l)).collect();
        assert_eq!(
            steps,
            vec![
                Step::Progress { done: 0, expected: 2 },
                Step::Building { name: "libfoo-1.0".into() },
                Step::Progress { done: 1, expected: 2 },
                Step::Building { name: "broken-1.0".into() },
                Step::Warning("warning: something".into()),
            ]
        );
        assert_eq!(r.errors, vec!["error: builder for '/nix/store/anr6vj8knid7zjzbnxp8dmgrv0jadfc8-broken-1.0.drv' failed with exit code 3"]);
        assert_eq!(
            r.failed_logs(),
            vec![("/nix/store/anr6vj8knid7zjzbnxp8dmgrv0jadfc8-broken-1.0.drv".to_string(), vec!["line one".to_string(), "oops".to_string()])]
        );
    }

    #[test]
    fn a_long_log_keeps_its_last_lines() {
        let mut r = BuildLog::default();
        r.feed(r#"@nix {"action":"start","fields":["/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-x-1.drv"],"id":1,"type":105}"#);
        for i in 0..100 {
            r.feed(&format!(r#"@nix {{"action":"result","fields":["line {i}"],"id":1,"type":101}}"#));
        }
        r.feed(r#"@nix {"action":"msg","level":0,"msg":"error: builder for '/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-x-1.drv' failed"}"#);
        let logs = r.failed_logs();
        assert_eq!(logs[0].1.len(), TAIL_LINES);
        assert_eq!(logs[0].1.last().map(String::as_str), Some("line 99"));
    }

    #[test]
    fn store_names_and_colours() {
        assert_eq!(store_name("/nix/store/w1i2wvn85xvry0ngzff62zbzy3ylz3dd-libfoo-1.0.drv"), "libfoo-1.0.drv");
        assert_eq!(store_name("not-a-path"), "not-a-path");
        assert_eq!(strip_ansi("\u{1b}[31;1merror:\u{1b}[0m x \u{1b}]8;;http://a\u{7}link\u{1b}]8;;\u{1b}\\"), "error: x link");
    }

    proptest::proptest! {
        #[test]
        fn any_line_is_taken_without_a_panic(line in ".*", json in r#"@nix \{("(action|id|type|fields|msg|level)":(1|"start"|"result"|"msg"|\[1,"x"\]|null),?){0,6}\}"#) {
            let mut r = BuildLog::default();
            r.feed(&line);
            r.feed(&json);
            let _ = r.failed_logs();
        }
    }
}
