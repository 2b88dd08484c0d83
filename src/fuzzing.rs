//! Entry points for fuzzing: each takes arbitrary bytes and runs one input
//! path of Cordon to the end (parse, check, type, import, screen), as a user's
//! file would. None may panic, hang or grow memory without bound; errors are
//! results, not crashes. The `fuzz/` crate (cargo-fuzz) drives them with
//! coverage guidance; `tests/it/robustness.rs` runs them over a corpus and
//! random mutations on the stable toolchain, so they cannot rot.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::check;
use crate::check::{Pack, PackFile};
use crate::config::{self, InputConfig};
use crate::lists::import::{self, SourceFile as ListFile};
use crate::records::{Format, Input, InputSpec, Limits, Raw};
use crate::source::SourceFile;

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Rule text: parse, check (in a pack of its own, with no data files or
/// lists on disk), format, and reparse the formatted text.
pub fn rules(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let src = Arc::new(SourceFile::new("fuzz.cordon", "fuzz.cordon", t));
    let Ok(ast) = crate::syntax::parse(&src) else { return };
    if let Ok(formatted) = crate::syntax::print::format(&src) {
        let again = SourceFile::new("fuzz2.cordon", "fuzz2.cordon", formatted.as_str());
        // The canonical layout parses to the same tree.
        if let Ok(b) = crate::syntax::parse(&again) {
            assert!(b == ast, "fmt changed the meaning of a rule file");
        }
    }
    let mut pack = Pack::empty(Arc::new(crate::config::standard_schema()));
    pack.files.push(PackFile { source: src, rel: "fuzz.cordon".into(), ast, imports: Vec::new() });
    // No data files or lists: the sources are empty.
    if let Ok((rules, _)) = check::check(&pack, &crate::sources::MemSources::new()) {
        let engine = crate::Engine::from_rules(Arc::new(rules));
        // Evaluate the sample's first record against whatever was checked.
        let layout = crate::records::Layout::for_json(
            0,
            "fuzz",
            Arc::clone(&engine.rules().schema),
            Arc::new(InputConfig::standard()),
        );
        let rec = br#"{"id":"F1","date":"2018-05-01","origin":"KP","destination":"CN","hs_code":"2701.12","quantity":"10","value":"1000","currency":"USD","description":"coal","route":"KP;CN","seller":"Korea Mining Development Trading Corporation"}"#;
        if let Ok(r) = layout.parse(&Raw::Json { line: 1, text: rec.to_vec() }) {
            let e = engine.evaluate(&r);
            let (_, reference) = crate::explain::explain(engine.rules(), &r);
            let a = e.rule_results();
            let b: Vec<_> = reference.iter().map(|f| (f.rule, f.severity, f.outcome.clone())).collect();
            assert_eq!(a, b, "the evaluators disagree");
        }
    }
}

/// Reads and types every record of a file in the standard schema (a bad
/// row is an `Err` from `parse`, never a panic), stopping at a file error.
fn records(data: &[u8], format: Format) {
    let spec = InputSpec { path: PathBuf::from("fuzz"), name: "fuzz".into(), format };
    let schema = Arc::new(crate::config::standard_schema());
    let config = Arc::new(InputConfig::standard());
    let Ok(mut input) =
        Input::from_reader(std::io::Cursor::new(data.to_vec()), &spec, 0, schema, config, Limits::default())
    else {
        return;
    };
    let layout = Arc::clone(&input.layout);
    for _ in 0..100_000 {
        match input.next_batch(256) {
            Ok(batch) if batch.is_empty() => break,
            Ok(batch) => {
                for raw in batch {
                    let _ = layout.parse(&raw);
                }
            }
            Err(_) => break,
        }
    }
}

/// A CSV transaction file.
pub fn csv(data: &[u8]) {
    records(data, Format::Csv);
}

/// A JSON Lines transaction file.
pub fn jsonl(data: &[u8]) {
    records(data, Format::Jsonl);
}

/// YAML: as an input config, a schema, a pack manifest and a reviewed-matches file.
pub fn config(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let schema = crate::config::standard_schema();
    let _ = config::load_config(SourceFile::new("fuzz.yaml", "fuzz.yaml", t), &schema);
    let src = SourceFile::new("fuzz.yaml", "fuzz.yaml", t);
    let _ = config::load_schema(&src);
    let _ = config::load_manifest(&src);
    let _ = config::load_reviewed(&src);
}

/// A small list to screen against, built once.
fn screener() -> &'static crate::screen::Screener {
    static S: OnceLock<crate::screen::Screener> = OnceLock::new();
    S.get_or_init(|| {
        let csv = "ref,name,name_kind,imo,listed_on\nKPe.001,KOREA MINING DEVELOPMENT TRADING CORPORATION,primary,,2009-04-24\nKPe.001,KOMID,alias,,2009-04-24\nKPi.052,RI SU YONG,primary,,2017-06-02\nV03,BILLIONS NO. 18,primary,9191773,2017-12-28\n";
        let parsed = import::watchlist::parse(&ListFile { path: "w.csv".into(), bytes: csv.as_bytes().to_vec() });
        let entries = parsed.map(|p| p.entries).unwrap_or_default();
        crate::screen::Screener::new(vec![Arc::new(crate::lists::Snapshot {
            name: "FUZZ".into(),
            format: "watchlist-csv".into(),
            sources: Vec::new(),
            published: None,
            fingerprint: String::new(),
            entries,
            notes: Vec::new(),
        })])
    })
}

