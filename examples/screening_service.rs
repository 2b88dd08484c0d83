//! A screening service in 30 lines: one engine, loaded once and shared by
//! every connection; each line a client sends is a JSON record, each line
//! it gets back the record's result (`docs/schema/record.schema.json`).
//! `cargo run --example screening_service`, then `echo '{"id":"T1","date":"2024-01-02","origin":"KP","destination":"CN","hs_code":"2701"}' | nc 127.0.0.1 7878`.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

use cordon::Engine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Arc::new(Engine::from_dir("rules")?);
    eprintln!("rules {} loaded; listening on 127.0.0.1:7878", engine.fingerprint());
    for stream in TcpListener::bind("127.0.0.1:7878")?.incoming() {
        let (engine, stream) = (Arc::clone(&engine), stream?);
        std::thread::spawn(move || -> std::io::Result<()> {
            let mut out = stream.try_clone()?;
            for line in BufReader::new(stream).lines() {
                let reply = match serde_json::from_str::<serde_json::Value>(&line?) {
                    Ok(record) => serde_json::to_string(&engine.check_json(&record))?,
                    Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
                };
                writeln!(out, "{reply}")?;
            }
            Ok(())
        });
    }
    Ok(())
}
