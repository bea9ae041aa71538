//! The resolver chain of `glix add` end to end: flake URIs pass through; names come from a
//! glix registry index read from `file://` or served over HTTP by a server this test
//! starts on 127.0.0.1 (loopback only, bounded in time); then from Nix's flake registry,
//! using the project's real Nix 2.26.3 with its user, system and global registries in a
//! throw-away directory (the machine's own registries are never read or written).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use glix::manifest::{Scope, Source};
use glix::nix::Nix;
use glix::resolve::{resolve, search, IndexOrigin, RegistryError, ResolveError, ResolveOptions};
use tempfile::TempDir;

const INDEX: &str = r#"{
  "version": 1,
  "packages": {
    "cool-pkg": {
      "flake": "github:owner/cool-pkg",
      "description": "A cool package for your home",
      "scope": "home",
      "output": "homeManagerModules.cool"
    },
    "tool-box": { "flake": "git+https://example.org/tool-box.git?ref=main",
                  "description": "Assorted cool tools" },
    "via-nix": { "flake": "flake:nix-only" }
  }
}"#;

// ---------------------------------------------------------------------------------------
// Helpers

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Options for a file index, a private cache and no Nix step.
fn file_opts(dir: &TempDir, index: &str) -> ResolveOptions {
    let path = dir.path().join("index.json");
    std::fs::write(&path, index).unwrap();
    let mut o = ResolveOptions::new(Some(file_url(&path)));
    o.cache_dir = Some(dir.path().join("cache"));
    o.nix = None;
    o
}

/// Options for an HTTP index, a private cache and no Nix step.
fn http_opts(dir: &TempDir, url: &str) -> ResolveOptions {
    let mut o = ResolveOptions::new(Some(url.to_string()));
    o.cache_dir = Some(dir.path().join("cache"));
    o.timeout = Duration::from_secs(5);
    o.nix = None;
    o
}

/// A test server with `reply`, and options for it with a cache in the returned directory
/// (which outlives the server when the test drops that first).
fn serve(reply: Reply) -> (Server, TempDir, ResolveOptions) {
    let server = Server::start(reply);
    let dir = tempfile::tempdir().unwrap();
    let o = http_opts(&dir, &server.url);
    (server, dir, o)
}

