//! OpenSanctions FollowTheMoney JSON lines: one entity per line.
//!
//! Persons, organisations, companies, legal entities, public bodies, vessels
//! and airplanes become entries. `Sanction` entities are not entries but give
//! the programmes and listing date of the entity they point to; `Address`
//! entities give addresses. Other schemas (ownership, family, passports…) are
//! skipped. All files given make one stream, so links may cross files.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use super::{ImportError, Parsed, SourceFile, imo_digits, name, push_unique};
use crate::lists::model::{Address, Entry, Kind, Quality};

/// One line.
#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    schema: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Vec<Value>>,
    /// Earlier ids of the entity, which links may still use.
    #[serde(default)]
    referents: Vec<String>,
    #[serde(default)]
    last_seen: Option<String>,
    #[serde(default)]
    last_change: Option<String>,
}

impl Line {
    /// A property's values as text (a nested entity gives its id), whitespace
    /// collapsed and empty values left out.
    fn values(&self, prop: &str) -> Vec<String> {
        let Some(values) = self.properties.get(prop) else { return Vec::new() };
        values
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(super::clean(s)),
                Value::Number(n) => Some(n.to_string()),
                Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// The kind a schema designates, for the schemas that are entries.
fn kind_of(schema: &str) -> Option<Kind> {
    Some(match schema {
        "Person" => Kind::Individual,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => Kind::Entity,
        "Vessel" => Kind::Vessel,
        "Airplane" => Kind::Aircraft,
        _ => return None,
    })
}

/// What the Sanction entities say about one entity.
#[derive(Default)]
struct Sanctions {
    programmes: Vec<String>,
    listed_on: Option<String>,
}

/// A date's `YYYY-MM-DD` (or shorter) part.
fn date_part(s: &str) -> String {
    s.split('T').next().unwrap_or(s).trim().to_string()
}

/// Parses FollowTheMoney JSON lines from one or more files.
pub fn parse(files: &[SourceFile]) -> Result<Parsed, ImportError> {
    let mut lines: Vec<Line> = Vec::new();
    for file in files {
        let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&file.bytes);
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line: Line = serde_json::from_slice(raw).map_err(|e| {
                ImportError::format(&file.path, format!("line {}: not a FollowTheMoney entity: {e}", i + 1))
            })?;
            lines.push(line);
        }
    }
    // Links may name an entity by one of its earlier ids.
    let mut canonical: HashMap<&str, &str> = HashMap::new();
    for line in lines.iter().filter(|l| kind_of(&l.schema).is_some()) {
        for old in &line.referents {
            canonical.entry(old.as_str()).or_insert(line.id.as_str());
        }
    }
    let mut published: Option<String> = None;
    let mut sanctions: HashMap<String, Sanctions> = HashMap::new();
    let mut places: HashMap<String, Address> = HashMap::new();
    for line in &lines {
        for d in line.last_seen.iter().chain(&line.last_change) {
            let d = date_part(d);
            if !d.is_empty() && published.as_ref().is_none_or(|p| *p < d) {
                published = Some(d);
            }
        }
        match line.schema.as_str() {
            "Sanction" => {
                let mut programmes = line.values("program");
                if programmes.is_empty() {
                    programmes = line.values("programId");
                }
                let dates: Vec<String> = line
                    .values("listingDate")
                    .into_iter()
                    .chain(line.values("startDate"))
                    .map(|d| date_part(&d))
                    .collect();
                for target in line.values("entity") {
                    let target = canonical.get(target.as_str()).map_or(target.clone(), |c| c.to_string());
                    let s = sanctions.entry(target).or_default();
                    for p in &programmes {
                        push_unique(&mut s.programmes, p);
                    }
                    for d in &dates {
                        if s.listed_on.as_ref().is_none_or(|l| d < l) {
                            s.listed_on = Some(d.clone());
                        }
                    }
                }
            }
            "Address" => {
                let text = line.values("full").into_iter().next().unwrap_or_else(|| {
                    ["street", "postOfficeBox", "city", "region", "postalCode"]
                        .iter()
                        .filter_map(|p| line.values(p).into_iter().next())
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let country = line.values("country").into_iter().next();
                if !text.is_empty() || country.is_some() {
                    for id in std::iter::once(&line.id).chain(&line.referents) {
                        places.insert(id.clone(), Address { text: text.clone(), country: country.clone() });
                    }
                }
            }
            _ => {}
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut entries = Vec::new();
    for line in &lines {
        let Some(kind) = kind_of(&line.schema) else { continue };
        // The same entity in two files: the first one counts.
        if !seen.insert(line.id.as_str()) {
            continue;
        }
        entries.extend(entry(line, kind, sanctions.remove(&line.id), &places));
    }
    Ok(Parsed { entries, published, notes: Vec::new() })
}

/// One importable entity; `None` when it has no name at all.
fn entry(line: &Line, kind: Kind, sanctions: Option<Sanctions>, places: &HashMap<String, Address>) -> Option<Entry> {
    let mut texts = line.values("name");
    if texts.is_empty() {
        texts.extend(line.caption.as_deref().map(super::clean).filter(|c| !c.is_empty()));
    }
    let mut names = Vec::new();
    let mut add = |text: &str, quality: Quality| {
        if !names.iter().any(|n: &crate::lists::Name| n.text == text) {
            names.extend(name(text, quality));
        }
    };
    let (first, rest) = texts.split_first()?;
    add(first, Quality::Primary);
    for t in rest.iter().chain(&line.values("alias")).chain(&line.values("previousName")) {
        add(t, Quality::Strong);
    }
    for t in line.values("weakAlias") {
        add(&t, Quality::Weak);
    }
    let mut dates_of_birth = Vec::new();
    for d in line.values("birthDate") {
        push_unique(&mut dates_of_birth, &d);
    }
    let mut nationalities = Vec::new();
    for n in line.values("nationality").into_iter().chain(line.values("citizenship")) {
        push_unique(&mut nationalities, &n);
    }
    if nationalities.is_empty() {
        for n in line.values("country").into_iter().chain(line.values("jurisdiction")) {
            push_unique(&mut nationalities, &n);
        }
    }
    let mut addresses: Vec<Address> = Vec::new();
    for a in line.values("addressEntity").iter().filter_map(|id| places.get(id)) {
        if !addresses.iter().any(|x| x.text == a.text) {
            addresses.push(a.clone());
        }
    }
    for text in line.values("address") {
        if !addresses.iter().any(|x| x.text == text) {
            addresses.push(Address { text, country: None });
        }
    }
    let mut imo = Vec::new();
    let mut remarks = line.values("notes");
    for number in line.values("imoNumber") {
        match imo_digits(&number) {
            // Only a vessel's IMO number is a ship's; an organisation's is
            // the IMO company number of a shipowner or manager.
            Some(digits) if kind == Kind::Vessel => push_unique(&mut imo, &digits),
            _ => remarks.push(format!("IMO number {number}")),
        }
    }
    if kind == Kind::Vessel {
        remarks.extend(line.values("flag").into_iter().map(|f| format!("Vessel Flag {f}")));
    }
    let sanctions = sanctions.unwrap_or_default();
    let mut programmes = sanctions.programmes;
    for p in line.values("program") {
        push_unique(&mut programmes, &p);
    }
    let listed_on = sanctions.listed_on.or_else(|| line.values("createdAt").into_iter().map(|d| date_part(&d)).min());
    Some(Entry {
        reference: line.id.clone(),
        kind,
        names,
        dates_of_birth,
        nationalities,
        addresses,
        imo,
        programmes,
        listed_on,
        remarks: (!remarks.is_empty()).then(|| remarks.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::lists::import::Format;
    use crate::sources::import_list as import;

    const T1: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/yente-fixture-t1-eu_fsf.entities.ftm.json");
    const ZALA: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/yente-fixture-zala.entities.ftm.json");

    fn load(path: &str) -> crate::lists::Snapshot {
        import(&[PathBuf::from(path)], None, "OS").expect("imports")
    }

    #[test]
    fn t1_counts() {
        let s = load(T1);
        assert_eq!(s.format, "ftm");
        assert_eq!(s.published.as_deref(), Some("2024-06-01"));
        assert_eq!(s.entries.len(), 6);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Individual).count(), 4);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Entity).count(), 2);
        let kuzmenko = s.entries.iter().find(|e| e.reference == "NK-2Ka3UvopqbpZmVDFjWd4LA").expect("present");
        assert_eq!(kuzmenko.primary(), "Vitalij Kuzmenko");
        assert_eq!(kuzmenko.dates_of_birth, ["1971-01-22"]);
        assert_eq!(kuzmenko.nationalities, ["ru"]);
        assert_eq!(kuzmenko.listed_on.as_deref(), Some("2024-02-23"));
        assert!(
            kuzmenko.names.iter().any(|n| n.text == "Виталий Юрьевич КУЗЬМЕНКО" && n.script.as_deref() == Some("Cyrl"))
        );
        let tobacco = s.entries.iter().find(|e| e.reference == "NK-2GdmHtZTeNXjNVrBGEXZNj").expect("present");
        assert_eq!(tobacco.kind, Kind::Entity);
        assert_eq!(tobacco.primary(), "LLC “Inter Tobacco”");
        assert!(tobacco.names.iter().any(|n| n.script.as_deref() == Some("Grek")));
        // Its addressEntity names an address that is not in the fixture.
        assert!(tobacco.addresses.is_empty(), "{:?}", tobacco.addresses);
    }

    #[test]
    fn zala_counts_and_sanctions() {
        let s = load(ZALA);
        assert_eq!(s.entries.len(), 17);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Individual).count(), 6);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Entity).count(), 11);
        assert_eq!(s.published.as_deref(), Some("2026-04-29"));
        let cst = s.entries.iter().find(|e| e.reference == "NK-abdzbEBkqyT29GyREbiURZ").expect("present");
        assert!(cst.programmes.iter().any(|p| p == "Autonomous (Russia)"), "{:?}", cst.programmes);
        assert!(cst.names.iter().any(|n| n.text == "ZALA" && n.quality == Quality::Weak));
        assert!(cst.listed_on.is_some());
        assert!(cst.addresses.iter().any(|a| a.country.as_deref() == Some("ru")));
        let osetrova = s.entries.iter().find(|e| e.reference == "NK-2Tbri3s6GgNtAwsSXh4qpL").expect("present");
        assert!(
            osetrova.names.iter().any(|n| n.text == "Maria Aleksandrovna Zakharova" && n.quality == Quality::Strong)
        );
        let a = serde_json::to_string(&s).expect("json");
        let b = serde_json::to_string(&import(&[PathBuf::from(ZALA)], Some(Format::Ftm), "OS").expect("imports"));
        assert_eq!(a, b.expect("json"));
    }

    #[test]
    fn truncated_or_garbage_is_a_format_error() {
        let bytes = std::fs::read(ZALA).expect("fixture");
        let r = parse(&[SourceFile { path: "cut.json".into(), bytes: bytes[..bytes.len() / 2].to_vec() }]);
        assert!(matches!(r, Err(ImportError::Format { .. })), "{r:?}");
        let r = parse(&[SourceFile { path: "g.json".into(), bytes: b"{\"id\": 1}\n\xff\xfe".to_vec() }]);
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.starts_with("line 1")), "{r:?}");
        let r = parse(&[SourceFile { path: "v.json".into(), bytes: b"{\"id\":\"v1\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"SEA\"],\"imoNumber\":[\"IMO 9187655\"]}}\n{\"id\":\"o1\",\"schema\":\"Organization\",\"properties\":{\"name\":[\"SHIPCO\"],\"imoNumber\":[\"5555555\"]}}\n".to_vec() }]).expect("parses");
        assert_eq!(r.entries[0].imo, ["9187655"]);
        assert!(r.entries[1].imo.is_empty());
    }
}
