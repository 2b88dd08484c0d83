//! Watchlist CSV: Cordon's own simple list format, for lists that have no
//! official machine-readable form (the 1718 Committee's Designated Vessels
//! List) and for a firm's internal watchlists. One row per name; rows with
//! the same `ref` make one entry, the first row's name being the primary one.
//!
//! Columns (header names, any order; only `ref` and `name` are required):
//! `ref`, `name`, `kind` or `type` (individual, entity, vessel, aircraft;
//! default entity, or vessel when the row has an IMO number), `name_kind`
//! (primary / alias) or `quality` (primary / strong / weak) or `strength`
//! (strong / weak), `imo`, `listed_on` (YYYY-MM-DD), `programme`,
//! `nationality`, `remarks` or `measures`.

use std::collections::BTreeMap;

use super::{ImportError, Parsed, SourceFile, clean, decode_lenient, name, push_unique};
use crate::lists::{Entry, Kind, Quality};

/// Whether a file's first line looks like a watchlist header.
pub fn looks_like(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let first = text.lines().next().unwrap_or("").trim_start_matches('\u{feff}').to_lowercase();
    let cols: Vec<&str> = first.split(',').map(str::trim).collect();
    cols.contains(&"ref") && cols.contains(&"name")
}

/// Parses one watchlist CSV file.
pub fn parse(file: &SourceFile) -> Result<Parsed, ImportError> {
    let text = decode_lenient(&file.bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::format(&file.path, format!("line 1: the header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |names: &[&str]| names.iter().find_map(|n| header.iter().position(|h| h == n));
    let (Some(c_ref), Some(c_name)) = (col(&["ref"]), col(&["name"])) else {
        return Err(ImportError::format(
            &file.path,
            format!("line 1: a watchlist needs `ref` and `name` columns; it has {}", header.join(", ")),
        ));
    };
    let c_kind = col(&["kind", "type"]);
    let c_quality = col(&["quality", "name_kind", "strength"]);
    let c_strength = col(&["strength"]);
    let c_imo = col(&["imo"]);
    let c_listed = col(&["listed_on"]);
    let c_prog = col(&["programme", "program"]);
    let c_nat = col(&["nationality"]);
    let c_remarks = col(&["remarks", "measures"]);
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| ImportError::format(&file.path, format!("line {line}: {e}")))?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(clean).unwrap_or_default();
        let bad = |field: &str, value: &str, want: &str| {
            ImportError::format(&file.path, format!("line {line}: `{field}` is `{value}`; {want}"))
        };
        let reference = get(Some(c_ref));
        if reference.is_empty() {
            return Err(ImportError::format(&file.path, format!("line {line}: `ref` is empty")));
        }
        let imo: String = get(c_imo).chars().filter(char::is_ascii_digit).collect();
        if !get(c_imo).is_empty() && imo.len() != 7 {
            return Err(bad("imo", &get(c_imo), "an IMO number has seven digits"));
        }
        let kind = match get(c_kind).to_lowercase().as_str() {
            "" if !imo.is_empty() => Kind::Vessel,
            "" => Kind::Entity,
            "person" => Kind::Individual,
            k => Kind::from_name(k).ok_or_else(|| bad("kind", k, "write individual, entity, vessel or aircraft"))?,
        };
        let strength = get(c_strength).to_lowercase();
        let quality = match (get(c_quality).to_lowercase().as_str(), strength.as_str()) {
            (_, "weak") => Quality::Weak,
            ("primary", _) => Quality::Primary,
            ("alias" | "strong" | "aka" | "", _) => Quality::Strong,
            ("weak" | "low", _) => Quality::Weak,
            (q, _) => return Err(bad("name_kind", q, "write primary, strong, weak or alias")),
        };
        let listed_on = get(c_listed);
        if !listed_on.is_empty() && crate::values::Date::parse(&listed_on).is_err() {
            return Err(bad("listed_on", &listed_on, "write the listing date as YYYY-MM-DD"));
        }
        let entry = entries.entry(reference.clone()).or_insert_with(|| {
            order.push(reference.clone());
            Entry {
                reference: reference.clone(),
                kind,
                names: Vec::new(),
                dates_of_birth: Vec::new(),
                nationalities: Vec::new(),
                addresses: Vec::new(),
                imo: Vec::new(),
                programmes: Vec::new(),
                listed_on: None,
                remarks: None,
            }
        });
        if let Some(mut n) = name(&get(Some(c_name)), quality) {
            // The first name of an entry is its primary name, whatever the row says.
            if entry.names.is_empty() {
                n.quality = Quality::Primary;
            } else if n.quality == Quality::Primary {
                n.quality = Quality::Strong;
            }
            if !entry.names.iter().any(|x| x.text == n.text) {
                entry.names.push(n);
            }
        }
        push_unique(&mut entry.imo, &imo);
        push_unique(&mut entry.programmes, &get(c_prog));
        push_unique(&mut entry.nationalities, &get(c_nat));
        if !listed_on.is_empty() {
            entry.listed_on = match entry.listed_on.take() {
                Some(prev) => Some(prev.min(listed_on)),
                None => Some(listed_on),
            };
        }
        let remarks = get(c_remarks);
        if !remarks.is_empty() && entry.remarks.is_none() {
            entry.remarks = Some(remarks);
        }
    }
    let entries: Vec<Entry> = order.into_iter().filter_map(|r| entries.remove(&r)).collect();
    if let Some(e) = entries.iter().find(|e| e.names.is_empty()) {
        return Err(ImportError::format(&file.path, format!("entry `{}` has no name", e.reference)));
    }
    Ok(Parsed { entries, published: None, notes: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile { path: "w.csv".into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn rows_with_one_ref_make_one_entry() {
        let p = parse(&file(
            "ref,name,name_kind,imo,listed_on,measures\nV03,BILLIONS NO. 18,primary,9191773,2017-12-28,port-entry ban\nV03,BILLIONS 18,alias,9191773,2017-12-28,\nE1,Acme Ltd,,,,\n",
        ))
        .unwrap();
        assert_eq!(p.entries.len(), 2);
        let v = &p.entries[0];
        assert_eq!((v.kind, v.imo.as_slice(), v.names.len()), (Kind::Vessel, ["9191773".to_string()].as_slice(), 2));
        assert_eq!(v.names[1].quality, Quality::Strong);
        assert_eq!(v.listed_on.as_deref(), Some("2017-12-28"));
        assert_eq!(p.entries[1].kind, Kind::Entity);
        assert!(looks_like(b"ref,type,name,name_kind\n"));
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let e = parse(&file("ref,name,imo\nV1,X,12345\n")).unwrap_err().to_string();
        assert!(e.contains("line 2: `imo` is `12345`"), "{e}");
        let e = parse(&file("ref,name,listed_on\nV1,X,2017-02-30\n")).unwrap_err().to_string();
        assert!(e.contains("line 2: `listed_on`"), "{e}");
        let e = parse(&file("id,title\n1,x\n")).unwrap_err().to_string();
        assert!(e.contains("needs `ref` and `name`"), "{e}");
    }
}