/// A sanctions-list source in every format Cordon imports; the bytes are
/// also screened as a name against a small list.
pub fn lists(data: &[u8]) {
    let file = |name: &str| ListFile { path: name.into(), bytes: data.to_vec() };
    let _ = import::un::parse(&file("un.xml"));
    let _ = import::ofac_xml::parse(&file("sdn.xml"));
    let _ = import::ofac_csv::parse(&[file("sdn.csv")]);
    let _ = import::ofac_csv::parse(&[file("sdn.csv"), file("alt.csv"), file("add.csv"), file("sdn_comments.csv")]);
    let _ = import::ftm::parse(&[file("x.ftm.json")]);
    let _ = import::watchlist::parse(&file("w.csv"));
    let name = String::from_utf8_lossy(data);
    let q = crate::screen::Query {
        name: name.chars().take(4096).collect(),
        threshold: crate::values::Decimal::new(5, 1),
        limit: 5,
        ..crate::screen::Query::default()
    };
    let _ = screener().screen(&q);
}

/// A record the shipped DPRK pack blocks, and the field a disguise works on.
struct Blocked {
    what: &'static str,
    record: &'static str,
    /// The free-text field disguised letter by letter (a name or a description).
    text_field: &'static str,
}

/// One of each kind of block: goods by HS code, a designated party, a
/// designated vessel, keyword rules on the description, a quantity cap.
const BLOCKED: [Blocked; 6] = [
    Blocked {
        what: "DPRK coal",
        record: r#"{"id":"D1","date":"2018-03-01","origin":"KP","destination":"CN","hs_code":"2701.12","seller":"Kumsan Trading","buyer":"Dalian Coal Co","seller_country":"KP","buyer_country":"CN","route":"KP;CN","description":"Anthracite coal","quantity":"1000","unit":"t","value":"90000.00","currency":"USD"}"#,
        text_field: "description",
    },
    Blocked {
        what: "a designated seller",
        record: r#"{"id":"D2","date":"2018-03-01","origin":"CN","destination":"JP","hs_code":"9503.00","seller":"KOREA MINING DEVELOPMENT TRADING CORPORATION","buyer":"Beta KK","seller_country":"CN","buyer_country":"JP","route":"CN;JP","description":"Toys","quantity":"10","unit":"u","value":"100","currency":"USD"}"#,
        text_field: "seller",
    },
    Blocked {
        what: "aviation fuel to the DPRK",
        record: r#"{"id":"D3","date":"2016-06-01","origin":"CN","destination":"KP","hs_code":"2710.19","seller":"Acme Oil","buyer":"Beta Trading","seller_country":"CN","buyer_country":"KP","route":"CN;KP","description":"Jet fuel","quantity":"100","unit":"t","value":"50000","currency":"USD"}"#,
        text_field: "description",
    },
    Blocked {
        what: "military aircraft to the DPRK",
        record: r#"{"id":"D4","date":"2016-06-01","origin":"CN","destination":"KP","hs_code":"8802.30","seller":"Acme Aero","buyer":"Beta Trading","seller_country":"CN","buyer_country":"KP","route":"CN;KP","description":"Military transport aircraft","quantity":"1","unit":"u","value":"5000000","currency":"USD"}"#,
        text_field: "description",
    },
    Blocked {
        what: "refined petroleum over the cap",
        record: r#"{"id":"D5","date":"2018-03-01","origin":"CN","destination":"KP","hs_code":"2710.19","seller":"Acme Oil","buyer":"Beta Trading","seller_country":"CN","buyer_country":"KP","route":"CN;KP","description":"Diesel fuel","quantity":"600000","unit":"bbl","value":"1000000","currency":"USD"}"#,
        text_field: "description",
    },
    Blocked {
        what: "rice moved ship to ship under a DPRK flag",
        record: r#"{"id":"D6","date":"2018-03-01","origin":"CN","destination":"CN","hs_code":"1006.30","seller":"Acme","buyer":"Beta","seller_country":"CN","buyer_country":"CN","route":"CN","vessel_flag":"KP","description":"Rice, ship-to-ship transfer","quantity":"100","unit":"t","value":"50000","currency":"USD"}"#,
        text_field: "description",
    },
];

