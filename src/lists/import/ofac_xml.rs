//! OFAC's `sdnList` XML (sdn.xml, and the non-SDN consolidated.xml), in
//! either of the namespaces OFAC has used; elements are matched by local name.
//!
//! Weak and strong aliases come from `akaList` (`category`); IMO numbers from
//! `idList` entries of type `Vessel Registration Identification`; the other
//! identifiers, places of birth and vessel details are written into remarks.

use super::xml::{self, Node};
use super::{ImportError, Parsed, SourceFile, imo_digits, name, ofac_date, push_unique};
use crate::lists::model::{Address, Entry, Kind, Quality};

/// The root element.
const ROOT: &str = "sdnList";

/// Parses one `sdnList` XML file.
pub fn parse(file: &SourceFile) -> Result<Parsed, ImportError> {
    let path = file.path.as_str();
    let is_record = |name: &str, depth: usize| depth == 1 && name == "sdnEntry";
    let (root, entries) = xml::entries(path, &file.bytes, ROOT, &is_record, entry)?;
    let published = root.child("publshInformation").and_then(|p| p.text_of("Publish_Date")).and_then(|d| us_date(&d));
    Ok(Parsed { entries, published, notes: Vec::new() })
}

/// `MM/DD/YYYY` as `YYYY-MM-DD`.
fn us_date(s: &str) -> Option<String> {
    let mut parts = s.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (parts.next().is_none() && digits(m, 2) && digits(d, 2) && digits(y, 4)).then(|| format!("{y}-{m}-{d}"))
}

