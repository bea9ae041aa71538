//! Every input the fuzzers (scripts/fuzz) ever crashed on, kept in
//! tests/fuzz-regressions/<target>/ and replayed through the same checks.

#[path = "../fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().is_some_and(|f| f == "README") {
            continue;
        }
        check(&std::fs::read(&p).unwrap());
        n += 1;
    }
    // A folder that replays nothing would pass whatever the code does.
    assert!(n > 0, "{} holds no input to replay: seed it (see its README)", dir.display());
    n
}

#[test]
fn manifest_loader_regressions() {
    replay("manifest_load", checks::manifest_load);
}

#[test]
fn flakeref_parser_regressions() {
    replay("flakeref_parse", checks::flakeref_parse);
}

#[test]
fn patcher_regressions() {
    replay("patch_flake", checks::patch_flake);
}

#[test]
fn the_checks_themselves_run_on_typical_inputs() {
    checks::manifest_load(b"schema = 1\n[packages.a]\nflake = \"github:o/a\"\ninput = \"a\"\n");
    checks::flakeref_parse(b"github:o/r/v1?dir=x");
    let template = include_str!("../nix/templates/default/flake.nix");
    checks::patch_flake(format!("a github:o/a;b path:/x\n{template}").as_bytes());
}
