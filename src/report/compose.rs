//! From the report model to laid-out pages: cover, executive summary with
//! its charts, findings, rule inventory, data quality, method and sign-off.

use super::fonts::{PT_TO_MM, Style};
use super::layout::{
    Align, BOTTOM, Cell, Column, Composer, DocInfo, Document, LEFT, Para, RIGHT, Rgb, TOP, WIDTH, colour,
};
use super::model::{FlaggedRecord, Report, RuleEntry, Tally};

/// Flagged records the PDF lists at most; the JSON and CSV renderings carry
/// all of them. About 2,500 records make 150–250 pages: past that a PDF stops
/// being read and becomes an archive.
pub const PDF_RECORD_LIMIT: usize = 2500;

fn decision_colour(d: &str) -> Rgb {
    match d {
        "block" => colour::BLOCK,
        "review" => colour::REVIEW,
        "pass" => colour::PASS,
        _ => colour::INVALID,
    }
}

pub(super) fn n(v: u64) -> String {
    crate::values::thousands(v)
}

/// A count with its noun, singular or plural ("1 record", "2 records").
pub(super) fn count(v: u64, one: &str, many: &str) -> String {
    format!("{} {}", n(v), if v == 1 { one } else { many })
}

/// Groups the integer part of a plain decimal for reading ("10200000.00 USD"
/// → "10,200,000.00 USD"); anything else is left as written.
fn grouped(text: &str) -> String {
    let (num, rest) = text.split_once(' ').map_or((text, ""), |(a, b)| (a, b));
    let (int, frac) = num.split_once('.').map_or((num, None), |(a, b)| (a, Some(b)));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(rest);
    }
    out
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0 %".into();
    }
    // Tenths of a percent, rounded half up, in integers.
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{} %", tenths / 10, tenths % 10)
}

/// Lays out a report; at most `limit` flagged records are listed in detail,
/// from those the model holds (build it with [`Keep::All`](super::Keep::All)
/// or [`Keep::First`](super::Keep::First) of at least `limit`).
pub fn compose(r: &Report, limit: usize) -> Document {
    let mut c = Composer::new();
    cover(&mut c, r, limit);
    c.new_page();
    summary(&mut c, r);
    c.new_page();
    findings(&mut c, r, limit);
    c.new_page();
    inventory(&mut c, r);
    // Sections 4 to 6 run on: a section's heading keeps room for what
    // follows it, and no page ends a section nearly empty (auditor row 25).
    quality(&mut c, r);
    screening(&mut c, r);
    not_applied(&mut c, r);
    totals(&mut c, r);
    method(&mut c, r);
    super::sections::appendix(&mut c, r);
    uncovered(&mut c);
    let org = r.organisation.as_deref().map(|o| format!(" · {o}")).unwrap_or_default();
    let info = DocInfo {
        title: format!("{}{}", r.title, org),
        subject: format!("Audit report {} for {}", r.report_id, period_text(r)),
        author: r.organisation.clone().unwrap_or_default(),
        created: r.generated_at.clone(),
        identity: format!(
            "{}|{}|{}|{}",
            r.report_id,
            r.fingerprints.rule_set,
            r.fingerprints.inputs.iter().map(|i| i.sha256.as_str()).collect::<Vec<_>>().join(","),
            r.generated_at
        ),
    };
    c.finish(
        &format!("{}{}", r.title, org),
        &r.report_id,
        &format!("{} · generated {} · Cordon {}", r.report_id, r.generated_at, r.cordon_version),
        info,
    )
}

fn period_text(r: &Report) -> String {
    r.period.map_or_else(|| "all dates in the inputs".to_string(), |p| format!("{} to {}", p.from, p.to))
}

/// The period, and the dates the inputs actually hold: a file's name is
/// not its content.
fn period_with_range(r: &Report) -> String {
    let first = r.population.inputs.iter().filter_map(|i| i.first_date.as_deref()).min();
    let last = r.population.inputs.iter().filter_map(|i| i.last_date.as_deref()).max();
    match (first, last) {
        (Some(a), Some(b)) => format!("{}; the inputs hold records dated {a} to {b}", period_text(r)),
        _ => period_text(r),
    }
}

/// The cover's reconciliation line, and its colour.
fn reconciliation_line(r: &Report) -> (String, Rgb) {
    let rec = &r.population.reconciliation;
    let failed = rec.failures();
    match rec.reconciled() {
        None => (
            "not reconciled to a figure from the source system (none was given: --expect-records, --expect-total, --source-manifest)".into(),
            colour::MUTED,
        ),
        Some(true) => (
            format!(
                "reconciled: yes ({} agree with the source figures; section 4.1)",
                rec.checks.iter().map(|c| c.what.as_str()).collect::<Vec<_>>().join(", ")
            ),
            colour::PASS,
        ),
        Some(false) => (format!("NOT reconciled: {} (section 4.1)", failed.join("; ")), colour::BLOCK),
    }
}

/// The cover's criteria line: the pack, its law-as-at date and approval,
/// and the unconfirmed citations (auditor row 6).
fn criteria_line(r: &Report) -> (String, Rgb) {
    let p = &r.criteria.pack;
    let mut s = format!(
        "{}{}; law as at {}; legal approval: {}",
        p.name.as_deref().unwrap_or("rule pack without a name"),
        p.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
        p.law_as_at.as_deref().unwrap_or("not stated"),
        match (&p.approved_by, &p.approved_on) {
            (Some(b), Some(d)) => format!("{b}, {d}"),
            (Some(b), None) => b.clone(),
            _ => "none on record".to_string(),
        }
    );
    let u = &r.criteria.unconfirmed;
    if u.rules > 0 {
        s.push_str(&format!(
            ". {} of {} rules ({} block) cite a paragraph not confirmed; {} rest on them (section 3)",
            n(u.rules),
            n(r.rules.len() as u64),
            n(u.block_rules),
            count(u.findings, "finding", "findings")
        ));
    }
    let warn = u.rules > 0 || p.approved_by.is_none();
    (s, if warn { colour::BLOCK } else { colour::TEXT })
}

/// The cover's rule-tests line (auditor row 23).
fn tests_line(r: &Report) -> (String, Rgb) {
    match &r.criteria.tests {
        None => ("not run for this report".into(), colour::MUTED),
        Some(t) if t.error.is_some() => ("could not be run (section 3)".into(), colour::BLOCK),
        Some(t) => (
            format!(
                "{} of {} passed; {} of {} rules made to fire (section 3)",
                n(t.passed),
                count(t.tests, "test", "tests"),
                n(t.rules_fired),
                n(t.rules)
            ),
            if t.passed == t.tests && t.rules_fired == t.rules { colour::TEXT } else { colour::BLOCK },
        ),
    }
}

pub(super) fn period_clause(r: &Report) -> String {
    r.period.map_or_else(|| "Across all dates in the inputs".to_string(), |p| format!("From {} to {}", p.from, p.to))
}