/// `lastName, firstName`, like the CSV; either alone when the other is missing.
fn full_name(node: &Node) -> Option<String> {
    match (node.text_of("lastName"), node.text_of("firstName")) {
        (Some(last), Some(first)) => Some(format!("{last}, {first}")),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// One `sdnEntry`.
fn entry(path: &str, node: &Node) -> Result<Entry, ImportError> {
    let bad = |what: String| ImportError::format(path, format!("line {}: `<sdnEntry>` {what}", node.line));
    let reference = node.text_of("uid").ok_or_else(|| bad("has no `uid`".into()))?;
    let Some(primary) = full_name(node).and_then(|n| name(&n, Quality::Primary)) else {
        return Err(bad(format!("`{reference}` has no name")));
    };
    let kind = match node.text_of("sdnType").map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("individual") => Kind::Individual,
        Some("entity") | None => Kind::Entity,
        Some("vessel") => Kind::Vessel,
        Some("aircraft") => Kind::Aircraft,
        Some(other) => return Err(bad(format!("`{reference}` has an unknown `sdnType` `{other}`"))),
    };
    let mut names = vec![primary];
    for aka in node.child("akaList").into_iter().flat_map(|l| l.all("aka")) {
        let quality = match aka.text_of("category").as_deref() {
            Some(c) if c.eq_ignore_ascii_case("weak") => Quality::Weak,
            _ => Quality::Strong,
        };
        names.extend(full_name(aka).and_then(|n| name(&n, quality)));
    }
    let mut programmes = Vec::new();
    for p in node.child("programList").into_iter().flat_map(|l| l.all("program")).filter_map(Node::value) {
        push_unique(&mut programmes, &p);
    }
    let addresses = node
        .child("addressList")
        .into_iter()
        .flat_map(|l| l.all("address"))
        .filter_map(|a| {
            let parts: Vec<String> = ["address1", "address2", "address3", "city", "stateOrProvince", "postalCode"]
                .iter()
                .filter_map(|n| a.text_of(n))
                .collect();
            let country = a.text_of("country");
            (!parts.is_empty() || country.is_some()).then(|| Address { text: parts.join(", "), country })
        })
        .collect();
    let mut nationalities = Vec::new();
    for (list, item) in [("nationalityList", "nationality"), ("citizenshipList", "citizenship")] {
        for country in node.child(list).into_iter().flat_map(|l| l.all(item)).filter_map(|n| n.text_of("country")) {
            push_unique(&mut nationalities, &country);
        }
    }
    let mut dates_of_birth = Vec::new();
    for dob in node.child("dateOfBirthList").into_iter().flat_map(|l| l.all("dateOfBirthItem")) {
        if let Some(d) = dob.text_of("dateOfBirth").and_then(|d| ofac_date(&d)) {
            push_unique(&mut dates_of_birth, &d);
        }
    }
    let mut facts = Vec::new();
    if let Some(title) = node.text_of("title") {
        facts.push(format!("Title {title}"));
    }
    if let Some(v) = node.child("vesselInfo") {
        for (tag, label) in [
            ("callSign", "Call Sign"),
            ("vesselType", "Vessel Type"),
            ("vesselFlag", "Vessel Flag"),
            ("vesselOwner", "Vessel Owner"),
            ("tonnage", "Tonnage"),
            ("grossRegisteredTonnage", "GRT"),
        ] {
            if let Some(value) = v.text_of(tag) {
                facts.push(format!("{label} {value}"));
            }
        }
    }
    for pob in node.child("placeOfBirthList").into_iter().flat_map(|l| l.all("placeOfBirthItem")) {
        if let Some(place) = pob.text_of("placeOfBirth") {
            facts.push(format!("POB {place}"));
        }
    }
    let mut imo = Vec::new();
    for id in node.child("idList").into_iter().flat_map(|l| l.all("id")) {
        let id_type = id.text_of("idType").unwrap_or_default();
        let number = id.text_of("idNumber").unwrap_or_default();
        if id_type == "Vessel Registration Identification"
            && kind != Kind::Individual
            && let Some(digits) = imo_digits(&number)
        {
            push_unique(&mut imo, &digits);
        }
        let mut fact = [id_type, number].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" ");
        if let Some(country) = id.text_of("idCountry") {
            fact.push_str(&format!(" ({country})"));
        }
        for (tag, label) in [("issueDate", "issued"), ("expirationDate", "expires")] {
            if let Some(date) = id.text_of(tag) {
                fact.push_str(&format!(" {label} {date}"));
            }
        }
        if !fact.trim().is_empty() {
            facts.push(fact.trim().to_string());
        }
    }
    if let Some(remarks) = node.text_of("remarks") {
        facts.push(remarks);
    }
    Ok(Entry {
        reference,
        kind,
        names,
        dates_of_birth,
        nationalities,
        addresses,
        imo,
        programmes,
        listed_on: None,
        remarks: (!facts.is_empty()).then(|| facts.join("; ")),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::lists::import::Format;
    use crate::sources::import_list as import;

    const XML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lists/ofac-consolidated-2018-04-06.xml");

    fn load() -> crate::lists::Snapshot {
        import(&[PathBuf::from(XML)], None, "OFAC_CONS").expect("imports")
    }

    #[test]
    fn consolidated_2018_counts() {
        let s = load();
        assert_eq!(s.format, "ofac-xml");
        assert_eq!(s.published.as_deref(), Some("2018-04-06"));
        assert!(s.fingerprint.starts_with("03ff290ee1a079a1"), "{}", s.fingerprint);
        assert_eq!(s.entries.len(), 639);
        let kinds = s.entries.iter().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(e.kind).or_insert(0) += 1;
            m
        });
        assert_eq!(kinds.get(&Kind::Entity), Some(&471));
        assert_eq!(kinds.get(&Kind::Individual), Some(&94));
        assert_eq!(kinds.get(&Kind::Vessel), Some(&74));
        let names = |q: Quality| s.entries.iter().flat_map(|e| &e.names).filter(|n| n.quality == q).count();
        assert_eq!(names(Quality::Strong), 1209);
        assert_eq!(names(Quality::Weak), 46);
        let programme = |p: &str| s.entries.iter().filter(|e| e.programmes.iter().any(|x| x == p)).count();
        assert_eq!(programme("UKRAINE-EO13662"), 290);
        assert_eq!(programme("IRAN"), 264);
        assert_eq!(programme("NS-PLC"), 78);
        assert!(s.entries.iter().all(|e| !e.programmes.iter().any(|p| p.starts_with("DPRK"))));
        assert_eq!(s.entries.iter().filter(|e| e.kind == Kind::Vessel && e.imo.len() == 1).count(), 74);
    }

    #[test]
    fn consolidated_2018_spot_checks() {
        let s = load();
        let find = |r: &str| s.entries.iter().find(|e| e.reference == r).expect("entry present");
        let sundial = find("15037");
        assert_eq!(sundial.primary(), "SUNDIAL");
        assert_eq!(sundial.kind, Kind::Vessel);
        assert_eq!(sundial.imo, ["9187655"]);
        assert!(sundial.remarks.as_deref().is_some_and(|r| r.contains("Former Vessel Flag Tanzania")
            && r.ends_with("(Linked To: NATIONAL IRANIAN TANKER COMPANY)")));
        let bank = find("4632");
        assert_eq!(bank.primary(), "BANK MARKAZI JOMHOURI ISLAMI IRAN");
        assert!(bank.names.iter().any(|n| n.text == "CENTRAL BANK OF IRAN" && n.quality == Quality::Strong));
        assert_eq!(
            bank.addresses[1],
            Address { text: "213 Ferdowsi Avenue, Tehran, 11365".into(), country: Some("Iran".into()) }
        );
        let person =
            s.entries.iter().find(|e| e.kind == Kind::Individual && !e.dates_of_birth.is_empty()).expect("a DOB");
        assert!(person.primary().contains(", "), "{}", person.primary());
        assert!(
            s.entries
                .iter()
                .flat_map(|e| &e.dates_of_birth)
                .all(|d| d.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn deterministic() {
        let a = serde_json::to_string(&load()).expect("json");
        let b = import(&[PathBuf::from(XML)], Some(Format::OfacXml), "OFAC_CONS").expect("imports");
        assert_eq!(a, serde_json::to_string(&b).expect("json"));
    }

    #[test]
    fn truncated_or_garbage_is_a_format_error() {
        let bytes = std::fs::read(XML).expect("fixture");
        for cut in [bytes.len() / 3, bytes.len() - 12] {
            let r = parse(&SourceFile { path: "cut.xml".into(), bytes: bytes[..cut].to_vec() });
            assert!(matches!(r, Err(ImportError::Format { .. })), "cut at {cut}: {r:?}");
        }
        let r = parse(&SourceFile { path: "g.xml".into(), bytes: b"\xff\xfe<<garbage".to_vec() });
        assert!(matches!(r, Err(ImportError::Format { .. })), "{r:?}");
        let r = parse(&SourceFile {
            path: "n.xml".into(),
            bytes: b"<sdnList xmlns=\"x\">\n  <sdnEntry><lastName>X</lastName></sdnEntry>\n</sdnList>".to_vec(),
        });
        assert!(
            matches!(&r, Err(ImportError::Format { reason, .. }) if reason.contains("line 2") && reason.contains("uid")),
            "{r:?}"
        );
        assert_eq!(us_date("04/06/2018").as_deref(), Some("2018-04-06"));
        assert_eq!(us_date("4/6/2018"), None);
    }
}
