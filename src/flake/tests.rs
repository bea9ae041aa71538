//! Unit tests for the `flake.nix` patcher. The property tests over random files and the
//! checks against the real Nix live in `tests/flake_patcher.rs`.

use proptest::prelude::*;

use super::*;

const TEMPLATE: &str = include_str!("../../nix/templates/default/flake.nix");

/// A small file in the template's shape: line 3 and 4 are the inputs markers, lines 8
/// and 9 the hosts markers.
const SMALL: &str = "\
{
  inputs = {
    # >>> glix-managed inputs >>>
    # <<< glix-managed inputs <<<
  };
  outputs = { ... }: {
    nixosConfigurations = {
      # >>> glix-managed hosts >>>
      # <<< glix-managed hosts <<<
    };
  };
}
";

fn desired(inputs: &[(&str, &str)], hosts: &[(&str, &str)]) -> Desired {
    let own = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Desired { inputs: own(inputs), hosts: own(hosts), follows: Default::default(), fleet: None }
}

fn two_inputs_one_host() -> Desired {
    desired(&[("zed", "github:o/zed"), ("cool-pkg", "github:owner/cool-pkg")], &[("laptop", "x86_64-linux")])
}

/// `text` with the line numbered `line` (1-based) removed.
fn without_line(text: &str, line: usize) -> String {
    text.split_inclusive('\n').enumerate().filter(|&(i, _)| i + 1 != line).map(|(_, l)| l).collect()
}

/// `text` with `extra` inserted as a new line before line `line` (1-based).
fn with_line_before(text: &str, line: usize, extra: &str) -> String {
    let mut out = String::new();
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            out.push_str(extra);
            out.push('\n');
        }
        out.push_str(l);
    }
    out
}

// --- what patch writes --------------------------------------------------------------

#[test]
fn patch_fills_both_regions_sorted_by_name_with_the_marker_indentation() {
    let out = patch(SMALL, &two_inputs_one_host()).unwrap();
    assert_eq!(
        out,
        "\
{
  inputs = {
    # >>> glix-managed inputs >>>
    cool-pkg.url = \"github:owner/cool-pkg\";
    zed.url = \"github:o/zed\";
    # <<< glix-managed inputs <<<
  };
  outputs = { ... }: {
    nixosConfigurations = {
      # >>> glix-managed hosts >>>
      laptop = mkHost \"laptop\" \"x86_64-linux\";
      # <<< glix-managed hosts <<<
    };
  };
}
"
    );
}

#[test]
fn patch_accepts_the_template_that_glix_init_writes() {
    let out = patch(TEMPLATE, &two_inputs_one_host()).unwrap();
    assert!(out.contains("    # >>> glix-managed inputs >>>\n    cool-pkg.url = \"github:owner/cool-pkg\";\n"));
    assert!(out.contains("        # >>> glix-managed hosts >>>\n        laptop = mkHost \"laptop\" \"x86_64-linux\";\n        # <<< glix-managed hosts <<<\n"));
    assert_eq!(patch(&out, &Desired::default()).unwrap(), TEMPLATE);
}

#[test]
fn patch_with_nothing_desired_empties_the_regions() {
    let full = patch(SMALL, &two_inputs_one_host()).unwrap();
    assert_eq!(patch(&full, &Desired::default()).unwrap(), SMALL);
}

#[test]
fn patch_is_idempotent() {
    let d = two_inputs_one_host();
    let once = patch(SMALL, &d).unwrap();
    assert_eq!(patch(&once, &d).unwrap(), once);
}

#[test]
fn patch_replaces_whatever_the_user_wrote_inside_the_regions() {
    let messy = with_line_before(SMALL, 4, "    old.url = \"x\"; # hand-edited\n\n  garbage {{");
    assert_eq!(patch(&messy, &two_inputs_one_host()).unwrap(), patch(SMALL, &two_inputs_one_host()).unwrap());
}

#[test]
fn regenerating_from_emptied_regions_gives_the_same_bytes() {
    let d = two_inputs_one_host();
    let patched = patch(SMALL, &d).unwrap();
    let emptied = patch(&patched, &Desired::default()).unwrap();
    assert_eq!(patch(&emptied, &d).unwrap(), patched);
}