fn cover(c: &mut Composer, r: &Report, limit: usize) {
    c.rect(0.0, TOP - 4.0, 210.0, 46.0, colour::NAVY);
    c.text(LEFT, TOP + 12.0, &r.title, (Style::Bold, 22.0, colour::WHITE), Align::Left);
    let regimes: Vec<String> =
        r.regimes.iter().map(|g| if g.title.is_empty() { g.name.clone() } else { g.title.clone() }).collect();
    c.y = TOP + 18.0;
    c.paragraph_in(Para::new(regimes.join("; "), Style::Regular, 10.0, colour::WHITE), LEFT, WIDTH, Align::Left);
    c.text(
        LEFT,
        TOP + 36.0,
        "Checked with Cordon, a compliance rules engine",
        (Style::Regular, 8.5, Rgb(0xc9, 0xd3, 0xe3)),
        Align::Left,
    );
    c.y = TOP + 50.0;
    c.bookmark("Cover");
    let cnt = &r.counts;
    let rows: Vec<(&str, String, Style)> = vec![
        ("Organisation", r.organisation.clone().unwrap_or_else(|| "—".into()), Style::Regular),
        ("Period", period_with_range(r), Style::Regular),
        ("Report id", r.report_id.clone(), Style::Mono),
        (
            "Generated",
            if r.generated_declared {
                format!("{} (UTC), declared to reproduce the report, not read from the clock", r.generated_at)
            } else {
                format!("{} (UTC)", r.generated_at)
            },
            Style::Regular,
        ),
        (
            "Cordon version",
            match &r.build {
                Some(b) => format!(
                    "{} · source commit {} · binary SHA-256 {}",
                    r.cordon_version,
                    b.source_commit.get(..12).map_or(b.source_commit.clone(), |c| format!(
                        "{c}{}",
                        if b.source_commit.ends_with("+modified") { "+modified" } else { "" }
                    )),
                    b.binary_sha256.get(..16).unwrap_or(&b.binary_sha256)
                ),
                None => r.cordon_version.clone(),
            },
            Style::Regular,
        ),
        (
            "Rules",
            format!(
                "{} rules, {} regime{}",
                r.rules.len(),
                r.regimes.len(),
                if r.regimes.len() == 1 { "" } else { "s" }
            ),
            Style::Regular,
        ),
        (
            "Records",
            format!(
                "{} read: {} evaluated, {} invalid{}",
                n(cnt.read),
                n(cnt.evaluated),
                n(cnt.invalid),
                if cnt.excluded_outside_period > 0 {
                    format!(", {} outside the period", n(cnt.excluded_outside_period))
                } else {
                    String::new()
                }
            ),
            Style::Regular,
        ),
        ("Results digest", r.results_digest.clone(), Style::Mono),
        (
            "Decisions",
            format!(
                "{} block · {} review · {} pass",
                n(cnt.decisions.block),
                n(cnt.decisions.review),
                n(cnt.decisions.pass)
            ),
            Style::Regular,
        ),
    ];
    let (population, population_colour) = reconciliation_line(r);
    let (criteria, criteria_colour) = criteria_line(r);
    let (tests, tests_colour) = tests_line(r);
    let strong = |c: Rgb| if c == colour::BLOCK { Style::Bold } else { Style::Regular };
    let rows = rows.into_iter().map(|(k, v, s)| (k, v, s, colour::TEXT)).chain([
        ("Population", population, strong(population_colour), population_colour),
        ("Criteria", criteria, strong(criteria_colour), criteria_colour),
        ("Rule tests", tests, strong(tests_colour), tests_colour),
    ]);
    for (k, v, style, col) in rows {
        let top = c.y;
        c.text(LEFT, top + 3.6, k, (Style::Bold, 9.0, colour::MUTED), Align::Left);
        c.y = top;
        c.paragraph_in(Para::new(v, style, 9.5, col), LEFT + 38.0, WIDTH - 38.0, Align::Left);
        c.y = c.y.max(top + 5.2) + 0.6;
    }
    // A reader of the PDF alone must know at once when it does not list
    // every flagged record (issue 19, item 7), not only on the findings page.
    let total = r.flagged_total();
    if total > limit as u64 {
        c.y += 2.0;
        c.paragraph(Para::new(
            format!(
                "This PDF lists the first {} of the {} records decided block or review (--pdf-limit); the JSON and CSV renderings of this report list all of them.",
                n(limit as u64),
                n(total)
            ),
            Style::Bold,
            9.0,
            colour::BLOCK,
        ));
    }
    c.y += 3.0;
    c.text(LEFT, c.y + 4.0, "Fingerprints (SHA-256)", (Style::Bold, 11.0, colour::NAVY), Align::Left);
    c.y += 7.0;
    c.paragraph(Para::new(
        "Anyone can re-run the command in section 6 on files with these fingerprints and obtain the same report. The fingerprint of each rule, schema and data file is in section 3.",
        Style::Regular,
        8.0,
        colour::MUTED,
    ));
    c.y += 1.0;
    let mut fp_rows: Vec<Vec<Cell>> =
        vec![row_fp("rule pack", "all rule, schema, data and list files", &r.fingerprints.rule_set)];
    for f in r.fingerprints.rule_files.iter().filter(|f| f.kind == "list" || f.kind == "reviewed") {
        fp_rows.push(row_fp(&f.kind, &f.path, &f.sha256));
    }
    for f in &r.fingerprints.inputs {
        fp_rows.push(row_fp("input", &f.path, &f.sha256));
    }
    if let Some(f) = &r.population.source_file {
        fp_rows.push(row_fp("manifest", &f.path, &f.sha256));
    }
    for f in &r.renderings {
        fp_rows.push(row_fp("rendering", &f.path, &f.sha256));
    }
    match &r.fingerprints.config {
        Some(f) => fp_rows.push(row_fp("config", &f.path, &f.sha256)),
        None => fp_rows.push(vec![
            Cell::para("config", Style::Regular, 7.0, colour::MUTED),
            Cell::text("none: columns named as the schema fields", Style::Regular, 7.0),
            Cell::Text(vec![]),
        ]),
    }
    let cols = [
        Column { width: 16.0, align: Align::Left },
        Column { width: 64.0, align: Align::Left },
        Column { width: 100.0, align: Align::Left },
    ];
    c.table(&cols, &["Kind", "File", "SHA-256"], &fp_rows);
}

pub(super) fn row_fp(kind: &str, path: &str, sha: &str) -> Vec<Cell> {
    vec![
        Cell::para(kind, Style::Regular, 7.0, colour::MUTED),
        Cell::text(path, Style::Regular, 7.0),
        Cell::text(sha, Style::Mono, 6.6),
    ]
}

/// A paragraph of body text.
pub(super) fn body(c: &mut Composer, text: impl Into<String>) {
    c.paragraph(Para::new(text, Style::Regular, 9.0, colour::TEXT));
}

fn summary(c: &mut Composer, r: &Report) {
    c.heading("1  Executive summary", 15.0, 30.0);
    super::sections::conclusion(c, r);
    let cnt = &r.counts;
    let flagged = cnt.decisions.block + cnt.decisions.review;
    let regimes: Vec<&str> = r.regimes.iter().map(|g| g.name.as_str()).collect();
    let mut text = format!(
        "{}, {} of {} read were checked against {} ({}). {} and {} review; {} passed.",
        period_clause(r),
        n(cnt.evaluated),
        count(cnt.read, "transaction record", "transaction records"),
        count(r.rules.len() as u64, "rule", "rules"),
        regimes.join(", "),
        if r.outcomes.look_back {
            format!(
                "{} decided block: potential {}, since the transactions took place before this report,",
                count(cnt.decisions.block, "record was", "records were"),
                if cnt.decisions.block == 1 { "breach" } else { "breaches" }
            )
        } else {
            format!("{} blocked", count(cnt.decisions.block, "record was", "records were"))
        },
        count(cnt.decisions.review, "needs", "need"),
        n(cnt.decisions.pass),
    );
    if cnt.invalid > 0 {
        text.push_str(&format!(
            " {} not be read; they are listed in section 4 and were not passed: not assessed, they may hold prohibited trade.",
            count(cnt.invalid, "record could", "records could")
        ));
    }
    if cnt.indeterminate_findings > 0 {
        text.push_str(&format!(
            " {} not be decided for lack of data and {} sent to review (fail closed).",
            count(cnt.indeterminate_findings, "finding could", "findings could"),
            if cnt.indeterminate_findings == 1 { "was" } else { "were" }
        ));
    }
    if cnt.excluded_outside_period > 0 {
        text.push_str(&format!(
            " {} outside the period {} not evaluated.",
            count(cnt.excluded_outside_period, "record dated", "records dated"),
            if cnt.excluded_outside_period == 1 { "was" } else { "were" }
        ));
    }
    if cnt.passed_after_clearance > 0 {
        text.push_str(&format!(
            " {} only because a reviewed clearance suppressed a screening match (section 5).",
            count(cnt.passed_after_clearance, "record passed", "records passed")
        ));
    }
    if cnt.clearances_not_applied > 0 {
        text.push_str(&format!(
            " {} kept for review because {} not apply: changed entry, expiry, dated before the record, another record, or no second approver (section 5).",
            count(cnt.clearances_not_applied, "screening match was", "screening matches were"),
            if cnt.clearances_not_applied == 1 { "its clearance does" } else { "their clearances do" }
        ));
    }
    if !r.summary.not_checked.is_empty() {
        text.push_str(" Some rules or fields could not be checked for some records: see \"Not checked\" below.");
    }
    text.push_str(&format!(
        " In all, {} on {}.",
        count(cnt.findings, "finding", "findings"),
        count(flagged, "record", "records")
    ));
    c.paragraph(Para::new(text, Style::Regular, 9.5, colour::TEXT));
    // Counts that may be doubled must be said where the counts are read.
    let mut doubled = Vec::new();
    let inputs = &r.fingerprints.inputs;
    for (i, f) in inputs.iter().enumerate() {
        if let Some(first) = inputs[..i].iter().find(|g| g.sha256 == f.sha256) {
            doubled.push(format!("{} has the same bytes as {}: its records are counted twice", f.path, first.path));
        }
    }
    let dup = &r.data_quality.duplicate_ids;
    if dup.records > 0 {
        doubled.push(format!(
            "{} an id seen earlier in the run (section 4): the counts above include each time it was read",
            count(dup.records, "record repeats", "records repeat")
        ));
    }
    for d in doubled {
        c.y += 1.0;
        c.paragraph(Para::new(format!("Warning: {d}."), Style::Bold, 9.0, colour::BLOCK));
    }
    c.y += 3.0;
    super::sections::scope(c, r);
    regimes_table(c, r);
    dispositions_table(c, r);
    coverage(c, r);
    not_checked(c, r);
    super::sections::categories_and_years(c, r);
    // Tiles.
    let tiles = [
        ("Read", cnt.read, colour::NAVY),
        ("Evaluated", cnt.evaluated, colour::NAVY),
        ("Invalid", cnt.invalid, colour::INVALID),
        (if r.outcomes.look_back { "Potential breach" } else { "Block" }, cnt.decisions.block, colour::BLOCK),
        ("Review", cnt.decisions.review, colour::REVIEW),
        ("Pass", cnt.decisions.pass, colour::PASS),
    ];
    let tw = (WIDTH - 5.0 * 3.0) / 6.0;
    let top = c.y;
    for (i, (label, v, col)) in tiles.iter().enumerate() {
        let x = LEFT + i as f32 * (tw + 3.0);
        c.rect(x, top, tw, 16.0, colour::SHADE);
        c.rect(x, top, 1.1, 16.0, *col);
        c.text(x + 3.5, top + 8.0, &n(*v), (Style::Bold, 13.0, *col), Align::Left);
        c.text(x + 3.5, top + 13.0, label, (Style::Regular, 7.5, colour::MUTED), Align::Left);
    }
    c.y = top + 21.0;
    decision_bar(c, r);
    // One regime's bar says nothing the tiles do not (auditor row 20).
    if r.regimes.len() > 1 {
        regime_chart(c, r);
    }
    rule_chart(c, r);
    tallies(c, r);
    super::sections::signoff(c, r);
}

