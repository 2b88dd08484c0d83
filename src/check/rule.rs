//! Checking one rule: its properties, each by the [`Property`] it is, with
//! one function per property; then what the rule needs as a whole (a
//! title, a severity, a condition; a window that is not empty; exemptions
//! that lower).

use std::collections::HashMap;

use super::error::{CheckError, CheckErrorKind};
use super::ir::*;
use super::{Checker, typeck};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, PropValue};
use crate::values::Date;

/// The properties a rule has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Property {
    Title,
    Cite,
    Effective,
    Until,
    Through,
    Severity,
    Undecided,
    When,
    Unless,
    Message,
    Tags,
    Total,
    Group,
    Window,
    Limit,
}

impl Property {
    const ALL: [Property; 15] = [
        Property::Title,
        Property::Cite,
        Property::Effective,
        Property::Until,
        Property::Through,
        Property::Severity,
        Property::Undecided,
        Property::When,
        Property::Unless,
        Property::Message,
        Property::Tags,
        Property::Total,
        Property::Group,
        Property::Window,
        Property::Limit,
    ];

    fn name(self) -> &'static str {
        match self {
            Property::Title => "title",
            Property::Cite => "cite",
            Property::Effective => "effective",
            Property::Until => "until",
            Property::Through => "through",
            Property::Severity => "severity",
            Property::Undecided => "undecided",
            Property::When => "when",
            Property::Unless => "unless",
            Property::Message => "message",
            Property::Tags => "tags",
            Property::Total => "total",
            Property::Group => "group",
            Property::Window => "window",
            Property::Limit => "limit",
        }
    }

    fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether a rule may give it more than once.
    fn repeatable(self) -> bool {
        matches!(self, Property::Cite | Property::Unless)
    }
}

/// A rule's properties as they are checked.
#[derive(Default)]
struct Draft {
    seen: HashMap<&'static str, Span>,
    title: Option<String>,
    citations: Vec<String>,
    effective: Option<(Date, Span)>,
    until: Option<(Date, Span)>,
    severity: Option<Severity>,
    undecided: Option<Severity>,
    when: Option<(TExpr, String)>,
    /// Each exemption with the span of its `then`.
    unless: Vec<(Unless, Option<Span>)>,
    message: Option<Vec<MsgPart>>,
    tags: Vec<String>,
    agg: super::aggregate::AggDraft,
}