#[test]
fn reindented_markers_work_and_the_region_takes_each_markers_indentation() {
    let text = "{\n\tinputs = {\n\t\t# >>> glix-managed inputs >>>\n  \t# <<< glix-managed inputs <<<\n\t};\n        # >>> glix-managed hosts >>>\n# <<< glix-managed hosts <<<\n}\n";
    let out = patch(text, &two_inputs_one_host()).unwrap();
    assert_eq!(
        out,
        "{\n\tinputs = {\n\t\t# >>> glix-managed inputs >>>\n\t\tcool-pkg.url = \"github:owner/cool-pkg\";\n\t\tzed.url = \"github:o/zed\";\n  \t# <<< glix-managed inputs <<<\n\t};\n        # >>> glix-managed hosts >>>\n        laptop = mkHost \"laptop\" \"x86_64-linux\";\n# <<< glix-managed hosts <<<\n}\n"
    );
}

#[test]
fn markers_with_trailing_whitespace_still_count() {
    let text = SMALL.replace("inputs >>>\n", "inputs >>>  \t\n").replace("hosts <<<\n", "hosts <<< \n");
    let out = patch(&text, &two_inputs_one_host()).unwrap();
    assert!(out.contains("inputs >>>  \t\n    cool-pkg.url"));
    assert!(out.contains("x86_64-linux\";\n      # <<< glix-managed hosts <<< \n"));
}

#[test]
fn crlf_file_stays_crlf() {
    let crlf = SMALL.replace('\n', "\r\n");
    let out = patch(&crlf, &two_inputs_one_host()).unwrap();
    assert_eq!(out, patch(SMALL, &two_inputs_one_host()).unwrap().replace('\n', "\r\n"));
    assert!(regions_match(&out, &two_inputs_one_host()).unwrap());
}

#[test]
fn file_without_trailing_newline_stays_without_one() {
    let text =
        "{ inputs = {\n# >>> glix-managed inputs >>>\n# <<< glix-managed inputs <<<\n}; x = {\n# >>> glix-managed hosts >>>\n# <<< glix-managed hosts <<<";
    let out = patch(text, &two_inputs_one_host()).unwrap();
    assert!(out.ends_with("laptop = mkHost \"laptop\" \"x86_64-linux\";\n# <<< glix-managed hosts <<<"));
}

#[test]
fn regions_may_come_in_either_order() {
    let text = "# >>> glix-managed hosts >>>\n# <<< glix-managed hosts <<<\n# >>> glix-managed inputs >>>\n# <<< glix-managed inputs <<<\n";
    assert_eq!(
        patch(text, &two_inputs_one_host()).unwrap(),
        "# >>> glix-managed hosts >>>\nlaptop = mkHost \"laptop\" \"x86_64-linux\";\n# <<< glix-managed hosts <<<\n# >>> glix-managed inputs >>>\ncool-pkg.url = \"github:owner/cool-pkg\";\nzed.url = \"github:o/zed\";\n# <<< glix-managed inputs <<<\n"
    );
}

#[test]
fn lines_that_only_contain_the_marker_text_are_not_markers() {
    let decoys = [
        "    x = \"# >>> glix-managed inputs >>>\";",
        "    # >>> glix-managed inputs >>> (do not edit)",
        "    ## >>> glix-managed inputs >>>",
        "    foo = 1; # >>> glix-managed inputs >>>",
        "    # >>>  glix-managed inputs >>>",
        "    # <<< glix-managed inputs <<< end",
        "    # >>> glix-managed hosts >>>x",
        "    \u{a0}# <<< glix-managed hosts <<<",
    ];
    let mut text = SMALL.to_string();
    for decoy in decoys {
        text = with_line_before(&text, 2, decoy);
    }
    let out = patch(&text, &two_inputs_one_host()).unwrap();
    assert!(out.starts_with(&text[..text.find("  inputs = {").unwrap()]));
    assert_eq!(patch(&out, &Desired::default()).unwrap(), text);
}

#[test]
fn escaped_strings_cannot_end_the_string_or_interpolate() {
    let d = desired(&[("evil", "a\"; pwned = import /etc/passwd; x = \"${builtins.currentTime}\\$${x}\n\r\t$")], &[("laptop", "x86\"_64${x}")]);
    let out = patch(SMALL, &d).unwrap();
    assert!(out.contains("    evil.url = \"a\\\"; pwned = import /etc/passwd; x = \\\"\\${builtins.currentTime}\\\\$\\${x}\\n\\r\\t$\";\n"));
    assert!(out.contains("      laptop = mkHost \"laptop\" \"x86\\\"_64\\${x}\";\n"));
}

#[test]
fn unicode_urls_are_written_as_they_are() {
    let d = desired(&[("u", "path:/home/zoë/😀\u{2028}x")], &[]);
    let out = patch(SMALL, &d).unwrap();
    assert!(out.contains("    u.url = \"path:/home/zoë/😀\u{2028}x\";\n"));
}