/// Each regime: what it is, which records it applied to (its scope), and
/// what it decided on them — its own findings only.
fn regimes_table(c: &mut Composer, r: &Report) {
    if r.regimes.is_empty() {
        return;
    }
    figure_title(c, "Regimes checked");
    let cols = [
        Column { width: 58.0, align: Align::Left },
        Column { width: 60.0, align: Align::Left },
        Column { width: 22.0, align: Align::Right },
        Column { width: 20.0, align: Align::Right },
        Column { width: 20.0, align: Align::Right },
    ];
    let rows: Vec<Vec<Cell>> = r
        .regimes
        .iter()
        .map(|g| {
            let mut name = vec![Para::new(&g.name, Style::Mono, 7.0, colour::TEXT)];
            if !g.title.is_empty() {
                name.push(Para::new(&g.title, Style::Regular, 6.8, colour::MUTED));
            }
            let mut scope = vec![Para::new(
                g.scope.as_deref().map_or("every record".to_string(), |s| format!("applies when {s}")),
                Style::Regular,
                6.8,
                colour::TEXT,
            )];
            scope.push(Para::new(format!("{} rules", n(g.rules)), Style::Regular, 6.3, colour::MUTED));
            let mut applied = vec![Para::new(n(g.applied_to), Style::Bold, 7.3, colour::TEXT)];
            if g.out_of_scope > 0 {
                applied.push(Para::new(format!("{} outside", n(g.out_of_scope)), Style::Regular, 6.3, colour::MUTED));
            }
            if g.scope_undecided > 0 {
                applied.push(Para::new(
                    format!("{} scope undecided", n(g.scope_undecided)),
                    Style::Regular,
                    6.3,
                    colour::REVIEW,
                ));
            }
            vec![
                Cell::Text(name),
                Cell::Text(scope),
                Cell::Text(applied),
                Cell::text(n(g.blocked), Style::Bold, 7.3),
                Cell::text(n(g.reviewed), Style::Regular, 7.3),
            ]
        })
        .collect();
    c.table(&cols, &["Regime", "Scope", "Records it applied to", "Blocked", "Review"], &rows);
    c.y += 2.0;
}

/// What the run could not check, in the executive summary: a reader of the
/// summary alone must not take "not checked" for "checked, clean".
/// What was tested, measured from the run: per list, the records that had
/// something screened and by which field; rules skipped and the records that
/// passed without them.
fn coverage(c: &mut Composer, r: &Report) {
    let cov = &r.screening.coverage;
    if cov.is_empty() && r.counts.passed_with_rules_skipped == 0 {
        return;
    }
    figure_title(c, "What was tested");
    let evaluated = r.counts.evaluated;
    for l in cov {
        let (text, mark) = if l.records_screened == 0 {
            (
                format!(
                    "{}: nothing screened — none of the {} evaluated records had a value to screen against it",
                    l.list,
                    n(evaluated)
                ),
                colour::BLOCK,
            )
        } else {
            let fields: Vec<String> = l.by_field.iter().map(|(f, k)| format!("{f} {}", n(*k))).collect();
            let mut t = format!(
                "{}: {} of {} evaluated records screened ({})",
                l.list,
                n(l.records_screened),
                n(evaluated),
                fields.join(" · ")
            );
            if l.records_not_screened > 0 {
                t.push_str(&format!("; {} had nothing to screen", n(l.records_not_screened)));
            }
            if l.records_out_of_scope > 0 {
                t.push_str(&format!("; {} outside the screening regimes' scope", n(l.records_out_of_scope)));
            }
            (t, if l.records_not_screened > 0 { colour::REVIEW } else { colour::PASS })
        };
        bullet(c, &text, mark);
    }
    let skipped: u64 = r.data_quality.skipped_rules.iter().map(|s| s.records).sum();
    if skipped > 0 {
        bullet(
            c,
            &format!(
                "{} not applied for want of a column declared `skip`; {} passed without them",
                count(skipped, "rule-record pair was", "rule-record pairs were"),
                count(r.counts.passed_with_rules_skipped, "record", "records")
            ),
            colour::BLOCK,
        );
    }
    c.y += 2.0;
}

fn not_checked(c: &mut Composer, r: &Report) {
    if r.summary.not_checked.is_empty() {
        return;
    }
    figure_title(c, "Not checked");
    for line in &r.summary.not_checked {
        bullet(c, line, colour::BLOCK);
    }
    c.y += 2.0;
}

/// A bulleted paragraph.
pub(super) fn bullet(c: &mut Composer, text: &str, mark: Rgb) {
    c.ensure(5.0);
    let top = c.y;
    c.text(LEFT + 1.0, top + 3.2, "•", (Style::Regular, 9.0, mark), Align::Left);
    c.y = top;
    c.paragraph_in(
        Para::new(text.replace('`', ""), Style::Regular, 8.5, colour::TEXT),
        LEFT + 5.0,
        WIDTH - 5.0,
        Align::Left,
    );
    c.y += 1.0;
}

pub(super) fn figure_title(c: &mut Composer, title: &str) {
    c.ensure(12.0);
    c.text(LEFT, c.y + 4.0, title, (Style::Bold, 10.0, colour::NAVY), Align::Left);
    c.y += 7.0;
}

fn decision_bar(c: &mut Composer, r: &Report) {
    let cnt = &r.counts;
    let parts = [
        ("block", cnt.decisions.block),
        ("review", cnt.decisions.review),
        ("pass", cnt.decisions.pass),
        ("invalid", cnt.invalid),
    ];
    let total: u64 = parts.iter().map(|p| p.1).sum();
    figure_title(c, "Figure 1 — Records by decision");
    c.ensure(16.0);
    let top = c.y;
    let mut x = LEFT;
    if total > 0 {
        for (name, v) in parts {
            if v == 0 {
                continue;
            }
            // A visible sliver for small shares.
            let w = ((v as f32 / total as f32) * WIDTH).max(1.2);
            let w = w.min(RIGHT - x);
            c.rect(x, top, w, 6.0, decision_colour(name));
            x += w;
        }
    } else {
        c.rect(LEFT, top, WIDTH, 6.0, colour::SHADE);
    }
    // Legend.
    let mut lx = LEFT;
    let ly = top + 11.0;
    for (name, v) in parts {
        c.rect(lx, ly - 2.6, 2.8, 2.8, decision_colour(name));
        let label = format!("{name} {} ({})", n(v), pct(v, total));
        let w = c.text(lx + 4.0, ly, &label, (Style::Regular, 8.0, colour::TEXT), Align::Left);
        lx += w + 10.0;
    }
    c.y = top + 16.0;
}

fn nice_step(max: u64) -> u64 {
    let raw = (max.max(1) as f64 / 5.0).ceil();
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    (step as u64).max(1)
}

/// One bar of a horizontal bar chart.
struct Bar {
    label: String,
    count: u64,
    colour: Rgb,
}

/// A horizontal bar chart with value gridlines, drawn with vector graphics.
fn bar_chart(c: &mut Composer, title: &str, bars: &[Bar], label_style: Style) {
    let row = 4.6;
    let chart_h = bars.len().max(1) as f32 * row + 10.0;
    c.ensure(chart_h + 12.0);
    figure_title(c, title);
    if bars.is_empty() {
        c.paragraph(Para::new("No finding.", Style::Regular, 9.0, colour::MUTED));
        c.y += 3.0;
        return;
    }
    let label_w = 52.0;
    let x0 = LEFT + label_w;
    let x1 = RIGHT - 12.0;
    let max = bars.iter().map(|t| t.count).max().unwrap_or(1);
    let step = nice_step(max);
    let top_val = max.div_ceil(step).max(1) * step;
    let top = c.y + 4.0;
    let bottom = top + bars.len() as f32 * row;
    let mut v = 0;
    while v <= top_val {
        let x = x0 + (v as f32 / top_val as f32) * (x1 - x0);
        c.line(x, top - 1.0, x, bottom, 0.3, colour::RULE);
        c.text(x, top - 1.8, &n(v), (Style::Regular, 6.0, colour::MUTED), Align::Center);
        v += step;
    }
    for (i, t) in bars.iter().enumerate() {
        let y = top + i as f32 * row;
        c.text(x0 - 2.0, y + row * 0.68, &t.label, (label_style, 6.3, colour::TEXT), Align::Right);
        let w = (t.count as f32 / top_val as f32) * (x1 - x0);
        c.rect(x0, y + 0.8, w.max(0.4), row - 1.6, t.colour);
        c.text(x0 + w + 1.2, y + row * 0.68, &n(t.count), (Style::Bold, 6.3, colour::TEXT), Align::Left);
    }
    c.line(x0, top - 1.0, x0, bottom, 0.6, colour::TEXT);
    c.y = bottom + 3.0;
}

