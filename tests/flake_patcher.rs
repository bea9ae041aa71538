//! The `flake.nix` patcher on random files and hostile input, with the real Nix as the
//! judge of what is valid Nix.
//!
//! - Random files (user lines, Nix-ish code, lines that merely *contain* marker text)
//!   with the four markers placed at random, with random indentation and line endings,
//!   and sometimes one defect (a marker dropped, duplicated, swapped, regions nested or
//!   overlapping): `patch` refuses exactly the defective files, with the right error,
//!   and otherwise writes exactly what an independent model of the file predicts, every
//!   byte outside the region bodies untouched.
//! - 50 successive random changes of the desired inputs and hosts never change a byte
//!   outside the regions, and the last file equals a regeneration from scratch.
//! - Hostile URLs and systems (quotes, `${`, backslashes, line breaks, unicode) give a
//!   file that `nix-instantiate --parse` accepts and whose evaluation returns exactly the
//!   original strings. 64 cases go through one parse and one eval process per 32.
//!
//! Nix comes from the project's toolchain (`tests/common`); the test fails when it is
//! missing, it never skips.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use glix::flake::{patch, regions_match, Desired, PatchError, Region, Which};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{json, Value};

use common::nix_str;

// ---------------------------------------------------------------------------------------
// A model of a flake.nix: user lines and marker lines, rendered to text.

const MARKERS: [(Region, Which); 4] =
    [(Region::Inputs, Which::Begin), (Region::Inputs, Which::End), (Region::Hosts, Which::Begin), (Region::Hosts, Which::End)];

#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// A line the user wrote (without its line ending).
    User(String),
    /// A marker line: which marker, its indentation and trailing whitespace.
    Marker { marker: (Region, Which), indent: String, trailing: String },
}

#[derive(Debug, Clone)]
struct File {
    items: Vec<Item>,
    newline: &'static str,
    trailing_newline: bool,
}

impl File {
    fn text(&self) -> String {
        let lines: Vec<String> = self.items.iter().map(item_text).collect();
        let mut text = lines.join(self.newline);
        if self.trailing_newline {
            text.push_str(self.newline);
        }
        text
    }

    /// What `patch` must write, computed from the model rather than from the text: user
    /// lines between a begin and an end marker are replaced by the desired lines, with
    /// the begin marker's indentation.
    fn expected(&self, desired: &Desired) -> String {
        let mut items = Vec::new();
        let mut inside = false;
        for item in &self.items {
            match item {
                Item::Marker { marker: (region, Which::Begin), indent, .. } => {
                    items.push(item.clone());
                    items.extend(region_lines(*region, desired, indent).into_iter().map(Item::User));
                    inside = true;
                }
                Item::Marker { .. } => {
                    items.push(item.clone());
                    inside = false;
                }
                Item::User(_) if inside => {}
                Item::User(_) => items.push(item.clone()),
            }
        }
        File { items, ..self.clone() }.text()
    }
}

fn item_text(item: &Item) -> String {
    match item {
        Item::User(line) => line.clone(),
        Item::Marker { marker: (region, which), indent, trailing } => format!("{indent}{}{trailing}", region.marker(*which)),
    }
}

/// The generated lines, written independently of the library (escaping by
/// `common::nix_str`).
fn region_lines(region: Region, desired: &Desired, indent: &str) -> Vec<String> {
    match region {
        Region::Inputs => desired
            .inputs
            .iter()
            .flat_map(|(name, url)| {
                let follows = desired.follows.contains(name).then(|| format!("{indent}{name}.inputs.nixpkgs.follows = \"nixpkgs\";"));
                std::iter::once(format!("{indent}{name}.url = {};", nix_str(url))).chain(follows)
            })
            .collect(),
        Region::Hosts => desired.hosts.iter().map(|(host, system)| format!("{indent}{host} = mkHost {} {};", nix_str(host), nix_str(system))).collect(),
        Region::Fleet => desired.fleet.iter().flat_map(|e| e.lines()).map(|l| format!("{indent}{l}")).collect(),
    }
}