#[test]
fn render_region_is_the_text_between_the_markers() {
    let d = two_inputs_one_host();
    assert_eq!(render_region(INPUTS, &d, "  ").unwrap(), "  cool-pkg.url = \"github:owner/cool-pkg\";\n  zed.url = \"github:o/zed\";\n");
    assert_eq!(render_region(HOSTS, &d, "").unwrap(), "laptop = mkHost \"laptop\" \"x86_64-linux\";\n");
    assert_eq!(render_region(HOSTS, &Desired::default(), "  ").unwrap(), "");
}

// --- locate and regions_match ----------------------------------------------------------

#[test]
fn locate_reports_marker_lines_bytes_and_indentation() {
    let located = locate(SMALL).unwrap();
    let inputs = &located.inputs;
    assert_eq!((inputs.begin_line, inputs.end_line), (3, 4));
    assert_eq!(&SMALL[inputs.begin.clone()], "    # >>> glix-managed inputs >>>\n");
    assert_eq!(&SMALL[inputs.end.clone()], "    # <<< glix-managed inputs <<<\n");
    assert_eq!(inputs.body, inputs.begin.end..inputs.begin.end);
    assert_eq!(inputs.indent, "    ");
    assert_eq!(inputs.newline, "\n");
    let hosts = located.get(HOSTS).unwrap();
    assert_eq!((hosts.begin_line, hosts.end_line), (8, 9));
    assert_eq!(hosts.indent, "      ");
    assert_eq!(located.in_file_order()[0].region, Region::Inputs);
}

#[test]
fn regions_match_says_whether_the_file_is_what_patch_would_write() {
    let d = two_inputs_one_host();
    assert!(!regions_match(SMALL, &d).unwrap());
    assert!(regions_match(SMALL, &Desired::default()).unwrap());
    let patched = patch(SMALL, &d).unwrap();
    assert!(regions_match(&patched, &d).unwrap());
    let reordered = patched.replace(
        "    cool-pkg.url = \"github:owner/cool-pkg\";\n    zed.url = \"github:o/zed\";\n",
        "    zed.url = \"github:o/zed\";\n    cool-pkg.url = \"github:owner/cool-pkg\";\n",
    );
    assert!(!regions_match(&reordered, &d).unwrap());
    assert!(regions_match(&SMALL.replace("inputs >>>\n", "inputs <<<\n"), &d).is_err());
}

// --- refusals ----------------------------------------------------------------------------

#[test]
fn patch_refuses_when_begin_marker_missing() {
    let err = patch(&without_line(SMALL, 3), &two_inputs_one_host()).unwrap_err();
    assert_eq!(err, PatchError::MissingMarker { region: INPUTS, which: Which::Begin, near: None });
    let msg = err.to_string();
    assert!(msg.contains("add the line `# >>> glix-managed inputs >>>` inside `inputs = { … };`"), "{msg}");
    // What to do is in the message itself: glix doctor cannot put a marker back.
    assert!(!msg.contains("glix doctor"), "{msg}");
}

#[test]
fn patch_refuses_when_end_marker_missing() {
    let err = patch(&without_line(SMALL, 9), &two_inputs_one_host()).unwrap_err();
    assert_eq!(err, PatchError::MissingMarker { region: HOSTS, which: Which::End, near: None });
    assert!(err.to_string().contains("`# <<< glix-managed hosts <<<`"));
}

#[test]
fn patch_refuses_when_a_whole_region_is_missing() {
    let text = without_line(&without_line(SMALL, 9), 8);
    assert!(matches!(patch(&text, &Desired::default()), Err(PatchError::MissingMarker { region: Region::Hosts, which: Which::Begin, .. })));
}

#[test]
fn missing_marker_error_points_at_a_near_miss() {
    let text = SMALL.replace("    # >>> glix-managed inputs >>>\n", "    # >>> glix-managed inputs >>> keep sorted\n");
    let err = patch(&text, &Desired::default()).unwrap_err();
    assert_eq!(err, PatchError::MissingMarker { region: INPUTS, which: Which::Begin, near: Some(3) });
    assert!(err.to_string().contains("line 3 contains the marker text"), "{err}");
}

#[test]
fn patch_refuses_when_marker_duplicated() {
    let text = with_line_before(SMALL, 11, "  # <<< glix-managed hosts <<<");
    let err = patch(&text, &two_inputs_one_host()).unwrap_err();
    assert_eq!(err, PatchError::DuplicateMarker { region: HOSTS, which: Which::End, lines: vec![9, 11] });
    assert!(err.to_string().contains("on lines 9, 11"), "{err}");
}

