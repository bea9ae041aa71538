//! A stand-in glix registry: its JSON index, and a one-thread HTTP server for it.

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::{json, Value};

/// Serve `body` on 127.0.0.1 for up to `n` requests (a stand-in registry server).
pub fn serve(body: String, n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", body.len(), body);
        }
    });
    format!("http://{addr}/index.json")
}

pub fn registry_json(entries: &[(&str, String, Option<&str>)]) -> String {
    let packages: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(name, flake, scope)| {
            let mut e = json!({ "flake": flake, "description": format!("the {name} package") });
            if let Some(s) = scope {
                e["scope"] = json!(s);
            }
            (name.to_string(), e)
        })
        .collect();
    json!({ "version": 1, "packages": packages }).to_string()
}
