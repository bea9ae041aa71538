//! The per-host cache (`.git/glix-cache/`, src/ops/summary.rs) only ever saves work:
//! whatever happens to a host's manifest between two glix commands — a hand edit, a
//! broken edit, a corrupted cache file — the next change regenerates flake.nix (and
//! edits the manifest) exactly as a fresh parse of every manifest would, or refuses as
//! it would.

mod common;

use common::glix_env::Env;

fn append(env: &Env, rel: &str, text: &str) {
    let path = env.repo.join(rel);
    let mut s = std::fs::read_to_string(&path).unwrap();
    s.push_str(text);
    std::fs::write(&path, s).unwrap();
}

fn cache_files(env: &Env) -> Vec<std::path::PathBuf> {
    let dir = env.repo.join(".git/glix-cache");
    let mut v: Vec<_> = std::fs::read_dir(&dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn another_hosts_hand_edits_are_seen_by_the_next_change() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    env.ok(&["add", "--host", "laptop", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    assert!(!cache_files(&env).is_empty(), "the change left summaries for the next one");

    // A package added to desk by hand (and committed) reaches flake.nix with the next
    // change to laptop, although the cache had desk's older summary.
    append(&env, "hosts/desk/glix.toml", "\n[packages.hand]\nflake = \"github:someone/hand\"\ninput = \"hand\"\n");
    env.git(&["commit", "-qam", "hand edit of desk"]);
    let n = env.commits();
    env.ok(&["add", "--host", "laptop", &env.path("pkg-db"), "--name", "db", "--no-lock"]);
    assert_eq!(env.commits(), n + 1);
    assert!(env.read("flake.nix").contains("hand.url = \"github:someone/hand\";"), "desk's hand-added input is in flake.nix");
    env.check_regions();

    // A broken hand edit of desk is reported as it would be without a cache, and the
    // change to laptop is refused without touching anything.
    append(&env, "hosts/desk/glix.toml", "\n[packages.broken]\nflake = \"github:someone/broken\"\ninput = \"broken\"\nscope = \"sideways\"\n");
    env.git(&["commit", "-qam", "broken hand edit of desk"]);
    let before = (env.commits(), env.read("flake.nix"), env.read("hosts/laptop/glix.toml"));
    let out = env.glix(&["add", "--host", "laptop", &env.path("pkg-shell"), "--name", "shell", "--no-lock"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hosts/desk/glix.toml:") && err.contains("sideways"), "the error names desk's file and the bad value:\n{err}");
    assert_eq!((env.commits(), env.read("flake.nix"), env.read("hosts/laptop/glix.toml")), before);

    // Removing a host removes its entry too.
    std::fs::write(env.repo.join("hosts/desk/glix.toml"), "schema = 1\n").unwrap();
    env.git(&["commit", "-qam", "desk emptied"]);
    env.ok(&["host", "remove", "desk", "--no-lock"]);
    assert!(!cache_files(&env).iter().any(|f| f.ends_with("desk.bin")), "{:?}", cache_files(&env));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = hay.to_vec();
    let mut i = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    out
}

#[test]
fn a_corrupted_or_foreign_cache_is_ignored() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    env.ok(&["add", "--host", "desk", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    let files = cache_files(&env);
    assert!(files.iter().any(|f| f.ends_with("desk.bin")), "{files:?}");

    // Garbage, an empty file, and an entry from another glix version (another key):
    // each is a miss, and the manifest is read again.
    let desk = env.repo.join(".git/glix-cache/desk.bin");
    let laptop = env.repo.join(".git/glix-cache/laptop.bin");
    std::fs::write(&desk, "not json {").unwrap();
    std::fs::write(&laptop, "").unwrap();
    env.ok(&["add", "--host", "laptop", &env.path("pkg-db"), "--name", "db", "--no-lock"]);
    assert!(env.read("flake.nix").contains("web.url"), "desk's input survived a corrupted cache");
    env.check_regions();

    let entry = std::fs::read(&desk).unwrap();
    assert!(contains(&entry, b"web"), "the miss rewrote desk's entry");
    // The same entry under another key (one hex digit of the hash changed) and saying
    // something else (`web` → `xyz`, same lengths): it must not be believed.
    let version = format!(":{}:", env!("GLIX_BUILD_ID"));
    let hash_at = entry.windows(version.len()).position(|w| w == version.as_bytes()).unwrap() + version.len();
    let mut foreign = entry.clone();
    foreign[hash_at] = if foreign[hash_at] == b'0' { b'1' } else { b'0' };
    let foreign = replace(&foreign, b"web", b"xyz");
    std::fs::write(&desk, foreign).unwrap();
    env.ok(&["remove", "--host", "laptop", "db", "--no-lock"]);
    assert!(env.read("flake.nix").contains("web.url") && !env.read("flake.nix").contains("xyz"), "an entry under another key is never used");
    env.check_regions();
}

#[test]
fn an_unwritable_cache_does_not_stop_a_change() {
    let env = Env::new();
    env.init();
    // A file where the cache directory would be: every cache write fails.
    let dir = env.repo.join(".git/glix-cache");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::write(&dir, "in the way").unwrap();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    let n = env.commits();
    env.ok(&["add", "--host", "desk", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    assert_eq!(env.commits(), n + 1);
    env.check_regions();
}

/// A repo whose laptop has `web`, added by glix, and the cache file of laptop's model
/// as glix wrote it.
fn laptop_with_web() -> (Env, std::path::PathBuf) {
    let env = Env::new();
    env.init();
    env.ok(&["add", "--host", "laptop", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    let model = env.repo.join(".git/glix-cache/laptop.model");
    assert!(model.exists(), "the change left the model of what it wrote: {:?}", cache_files(&env));
    (env, model)
}

#[test]
fn the_edited_hosts_own_hand_edits_and_damaged_models_are_seen() {
    let (env, model) = laptop_with_web();

    // A package added to laptop by hand: the next change to laptop knows it (the model
    // of the text glix wrote no longer matches the file).
    append(&env, "hosts/laptop/glix.toml", "\n[packages.hand]\nflake = \"github:someone/hand\"\ninput = \"hand\"\n");
    env.git(&["commit", "-qam", "hand edit of laptop"]);
    assert!(env.ok(&["list", "--host", "laptop", "--json"]).contains("github:someone/hand"), "glix list reads the hand edit");
    let out = env.glix(&["add", "--host", "laptop", "github:someone/hand", "--name", "again", "--no-lock"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already on laptop as 'hand'"), "{err}");
    assert!(env.repo.join(".git/glix-cache/laptop.read.model").exists(), "the parsed text's model is kept too");

    // Damaged models are misses: the change goes through as without a cache.
    std::fs::write(&model, "garbage").unwrap();
    std::fs::write(env.repo.join(".git/glix-cache/laptop.read.model"), "").unwrap();
    env.ok(&["add", "--host", "laptop", &env.path("pkg-db"), "--name", "db", "--no-lock"]);
    let manifest = env.read("hosts/laptop/glix.toml");
    assert!(manifest.contains("[packages.hand]") && manifest.contains("[packages.db]") && manifest.contains("[packages.web]"), "{manifest}");
    env.check_regions();

    // The model of the text just written, under another key and saying something else
    // (`web` → `xyz`): never believed. (Debug builds also check every model used
    // against a full validation.)
    let entry = std::fs::read(&model).unwrap();
    let version = format!(":{}:", env!("GLIX_BUILD_ID"));
    let hash_at = entry.windows(version.len()).position(|w| w == version.as_bytes()).unwrap() + version.len();
    let mut foreign = replace(&entry, b"web", b"xyz");
    foreign[hash_at] = if foreign[hash_at] == b'0' { b'1' } else { b'0' };
    std::fs::write(&model, foreign).unwrap();
    let out = env.glix(&["add", "--host", "laptop", &env.path("pkg-web"), "--name", "web2", "--no-lock"]);
    assert!(!out.status.success(), "pkg-web is on laptop as web");
    assert!(String::from_utf8_lossy(&out.stderr).contains("as 'web'"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_dry_run_remembers_nothing_of_the_change_it_did_not_make() {
    let (env, model) = laptop_with_web();
    let before = std::fs::read(&model).unwrap();
    let out = env.ok(&["add", "--host", "laptop", &env.path("pkg-db"), "--name", "db", "--no-lock", "--dry-run"]);
    assert!(out.contains("[packages.db]"), "the dry run shows the diff:\n{out}");
    assert_eq!(std::fs::read(&model).unwrap(), before, "the model of a text never written was remembered");
}

/// Every file under `dir` and its bytes, in path order.
fn tree_bytes(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_dry_run_leaves_dot_git_byte_for_byte_as_it_was() {
    // After a hand edit and a clone-like empty cache, a dry run has every reason to
    // parse and cache: it must still write nothing, anywhere in .git.
    let (env, _) = laptop_with_web();
    append(&env, "hosts/laptop/glix.toml", "\n# a hand edit\n");
    env.commit_all("hand edit");
    std::fs::remove_dir_all(env.repo.join(".git/glix-cache")).unwrap();
    let before = tree_bytes(&env.repo.join(".git"));
    for args in [
        vec!["--dry-run", "add", "--host", "laptop", &env.path("pkg-db") as &str, "--name", "db"],
        vec!["--dry-run", "remove", "--host", "laptop", "web"],
        vec!["--dry-run", "host", "add", "desk"],
    ] {
        env.ok(&args);
        assert!(tree_bytes(&env.repo.join(".git")) == before, "{args:?} changed .git");
    }
}

#[test]
fn an_unwritable_cache_is_said_once_and_by_doctor() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    // In the cache's place, something glix cannot write into (as a root-owned cache is
    // for a user after `sudo glix …`).
    let cache = env.repo.join(".git/glix-cache");
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::write(&cache, "not a directory").unwrap();
    let out = env.glix(&["add", "--host", "laptop", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("cannot write its cache").count(), 1, "said once: {err}");
    let doctor = String::from_utf8_lossy(&env.glix(&["doctor"]).stdout).into_owned();
    assert!(doctor.contains("warn cache") && doctor.contains("cannot write its cache"), "{doctor}");
}

#[test]
fn with_several_broken_hosts_the_first_in_name_order_is_reported() {
    let env = Env::new();
    env.init();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    env.ok(&["host", "add", "zeta", "--no-lock"]);
    // Both broken by hand, so both are parsed afresh (on every core) by the next change.
    for host in ["zeta", "desk"] {
        append(&env, &format!("hosts/{host}/glix.toml"), "\n[packages.broken]\nflake = \"github:someone/broken\"\ninput = \"broken\"\nscope = \"sideways\"\n");
    }
    env.commit_all("two broken hand edits");
    for _ in 0..3 {
        let out = env.glix(&["add", "--host", "laptop", &env.path("pkg-web"), "--name", "web", "--no-lock"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("hosts/desk/glix.toml:") && !err.contains("hosts/zeta"), "{err}");
    }
}

/// What glix reads and writes with its cache is what it reads and writes without it
/// (`GLIX_SPEEDUPS_OFF`, the benchmark's switch): the same listing of every host, and
/// the same files committed by the same change. Debug and release builds take this same
/// path; nothing re-validates a cached model behind the tests' back.
#[test]
fn with_the_cache_and_without_it_glix_lists_and_commits_the_same() {
    let (env, _) = laptop_with_web();
    env.ok(&["host", "add", "desk", "--no-lock"]);
    append(&env, "hosts/desk/glix.toml", "\n# a hand edit\n");
    env.commit_all("hand edit");
    let off = [("GLIX_SPEEDUPS_OFF", "summary-cache,model-cache,blob-journal".to_string())];
    for args in [vec!["list", "--all-hosts", "--json"], vec!["show", "--host", "laptop", "web", "--json"]] {
        let cached = env.ok(&args); // fills the cache, then reads it
        let cached_again = env.ok(&args);
        let uncached = env.glix_with(&args, &off);
        assert!(uncached.status.success(), "{}", String::from_utf8_lossy(&uncached.stderr));
        assert_eq!(cached, cached_again, "{args:?}");
        assert_eq!(cached, String::from_utf8_lossy(&uncached.stdout), "{args:?}: the cache changed what glix says");
    }
    let head = env.git(&["rev-parse", "HEAD"]);
    let tree_of = |env: &Env, off: &[(&str, String)]| {
        let out = env.glix_with(&["add", "--host", "laptop", &env.path("pkg-db"), "--name", "db", "--no-lock"], off);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let tree = env.git(&["rev-parse", "HEAD^{tree}"]);
        env.git(&["reset", "-q", "--hard", head.trim()]);
        tree
    };
    assert_eq!(tree_of(&env, &[]), tree_of(&env, &off), "the same change commits the same files with the cache and without it");
}
