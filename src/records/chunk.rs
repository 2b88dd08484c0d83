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
use std::sync::{Arc, Mutex};

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

/// Buffers of chunks the run is done with, handed back to the reader that
/// cut them ([`Chunker::spare`]): a chunk read into a buffer used before
/// needs no fresh memory (zeroed first by the kernel, then by the reader).
#[derive(Debug, Clone, Default)]
pub struct Spare {
    kept: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The largest buffer worth keeping: about two chunks. A larger one
    /// (a record that ran over many chunks) is let go, so what is kept
    /// stays a few chunks whatever the input.
    largest: usize,
}

/// Most buffers kept: about as many as chunks in flight.
const SPARE_BUFFERS: usize = 8;

impl Spare {
    /// Keeps a buffer for a chunk to come (dropped if enough are kept, or
    /// if it is larger than chunks are).
    pub fn give(&self, bytes: Vec<u8>) {
        if bytes.capacity() > self.largest {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < SPARE_BUFFERS {
            kept.push(bytes);
        }
    }

    fn take(&self) -> Option<Vec<u8>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }
}

/// Reads an input and cuts it into [`Chunk`]s; every line is checked
/// against the longest allowed, so no line is ever held whole beyond it.
pub struct Chunker {
    inner: Box<dyn Read + Send>,
    /// Bytes read and not yet handed out: `carry[..filled]` (what follows
    /// is room to read into, left from the buffer's earlier use).
    carry: Vec<u8>,
    filled: usize,
    spare: Spare,
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
            filled: 0,
            spare: Spare { kept: Arc::default(), largest: 2 * (target + target / 8).max(64 * 1024) },
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

    /// Where to hand back the buffers of chunks once done with them.
    pub fn spare(&self) -> Spare {
        self.spare.clone()
    }

    /// The next chunk, `None` after the last one.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let whole_lines = self.line_start > 0;
            if self.eof || (whole_lines && self.filled >= self.target) {
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
        let want = (self.target + self.target / 8).saturating_sub(self.filled).max(64 * 1024);
        let len = self.filled;
        // Room already there (a buffer used before) is read into as it is.
        if self.carry.len() < len + want {
            self.carry.resize(len + want, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.carry[len..len + want]) {
                Ok(n) => break n.min(want),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.filled = len + n;
        if n == 0 {
            self.eof = true;
        }
        self.scan()?;
        Ok(n < want)
    }

    /// Finds the line breaks in what was read since the last scan, checking
    /// each line's length.
    fn scan(&mut self) -> std::io::Result<()> {
        let len = self.filled;
        let bytes = &self.carry[..len];
        let mut i = self.scanned;
        while let Some(off) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + off;
            let end = match (bytes[at], bytes.get(at + 1)) {
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
        let filled = self.filled;
        let whole = if self.eof { filled } else { self.line_start };
        let at = self.break_after(self.target).filter(|a| *a < whole).unwrap_or(whole);
        let last = self.eof && at == filled;
        let breaks = if at == self.line_start {
            self.breaks
        } else {
            count_breaks(&self.carry[..at], self.carry[..filled].get(at).copied())
        };
        // What is left goes at the start of a buffer handed back (its bytes
        // are all room to read into), or of a new one.
        let rest = &self.carry[at..filled];
        let mut next = self.spare.take().unwrap_or_default();
        if next.len() >= rest.len() {
            next[..rest.len()].copy_from_slice(rest);
        } else {
            next.clear();
            next.extend_from_slice(rest);
        }
        self.filled = rest.len();
        let mut bytes = std::mem::replace(&mut self.carry, next);
        bytes.truncate(at);
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
        let bytes = &self.carry[..self.filled];
        let from = from.min(bytes.len());
        let at = from + memchr::memchr2(b'\n', b'\r', &bytes[from..])?;
        match (bytes[at], bytes.get(at + 1)) {
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

    /// The chunks of `text`; with `give_back`, each chunk's buffer goes
    /// back to the chunker once read, filled with line breaks and quotes
    /// (none of which may ever show in a later chunk).
    fn chunks(text: &[u8], target: usize, step: usize, give_back: bool) -> Vec<(Vec<u8>, u64, bool)> {
        let mut c = Chunker::new(Box::new(Trickle(std::io::Cursor::new(text.to_vec()), step)), target, 1 << 20);
        let spare = c.spare();
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk().expect("reads") {
            out.push((ch.bytes.clone(), ch.first_line, ch.last));
            if give_back {
                let mut junk = ch.bytes;
                junk.iter_mut().enumerate().for_each(|(i, b)| *b = if i % 2 == 0 { b'\n' } else { b'"' });
                spare.give(junk);
            }
        }
        out
    }

    #[test]
    fn chunks_end_at_line_breaks_and_know_their_first_line() {
        let text = b"a\nb\r\nc\rd\n\ne";
        for (target, step, give_back) in
            (1..text.len() + 2).flat_map(|t| (1..text.len() + 2).flat_map(move |s| [(t, s, false), (t, s, true)]))
        {
            {
                let got = chunks(text, target, step, give_back);
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
    fn only_a_few_buffers_of_about_a_chunk_are_kept() {
        let c = Chunker::new(Box::new(std::io::empty()), 1 << 20, 1 << 20);
        let spare = c.spare();
        // A buffer that held a record run over many chunks is let go.
        spare.give(Vec::with_capacity(8 << 20));
        assert!(spare.take().is_none());
        for _ in 0..SPARE_BUFFERS + 3 {
            spare.give(Vec::with_capacity(1 << 20));
        }
        assert_eq!(std::iter::from_fn(|| spare.take()).count(), SPARE_BUFFERS);
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