fn rule_chart(c: &mut Composer, r: &Report) {
    const MAX_BARS: usize = 25;
    let title = if r.summary.by_rule.len() > MAX_BARS {
        format!(
            "Figure 3 — Records with a finding, by rule (the {MAX_BARS} with the most, of {} rules with findings)",
            r.summary.by_rule.len()
        )
    } else {
        "Figure 3 — Records with a finding, by rule".to_string()
    };
    let severity = |id: &str| r.rules.iter().find(|x| x.id == id).map_or("review", |x| x.severity.as_str()).to_string();
    let bars: Vec<Bar> = r
        .summary
        .by_rule
        .iter()
        .take(MAX_BARS)
        .map(|t| Bar {
            label: short_title(&t.label, &t.key),
            count: t.count,
            colour: decision_colour(&severity(&t.key)),
        })
        .collect();
    bar_chart(c, &title, &bars, Style::Regular);
    if bars.is_empty() {
        return;
    }
    // Legend.
    let x0 = LEFT + 52.0;
    let ly = c.y + 2.0;
    c.rect(x0, ly - 2.4, 2.6, 2.6, colour::BLOCK);
    let w = c.text(x0 + 3.6, ly, "rule severity block", (Style::Regular, 7.0, colour::MUTED), Align::Left);
    c.rect(x0 + w + 9.0, ly - 2.4, 2.6, 2.6, colour::REVIEW);
    c.text(
        x0 + w + 12.6,
        ly,
        "rule severity review; bars count records with a finding",
        (Style::Regular, 7.0, colour::MUTED),
        Align::Left,
    );
    c.y += 7.0;
}

/// A rule's title cut to fit a chart label, or its id when it has none.
fn short_title(title: &str, id: &str) -> String {
    const MAX: usize = 44;
    if title.is_empty() {
        return id.to_string();
    }
    if title.chars().count() <= MAX {
        return title.to_string();
    }
    let cut: String = title.chars().take(MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

fn regime_chart(c: &mut Composer, r: &Report) {
    let bars: Vec<Bar> = r
        .summary
        .by_regime
        .iter()
        .map(|t| Bar { label: t.key.clone(), count: t.count, colour: colour::NAVY })
        .collect();
    bar_chart(c, "Figure 2 — Findings by regime", &bars, Style::Mono);
    c.y += 2.0;
}

fn tallies(c: &mut Composer, r: &Report) {
    c.ensure(30.0);
    figure_title(c, "Most frequent among flagged records");
    // Three short lists side by side.
    let mut lists: Vec<(&str, &Vec<Tally>, bool)> = vec![
        ("Counterparties", &r.summary.top_counterparties, false),
        ("Destinations", &r.summary.top_destinations, true),
        ("HS chapters", &r.summary.top_hs_chapters, true),
    ];
    // A pack's own key field (the ECCN for export controls) is a dimension too.
    if !r.summary.top_classifications.is_empty() {
        lists.push(("ECCNs", &r.summary.top_classifications, true));
    }
    let k = lists.len() as f32;
    let colw = (WIDTH - (k - 1.0) * 6.0) / k;
    // Measure first, so the three start on one page.
    let mut heights = Vec::new();
    for (_, items, _) in &lists {
        let mut h = 8.0;
        for t in items.iter() {
            h += c.paragraph_height(&Para::new(label_of(t), Style::Regular, 7.5, colour::TEXT), colw - 12.0) + 0.8;
        }
        heights.push(h);
    }
    let need = heights.iter().fold(0.0f32, |a, b| a.max(*b));
    c.ensure(need.min(BOTTOM - TOP));
    let top = c.y;
    let mut bottom = top;
    for (i, (title, items, _)) in lists.iter().enumerate() {
        let x = LEFT + i as f32 * (colw + 6.0);
        c.text(x, top + 3.5, title, (Style::Bold, 8.5, colour::NAVY), Align::Left);
        c.line(x, top + 5.3, x + colw, top + 5.3, 0.4, colour::RULE);
        c.y = top + 6.5;
        if items.is_empty() {
            c.paragraph_in(Para::new("none", Style::Regular, 7.5, colour::MUTED), x, colw, Align::Left);
        }
        for t in items.iter() {
            let y = c.y;
            c.paragraph_in(Para::new(label_of(t), Style::Regular, 7.5, colour::TEXT), x, colw - 12.0, Align::Left);
            c.text(
                x + colw,
                y + 7.5 * 1.3 * PT_TO_MM * 0.78,
                &n(t.count),
                (Style::Bold, 7.5, colour::TEXT),
                Align::Right,
            );
            c.y += 0.8;
        }
        bottom = bottom.max(c.y);
    }
    c.y = bottom + 3.0;
}

fn label_of(t: &Tally) -> String {
    if t.label.is_empty() { t.key.clone() } else { format!("{} {}", t.key, t.label) }
}

fn findings(c: &mut Composer, r: &Report, limit: usize) {
    c.heading("2  Findings", 15.0, 30.0);
    // The model may hold only the first records (as many as are shown).
    let total = usize::try_from(r.flagged_total()).unwrap_or(usize::MAX);
    let mut intro = format!(
        "{} decided block or review. Each row gives the record, its parties and goods, and every rule that hit it, with the rule's citation, the message, and the field values it read (evidence). Block records come first, then review, each in input order.",
        count(total as u64, "record was", "records were")
    );
    if total > limit {
        intro.push_str(&format!(
            " This PDF shows the first {} of the {} records; the JSON and CSV renderings of this report list all of them.",
            n(limit as u64),
            n(total as u64)
        ));
    }
    body(c, intro);
    c.y += 2.0;
    if total == 0 {
        c.paragraph(Para::new("No record was decided block or review.", Style::Regular, 9.0, colour::MUTED));
        return;
    }
    let cols = [
        Column { width: 29.0, align: Align::Left },
        Column { width: 37.0, align: Align::Left },
        Column { width: 35.0, align: Align::Left },
        Column { width: 62.0, align: Align::Left },
        Column { width: 17.0, align: Align::Center },
    ];
    let shown = &r.findings[..r.findings.len().min(limit)];
    // By regime: each regime's findings under its own heading; a record
    // flagged under two regimes appears under each, with that regime's findings.
    for (i, g) in r.regimes.iter().enumerate() {
        let of_regime: Vec<FlaggedRecord> = shown
            .iter()
            .filter(|f| f.findings.iter().any(|x| x.regime == g.name))
            .map(|f| FlaggedRecord {
                findings: f.findings.iter().filter(|x| x.regime == g.name).cloned().collect(),
                ..f.clone()
            })
            .collect();
        if of_regime.is_empty() {
            continue;
        }
        // Kept with the start of its table: a heading never ends a page.
        c.heading(&format!("2.{}  {}", i + 1, g.name), 11.0, 60.0);
        body(
            c,
            format!(
                "{}{}{} flagged under this regime ({} blocked, {} review by its own findings).",
                g.title,
                if g.title.is_empty() { "" } else { ". " },
                count(of_regime.len() as u64, "record", "records"),
                n(g.blocked),
                n(g.reviewed)
            ),
        );
        c.y += 1.0;
        let rows: Vec<Vec<Cell>> = of_regime.iter().map(finding_row).collect();
        c.table(&cols, &["Record", "Parties and route", "Goods and value", "Rules that hit", "Decision"], &rows);
        c.y += 2.0;
    }
}

fn finding_row(f: &FlaggedRecord) -> Vec<Cell> {
    let small = |t: String| Para::new(t, Style::Regular, 6.8, colour::MUTED);
    let body = |t: String| Para::new(t, Style::Regular, 7.3, colour::TEXT);
    let mut record = vec![Para::new(&f.id, Style::Mono, 7.0, colour::TEXT), body(f.date.clone())];
    record.push(small(format!("{}, line {}", short_file(&f.file), f.line)));
    let mut parties = Vec::new();
    let arrow = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} → {b}")),
        (Some(a), None) => Some(format!("{a} →")),
        (None, Some(b)) => Some(format!("→ {b}")),
        (None, None) => None,
    };
    if let Some(p) = arrow(&f.seller, &f.buyer) {
        parties.push(body(p));
    }
    if let Some(p) = arrow(&f.origin, &f.destination) {
        parties.push(small(p));
    }
    if let Some(route) = &f.route {
        parties.push(small(format!("via {route}")));
    }
    if let Some(v) = &f.vessel {
        parties.push(small(format!("vessel {v}")));
    }
    let mut goods = Vec::new();
    if let Some(h) = &f.hs_code {
        goods.push(Para::new(h, Style::Mono, 7.0, colour::TEXT));
    }
    if let Some(e) = &f.classification {
        goods.push(Para::new(format!("ECCN {e}"), Style::Mono, 7.0, colour::TEXT));
    }
    if let Some(d) = &f.description {
        goods.push(body(d.clone()));
    }
    if let Some(q) = &f.quantity {
        goods.push(small(grouped(q)));
    }
    if let Some(v) = &f.value {
        goods.push(Para::new(grouped(v), Style::Regular, 7.3, colour::TEXT));
    }
    if let Some(l) = &f.license {
        goods.push(small(format!("licence {l}")));
    }
    let mut hits = Vec::new();
    for (i, x) in f.findings.iter().enumerate() {
        let head = if x.outcome == "indeterminate" {
            format!("{} · {} · undecided", x.rule, x.severity)
        } else {
            format!("{} · {}", x.rule, x.severity)
        };
        hits.push(Para::new(head, Style::Bold, 7.0, decision_colour(&x.severity)).gap(if i > 0 { 1.6 } else { 0.0 }));
        hits.push(small(x.citation.clone()));
        hits.push(body(x.message.clone()));
        if !x.evidence.is_empty() {
            let ev: Vec<String> = x.evidence.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            hits.push(small(format!("evidence: {}", ev.join(" · "))));
        }
        for m in &x.matches {
            hits.push(small(format!("list entry: {m}")));
        }
        hits.push(disposition_line(x.disposition.as_ref()));
    }
    vec![
        Cell::Text(record),
        Cell::Text(parties),
        Cell::Text(goods),
        Cell::Text(hits),
        Cell::Badge(f.decision.clone(), decision_colour(&f.decision)),
    ]
}