/// Characters a reader does not see.
const INVISIBLE: [char; 10] = [
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{00AD}',
    '\u{180E}',
    '\u{034F}',
    '\u{FE0F}',
    '\u{E0041}',
];

/// Cyrillic and Greek letters that look like Latin ones, by the Latin letter.
fn look_alike(c: char, pick: u8) -> Option<char> {
    let options: &[char] = match c.to_ascii_lowercase() {
        'a' => &['а', 'α'],
        'c' => &['с'],
        'e' => &['е', 'ε'],
        'i' => &['і', 'ι'],
        'j' => &['ј'],
        'k' => &['κ'],
        'o' => &['о', 'ο'],
        'p' => &['р', 'ρ'],
        's' => &['ѕ'],
        't' => &['τ'],
        'x' => &['х', 'χ'],
        'y' => &['у'],
        _ => return None,
    };
    let l = options[usize::from(pick) % options.len()];
    Some(if c.is_ascii_uppercase() { l.to_uppercase().next().unwrap_or(l) } else { l })
}

/// The DPRK pack as shipped, loaded once.
fn dprk_pack() -> Option<&'static crate::Engine> {
    static PACK: OnceLock<Option<crate::Engine>> = OnceLock::new();
    PACK.get_or_init(|| crate::Engine::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")).ok()).as_ref()
}

