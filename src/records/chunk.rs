//! Cutting an input into large chunks at line breaks, on the one thread that
//! reads it: each chunk knows the line its first byte is on, so the cores
//! that parse chunks in parallel still number every record exactly.
//!
//! A chunk ends after a line break (`\n`, `\r\n` or a lone `\r`), never
//! between the two bytes of a `\r\n`. Whether that break also ends a CSV
//! record (it does not inside a quoted field) is for the parser to say: it
//! reports an unfinished record at the end of a chunk, and the in-order stage
//! parses that record again with the next chunk (see `run`).

use std::io::Read;

/// Bytes read and cut together by default: 1 MiB, large enough that the
/// per-chunk costs vanish, small enough that every core gets work.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A run of whole lines of an input.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The bytes: whole lines, the last one ended by its line break unless
    /// the input ends without one.
    pub bytes: Vec<u8>,
    /// The 1-based line the first byte is on.
    pub first_line: u64,
    /// The input ends with this chunk.
    pub last: bool,
}

impl Chunk {
    /// The record a chunk left unfinished (its bytes and line), continued
    /// by this chunk: what must be split next.
    pub fn after(unfinished: Option<(Vec<u8>, u64)>, chunk: Chunk) -> Chunk {
        match unfinished {
            Some((mut bytes, first_line)) => {
                bytes.extend_from_slice(&chunk.bytes);
                Chunk { bytes, first_line, last: chunk.last }
            }
            None => chunk,
        }
    }
}

/// Reads an input and cuts it into [`Chunk`]s; every line is checked
/// against the longest allowed, so no line is ever held whole beyond it.
pub struct Chunker {
    inner: Box<dyn Read + Send>,
    /// Bytes read and not yet handed out.
    carry: Vec<u8>,
    /// Line of `carry[0]`.
    carry_line: u64,
    /// Next byte of `carry` to look at for line breaks.
    scanned: usize,
    /// Start of the line being scanned (after the last break).
    line_start: usize,
    /// Line breaks in `carry[..line_start]`.
    breaks: u64,
    target: usize,
    max_line: usize,
    eof: bool,
    done: bool,
}

/// A line longer than the limit: its line number and the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTooLong {
    /// The line.
    pub line: u64,
    /// The limit, in bytes.
    pub limit: usize,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} is longer than the limit of {} bytes", self.line, self.limit)
    }
}

impl Chunker {
    /// Cuts `inner` into chunks of about `target` bytes; a line longer than
    /// `max_line` bytes is an error.
    pub fn new(inner: Box<dyn Read + Send>, target: usize, max_line: usize) -> Chunker {
        Chunker {
            inner,
            carry: Vec::new(),
            carry_line: 1,
            scanned: 0,
            line_start: 0,
            breaks: 0,
            target: target.max(1),
            max_line,
            eof: false,
            done: false,
        }
    }

