//! The canonical layout of rule files (`cordon fmt`): printed from the syntax
//! tree, so formatting never changes what a file means, with the author's
//! comments kept. A comment before or inside a declaration, property or set
//! element is printed on its own line above it; a comment after one on the
//! same line stays there. One blank line between declarations or properties
//! is kept where the author left one. Lines stay within [`WIDTH`] columns where
//! the structure allows.

use super::ast::*;
use super::{ParseError, parse};
use crate::source::{SourceFile, Span};

/// The widest line the formatter aims for.
pub const WIDTH: usize = 100;
/// Spaces per indentation level.
const INDENT: &str = "  ";

/// A comment in the source, with its place.
#[derive(Debug, Clone)]
struct Comment {
    span: Span,
    text: String,
}

/// Finds every comment, skipping strings.
fn comments(text: &str) -> Vec<Comment> {
    super::pieces(text)
        .filter_map(|p| match p {
            super::Piece::Comment(span) => {
                let c = &text[span.start..span.end];
                let c = if c.starts_with("//") { c.trim_end() } else { c };
                Some(Comment { span, text: c.to_string() })
            }
            super::Piece::Byte(..) => None,
        })
        .collect()
}

/// Formats a rule file; fails if it does not parse.
pub fn format(src: &SourceFile) -> Result<String, ParseError> {
    let tree = parse(src)?;
    let mut p = Printer { text: &src.text, comments: comments(&src.text), next: 0, out: String::new() };
    p.file(&tree);
    Ok(p.out)
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    /// Index of the first comment not printed yet.
    next: usize,
    out: String,
}

