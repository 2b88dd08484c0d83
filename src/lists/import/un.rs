//! The UN Security Council Consolidated List XML (`CONSOLIDATED_LIST`).
//!
//! `INDIVIDUAL` records become individuals and `ENTITY` records entities; the
//! list has no vessels. IMO numbers quoted in UN remarks are IMO *company*
//! numbers of shipping firms, not ships, so UN entries carry no `imo`.

use super::xml::{self, Node};
use super::{ImportError, Parsed, SourceFile, name, push_unique};
use crate::lists::model::{Address, Entry, Kind, Quality};

/// The root element.
const ROOT: &str = "CONSOLIDATED_LIST";

/// Parses one UN Consolidated List XML file.
pub fn parse(file: &SourceFile) -> Result<Parsed, ImportError> {
    let path = file.path.as_str();
    let is_record = |name: &str, depth: usize| depth == 2 && matches!(name, "INDIVIDUAL" | "ENTITY");
    let (root, entries) = xml::entries(path, &file.bytes, ROOT, &is_record, entry)?;
    let published = root.attr("dateGenerated").and_then(date_part);
    Ok(Parsed { entries, published, notes: Vec::new() })
}

/// The `YYYY-MM-DD` a timestamp starts with.
fn date_part(s: &str) -> Option<String> {
    let d = s.trim().get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    ok.then(|| d.to_string())
}

