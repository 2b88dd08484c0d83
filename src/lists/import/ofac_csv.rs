//! OFAC's legacy SDN CSV files: sdn.csv (one row per entry), alt.csv (strong
//! aliases), add.csv (addresses) and sdn_comments.csv (remarks overflow).
//!
//! The files are pristine OFAC output: no header row, CRLF line ends, `-0- `
//! for an empty field and a trailing Ctrl-Z (0x1A) byte. They are not
//! guaranteed to be UTF-8, so bytes that are not valid UTF-8 are read as
//! Windows-1252. Weak aliases, dates of birth, nationalities and IMO numbers
//! live in the free-text remarks and are parsed out of them.

use std::collections::HashMap;
use std::path::Path;

use super::{ImportError, Parsed, SourceFile, decode_lenient, imo_digits, name, ofac_date, push_unique};
use crate::lists::model::{Address, Entry, Kind, Quality};

/// The main file's name.
pub(crate) const SDN: &str = "sdn.csv";

/// What one file of the set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// sdn.csv: the entries.
    Sdn,
    /// alt.csv: aliases.
    Alt,
    /// add.csv: addresses.
    Add,
    /// sdn_comments.csv: remarks overflow.
    Comments,
}

impl Role {
    const ALL: [Role; 4] = [Role::Sdn, Role::Alt, Role::Add, Role::Comments];

    /// The file's name.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Role::Sdn => SDN,
            Role::Alt => "alt.csv",
            Role::Add => "add.csv",
            Role::Comments => "sdn_comments.csv",
        }
    }

    /// Columns per row.
    fn width(self) -> usize {
        match self {
            Role::Sdn => 12,
            Role::Alt => 5,
            Role::Add => 6,
            Role::Comments => 2,
        }
    }
}

/// The role a file plays, from its name (case-insensitive).
pub(crate) fn role_of(path: &Path) -> Option<Role> {
    let name = path.file_name()?.to_str()?;
    Role::ALL.into_iter().find(|r| r.file_name().eq_ignore_ascii_case(name))
}

/// An entry being assembled: the remarks are parsed once the overflow from
/// sdn_comments.csv is appended.
struct Pending {
    entry: Entry,
    /// The Remarks column, with any overflow appended.
    remarks: String,
    /// Title and vessel columns, written into the remarks.
    facts: Vec<String>,
}

/// Parses a set of OFAC CSV files; each file's role comes from its name
/// (a file of another name is the main file).
pub fn parse(files: &[SourceFile]) -> Result<Parsed, ImportError> {
    let mut by_role: Vec<(Role, &SourceFile)> = Vec::new();
    for f in files {
        let role = role_of(Path::new(&f.path)).unwrap_or(Role::Sdn);
        if let Some((_, other)) = by_role.iter().find(|(r, _)| *r == role) {
            return Err(ImportError::format(
                &f.path,
                format!("it is a second {} besides `{}`", role.file_name(), other.path),
            ));
        }
        by_role.push((role, f));
    }
    by_role.sort_by_key(|(r, _)| *r);
    let Some((Role::Sdn, sdn)) = by_role.first() else {
        let path = files.first().map_or("", |f| f.path.as_str());
        return Err(ImportError::format(path, "no sdn.csv was given"));
    };
    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for_each_row(sdn, Role::Sdn, |line, row| {
        let p = sdn_row(&sdn.path, line, row)?;
        if index.insert(p.entry.reference.clone(), pending.len()).is_some() {
            return Err(ImportError::format(
                &sdn.path,
                format!("line {line}: ent_num `{}` appears twice", p.entry.reference),
            ));
        }
        pending.push(p);
        Ok(())
    })?;
    let mut notes = Vec::new();
    for (role, file) in by_role.iter().skip(1) {
        let mut orphans = Orphans::default();
        let mut untruncated = 0usize;
        for_each_row(file, *role, |line, row| {
            let ent = ent_num(&file.path, line, row)?;
            // A row whose ent_num is not in sdn.csv (companions of another
            // release) is counted and skipped: never made into an entry.
            let Some(p) = index.get(&ent).and_then(|&i| pending.get_mut(i)) else {
                orphans.see(&ent);
                return Ok(());
            };
            match role {
                Role::Alt => p.entry.names.extend(field(row, 3).and_then(|t| name(&t, Quality::Strong))),
                Role::Add => {
                    let parts: Vec<String> = [2, 3, 5].iter().filter_map(|&i| field(row, i)).collect();
                    let country = field(row, 4);
                    if !parts.is_empty() || country.is_some() {
                        p.entry.addresses.push(Address { text: parts.join(", "), country });
                    }
                }
                Role::Comments => {
                    // The overflow continues a Remarks column cut at OFAC's
                    // limit, mid-word. Remarks under the limit were not cut
                    // (the overflow is of another release): it is skipped.
                    if let Some(more) = row.get(1).filter(|m| !is_null(m)) {
                        if p.remarks.chars().count() >= REMARKS_LIMIT {
                            p.remarks.push_str(more.trim_end());
                        } else {
                            untruncated += 1;
                        }
                    }
                }
                Role::Sdn => {}
            }
            Ok(())
        })?;
        if orphans.rows > 0 {
            notes.push(format!(
                "{}: {} rows for {} entries not in {SDN} skipped (ent_num {}–{})",
                role.file_name(),
                orphans.rows,
                orphans.entries.len(),
                orphans.entries.iter().next().copied().unwrap_or_default(),
                orphans.entries.iter().next_back().copied().unwrap_or_default(),
            ));
        }
        if untruncated > 0 {
            notes.push(format!(
                "{}: {untruncated} overflow rows for remarks {SDN} did not cut at {REMARKS_LIMIT} characters skipped",
                role.file_name()
            ));
        }
    }
    let entries = pending.into_iter().map(finish).collect();
    Ok(Parsed { entries, published: None, notes })
}

