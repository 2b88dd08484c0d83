//! Source files and byte spans: where every rule, set and diagnostic came from.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SpanContents};
use sha2::{Digest, Sha256};

/// The largest rule, schema or config file Cordon reads (8 MiB; the shipped
/// DPRK pack is under 100 KiB).
pub const MAX_TEXT_FILE_BYTES: usize = 8 * 1024 * 1024;

/// A text file Cordon read (a rule file, a schema, a config), kept whole so
/// diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown to users: the path as given, relative where possible.
    pub name: String,
    /// Where the file was read from.
    pub path: PathBuf,
    /// The whole text.
    pub text: Arc<str>,
}

impl SourceFile {
    /// Wraps text already in memory.
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile { name: name.into(), path: path.into(), text: text.into() }
    }

    /// A text file from its bytes: UTF-8 (a byte-order mark is dropped),
    /// named `name` for people, `path` for resolving what it refers to.
    /// Bytes that are not UTF-8 are an error.
    pub fn from_bytes(name: impl Into<String>, path: impl Into<PathBuf>, bytes: Vec<u8>) -> std::io::Result<Self> {
        let text = String::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not UTF-8: {e}")))?;
        let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
        Ok(SourceFile::new(name, path, text))
    }

    /// A cheap handle for diagnostics to quote this file.
    pub fn named(&self) -> Src {
        Src(Arc::new(SourceFile { name: self.name.clone(), path: self.path.clone(), text: Arc::clone(&self.text) }))
    }

    /// The text covered by a span (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and column of a byte offset (column counts characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// SHA-256 of the text, lowercase hex.
    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }
}

/// A handle on a source file for diagnostics: one pointer, so errors stay
/// small, and miette can quote the file with its name.
#[derive(Debug, Clone)]
pub struct Src(Arc<SourceFile>);

impl Src {
    /// The file's display name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.0.text
    }
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.0.text.as_ref().read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A byte range in one source file.
///
/// Spans never take part in equality: two parses of differently formatted
/// text compare equal, which is what round-trip tests need.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}