/// A finding's disposition, in one line under it.
fn disposition_line(d: Option<&super::disposition::DispositionView>) -> Para {
    let Some(d) = d else {
        return Para::new("disposition: none recorded (open)", Style::Bold, 6.8, colour::REVIEW);
    };
    let mut text = format!("disposition: {} — {}", d.status.replace('_', " "), d.rationale);
    if let Some(e) = &d.evidence {
        text.push_str(&format!(" (evidence: {e})"));
    }
    text.push_str(&format!("; prepared by {} on {}", d.prepared_by, d.prepared_on));
    if let (Some(by), Some(on)) = (&d.approved_by, &d.approved_on) {
        text.push_str(&format!(", approved by {by} on {on}"));
    }
    if let Some(e) = &d.expires {
        text.push_str(&format!(", until {e}"));
    }
    let holds = d.state == "current";
    if !holds {
        text.push_str(&format!(". DOES NOT HOLD ({}): {}; the item is open", d.state, d.notes.join("; ")));
    }
    let colour = if !holds {
        colour::BLOCK
    } else if super::disposition::closes(&d.status) {
        colour::PASS
    } else {
        colour::REVIEW
    };
    Para::new(text, Style::Bold, 6.8, colour)
}

/// The executive summary's table of items (findings and invalid records)
/// by disposition status, with the oldest item's age.
fn dispositions_table(c: &mut Composer, r: &Report) {
    let d = &r.dispositions;
    figure_title(c, "Dispositions");
    let (open, items) = d.open_items();
    let mut text = match &d.file {
        Some(f) => format!(
            "Management's decision on each finding and invalid record, from the register {f} (SHA-256 {}…): {} of {} open.",
            d.sha256.as_deref().and_then(|h| h.get(..16)).unwrap_or(""),
            n(open),
            count(items, "item is", "items are")
        ),
        None => format!(
            "No disposition register was given (--dispositions): all {} (findings and invalid records) are open.",
            count(items, "item", "items")
        ),
    };
    let not_holding: Vec<String> = d.not_holding.iter().map(|(k, v)| format!("{} {k}", n(*v))).collect();
    if !not_holding.is_empty() {
        text.push_str(&format!(
            " Dispositions that do not hold and leave their item open: {}.",
            not_holding.join(", ")
        ));
    }
    if !d.unmatched.is_empty() {
        text.push_str(&format!(
            " {} in the register match no finding of this report: {}.",
            count(d.unmatched.len() as u64, "disposition", "dispositions"),
            d.unmatched.iter().take(10).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
    c.paragraph(Para::new(text, Style::Regular, 8.5, colour::TEXT));
    let cols = [
        Column { width: 44.0, align: Align::Left },
        Column { width: 26.0, align: Align::Right },
        Column { width: 26.0, align: Align::Right },
        Column { width: 26.0, align: Align::Right },
        Column { width: 58.0, align: Align::Right },
    ];
    let rows: Vec<Vec<Cell>> = d
        .by_status
        .iter()
        .map(|s| {
            let closed = super::disposition::closes(&s.status);
            vec![
                Cell::Text(vec![Para::new(
                    s.status.replace('_', " "),
                    Style::Bold,
                    7.3,
                    if closed { colour::PASS } else { colour::REVIEW },
                )]),
                Cell::text(n(s.block), Style::Regular, 7.3),
                Cell::text(n(s.review), Style::Regular, 7.3),
                Cell::text(n(s.invalid), Style::Regular, 7.3),
                Cell::text(
                    s.oldest_days.map_or("—".into(), |d| format!("{} days", n(d.max(0) as u64))),
                    Style::Regular,
                    7.3,
                ),
            ]
        })
        .collect();
    c.table(
        &cols,
        &["Status", "Block findings", "Review findings", "Invalid records", "Oldest (open: since the record)"],
        &rows,
    );
    c.y += 2.0;
}

pub(super) fn short_file(f: &str) -> String {
    std::path::Path::new(f).file_name().map_or_else(|| f.to_string(), |n| n.to_string_lossy().into_owned())
}

fn inventory(c: &mut Composer, r: &Report) {
    c.heading("3  Criteria and rule inventory", 15.0, 30.0);
    super::sections::criteria(c, r);
    figure_title(c, "Rules in force");
    let zero = r.rules.iter().filter(|x| x.hits == 0).count();
    body(
        c,
        format!(
            "Every rule evaluated, regime by regime, with its legal citation and exemptions, the dates it is in force (the first day, and the first day it no longer applies), how many evaluated records fell in that window, and how many it produced a finding on; each regime with the records it applied to and the data files (annexes, tables, lists of names) its rules read, with their fingerprints.{}",
            match zero {
                0 => String::new(),
                1 => format!(" 1 of the {} rules produced no finding: it was checked all the same.", r.rules.len()),
                z =>
                    format!(" {z} of the {} rules produced no finding: they were checked all the same.", r.rules.len()),
            }
        ),
    );
    c.y += 2.0;
    let cols = [
        Column { width: 52.0, align: Align::Left },
        Column { width: 55.0, align: Align::Left },
        Column { width: 23.0, align: Align::Left },
        Column { width: 16.0, align: Align::Center },
        Column { width: 15.0, align: Align::Right },
        Column { width: 19.0, align: Align::Right },
    ];
    for (i, g) in r.regimes.iter().enumerate() {
        let of_regime: Vec<&RuleEntry> = r.rules.iter().filter(|x| x.regime == g.name).collect();
        if of_regime.is_empty() {
            continue;
        }
        c.heading(&format!("3.{}  {}", i + 1, g.name), 11.0, 60.0);
        let mut about = Vec::new();
        if !g.title.is_empty() {
            about.push(format!("{}.", g.title));
        }
        if !g.authority.is_empty() {
            about.push(format!("Authority: {}.", g.authority));
        }
        about.push(match &g.scope {
            Some(s) => format!(
                "Applies when {s}: {} evaluated records ({} of them with the scope undecided, so checked), {} outside.",
                n(g.applied_to),
                n(g.scope_undecided),
                n(g.out_of_scope)
            ),
            None => format!("Applies to every record: {} evaluated.", n(g.applied_to)),
        });
        if !g.lists.is_empty() {
            about.push(format!("Lists screened: {} (versions in section 5).", g.lists.join(", ")));
        }
        body(c, about.join(" "));
        for d in &g.data {
            let sha = d.sha256.get(..16).unwrap_or(&d.sha256);
            bullet(
                c,
                &format!(
                    "{}: {} ({} {}), SHA-256 {sha}…",
                    d.path,
                    d.sets.join(", "),
                    n(d.entries),
                    if d.entries == 1 { "entry" } else { "entries" }
                ),
                colour::NAVY,
            );
        }
        c.y += 1.0;
        let rows: Vec<Vec<Cell>> = of_regime
            .into_iter()
            .map(|x| {
                let window = match (&x.effective, &x.until) {
                    (Some(e), Some(u)) => format!("{e}\nuntil {u}"),
                    (Some(e), None) => format!("{e}\nopen"),
                    (None, Some(u)) => format!("—\nuntil {u}"),
                    (None, None) => "per list entry".to_string(),
                };
                let mut hits = vec![Para::new(
                    n(x.hits),
                    if x.hits > 0 { Style::Bold } else { Style::Regular },
                    7.3,
                    colour::TEXT,
                )];
                if x.indeterminate > 0 {
                    hits.push(Para::new(
                        format!("{} undecided", n(x.indeterminate)),
                        Style::Regular,
                        6.3,
                        colour::MUTED,
                    ));
                }
                if x.skipped > 0 {
                    hits.push(Para::new(format!("{} not checked", n(x.skipped)), Style::Regular, 6.3, colour::BLOCK));
                }
                let mut rule = vec![
                    Para::new(&x.id, Style::Mono, 6.8, colour::TEXT),
                    Para::new(&x.title, Style::Regular, 7.0, colour::MUTED),
                ];
                if let Some(note) = &x.note {
                    rule.push(Para::new(note, Style::Regular, 6.3, colour::REVIEW));
                }
                let mut citation = vec![Para::new(&x.citation, Style::Regular, 7.0, colour::TEXT)];
                for e in &x.exemptions {
                    let effect = if e.then.is_some() { "lowers to review" } else { "lifts the finding" };
                    let text = match (&e.name, &e.cite) {
                        (Some(name), Some(cite)) => format!("Exemption {name} ({cite}) {effect}"),
                        (Some(name), None) => format!("Exemption {name} {effect}"),
                        (None, _) => format!("Exemption ({}) {effect}", e.condition),
                    };
                    citation.push(Para::new(text, Style::Regular, 6.3, colour::MUTED));
                }
                vec![
                    Cell::Text(rule),
                    Cell::Text(citation),
                    Cell::text(window, Style::Regular, 7.0),
                    Cell::Badge(x.severity.clone(), decision_colour(&x.severity)),
                    Cell::text(n(x.in_force_for), Style::Regular, 7.3),
                    Cell::Text(hits),
                ]
            })
            .collect();
        c.table(&cols, &["Rule", "Citation", "In force", "Severity", "Records in force", "Hits"], &rows);
        c.y += 2.0;
    }
    rule_files(c, r);
}

/// The fingerprint of each file of the rule set (the cover holds the rule
/// set's, the lists' and the inputs').
fn rule_files(c: &mut Composer, r: &Report) {
    c.y += 2.0;
    c.heading("Rule-set files", 11.0, 40.0);
    c.paragraph(Para::new(
        format!(
            "The rule set's fingerprint on the cover ({}…) is over all of these files.",
            r.fingerprints.rule_set.get(..16).unwrap_or_default()
        ),
        Style::Regular,
        8.0,
        colour::MUTED,
    ));
    let rows: Vec<Vec<Cell>> = r.fingerprints.rule_files.iter().map(|f| row_fp(&f.kind, &f.path, &f.sha256)).collect();
    let cols = [
        Column { width: 16.0, align: Align::Left },
        Column { width: 64.0, align: Align::Left },
        Column { width: 100.0, align: Align::Left },
    ];
    c.table(&cols, &["Kind", "File", "SHA-256"], &rows);
}

/// Section 4.1: what the inputs held and whether it reconciles.
fn population(c: &mut Composer, r: &Report) {
    let p = &r.population;
    c.heading("4.1  Population and reconciliation", 11.0, 60.0);
    body(
        c,
        "What each input held, as read: an auditor agrees these counts and totals to the source system. Lines include the header and lines inside quoted fields; records are counted whatever their decision; value totals are exact sums per currency over the records whose value and currency could be read.",
    );
    c.y += 1.0;
    let cols = [
        Column { width: 52.0, align: Align::Left },
        Column { width: 20.0, align: Align::Right },
        Column { width: 16.0, align: Align::Right },
        Column { width: 18.0, align: Align::Right },
        Column { width: 14.0, align: Align::Right },
        Column { width: 30.0, align: Align::Left },
        Column { width: 30.0, align: Align::Left },
    ];
    let rows: Vec<Vec<Cell>> = p
        .inputs
        .iter()
        .map(|i| {
            vec![
                Cell::text(&i.file, Style::Regular, 7.0),
                Cell::text(if i.sha256.is_empty() { "—".into() } else { n(i.bytes) }, Style::Regular, 7.0),
                Cell::text(if i.sha256.is_empty() { "—".into() } else { n(i.lines) }, Style::Regular, 7.0),
                Cell::text(n(i.records), Style::Regular, 7.0),
                Cell::text(n(i.invalid), Style::Regular, 7.0),
                Cell::text(i.first_date.clone().unwrap_or_else(|| "—".into()), Style::Regular, 7.0),
                Cell::text(i.last_date.clone().unwrap_or_else(|| "—".into()), Style::Regular, 7.0),
            ]
        })
        .collect();
    c.table(&cols, &["File", "Bytes", "Lines", "Records", "Invalid", "First date", "Last date"], &rows);
    for i in &p.inputs {
        let mut years: Vec<String> = i.by_year.iter().map(|y| format!("{} {}", y.year, n(y.records))).collect();
        if i.dates_unreadable > 0 {
            years.push(format!("date unreadable {}", n(i.dates_unreadable)));
        }
        let mut text = format!("{} — records per year: {}.", i.file, years.join(" · "));
        let totals: Vec<String> = i
            .totals
            .iter()
            .map(|t| {
                let v = crate::values::parse_decimal(&t.total)
                    .map_or_else(|_| t.total.clone(), |d| crate::values::group_thousands(&d));
                format!("{} {} ({})", t.currency, v, count(t.records, "record", "records"))
            })
            .collect();
        if !totals.is_empty() {
            text.push_str(&format!(" Value totals: {}.", totals.join(" · ")));
        }
        if i.values_not_read > 0 {
            text.push_str(&format!(
                " {} no value and currency that could be read and {} in no total.",
                count(i.values_not_read, "record has", "records have"),
                if i.values_not_read == 1 { "is" } else { "are" }
            ));
        }
        c.paragraph(Para::new(text, Style::Regular, 8.0, colour::TEXT));
        c.y += 1.0;
        let seq: Vec<Vec<Cell>> = i
            .id_sequences
            .iter()
            .filter(|s| s.ids > 1)
            .map(|s| {
                let missing = match s.missing {
                    Some(0) => "none".to_string(),
                    Some(m) => n(m),
                    None => "not a sequence".to_string(),
                };
                let gaps = if s.gaps.is_empty() {
                    String::new()
                } else {
                    let more = s.missing.unwrap_or(0) > s.gaps.len() as u64;
                    format!("{}{}", s.gaps.join(", "), if more { ", …" } else { "" })
                };
                vec![
                    Cell::text(&s.first, Style::Mono, 6.6),
                    Cell::text(&s.last, Style::Mono, 6.6),
                    Cell::text(n(s.ids), Style::Regular, 7.0),
                    Cell::text(missing, Style::Regular, 7.0),
                    Cell::text(gaps, Style::Mono, 6.6),
                ]
            })
            .collect();
        if !seq.is_empty() {
            let cols = [
                Column { width: 34.0, align: Align::Left },
                Column { width: 34.0, align: Align::Left },
                Column { width: 16.0, align: Align::Right },
                Column { width: 22.0, align: Align::Right },
                Column { width: 74.0, align: Align::Left },
            ];
            c.table(&cols, &["First id", "Last id", "Ids", "Missing", "Gaps"], &seq);
        }
        if i.ids_outside_sequences > 0 {
            c.paragraph(Para::new(
                format!(
                    "{} no id of a prefix and a number.",
                    count(i.ids_outside_sequences, "record has", "records have")
                ),
                Style::Regular,
                8.0,
                colour::MUTED,
            ));
        }
        c.y += 1.0;
    }
    if let Some(o) = &p.outside_stated_period {
        let by = if o.stated_by == "manifest" { "the source manifest" } else { "--period" };
        let what = if o.evaluated { "evaluated all the same" } else { "not evaluated" };
        c.paragraph(Para::new(
            format!(
                "{} dated outside the period {} to {} stated by {by} ({what}){}",
                count(o.records, "record is", "records are"),
                o.period.from,
                o.period.to,
                if o.records == 0 { "." } else { ":" }
            ),
            if o.records > 0 && o.evaluated { Style::Bold } else { Style::Regular },
            8.5,
            if o.records > 0 && o.evaluated { colour::BLOCK } else { colour::TEXT },
        ));
        let shown = 20usize.min(o.listed.len());
        if shown > 0 {
            let cols = [
                Column { width: 70.0, align: Align::Left },
                Column { width: 16.0, align: Align::Right },
                Column { width: 50.0, align: Align::Left },
                Column { width: 44.0, align: Align::Left },
            ];
            let rows: Vec<Vec<Cell>> = o.listed[..shown]
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.file, Style::Regular, 7.0),
                        Cell::text(d.line.to_string(), Style::Regular, 7.0),
                        Cell::text(d.id.clone().unwrap_or_else(|| "—".into()), Style::Mono, 6.6),
                        Cell::text(&d.date, Style::Regular, 7.0),
                    ]
                })
                .collect();
            c.table(&cols, &["File", "Line", "Record", "Date"], &rows);
            if o.records > shown as u64 {
                c.paragraph(Para::new(
                    format!(
                        "The first {shown} are listed here; the JSON rendering lists up to {}.",
                        super::population::OUTSIDE_PERIOD_LISTED
                    ),
                    Style::Regular,
                    8.0,
                    colour::MUTED,
                ));
            }
        }
        c.y += 1.0;
    }
    figure_title(c, "Reconciliation");
    if let Some(m) = &p.source {
        let mut parts = Vec::new();
        for (k, v) in [
            ("system", &m.system),
            ("query", &m.query),
            ("extracted by", &m.extracted_by),
            ("extracted at", &m.extracted_at),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}: {v}"));
            }
        }
        let file = p.source_file.as_ref().map_or(String::new(), |f| format!(" ({})", f.path));
        c.paragraph(Para::new(
            format!(
                "Source manifest{file}: {}.",
                if parts.is_empty() { "no details".into() } else { parts.join("; ") }
            ),
            Style::Regular,
            8.5,
            colour::TEXT,
        ));
    }
    let rec = &p.reconciliation;
    if rec.checks.is_empty() {
        c.paragraph(Para::new(
            "No figure from the source system was given, so completeness is not reconciled here: give --expect-records, --expect-total or --source-manifest to have it checked.",
            Style::Regular,
            8.5,
            colour::MUTED,
        ));
    } else {
        let cols = [
            Column { width: 24.0, align: Align::Left },
            Column { width: 52.0, align: Align::Left },
            Column { width: 40.0, align: Align::Left },
            Column { width: 14.0, align: Align::Left },
            Column { width: 50.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = rec
            .checks
            .iter()
            .map(|k| {
                vec![
                    Cell::text(&k.what, Style::Regular, 7.0),
                    Cell::text(&k.expected, Style::Regular, 7.0),
                    Cell::text(&k.found, Style::Regular, 7.0),
                    Cell::Text(vec![Para::new(
                        if k.agrees { "yes" } else { "NO" },
                        Style::Bold,
                        7.0,
                        if k.agrees { colour::PASS } else { colour::BLOCK },
                    )]),
                    Cell::text(k.note.clone().unwrap_or_default(), Style::Regular, 7.0),
                ]
            })
            .collect();
        c.table(&cols, &["Figure", "Expected", "Found", "Agrees", "Note"], &rows);
    }
    c.y += 3.0;
}

fn quality(c: &mut Composer, r: &Report) {
    c.heading("4  Population and data quality", 15.0, 30.0);
    population(c, r);
    c.heading("4.2  Data quality", 11.0, 40.0);
    let dq = &r.data_quality;
    body(
        c,
        format!(
            "{} not be read and {} not evaluated (invalid); {} evaluated although an optional field could not be read (incomplete): rules that needed such a field could not decide and sent the record to review; {} a text field hiding invisible or direction-changing characters, read and screened without them. Every problem is listed with its file, line, field and reason.",
            count(r.counts.invalid, "record could", "records could"),
            if r.counts.invalid == 1 { "was" } else { "were" },
            count(r.counts.incomplete, "record was", "records were"),
            count(r.counts.hidden_characters, "record had", "records had")
        ),
    );
    c.y += 2.0;
    let cols = [
        Column { width: 34.0, align: Align::Left },
        Column { width: 30.0, align: Align::Left },
        Column { width: 22.0, align: Align::Left },
        Column { width: 30.0, align: Align::Left },
        Column { width: 64.0, align: Align::Left },
    ];
    for (title, entries) in [
        ("Invalid records", &dq.invalid),
        ("Incomplete records", &dq.incomplete),
        ("Texts hiding invisible characters", &dq.hidden_characters),
    ] {
        figure_title(c, title);
        if entries.is_empty() {
            c.paragraph(Para::new("None.", Style::Regular, 8.5, colour::MUTED));
            c.y += 2.0;
            continue;
        }
        let rows: Vec<Vec<Cell>> = entries
            .iter()
            .map(|e| {
                vec![
                    Cell::text(format!("{}, line {}", short_file(&e.file), e.line), Style::Regular, 7.0),
                    Cell::text(e.id.clone().unwrap_or_else(|| "—".into()), Style::Mono, 6.8),
                    Cell::text(e.field.clone().unwrap_or_else(|| "whole row".into()), Style::Regular, 7.0),
                    Cell::text(e.value.clone().unwrap_or_default(), Style::Mono, 6.8),
                    Cell::text(&e.reason, Style::Regular, 7.0),
                ]
            })
            .collect();
        c.table(&cols, &["File and line", "Record", "Field", "Value", "Reason"], &rows);
    }
    figure_title(c, "Columns the inputs lack");
    if dq.missing_columns.is_empty() {
        c.paragraph(Para::new("None: every input has a column for every field.", Style::Regular, 8.5, colour::MUTED));
        c.y += 2.0;
    } else {
        let cols = [
            Column { width: 48.0, align: Align::Left },
            Column { width: 46.0, align: Align::Left },
            Column { width: 86.0, align: Align::Left },
        ];
        let rows: Vec<Vec<Cell>> = dq
            .missing_columns
            .iter()
            .map(|m| {
                let own = if m.on_missing_column == crate::schema::MissingColumn::Review {
                    "the rules that need it are undecided: review"
                } else {
                    "the rules that need it are skipped, and said so"
                };
                let wholly = |g: &String| dq.missing_groups.iter().find(|w| w.file == m.file && &w.group == g);
                let meaning = match m.groups.first() {
                    None => own.to_string(),
                    Some(g) => match wholly(g) {
                        None => {
                            format!("read through the {g} group from the columns the file has; {own} when read alone")
                        }
                        Some(w) if w.on_missing_column == crate::schema::MissingColumn::Review => {
                            format!("no column of the {g} group at all: rules reading the group are undecided (review)")
                        }
                        Some(_) => format!("no column of the {g} group at all: rules reading the group are skipped"),
                    },
                };
                vec![
                    Cell::text(short_file(&m.file), Style::Regular, 7.0),
                    Cell::text(&m.field, Style::Mono, 6.8),
                    Cell::text(meaning.replace('`', ""), Style::Regular, 7.0),
                ]
            })
            .collect();
        c.table(&cols, &["File", "Field", "What it means"], &rows);
    }
    if !dq.skipped_rules.is_empty() {
        figure_title(c, "Rules not decided for want of a column");
        for s in &dq.skipped_rules {
            c.paragraph(Para::new(
                format!(
                    "{} was not decided for {} record{} of {}: the file has no column for {}.",
                    s.rule,
                    n(s.records),
                    if s.records == 1 { "" } else { "s" },
                    s.file,
                    s.fields.join(", ")
                ),
                Style::Regular,
                8.5,
                colour::TEXT,
            ));
        }
        c.y += 2.0;
    }
    let dups = &dq.duplicate_ids;
    figure_title(c, "Repeated record ids");
    if dups.unchecked > 0 {
        c.paragraph(Para::new(
            format!(
                "The repeat check remembers the first {} distinct ids; the {} records after them were checked against those ids, not against each other.",
                n(crate::run::MAX_TRACKED_IDS as u64),
                n(dups.unchecked)
            ),
            Style::Regular,
            8.5,
            colour::TEXT,
        ));
    }
    if dups.records == 0 {
        let text =
            if dups.unchecked > 0 { "No repeat found." } else { "None: every record id is unique across the inputs." };
        c.paragraph(Para::new(text, Style::Regular, 8.5, colour::MUTED));
        c.y += 2.0;
        return;
    }
    let listed = if dups.records > dups.examples.len() as u64 {
        format!(" The first {} are listed.", n(dups.examples.len() as u64))
    } else {
        String::new()
    };
    c.paragraph(Para::new(
        format!(
            "{} record{} an id that an earlier record already had. Each was evaluated on its own; if they are the same transaction, it is counted twice in these figures and in any cap.{listed}",
            n(dups.records),
            if dups.records == 1 { " repeats" } else { "s repeat" },
        ),
        Style::Regular,
        8.5,
        colour::TEXT,
    ));
    c.y += 1.0;
    let cols = [
        Column { width: 50.0, align: Align::Left },
        Column { width: 65.0, align: Align::Left },
        Column { width: 65.0, align: Align::Left },
    ];
    let rows: Vec<Vec<Cell>> = dups
        .examples
        .iter()
        .map(|d| {
            vec![
                Cell::text(d.id.clone(), Style::Mono, 7.0),
                Cell::text(format!("{}, line {}", short_file(&d.file), d.line), Style::Regular, 7.0),
                Cell::text(format!("{}, line {}", short_file(&d.first_file), d.first_line), Style::Regular, 7.0),
            ]
        })
        .collect();
    c.table(&cols, &["Record id", "Repeated at", "First seen at"], &rows);
}

fn screening(c: &mut Composer, r: &Report) {
    c.y += 4.0;
    c.heading("5  Sanctions-list screening", 15.0, 30.0);
    let sc = &r.screening;
    if sc.lists.is_empty() {
        body(c, "The rules screen against no sanctions list.");
        return;
    }
    body(
        c,
        "The rules screen parties and vessels against these list snapshots; what each record actually had screened follows the table. The fingerprint is the SHA-256 of the source files each snapshot was imported from; each finding's evidence names the entry, the alias that matched, its score and the snapshot.",
    );
    c.y += 2.0;
    let cols = [
        Column { width: 30.0, align: Align::Left },
        Column { width: 18.0, align: Align::Left },
        Column { width: 20.0, align: Align::Left },
        Column { width: 26.0, align: Align::Right },
        Column { width: 86.0, align: Align::Left },
    ];
    let rows: Vec<Vec<Cell>> = sc
        .lists
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.name, Style::Bold, 7.5),
                Cell::text(&l.format, Style::Regular, 7.0),
                Cell::text(l.published.clone().unwrap_or_else(|| "not stated".into()), Style::Regular, 7.0),
                Cell::Text(vec![
                    Para::new(n(l.entries as u64), Style::Regular, 7.0, colour::TEXT),
                    Para::new(
                        if l.programmes.is_empty() {
                            "all screened".to_string()
                        } else {
                            format!("{} screened ({})", n(l.entries_screened as u64), l.programmes.join(", "))
                        },
                        Style::Regular,
                        6.3,
                        colour::MUTED,
                    ),
                ]),
                Cell::text(&l.fingerprint, Style::Mono, 6.5),
            ]
        })
        .collect();
    c.table(&cols, &["List", "Format", "Published", "Entries", "Snapshot fingerprint (SHA-256)"], &rows);
    for l in &sc.lists {
        let mut text = format!("{} was imported from {}.", l.name, l.sources.join(", "));
        if !l.notes.is_empty() {
            text.push_str(&format!(" Left out on import: {}.", l.notes.join("; ")));
        }
        c.paragraph(Para::new(text, Style::Regular, 7.5, colour::MUTED));
    }
    figure_title(c, "What was screened");
    body(
        c,
        "Per list, how many evaluated records had each field screened against it, and how many had nothing to screen. A list counts as screened only for records that had a value to screen; a field no input has a column for does not appear.",
    );
    c.y += 1.0;
    let cols = [
        Column { width: 40.0, align: Align::Left },
        Column { width: 40.0, align: Align::Left },
        Column { width: 30.0, align: Align::Right },
        Column { width: 70.0, align: Align::Left },
    ];
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for cov in &sc.coverage {
        for (i, (field, count)) in cov.by_field.iter().enumerate() {
            rows.push(vec![
                Cell::text(if i == 0 { cov.list.as_str() } else { "" }, Style::Bold, 7.3),
                Cell::text(field, Style::Mono, 6.8),
                Cell::text(n(*count), Style::Regular, 7.3),
                Cell::text("", Style::Regular, 7.0),
            ]);
        }
        let none = if cov.records_not_screened == 0 { colour::TEXT } else { colour::BLOCK };
        rows.push(vec![
            Cell::text(if cov.by_field.is_empty() { cov.list.as_str() } else { "" }, Style::Bold, 7.3),
            Cell::text("nothing to screen", Style::Regular, 7.0),
            Cell::Text(vec![Para::new(n(cov.records_not_screened), Style::Bold, 7.3, none)]),
            Cell::text(
                format!("{} of {} evaluated records screened", n(cov.records_screened), n(r.counts.evaluated)),
                Style::Regular,
                7.0,
            ),
        ]);
        // Records outside every regime that screens against the list: not
        // screened, and not meant to be; said, so the counts add up.
        if cov.records_out_of_scope > 0 {
            rows.push(vec![
                Cell::text("", Style::Bold, 7.3),
                Cell::text("outside the screening regimes' scope", Style::Regular, 7.0),
                Cell::text(n(cov.records_out_of_scope), Style::Regular, 7.3),
                Cell::text("not screened: the regimes that screen this list do not apply to them", Style::Regular, 7.0),
            ]);
        }
    }
    c.table(&cols, &["List", "Field", "Records", ""], &rows);
    figure_title(c, "Matches suppressed by reviewed clearances");
    let intro = match &sc.reviewed_file {
        None => "No reviewed-matches file was used: no match was suppressed.".to_string(),
        Some(f) => format!(
            "{} clearance{} in {f}; {} suppression{} applied. A clearance holds while the list entry is unchanged, from its date (never for an earlier transaction), until its expiry, for its record if it names one, and for a match scoring 0.95 or more only with a second approver.",
            n(sc.clearances as u64),
            if sc.clearances == 1 { "" } else { "s" },
            n(sc.suppressed.len() as u64),
            if sc.suppressed.len() == 1 { " was" } else { "s were" },
        ),
    };
    c.paragraph(Para::new(intro, Style::Regular, 8.5, colour::TEXT));
    c.y += 2.0;
    if sc.suppressed.is_empty() {
        return;
    }
    let cols = [
        Column { width: 30.0, align: Align::Left },
        Column { width: 38.0, align: Align::Left },
        Column { width: 26.0, align: Align::Left },
        Column { width: 86.0, align: Align::Left },
    ];
    let rows: Vec<Vec<Cell>> = sc
        .suppressed
        .iter()
        .map(|s| {
            vec![
                Cell::Text(vec![
                    Para::new(&s.id, Style::Mono, 6.8, colour::TEXT),
                    Para::new(format!("{}, line {}", short_file(&s.file), s.line), Style::Regular, 6.5, colour::MUTED),
                ]),
                Cell::Text(vec![
                    Para::new(&s.value, Style::Regular, 7.0, colour::TEXT),
                    Para::new(s.field.clone().unwrap_or_default(), Style::Regular, 6.5, colour::MUTED),
                ]),
                Cell::text(format!("{} {} · {}", s.list, s.reference, s.score), Style::Regular, 7.0),
                Cell::Text(vec![
                    Para::new(&s.reason, Style::Regular, 7.0, colour::TEXT),
                    Para::new(
                        format!(
                            "cleared by {} on {}{}",
                            s.reviewer,
                            s.reviewed_on,
                            s.approved_by.as_deref().map(|a| format!(", approved by {a}")).unwrap_or_default()
                        ),
                        Style::Regular,
                        6.5,
                        colour::MUTED,
                    ),
                ]),
            ]
        })
        .collect();
    c.table(&cols, &["Record", "Name screened", "List entry · score", "Why it is not a match"], &rows);
}