/// What the test server answers.
#[derive(Clone)]
enum Reply {
    Ok(&'static str),
    Status(u16, &'static str),
    /// Waits this long before answering (past the client's timeout).
    Slow(Duration),
    /// A body of this many bytes.
    Huge(usize),
}

/// An HTTP server on 127.0.0.1 with one fixed reply. It stops when dropped, and by itself
/// after 60 s.
struct Server {
    url: String,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Server {
    fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/index.json", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let reply = Arc::new(Mutex::new(reply));
        let (h, s, r) = (hits.clone(), stop.clone(), reply.clone());
        let thread = thread::spawn(move || {
            let started = Instant::now();
            while !s.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        h.fetch_add(1, Ordering::SeqCst);
                        let now = r.lock().unwrap().clone();
                        thread::spawn(move || answer(conn, now));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Server { url, reply, hits, stop, thread: Some(thread) }
    }

    fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(mut conn: TcpStream, reply: Reply) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    conn.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = |status: &str, len: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\
             Connection: close\r\n\r\n"
        )
    };
    let _ = match reply {
        Reply::Ok(body) => conn.write_all(head("200 OK", body.len()).as_bytes()).and_then(|_| conn.write_all(body.as_bytes())),
        Reply::Status(code, body) => conn.write_all(head(&format!("{code} Whatever"), body.len()).as_bytes()).and_then(|_| conn.write_all(body.as_bytes())),
        Reply::Slow(delay) => {
            thread::sleep(delay);
            conn.write_all(head("200 OK", INDEX.len()).as_bytes()).and_then(|_| conn.write_all(INDEX.as_bytes()))
        }
        Reply::Huge(len) => {
            let chunk = vec![b' '; 64 * 1024];
            let mut r = conn.write_all(head("200 OK", len).as_bytes());
            let mut sent = 0;
            while r.is_ok() && sent < len {
                let n = chunk.len().min(len - sent);
                r = conn.write_all(&chunk[..n]);
                sent += n;
            }
            r
        }
    };
}

/// The project's real Nix, with user, system and global flake registries of its own.
struct NixEnv {
    dir: TempDir,
    nix: PathBuf,
}

impl NixEnv {
    /// Resolve options over the test index (file://, in this environment's directory)
    /// with this Nix as the runner.
    fn opts(&self) -> ResolveOptions {
        let mut o = file_opts(&self.dir, INDEX);
        o.nix = Some(self.runner());
        o
    }

    fn new() -> NixEnv {
        let nix = common::toolchain().join("bin/nix");
        let dir = tempfile::tempdir().unwrap();
        for d in ["home", "config", "etc"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        // The system registry lives next to nix.conf; keep the toolchain's settings.
        let conf = common::toolchain().join("etc/nix/nix.conf");
        if conf.is_file() {
            std::fs::copy(conf, dir.path().join("etc/nix.conf")).unwrap();
        }
        let env = NixEnv { dir, nix };
        // An empty global registry file, so Nix never tries to download the real one.
        std::fs::write(env.global(), r#"{"version": 2, "flakes": []}"#).unwrap();
        env
    }

    fn global(&self) -> PathBuf {
        self.dir.path().join("global-registry.json")
    }

    fn envs(&self) -> Vec<(String, PathBuf)> {
        vec![
            ("HOME".into(), self.dir.path().join("home")),
            ("XDG_CONFIG_HOME".into(), self.dir.path().join("config")),
            ("NIX_CONF_DIR".into(), self.dir.path().join("etc")),
        ]
    }

    /// `nix registry add FROM TO` into the user registry, or into the registry file
    /// `--registry PATH` names (the global or the system one).
    fn add(&self, registry: Option<&Path>, from: &str, to: &str) {
        let mut cmd = Command::new(&self.nix);
        cmd.args(["--extra-experimental-features", "nix-command flakes"]).args(["registry", "add"]).args(["--option", "flake-registry"]).arg(self.global());
        if let Some(r) = registry {
            cmd.arg("--registry").arg(r);
        }
        cmd.args([from, to]).envs(self.envs());
        let out = cmd.output().expect("running nix registry add");
        assert!(out.status.success(), "nix registry add {from} {to}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn add_user(&self, from: &str, to: &str) {
        self.add(None, from, to)
    }

    fn add_system(&self, from: &str, to: &str) {
        self.add(Some(&self.dir.path().join("etc/registry.json")), from, to)
    }

    fn add_global(&self, from: &str, to: &str) {
        self.add(Some(&self.global()), from, to)
    }

    fn runner(&self) -> Box<Nix> {
        Box::new(
            Nix::at(&self.nix)
                .with_args(["--option".into(), "flake-registry".into(), self.global().into_os_string()])
                .with_env(self.envs())
                .with_timeout(Some(Duration::from_secs(120))),
        )
    }
}

// ---------------------------------------------------------------------------------------
// Flake URIs

#[test]
fn flake_uri_passes_through_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = file_opts(&dir, INDEX);
    // Neither registry is consulted for a URI: both point nowhere.
    o.registry_url = Some("https://127.0.0.1:1/nothing.json".into());
    let r = resolve("github:owner/cool-pkg/main", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:owner/cool-pkg/main");
    assert_eq!(r.source, Source::Uri);
    assert_eq!(r.name_hint, "cool-pkg");
    assert!(r.warnings.is_empty());
}

#[test]
fn malformed_flake_uri_is_refused_by_the_foundation_parser() {
    let dir = tempfile::tempdir().unwrap();
    let o = file_opts(&dir, INDEX);
    let e = resolve("github:owner", &o).unwrap_err();
    assert!(matches!(e, ResolveError::InvalidReference { .. }), "{e}");
    assert!(e.to_string().contains("github:owner"), "{e}");
}

// ---------------------------------------------------------------------------------------
// The glix registry: file://

#[test]
fn registry_name_resolves_through_a_file_url() {
    let dir = tempfile::tempdir().unwrap();
    let o = file_opts(&dir, INDEX);
    for typed in ["cool-pkg", "flake:cool-pkg"] {
        let r = resolve(typed, &o).unwrap();
        assert_eq!(r.flake.to_url(), "github:owner/cool-pkg");
        assert_eq!(r.source, Source::Registry);
        assert_eq!(r.name_hint, "cool-pkg");
        assert_eq!(r.default_scope, Some(Scope::Home));
        assert_eq!(r.output.as_deref(), Some("homeManagerModules.cool"));
        assert_eq!(r.description.as_deref(), Some("A cool package for your home"));
    }
    assert!(!dir.path().join("cache").exists(), "file:// registries are not cached");
}

#[test]
fn garbage_registry_file_is_an_error_naming_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let o = file_opts(&dir, "this is not json");
    let e = search("cool", &o).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ResolveError::Registry(RegistryError::Invalid { .. })), "{msg}");
    assert!(msg.contains(o.registry_url()), "{msg}");
    assert!(msg.contains("not a JSON document"), "{msg}");
}

#[test]
fn search_ranks_names_before_descriptions() {
    let dir = tempfile::tempdir().unwrap();
    let o = file_opts(&dir, INDEX);
    let found = search("cool", &o).unwrap();
    let names: Vec<_> = found.hits.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["cool-pkg", "tool-box"]);
    assert_eq!(found.origin, IndexOrigin::File);
}

// ---------------------------------------------------------------------------------------
// The glix registry: http://

#[test]
fn registry_name_resolves_over_http() {
    let (server, _dir, o) = serve(Reply::Ok(INDEX));
    let r = resolve("tool-box", &o).unwrap();
    assert_eq!(r.flake.to_url(), "git+https://example.org/tool-box.git?ref=main");
    assert_eq!(r.source, Source::Registry);
    assert_eq!(server.hits(), 1);
}

#[test]
fn plain_http_registry_warns_unless_insecure_is_allowed() {
    let (server, _dir, mut o) = serve(Reply::Ok(INDEX));
    let r = resolve("cool-pkg", &o).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("plain HTTP") && w.contains(&server.url)), "{:?}", r.warnings);
    o.allow_insecure = true;
    let r = resolve("cool-pkg", &o).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn garbage_http_body_is_an_error_naming_the_url() {
    let (server, _dir, o) = serve(Reply::Ok("<html>Please log in to the Wi-Fi</html>"));
    let msg = search("x", &o).unwrap_err().to_string();
    assert!(msg.contains(&server.url), "{msg}");
    assert!(msg.contains("not a valid index"), "{msg}");
    assert!(msg.contains("no cached copy"), "{msg}");
}