/// The length at which OFAC cuts the Remarks column, continuing it in
/// sdn_comments.csv.
const REMARKS_LIMIT: usize = 1000;

/// Rows of a companion file whose entry is not in sdn.csv.
#[derive(Default)]
struct Orphans {
    rows: usize,
    entries: std::collections::BTreeSet<u64>,
}

impl Orphans {
    fn see(&mut self, ent: &str) {
        self.rows += 1;
        if let Ok(n) = ent.parse() {
            self.entries.insert(n);
        }
    }
}

/// Reads every row of a file, checking its width, and hands it on with its
/// line number.
fn for_each_row(
    file: &SourceFile,
    role: Role,
    mut each: impl FnMut(u64, &csv::StringRecord) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let text = decode_lenient(&file.bytes);
    // The DOS end-of-file byte, and the line end before it.
    let text = text.trim_end_matches(['\u{1a}', '\r', '\n', ' ', '\t']);
    if text.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
        return Err(ImportError::format(&file.path, "a quoted field is never closed: the file is truncated"));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut row = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(ImportError::format(&file.path, format!("line {line}: {e}"))),
        }
        let line = row.position().map_or(line, csv::Position::line);
        if row.len() == 1 && row.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue;
        }
        if row.len() != role.width() {
            return Err(ImportError::format(
                &file.path,
                format!("line {line}: {} has {} columns, this row has {}", role.file_name(), role.width(), row.len()),
            ));
        }
        each(line, &row)?;
    }
}

/// `-0-` (with OFAC's trailing space) is an empty field.
fn is_null(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s == "-0-"
}

/// A field, whitespace collapsed, `None` when empty or `-0-`.
fn field(row: &csv::StringRecord, i: usize) -> Option<String> {
    row.get(i).filter(|s| !is_null(s)).map(super::clean)
}

/// The row's ent_num, checked to be a number.
fn ent_num(path: &str, line: u64, row: &csv::StringRecord) -> Result<String, ImportError> {
    let raw = row.get(0).unwrap_or_default().trim();
    match raw.parse::<u64>() {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Err(ImportError::format(path, format!("line {line}: ent_num `{raw}` is not a number"))),
    }
}