impl Checker<'_> {
    pub(super) fn check_rule(&mut self, fi: usize, r: &ast::RuleDecl) -> Option<Rule> {
        let errors_before = self.errors.len();
        let regime = self.rule_regime(fi, r);
        let mut d = Draft::default();
        for p in &r.properties {
            let Some(prop) = self.property(fi, p, &d) else { continue };
            d.seen.insert(prop.name(), p.key.span);
            let expr = match &p.value {
                PropValue::Expr(e) => Some(e),
                PropValue::Tags(_) => None,
            };
            match prop {
                Property::Title | Property::Cite | Property::Message => self.text_property(fi, prop, p, expr, &mut d),
                Property::Effective | Property::Until | Property::Through => {
                    self.date_property(fi, prop, p, expr, &mut d)
                }
                Property::Severity | Property::Undecided => self.severity_property(fi, prop, p, expr, &mut d),
                Property::When => self.when_property(fi, p, expr, &mut d),
                Property::Unless => self.unless_property(fi, p, expr, &mut d),
                Property::Tags => self.tags_property(fi, p, &mut d),
                Property::Total => self.total_property(fi, p, &mut d.agg),
                Property::Group => self.group_property(fi, p, &mut d.agg),
                Property::Window => self.window_property(fi, p, &mut d.agg),
                Property::Limit => self.limit_property(fi, p, &mut d.agg),
            }
        }
        self.required_properties(fi, r, &d);
        self.window_and_exemptions(fi, &d);
        let aggregate = self.finish_aggregate(fi, &r.id, &d.agg);
        if self.errors.len() > errors_before {
            return None;
        }
        self.finish_rule(fi, r, regime, d, aggregate)
    }

    /// The regime of the rule's file (index into the sorted regimes).
    fn rule_regime(&mut self, fi: usize, r: &ast::RuleDecl) -> usize {
        match &self.file_regime[fi] {
            Some(name) => self.regimes.keys().position(|k| k == name).unwrap_or(0),
            None => {
                let e = CheckError::new(
                    CheckErrorKind::Regime,
                    self.src(fi),
                    r.id.span,
                    format!("rule `{}` belongs to no regime", r.id.name),
                )
                .help("add `regime NAME` at the top of the file");
                self.err(e);
                0
            }
        }
    }

    /// The property a key names, if it is one the rule may give here; the
    /// problems with it are reported.
    fn property(&mut self, fi: usize, p: &ast::Property, d: &Draft) -> Option<Property> {
        let src = self.src(fi);
        let key = p.key.name.as_str();
        let Some(prop) = Property::from_name(key) else {
            let names = Property::ALL.map(Property::name);
            let help = crate::suggest::help(key, names, &format!("rules have {}", crate::suggest::quoted(names)));
            let msg = format!("unknown rule property `{key}`");
            self.err(CheckError::new(CheckErrorKind::UnknownProperty, src, p.key.span, msg).help(help));
            return None;
        };
        // `through` is `until` written inclusively: one of the two.
        let same = match key {
            "through" => d.seen.get("until"),
            "until" => d.seen.get("through"),
            _ => None,
        };
        if let Some(prev) = same.copied() {
            let msg = "give `until` or `through`, not both";
            self.err(
                CheckError::new(CheckErrorKind::DuplicateProperty, src, p.key.span, msg)
                    .related("the other given here", prev)
                    .help("`until` is the first day no longer in force, `through` the last day in force"),
            );
            return None;
        }
        if let Some(prev) = d.seen.get(key).copied()
            && !prop.repeatable()
        {
            let msg = format!("`{key}` is given twice");
            self.err(
                CheckError::new(CheckErrorKind::DuplicateProperty, src, p.key.span, msg)
                    .related("first given here", prev),
            );
            return None;
        }
        if p.then.is_some() && prop != Property::Unless {
            let t = p.then.as_ref().map_or(p.span, |t| t.span);
            let msg = format!("only `unless` takes `then`, not `{key}`");
            self.err(CheckError::new(CheckErrorKind::InvalidProperty, src, t, msg));
        }
        if prop != Property::Unless && (p.name.is_some() || p.meta.is_some()) {
            let t = p.name.as_ref().map_or(p.span, |n| n.span);
            let msg = format!("only `unless` takes a name and a `{{ cite, message }}` block, not `{key}`");
            self.err(
                CheckError::new(CheckErrorKind::Exemption, src, t, msg)
                    .help("write `unless NAME: <condition> then review { cite: \"…\" message: \"…\" }`"),
            );
        }
        Some(prop)
    }

    /// `title`, `cite`, `message`: text in double quotes.
    fn text_property(&mut self, fi: usize, prop: Property, p: &ast::Property, expr: Option<&ast::Expr>, d: &mut Draft) {
        let src = self.src(fi);
        let key = prop.name();
        let Some(ast::Expr { kind: ExprKind::Str(s), span }) = expr else {
            let span = expr.map_or(p.span, |e| e.span);
            let msg = format!("`{key}` takes text in double quotes");
            self.err(
                CheckError::new(CheckErrorKind::InvalidProperty, src, span, msg).help(format!("write `{key}: \"…\"`")),
            );
            return;
        };
        match prop {
            Property::Title => d.title = Some(s.clone()),
            Property::Cite => {
                if s.trim().is_empty() {
                    self.err(CheckError::new(
                        CheckErrorKind::InvalidProperty,
                        src,
                        *span,
                        "a citation cannot be empty",
                    ));
                }
                d.citations.push(s.clone());
            }
            _ => d.message = Some(self.check_message(fi, s, *span)),
        }
    }

    /// `effective`, `until`: a date.
    fn date_property(&mut self, fi: usize, prop: Property, p: &ast::Property, expr: Option<&ast::Expr>, d: &mut Draft) {
        let src = self.src(fi);
        let date = match expr {
            Some(ast::Expr { kind: ExprKind::Date(t), span }) => match Date::parse(t) {
                Ok(date) => Some((date, *span)),
                Err(e) => {
                    self.err(
                        CheckError::new(CheckErrorKind::InvalidDate, src, *span, e)
                            .label("not a calendar date")
                            .help("dates are written YYYY-MM-DD, e.g. `2017-08-05`"),
                    );
                    None
                }
            },
            other => {
                let span = other.map_or(p.span, |e| e.span);
                let msg = format!("`{}` takes a date", prop.name());
                self.err(
                    CheckError::new(CheckErrorKind::InvalidDate, src, span, msg)
                        .help("dates are written YYYY-MM-DD, without quotes, e.g. `2017-08-05`"),
                );
                None
            }
        };
        match prop {
            Property::Effective => d.effective = date,
            // The last day in force: the rule stops the day after.
            Property::Through => d.until = date.map(|(day, span)| (day.next_day(), span)),
            _ => d.until = date,
        }
    }

    /// `severity: block | review`; `undecided: block | review`, what the rule
    /// gives when the data it needs is missing.
    fn severity_property(
        &mut self,
        fi: usize,
        prop: Property,
        p: &ast::Property,
        expr: Option<&ast::Expr>,
        d: &mut Draft,
    ) {
        let src = self.src(fi);
        let key = prop.name();
        match expr {
            Some(ast::Expr { kind: ExprKind::Name(n), span }) => match Severity::from_name(n) {
                Some(s) if prop == Property::Undecided => d.undecided = Some(s),
                Some(s) => d.severity = Some(s),
                None => {
                    let help = crate::suggest::help(n, ["block", "review"], &format!("`{key}` is `block` or `review`"));
                    self.err(
                        CheckError::new(CheckErrorKind::InvalidSeverity, src, *span, format!("unknown severity `{n}`"))
                            .label("not a severity")
                            .help(help),
                    );
                }
            },
            other => {
                let span = other.map_or(p.span, |e| e.span);
                self.err(
                    CheckError::new(
                        CheckErrorKind::InvalidSeverity,
                        src,
                        span,
                        format!("`{key}` is `block` or `review`"),
                    )
                    .help(format!("write `{key}: block` or `{key}: review`, without quotes")),
                );
            }
        }
    }

    /// A `when` or `unless` condition, typed, with its text on one line.
    fn condition(&mut self, fi: usize, p: &ast::Property, expr: Option<&ast::Expr>) -> Option<(TExpr, String, Span)> {
        let src = self.src(fi);
        let Some(e) = expr else {
            let msg = format!("`{}` takes a condition", p.key.name);
            self.err(CheckError::new(CheckErrorKind::InvalidProperty, src, p.span, msg));
            return None;
        };
        let t = typeck::condition(self, fi, e)?;
        // As written, on one line (reports and findings quote it).
        let text = src.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" ");
        Some((t, text, e.span))
    }

    fn when_property(&mut self, fi: usize, p: &ast::Property, expr: Option<&ast::Expr>, d: &mut Draft) {
        if let Some((t, text, _)) = self.condition(fi, p, expr) {
            d.when = Some((t, text));
        }
    }

    /// `unless [NAME:] <condition> [then review [{ cite, message }]]`.
    fn unless_property(&mut self, fi: usize, p: &ast::Property, expr: Option<&ast::Expr>, d: &mut Draft) {
        let src = self.src(fi);
        let Some((t, text, span)) = self.condition(fi, p, expr) else { return };
        let then = match &p.then {
            None => None,
            Some(id) => match Severity::from_name(&id.name) {
                Some(s) => Some((s, id.span)),
                None => {
                    let msg = format!("unknown severity `{}`", id.name);
                    self.err(
                        CheckError::new(CheckErrorKind::InvalidSeverity, src, id.span, msg).help("write `then review`"),
                    );
                    return;
                }
            },
        };
        let (cite, note) = self.exemption_meta(fi, p);
        if let Some(n) = &p.name
            && d.unless.iter().any(|(u, _)| u.name.as_deref() == Some(n.name.as_str()))
        {
            let msg = format!("exemption `{}` is named twice in this rule", n.name);
            self.err(CheckError::new(CheckErrorKind::Exemption, src, n.span, msg));
        }
        let name = p.name.as_ref().map(|n| n.name.clone());
        let unless = Unless { expr: t, then: then.map(|(s, _)| s), text, span, name, cite, note };
        d.unless.push((unless, then.map(|(_, sp)| sp)));
    }

    /// `tags: [a, b]`.
    fn tags_property(&mut self, fi: usize, p: &ast::Property, d: &mut Draft) {
        match &p.value {
            PropValue::Tags(ts) => d.tags = ts.iter().map(|t| t.name.clone()).collect(),
            PropValue::Expr(e) => {
                let e = CheckError::new(CheckErrorKind::InvalidProperty, self.src(fi), e.span, "`tags` takes a list")
                    .help("write `tags: [coal, procurement]`");
                self.err(e);
            }
        }
    }

    /// Every rule has a title, a severity and a condition.
    fn required_properties(&mut self, fi: usize, r: &ast::RuleDecl, d: &Draft) {
        for (need, what, help) in [
            ("title", "a title", "add `title: \"…\"`: a short description reports show"),
            ("severity", "a severity", "add `severity: block` or `severity: review`"),
            ("when", "a condition", "add `when: <condition>`"),
        ] {
            if !d.seen.contains_key(need) {
                let msg = format!("rule `{}` has no `{need}`", r.id.name);
                let e = CheckError::new(CheckErrorKind::MissingProperty, self.src(fi), r.id.span, msg)
                    .label(format!("needs {what}"))
                    .help(help);
                self.err(e);
            }
        }
    }

    /// `until` after `effective`; `then` lowers the rule's severity.
    fn window_and_exemptions(&mut self, fi: usize, d: &Draft) {
        let src = self.src(fi);
        if let (Some((e, _)), Some((u, uspan))) = (d.effective, d.until)
            && u <= e
        {
            self.err(
                CheckError::new(
                    CheckErrorKind::UntilNotAfterEffective,
                    src,
                    uspan,
                    format!("`until` ({u}) is not after `effective` ({e})"),
                )
                .label("rule would never be in force")
                .help("`effective` is the first day in force and `until` the first day no longer in force"),
            );
        }
        let Some(sev) = d.severity else { return };
        for (u, sp) in &d.unless {
            if let (Some(t), Some(sp)) = (u.then, sp)
                && t >= sev
            {
                let msg = format!("`then {}` does not lower a `{}` rule", t.name(), sev.name());
                self.err(
                    CheckError::new(CheckErrorKind::InvalidSeverity, src, *sp, msg)
                        .help("`then` gives the severity when the exemption holds; it must be lower than the rule's"),
                );
            }
        }
    }

    /// The checked rule, with the fields it reads for evidence.
    fn finish_rule(
        &self,
        fi: usize,
        r: &ast::RuleDecl,
        regime: usize,
        d: Draft,
        aggregate: Option<Aggregate>,
    ) -> Option<Rule> {
        let (when, when_text) = d.when?;
        let unless: Vec<Unless> = d.unless.into_iter().map(|(u, _)| u).collect();
        let mut reads = Vec::new();
        for e in std::iter::once(&when).chain(unless.iter().map(|u| &u.expr)) {
            e.value_reads(&mut |f| reads.push(f));
            for g in e.groups() {
                reads.extend(self.pack.schema.groups[g].members.iter().copied());
            }
        }
        if let Some(a) = &aggregate {
            let schema = &self.pack.schema;
            reads.extend(a.measure.field());
            reads.extend(a.measure.field().and_then(|f| schema.fields[f].unit_field));
            if a.limits.iter().any(|l| matches!(l.unit, LimitUnit::Currency(_))) {
                reads.extend(schema.role(crate::schema::Role::Currency));
            }
            reads.extend(a.group.iter().copied());
        }
        reads.sort_unstable();
        reads.dedup();
        let title = d.title?;
        Some(Rule {
            id: r.id.name.clone(),
            message: d.message.unwrap_or_else(|| vec![MsgPart::Text(title.clone())]),
            title,
            citations: d.citations,
            effective: d.effective.map(|(date, _)| date),
            until: d.until.map(|(date, _)| date),
            severity: d.severity?,
            undecided: d.undecided.unwrap_or(Severity::Review),
            regime,
            when,
            unless,
            tags: d.tags,
            file: fi,
            span: r.span,
            id_span: r.id.span,
            reads,
            when_text,
            aggregate,
        })
    }

    /// The `{ cite: "…" message: "…" }` block of an exemption.
    fn exemption_meta(&mut self, fi: usize, p: &ast::Property) -> (Option<String>, Option<Vec<MsgPart>>) {
        let src = self.src(fi);
        let (mut cite, mut note) = (None, None::<String>);
        let mut note_span = p.key.span;
        for (k, v) in p.meta.iter().flatten() {
            let slot = match k.name.as_str() {
                "cite" => &mut cite,
                "message" => &mut note,
                other => {
                    let help = crate::suggest::did_you_mean(other, ["cite", "message"])
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "an exemption takes `cite` and `message`".into());
                    self.err(
                        CheckError::new(
                            CheckErrorKind::Exemption,
                            src,
                            k.span,
                            format!("unknown exemption property `{other}`"),
                        )
                        .help(help),
                    );
                    continue;
                }
            };
            if slot.is_some() || v.value.trim().is_empty() {
                self.err(CheckError::new(
                    CheckErrorKind::Exemption,
                    src,
                    k.span,
                    format!("`{}` is given twice or empty", k.name),
                ));
                continue;
            }
            if k.name == "message" {
                note_span = v.span;
            }
            *slot = Some(v.value.clone());
        }
        if p.meta.is_some() && p.name.is_none() {
            self.err(
                CheckError::new(
                    CheckErrorKind::Exemption,
                    src,
                    p.key.span,
                    "an exemption with a `{ … }` block needs a name",
                )
                .help("write `unless NAME: …`, in capitals, e.g. `unless PRE_ADOPTION_CONTRACT: …`"),
            );
        }
        let note = note.map(|n| self.check_message(fi, &n, note_span));
        (cite, note)
    }

    /// Splits a message into text and `{field}` placeholders.
    fn check_message(&mut self, fi: usize, text: &str, span: Span) -> Vec<MsgPart> {
        let src = self.src(fi);
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    buf.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    buf.push('}');
                }
                '{' => {
                    let inner: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    // `{field|"default"}`: what to write when the record has no value.
                    let (name, default) = match inner.split_once('|') {
                        Some((n, d)) => {
                            let d = d.trim();
                            match d.strip_prefix('"').and_then(|d| d.strip_suffix('"')) {
                                Some(text) => (n.trim(), Some(text.to_string())),
                                None => {
                                    self.err(
                                        CheckError::new(
                                            CheckErrorKind::Message,
                                            src,
                                            span,
                                            format!("the default of `{{{}}}` is not quoted", inner.trim()),
                                        )
                                        .help(format!("write `{{{}|\\\"unknown\\\"}}`: the default in quotes, escaped inside the message", n.trim())),
                                    );
                                    continue;
                                }
                            }
                        }
                        None => (inner.trim(), None),
                    };
                    match self.pack.schema.field(name) {
                        Some(f) => {
                            if !buf.is_empty() {
                                parts.push(MsgPart::Text(std::mem::take(&mut buf)));
                            }
                            parts.push(MsgPart::Field(f, default));
                        }
                        None => {
                            let help = crate::suggest::did_you_mean(name, self.pack.schema.names())
                                .map(|s| format!("did you mean `{{{s}}}`?"))
                                .unwrap_or_else(|| {
                                    "placeholders name record fields; write `{{` for a literal brace".into()
                                });
                            self.err(
                                CheckError::new(
                                    CheckErrorKind::Message,
                                    src,
                                    span,
                                    format!("message placeholder `{{{name}}}` is not a field"),
                                )
                                .help(help),
                            );
                        }
                    }
                }
                c => buf.push(c),
            }
        }
        if !buf.is_empty() {
            parts.push(MsgPart::Text(buf));
        }
        parts
    }
}