#[test]
fn http_404_is_reported_with_the_status() {
    let (server, _dir, o) = serve(Reply::Status(404, "not here"));
    let e = search("x", &o).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ResolveError::Registry(RegistryError::Unreachable { .. })), "{msg}");
    assert!(msg.contains("could not reach the glix registry at"), "{msg}");
    assert!(msg.contains(&server.url) && msg.contains("HTTP 404"), "{msg}");
    assert!(msg.contains("pass --registry"), "{msg}");
}

#[test]
fn slow_registry_times_out() {
    let (server, _dir, mut o) = serve(Reply::Slow(Duration::from_secs(3)));
    o.timeout = Duration::from_millis(500);
    let start = Instant::now();
    let msg = search("x", &o).unwrap_err().to_string();
    assert!(start.elapsed() < Duration::from_millis(2500), "{:?}", start.elapsed());
    assert!(msg.contains("timed out after 500 ms"), "{msg}");
    assert!(msg.contains(&server.url), "{msg}");
}

#[test]
fn huge_registry_body_is_refused() {
    let (server, _dir, o) = serve(Reply::Huge(17 * 1024 * 1024));
    let msg = search("x", &o).unwrap_err().to_string();
    assert!(msg.contains("larger than 16 MiB"), "{msg}");
    assert!(msg.contains(&server.url), "{msg}");
}