/// `text` without the region bodies: marker lines stay, lines between a begin marker
/// and the next end marker go. A deliberately naive reading of the marker rule, only
/// used on files whose markers are well formed.
fn outside(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_matches([' ', '\t', '\r', '\n']);
        let begin = MARKERS.iter().any(|&(r, w)| w == Which::Begin && r.marker(w) == bare);
        let end = MARKERS.iter().any(|&(r, w)| w == Which::End && r.marker(w) == bare);
        if end {
            inside = false;
        }
        if !inside {
            out.push_str(line);
        }
        if begin {
            inside = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// Lines a user might have in flake.nix, including ones that mention the markers
/// without being marker lines (in a string, after code, with extra words).
const USER_LINES: &[&str] = &[
    "{",
    "}",
    "};",
    "inputs = {",
    "nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";",
    "home-manager.inputs.nixpkgs.follows = \"nixpkgs\";",
    "# My own comment: keep this!",
    "/* a block",
    "   comment */",
    "outputs = { self, nixpkgs, ... }@inputs:",
    "let x = \"${nixpkgs}\"; in x",
    "''",
    "  indented ${string} with '' quotes",
    "\"a \\\" quoted \\${not} string\"",
    "",
    "   ",
    "\t",
    "zoë = \"ünïcödé 😀\";",
    "x = \"# >>> glix-managed inputs >>>\";",
    "# >>> glix-managed inputs >>> (managed by glix, do not edit)",
    "foo.url = \"github:a/b\"; # <<< glix-managed inputs <<<",
    "## <<< glix-managed hosts <<<",
    "# >>> glix-managed hosts >>>;",
    "''# <<< glix-managed hosts <<<''",
    "#>>> glix-managed inputs >>>",
    "# >>> glix-managed   hosts >>>",
    "# glix-managed inputs",
    "laptop = mkHost \"laptop\" \"x86_64-linux\"; # <<< glix-managed hosts <<<",
];

fn user_line() -> impl Strategy<Value = String> {
    let indent = prop_oneof![Just(""), Just("  "), Just("\t"), Just("        ")];
    let body = prop_oneof![
        4 => prop::sample::select(USER_LINES).prop_map(str::to_string),
        1 => "[^\r\n]{0,24}",
    ];
    (indent, body).prop_map(|(indent, body)| format!("{indent}{body}")).prop_filter("a random line that is a marker line", |l| !is_marker_line(l))
}

fn is_marker_line(line: &str) -> bool {
    let bare = line.trim_matches([' ', '\t', '\r']);
    MARKERS.iter().any(|&(r, w)| r.marker(w) == bare)
}

fn marker(marker: (Region, Which)) -> impl Strategy<Value = Item> {
    let indent = prop_oneof![Just(""), Just("    "), Just("\t\t"), Just("        "), Just(" \t ")];
    let trailing = prop_oneof![3 => Just(""), 1 => Just(" "), 1 => Just("\t ")];
    (indent, trailing).prop_map(move |(indent, trailing)| Item::Marker { marker, indent: indent.to_string(), trailing: trailing.to_string() })
}

fn user_lines(max: usize) -> impl Strategy<Value = Vec<Item>> {
    vec(user_line().prop_map(Item::User), 0..max)
}

/// A well-formed file: user lines, one region, user lines, the other region, user lines.
fn valid_file() -> impl Strategy<Value = File> {
    let inputs = (marker(MARKERS[0]), user_lines(4), marker(MARKERS[1]));
    let hosts = (marker(MARKERS[2]), user_lines(4), marker(MARKERS[3]));
    (user_lines(12), inputs, user_lines(12), hosts, user_lines(12), any::<bool>(), prop_oneof![Just("\n"), Just("\r\n")], any::<bool>()).prop_map(
        |(a, inputs, b, hosts, c, hosts_first, newline, trailing_newline)| {
            let region = |(begin, body, end): (Item, Vec<Item>, Item)| {
                let mut items = vec![begin];
                items.extend(body);
                items.push(end);
                items
            };
            let (first, second) = if hosts_first { (region(hosts), region(inputs)) } else { (region(inputs), region(hosts)) };
            let items = [a, first, b, second, c].concat();
            File { items, newline, trailing_newline }
        },
    )
}

/// What is wrong with a generated file, if anything.
#[derive(Debug, Clone)]
enum Defect {
    None,
    /// No marker lines at all.
    NoMarkers,
    Drop(usize),
    /// A second copy of a marker, inserted before item `at` (modulo length).
    Duplicate(usize, usize),
    /// A region's end marker comes before its begin marker.
    Swap(Region),
    /// The later region is moved inside the earlier one.
    Nest,
    /// The earlier region's end marker is moved past the later region's begin marker.
    Overlap,
}

fn defect() -> impl Strategy<Value = Defect> {
    prop_oneof![
        6 => Just(Defect::None),
        1 => Just(Defect::NoMarkers),
        2 => (0..4usize).prop_map(Defect::Drop),
        2 => (0..4usize, any::<usize>()).prop_map(|(m, at)| Defect::Duplicate(m, at)),
        1 => prop::sample::select(&Region::ALL[..]).prop_map(Defect::Swap),
        1 => Just(Defect::Nest),
        1 => Just(Defect::Overlap),
    ]
}

fn position(items: &[Item], marker: (Region, Which)) -> usize {
    items.iter().position(|i| matches!(i, Item::Marker { marker: m, .. } if *m == marker)).expect("the marker is in the file")
}

/// Applies `defect` to a well-formed file.
fn apply(file: &File, defect: &Defect) -> File {
    let mut items = file.items.clone();
    let begins = |items: &[Item]| {
        let inputs = position(items, MARKERS[0]);
        let hosts = position(items, MARKERS[2]);
        if inputs < hosts {
            (Region::Inputs, Region::Hosts)
        } else {
            (Region::Hosts, Region::Inputs)
        }
    };
    match defect {
        Defect::None => {}
        Defect::NoMarkers => items.retain(|i| matches!(i, Item::User(_))),
        Defect::Drop(m) => {
            items.remove(position(&items, MARKERS[*m]));
        }
        Defect::Duplicate(m, at) => {
            let copy = items[position(&items, MARKERS[*m])].clone();
            items.insert(at % (items.len() + 1), copy);
        }
        Defect::Swap(region) => {
            let b = position(&items, (*region, Which::Begin));
            let e = position(&items, (*region, Which::End));
            items.swap(b, e);
        }
        Defect::Nest => {
            // Move the later region (markers and body) to just after the earlier
            // region's begin marker.
            let (earlier, later) = begins(&items);
            let from = position(&items, (later, Which::Begin));
            let to = position(&items, (later, Which::End));
            let moved: Vec<Item> = items.drain(from..=to).collect();
            let at = position(&items, (earlier, Which::Begin)) + 1;
            items.splice(at..at, moved);
        }
        Defect::Overlap => {
            let (earlier, later) = begins(&items);
            let end = items.remove(position(&items, (earlier, Which::End)));
            let at = position(&items, (later, Which::Begin)) + 1;
            items.insert(at, end);
        }
    }
    File { items, ..file.clone() }
}

/// Does `err` describe `defect`?
fn refusal_fits(err: &PatchError, defect: &Defect) -> bool {
    match (defect, err) {
        (Defect::NoMarkers, PatchError::MissingMarker { region, which, .. }) => (*region, *which) == MARKERS[0],
        (Defect::Drop(m), PatchError::MissingMarker { region, which, .. }) => (*region, *which) == MARKERS[*m],
        (Defect::Duplicate(m, _), PatchError::DuplicateMarker { region, which, lines }) => (*region, *which) == MARKERS[*m] && lines.len() == 2,
        (Defect::Swap(r), PatchError::OutOfOrder { region, .. }) => region == r,
        (Defect::Nest | Defect::Overlap, PatchError::Nested { .. }) => true,
        _ => false,
    }
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_-]{0,8}"
        .prop_filter("a keyword or self", |n| !["assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with", "self"].contains(&n.as_str()))
}

fn plain_url() -> impl Strategy<Value = String> {
    "(github|gitlab):[a-z]{1,6}/[a-z]{1,6}(/[a-z0-9.]{1,5})?"
}

fn plain_desired() -> impl Strategy<Value = Desired> {
    (btree_map(name(), plain_url(), 0..6), btree_map(name(), "(x86_64|aarch64)-(linux|darwin)", 0..4)).prop_map(|(inputs, hosts)| {
        // Every other input follows the repo's nixpkgs.
        let follows = inputs.keys().step_by(2).cloned().collect();
        Desired { inputs, hosts, follows, fleet: None }
    })
}

// ---------------------------------------------------------------------------------------
// Random files.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn patch_refuses_defective_files_and_otherwise_only_rewrites_region_bodies(
        file in valid_file(),
        defect in defect(),
        desired in plain_desired(),
    ) {
        let file = apply(&file, &defect);
        let text = file.text();
        match (patch(&text, &desired), &defect) {
            (Ok(out), Defect::None) => {
                prop_assert_eq!(&out, &file.expected(&desired));
                prop_assert_eq!(outside(&out), outside(&text));
                prop_assert!(regions_match(&out, &desired).unwrap());
            }
            (Ok(_), _) => prop_assert!(false, "accepted a file with {:?}", defect),
            (Err(err), Defect::None) => prop_assert!(false, "refused a good file: {}", err),
            (Err(err), _) => prop_assert!(refusal_fits(&err, &defect), "{:?} gave {:?}", defect, err),
        }
    }

    #[test]
    fn patch_is_idempotent_and_regenerating_from_empty_regions_gives_the_same_bytes(
        file in valid_file(),
        desired in plain_desired(),
    ) {
        let once = patch(&file.text(), &desired).unwrap();
        prop_assert_eq!(&patch(&once, &desired).unwrap(), &once);
        let emptied = patch(&once, &Desired::default()).unwrap();
        prop_assert_eq!(&patch(&emptied, &desired).unwrap(), &once);
    }
}