impl Printer<'_> {
    fn line(&mut self, indent: usize, s: &str) {
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// Whether the source has a blank line between `from` and `to`.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.text.get(from.min(to)..to).unwrap_or("");
        let mut newlines = 0;
        for c in gap.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines >= 2 {
                        return true;
                    }
                }
                ' ' | '\t' | '\r' => {}
                _ => newlines = 0,
            }
        }
        false
    }

    /// Prints the comments that start before `end` (before or inside the
    /// node that ends there) on their own lines; keeps one blank line where
    /// the author left one between comments.
    fn leading(&mut self, indent: usize, end: usize, mut prev_end: Option<usize>) {
        while let Some(c) = self.comments.get(self.next).cloned() {
            if c.span.start >= end {
                break;
            }
            if prev_end.is_some_and(|p| self.blank_between(p, c.span.start))
                && !self.out.ends_with("\n\n")
                && !self.out.ends_with("{\n")
            {
                self.out.push('\n');
            }
            self.line(indent, &c.text);
            prev_end = Some(c.span.end);
            self.next += 1;
        }
    }

    /// A comment after `end` on the same line, to append to the line just printed.
    fn trailing(&mut self, end: usize) {
        if let Some(c) = self.comments.get(self.next).cloned() {
            let between = self.text.get(end..c.span.start).unwrap_or("\n");
            if c.span.start >= end && !between.contains('\n') && !c.text.contains('\n') {
                if self.out.ends_with('\n') {
                    self.out.pop();
                }
                self.out.push_str("  ");
                self.out.push_str(&c.text);
                self.out.push('\n');
                self.next += 1;
            }
        }
    }

    /// A span without the whitespace and comments pest may include at its
    /// end (after an optional part that was absent).
    fn trim(&self, span: Span) -> Span {
        let mut end = span.end.min(self.text.len());
        loop {
            let before = end;
            while end > span.start && self.text.as_bytes()[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            if let Some(c) = self.comments.iter().find(|c| c.span.end == end && c.span.start >= span.start) {
                end = c.span.start;
            }
            if end == before {
                return Span::new(span.start, end);
            }
        }
    }

    /// Prints a node: its leading comments, a blank line if the author left
    /// one, the node itself, and its trailing comment. Comments inside a leaf
    /// node (a property, an element) are lifted above it; a block node (a
    /// rule, a set with a body) places them among its own parts.
    fn node(&mut self, indent: usize, span: Span, prev_end: Option<usize>, print: impl FnOnce(&mut Self)) {
        self.node_in(indent, span, prev_end, true, print);
    }

    fn node_in(
        &mut self,
        indent: usize,
        span: Span,
        prev_end: Option<usize>,
        leaf: bool,
        print: impl FnOnce(&mut Self),
    ) {
        let span = self.trim(span);
        let limit = if leaf { span.end } else { span.start };
        let first = self
            .comments
            .get(self.next)
            .filter(|c| c.span.start < limit)
            .map_or(span.start, |c| c.span.start.min(span.start));
        if let Some(p) = prev_end
            && self.blank_between(p, first)
            && !self.out.is_empty()
            && !self.out.ends_with("\n\n")
            && !self.out.ends_with("{\n")
        {
            self.out.push('\n');
        }
        let before = self.next;
        self.leading(indent, limit, None);
        // Keep a blank line the author left between the comments and the node.
        if self.next > before
            && let Some(c) = self.comments.get(self.next - 1)
            && c.span.end <= span.start
            && self.blank_between(c.span.end, span.start)
        {
            self.out.push('\n');
        }
        print(self);
        self.trailing(span.end);
    }

    fn file(&mut self, f: &RuleFile) {
        let mut prev: Option<(usize, &Item)> = None;
        for item in &f.items {
            let span = self.trim(item_span(item));
            // Declarations of different kinds are set apart by a blank line.
            let kind_changes = prev.is_some_and(|(_, p)| {
                std::mem::discriminant(p) != std::mem::discriminant(item)
                    || matches!(item, Item::Rule(_) | Item::Regime(_))
            });
            if kind_changes && !self.out.is_empty() && !self.out.ends_with("\n\n") {
                self.out.push('\n');
            }
            let leaf = matches!(item, Item::Import(_) | Item::Const(_));
            self.node_in(0, span, prev.map(|(e, _)| e), leaf, |p| p.item(item));
            prev = Some((span.end, item));
        }
        self.leading(0, usize::MAX, prev.map(|(e, _)| e));
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Regime(r) => match &r.meta {
                None => self.line(0, &format!("regime {}", r.name.name)),
                Some(entries) => {
                    self.line(0, &format!("regime {} {{", r.name.name));
                    let mut prev = None;
                    for (k, v) in entries {
                        let span = k.span.join(v.span);
                        self.node(1, span, prev, |p| p.line(1, &format!("{}: {}", k.name, string(&v.value))));
                        prev = Some(span.end);
                    }
                    for e in &r.scope {
                        self.node(1, e.span, prev, |p| p.line(1, &format!("applies_when: {}", flat(e))));
                        prev = Some(e.span.end);
                    }
                    self.leading(1, r.span.end, prev);
                    self.line(0, "}");
                }
            },
            Item::Import(i) => self.line(0, &format!("import {}", string(&i.path.value))),
            Item::Const(c) => self.line(0, &format!("const {} = {}", c.name.name, flat(&c.value))),
            Item::Set(s) => self.set(s),
            Item::Table(t) => {
                self.line(0, &format!("table {} from {} {{", t.name.name, string(&t.path.value)));
                // A comment among the columns stays above the column it precedes.
                let mut prev = None;
                for c in &t.columns {
                    let key = if c.key { "key " } else { "" };
                    let span = c.name.span.join(c.ty.span);
                    self.node(1, span, prev, |p| p.line(1, &format!("{key}{}: {}", c.name.name, c.ty.name)));
                    prev = Some(span.end);
                }
                self.leading(1, t.span.end, prev);
                self.line(0, "}");
            }
            Item::Rule(r) => {
                self.line(0, &format!("rule {} {{", r.id.name));
                let mut prev = None;
                for prop in &r.properties {
                    self.node(1, prop.span, prev, |p| p.property(prop));
                    prev = Some(self.trim(prop.span).end);
                }
                self.leading(1, r.span.end, prev);
                self.line(0, "}");
            }
        }
    }

    fn set(&mut self, s: &SetDecl) {
        let head = format!("set {}: {}", s.name.name, s.elem_type.name);
        match &s.body {
            SetBody::Inline(lit) => {
                let items: Vec<String> = lit_items(lit);
                let one = format!("{head} = {}", braces(&items));
                let commented = self.comments[self.next..].iter().any(|c| c.span.start < lit.span.end);
                if one.len() <= WIDTH && !commented && !self.text[lit.span.start..lit.span.end].contains('\n')
                    || items.is_empty()
                {
                    self.line(0, &one);
                    return;
                }
                self.line(0, &format!("{head} = {{"));
                if commented {
                    // One element per line keeps each comment beside its element.
                    let mut prev = None;
                    for (it, text) in lit.items.iter().zip(&items) {
                        self.node(1, it.span(), prev, |p| p.line(1, &format!("{text},")));
                        prev = Some(it.span().end);
                    }
                    self.leading(1, lit.span.end, prev);
                } else {
                    // Fill lines.
                    let mut line = String::new();
                    for text in &items {
                        let piece = format!("{text},");
                        if !line.is_empty() && INDENT.len() + line.len() + 1 + piece.len() > WIDTH {
                            self.line(1, &line);
                            line.clear();
                        }
                        if !line.is_empty() {
                            line.push(' ');
                        }
                        line.push_str(&piece);
                    }
                    if !line.is_empty() {
                        self.line(1, &line);
                    }
                }
                self.line(0, "}");
            }
            SetBody::File { path, options } => {
                let head = format!("{head} from {}", string(&path.value));
                if options.is_empty() {
                    self.line(0, &head);
                    return;
                }
                self.line(0, &format!("{head} {{"));
                let mut prev = None;
                for o in options {
                    let end = o.cond.as_ref().map_or(o.value.span, |(_, v)| v.span);
                    let span = o.key.span.join(end);
                    let text = match &o.cond {
                        None => format!("{}: {}", o.key.name, string(&o.value.value)),
                        Some((op, v)) => format!(
                            "{}: {} {} {}",
                            o.key.name,
                            string(&o.value.value),
                            if *op == WhereOp::Eq { "==" } else { "!=" },
                            string(&v.value)
                        ),
                    };
                    self.node(1, span, prev, |p| p.line(1, &text));
                    prev = Some(span.end);
                }
                self.leading(1, s.span.end, prev);
                self.line(0, "}");
            }
        }
    }

    fn property(&mut self, prop: &Property) {
        let key = match &prop.name {
            Some(n) => format!("{} {}", prop.key.name, n.name),
            None => prop.key.name.clone(),
        };
        let mut then = prop.then.as_ref().map(|t| format!(" then {}", t.name)).unwrap_or_default();
        if prop.meta.is_some() {
            then.push_str(" {");
        }
        match &prop.value {
            PropValue::Tags(tags) => {
                let t: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
                self.line(1, &format!("{key}: [{}]{then}", t.join(", ")));
            }
            PropValue::Expr(e) => {
                let prefix = format!("{key}: ");
                let col = INDENT.len() + prefix.len();
                let body = expr(e, col, INDENT.len() * 2);
                let mut lines = body.lines();
                let first = lines.next().unwrap_or("");
                let rest: Vec<&str> = lines.collect();
                if rest.is_empty() {
                    self.line(1, &format!("{prefix}{first}{then}"));
                } else {
                    self.line(1, &format!("{prefix}{first}"));
                    let n = rest.len();
                    for (i, l) in rest.into_iter().enumerate() {
                        let suffix = if i + 1 == n { then.as_str() } else { "" };
                        self.out.push_str(l);
                        self.out.push_str(suffix);
                        self.out.push('\n');
                    }
                }
            }
        }
        if let Some(meta) = &prop.meta {
            for (k, v) in meta {
                self.line(2, &format!("{}: {}", k.name, string(&v.value)));
            }
            self.line(1, "}");
        }
    }
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Regime(r) => r.span,
        Item::Import(i) => i.span,
        Item::Set(s) => s.span,
        Item::Table(t) => t.span,
        Item::Const(c) => c.span,
        Item::Rule(r) => r.span,
    }
}

