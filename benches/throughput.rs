//! In-process throughput on one thread, in records per second: reading and
//! typing the records with no rules (the floor), a hand-written evaluation
//! of five DPRK rules, the same five rules in Cordon, the whole DPRK pack,
//! and generated packs of 10, 100 and 1,000 rules (for the rule index).
//!
//!     cargo bench --bench throughput                    # 100,000 records
//!     CORDON_BENCH_ROWS=1000000 cargo bench --bench throughput
//!
//! The records are the shipped sample's rows cycled with fresh ids (a
//! realistic mix of countries, goods and parties, about 5 % flagged).

use std::io::Write;
use std::path::{Path, PathBuf};

use cordon::Engine;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rows() -> usize {
    std::env::var("CORDON_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// Writes `n` records to a CSV file: the sample's readable rows, cycled.
fn write_records(dir: &Path, n: usize) -> PathBuf {
    let sample = std::fs::read_to_string(root().join("seeds/transactions/trade-2016-2019.csv")).expect("sample");
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    // Keep the rows that read cleanly (the sample's malformed rows are its own tests).
    let good: Vec<&str> = lines.filter(|l| l.split(',').count() == 19 && !l.contains("2017-02-30")).collect();
    let path = dir.join(format!("bench-{n}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(out, "{header}").expect("write");
    for i in 0..n {
        let row = good[i % good.len()];
        let rest = row.split_once(',').map_or("", |(_, r)| r);
        writeln!(out, "BX-{i:08},{rest}").expect("write");
    }
    out.flush().expect("flush");
    path
}

/// A pack holding `files` in a temporary folder, with the standard schema.
fn pack(dir: &Path, name: &str, files: &[(&str, String)]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(&p).expect("mkdir");
    let manifest = format!(
        "name: {name}\nschema: {}\ndata: {}\n",
        root().join("seeds/schema/trade-transaction.yaml").display(),
        root().join("seeds").display()
    );
    std::fs::write(p.join("cordon.yaml"), manifest).expect("manifest");
    for (f, text) in files {
        std::fs::write(p.join(f), text).expect("rule file");
    }
    p
}

const FIVE_RULES: &str = r#"regime BENCH
set DPRK: country = { KP }
rule COAL-IRON {
  title: "coal, iron"
  cite: "S/RES/2371 (2017), para. 8"
  effective: 2017-08-05
  severity: block
  when: origin in DPRK and hs_code in { 2701, 2702, 2601, 7201, 7203 }
}
rule SEAFOOD {
  title: "seafood"
  cite: "S/RES/2371 (2017), para. 9"
  effective: 2017-08-05
  severity: block
  when: origin in DPRK and hs_code in { 03, 1603..1605 }
}
rule TEXTILES {
  title: "textiles"
  cite: "S/RES/2375 (2017), para. 16"
  effective: 2017-09-11
  severity: block
  when: origin in DPRK and hs_code in { 50..63 }
}
rule ARMS {
  title: "arms"
  cite: "S/RES/1718 (2006), para. 8"
  severity: block
  when: destination in DPRK and hs_code in { 93 }
}
rule LUXURY-VALUE {
  title: "luxury goods over USD 10,000"
  cite: "S/RES/2094 (2013), annex IV"
  severity: review
  when: destination in DPRK and hs_code in { 7113, 8703, 9101 } and currency == "USD" and value > 10000
}
"#;

/// The five rules written out by hand over the csv crate: the speed a
/// bespoke program would reach.
fn hand_written(path: &Path) -> (u64, u64) {
    let mut r = csv::Reader::from_path(path).expect("open");
    let (mut seen, mut flagged) = (0u64, 0u64);
    let mut rec = csv::ByteRecord::new();
    let prefix = |hs: &[u8], p: &[u8]| hs.iter().filter(|b| b.is_ascii_digit()).take(p.len()).eq(p.iter());
    while r.read_byte_record(&mut rec).expect("row") {
        seen += 1;
        let date = &rec[1];
        let (origin, dest, hs) = (&rec[2], &rec[3], &rec[4]);
        let after = |d: &[u8]| date >= d;
        let chapter: u32 =
            hs.iter().filter(|b| b.is_ascii_digit()).take(2).fold(0, |a, b| a * 10 + u32::from(b - b'0'));
        let hit = (origin == b"KP"
            && after(b"2017-08-05")
            && [&b"2701"[..], b"2702", b"2601", b"7201", b"7203"].iter().any(|p| prefix(hs, p)))
            || (origin == b"KP"
                && after(b"2017-08-05")
                && (chapter == 3 || [&b"1603"[..], b"1604", b"1605"].iter().any(|p| prefix(hs, p))))
            || (origin == b"KP" && after(b"2017-09-11") && (50..=63).contains(&chapter))
            || (dest == b"KP" && chapter == 93)
            || (dest == b"KP"
                && [&b"7113"[..], b"8703", b"9101"].iter().any(|p| prefix(hs, p))
                && &rec[15] == b"USD"
                && std::str::from_utf8(&rec[14]).ok().and_then(|v| v.parse::<f64>().ok()).is_some_and(|v| v > 10000.0));
        flagged += u64::from(hit);
    }
    (seen, flagged)
}

/// A generated pack of `n` rules, each about one origin country and a few HS headings.
fn generated_rules(n: usize) -> String {
    let countries = [
        "KP", "IR", "SY", "CU", "VE", "RU", "BY", "MM", "SD", "SS", "LY", "YE", "SO", "CF", "CD", "ML", "NI", "ZW",
        "IQ", "LB", "AF", "ER", "HT", "GN", "GW", "BI", "TD", "ET", "PK", "UA",
    ];
    let mut s = String::from("regime GEN\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..n {
        let c = countries[(next() % countries.len() as u64) as usize];
        let h1 = 100 + next() % 9600;
        let h2 = 100 + next() % 9600;
        let field = if i % 2 == 0 { "origin" } else { "destination" };
        s.push_str(&format!(
            "rule GEN-{i:04} {{\n  title: \"generated {i}\"\n  cite: \"none\"\n  severity: review\n  when: {field} in {{ {c} }} and hs_code in {{ {h1:04}, {h2:04} }} and quantity > {q}\n}}\n",
            q = next() % 1000
        ));
    }
    s
}

/// Runs a pack over the file on one thread; returns the number of records read.
fn run(engine: &Engine, path: &Path, pool: &rayon::ThreadPool) -> u64 {
    pool.install(|| {
        engine.run(vec![cordon::InputSource::path(path)], &cordon::RunOptions::new(), &mut []).expect("run").read
    })
}

fn throughput(c: &mut Criterion) {
    let n = rows();
    let dir = tempfile::tempdir().expect("tmp");
    let data = write_records(dir.path(), n);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let empty = Engine::load(&pack(dir.path(), "empty", &[("empty.cordon", "regime EMPTY\n".into())])).expect("empty");
    let five = Engine::load(&pack(dir.path(), "five", &[("five.cordon", FIVE_RULES.into())])).expect("five");
    let dprk = Engine::load(&root().join("rules")).expect("dprk");

    let mut g = c.benchmark_group("one-thread");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("parse-only", |b| b.iter(|| run(&empty, &data, &pool)));
    g.bench_function("hand-written-5-rules", |b| b.iter(|| hand_written(&data)));
    g.bench_function("cordon-5-rules", |b| b.iter(|| run(&five, &data, &pool)));
    g.bench_function("cordon-dprk-pack", |b| b.iter(|| run(&dprk, &data, &pool)));
    for size in [10, 100, 1000] {
        let engine = Engine::load(&pack(dir.path(), &format!("gen{size}"), &[("gen.cordon", generated_rules(size))]))
            .expect("generated pack");
        g.bench_with_input(BenchmarkId::new("generated-rules", size), &engine, |b, e| b.iter(|| run(e, &data, &pool)));
    }
    g.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