/// One `INDIVIDUAL` or `ENTITY`.
fn entry(path: &str, node: &Node) -> Result<Entry, ImportError> {
    let individual = node.name == "INDIVIDUAL";
    let bad = |what: &str| ImportError::format(path, format!("line {}: `<{}>` {what}", node.line, node.name));
    let reference = node.text_of("REFERENCE_NUMBER").ok_or_else(|| bad("has no `REFERENCE_NUMBER`"))?;
    let primary = if individual {
        let parts: Vec<String> =
            ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"].iter().filter_map(|n| node.text_of(n)).collect();
        parts.join(" ")
    } else {
        node.text_of("FIRST_NAME").unwrap_or_default()
    };
    let Some(primary) = name(&primary, Quality::Primary) else {
        return Err(bad(&format!("`{reference}` has no name")));
    };
    let mut names = vec![primary];
    if let Some(original) = node.text_of("NAME_ORIGINAL_SCRIPT").and_then(|t| name(&t, Quality::Strong)) {
        names.push(original);
    }
    let alias_tag = if individual { "INDIVIDUAL_ALIAS" } else { "ENTITY_ALIAS" };
    for alias in node.all(alias_tag) {
        let Some(text) = alias.text_of("ALIAS_NAME") else { continue };
        let quality = match alias.text_of("QUALITY").as_deref() {
            Some(q) if q.eq_ignore_ascii_case("low") => Quality::Weak,
            _ => Quality::Strong,
        };
        names.extend(name(unquote(&text), quality));
    }
    let mut dates_of_birth = Vec::new();
    for dob in node.all("INDIVIDUAL_DATE_OF_BIRTH") {
        let date = if let Some(d) = dob.text_of("DATE") {
            Some(date_part(&d).unwrap_or(d))
        } else if let Some(y) = dob.text_of("YEAR") {
            Some(y)
        } else {
            match (dob.text_of("FROM_YEAR"), dob.text_of("TO_YEAR")) {
                (Some(from), Some(to)) => Some(format!("{from}-{to}")),
                (Some(one), None) | (None, Some(one)) => Some(one),
                (None, None) => None,
            }
        };
        if let Some(date) = date {
            push_unique(&mut dates_of_birth, &date);
        }
    }
    let mut nationalities = Vec::new();
    for nat in node.all("NATIONALITY") {
        for v in nat.all("VALUE").filter_map(Node::value) {
            push_unique(&mut nationalities, &v);
        }
    }
    let address_tag = if individual { "INDIVIDUAL_ADDRESS" } else { "ENTITY_ADDRESS" };
    let addresses = node
        .all(address_tag)
        .filter_map(|a| {
            let parts: Vec<String> =
                ["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "NOTE"].iter().filter_map(|n| a.text_of(n)).collect();
            let country = a.text_of("COUNTRY");
            (!parts.is_empty() || country.is_some()).then(|| Address { text: parts.join(", "), country })
        })
        .collect();
    let programmes = node.text_of("UN_LIST_TYPE").into_iter().collect();
    Ok(Entry {
        reference,
        kind: if individual { Kind::Individual } else { Kind::Entity },
        names,
        dates_of_birth,
        nationalities,
        addresses,
        imo: Vec::new(),
        programmes,
        listed_on: node.text_of("LISTED_ON").map(|d| date_part(&d).unwrap_or(d)),
        remarks: node.text_of("COMMENTS1"),
    })
}

/// An alias without the straight double quotes some are wrapped in
/// (`"KOMID"`).
fn unquote(s: &str) -> &str {
    s.strip_prefix('"').and_then(|t| t.strip_suffix('"')).filter(|t| !t.contains('"')).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::lists::import::Format;
    use crate::sources::import_list as import;

    const UN_2026: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/lists/sources/un-consolidated-2026-02-27.xml");
    const UN_2018: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/un-consolidated-2018-10-29.xml");

    fn load(path: &str) -> crate::lists::Snapshot {
        import(&[PathBuf::from(path)], None, "UN_SC").expect("imports")
    }

    fn find<'a>(s: &'a crate::lists::Snapshot, reference: &str) -> &'a Entry {
        s.entries.iter().find(|e| e.reference == reference).expect("entry present")
    }

    #[test]
    fn un_2026_counts() {
        let s = load(UN_2026);
        assert_eq!(s.format, "un-xml");
        assert_eq!(s.name, "UN_SC");
        assert_eq!(s.published.as_deref(), Some("2026-02-27"));
        assert_eq!(s.sources, vec![UN_2026.to_string()]);
        assert_eq!(s.fingerprint.len(), 64);
        assert!(s.fingerprint.starts_with("66b392a4090868d2"), "{}", s.fingerprint);
        assert_eq!(s.entries.len(), 1003);
        let kinds = s.entries.iter().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(e.kind).or_insert(0) += 1;
            m
        });
        assert_eq!(kinds.get(&Kind::Individual), Some(&730));
        assert_eq!(kinds.get(&Kind::Entity), Some(&273));
        let dprk = s.entries.iter().filter(|e| e.programmes == ["DPRK"]).count();
        assert_eq!(dprk, 155);
        assert_eq!(s.entries.iter().filter(|e| e.reference.starts_with("KPi.")).count(), 80);
        assert_eq!(s.entries.iter().filter(|e| e.reference.starts_with("KPe.")).count(), 75);
        let names = |q: Quality| s.entries.iter().flat_map(|e| &e.names).filter(|n| n.quality == q).count();
        let weak_on = |kind: Kind| {
            s.entries
                .iter()
                .filter(|e| e.kind == kind)
                .flat_map(|e| &e.names)
                .filter(|n| n.quality == Quality::Weak)
                .count()
        };
        // 615 `Low` individual aliases; entities have none.
        assert_eq!(weak_on(Kind::Individual), 615);
        assert_eq!(weak_on(Kind::Entity), 0);
        assert_eq!(names(Quality::Weak), 615);
        // 1,524 `Good` + 594 `a.k.a.` + 19 `f.k.a.` aliases + 378 NAME_ORIGINAL_SCRIPT names.
        assert_eq!(names(Quality::Strong), 1524 + 594 + 19 + 378);
        let in_script = s.entries.iter().flat_map(|e| &e.names).filter(|n| n.script.is_some()).count();
        assert!(in_script >= 378, "{in_script}");
        assert_eq!(
            s.entries.iter().filter(|e| e.programmes == ["DPRK"]).flat_map(|e| e.names.iter().skip(1)).count(),
            214
        );
        assert!(s.entries.iter().all(|e| e.imo.is_empty()));
        assert!(s.entries.iter().all(|e| e.names.first().is_some_and(|n| n.quality == Quality::Primary)));
        assert!(s.entries.iter().all(|e| e.listed_on.is_some()));
    }

    #[test]
    fn un_2026_spot_checks() {
        let s = load(UN_2026);
        let komid = find(&s, "KPe.001");
        assert_eq!(komid.kind, Kind::Entity);
        assert_eq!(komid.primary(), "KOREA MINING DEVELOPMENT TRADING CORPORATION");
        assert!(komid.names.iter().any(|n| n.text == "KOMID" && n.quality == Quality::Strong));
        assert_eq!(komid.listed_on.as_deref(), Some("2009-04-24"));
        assert_eq!(komid.programmes, ["DPRK"]);
        assert_eq!(
            komid.addresses,
            [Address {
                text: "Central District, Pyongyang".into(),
                country: Some("Democratic People's Republic of Korea".into())
            }]
        );
        assert!(komid.remarks.as_deref().is_some_and(|r| r.starts_with("Primary arms dealer and main exporter")));
        // KPe.046's REFERENCE_NUMBER has a trailing space in the source.
        assert!(s.entries.iter().any(|e| e.reference == "KPe.046"));
        assert!(s.entries.iter().all(|e| e.reference == e.reference.trim()));
        let jin = find(&s, "KPi.035");
        assert!(jin.names.iter().any(|n| n.text.contains('金') && n.script.as_deref() == Some("Hani")));
        let badege = find(&s, "CDi.001");
        assert_eq!(badege.primary(), "ERIC BADEGE");
        assert_eq!(badege.dates_of_birth, ["1971"]);
        assert_eq!(badege.nationalities, ["Democratic Republic of the Congo"]);
        assert_eq!(badege.addresses, [Address { text: "as of early 2016".into(), country: Some("Rwanda".into()) }]);
        let cyrillic = find(&s, "QDi.290");
        assert!(cyrillic.names.iter().any(|n| n.script.as_deref() == Some("Cyrl")));
        // A BETWEEN date of birth becomes a year range.
        assert!(s.entries.iter().flat_map(|e| &e.dates_of_birth).any(|d| d.len() == 9 && d.as_bytes()[4] == b'-'));
        // Individual names are joined with single spaces, never doubled.
        assert!(s.entries.iter().flat_map(|e| &e.names).all(|n| !n.text.contains("  ") && n.text == n.text.trim()));
    }

    #[test]
    fn un_2018_counts() {
        let s = load(UN_2018);
        assert_eq!(s.entries.len(), 1093);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Individual).count(), 703);
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Entity).count(), 390);
        assert_eq!(s.entries.iter().filter(|e| e.programmes == ["DPRK"]).count(), 155);
        assert_eq!(s.published.as_deref(), Some("2018-10-29"));
        // The two Tigrinya names written in Ge'ez are Ethiopic script.
        for reference in ["LYi.021", "LYi.022"] {
            let e = find(&s, reference);
            let ethi = e.names.iter().filter(|n| n.script.as_deref() == Some("Ethi")).count();
            assert_eq!(ethi, 1, "{reference}: {:?}", e.names);
        }
    }

    #[test]
    fn sorted_and_deterministic() {
        let a = load(UN_2026);
        let b = import(&[PathBuf::from(UN_2026)], Some(Format::UnXml), "UN_SC").expect("imports");
        assert!(a.entries.windows(2).all(|w| w[0].reference <= w[1].reference));
        let ja = serde_json::to_string(&a).expect("serialises");
        let jb = serde_json::to_string(&b).expect("serialises");
        assert_eq!(ja, jb);
    }

    #[test]
    fn deep_nesting_is_a_format_error_not_a_stack_overflow() {
        let deep =
            format!("<CONSOLIDATED_LIST>{}{}</CONSOLIDATED_LIST>", "<a>".repeat(200_000), "</a>".repeat(200_000));
        let e = parse(&SourceFile { path: "deep.xml".into(), bytes: deep.into_bytes() }).unwrap_err();
        assert!(e.to_string().contains("nested deeper than 64 levels"), "{e}");
    }

    #[test]
    fn truncated_or_garbage_is_a_format_error() {
        let bytes = std::fs::read(UN_2018).expect("fixture");
        for cut in [bytes.len() / 2, bytes.len() - 30, 200] {
            let file = SourceFile { path: "cut.xml".into(), bytes: bytes[..cut].to_vec() };
            let r = parse(&file);
            assert!(matches!(r, Err(ImportError::Format { .. })), "cut at {cut}: {r:?}");
        }
        let garbage = SourceFile { path: "g.xml".into(), bytes: b"\x00\xffnot xml at all<<<>>>".to_vec() };
        assert!(matches!(parse(&garbage), Err(ImportError::Format { .. })));
        let other = SourceFile { path: "o.xml".into(), bytes: b"<sdnList><sdnEntry/></sdnList>".to_vec() };
        let r = parse(&other);
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("sdnList")), "{r:?}");
        let no_ref = SourceFile {
            path: "n.xml".into(),
            bytes: b"<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
                .to_vec(),
        };
        let r = parse(&no_ref);
        assert!(matches!(&r, Err(ImportError::Format { reason, .. }) if reason.starts_with("line 3")), "{r:?}");
    }
}