/// Clearances that matched a name and entry but did not apply.
fn not_applied(c: &mut Composer, r: &Report) {
    let sc = &r.screening;
    if sc.not_applied.is_empty() {
        return;
    }
    figure_title(c, "Clearances that did not apply");
    c.paragraph(Para::new(
        format!(
            "{} of a reviewed clearance kept: the clearance does not apply, for the reason given. Each is a finding listed in section 2.",
            count(sc.not_applied.len() as u64, "match was", "matches were")
        ),
        Style::Regular,
        8.5,
        colour::TEXT,
    ));
    let cols = [
        Column { width: 30.0, align: Align::Left },
        Column { width: 38.0, align: Align::Left },
        Column { width: 26.0, align: Align::Left },
        Column { width: 86.0, align: Align::Left },
    ];
    let rows: Vec<Vec<Cell>> = sc
        .not_applied
        .iter()
        .map(|s| {
            vec![
                Cell::Text(vec![
                    Para::new(&s.id, Style::Mono, 6.8, colour::TEXT),
                    Para::new(format!("{}, line {}", short_file(&s.file), s.line), Style::Regular, 6.5, colour::MUTED),
                ]),
                Cell::text(&s.value, Style::Regular, 7.0),
                Cell::text(format!("{} {} · {}", s.list, s.reference, s.score), Style::Regular, 7.0),
                Cell::Text(vec![Para::new(s.not_applied.clone().unwrap_or_default(), Style::Bold, 7.0, colour::BLOCK)]),
            ]
        })
        .collect();
    c.table(&cols, &["Record", "Name screened", "List entry · score", "Why the clearance does not apply"], &rows);
}

