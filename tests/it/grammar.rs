//! The grammar, construct by construct: what parses, into what, and what does
//! not. Parse trees are compared without spans.

use cordon::unstable::source::SourceFile;
use cordon::unstable::syntax::ast::*;
use cordon::unstable::syntax::{self, ParseError};

fn parse(text: &str) -> Result<RuleFile, ParseError> {
    syntax::parse(&SourceFile::new("t.cordon", "t.cordon", text))
}

fn ok(text: &str) -> RuleFile {
    parse(text).unwrap_or_else(|e| panic!("should parse: {text}\n{e}"))
}

/// The `when` expression of the only rule in `rule`.
fn when(expr: &str) -> Expr {
    let f = ok(&format!("rule R {{ when: {expr} }}"));
    let Item::Rule(r) = &f.items[0] else { panic!("not a rule") };
    let PropValue::Expr(e) = &r.properties[0].value else { panic!("not an expression") };
    e.clone()
}

/// A compact rendering of an expression tree, to compare structure.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Decimal(d) => d.clone(),
        ExprKind::Date(d) => d.clone(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Set(s) => format!("{{{}}}", s.items.len()),
        ExprKind::Call { func, args } => {
            format!("{}({})", func.name, args.iter().map(shape).collect::<Vec<_>>().join(", "))
        }
        ExprKind::Unary { op, expr } => format!("({} {})", if *op == UnaryOp::Not { "not" } else { "-" }, shape(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", shape(lhs), op.symbol(), shape(rhs)),
        ExprKind::Quant { kind, var, list, body } => {
            format!(
                "{}({} in {}: {})",
                if *kind == Quantifier::Any { "any" } else { "all" },
                var.name,
                shape(list),
                shape(body)
            )
        }
        ExprKind::Paren(inner) => shape(inner),
        ExprKind::Lookup { table, key, column } => match column {
            LookupColumn::Named(c) => format!("{}[{}].{}", table.name, shape(key), c.name),
            LookupColumn::Dynamic(c) => format!("{}[{}][{}]", table.name, shape(key), shape(c)),
        },
        ExprKind::Convert(c) => {
            let mut s = format!("({} as {}", shape(&c.value), c.unit.name);
            if let Some(f) = &c.factor {
                s.push_str(&format!(
                    " with {} {} = {} {}",
                    shape(&f.from_amount),
                    f.from_unit.name,
                    shape(&f.to_amount),
                    f.to_unit.name
                ));
            }
            s.push(')');
            s
        }
        ExprKind::Matches(m) => {
            let mut s = format!("({} matches list {}", shape(&m.subject), m.list.name);
            if let Some(k) = &m.kind {
                s.push_str(&format!(" as {}", k.name));
            }
            if let Some(n) = &m.min_score {
                s.push_str(&format!(" score >= {}", shape(n)));
            }
            s.push(')');
            s
        }
    }
}

#[test]
fn table_lookups_parse_as_the_regulation_reads() {
    assert_eq!(shape(&when("CHART[destination].NS1 == \"X\"")), "(CHART[destination].NS1 == \"X\")");
    assert_eq!(shape(&when("CHART[destination][r] == \"X\"")), "(CHART[destination][r] == \"X\")");
    assert_eq!(
        shape(&when("any(e in eccn: any(r in CCL[e].chart_columns: CHART[destination][r] == \"X\"))")),
        "any(e in eccn: any(r in CCL[e].chart_columns: (CHART[destination][r] == \"X\")))"
    );
    // A row without a column is not a value.
    assert!(parse("rule R { when: CHART[destination] == \"X\" }").is_err());
}

#[test]
fn tables_set_dates_and_regime_scopes() {
    let f = ok("table T from \"t.csv\" { key iso2: country  NS1: string  cols: list<string> }");
    let Item::Table(t) = &f.items[0] else { panic!("not a table") };
    let cols: Vec<(bool, &str, &str)> =
        t.columns.iter().map(|c| (c.key, c.name.name.as_str(), c.ty.name.as_str())).collect();
    assert_eq!(cols, [(true, "iso2", "country"), (false, "NS1", "string"), (false, "cols", "list<string>")]);
    let f =
        ok("set S: hs = { 7206 since 2022-03-16, 7208.10 since 2022-03-16 until 2024-01-01, 7301 through 2030-12-31 }");
    let Item::Set(s) = &f.items[0] else { panic!("not a set") };
    let SetBody::Inline(lit) = &s.body else { panic!("not inline") };
    assert_eq!(lit.dates.len(), 3);
    assert_eq!(lit.dates[0].since.as_ref().map(|d| d.0.as_str()), Some("2022-03-16"));
    assert!(lit.dates[0].until.is_none());
    assert_eq!(lit.dates[1].until.as_ref().map(|d| (d.0.as_str(), d.2)), Some(("2024-01-01", false)));
    assert_eq!(lit.dates[2].until.as_ref().map(|d| (d.0.as_str(), d.2)), Some(("2030-12-31", true)));
    let f = ok("regime EU { title: \"t\" applies_when: flow == \"import\" }");
    let Item::Regime(r) = &f.items[0] else { panic!("not a regime") };
    assert_eq!(r.scope.len(), 1);
    assert_eq!(shape(&r.scope[0]), "(flow == \"import\")");
    // `table` is reserved; `key`, `since`, `until` and `applies_when` are not.
    assert!(parse("set table: string = { \"a\" }").is_err());
    assert!(parse("const since = 1 const key = 2 const until = 3").is_ok());
}

#[test]
fn empty_file_and_comments() {
    assert!(ok("").items.is_empty());
    assert!(ok("// a comment\n/* a block\n comment */\n").items.is_empty());
}

#[test]
fn regime_with_and_without_body() {
    let f = ok("regime UN_DPRK { title: \"UN\" authority: \"UNSC\" }\nregime OTHER");
    let Item::Regime(r) = &f.items[0] else { panic!() };
    assert_eq!(r.name.name, "UN_DPRK");
    assert_eq!(r.meta.as_ref().map(Vec::len), Some(2));
    let Item::Regime(r) = &f.items[1] else { panic!() };
    assert!(r.meta.is_none());
}

#[test]
fn imports() {
    let f = ok("import \"../common/countries.cordon\"");
    let Item::Import(i) = &f.items[0] else { panic!() };
    assert_eq!(i.path.value, "../common/countries.cordon");
}

#[test]
fn inline_sets_of_every_kind() {
    let f = ok("set A: country = { KP, CN, }\nset B: hs = { 2701, 2710.12, \"2711 12\", 50..63 }\nset C: string = {}");
    let Item::Set(a) = &f.items[0] else { panic!() };
    let SetBody::Inline(lit) = &a.body else { panic!() };
    assert_eq!(lit.items.len(), 2);
    let Item::Set(b) = &f.items[1] else { panic!() };
    let SetBody::Inline(lit) = &b.body else { panic!() };
    assert!(matches!(&lit.items[1], SetItem::Code(c) if c.name == "2710.12"));
    assert!(matches!(&lit.items[2], SetItem::Str(s) if s.value == "2711 12"));
    assert!(matches!(&lit.items[3], SetItem::Range(a, b) if a.name == "50" && b.name == "63"));
}

#[test]
fn sets_from_data_files() {
    let f =
        ok("set P: name from \"lists/p.csv\" { column: \"name\" since: \"listed_on\" where: \"kind\" == \"entity\" }");
    let Item::Set(s) = &f.items[0] else { panic!() };
    let SetBody::File { path, options } = &s.body else { panic!() };
    assert_eq!(path.value, "lists/p.csv");
    assert_eq!(options.len(), 3);
    assert_eq!(options[2].cond.as_ref().map(|(op, v)| (*op, v.value.as_str())), Some((WhereOp::Eq, "entity")));
}

#[test]
fn constants() {
    let f = ok("const CAP = 500000\nconst CUTOFF = 2017-12-10\nconst NAME = \"x\"\nconst ON = true");
    assert_eq!(f.items.len(), 4);
}

#[test]
fn rules_with_every_property() {
    let f = ok(r#"
        rule KP-COAL-IRON-2371.COKE {
          title: "t"
          cite: "a"
          cite: "b"
          effective: 2017-08-05
          until: 2018-01-01
          severity: block
          tags: [coal, procurement-ban]
          when: origin in DPRK
          unless: present(license) then review
          unless: false
          message: "{hs_code} is {origin}"
        }"#);
    let Item::Rule(r) = &f.items[0] else { panic!() };
    assert_eq!(r.id.name, "KP-COAL-IRON-2371.COKE");
    assert_eq!(r.properties.len(), 11);
    assert_eq!(r.properties[8].then.as_ref().map(|t| t.name.as_str()), Some("review"));
    assert!(matches!(&r.properties[6].value, PropValue::Tags(t) if t.len() == 2));
}

#[test]
fn named_exemptions_with_a_citation_and_a_message() {
    let f = ok(r#"
        rule R {
          unless PRE_ADOPTION_CONTRACT: contract_date < 2017-08-05 then review {
            cite: "S/RES/2371 (2017), para. 8"
            message: "window"
          }
          unless PLAIN: false
        }"#);
    let Item::Rule(r) = &f.items[0] else { panic!() };
    let p = &r.properties[0];
    assert_eq!(p.name.as_ref().map(|n| n.name.as_str()), Some("PRE_ADOPTION_CONTRACT"));
    assert_eq!(p.then.as_ref().map(|t| t.name.as_str()), Some("review"));
    let meta: Vec<(&str, &str)> = p.meta.iter().flatten().map(|(k, v)| (k.name.as_str(), v.value.as_str())).collect();
    assert_eq!(meta, [("cite", "S/RES/2371 (2017), para. 8"), ("message", "window")]);
    assert_eq!(r.properties[1].name.as_ref().map(|n| n.name.as_str()), Some("PLAIN"));
    assert!(r.properties[1].meta.is_none());
}

#[test]
fn unit_conversions_bind_tightest() {
    assert_eq!(shape(&when("quantity as bbl > 500000")), "((quantity as bbl) > 500000)");
    assert_eq!(shape(&when("value / quantity as u > 500")), "((value / (quantity as u)) > 500)");
    assert_eq!(
        shape(&when("quantity as bbl with 1 t = FACTOR bbl > CAP")),
        "((quantity as bbl with 1 t = FACTOR bbl) > CAP)"
    );
    assert_eq!(shape(&when("-quantity as t < 0")), "((- (quantity as t)) < 0)");
    assert!(parse("rule R { when: quantity as }").is_err());
    assert!(parse("rule R { when: quantity as bbl with 1 t == 2 bbl > 3 }").is_err());
}

#[test]
fn precedence_or_and_not_comparisons_arithmetic() {
    assert_eq!(shape(&when("a or b and c")), "(a or (b and c))");
    assert_eq!(shape(&when("not a in S and b")), "((not (a in S)) and b)");
    assert_eq!(shape(&when("value / quantity > 500 + 1 * 2")), "((value / quantity) > (500 + (1 * 2)))");
    assert_eq!(shape(&when("a - b - c == d")), "(((a - b) - c) == d)");
    assert_eq!(shape(&when("-x < 0")), "((- x) < 0)");
    assert_eq!(shape(&when("(a or b) and c")), "((a or b) and c)");
}

#[test]
fn membership_and_text_operators() {
    assert_eq!(shape(&when("origin not in DPRK")), "(origin not in DPRK)");
    assert_eq!(shape(&when("destination in { KP, CN }")), "(destination in {2})");
    assert_eq!(shape(&when("description contains \"jet\"")), "(description contains \"jet\")");
    assert_eq!(
        shape(&when("seller starts with \"KOREA\" or seller ends with \"LTD\"")),
        "((seller starts with \"KOREA\") or (seller ends with \"LTD\"))"
    );
}

#[test]
fn screening_binds_tighter_than_not_and_looser_than_calls() {
    assert_eq!(shape(&when("seller matches list UN_SC")), "(seller matches list UN_SC)");
    assert_eq!(
        shape(&when("lower(buyer) matches list OFAC_SDN as party score >= 0.92 and origin in DPRK")),
        "((lower(buyer) matches list OFAC_SDN as party score >= 0.92) and (origin in DPRK))"
    );
    assert_eq!(shape(&when("not vessel_imo matches list UN_SC")), "(not (vessel_imo matches list UN_SC))");
    assert_eq!(
        shape(&when("any(p in route: p matches list L score >= MIN)")),
        "any(p in route: (p matches list L score >= MIN))"
    );
    // `list`, `as` and `score` stay usable as names elsewhere; `matches` is reserved.
    assert_eq!(shape(&when("list and score")), "(list and score)");
    assert!(parse("rule R { when: matches }").is_err());
    assert!(parse("rule R { when: seller matches UN_SC }").is_err(), "`list` is required");
}

#[test]
fn quantifiers_calls_literals() {
    assert_eq!(shape(&when("any(c in route: c in DPRK)")), "any(c in route: (c in DPRK))");
    assert_eq!(shape(&when("all(c in route: c != \"KP\")")), "all(c in route: (c != \"KP\"))");
    assert_eq!(
        shape(&when("present(license) and days_between(2017-08-05, date) < 30")),
        "(present(license) and (days_between(2017-08-05, date) < 30))"
    );
    assert_eq!(shape(&when("true")), "true");
    assert_eq!(shape(&when("date >= 2017-08-05")), "(date >= 2017-08-05)");
}

#[test]
fn string_escapes() {
    let f = ok(r#"rule R { title: "a \"quoted\" \\ path\n\u{41}" }"#);
    let Item::Rule(r) = &f.items[0] else { panic!() };
    let PropValue::Expr(Expr { kind: ExprKind::Str(s), .. }) = &r.properties[0].value else { panic!() };
    assert_eq!(s, "a \"quoted\" \\ path\nA");
    assert!(matches!(parse(r#"rule R { title: "bad \q" }"#), Err(ParseError::BadEscape { .. })));
}

#[test]
fn keywords_are_not_names() {
    for bad in ["set in: country = { KP }", "set and: hs = { 01 }", "rule R { when: not }", "const rule = 1"] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    // Words that merely start with a keyword are names.
    assert_eq!(shape(&when("setting and order")), "(setting and order)");
}

#[test]
fn syntax_errors_point_at_the_token() {
    let cases = [
        ("rule R { when: origin = \"KP\" }", "="),
        ("rule R { when: origin in }", "}"),
        ("set S: country = { KP CN }", "CN"),
        ("rule R { title: \"unterminated }", "\"unterminated }"),
        ("regime", ""),
    ];
    for (text, at) in cases {
        let Err(ParseError::Syntax { span, .. }) = parse(text) else { panic!("should fail: {text}") };
        assert_eq!(&text[span.offset()..span.offset() + span.len()], at, "{text}");
    }
}

#[test]
fn spans_do_not_take_part_in_equality() {
    let a = ok("set S: country = { KP }\nrule R { when: origin in S }");
    let b = ok("set   S :country={KP}   rule R{when:origin    in S}");
    assert_eq!(a, b);
}

#[test]
fn nesting_limits_are_errors_not_overflows() {
    let deep = format!("rule R {{ when: {}a{} }}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(matches!(parse(&deep), Err(ParseError::TooDeep { .. })));
    let long = format!("rule R {{ when: a{} }}", " and a".repeat(10_000));
    assert!(matches!(parse(&long), Err(ParseError::TooDeep { .. })));
    let nots = format!("rule R {{ when: {}a }}", "not ".repeat(10_000));
    assert!(matches!(parse(&nots), Err(ParseError::TooDeep { .. })));
}
