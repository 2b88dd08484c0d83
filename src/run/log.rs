//! The decision-log stage of a run (`cordon check --log FILE`): every
//! record's decision appended to the log, in input order, with the record's
//! hash and the rule set's and lists' fingerprints, in transactions of a few
//! thousand entries (each durable and whole: a run that stops leaves a chain
//! that verifies, holding every decision up to its last full batch).

use super::{InputInfo, Item, RunSummary, Stage, StageError};
use crate::check::RuleSet;
use crate::findings::RecordOutcome;
use crate::results::RecordResult;
use crate::store::{DecisionLog, LogEntry};

/// Entries appended per transaction.
const BATCH: usize = 4096;

/// The key of a kept record naming the fields its input had no column for.
pub const NO_COLUMN_KEY: &str = "$no_column";

/// A record as the log keeps it: a JSON object of the schema's fields and
/// their text as read (a report built from the log reads it back as a JSON
/// Lines record); `None` for a record that could not be read, or whose
/// cells the run did not keep.
pub fn kept_record(rules: &RuleSet, o: &RecordOutcome) -> Option<String> {
    let RecordOutcome::Evaluated(e) = o else { return None };
    let r = e.record.as_deref()?;
    let mut fields: serde_json::Map<String, serde_json::Value> = rules
        .schema
        .fields
        .iter()
        .zip(&r.cells)
        .filter_map(|(d, c)| c.text().map(|t| (d.name.clone(), serde_json::Value::from(t))))
        .collect();
    // Fields its input had no column for: a rule that needs one was skipped
    // or undecided for the whole input, not for this record alone.
    let absent: Vec<serde_json::Value> = rules
        .schema
        .fields
        .iter()
        .zip(&r.cells)
        .filter(|(_, c)| matches!(c, crate::records::Cell::NoColumn))
        .map(|(d, _)| serde_json::Value::from(d.name.clone()))
        .collect();
    if !absent.is_empty() {
        fields.insert(NO_COLUMN_KEY.to_string(), serde_json::Value::Array(absent));
    }
    Some(serde_json::Value::Object(fields).to_string())
}

/// Appends each record's decision to a decision log.
pub struct LogStage<'a> {
    log: &'a mut dyn DecisionLog,
    rules: &'a RuleSet,
    files: Vec<String>,
    pending: Vec<LogEntry>,
    at: String,
    lists: String,
    keep_records: bool,
    logged: u64,
    head: Option<String>,
}

impl<'a> LogStage<'a> {
    /// A stage appending to `log`, each entry stamped `at` (the run's start,
    /// RFC 3339); `keep_records` stores each record's fields, else only
    /// their hash.
    pub fn new(log: &'a mut dyn DecisionLog, rules: &'a RuleSet, at: String, keep_records: bool) -> Self {
        let lists =
            rules.lists.iter().map(|l| format!("{}={}", l.name, l.snapshot.fingerprint)).collect::<Vec<_>>().join(";");
        LogStage { log, rules, files: Vec::new(), pending: Vec::new(), at, lists, keep_records, logged: 0, head: None }
    }

    /// Decisions logged so far, and the chain's head after the last append.
    pub fn logged(&self) -> (u64, Option<&str>) {
        (self.logged, self.head.as_deref())
    }

    fn flush(&mut self) -> Result<(), StageError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let n = batch.len() as u64;
        let logged = self.log.append(batch).map_err(|e| StageError::Other(Box::new(e)))?;
        self.logged += n;
        self.head = logged.last().map(|l| l.hash.clone()).or(self.head.take());
        Ok(())
    }
}

impl Stage for LogStage<'_> {
    fn needs_records(&self) -> bool {
        true
    }

    fn begin_input(&mut self, input: &InputInfo<'_>) -> Result<(), StageError> {
        self.files.push(input.name().to_string());
        Ok(())
    }

    fn record(&mut self, item: &Item<'_>) -> Result<(), StageError> {
        let o = item.outcome();
        let file = self.files.last().cloned().unwrap_or_default();
        let result = RecordResult::new(self.rules, &file, o);
        let json = serde_json::to_string(&result).map_err(|e| StageError::Other(Box::new(e)))?;
        let (decision, rules_hit, record_hash, record) = match o {
            RecordOutcome::Evaluated(e) => {
                let hit: Vec<&str> = e.findings.iter().map(|f| self.rules.rules[f.rule].id.as_str()).collect();
                let rec = e.record.as_deref();
                let hash = rec.map(crate::eval::aggregate::content_hash).unwrap_or_default();
                let kept = if self.keep_records { kept_record(self.rules, o) } else { None };
                (e.decision.name().to_string(), hit.join(","), hash, kept)
            }
            // A record that could not be read: its hash is of where it was and why.
            RecordOutcome::Invalid(i) => {
                let text = format!("{file}\n{}\n{json}", i.line);
                ("invalid".to_string(), String::new(), crate::source::sha256_hex(text.as_bytes()), None)
            }
        };
        self.pending.push(LogEntry {
            at: self.at.clone(),
            source: format!("{file}:{}", item.line()),
            record_id: item.id().unwrap_or("").to_string(),
            record_hash,
            record,
            decision,
            rules_hit,
            result: json,
            rules: self.rules.fingerprint.clone(),
            lists: self.lists.clone(),
            idempotency_key: None,
        });
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self, _: &mut RunSummary) -> Result<(), StageError> {
        self.flush()
    }
}