/// One sdn.csv row.
fn sdn_row(path: &str, line: u64, row: &csv::StringRecord) -> Result<Pending, ImportError> {
    let reference = ent_num(path, line, row)?;
    let Some(primary) = field(row, 1).and_then(|t| name(&t, Quality::Primary)) else {
        return Err(ImportError::format(path, format!("line {line}: entry `{reference}` has no SDN_Name")));
    };
    let kind = match field(row, 2).map(|t| t.to_ascii_lowercase()).as_deref() {
        None => Kind::Entity,
        Some("individual") => Kind::Individual,
        Some("vessel") => Kind::Vessel,
        Some("aircraft") => Kind::Aircraft,
        Some("entity") => Kind::Entity,
        Some(other) => {
            return Err(ImportError::format(path, format!("line {line}: unknown SDN_Type `{other}`")));
        }
    };
    let mut programmes = Vec::new();
    for p in field(row, 3).unwrap_or_default().split("] [") {
        push_unique(&mut programmes, p.trim_matches(['[', ']', ' ']));
    }
    let remarks = row.get(11).filter(|r| !is_null(r)).map(|r| r.trim().to_string()).unwrap_or_default();
    let mut facts = Vec::new();
    if let Some(title) = field(row, 4).filter(|t| !remarks.contains(t.as_str())) {
        facts.push(format!("Title {title}"));
    }
    for (i, label) in
        [(5, "Call Sign"), (6, "Vessel Type"), (7, "Tonnage"), (8, "GRT"), (9, "Vessel Flag"), (10, "Vessel Owner")]
    {
        if let Some(v) = field(row, i) {
            facts.push(format!("{label} {v}"));
        }
    }
    let entry = Entry {
        reference,
        kind,
        names: vec![primary],
        dates_of_birth: Vec::new(),
        nationalities: Vec::new(),
        addresses: Vec::new(),
        imo: Vec::new(),
        programmes,
        listed_on: None,
        remarks: None,
    };
    Ok(Pending { entry, remarks, facts })
}

/// Parses the remarks into the entry's facts and writes them out.
fn finish(p: Pending) -> Entry {
    let Pending { mut entry, remarks, mut facts } = p;
    let remarks = super::clean(&remarks);
    entry.names.extend(weak_aliases(&remarks).into_iter().filter_map(|t| name(&t, Quality::Weak)));
    for segment in remarks.split(';') {
        let segment = segment.trim();
        let fact = segment.strip_prefix("alt. ").unwrap_or(segment);
        if let Some(dob) = fact.strip_prefix("DOB ") {
            if let Some(d) = ofac_date(dob) {
                push_unique(&mut entry.dates_of_birth, &d);
            }
        } else if let Some(n) = fact.strip_prefix("nationality ").or_else(|| fact.strip_prefix("citizen ")) {
            push_unique(&mut entry.nationalities, n.trim_end_matches('.'));
        }
        let imo = match entry.kind {
            Kind::Vessel if !fact.starts_with("Company Number") => fact.find("IMO ").and_then(|i| fact.get(i..)),
            Kind::Entity => fact.strip_prefix("Vessel Registration Identification "),
            _ => None,
        };
        if let Some(imo) = imo.and_then(imo_digits) {
            push_unique(&mut entry.imo, &imo);
        }
    }
    if !remarks.is_empty() {
        facts.push(remarks);
    }
    entry.remarks = (!facts.is_empty()).then(|| facts.join("; "));
    entry
}

