//! Progress of long runs on a terminal: records read, the rate and the time
//! elapsed, on stderr. Silent when stderr is not a terminal, so logs and
//! pipes get only the summary line.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// Updates are sent every this many records.
const EVERY: u64 = 16_384;

/// A progress line, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
    count: u64,
}

impl Progress {
    /// A progress line when stderr is a terminal.
    pub fn new(what: &str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            let style = ProgressStyle::with_template(&format!(
                "{{spinner}} {what}: {{human_pos}} records · {{rate}} records/s · {{elapsed_precise}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", cordon::unstable::values::thousands(s.per_sec() as u64));
            });
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, count: 0 }
    }

    /// One more record.
    pub fn tick(&mut self) {
        self.count += 1;
        if self.count.is_multiple_of(EVERY)
            && let Some(b) = &self.bar
        {
            b.set_position(self.count);
        }
    }

    /// Clears the line (the summary follows).
    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

impl cordon::Stage for Progress {
    fn record(&mut self, _: &cordon::Item<'_>) -> Result<(), cordon::StageError> {
        self.tick();
        Ok(())
    }
}