#[test]
fn patch_refuses_when_end_marker_comes_before_begin() {
    let text = SMALL.replace(
        "    # >>> glix-managed inputs >>>\n    # <<< glix-managed inputs <<<\n",
        "    # <<< glix-managed inputs <<<\n    # >>> glix-managed inputs >>>\n",
    );
    let err = patch(&text, &two_inputs_one_host()).unwrap_err();
    assert_eq!(err, PatchError::OutOfOrder { region: INPUTS, begin_line: 4, end_line: 3 });
    assert!(err.to_string().contains("ends (line 3) before it begins (line 4)"), "{err}");
}

#[test]
fn patch_refuses_when_regions_nest() {
    let text = "# >>> glix-managed inputs >>>\n# >>> glix-managed hosts >>>\n# <<< glix-managed hosts <<<\n# <<< glix-managed inputs <<<\n";
    let err = patch(text, &Desired::default()).unwrap_err();
    assert_eq!(err, PatchError::Nested { first: INPUTS, first_lines: (1, 4), second: HOSTS, second_lines: (2, 3) });
    assert!(err.to_string().contains("overlap"), "{err}");
}

#[test]
fn patch_refuses_when_regions_overlap() {
    let text = "# >>> glix-managed hosts >>>\n# >>> glix-managed inputs >>>\n# <<< glix-managed hosts <<<\n# <<< glix-managed inputs <<<\n";
    assert_eq!(patch(text, &Desired::default()).unwrap_err(), PatchError::Nested { first: HOSTS, first_lines: (1, 3), second: INPUTS, second_lines: (2, 4) });
}

#[test]
fn patch_refuses_invalid_names() {
    let bad = ["", "1pkg", "-pkg", "a.b", "a b", "a\"b", "a${b}", "ünï", "x\n", "let", "or"];
    for name in bad {
        for region in Region::ALL {
            let d = match region {
                Region::Inputs => desired(&[(name, "github:o/r")], &[]),
                Region::Hosts | Region::Fleet => desired(&[], &[(name, "x86_64-linux")]),
            };
            let err = patch(SMALL, &d).unwrap_err();
            assert!(matches!(&err, PatchError::InvalidName { region: r, name: n, .. } if *r == region && n == name), "{name:?} in {region}: {err:?}");
            assert!(err.to_string().contains(&format!("{name:?}")), "{err}");
        }
    }
}

#[test]
fn patch_refuses_self_as_an_input_name_but_not_as_a_host() {
    assert!(matches!(patch(SMALL, &desired(&[("self", "github:o/r")], &[])), Err(PatchError::InvalidName { .. })));
    assert!(patch(SMALL, &desired(&[], &[("self", "x86_64-linux")])).is_ok());
}

#[test]
fn patch_accepts_names_with_underscores_dashes_and_digits() {
    let d = desired(&[("_a-1_B", "github:o/r"), ("Z9", "x")], &[("h-2_x", "aarch64-linux")]);
    assert!(patch(SMALL, &d).is_ok());
}

#[test]
fn patch_refuses_a_url_with_nul_or_an_empty_url() {
    for url in ["github:o/r\0", ""] {
        let err = patch(SMALL, &desired(&[("pkg", url)], &[])).unwrap_err();
        assert!(matches!(&err, PatchError::InvalidUrl { input, url: u, .. } if input == "pkg" && u == url), "{err:?}");
    }
}

#[test]
fn patch_refuses_a_system_with_nul_or_an_empty_system() {
    for system in ["x86_64-linux\0", ""] {
        let err = patch(SMALL, &desired(&[], &[("laptop", system)])).unwrap_err();
        assert!(matches!(err, PatchError::InvalidSystem { .. }), "{err:?}");
    }
}

#[test]
fn regions_match_refuses_what_patch_refuses() {
    // The inputs region differs already; the bad host name must still be reported.
    let d = desired(&[("ok", "github:o/r")], &[("bad name", "x86_64-linux")]);
    assert!(patch(SMALL, &d).is_err());
    assert!(regions_match(SMALL, &d).is_err());
}

// --- escaping ---------------------------------------------------------------------------