/// The weak aliases OFAC writes into remarks: `a.k.a. 'NAME'` (also
/// `f.k.a.`, `n.k.a.`). A name may hold an apostrophe (`ABU-'UMAR`): the
/// closing quote is the one followed by the end, `;`, `.`, `,` or `)`.
fn weak_aliases(remarks: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = remarks;
    while let Some(at) = rest.find(".k.a. '") {
        let before = rest.get(..at).unwrap_or_default();
        let after = rest.get(at + ".k.a. '".len()..).unwrap_or_default();
        rest = after;
        if !(before.ends_with('a') || before.ends_with('f') || before.ends_with('n')) {
            continue;
        }
        let mut end = None;
        for (i, c) in after.char_indices() {
            if c == '\'' {
                let next = after.get(i + 1..).and_then(|s| s.chars().next());
                if matches!(next, None | Some(';' | '.' | ',' | ')')) {
                    end = Some(i);
                    break;
                }
            }
        }
        if let Some(end) = end {
            if let Some(alias) = after.get(..end) {
                found.push(alias.to_string());
            }
            rest = after.get(end + 1..).unwrap_or_default();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lists::import::Format;
    use crate::sources::import_list as import;
    use std::path::PathBuf;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/lists/sources/ofac-sdn-2021-07");
    const SDN_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/lists/sources/ofac-sdn-2021-07/sdn.csv");

    fn load() -> crate::lists::Snapshot {
        import(&[PathBuf::from(DIR)], None, "OFAC_SDN").expect("imports")
    }

    fn find<'a>(s: &'a crate::lists::Snapshot, reference: &str) -> &'a Entry {
        s.entries.iter().find(|e| e.reference == reference).expect("entry present")
    }

    fn file(path: &str, bytes: &[u8]) -> SourceFile {
        SourceFile { path: path.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn ofac_2021_counts() {
        let s = load();
        assert_eq!(s.format, "ofac-csv");
        assert_eq!(s.published, None);
        assert_eq!(s.sources.len(), 4);
        assert!(s.sources[0].ends_with("sdn.csv") && s.sources[3].ends_with("sdn_comments.csv"));
        assert_eq!(s.entries.len(), 8976);
        let kinds = s.entries.iter().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(e.kind).or_insert(0) += 1;
            m
        });
        assert_eq!(kinds.get(&Kind::Individual), Some(&4620));
        assert_eq!(kinds.get(&Kind::Entity), Some(&3673));
        assert_eq!(kinds.get(&Kind::Vessel), Some(&406));
        assert_eq!(kinds.get(&Kind::Aircraft), Some(&277));
        let names = |q: Quality| s.entries.iter().flat_map(|e| &e.names).filter(|n| n.quality == q).count();
        // Every alt.csv row is attached (strong aliases come only from alt.csv).
        assert_eq!(names(Quality::Strong), 11_910);
        assert_eq!(names(Quality::Primary), 8976);
        // 2,415 `a.k.a. '…'` and 24 `f.k.a. '…'` in sdn.csv remarks (one of
        // them finished in sdn_comments.csv), and 2 more in the overflow.
        assert_eq!(names(Quality::Weak), 2441);
        // All 13,837 add.csv rows resolve; 2,397 of them are all `-0-`.
        assert_eq!(s.entries.iter().map(|e| e.addresses.len()).sum::<usize>(), 13_837 - 2_397);
        let dprk = s.entries.iter().filter(|e| e.programmes.iter().any(|p| p.starts_with("DPRK"))).count();
        assert_eq!(dprk, 414);
        let vessels_with_imo = s.entries.iter().filter(|e| e.kind == Kind::Vessel && !e.imo.is_empty()).count();
        assert_eq!(vessels_with_imo, 399);
        let entities_with_imo = s.entries.iter().filter(|e| e.kind == Kind::Entity && !e.imo.is_empty()).count();
        assert_eq!(entities_with_imo, 9);
        assert!(s.entries.iter().all(|e| e.kind != Kind::Individual || e.imo.is_empty()));
        assert!(s.entries.iter().all(|e| e.listed_on.is_none()));
    }

    #[test]
    fn companion_rows_of_another_release_are_counted_not_invented() {
        let long = format!("a.k.a. 'NORTH STAR'; {}", "x".repeat(REMARKS_LIMIT - 21));
        let sdn = format!(
            "10,\"ACME TRADING\",-0- ,\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{long}\"\r\n\
             11,\"BETA SHIPPING\",-0- ,\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1960.\"\r\n"
        );
        let alt = "10,1,\"aka\",\"ACME TRADE CO\",-0- \r\n52000,2,\"aka\",\"LATER ONE\",-0- \r\n52001,3,\"aka\",\"LATER TWO\",-0- \r\n52001,4,\"aka\",\"LATER THREE\",-0- \r\n";
        let comments = "10,\"; a.k.a. 'SOUTH STAR'.\"\r\n11,\"1960.\"\r\n";
        let s = crate::lists::import::import_files(
            vec![
                file("sdn.csv", sdn.as_bytes()),
                file("alt.csv", alt.as_bytes()),
                file("sdn_comments.csv", comments.as_bytes()),
            ],
            Format::OfacCsv,
            "T",
        )
        .expect("imports");
        // Only the two entries of sdn.csv; the alias of a known one attached.
        assert_eq!(s.entries.iter().map(|e| e.reference.as_str()).collect::<Vec<_>>(), ["10", "11"]);
        assert!(find(&s, "10").names.iter().any(|n| n.text == "ACME TRADE CO"));
        // The overflow continues the cut remarks, and is skipped for remarks that were not cut.
        assert!(find(&s, "10").names.iter().any(|n| n.text == "SOUTH STAR" && n.quality == Quality::Weak));
        assert_eq!(find(&s, "11").remarks.as_deref(), Some("DOB 1960."));
        assert_eq!(
            s.notes,
            [
                "alt.csv: 3 rows for 2 entries not in sdn.csv skipped (ent_num 52000–52001)",
                "sdn_comments.csv: 1 overflow rows for remarks sdn.csv did not cut at 1000 characters skipped",
            ]
        );
    }

    #[test]
    fn ofac_2021_spot_checks() {
        let s = load();
        let bnc = find(&s, "306");
        assert_eq!(bnc.primary(), "BANCO NACIONAL DE CUBA");
        assert_eq!(bnc.kind, Kind::Entity);
        assert_eq!(bnc.programmes, ["CUBA"]);
        assert!(bnc.names.iter().any(|n| n.text == "BNC" && n.quality == Quality::Weak));
        assert!(bnc.names.iter().any(|n| n.text == "NATIONAL BANK OF CUBA" && n.quality == Quality::Strong));
        assert_eq!(
            bnc.addresses[0],
            Address { text: "Zweierstrasse 35, Zurich CH-8022".into(), country: Some("Switzerland".into()) }
        );
        let hermann = find(&s, "4234");
        assert_eq!(hermann.kind, Kind::Vessel);
        assert!(
            hermann
                .remarks
                .as_deref()
                .is_some_and(|r| r.contains("Call Sign CL2685") && r.contains("Vessel Flag Cuba"))
        );
        let abbas = find(&s, "2674");
        assert_eq!(abbas.primary(), "ABBAS, Abu");
        assert_eq!(abbas.dates_of_birth, ["1948-12-10"]);
        // The overflow in sdn_comments.csv continues the remarks mid-word,
        // and the weak alias split across the two files is whole again.
        let lazarus = find(&s, "28263");
        assert!(lazarus.names.iter().any(|n| n.text == "snowsjohn" && n.quality == Quality::Weak));
        assert!(lazarus.remarks.as_deref().is_some_and(|r| r.ends_with("Linked To: LAZARUS GROUP.")));
        // The last row of sdn.csv sits just before the CRLF and Ctrl-Z.
        let last = s
            .entries
            .iter()
            .flat_map(|e| e.remarks.iter())
            .chain(s.entries.iter().flat_map(|e| e.names.iter().map(|n| &n.text)));
        for text in last {
            assert!(!text.contains(['\u{1a}', '\r', '\n']), "{text:?}");
        }
        let with_irgc = s.entries.iter().find(|e| e.programmes.len() > 1).expect("a multi-programme entry");
        assert!(with_irgc.programmes.iter().all(|p| !p.contains(['[', ']'])));
        // A DPRK vessel with its IMO from `Vessel Registration Identification`.
        let vessel = s
            .entries
            .iter()
            .find(|e| e.kind == Kind::Vessel && e.programmes.iter().any(|p| p.starts_with("DPRK")) && !e.imo.is_empty())
            .expect("a DPRK vessel with an IMO");
        assert!(vessel.imo.iter().all(|i| i.len() == 7 && i.bytes().all(|b| b.is_ascii_digit())));
        assert!(vessel.remarks.as_deref().is_some_and(|r| r.contains(&format!("IMO {}", vessel.imo[0]))));
        // Company numbers quoted as `Company Number IMO` are not ship IMOs.
        assert!(s.entries.iter().filter(|e| e.kind == Kind::Entity).all(|e| {
            e.imo.iter().all(|i| !e.remarks.as_deref().unwrap_or("").contains(&format!("Company Number IMO {i}")))
        }));
    }

    #[test]
    fn one_sdn_csv_picks_up_its_siblings() {
        let a = load();
        let b = import(&[PathBuf::from(SDN_CSV)], None, "OFAC_SDN").expect("imports");
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.entries, b.entries);
        // The fingerprint is SHA-256 over the four files in sorted path order.
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for f in ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"] {
            hasher.update(std::fs::read(format!("{DIR}/{f}")).expect("fixture"));
        }
        assert_eq!(a.fingerprint, crate::source::hex(&hasher.finalize()));
        let c = import(&[PathBuf::from(DIR)], Some(Format::OfacCsv), "OFAC_SDN").expect("imports");
        assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&c).expect("json"));
        assert!(a.entries.windows(2).all(|w| w[0].reference <= w[1].reference));
    }

    #[test]
    fn crlf_ctrl_z_and_windows_1252() {
        let sdn = b"1,\"M\xdcLLER, Hans\",individual,\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 13 Jan 1975; alt. DOB 1976; nationality Germany; a.k.a. 'ABU-'UMAR'; f.k.a. 'HANS'.\"\r\n2,\"SEA STAR\",vessel,\"DPRK3\",-0- ,\"HMXY\",-0- ,-0- ,-0- ,\"Korea, North\",-0- ,\"Vessel Registration Identification IMO 8712362; Company Number IMO 5555555.\"\r\n\x1a";
        let parsed = parse(&[file("x/sdn.csv", sdn)]).expect("parses");
        let [hans, ship] = parsed.entries.as_slice() else { panic!("two entries") };
        assert_eq!(hans.primary(), "MÜLLER, Hans");
        assert_eq!(hans.kind, Kind::Individual);
        assert_eq!(hans.programmes, ["SDGT", "IRGC"]);
        assert_eq!(hans.dates_of_birth, ["1975-01-13", "1976"]);
        assert_eq!(hans.nationalities, ["Germany"]);
        let weak: Vec<&str> =
            hans.names.iter().filter(|n| n.quality == Quality::Weak).map(|n| n.text.as_str()).collect();
        assert_eq!(weak, ["ABU-'UMAR", "HANS"]);
        assert_eq!(ship.kind, Kind::Vessel);
        assert_eq!(ship.imo, ["8712362"]);
        assert!(ship.remarks.as_deref().is_some_and(|r| r.starts_with("Call Sign HMXY; Vessel Flag Korea, North; ")));
    }

    #[test]
    fn truncated_or_garbage_is_a_format_error() {
        let bytes = std::fs::read(SDN_CSV).expect("fixture");
        // Cut inside a quoted field, and cut in the middle of a row.
        let in_quote = bytes.iter().rposition(|&b| b == b'"').expect("a quote") - 3;
        for cut in [in_quote, 1_000_000] {
            let r = parse(&[file("sdn.csv", &bytes[..cut])]);
            assert!(matches!(r, Err(ImportError::Format { .. })), "cut at {cut}: {r:?}");
        }
        let r = parse(&[file("sdn.csv", b"\x00\x9f\xff garbage, more garbage\n")]);
        assert!(matches!(r, Err(ImportError::Format { .. })), "{r:?}");
        let r = parse(&[file("sdn.csv", b"x1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n")]);
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("`x1`")), "{r:?}");
        let r = parse(&[file("sdn.csv", b"1,\"A\",ship,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n")]);
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("`ship`")), "{r:?}");
        let r = parse(&[file("alt.csv", b"1,2,\"aka\",\"A\",-0- \r\n")]);
        assert!(matches!(r, Err(ImportError::Format { .. })), "{r:?}");
        let garbage_alt = parse(&[
            file("sdn.csv", b"1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"),
            file("alt.csv", b"garbage"),
        ]);
        assert!(matches!(garbage_alt, Err(ImportError::Format { .. })), "{garbage_alt:?}");
    }
}