fn braces(items: &[String]) -> String {
    if items.is_empty() { "{}".to_string() } else { format!("{{ {} }}", items.join(", ")) }
}

/// Each element of a set literal with its dates, as written.
fn lit_items(lit: &SetLiteral) -> Vec<String> {
    lit.items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let mut t = set_item(it);
            if let Some(d) = lit.dates.get(i) {
                if let Some((since, _)) = &d.since {
                    t.push_str(&format!(" since {since}"));
                }
                if let Some((until, _, through)) = &d.until {
                    t.push_str(&format!(" {} {until}", if *through { "through" } else { "until" }));
                }
            }
            t
        })
        .collect()
}

fn set_item(it: &SetItem) -> String {
    match it {
        SetItem::Code(c) => c.name.clone(),
        SetItem::Str(s) => string(&s.value),
        SetItem::Range(a, b) => format!("{}..{}", a.name, b.name),
    }
}

/// A string literal, escaped.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression on one line.
pub fn flat(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => string(s),
        ExprKind::Decimal(d) | ExprKind::Date(d) | ExprKind::Name(d) => d.clone(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Set(lit) => braces(&lit_items(lit)),
        ExprKind::Call { func, args } => {
            format!("{}({})", func.name, args.iter().map(flat).collect::<Vec<_>>().join(", "))
        }
        ExprKind::Unary { op: UnaryOp::Not, expr } => format!("not {}", flat(expr)),
        ExprKind::Unary { op: UnaryOp::Neg, expr } => format!("-{}", flat(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("{} {} {}", flat(lhs), op.symbol(), flat(rhs)),
        ExprKind::Quant { kind, var, list, body } => format!(
            "{}({} in {}: {})",
            if *kind == Quantifier::Any { "any" } else { "all" },
            var.name,
            flat(list),
            flat(body)
        ),
        ExprKind::Lookup { table, key, column } => match column {
            LookupColumn::Named(c) => format!("{}[{}].{}", table.name, flat(key), c.name),
            LookupColumn::Dynamic(c) => format!("{}[{}][{}]", table.name, flat(key), flat(c)),
        },
        ExprKind::Paren(inner) => format!("({})", flat(inner)),
        ExprKind::Convert(c) => {
            let mut s = format!("{} as {}", flat(&c.value), c.unit.name);
            if let Some(f) = &c.factor {
                s.push_str(&format!(
                    " with {} {} = {} {}",
                    flat(&f.from_amount),
                    f.from_unit.name,
                    flat(&f.to_amount),
                    f.to_unit.name
                ));
            }
            s
        }
        ExprKind::Matches(m) => {
            let mut s = format!("{} matches list {}", flat(&m.subject), m.list.name);
            match m.programmes.as_deref() {
                Some([one]) => s.push_str(&format!(" programme {}", string(&one.value))),
                Some(many) => s.push_str(&format!(
                    " programme {}",
                    braces(&many.iter().map(|p| string(&p.value)).collect::<Vec<_>>())
                )),
                None => {}
            }
            if let Some(k) = &m.kind {
                s.push_str(&format!(" as {}", k.name));
            }
            if let Some(n) = &m.min_score {
                s.push_str(&format!(" score >= {}", flat(n)));
            }
            s
        }
    }
}

/// The operands of a chain of one logical operator (`a and b and c`).
fn chain(e: &Expr, op: BinOp, out: &mut Vec<Expr>) {
    match &e.kind {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
            chain(lhs, op, out);
            out.push((**rhs).clone());
        }
        _ => out.push(e.clone()),
    }
}

/// An expression starting at column `col`; when it does not fit, a chain
/// of `and`/`or` breaks before each operator, continuation lines at
/// `cont` columns, and a long parenthesised group breaks inside itself.
fn expr(e: &Expr, col: usize, cont: usize) -> String {
    let one = flat(e);
    if col + one.len() <= WIDTH {
        return one;
    }
    match &e.kind {
        ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), .. } => {
            let mut parts = Vec::new();
            chain(e, *op, &mut parts);
            let mut s = expr(&parts[0], col, cont);
            for p in &parts[1..] {
                let lead = format!("{} ", op.symbol());
                s.push('\n');
                s.push_str(&" ".repeat(cont));
                s.push_str(&lead);
                s.push_str(&expr(p, cont + lead.len(), cont + lead.len()));
            }
            s
        }
        ExprKind::Paren(inner) => format!("({})", expr(inner, col + 1, col + 1)),
        ExprKind::Unary { op: UnaryOp::Not, expr: inner } => format!("not {}", expr(inner, col + 4, cont)),
        // A long quantifier body breaks like a condition, one step further in.
        ExprKind::Quant { kind, var, list, body } => {
            let kw = if *kind == Quantifier::Any { "any" } else { "all" };
            let head = format!("{kw}({} in {}: ", var.name, flat(list));
            format!("{head}{})", expr(body, col + head.len(), cont + INDENT.len()))
        }
        _ => one,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format(&SourceFile::new("t.cordon", "t.cordon", text)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn canonical_layout() {
        let src = "regime   R{title:\"T\"}\nset S:country={KP,CN}\nrule A{title:\"a\" cite:\"c\" severity:block when:origin in S and(hs_code in {2701}or present(license)) unless: present(license)then review tags:[x,y]}";
        assert_eq!(
            fmt(src),
            "regime R {\n  title: \"T\"\n}\n\nset S: country = { KP, CN }\n\nrule A {\n  title: \"a\"\n  cite: \"c\"\n  severity: block\n  when: origin in S and (hs_code in { 2701 } or present(license))\n  unless: present(license) then review\n  tags: [x, y]\n}\n"
        );
    }

    #[test]
    fn a_long_quantifier_breaks_inside_its_body() {
        let src = "regime R\nrule A { title: \"a\" cite: \"c\" severity: block when: present(eccn) and any(e in eccn: e in CCL_PARAGRAPHS and (CCL_PARAGRAPHS[e].licence_worldwide == \"yes\" or any(d in CCL_PARAGRAPHS[e].licence_destinations: d == destination))) }";
        let out = fmt(src);
        assert!(
            out.contains(
                "  when: present(eccn)\n    and any(e in eccn: e in CCL_PARAGRAPHS\n          and (CCL_PARAGRAPHS[e]"
            ),
            "{out}"
        );
        assert!(out.lines().all(|l| l.len() <= 110), "{out}");
        assert_eq!(fmt(&out), out, "idempotent");
    }

    #[test]
    fn comments_are_kept() {
        let src = "// header\nregime R\n\n// the set\nset S: country = { KP } // trailing\nrule A {\n  // before title\n  title: \"a\" // after title\n  severity: block\n  when: origin in S // why\n  // dangling at the end\n}\n// end of file\n";
        let out = fmt(src);
        for c in [
            "// header",
            "// the set",
            "// trailing",
            "// before title",
            "// after title",
            "// why",
            "// dangling at the end",
            "// end of file",
        ] {
            assert!(out.contains(c), "{c} lost:\n{out}");
        }
        assert!(out.contains("set S: country = { KP }  // trailing\n"), "{out}");
        assert!(out.contains("  title: \"a\"  // after title\n"), "{out}");
        assert_eq!(fmt(&out), out, "idempotent");
    }

    #[test]
    fn comments_among_table_columns_stay_in_place() {
        let src = "regime R\n\ntable T from \"t.csv\" {\n  key k: string\n  // about a\n  a: string  // after a\n  b: list<country>\n  // at the end\n}\n";
        let out = fmt(src);
        assert_eq!(out, src, "{out}");
        assert_eq!(fmt(&out), out, "idempotent");
    }

    #[test]
    fn long_conditions_break_before_operators() {
        let long = "rule A { when: origin in DPRK_COUNTRIES and (hs_code in COAL_AND_LIGNITE or hs_code in IRON_ORE_AND_CONCENTRATES or hs_code in PIG_IRON) and date >= 2017-08-05 }";
        let out = fmt(long);
        assert!(out.lines().all(|l| l.len() <= WIDTH), "{out}");
        assert!(out.contains("\n    and (hs_code in COAL_AND_LIGNITE"), "{out}");
        assert_eq!(fmt(&out), out);
        assert_eq!(
            parse(&SourceFile::new("a", "a", long)).unwrap(),
            parse(&SourceFile::new("b", "b", out.as_str())).unwrap()
        );
    }
}