/// Reads a Nix double-quoted string body the way Nix's lexer does: `\c` is `c` (or a
/// newline, CR, tab for n, r, t), `"` ends the string and `${` starts an
/// interpolation, both of which must not happen inside an escaped body.
fn nix_unescape(body: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some(c) => out.push(c),
                None => return Err("dangling backslash escapes the closing quote".into()),
            },
            '"' => return Err("unescaped quote ends the string".into()),
            '$' if chars.peek() == Some(&'{') => return Err("unescaped ${ interpolates".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn escaped_string_reads_back_as_the_original(s in "([\"\\\\${}\n\r\t' a-z]|\\PC){0,40}") {
        prop_assume!(!s.contains('\0'));
        let body = escape_nix_string(&s).unwrap();
        prop_assert!(!body.contains('\n') && !body.contains('\r'));
        prop_assert_eq!(nix_unescape(&body), Ok(s));
    }
}

#[test]
fn an_input_that_follows_the_repos_nixpkgs_gets_its_follows_line_after_its_url() {
    let mut d = desired(&[("a", "github:o/a"), ("b", "github:o/b")], &[]);
    d.follows.insert("b".into());
    assert_eq!(
        render_region(Region::Inputs, &d, "  ").unwrap(),
        "  a.url = \"github:o/a\";\n  b.url = \"github:o/b\";\n  b.inputs.nixpkgs.follows = \"nixpkgs\";\n"
    );
}

// --- the fleet region ---------------------------------------------------------------

/// SMALL with the fleet markers after nixosConfigurations (lines 11 and 12).
fn with_fleet() -> String {
    SMALL.replace("    };\n  };\n}\n", "    };\n    # >>> glix-managed fleet >>>\n    # <<< glix-managed fleet <<<\n  };\n}\n")
}

#[test]
fn the_fleet_region_is_optional_and_found_when_its_markers_are_there() {
    assert_eq!(locate(SMALL).unwrap().fleet, None);
    let text = with_fleet();
    let fleet = locate(&text).unwrap().fleet.unwrap();
    assert_eq!((fleet.begin_line, fleet.end_line, fleet.indent.as_str()), (11, 12, "    "));
    // the template has it, empty
    assert!(locate(TEMPLATE).unwrap().fleet.is_some());
}

#[test]
fn one_fleet_marker_alone_a_duplicate_or_an_overlap_is_refused() {
    let text = with_fleet();
    assert!(matches!(locate(&without_line(&text, 12)), Err(PatchError::MissingMarker { region: Region::Fleet, which: Which::End, .. })));
    assert!(matches!(locate(&without_line(&text, 11)), Err(PatchError::MissingMarker { region: Region::Fleet, which: Which::Begin, .. })));
    let dup = text.replacen("    # <<< glix-managed fleet <<<\n", "    # <<< glix-managed fleet <<<\n    # <<< glix-managed fleet <<<\n", 1);
    assert!(matches!(locate(&dup), Err(PatchError::DuplicateMarker { region: Region::Fleet, which: Which::End, .. })));
    let reversed = text
        .replace("# >>> glix-managed fleet >>>", "# tmp")
        .replace("# <<< glix-managed fleet <<<", "# >>> glix-managed fleet >>>")
        .replace("# tmp", "# <<< glix-managed fleet <<<");
    assert!(matches!(locate(&reversed), Err(PatchError::OutOfOrder { region: Region::Fleet, .. })));
    let inside = SMALL.replace(
        "      # >>> glix-managed hosts >>>\n",
        "      # >>> glix-managed hosts >>>\n      # >>> glix-managed fleet >>>\n      # <<< glix-managed fleet <<<\n",
    );
    assert!(matches!(locate(&inside), Err(PatchError::Nested { .. })));
}

#[test]
fn an_engine_renders_its_lines_and_is_read_back_from_the_region() {
    let text = with_fleet();
    for engine in Engine::ALL {
        let mut d = desired(&[(engine.input(), "path:/src/engine")], &[("laptop", "x86_64-linux")]);
        d.fleet = Some(engine);
        let out = patch(&text, &d).unwrap();
        let lines: String = engine.lines().iter().map(|l| format!("    {l}\n")).collect();
        assert!(out.contains(&format!("    # >>> glix-managed fleet >>>\n{lines}    # <<< glix-managed fleet <<<\n")), "{out}");
        let located = locate(&out).unwrap();
        assert_eq!(fleet::enabled(&out, &located), Some(Fleet { engine, url: "path:/src/engine" }));
        // patching again is the same text; no engine empties the region
        assert_eq!(patch(&out, &d).unwrap(), out);
        d.fleet = None;
        let off = patch(&out, &d).unwrap();
        assert_eq!(fleet::enabled(&off, &locate(&off).unwrap()), None);
    }
    // no region, an engine asked for: refused
    let mut d = desired(&[], &[]);
    d.fleet = Some(Engine::Colmena);
    assert_eq!(patch(SMALL, &d), Err(PatchError::NoFleetRegion));
}