/// Disguises a record the shipped DPRK pack blocks, as a counterparty
/// would, by the bytes' instructions — invisible characters and look-alike
/// letters inside words, case, other spaces and dashes between words,
/// full-width letters, other layouts of the HS code, the quantity and the
/// country codes — and asserts the disguised record is never passed (it may
/// be blocked, reviewed or invalid). Red team C1, C5, C7, M2.
pub fn disguise(data: &[u8]) {
    let Some(engine) = dprk_pack() else { panic!("the shipped rules do not load") };
    let Some((&pick, ops)) = data.split_first() else { return };
    let base = &BLOCKED[usize::from(pick) % BLOCKED.len()];
    let Ok(serde_json::Value::Object(mut rec)) = serde_json::from_str::<serde_json::Value>(base.record) else {
        panic!("the base record is JSON")
    };
    let layout = crate::records::Layout::for_json(
        0,
        "disguise",
        Arc::clone(&engine.rules().schema),
        Arc::new(InputConfig::standard()),
    );
    let decide = |rec: &serde_json::Map<String, serde_json::Value>| {
        let text = serde_json::to_vec(rec).unwrap_or_default();
        layout.parse(&Raw::Json { line: 1, text }).ok().map(|r| engine.evaluate_alone(&r).decision)
    };
    assert_eq!(decide(&rec), Some(crate::findings::Decision::Block), "{} is blocked undisguised", base.what);
    let field = |rec: &serde_json::Map<String, serde_json::Value>, k: &str| {
        rec.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string()
    };
    for op in ops.chunks(3).take(12) {
        let [op, a, b] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0)];
        let text = field(&rec, base.text_field);
        let chars: Vec<char> = text.chars().collect();
        let at = usize::from(a) % chars.len().max(1);
        let letters: Vec<usize> = (0..chars.len()).filter(|i| chars[*i].is_ascii_alphabetic()).collect();
        let spaces: Vec<usize> = (0..chars.len()).filter(|i| chars[*i] == ' ').collect();
        let mut out = chars.clone();
        match op % 9 {
            // An invisible character anywhere.
            0 => out.insert(at, INVISIBLE[usize::from(b) % INVISIBLE.len()]),
            // A letter replaced by a look-alike.
            1 => {
                if let Some(&i) = letters.get(usize::from(b) % letters.len().max(1)) {
                    out[i] = look_alike(chars[i], a).unwrap_or(chars[i]);
                }
            }
            // A letter's case.
            2 => {
                if let Some(&i) = letters.get(usize::from(b) % letters.len().max(1)) {
                    let c = chars[i];
                    out[i] = if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
                }
            }
            // A space written otherwise.
            3 => {
                if let Some(&i) = spaces.get(usize::from(b) % spaces.len().max(1)) {
                    let other = ["\u{00A0}", "  ", "\u{202F}", "\u{3000}", "-", "\u{2011}", "\u{2013}", " \u{200B}"];
                    out.splice(i..=i, other[usize::from(a) % other.len()].chars());
                }
            }
            // A letter full-width.
            4 => {
                if let Some(&i) = letters.get(usize::from(b) % letters.len().max(1)) {
                    out[i] = char::from_u32(chars[i] as u32 - 0x21 + 0xFF01).unwrap_or(chars[i]);
                }
            }
            // The HS code laid out otherwise.
            5 => {
                let hs = field(&rec, "hs_code").replace('.', "");
                let laid = match a % 4 {
                    0 => hs.clone(),
                    1 => format!("{} {}", &hs[..4], &hs[4..]),
                    2 => format!("{}.{}.00", &hs[..4], &hs[4..]),
                    _ => format!(" {}.{} ", &hs[..4], &hs[4..]),
                };
                rec.insert("hs_code".into(), laid.into());
                continue;
            }
            // The quantity grouped, or written with its unit.
            6 => {
                let q = field(&rec, "quantity");
                let grouped = q
                    .as_bytes()
                    .rchunks(3)
                    .rev()
                    .map(|g| std::str::from_utf8(g).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join([",", " ", "'"][usize::from(a) % 3]);
                if b % 2 == 0 {
                    rec.insert("quantity".into(), grouped.into());
                } else {
                    let unit = field(&rec, "unit");
                    rec.insert("quantity".into(), format!("{q} {unit}").into());
                    rec.remove("unit");
                }
                continue;
            }
            // A country code in lower case or padded.
            7 => {
                for k in ["origin", "destination", "vessel_flag", "seller_country", "buyer_country"] {
                    let v = field(&rec, k);
                    if v == "KP" {
                        let w = if a % 2 == 0 { "kp".to_string() } else { format!(" {v} ") };
                        rec.insert(k.into(), w.into());
                    }
                }
                continue;
            }
            // The whole text in another case.
            _ => {
                out = if a % 2 == 0 { text.to_lowercase() } else { text.to_uppercase() }.chars().collect();
            }
        }
        rec.insert(base.text_field.into(), out.into_iter().collect::<String>().into());
    }
    if let Some(d) = decide(&rec) {
        assert_ne!(
            d,
            crate::findings::Decision::Pass,
            "{} disguised as {} is passed",
            base.what,
            serde_json::Value::Object(rec.clone())
        );
    }
}