/// One change to the desired inputs and hosts, as glix commands make them.
#[derive(Debug, Clone)]
enum Change {
    AddInput(String, String),
    RemoveInput(usize),
    SetUrl(usize, String),
    AddHost(String, String),
    RemoveHost(usize),
    RemoveEverything,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (name(), plain_url()).prop_map(|(n, u)| Change::AddInput(n, u)),
        2 => any::<usize>().prop_map(Change::RemoveInput),
        2 => (any::<usize>(), plain_url()).prop_map(|(i, u)| Change::SetUrl(i, u)),
        2 => (name(), "(x86_64|aarch64)-linux").prop_map(|(n, s)| Change::AddHost(n, s)),
        1 => any::<usize>().prop_map(Change::RemoveHost),
        1 => Just(Change::RemoveEverything),
    ]
}

/// The `i`-th key (modulo the size), if any.
fn nth_key(map: &BTreeMap<String, String>, i: usize) -> Option<String> {
    (!map.is_empty()).then(|| map.keys().nth(i % map.len()).unwrap().clone())
}

fn apply_change(desired: &mut Desired, change: &Change) {
    match change {
        Change::AddInput(n, u) => {
            desired.inputs.insert(n.clone(), u.clone());
        }
        Change::RemoveInput(i) => {
            if let Some(k) = nth_key(&desired.inputs, *i) {
                desired.inputs.remove(&k);
            }
        }
        Change::SetUrl(i, u) => {
            if let Some(k) = nth_key(&desired.inputs, *i) {
                desired.inputs.insert(k, u.clone());
            }
        }
        Change::AddHost(n, s) => {
            desired.hosts.insert(n.clone(), s.clone());
        }
        Change::RemoveHost(i) => {
            if let Some(k) = nth_key(&desired.hosts, *i) {
                desired.hosts.remove(&k);
            }
        }
        Change::RemoveEverything => *desired = Desired::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn fifty_random_changes_never_touch_a_byte_outside_the_regions(
        file in valid_file(),
        changes in vec(change(), 50),
    ) {
        let original = file.text();
        let mut desired = Desired::default();
        let mut text = original.clone();
        for change in &changes {
            apply_change(&mut desired, change);
            text = patch(&text, &desired).unwrap();
            prop_assert_eq!(outside(&text), outside(&original), "after {:?}", change);
            prop_assert!(regions_match(&text, &desired).unwrap());
        }
        prop_assert_eq!(&text, &file.expected(&desired));
        prop_assert_eq!(&text, &patch(&original, &desired).unwrap());
    }

    #[test]
    fn names_are_accepted_exactly_when_they_are_plain_nix_identifiers(
        n in prop_oneof![
            "[A-Za-z0-9_\\-.\" $'{}\n]{0,6}",
            prop::sample::select(&["let", "or", "in", "with", "self", "rec", "if"][..]).prop_map(str::to_string),
        ],
        as_host in any::<bool>(),
    ) {
        let desired = if as_host {
            Desired { hosts: [(n.clone(), "x86_64-linux".to_string())].into(), ..Desired::default() }
        } else {
            Desired { inputs: [(n.clone(), "github:o/r".to_string())].into(), ..Desired::default() }
        };
        let file = "# >>> glix-managed inputs >>>\n# <<< glix-managed inputs <<<\n# >>> glix-managed hosts >>>\n# <<< glix-managed hosts <<<\n";
        let keyword = ["assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with"]
            .contains(&n.as_str()) || (!as_host && n == "self");
        let plain = n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        match patch(file, &desired) {
            Ok(_) => prop_assert!(plain && !keyword, "accepted {:?}", n),
            Err(PatchError::InvalidName { name, .. }) => {
                prop_assert!(!plain || keyword, "refused {:?}", n);
                prop_assert_eq!(name, n);
            }
            Err(e) => prop_assert!(false, "{:?}: {}", n, e),
        }
    }
}

#[test]
fn patch_handles_ten_thousand_inputs() {
    // No timing assertion (machines differ); patching is a single pass over the lines
    // plus a single pass over the inputs, and this only shows that size is no problem.
    let desired = Desired {
        inputs: (0..10_000).map(|i| (format!("pkg{i:05}"), format!("github:owner/pkg{i}"))).collect(),
        hosts: (0..1_000).map(|i| (format!("h{i}"), "x86_64-linux".to_string())).collect(),
        follows: (0..10_000).step_by(3).map(|i| format!("pkg{i:05}")).collect(),
        fleet: None,
    };
    let template = std::fs::read_to_string(common::repo_root().join("nix/templates/default/flake.nix")).unwrap();
    let full = patch(&template, &desired).unwrap();
    // 10 000 url lines, 3 334 follows lines, 1 000 hosts.
    assert_eq!(full.lines().count(), template.lines().count() + 14_334);
    assert!(full.contains("\n    pkg00000.url = \"github:owner/pkg0\";\n    pkg00000.inputs.nixpkgs.follows = \"nixpkgs\";\n    pkg00001.url"));
    assert_eq!(patch(&full, &desired).unwrap(), full);
    assert_eq!(patch(&full, &Desired::default()).unwrap(), template);
}

// ---------------------------------------------------------------------------------------
// Hostile strings, judged by the real Nix.

/// A file shaped like the template, with a stand-in `mkHost` so that evaluating it needs
/// nothing but Nix: `nixosConfigurations.<host>` evaluates to `{ host; system; }`.
const FIXTURE: &str = r##"{
  description = "a user's flake, with \"quotes\" and ${"interpolation"}";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    # x = "# >>> glix-managed inputs >>>";
    # >>> glix-managed inputs >>>
    # <<< glix-managed inputs <<<
  };

  outputs = { self, ... }:
    let
      mkHost = host: system: { inherit host system; };
      note = ''
        # <<< glix-managed hosts <<< is what ends the hosts region
      '';
    in
    {
      nixosConfigurations = {
	# >>> glix-managed hosts >>>
	# <<< glix-managed hosts <<<
      };
    };
}
"##;

fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("$".to_string()),
        Just("${".to_string()),
        Just("\\${".to_string()),
        Just("$${".to_string()),
        Just("$\\".to_string()),
        Just("}".to_string()),
        Just("''".to_string()),
        Just("'${".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\u{1}\u{1b}\u{7f}".to_string()),
        Just("\"; evil = throw \"pwned\"; x = \"".to_string()),
        Just("${throw \"pwned\"}".to_string()),
        Just("# >>> glix-managed inputs >>>".to_string()),
        Just("\n# <<< glix-managed inputs <<<\n".to_string()),
        "[a-z:/.?=&]{1,8}",
        "\\PC{1,4}",
        Just("zoë/😀\u{2028}\u{feff}".to_string()),
    ];
    vec(piece, 1..8).prop_map(|pieces| pieces.concat())
}

fn hostile_desired() -> impl Strategy<Value = Desired> {
    let input_name = name().prop_filter("the fixture's own input", |n| n != "nixpkgs");
    (btree_map(input_name, hostile_string(), 0..5), btree_map(name(), hostile_string(), 0..3)).prop_map(|(inputs, hosts)| Desired {
        inputs,
        hosts,
        follows: Default::default(),
        fleet: None,
    })
}

fn nix_instantiate() -> Command {
    // Same environment as `common::nix()`, other binary.
    let nix = common::nix();
    let mut c = Command::new(common::toolchain().join("bin/nix-instantiate"));
    for (key, value) in nix.get_envs() {
        if let Some(value) = value {
            c.env(key, value);
        }
    }
    c
}

