//! `cordon explain`: why one record gets its decision — every rule in force
//! on its date, each condition's value, and which exemption fired.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use cordon::unstable::explain;
use cordon::unstable::records::{Layout, Raw, Record};

use super::check::RunArgs;
use super::{EXIT_ERROR, EXIT_OK, diag};

/// Output formats of `explain`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Plain words for people.
    Text,
    /// The explanation as JSON.
    Json,
}

/// Arguments of `cordon explain`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["record", "input"])))]
pub struct ExplainArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The record as a JSON object, e.g. '{"id":"T1","date":"2018-01-05",…}'.
    #[arg(long, value_name = "JSON")]
    record: Option<String>,
    /// A transaction file holding the record.
    #[arg(long, value_name = "FILE", requires = "id")]
    input: Option<PathBuf>,
    /// The record's id in `--input`.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ExplainFormat,
}

fn fail(msg: String) -> u8 {
    let _ = writeln!(std::io::stderr(), "cordon: error: {msg}");
    EXIT_ERROR
}

/// Runs `cordon explain`.
pub fn run(a: ExplainArgs) -> u8 {
    let (engine, cfg) = match a.run.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let rules = Arc::clone(engine.rules());
    let record: Record<'static> = if let Some(json) = &a.record {
        let layout = Layout::for_json(0, "--record", Arc::clone(&rules.schema), Arc::clone(&cfg));
        match layout.parse(&Raw::Json { line: 1, text: json.as_bytes().to_vec() }) {
            Ok(r) => r.into_owned(),
            Err(inv) => {
                let why: Vec<String> = inv
                    .errors
                    .iter()
                    .map(|e| match &e.field {
                        Some(f) => format!("`{f}`: {}", e.reason),
                        None => e.reason.clone(),
                    })
                    .collect();
                return fail(format!("the record cannot be read: {}", why.join("; ")));
            }
        }
    } else {
        let (Some(path), Some(id)) = (&a.input, &a.id) else {
            return fail("give --record, or --input with --id".into());
        };
        let source = cordon::InputSource::path(path);
        let shown = source.name().to_string();
        let opts = cordon::RunOptions::new().config(Arc::clone(&cfg));
        let mut inputs = match engine.open(vec![source], &opts) {
            Ok(i) => i,
            Err(errs) => {
                for e in &errs {
                    diag::print(e);
                }
                return EXIT_ERROR;
            }
        };
        let mut input = inputs.remove(0);
        let layout = std::sync::Arc::clone(&input.layout_shared());
        let mut found = None;
        'read: loop {
            let batch = match input.next_batch(4096) {
                Ok(b) => b,
                Err(e) => {
                    diag::print(&e);
                    return EXIT_ERROR;
                }
            };
            if batch.is_empty() {
                break;
            }
            for raw in batch {
                match layout.parse(&raw) {
                    Ok(rec) if rec.key(&rules.schema) == Some(id.as_str()) => {
                        found = Some(rec.into_owned());
                        break 'read;
                    }
                    Err(inv) if inv.id.as_deref() == Some(id.as_str()) => {
                        let why: Vec<String> = inv.errors.iter().map(|e| e.reason.clone()).collect();
                        return fail(format!("record `{id}` on line {} cannot be read: {}", inv.line, why.join("; ")));
                    }
                    _ => {}
                }
            }
        }
        match found {
            Some(r) => r,
            None => return fail(format!("no record with id `{id}` in {shown}")),
        }
    };
    let (explanation, _) = explain::explain(&rules, &record);
    let out = match a.format {
        ExplainFormat::Text => explain::to_text(&explanation),
        ExplainFormat::Json => serde_json::to_string_pretty(&explanation).unwrap_or_default() + "\n",
    };
    let mut stdout = std::io::stdout().lock();
    super::output_failed(stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()));
    EXIT_OK
}
