//! The report's committee and criteria pages (issue 19, items 5, 6 and 8):
//! the conclusion and scope box, records by category and year with their
//! values, the sign-off, the criteria page, the limitations and the
//! appendix of rule logic, sets and constants. Laid out with the same
//! composer as the rest of the report ([`super::compose`]).

use super::compose::{body, bullet, count, figure_title, n};
use super::fonts::Style;
use super::layout::{Align, Cell, Column, Composer, LEFT, Para, Rgb, WIDTH, colour};
use super::model::Report;
use super::outcomes::{Values, amounts};

/// The conclusion, at the head of the executive summary.
pub fn conclusion(c: &mut Composer, r: &Report) {
    figure_title(c, "Conclusion");
    let p = Para::new(&r.outcomes.conclusion, Style::Regular, 9.5, colour::TEXT);
    let h = c.paragraph_height(&p, WIDTH - 6.0) + 4.0;
    c.ensure(h);
    let top = c.y;
    c.rect(LEFT, top, WIDTH, h, colour::SHADE);
    c.rect(LEFT, top, 1.1, h, colour::NAVY);
    c.y = top + 2.0;
    c.paragraph_in(p, LEFT + 4.0, WIDTH - 6.0, Align::Left);
    c.y = top + h + 3.0;
}

/// What the run tested and what it did not: from the pack, the lists and
/// the fields actually screened.
pub fn scope(c: &mut Composer, r: &Report) {
    figure_title(c, "Scope and exclusions");
    let regimes: Vec<String> = r
        .regimes
        .iter()
        .map(|g| if g.title.is_empty() { g.name.clone() } else { format!("{} ({})", g.title, g.name) })
        .collect();
    let mut inside = vec![format!("Regimes: {}.", regimes.join("; "))];
    inside.extend(r.criteria.pack.covers.iter().map(|x| format!("Instruments: {x}.")));
    for l in &r.screening.lists {
        let programmes = if l.programmes.is_empty() {
            "every entry".to_string()
        } else {
            format!("programme {} only", l.programmes.join(", "))
        };
        let fields: Vec<String> =
            r.screening.coverage.iter().filter(|v| v.list == l.name).flat_map(|v| v.by_field.keys().cloned()).collect();
        inside.push(format!(
            "List {}: {programmes} ({} of {} entries), screening {}.",
            l.name,
            n(l.entries_screened as u64),
            n(l.entries as u64),
            if fields.is_empty() { "no field of these records".to_string() } else { fields.join(", ") }
        ));
    }
    for line in &inside {
        bullet(c, line, colour::PASS);
    }
    let mut outside: Vec<String> = r.criteria.pack.excludes.iter().map(|x| format!("Not tested: {x}.")).collect();
    let absent: Vec<String> = r
        .data_quality
        .missing_columns
        .iter()
        .map(|m| m.field.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !absent.is_empty() {
        outside.push(format!("Not in the inputs (no column): {}.", absent.join(", ")));
    }
    if outside.is_empty() {
        outside.push(
            "The rule pack states no exclusions (`excludes:` in its cordon.yaml): ask its owner what it leaves out."
                .into(),
        );
    }
    for line in &outside {
        bullet(c, line, colour::BLOCK);
    }
    c.y += 2.0;
}

fn values_cell(v: &Values) -> Cell {
    let mut text = amounts(v);
    if text.is_empty() {
        text = "—".into();
    }
    let mut paras = vec![Para::new(text, Style::Regular, 7.0, colour::TEXT)];
    if v.not_read > 0 {
        paras.push(Para::new(format!("{} without a value", n(v.not_read)), Style::Regular, 6.3, colour::REVIEW));
    }
    Cell::Text(paras)
}

/// Records by category (the first tag of the rule that decided them) and
/// by year, with the value of those decided block.
pub fn categories_and_years(c: &mut Composer, r: &Report) {
    let o = &r.outcomes;
    let block = if o.look_back { "Potential breaches" } else { "Block" };
    if !o.by_category.is_empty() {
        figure_title(c, "Records flagged, by category");
        c.paragraph(Para::new(
            "The category is the first tag of the most severe rule that decided the record (section 3). Values are the records' own, summed exactly per currency.",
            Style::Regular,
            7.5,
            colour::MUTED,
        ));
        let cols = [
            Column { width: 50.0, align: Align::Left },
            Column { width: 26.0, align: Align::Right },
            Column { width: 22.0, align: Align::Right },
            Column { width: 82.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = o
            .by_category
            .iter()
            .map(|k| {
                vec![
                    Cell::text(k.category.replace('-', " "), Style::Bold, 7.3),
                    Cell::text(n(k.block), Style::Regular, 7.3),
                    Cell::text(n(k.review), Style::Regular, 7.3),
                    values_cell(&k.block_values),
                ]
            })
            .collect();
        c.table(&cols, &["Category", block, "Review", &format!("Value of the {}", block.to_lowercase())], &rows);
    }
    if !o.by_year.is_empty() {
        figure_title(c, "Records by year of transaction");
        let cols = [
            Column { width: 20.0, align: Align::Left },
            Column { width: 24.0, align: Align::Right },
            Column { width: 26.0, align: Align::Right },
            Column { width: 20.0, align: Align::Right },
            Column { width: 24.0, align: Align::Right },
            Column { width: 66.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = o
            .by_year
            .iter()
            .map(|y| {
                vec![
                    Cell::text(y.year.to_string(), Style::Bold, 7.3),
                    Cell::text(n(y.evaluated), Style::Regular, 7.3),
                    Cell::text(n(y.block), Style::Regular, 7.3),
                    Cell::text(n(y.review), Style::Regular, 7.3),
                    Cell::text(n(y.pass), Style::Regular, 7.3),
                    values_cell(&y.block_values),
                ]
            })
            .collect();
        c.table(
            &cols,
            &["Year", "Evaluated", block, "Review", "Pass", &format!("Value of the {}", block.to_lowercase())],
            &rows,
        );
    }
}

/// The sign-off: what the signatures attest, the management assertion, and
/// a line per role; kept on one page with the report id and digest.
pub fn signoff(c: &mut Composer, r: &Report) {
    let (open, items) = r.dispositions.open_items();
    let pack = &r.criteria.pack;
    let pack_name = format!(
        "{}{}",
        pack.name.as_deref().unwrap_or("the rule pack"),
        pack.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
    );
    let lines = [
        format!(
            "Report {} · results digest {} · {} at signing, of {}.",
            r.report_id,
            r.results_digest.get(..16).unwrap_or(&r.results_digest),
            count(open, "open item", "open items"),
            n(items)
        ),
        format!(
            "Responsibility. Management is responsible for the completeness and accuracy of the records given to Cordon, for adopting {pack_name} as the criteria, and for the dispositions in the register. The preparer is responsible for running the command in section 6 on the population in section 4 and for this report agreeing with its JSON and CSV renderings. The reviewer is independent of the preparer and of the dispositions they review."
        ),
        format!(
            "Management's assertion. The inputs fingerprinted on the cover are the complete population of transactions for the period stated; {pack_name} states the restrictions that bind us for the instruments it covers; each disposition recorded reflects our decision, taken with the evidence it cites. The limitations in section 6.2 are accepted."
        ),
        "By signing, the reviewer and approver state that they have reviewed the conclusion, the dispositions (section 1, Dispositions; section 2) and the items still open.".to_string(),
    ];
    let paras: Vec<Para> = lines.iter().map(|t| Para::new(t, Style::Regular, 8.3, colour::TEXT)).collect();
    let text_h: f32 = paras.iter().map(|p| c.paragraph_height(p, WIDTH) + 1.5).sum();
    let roles = [
        ("Prepared by", "compliance analyst"),
        ("Reviewed by", "independent reviewer"),
        ("Approved by", "head of export control (Ausfuhrverantwortliche/r) or equivalent"),
    ];
    c.y += 4.0;
    c.ensure(14.0 + text_h + roles.len() as f32 * 22.0);
    c.heading("1.1  Sign-off", 13.0, 0.0);
    for p in paras {
        c.paragraph(p);
        c.y += 1.5;
    }
    c.y += 3.0;
    for (who, role) in roles {
        let top = c.y;
        c.text(LEFT, top + 4.0, who, (Style::Bold, 9.5, colour::NAVY), Align::Left);
        c.text(LEFT, top + 8.0, role, (Style::Regular, 6.8, colour::MUTED), Align::Left);
        for (i, label) in ["Name", "Signature", "Date and place"].iter().enumerate() {
            let x = LEFT + 42.0 + i as f32 * 46.0;
            c.line(x, top + 12.0, x + 42.0, top + 12.0, 0.5, colour::TEXT);
            c.text(x, top + 15.5, label, (Style::Regular, 7.5, colour::MUTED), Align::Left);
        }
        c.y = top + 21.0;
    }
}

/// The criteria, at the head of section 3: the pack as the law it states.
pub fn criteria(c: &mut Composer, r: &Report) {
    let k = &r.criteria;
    let p = &k.pack;
    let missing = |what: &str| format!("not stated (`{what}:` in the pack's cordon.yaml)");
    let approval = match (&p.approved_by, &p.approved_on) {
        (Some(b), Some(d)) => (format!("{b}, on {d}"), colour::TEXT),
        (Some(b), None) => (format!("{b} (no date stated)"), colour::REVIEW),
        _ => ("none on record: no legal review of these rules is recorded in the pack".to_string(), colour::BLOCK),
    };
    let rows: Vec<(&str, String, Rgb)> = vec![
        ("Rule pack", p.name.clone().unwrap_or_else(|| missing("name")), colour::TEXT),
        ("Version", p.version.clone().unwrap_or_else(|| missing("version")), colour::TEXT),
        ("Released", p.released.clone().unwrap_or_else(|| missing("released")), colour::TEXT),
        ("Law as at", p.law_as_at.clone().unwrap_or_else(|| missing("law_as_at")), colour::TEXT),
        ("Owner", p.owner.clone().unwrap_or_else(|| missing("owner")), colour::TEXT),
        ("Legal approval", approval.0, approval.1),
    ];
    figure_title(c, "The rule pack");
    for (key, v, col) in rows {
        let top = c.y;
        c.text(LEFT, top + 3.4, key, (Style::Bold, 8.5, colour::MUTED), Align::Left);
        c.y = top;
        c.paragraph_in(Para::new(v, Style::Regular, 8.8, col), LEFT + 32.0, WIDTH - 32.0, Align::Left);
        c.y = c.y.max(top + 4.8) + 0.5;
    }
    c.y += 1.0;
    if !p.covers.is_empty() {
        figure_title(c, "Instruments covered");
        for x in &p.covers {
            bullet(c, x, colour::PASS);
        }
    }
    figure_title(c, "Instruments and measures not covered");
    if p.excludes.is_empty() {
        bullet(c, "The pack states none (`excludes:`): what it leaves out is not on record.", colour::BLOCK);
    }
    for x in &p.excludes {
        bullet(c, x, colour::BLOCK);
    }
    let u = &k.unconfirmed;
    figure_title(c, "Citations");
    if u.rules == 0 {
        body(c, "Every rule's citation is stated as confirmed by its authors.");
    } else {
        c.paragraph(Para::new(
            format!(
                "{} of the {} rules ({} of them block) cite a paragraph or annex their authors could not confirm against the official text (marked \"unconfirmed\" in the citation); {} in this report rest on them. Check these citations before relying on those findings: {}.",
                n(u.rules),
                n(r.rules.len() as u64),
                n(u.block_rules),
                count(u.findings, "finding", "findings"),
                u.ids.join(", ")
            ),
            Style::Regular,
            8.5,
            colour::BLOCK,
        ));
    }
    figure_title(c, "Rule tests");
    match &k.tests {
        None => body(c, "The pack's rule tests were not run for this report."),
        Some(t) => {
            let (text, col) = if let Some(e) = &t.error {
                (format!("The pack's rule tests could not be run: {e}"), colour::BLOCK)
            } else {
                let mut s = format!(
                    "The pack's rule tests ({}, SHA-256 {}…) were run for this report: {} of {} passed; {} of the {} rules were made to fire by a test and {} shown a near miss.",
                    count(t.files, "file", "files"),
                    t.sha256.get(..16).unwrap_or_default(),
                    n(t.passed),
                    count(t.tests, "test", "tests"),
                    n(t.rules_fired),
                    n(t.rules),
                    n(t.rules_near_miss)
                );
                if !t.failed.is_empty() {
                    s.push_str(&format!(" Failed: {}.", t.failed.join("; ")));
                }
                (s, if t.passed == t.tests { colour::TEXT } else { colour::BLOCK })
            };
            c.paragraph(Para::new(text, Style::Regular, 8.5, col));
        }
    }
    body(
        c,
        "Appendix A sets out each rule's condition as written, the sets of codes and words it reads (with their data files' fingerprints) and the constants (thresholds, caps).",
    );
    c.y += 3.0;
}

/// Section 6.2: the limitations, in plain words, with the screening quality
/// measured on the pack's benchmark.
pub fn limitations(c: &mut Composer, r: &Report) {
    let l = &r.limitations;
    c.y += 3.0;
    c.heading("6.2  Limitations", 12.0, 30.0);
    body(c, "What this run cannot detect, generated from the rule pack, the lists and the run:");
    c.y += 1.0;
    for s in &l.statements {
        bullet(c, s, colour::REVIEW);
    }
    if !l.screening.is_empty() {
        figure_title(c, "Screening quality, measured for this report");
        if let Some((file, sha)) = &l.benchmark {
            c.paragraph(Para::new(
                format!(
                    "Measured on the pack's labelled benchmark {file} (SHA-256 {}…), held out from tuning, against this run's list snapshots: recall is the share of names of listed entries found with the right entry on top; precision the share of reported matches that were right. A query the benchmark labels for another list counts as a negative here.",
                    sha.get(..16).unwrap_or_default()
                ),
                Style::Regular,
                7.5,
                colour::MUTED,
            ));
        }
        let cols = [
            Column { width: 40.0, align: Align::Left },
            Column { width: 22.0, align: Align::Right },
            Column { width: 30.0, align: Align::Right },
            Column { width: 30.0, align: Align::Right },
            Column { width: 29.0, align: Align::Right },
            Column { width: 29.0, align: Align::Right },
        ];
        let rows: Vec<Vec<Cell>> = l
            .screening
            .iter()
            .map(|m| {
                vec![
                    Cell::text(&m.list, Style::Bold, 7.3),
                    Cell::text(format!("≥ {}", m.threshold), Style::Regular, 7.3),
                    Cell::text(format!("{} of {}", n(m.found), n(m.positives)), Style::Regular, 7.3),
                    Cell::text(format!("{} of {}", n(m.false_alarms), n(m.negatives)), Style::Regular, 7.3),
                    Cell::text(m.recall.clone().unwrap_or_else(|| "—".into()), Style::Bold, 7.3),
                    Cell::text(m.precision.clone().unwrap_or_else(|| "—".into()), Style::Bold, 7.3),
                ]
            })
            .collect();
        c.table(&cols, &["List", "Score", "Found", "False alarms", "Recall", "Precision"], &rows);
    }
}

/// Appendix A: each rule's logic as written, the sets it reads, the constants.
pub fn appendix(c: &mut Composer, r: &Report) {
    let k = &r.criteria;
    c.new_page();
    c.heading("Appendix A  Rule logic, sets and constants", 15.0, 30.0);
    body(
        c,
        "Each rule's condition (`when`) and exemptions (`unless`) as written in the rule files, whose fingerprints are in section 3; then the named sets they read, with up to 60 entries each (the data file holds all, under the fingerprint shown), and the constants.",
    );
    c.y += 2.0;
    let cols = [Column { width: 46.0, align: Align::Left }, Column { width: 134.0, align: Align::Left }];
    let rows: Vec<Vec<Cell>> = k
        .logic
        .iter()
        .map(|l| {
            let mut paras = vec![Para::new(format!("when {}", l.when), Style::Mono, 6.4, colour::TEXT)];
            paras.extend(l.unless.iter().map(|u| Para::new(format!("unless {u}"), Style::Mono, 6.4, colour::MUTED)));
            vec![Cell::text(&l.id, Style::Mono, 6.6), Cell::Text(paras)]
        })
        .collect();
    c.table(&cols, &["Rule", "Condition as written"], &rows);
    if !k.sets.is_empty() {
        c.y += 3.0;
        c.heading("A.1  Sets of codes, words and names", 12.0, 30.0);
        let cols = [
            Column { width: 46.0, align: Align::Left },
            Column { width: 18.0, align: Align::Right },
            Column { width: 116.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = k
            .sets
            .iter()
            .map(|s| {
                let mut name = vec![
                    Para::new(&s.name, Style::Mono, 6.6, colour::TEXT),
                    Para::new(s.kind.clone(), Style::Regular, 6.3, colour::MUTED),
                ];
                if !s.scripts.is_empty() {
                    name.push(Para::new(
                        format!("script: {}", s.scripts.join(", ")),
                        Style::Regular,
                        6.3,
                        colour::MUTED,
                    ));
                }
                let mut entries = vec![Para::new(
                    format!(
                        "{}{}",
                        s.shown.join(" · "),
                        if s.entries as usize > s.shown.len() {
                            format!(" … and {} more", n(s.entries - s.shown.len() as u64))
                        } else {
                            String::new()
                        }
                    ),
                    Style::Regular,
                    6.6,
                    colour::TEXT,
                )];
                if let Some(f) = &s.file {
                    entries.push(Para::new(
                        format!(
                            "from {f}{}",
                            s.sha256.as_deref().map(|h| format!(" · SHA-256 {h}")).unwrap_or_default()
                        ),
                        Style::Mono,
                        5.8,
                        colour::MUTED,
                    ));
                }
                if !s.rules.is_empty() {
                    entries.push(Para::new(
                        format!("read by {}", s.rules.join(", ")),
                        Style::Regular,
                        6.0,
                        colour::MUTED,
                    ));
                }
                vec![Cell::Text(name), Cell::text(n(s.entries), Style::Regular, 7.0), Cell::Text(entries)]
            })
            .collect();
        c.table(&cols, &["Set", "Entries", "Entries as written"], &rows);
    }
    if !k.constants.is_empty() {
        c.y += 3.0;
        c.heading("A.2  Constants", 12.0, 20.0);
        let cols = [Column { width: 110.0, align: Align::Left }, Column { width: 70.0, align: Align::Left }];
        let rows: Vec<Vec<Cell>> = k
            .constants
            .iter()
            .map(|x| vec![Cell::text(&x.text, Style::Mono, 6.8), Cell::text(&x.file, Style::Regular, 6.8)])
            .collect();
        c.table(&cols, &["Constant as written", "Rule file"], &rows);
    }
}