    /// The next chunk, `None` after the last one.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let whole_lines = self.line_start > 0;
            if self.eof || (whole_lines && self.carry.len() >= self.target) {
                return Ok(Some(self.cut()));
            }
            let short = self.fill()?;
            // A reader that has nothing more for now (a pipe, a socket) gets
            // its whole lines handed on rather than held for more.
            if short && self.line_start > 0 && !self.eof {
                return Ok(Some(self.cut()));
            }
        }
    }

    /// Reads once; whether the read was short of what was asked (a pipe
    /// with nothing more yet, or the end).
    fn fill(&mut self) -> std::io::Result<bool> {
        let want = (self.target + self.target / 8).saturating_sub(self.carry.len()).max(64 * 1024);
        let len = self.carry.len();
        self.carry.resize(len + want, 0);
        let n = loop {
            match self.inner.read(&mut self.carry[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.carry.truncate(len);
                    return Err(e);
                }
            }
        };
        self.carry.truncate(len + n);
        if n == 0 {
            self.eof = true;
        }
        self.scan()?;
        Ok(n < want)
    }

    /// Finds the line breaks in what was read since the last scan, checking
    /// each line's length.
    fn scan(&mut self) -> std::io::Result<()> {
        let len = self.carry.len();
        let mut i = self.scanned;
        while let Some(off) = memchr::memchr2(b'\n', b'\r', &self.carry[i..]) {
            let at = i + off;
            let end = match (self.carry[at], self.carry.get(at + 1)) {
                (b'\r', Some(b'\n')) => at + 2,
                // The byte after a `\r` decides: wait for it.
                (b'\r', None) if !self.eof => {
                    self.scanned = at;
                    return self.check_line(at);
                }
                _ => at + 1,
            };
            self.check_line(at)?;
            self.breaks += 1;
            self.line_start = end;
            i = end;
        }
        self.scanned = len;
        self.check_line(len)
    }

    /// Fails if the line being scanned is longer than the limit by `upto`.
    fn check_line(&self, upto: usize) -> std::io::Result<()> {
        if upto.saturating_sub(self.line_start) > self.max_line {
            let e = LineTooLong { line: self.carry_line + self.breaks, limit: self.max_line };
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()));
        }
        Ok(())
    }

    /// Hands out the lines read up to the first line break at or past the
    /// target size (every whole line read if none is; everything at the end).
    fn cut(&mut self) -> Chunk {
        let whole = if self.eof { self.carry.len() } else { self.line_start };
        let at = self.break_after(self.target).filter(|a| *a < whole).unwrap_or(whole);
        let last = self.eof && at == self.carry.len();
        let breaks = if at == self.line_start {
            self.breaks
        } else {
            count_breaks(&self.carry[..at], self.carry.get(at).copied())
        };
        let rest = self.carry.split_off(at);
        let bytes = std::mem::replace(&mut self.carry, rest);
        let chunk = Chunk { bytes, first_line: self.carry_line, last };
        self.carry_line += breaks;
        self.breaks = self.breaks.saturating_sub(breaks);
        self.scanned -= at.min(self.scanned);
        self.line_start -= at.min(self.line_start);
        self.done = last;
        chunk
    }

    /// The end of the first line break at or after byte `from`, if the
    /// bytes read tell where it ends.
    fn break_after(&self, from: usize) -> Option<usize> {
        let from = from.min(self.carry.len());
        let at = from + memchr::memchr2(b'\n', b'\r', &self.carry[from..])?;
        match (self.carry[at], self.carry.get(at + 1)) {
            (b'\r', Some(b'\n')) => Some(at + 2),
            (b'\r', None) if !self.eof => None,
            _ => Some(at + 1),
        }
    }
}

/// Line breaks in `bytes`, where `next` is the byte after them (a `\r`
/// followed by `\n` is one break, counted at the `\n`).
pub fn count_breaks(bytes: &[u8], next: Option<u8>) -> u64 {
    let mut n = memchr::memchr_iter(b'\n', bytes).count() as u64;
    for i in memchr::memchr_iter(b'\r', bytes) {
        if bytes.get(i + 1).copied().or(next) != Some(b'\n') {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a read.
    struct Trickle(std::io::Cursor<Vec<u8>>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }

    fn chunks(text: &[u8], target: usize, step: usize) -> Vec<(Vec<u8>, u64, bool)> {
        let mut c = Chunker::new(Box::new(Trickle(std::io::Cursor::new(text.to_vec()), step)), target, 1 << 20);
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk().expect("reads") {
            out.push((ch.bytes, ch.first_line, ch.last));
        }
        out
    }

    #[test]
    fn chunks_end_at_line_breaks_and_know_their_first_line() {
        let text = b"a\nb\r\nc\rd\n\ne";
        for target in 1..text.len() + 2 {
            for step in 1..text.len() + 2 {
                let got = chunks(text, target, step);
                let joined: Vec<u8> = got.iter().flat_map(|c| c.0.clone()).collect();
                assert_eq!(joined, text, "target {target} step {step}");
                assert!(got.last().is_some_and(|c| c.2));
                let mut line = 1;
                for (bytes, first, _) in &got {
                    assert_eq!(*first, line, "target {target} step {step}");
                    // Never between the two bytes of `\r\n`.
                    assert!(!(bytes.ends_with(b"\r") && joined.get(bytes.len()) == Some(&b'\n')));
                    // No longer than the target and the line that crosses it.
                    let body = bytes
                        .strip_suffix(b"\r\n")
                        .or_else(|| bytes.strip_suffix(b"\n"))
                        .or_else(|| bytes.strip_suffix(b"\r"))
                        .unwrap_or(bytes);
                    assert!(memchr::memchr2(b'\n', b'\r', &body[target.min(body.len())..]).is_none());
                    line += count_breaks(bytes, None);
                }
            }
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error_naming_it() {
        let text = b"ok\nalso ok\nthis line is far too long\nok\n".to_vec();
        let mut c = Chunker::new(Box::new(Trickle(std::io::Cursor::new(text), 3)), 4, 10);
        let err = loop {
            match c.next_chunk() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(err.to_string(), "line 3 is longer than the limit of 10 bytes");
    }

    #[test]
    fn breaks_count_crlf_once_and_a_lone_cr() {
        assert_eq!(count_breaks(b"a\r\nb\rc\n", None), 3);
        assert_eq!(count_breaks(b"a\r", Some(b'\n')), 0);
        assert_eq!(count_breaks(b"a\r", None), 1);
    }
}
