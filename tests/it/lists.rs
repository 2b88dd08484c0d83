//! Sanctions lists end to end: the shipped snapshots are what their sources
//! give; `cordon lists` imports, shows and compares; `cordon screen` ranks
//! candidates for one name and for a file of names; screening in rules, with
//! listing dates and reviewed clearances; and the errors a rule author or a
//! back office meets.

use std::path::Path;

use cordon::unstable::lists::import::Format;
use cordon::unstable::lists::store;
use cordon::unstable::sources::Store;
use serde_json::Value;

use super::harness::{TempPack, cordon, root, stderr, stdout};

#[test]
fn shipped_snapshots_are_what_their_sources_give() {
    let store = Store::new(root().join("seeds/lists"));
    let cases: [(&str, &str, Option<&str>); 3] = [
        ("UN_SC", "seeds/lists/sources/un-consolidated-2026-02-27.xml", None),
        ("OFAC_SDN", "seeds/lists/sources/ofac-sdn-2024-05-03-with-2025-02-companions", Some("2024-05-03")),
        ("UN_1718_VESSELS", "seeds/lists/un-1718-vessels.csv", Some("2020-06-04")),
    ];
    // Cargo runs tests in the project root: the relative paths the snapshots record.
    assert_eq!(std::env::current_dir().expect("cwd"), root());
    for (name, source, published) in cases {
        let mut snap =
            cordon::unstable::sources::import_list(&[Path::new(source).to_path_buf()], None, name).expect("import");
        if let Some(p) = published {
            snap.published = Some(p.to_string());
        }
        let shipped = std::fs::read(store.path(name)).expect("shipped snapshot");
        assert!(store::to_bytes(&snap) == shipped, "{name} differs from a fresh import of {source}");
    }
}