/// Writes each text to `<dir>/<i>/flake.nix`.
fn write_flakes(dir: &std::path::Path, texts: &[String]) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(i.to_string()).join("flake.nix");
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// Runs `cmd`, asserts that it succeeded (`failed` says what that failure means) and
/// returns its stdout.
fn stdout_of(mut cmd: Command, failed: &str) -> Vec<u8> {
    let out = cmd.output().expect("running a Nix command");
    assert!(out.status.success(), "{failed}:\n{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// `nix eval --json --impure --expr <expr>`, which must succeed.
fn nix_eval_json(expr: &str) -> Vec<u8> {
    let mut nix = common::nix();
    nix.args(["eval", "--json", "--impure", "--expr", expr]);
    stdout_of(nix, "nix eval failed")
}

fn assert_nix_parses(files: &[PathBuf]) {
    let mut parse = nix_instantiate();
    parse.arg("--parse").args(files);
    stdout_of(parse, "nix-instantiate --parse refused a patched file");
}

/// For each file, `{ inputs = { <name> = <url>; … }; hosts = { <host> = { host; system; }; … }; }`,
/// evaluated by one `nix eval` process.
fn nix_eval_regions(files: &[PathBuf]) -> Value {
    let list: Vec<String> = files.iter().map(|f| nix_str(&f.display().to_string())).collect();
    let expr = format!(
        "map (f: let flake = import f; in {{
           inputs = builtins.mapAttrs (n: v: v.url) (removeAttrs flake.inputs [ \"nixpkgs\" ]);
           hosts = (flake.outputs {{ self = null; }}).nixosConfigurations;
         }}) [ {} ]",
        list.join(" ")
    );
    serde_json::from_slice(&nix_eval_json(&expr)).expect("nix eval --json output")
}

fn expected_regions(desired: &Desired) -> Value {
    let hosts: serde_json::Map<String, Value> = desired.hosts.iter().map(|(h, s)| (h.clone(), json!({ "host": h, "system": s }))).collect();
    json!({ "inputs": desired.inputs, "hosts": hosts })
}

proptest! {
    // 2 cases × 32 files: 64 files judged by 4 Nix processes. Shrinking re-runs Nix, so
    // it is bounded.
    #![proptest_config(ProptestConfig {
        cases: 2,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_urls_and_systems_give_valid_nix_that_evaluates_to_the_original_strings(
        batch in vec(hostile_desired(), 32),
    ) {
        let texts: Vec<String> = batch.iter().map(|d| patch(FIXTURE, d).unwrap()).collect();
        for text in &texts {
            prop_assert_eq!(outside(text), outside(FIXTURE));
        }
        let dir = tempfile::tempdir().unwrap();
        let files = write_flakes(dir.path(), &texts);
        assert_nix_parses(&files);
        let evaluated = nix_eval_regions(&files);
        let expected: Vec<Value> = batch.iter().map(expected_regions).collect();
        prop_assert_eq!(evaluated, Value::Array(expected));
    }
}

#[test]
fn patched_template_parses_and_its_inputs_evaluate_with_the_real_nix() {
    let template = std::fs::read_to_string(common::repo_root().join("nix/templates/default/flake.nix")).unwrap();
    let desired = Desired {
        inputs: [("cool-pkg", "github:owner/cool-pkg"), ("evil", "x\"; y = \"${builtins.throw \"pwned\"}\\")]
            .into_iter()
            .map(|(n, u)| (n.to_string(), u.to_string()))
            .collect(),
        hosts: [("laptop".to_string(), "x86_64-linux".to_string())].into(),
        follows: ["cool-pkg".to_string()].into(),
        fleet: None,
    };
    let text = patch(&template, &desired).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = write_flakes(dir.path(), &[text]);
    assert_nix_parses(&files);
    let expr = format!(
        "builtins.mapAttrs (n: v: v.url) (removeAttrs (import {}).inputs [ \"nixpkgs\" \"home-manager\" \"glixos-core\" ])",
        nix_str(&files[0].display().to_string())
    );
    let urls: BTreeMap<String, String> = serde_json::from_slice(&nix_eval_json(&expr)).unwrap();
    assert_eq!(urls, desired.inputs);
    let expr = format!("(import {}).inputs.cool-pkg.inputs.nixpkgs.follows", nix_str(&files[0].display().to_string()));
    assert_eq!(String::from_utf8(nix_eval_json(&expr)).unwrap().trim(), "\"nixpkgs\"", "the follows line is real Nix");
}

#[test]
fn refusal_messages_name_the_marker_the_lines_and_what_to_do() {
    let text = "# >>> glix-managed inputs >>>\n# <<< glix-managed inputs <<<\n# >>> glix-managed inputs >>>\n";
    let msg = patch(text, &Desired::default()).unwrap_err().to_string();
    assert_eq!(
        msg,
        "flake.nix has the begin marker `# >>> glix-managed inputs >>>` on lines 1, 3; keep \
         exactly one (glix rewrites the lines between one begin and one end marker)"
    );
    let msg = patch("{ }\n", &Desired::default()).unwrap_err().to_string();
    assert_eq!(
        msg,
        "flake.nix has no begin marker for the glix-managed inputs region; add the line \
         `# >>> glix-managed inputs >>>` inside `inputs = { … };`, above \
         `# <<< glix-managed inputs <<<`"
    );
}