/// Running totals and licence drawdowns: each window's total against its limit.
fn totals(c: &mut Composer, r: &Report) {
    let Some(t) = &r.running_totals else { return };
    c.y += 4.0;
    c.heading("5a  Running totals and licences", 15.0, 30.0);
    body(
        c,
        format!(
            "Rules over many records add up the records their condition selects, in transaction-date order, per group and window, and hold the total against a limit; licences cited by records are drawn down the same way over their validity. The record that passes a limit and every later one in the window have a finding. Totals come from: {}.{}",
            t.state,
            if t.changes.is_empty() {
                String::new()
            } else {
                format!(
                    " {} by earlier runs changed standing because this run added records dated before them.",
                    count(t.changes.len() as u64, "record counted", "records counted")
                )
            }
        ),
    );
    c.y += 1.0;
    let cols = [
        Column { width: 42.0, align: Align::Left },
        Column { width: 32.0, align: Align::Left },
        Column { width: 30.0, align: Align::Left },
        Column { width: 28.0, align: Align::Right },
        Column { width: 34.0, align: Align::Right },
        Column { width: 14.0, align: Align::Right },
    ];
    let rows: Vec<Vec<Cell>> = t
        .totals
        .iter()
        .map(|x| {
            let totals: Vec<String> = x
                .totals
                .iter()
                .map(|d| {
                    crate::values::parse_decimal(d)
                        .map_or(d.clone(), |d| crate::values::group_thousands(&d.round_dp(3)))
                })
                .collect();
            let colour = if x.over { colour::BLOCK } else { colour::TEXT };
            vec![
                Cell::text(&x.rule, Style::Mono, 6.5),
                Cell::text(
                    if x.group.is_empty() { "all records".to_string() } else { x.group.clone() },
                    Style::Regular,
                    7.0,
                ),
                Cell::text(&x.window, Style::Regular, 7.0),
                Cell::Text(vec![Para::new(
                    format!("{}{}", totals.join(" / "), if x.uncounted > 0 { " (at least)" } else { "" }),
                    if x.over { Style::Bold } else { Style::Regular },
                    7.0,
                    colour,
                )]),
                Cell::text(
                    format!(
                        "{} (left {})",
                        x.limits.join(" or "),
                        x.remaining
                            .iter()
                            .map(|d| crate::values::parse_decimal(d)
                                .map_or(d.clone(), |d| crate::values::group_thousands(&d.round_dp(3))))
                            .collect::<Vec<_>>()
                            .join(" / ")
                    ),
                    Style::Regular,
                    7.0,
                ),
                Cell::text(n(x.count), Style::Regular, 7.0),
            ]
        })
        .collect();
    if rows.is_empty() {
        body(c, "No record of the period was counted.");
    } else {
        c.table(&cols, &["Rule", "Group / licence", "Window", "Total", "Limit", "Records"], &rows);
    }
}