#[test]
fn fresh_cache_is_used_without_asking_the_server() {
    let (server, _dir, o) = serve(Reply::Ok(INDEX));
    assert_eq!(search("cool", &o).unwrap().origin, IndexOrigin::Network);
    assert_eq!(search("cool", &o).unwrap().origin, IndexOrigin::FreshCache);
    assert_eq!(server.hits(), 1);
}

#[test]
fn cache_is_used_when_the_server_is_gone() {
    let (server, _dir, mut o) = serve(Reply::Ok(INDEX));
    o.allow_insecure = true;
    resolve("cool-pkg", &o).unwrap();
    drop(server);

    // The copy is older than the TTL, so glix asks the network first, then falls back.
    o.cache_ttl = Duration::ZERO;
    let r = resolve("cool-pkg", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:owner/cool-pkg");
    assert!(r.warnings.iter().any(|w| w.contains("could not fetch") && w.contains("using the cached copy")), "{:?}", r.warnings);
    let found = search("cool", &o).unwrap();
    assert_eq!(found.origin, IndexOrigin::StaleCache);
}

#[test]
fn cache_is_used_when_the_server_sends_garbage() {
    let (server, _dir, mut o) = serve(Reply::Ok(INDEX));
    resolve("cool-pkg", &o).unwrap();
    server.set(Reply::Ok("<html>Please log in to the Wi-Fi</html>"));
    o.cache_ttl = Duration::ZERO;
    let r = resolve("cool-pkg", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:owner/cool-pkg");
    assert!(r.warnings.iter().any(|w| w.contains("not a valid index") && w.contains("using the cached copy")), "{:?}", r.warnings);
    assert_eq!(server.hits(), 2);
}

#[test]
fn offline_uses_the_cache_and_fails_clearly_without_one() {
    let (server, _dir, mut o) = serve(Reply::Ok(INDEX));
    o.offline = true;
    let e = search("cool", &o).unwrap_err();
    assert!(matches!(e, ResolveError::Registry(RegistryError::Offline { .. })), "{e}");
    assert_eq!(server.hits(), 0);

    o.offline = false;
    search("cool", &o).unwrap();
    o.offline = true;
    o.cache_ttl = Duration::ZERO;
    let found = search("cool", &o).unwrap();
    assert_eq!(found.hits[0].name, "cool-pkg");
    let offline_warning =
        |warnings: &[String]| warnings.iter().any(|w| w.starts_with("offline: using the cached copy of the glix registry") && w.contains(&server.url));
    assert!(offline_warning(&found.warnings), "{:?}", found.warnings);
    let r = resolve("cool-pkg", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:owner/cool-pkg");
    assert!(offline_warning(&r.warnings), "{:?}", r.warnings);
    assert_eq!(server.hits(), 1);
}

#[test]
fn unreachable_registry_is_a_clear_error() {
    // Bind a port, then close it: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/index.json");
    let o = http_opts(&dir, &url);
    let msg = search("x", &o).unwrap_err().to_string();
    assert!(msg.starts_with(&format!("could not reach the glix registry at {url}: ")), "{msg}");
    assert!(msg.contains("no cached copy") && msg.contains("pass --registry"), "{msg}");
}

// ---------------------------------------------------------------------------------------
// Nix's flake registry (the real Nix)

#[test]
fn nix_registry_entry_resolves_with_the_real_nix() {
    let env = NixEnv::new();
    env.add_user("my-flake", "github:someone/my-flake");
    let o = env.opts();
    let r = resolve("my-flake", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:someone/my-flake");
    assert_eq!(r.source, Source::NixRegistry);
    assert_eq!(r.name_hint, "my-flake");
}

#[test]
fn nix_user_registry_wins_over_system_and_global() {
    let env = NixEnv::new();
    env.add_global("shared", "github:global/shared");
    env.add_system("shared", "github:system/shared");
    env.add_user("shared", "github:user/shared");
    env.add_global("sys-or-global", "github:global/sys-or-global");
    env.add_system("sys-or-global", "github:system/sys-or-global");
    env.add_global("only-global", "github:global/only-global");
    let o = env.opts();
    let url = |typed: &str| resolve(typed, &o).unwrap().flake.to_url();
    assert_eq!(url("shared"), "github:user/shared");
    assert_eq!(url("sys-or-global"), "github:system/sys-or-global");
    assert_eq!(url("only-global"), "github:global/only-global");
}

#[test]
fn indirect_nix_registry_targets_are_followed_to_a_direct_ref() {
    let env = NixEnv::new();
    env.add_user("base", "github:someone/base");
    env.add_user("alias", "flake:base/release-1");
    let o = env.opts();
    let r = resolve("alias", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:someone/base/release-1");
    assert!(!r.flake.is_indirect());
    assert_eq!(r.source, Source::NixRegistry);
    assert_eq!(r.chain, ["flake:alias", "flake:base/release-1", "github:someone/base/release-1"]);
}

#[test]
fn indirect_glix_registry_targets_are_followed_through_nix() {
    let env = NixEnv::new();
    env.add_user("nix-only", "git+https://example.org/nix-only.git");
    let o = env.opts();
    let r = resolve("via-nix", &o).unwrap();
    assert_eq!(r.flake.to_url(), "git+https://example.org/nix-only.git");
    assert_eq!(r.source, Source::Registry, "the name was found in the glix registry");
}

#[test]
fn nix_registry_cycles_are_an_error() {
    let env = NixEnv::new();
    env.add_user("ping", "flake:pong");
    env.add_user("pong", "flake:ping");
    let o = env.opts();
    let e = resolve("ping", &o).unwrap_err();
    assert!(matches!(e, ResolveError::Cycle { .. }), "{e}");
}

#[test]
fn unknown_name_lists_the_steps_tried_and_near_names() {
    let env = NixEnv::new();
    env.add_user("cool-pkgs", "github:someone/cool-pkgs");
    let o = env.opts();
    let e = resolve("cool-pgk", &o).unwrap_err();
    let msg = e.to_string();
    let ResolveError::NotFound { tried, suggestions, .. } = &e else { panic!("{msg}") };
    assert_eq!(suggestions, &["cool-pkg", "cool-pkgs"], "{msg}");
    assert_eq!(tried.len(), 3, "{msg}");
    assert!(msg.contains("1. flake URI: 'cool-pgk' is a name"), "{msg}");
    assert!(msg.contains(&format!("2. glix registry {}: no package named 'cool-pgk'", o.registry_url())), "{msg}");
    assert!(msg.contains("3. Nix flake registry: no entry for flake:cool-pgk"), "{msg}");
    assert!(msg.contains("did you mean: cool-pkg, cool-pkgs?"), "{msg}");
}

#[test]
fn unreachable_registry_is_listed_when_nothing_else_knows_the_name() {
    let env = NixEnv::new();
    let mut o = env.opts();
    o.registry_url = Some(file_url(&env.dir.path().join("missing.json")));
    let msg = resolve("cool-pkg", &o).unwrap_err().to_string();
    assert!(msg.contains("could not read the glix registry at file://"), "{msg}");
    assert!(msg.contains("3. Nix flake registry"), "{msg}");
}

#[test]
fn unreachable_registry_is_a_warning_when_nix_knows_the_name() {
    let env = NixEnv::new();
    env.add_user("my-flake", "github:someone/my-flake");
    let mut o = env.opts();
    o.registry_url = Some(file_url(&env.dir.path().join("missing.json")));
    let r = resolve("my-flake", &o).unwrap();
    assert_eq!(r.flake.to_url(), "github:someone/my-flake");
    assert_eq!(r.source, Source::NixRegistry);
    assert!(
        r.warnings.iter().any(|w| {
            w.starts_with("could not read the glix registry at file://") && w.ends_with("; 'my-flake' was resolved through Nix's flake registry instead")
        }),
        "{:?}",
        r.warnings
    );
}

#[test]
fn missing_nix_is_listed_as_a_step_that_failed() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = file_opts(&dir, INDEX);
    o.nix = Some(Box::new(Nix::at(dir.path().join("no-such-nix"))));
    let msg = resolve("unknown-thing", &o).unwrap_err().to_string();
    assert!(msg.contains("could not run"), "{msg}");
    assert!(msg.contains("GLIX_NIX"), "{msg}");
}