#[test]
fn import_show_and_diff_from_the_command_line() {
    let tmp = TempPack::new(&[]);
    let dir = tmp.path().join("lists");
    let dir_s = dir.to_str().expect("utf-8");
    let old = "tests/fixtures/lists/un-consolidated-2018-10-29.xml";
    let new = "seeds/lists/sources/un-consolidated-2026-02-27.xml";

    let o = cordon(&["lists", "import", old, "--as", "UN_SC", "--lists", dir_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("imported UN_SC from"), "{}", stderr(&o));
    assert!(stderr(&o).contains("1,093 entries (703 individuals, 390 entities), published 2018-10-29"));

    let again = cordon(&["lists", "import", old, "--as", "UN_SC", "--lists", dir_s]);
    assert!(stderr(&again).contains("already holds this snapshot; nothing changed"), "{}", stderr(&again));

    let o = cordon(&["lists", "import", new, "--as", "UN_SC", "--lists", dir_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("111 added, 201 removed, 635 changed since"), "{}", stderr(&o));
    let kept = dir.join("history").read_dir().expect("history").count();
    assert_eq!(kept, 1, "the replaced snapshot is kept");

    let show = cordon(&["lists", "show", "UN_SC", "--lists", dir_s]);
    let text = stdout(&show);
    assert!(text.starts_with("UN_SC · un-xml · published 2026-02-27"), "{text}");
    assert!(text.contains("earlier     UN_SC@2018-10-29-"), "{text}");

    let entry = cordon(&["lists", "show", "UN_SC", "--entry", "KPe.001", "--lists", dir_s, "--format", "json"]);
    let v: Value = serde_json::from_slice(&entry.stdout).expect("json");
    assert_eq!(v["names"][4]["text"], "KOMID");
    assert_eq!(v["entry_hash"].as_str().map(str::len), Some(16));
    let typo = cordon(&["lists", "show", "UN_SC", "--entry", "KPe.01", "--lists", dir_s]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("no entry `KPe.01`"), "{}", stderr(&typo));

    // Diff the earlier snapshot, by its history name, against the current one.
    let history = dir.join("history").read_dir().expect("history").flatten().next().expect("one").path();
    let earlier = history.file_stem().and_then(|s| s.to_str()).expect("name").to_string();
    let d = cordon(&["lists", "diff", &earlier, "UN_SC", "--lists", dir_s, "--format", "json"]);
    let v: Value = serde_json::from_slice(&d.stdout).expect("json");
    assert_eq!(v["added"].as_array().map(Vec::len), Some(111));
    assert_eq!(v["removed"].as_array().map(Vec::len), Some(201));
    let komid =
        v["changed"].as_array().expect("changed").iter().find(|c| c["reference"] == "KPe.008").expect("KPe.008");
    assert!(komid["changes"][0].as_str().unwrap_or("").starts_with("names: + \"Kuryonggang Trading Corporation\""));
    let text = stdout(&cordon(&["lists", "diff", old, new]));
    assert!(text.contains("111 added, 201 removed, 635 changed, 257 unchanged"), "{text}");

    // Bad input: an unknown format, a name that cannot be a file name.
    let notes = tmp.write("notes.txt", "hello\n");
    let bad = cordon(&["lists", "import", notes.to_str().expect("utf-8"), "--as", "X", "--lists", dir_s]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("cannot tell the list format"), "{}", stderr(&bad));
    let bad = cordon(&["lists", "import", old, "--as", "../evil", "--lists", dir_s]);
    assert!(stderr(&bad).contains("`../evil` is not a list name"), "{}", stderr(&bad));
    let truncated = tmp.write("cut.xml", &std::fs::read(root().join(old)).expect("read")[..5000]);
    let bad = cordon(&["lists", "import", truncated.to_str().expect("utf-8"), "--as", "CUT", "--lists", dir_s]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("is malformed"), "{}", stderr(&bad));
}

#[test]
fn the_screening_index_is_stored_at_import_and_rebuilt_when_it_is_not_the_snapshots() {
    let tmp = TempPack::new(&[]);
    let dir = tmp.path().join("lists");
    let dir_s = dir.to_str().expect("utf-8");
    let index = dir.join("UN_SC.index");
    let screen = || {
        let o = cordon(&["screen", "Korea Mining Development Trading Corp", "--lists", dir_s, "--format", "json"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        serde_json::from_slice::<Value>(&o.stdout).expect("json")
    };
    let header =
        |bytes: &[u8]| String::from_utf8_lossy(bytes.split(|b| *b == b'\n').nth(1).unwrap_or(&[])).into_owned();

    let o = cordon(&[
        "lists",
        "import",
        "tests/fixtures/lists/un-consolidated-2018-10-29.xml",
        "--as",
        "UN_SC",
        "--lists",
        dir_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stored = std::fs::read(&index).expect("the import stores the index");
    let snapshot_sha = cordon::unstable::source::sha256_hex(&std::fs::read(dir.join("UN_SC.json")).expect("snapshot"));
    assert!(header(&stored).ends_with(&format!("snapshot sha256:{snapshot_sha}")), "{}", header(&stored));
    let expected = screen();
    assert_eq!(expected["matches"][0]["ref"], "KPe.001", "{expected}");
    assert_eq!(std::fs::read(&index).expect("index"), stored, "a current index is used, not rewritten");

    // A damaged index, or one of another snapshot, is not used: the same
    // answer, and the index is built again and stored.
    let mut damaged = stored.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x55;
    std::fs::write(&index, &damaged).expect("write");
    assert_eq!(screen(), expected);
    assert_eq!(std::fs::read(&index).expect("index"), stored, "rebuilt");
    std::fs::write(&index, b"cordon-list-index\nsomething else\n").expect("write");
    assert_eq!(screen(), expected);
    assert_eq!(std::fs::read(&index).expect("index"), stored, "rebuilt");

    // A new snapshot brings its own index; the lists are still the snapshots.
    let o = cordon(&[
        "lists",
        "import",
        "seeds/lists/sources/un-consolidated-2026-02-27.xml",
        "--as",
        "UN_SC",
        "--lists",
        dir_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let renewed = std::fs::read(&index).expect("index");
    assert_ne!(header(&renewed), header(&stored));
    let show = stdout(&cordon(&["lists", "--lists", dir_s]));
    assert!(!show.contains(".index") && show.contains("UN_SC"), "{show}");
}

#[test]
fn the_watchlist_format_imports_the_vessels_list() {
    let snap = cordon::unstable::sources::import_list(
        &[root().join("seeds/lists/un-1718-vessels.csv")],
        Some(Format::Watchlist),
        "V",
    )
    .expect("import");
    assert_eq!(snap.entries.len(), 59);
    let v53 = snap.entries.iter().find(|e| e.reference == "V53").expect("V53");
    assert_eq!(v53.imo, ["8791667"]);
    assert!(v53.names.iter().any(|n| n.text == "KUMJINGANG3"));
}

#[test]
fn screen_one_name_and_a_file_of_names() {
    let o = cordon(&["screen", "Ким Чен Ын", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "a match exits 1");
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let top = &v["matches"][0];
    assert_eq!((top["list"].as_str(), top["ref"].as_str()), (Some("OFAC_SDN"), Some("20157")));
    assert_eq!(top["matched_name"], "KIM, Jong Un");
    assert!(top["score"].as_f64().is_some_and(|s| s >= 0.88), "{top}");
    assert!(top["reason"].as_str().unwrap_or("").starts_with("matched kim"), "{top}");

    let o = cordon(&["screen", "Pacific Harmony Logistics Ltd"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("no match"));

    let o = cordon(&["screen", "--imo", "IMO 9191773"]);
    assert!(stdout(&o).contains("UN_1718_VESSELS V03"), "{}", stdout(&o));

    let tmp = TempPack::new(&[(
        "names.csv",
        "name,type,country,imo\nKorea Mining Development Trading Co Ltd,entity,,\nJohn Smith,individual,GB,\n,,,\nBillions 18,vessel,,\nAnyone,spaceship,,\nX,,,12345\n",
    )]);
    let file = tmp.path().join("names.csv");
    let o = cordon(&["screen", "--input", file.to_str().expect("utf-8")]);
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 6, "one line per row, none lost");
    let refs: Vec<&str> = lines[0]["matches"].as_array().expect("m").iter().filter_map(|m| m["ref"].as_str()).collect();
    assert!(refs.contains(&"KPe.001") && refs.contains(&"9345"), "{refs:?}");
    assert_eq!(lines[1]["matches"].as_array().map(Vec::len), Some(0));
    assert_eq!(lines[2]["error"], "`name` is empty (and there is no `imo`)");
    assert_eq!(lines[3]["matches"][0]["ref"], "V03");
    assert!(lines[4]["error"].as_str().unwrap_or("").contains("`type` is `spaceship`"));
    assert!(lines[5]["error"].as_str().unwrap_or("").contains("not a seven-digit IMO number"));
    assert_eq!(lines[2]["line"], 4);
    assert!(
        stderr(&o).contains("6 rows read from")
            && stderr(&o).contains("3 screened (2 with a match, 1 without), 3 invalid"),
        "{}",
        stderr(&o)
    );
    let missing = tmp.write("bad.csv", "customer\nACME\n");
    let o = cordon(&["screen", "--input", missing.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("has no `name` column (its columns: customer)"), "{}", stderr(&o));

    // A quote never closed runs to the end of the file: that row is reported
    // with its line, not screened as a name; a quote closed is a name.
    let cut = tmp.write("cut.csv", "name\nKim Jong Un\n\"Pak, Mun Il\"\n\"KOREA MINING, \"\"KOMID\nJohn Smith\n");
    let o = cordon(&["screen", "--input", cut.to_str().expect("utf-8")]);
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&o));
    assert_eq!(lines[1]["matches"][0]["ref"], "23011", "{}", lines[1]);
    assert_eq!(lines[2]["line"], 4);
    assert!(lines[2]["error"].as_str().unwrap_or("").contains("line 4 is never closed"), "{}", lines[2]);
    assert!(stderr(&o).contains("3 rows read") && stderr(&o).contains("1 invalid"), "{}", stderr(&o));
}

/// A pack whose lists directory is `lists/` beside the rules.
fn screening_pack(rules: &str) -> TempPack {
    let pack = TempPack::new(&[("cordon.yaml", "name: t\nlists: lists\n"), ("r.cordon", rules)]);
    std::fs::create_dir_all(pack.path().join("lists")).expect("mkdir");
    std::fs::copy(root().join("seeds/lists/UN_SC.json"), pack.path().join("lists/UN_SC.json")).expect("copy");
    pack
}

const PARTY_RULE: &str = r#"regime R
rule P {
  title: "party"
  cite: "test"
  severity: block
  when: present(buyer) and buyer matches list UN_SC programme "DPRK" as party
  message: "{buyer}"
}
"#;

fn check_json(pack: &TempPack, records: &str, extra: &[&str]) -> Vec<Value> {
    let input = pack.write("in.jsonl", records);
    let rules = pack.path().join("r.cordon");
    let mut args = vec!["check", "--rules", rules.to_str().expect("utf-8"), "--format", "jsonl"];
    args.extend_from_slice(extra);
    args.push(input.to_str().expect("utf-8"));
    let o = cordon(&args);
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json")).collect()
}

#[test]
fn screening_in_rules_with_listing_dates_and_clearances() {
    let pack = screening_pack(PARTY_RULE);
    let rec = |id: &str, date: &str, buyer: &str| {
        format!(
            r#"{{"id":"{id}","date":"{date}","origin":"CN","destination":"HK","hs_code":"8471.30","buyer":"{buyer}"}}"#
        )
    };
    let records = [
        rec("A", "2018-05-01", "Kingly Won International Company Limited"),
        rec("B", "2018-03-29", "Kingly Won International Co., Ltd"),
        rec("C", "2018-05-01", "Choe Sok Ming"),
        rec("D", "2018-05-01", "Pacific Harmony Logistics Ltd"),
    ]
    .join("\n");
    let out = check_json(&pack, &records, &[]);
    assert_eq!(out[0]["decision"], "block");
    let ev = &out[0]["findings"][0]["screening"][0];
    assert_eq!(
        (ev["ref"].as_str(), ev["list"].as_str(), ev["field"].as_str()),
        (Some("KPe.060"), Some("UN_SC"), Some("buyer"))
    );
    assert_eq!(ev["snapshot"].as_str().map(str::len), Some(64));
    // Listed the day after: a review that says so.
    assert_eq!(out[1]["decision"], "review");
    assert!(out[1]["findings"][0]["message"].as_str().unwrap_or("").contains("listed after the transaction"));
    assert_eq!(out[1]["findings"][0]["screening"][0]["listed_after"], true);
    assert_eq!(out[2]["decision"], "block");
    assert_eq!(out[3]["decision"], "pass");

    // Clear C's match: suppressed while the entry is unchanged, listed in the output.
    let hash = out[2]["findings"][0]["screening"][0]["entry_hash"].as_str().expect("hash").to_string();
    let reviewed = pack.write(
        "reviewed.yaml",
        format!(
            "cleared:\n  - name: choe sok ming\n    list: UN_SC\n    ref: KPi.064\n    entry_hash: {hash}\n    reviewer: A. Auditor\n    reason: another person\n    date: 2018-06-01\n"
        ),
    );
    let out = check_json(&pack, &records, &["--reviewed", reviewed.to_str().expect("utf-8")]);
    assert_eq!(out[2]["decision"], "pass");
    assert_eq!(out[2]["suppressed"][0]["ref"], "KPi.064");
    assert_eq!(out[2]["suppressed"][0]["reviewer"], "A. Auditor");
    assert_eq!(out[0]["decision"], "block", "other matches are untouched");

    // The entry changed since the review: the match is back, and says why.
    let stale = pack.write(
        "stale.yaml",
        "cleared:\n  - name: choe sok ming\n    list: UN_SC\n    ref: KPi.064\n    entry_hash: 0000000000000000\n    reviewer: A. Auditor\n    reason: another person\n    date: 2018-06-01\n",
    );
    let out = check_json(&pack, &records, &["--reviewed", stale.to_str().expect("utf-8")]);
    assert_eq!(out[2]["decision"], "block");
    assert!(out[2]["findings"][0]["screening"][0]["clearance_outdated"].as_str().unwrap_or("").contains("has changed"));

    // A reviewed-matches file that is wrong says where.
    let bad = pack.write("bad.yaml", "cleared:\n  - name: x\n    list: UN_SC\n    ref: KPi.064\n    entry_hash: a\n    reviewer: \"\"\n    reason: r\n    date: 2018-06-01\n");
    let rules = pack.path().join("r.cordon");
    let o = cordon(&[
        "check",
        "--rules",
        rules.to_str().expect("utf-8"),
        "--reviewed",
        bad.to_str().expect("utf-8"),
        "x.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cleared match 1 (line 2) has an empty `reviewer`"), "{}", stderr(&o));
}

/// A name with a word too long to screen fully (400,000 letters, or dotted
/// letters that join into one) is answered at once and never passes
/// silently: `check` reviews the party rule with a note, `screen` notes it
/// and exits 1 (red team H4).
#[test]
fn a_name_with_a_word_too_long_to_screen_fully_goes_to_review() {
    let pack = screening_pack(PARTY_RULE);
    let rec = |id: &str, buyer: &str| {
        format!(
            r#"{{"id":"{id}","date":"2018-05-01","origin":"CN","destination":"HK","hs_code":"8471.30","buyer":"{buyer}"}}"#
        )
    };
    let dotted = "T.A.N.C.H.O.N.".repeat(20_000);
    let records =
        [rec("L", &"K".repeat(400_000)), rec("D", &dotted), rec("P", "Pacific Harmony Logistics Ltd")].join("\n");
    let started = std::time::Instant::now();
    let out = check_json(&pack, &records, &[]);
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    for r in &out[..2] {
        assert_eq!(r["decision"], "review", "{}", r["id"]);
        let f = &r["findings"][0];
        assert_eq!(f["rule"], "P");
        assert!(f.to_string().contains("a screened name has a word over 64 letters"), "{f}");
    }
    assert_eq!(out[2]["decision"], "pass");

    let names = pack.write("names.csv", format!("name\n{}\nKim Jong Un\n", "K".repeat(400_000)));
    let lists = pack.path().join("lists");
    let o = cordon(&["screen", "--lists", lists.to_str().expect("utf-8"), "--input", names.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    let note = lines[0]["note"].as_str().unwrap_or("");
    assert!(note.contains("a word of 400000 letters") && note.contains("review it by hand"), "{note}");
    assert!(lines[1].get("note").is_none(), "{}", lines[1]);
    assert!(stderr(&o).contains("1 not screened fully"), "{}", stderr(&o));
    let o = cordon(&["screen", "--lists", lists.to_str().expect("utf-8"), &"Q".repeat(100_000)]);
    assert_eq!(o.status.code(), Some(1), "not a pass: {}", stdout(&o));
    assert!(stdout(&o).contains("note: the name has a word of 100000 letters"), "{}", stdout(&o));
}

#[test]
fn screening_errors_in_rules_name_the_place() {
    let cases = [
        ("buyer matches list NOPE", "unknown list `NOPE`", "lists here: UN_SC"),
        (
            "buyer matches list UN_SC programme \"DPKR\"",
            "no entry of `UN_SC` is listed under programme `DPKR`",
            "did you mean `DPRK`?",
        ),
        ("buyer matches list UN_SC as partie", "unknown entry kind `partie`", "did you mean `party`?"),
        ("buyer matches list UN_SC score >= 1.5", "a screening score is a number from 0 to 1, not `1.5`", ""),
        (
            "quantity matches list UN_SC",
            "`matches list` screens a name or an IMO number, but `quantity` is a number",
            "",
        ),
        ("vessel_imo matches list UN_SC as party", "an IMO number identifies a vessel", "write `as vessel`"),
    ];
    for (when, message, help) in cases {
        let pack = screening_pack(&format!(
            "regime R\nrule P {{\n  title: \"t\"\n  cite: \"c\"\n  severity: block\n  when: {when}\n  message: \"m\"\n}}\n"
        ));
        let o = cordon(&["validate", "--rules", pack.path().to_str().expect("utf-8"), "--error-format", "plain"]);
        assert_eq!(o.status.code(), Some(2), "{when}");
        let err = stderr(&o);
        assert!(err.contains("r.cordon:6:"), "{when}: {err}");
        assert!(err.contains(message), "{when}: {err}");
        assert!(err.contains(help), "{when}: {err}");
    }
}

/// A source that yields no entries (tags in lower case, say), or far fewer
/// than the snapshot it would replace, is refused unless forced: otherwise
/// it would replace the list and every screen would say "no match" (red
/// team H6).
#[test]
fn an_import_that_empties_or_shrinks_the_list_is_refused_unless_forced() {
    let tmp = TempPack::new(&[]);
    let dir = tmp.path().join("lists");
    let dir_s = dir.to_str().expect("utf-8");
    let full = "seeds/lists/sources/un-consolidated-2026-02-27.xml";
    assert_eq!(cordon(&["lists", "import", full, "--as", "UN_SC", "--lists", dir_s]).status.code(), Some(0));
    let before = std::fs::read(dir.join("UN_SC.json")).expect("snapshot");
    // The same file with its element names in lower case: nothing is read.
    let text = std::fs::read_to_string(super::harness::root().join(full)).expect("source");
    let lower = tmp.path().join("lower.xml");
    std::fs::write(
        &lower,
        text.replace("<INDIVIDUAL>", "<individual>")
            .replace("</INDIVIDUAL>", "</individual>")
            .replace("<ENTITY>", "<entity>")
            .replace("</ENTITY>", "</entity>"),
    )
    .expect("write");
    let o = cordon(&["lists", "import", lower.to_str().unwrap(), "--as", "UN_SC", "--lists", dir_s]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("yields no entries: the snapshot is not saved"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("UN_SC.json")).expect("snapshot"), before, "the list is unchanged");
    // A tenth of the entries: refused; with --min-ratio 5, or --force, saved.
    let entries: Vec<&str> = text.split("<INDIVIDUAL>").collect();
    let cut = format!(
        "{}<INDIVIDUAL>{}</INDIVIDUALS><ENTITIES></ENTITIES></CONSOLIDATED_LIST>",
        entries[0],
        entries[1..entries.len() / 10].join("<INDIVIDUAL>").split("</INDIVIDUALS>").next().unwrap()
    );
    let short = tmp.path().join("short.xml");
    std::fs::write(&short, cut).expect("write");
    let o = cordon(&["lists", "import", short.to_str().unwrap(), "--as", "UN_SC", "--lists", dir_s]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("fewer than 50% of the"), "{}", stderr(&o));
    let o = cordon(&["lists", "import", short.to_str().unwrap(), "--as", "UN_SC", "--lists", dir_s, "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
