//! The core parse/normalize (what the plugin's builtins run) on generated manifests.
//! Run by scripts/bench, which compares it with `builtins.fromTOML` per package.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// A manifest of `n` packages over several users and both scopes, as scripts/bench
/// generates them (keep the two in step).
pub fn manifest(n: usize) -> String {
    let users = ["alice", "bob", "carol", "dave"];
    let mut t = String::from("schema = 1\n\n[host]\ndefault-user = \"alice\"\n\n");
    for i in 0..n {
        let home = i % 2 == 1;
        t.push_str(&format!("[packages.p{i}]\nflake = \"github:o{}/p{i}\"\ninput = \"p{i}\"\nscope = \"{}\"\n", i % 7, if home { "home" } else { "system" }));
        if home && i % 3 == 0 {
            t.push_str(&format!("user = \"{}\"\n", users[i % 4]));
        }
        if i % 4 == 0 {
            t.push_str(&format!("config = {{ a = \"{i}\", b = \"x\" }}\n"));
        }
        t.push('\n');
    }
    t
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_str");
    g.sample_size(10);
    for n in [10usize, 100, 1000, 10_000] {
        let text = manifest(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| b.iter(|| glix::manifest::load_str(t, "bench").unwrap()));
    }
    g.finish();
    // The reference: the `toml` crate's DeTable, the fastest tree-building parser on
    // crates.io (borrowed strings, no format preservation, no validation at all).
    let mut g = c.benchmark_group("toml_parse_only");
    g.sample_size(10);
    for n in [1000usize, 10_000] {
        let text = manifest(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| b.iter(|| toml::de::DeTable::parse(t).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
