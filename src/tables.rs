//! The data tables Cordon ships and compiles in (the unit table, the HS
//! nomenclatures): comma-separated text with a header row, fields
//! optionally in double quotes (`""` inside is one quote). Read strictly:
//! every row has the header's number of fields, and a malformed row is an
//! error naming its line.
//! Users' data files are read by `records::csv`, not here.

use std::borrow::Cow;

/// A table's header and rows (1-based line number, fields), borrowed from
/// its text where a field needs no unescaping.
pub type Rows<'a> = (Vec<Cow<'a, str>>, Vec<(usize, Vec<Cow<'a, str>>)>);

/// Parses a shipped table.
pub fn parse(text: &str) -> Result<Rows<'_>, String> {
    let mut lines = text.strip_prefix('\u{feff}').unwrap_or(text).lines().enumerate();
    let header = match lines.next() {
        Some((_, l)) => fields(l, 8).map_err(|e| format!("line 1: {e}"))?,
        None => return Err("the table is empty".into()),
    };
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let values = fields(line, header.len()).map_err(|e| format!("line {}: {e}", i + 1))?;
        if values.len() != header.len() {
            return Err(format!("line {}: {} fields where the header has {}", i + 1, values.len(), header.len()));
        }
        rows.push((i + 1, values));
    }
    Ok((header, rows))
}

/// The fields of one line, a field at a time (a search for its end, not a
/// push per character: the HS tables are 1.7 MB read at the first code).
fn fields(line: &str, width: usize) -> Result<Vec<Cow<'_, str>>, String> {
    let mut out = Vec::with_capacity(width);
    let mut rest = line.trim_end_matches('\r');
    loop {
        let end = if let Some(quoted) = rest.strip_prefix('"') {
            let mut field = Cow::Borrowed("");
            let mut body = quoted;
            loop {
                let Some(q) = memchr::memchr(b'"', body.as_bytes()) else {
                    return Err("a quoted field is not closed".into());
                };
                match &mut field {
                    Cow::Borrowed(_) => field = Cow::Borrowed(&body[..q]),
                    Cow::Owned(f) => f.push_str(&body[..q]),
                }
                body = &body[q + 1..];
                match body.strip_prefix('"') {
                    // A doubled quote is one quote: the field is a copy.
                    Some(after) => {
                        field.to_mut().push('"');
                        body = after;
                    }
                    None => break,
                }
            }
            if !(body.is_empty() || body.starts_with(',')) {
                return Err("text after a closing quote".into());
            }
            out.push(field);
            body
        } else {
            let stop = memchr::memchr2(b',', b'"', rest.as_bytes()).unwrap_or(rest.len());
            if rest.as_bytes().get(stop) == Some(&b'"') {
                return Err("a quote inside an unquoted field".into());
            }
            out.push(Cow::Borrowed(&rest[..stop]));
            &rest[stop..]
        };
        match end.strip_prefix(',') {
            Some(next) => rest = next,
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quoted_fields_and_strict_rows() {
        let (h, rows) = parse("a,b\n1,\"x, \"\"y\"\"\"\n\n2,\r\n").expect("parses");
        assert_eq!(h, ["a", "b"]);
        assert_eq!(rows, [(2, vec!["1".into(), "x, \"y\"".into()]), (4, vec!["2".into(), "".into()])]);
        // Fields that need no unescaping are the table's own text.
        assert!(matches!(rows[0].1[0], std::borrow::Cow::Borrowed("1")));
        assert!(matches!(rows[0].1[1], std::borrow::Cow::Owned(_)));
        for bad in ["a,b\n1", "a,b\n1,2,3", "a,b\n1,\"open", "a,b\n1,x\"y", "a,b\n\"q\"x,1", ""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    fn owned(line: &str, width: usize) -> Result<Vec<String>, String> {
        super::fields(line, width).map(|f| f.into_iter().map(std::borrow::Cow::into_owned).collect())
    }

    /// The fields of a line read a character at a time, as the reader did
    /// before it searched for each field's end: the spec it keeps to.
    fn fields_by_char(line: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut chars = line.trim_end_matches('\r').chars().peekable();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => field.push(c),
                        None => return Err("a quoted field is not closed".into()),
                    }
                }
                if !matches!(chars.peek(), None | Some(',')) {
                    return Err("text after a closing quote".into());
                }
            } else {
                while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                    if c == '"' {
                        return Err("a quote inside an unquoted field".into());
                    }
                    field.push(c);
                    chars.next();
                }
            }
            out.push(field);
            if chars.next().is_none() {
                return Ok(out);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_split_as_read_a_character_at_a_time(line in "[a\",\r é]{0,24}") {
            proptest::prop_assert_eq!(owned(&line, 2), fields_by_char(&line));
        }
    }

    #[test]
    fn the_shipped_hs_tables_read_as_a_character_at_a_time() {
        for table in [include_str!("../seeds/reference/hs-2022.csv"), include_str!("../seeds/reference/hs-2017.csv")] {
            for line in table.lines() {
                assert_eq!(owned(line, 5), fields_by_char(line), "{line}");
            }
        }
    }
}