fn method(c: &mut Composer, r: &Report) {
    c.y += 4.0;
    c.heading("6  Method, limitations and reproduction", 15.0, 40.0);
    c.heading("6.1  Method", 12.0, 30.0);
    for s in &r.method.statements {
        bullet(c, s, colour::NAVY);
    }
    super::sections::limitations(c, r);
    c.y += 2.0;
    c.ensure(40.0);
    figure_title(c, "6.3  To reproduce this report");
    c.paragraph(Para::new(&r.command, Style::Mono, 7.5, colour::TEXT));
    c.y += 2.0;
    c.paragraph(Para::new(
        "Run it from the directory the report was made in, on files with the fingerprints on the cover: the same rules and records give the same findings, and the same bytes.",
        Style::Regular,
        8.0,
        colour::MUTED,
    ));
}

/// Characters no embedded font covers are said, not dropped silently.
fn uncovered(c: &mut Composer) {
    let missing = c.missing().clone();
    if missing.is_empty() {
        return;
    }
    let list: Vec<String> = missing.iter().map(|ch| format!("U+{:04X}", *ch as u32)).collect();
    c.y += 4.0;
    c.paragraph(Para::new(
        format!(
            "Note: {} character{} in the inputs no embedded font covers; each is drawn as \"?\" in this PDF (the JSON and CSV renderings keep them): {}.",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            list.join(", ")
        ),
        Style::Regular,
        8.0,
        colour::BLOCK,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_shares_are_formatted_exactly() {
        assert_eq!(n(0), "0");
        assert_eq!(n(1234567), "1,234,567");
        assert_eq!(pct(1, 3), "33.3 %");
        assert_eq!(pct(2, 3), "66.7 %");
        assert_eq!(pct(0, 0), "0 %");
        assert_eq!(grouped("10200000.00 USD"), "10,200,000.00 USD");
        assert_eq!(grouped("999.5 t"), "999.5 t");
        assert_eq!(grouped("1200 kg"), "1,200 kg");
        assert_eq!(grouped("12 tons of 1234"), "12 tons of 1234");
        assert_eq!(grouped("-1850.00 USD"), "-1850.00 USD");
        assert_eq!(nice_step(73), 20);
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(10000), 2000);
    }
}
