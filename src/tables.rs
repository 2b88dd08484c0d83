//! The data tables Cordon ships and compiles in (the unit table): comma-
//! separated text with a header row, fields optionally in double quotes
//! (`""` inside is one quote). Read strictly: every row has the header's
//! number of fields, and a malformed row is an error naming its line.
//! Users' data files are read by `records::csv`, not here.

/// A table's header and rows (1-based line number, fields).
pub type Rows = (Vec<String>, Vec<(usize, Vec<String>)>);

/// Parses a shipped table.
pub fn parse(text: &str) -> Result<Rows, String> {
    let mut lines = text.strip_prefix('\u{feff}').unwrap_or(text).lines().enumerate();
    let header = match lines.next() {
        Some((_, l)) => fields(l).map_err(|e| format!("line 1: {e}"))?,
        None => return Err("the table is empty".into()),
    };
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let values = fields(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if values.len() != header.len() {
            return Err(format!("line {}: {} fields where the header has {}", i + 1, values.len(), header.len()));
        }
        rows.push((i + 1, values));
    }
    Ok((header, rows))
}

/// The fields of one line.
fn fields(line: &str) -> Result<Vec<String>, String> {
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

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quoted_fields_and_strict_rows() {
        let (h, rows) = parse("a,b\n1,\"x, \"\"y\"\"\"\n\n2,\r\n").expect("parses");
        assert_eq!(h, ["a", "b"]);
        assert_eq!(rows, [(2, vec!["1".to_string(), "x, \"y\"".into()]), (4, vec!["2".into(), String::new()])]);
        for bad in ["a,b\n1", "a,b\n1,2,3", "a,b\n1,\"open", "a,b\n1,x\"y", "a,b\n\"q\"x,1", ""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
