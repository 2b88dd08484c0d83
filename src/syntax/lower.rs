//! From pest pairs to the syntax tree: one `lower_<rule>` function per
//! grammar rule, and the operator-precedence table.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::error::ParseError;
use super::grammar::Rule;
use crate::source::{SourceFile, Span};

/// Most operators and operands in one expression.
pub const MAX_EXPR_TERMS: usize = 512;
/// Deepest expression tree accepted.
pub const MAX_EXPR_DEPTH: usize = 256;

/// Operator precedence, lowest first:
/// `or` < `and` < `not` < `matches list` < comparisons and `in`/`contains`/… < `+ -` < `* /` < unary `-` < `as UNIT`.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::postfix(Rule::op_matches))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_contains_word, Assoc::Left)
            | Op::infix(Rule::op_starts_with, Assoc::Left)
            | Op::infix(Rule::op_ends_with, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::op_as))
});

type Result<T> = std::result::Result<T, ParseError>;

/// Lowers the pairs of a whole file.
pub(crate) struct Lowerer<'s> {
    pub src: &'s SourceFile,
}

fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident(p: Pair<'_, Rule>) -> Ident {
    Ident { name: p.as_str().to_string(), span: span(&p) }
}

impl<'s> Lowerer<'s> {
    pub fn lower_file(&self, file: Pair<'_, Rule>) -> Result<RuleFile> {
        let mut items = Vec::new();
        for p in file.into_inner() {
            let item = match p.as_rule() {
                Rule::regime_decl => Item::Regime(self.lower_regime_decl(p)?),
                Rule::import_decl => Item::Import(self.lower_import_decl(p)?),
                Rule::set_decl => Item::Set(self.lower_set_decl(p)?),
                Rule::table_decl => Item::Table(self.lower_table_decl(p)?),
                Rule::const_decl => Item::Const(self.lower_const_decl(p)?),
                Rule::rule_decl => Item::Rule(self.lower_rule_decl(p)?),
                Rule::EOI => continue,
                r => unreachable!("file: unexpected {r:?}"),
            };
            items.push(item);
        }
        Ok(RuleFile { items })
    }

    fn lower_regime_decl(&self, p: Pair<'_, Rule>) -> Result<RegimeDecl> {
        let sp = span(&p);
        let mut inner = p.into_inner().skip(1);
        let name = ident(inner.next().expect("regime_decl: name"));
        let (mut meta, mut scope) = (None, Vec::new());
        if let Some(block) = inner.next() {
            let mut entries = Vec::new();
            for e in block.into_inner() {
                match e.as_rule() {
                    Rule::meta_entry => {
                        let mut kv = e.into_inner();
                        let k = ident(kv.next().expect("meta_entry: key"));
                        entries.push((k, self.lower_string(kv.next().expect("meta_entry: value"))?));
                    }
                    Rule::regime_scope => {
                        let x = e.into_inner().find(|x| x.as_rule() == Rule::expr).expect("regime_scope: expr");
                        scope.push(self.lower_expr(x)?);
                    }
                    _ => {}
                }
            }
            meta = Some(entries);
        }
        Ok(RegimeDecl { name, meta, scope, span: sp })
    }

    fn lower_import_decl(&self, p: Pair<'_, Rule>) -> Result<ImportDecl> {
        let sp = span(&p);
        let path = self.lower_string(p.into_inner().nth(1).expect("import_decl: path"))?;
        Ok(ImportDecl { path, span: sp })
    }

    fn lower_set_decl(&self, p: Pair<'_, Rule>) -> Result<SetDecl> {
        let sp = span(&p);
        let mut inner = p.into_inner().skip(1);
        let name = ident(inner.next().expect("set_decl: name"));
        let elem_type = ident(inner.next().expect("set_decl: type"));
        let body_pair = inner.next().expect("set_decl: body");
        let body = match body_pair.as_rule() {
            Rule::set_inline => {
                SetBody::Inline(self.lower_set_literal(body_pair.into_inner().next().expect("set_inline: literal"))?)
            }
            Rule::set_file => {
                let mut it = body_pair.into_inner().skip(1);
                let path = self.lower_string(it.next().expect("set_file: path"))?;
                let mut options = Vec::new();
                if let Some(opts) = it.next() {
                    for o in opts.into_inner().filter(|o| o.as_rule() == Rule::file_option) {
                        let mut kv = o.into_inner();
                        let key = ident(kv.next().expect("file_option: key"));
                        let value = self.lower_string(kv.next().expect("file_option: value"))?;
                        let cond = match kv.next() {
                            Some(op) => {
                                let op = if op.as_str() == "==" { WhereOp::Eq } else { WhereOp::Ne };
                                Some((op, self.lower_string(kv.next().expect("file_option: where value"))?))
                            }
                            None => None,
                        };
                        options.push(FileOption { key, value, cond });
                    }
                }
                SetBody::File { path, options }
            }
            r => unreachable!("set_decl: unexpected {r:?}"),
        };
        Ok(SetDecl { name, elem_type, body, span: sp })
    }

    fn lower_table_decl(&self, p: Pair<'_, Rule>) -> Result<TableDecl> {
        let sp = span(&p);
        let mut inner = p.into_inner().skip(1);
        let name = ident(inner.next().expect("table_decl: name"));
        let _from = inner.next();
        let path = self.lower_string(inner.next().expect("table_decl: path"))?;
        let mut columns = Vec::new();
        for c in inner.filter(|c| c.as_rule() == Rule::table_column) {
            let mut key = false;
            let mut parts = Vec::new();
            for x in c.into_inner() {
                match x.as_rule() {
                    Rule::table_key => key = true,
                    _ => parts.push(ident(x)),
                }
            }
            let mut parts = parts.into_iter();
            let name = parts.next().expect("table_column: name");
            let ty = parts.next().expect("table_column: type");
            columns.push(TableColumn { key, name, ty });
        }
        Ok(TableDecl { name, path, columns, span: sp })
    }

    fn lower_lookup(&self, p: Pair<'_, Rule>) -> Result<ExprKind> {
        let mut it = p.into_inner();
        let table = ident(it.next().expect("lookup: table"));
        let key = self.lower_expr(it.next().expect("lookup: key"))?;
        let col =
            it.find(|c| matches!(c.as_rule(), Rule::lookup_column | Rule::lookup_dynamic)).expect("lookup: column");
        let column = match col.as_rule() {
            Rule::lookup_column => LookupColumn::Named(ident(col.into_inner().next().expect("lookup_column: name"))),
            _ => LookupColumn::Dynamic(Box::new(
                self.lower_expr(col.into_inner().find(|x| x.as_rule() == Rule::expr).expect("lookup_dynamic: expr"))?,
            )),
        };
        Ok(ExprKind::Lookup { table, key: Box::new(key), column })
    }

    fn lower_set_literal(&self, p: Pair<'_, Rule>) -> Result<SetLiteral> {
        let sp = span(&p);
        let (mut items, mut dates) = (Vec::new(), Vec::<ItemDates>::new());
        for it in p.into_inner().filter(|i| !matches!(i.as_rule(), Rule::comma | Rule::rbrace)) {
            let rule = it.as_rule();
            if matches!(rule, Rule::item_since | Rule::item_until) {
                let kw = it.clone().into_inner().next().map(|k| k.as_rule());
                let d = it.into_inner().find(|x| x.as_rule() == Rule::date).expect("item dates: date");
                let written = (d.as_str().to_string(), span(&d));
                if let Some(last) = dates.last_mut() {
                    if rule == Rule::item_since {
                        last.since = Some(written);
                    } else {
                        last.until = Some((written.0, written.1, kw == Some(Rule::kw_through)));
                    }
                }
                continue;
            }
            dates.push(ItemDates::default());
            items.push(match rule {
                Rule::code => SetItem::Code(ident(it)),
                Rule::string => SetItem::Str(self.lower_string(it)?),
                Rule::code_range => {
                    let mut r = it.into_inner();
                    let a = ident(r.next().expect("code_range: first"));
                    let b = ident(r.next().expect("code_range: last"));
                    SetItem::Range(a, b)
                }
                r => unreachable!("set_literal: unexpected {r:?}"),
            });
        }
        Ok(SetLiteral { items, dates, span: sp })
    }

    fn lower_const_decl(&self, p: Pair<'_, Rule>) -> Result<ConstDecl> {
        let sp = span(&p);
        let mut inner = p.into_inner().skip(1);
        let name = ident(inner.next().expect("const_decl: name"));
        let value = self.lower_primary(inner.next().expect("const_decl: value"))?;
        Ok(ConstDecl { name, value, span: sp })
    }

    fn lower_rule_decl(&self, p: Pair<'_, Rule>) -> Result<RuleDecl> {
        let sp = span(&p);
        let mut inner = p.into_inner().skip(1);
        let id = ident(inner.next().expect("rule_decl: id"));
        let mut properties = Vec::new();
        for prop in inner.filter(|p| p.as_rule() == Rule::property) {
            properties.push(self.lower_property(prop)?);
        }
        Ok(RuleDecl { id, properties, span: sp })
    }

    fn lower_property(&self, p: Pair<'_, Rule>) -> Result<Property> {
        let sp = span(&p);
        let mut inner = p.into_inner().peekable();
        let key = ident(inner.next().expect("property: key"));
        let name = match inner.peek().map(|n| n.as_rule()) {
            Some(Rule::exemption_name) => inner.next().and_then(|n| n.into_inner().next()).map(ident),
            _ => None,
        };
        let v = inner.next().expect("property: value");
        let value = match v.as_rule() {
            Rule::tag_list => PropValue::Tags(v.into_inner().filter(|t| t.as_rule() == Rule::tag).map(ident).collect()),
            Rule::expr => PropValue::Expr(self.lower_expr(v)?),
            r => unreachable!("property: unexpected {r:?}"),
        };
        let (mut then, mut meta) = (None, None);
        for rest in inner {
            match rest.as_rule() {
                Rule::then_clause => then = Some(ident(rest.into_inner().nth(1).expect("then_clause: severity"))),
                Rule::meta_block => meta = Some(self.lower_meta_block(rest)?),
                r => unreachable!("property: unexpected {r:?}"),
            }
        }
        Ok(Property { key, name, value, then, meta, span: sp })
    }

    fn lower_meta_block(&self, p: Pair<'_, Rule>) -> Result<Vec<(Ident, StrLit)>> {
        let mut entries = Vec::new();
        for e in p.into_inner().filter(|e| e.as_rule() == Rule::meta_entry) {
            let mut kv = e.into_inner();
            let k = ident(kv.next().expect("meta_entry: key"));
            let v = self.lower_string(kv.next().expect("meta_entry: value"))?;
            entries.push((k, v));
        }
        Ok(entries)
    }

    /// Lowers an expression with the Pratt table.
    pub fn lower_expr(&self, p: Pair<'_, Rule>) -> Result<Expr> {
        let sp = span(&p);
        let pairs = p.into_inner();
        if pairs.len() > MAX_EXPR_TERMS {
            return Err(ParseError::TooDeep { limit: MAX_EXPR_TERMS, src: self.src.named(), span: sp.into() });
        }
        let expr = PRATT
            .map_primary(|p| self.lower_primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let op_span = span(&op);
                let op = match op.as_rule() {
                    Rule::op_not => UnaryOp::Not,
                    Rule::op_neg => UnaryOp::Neg,
                    r => unreachable!("prefix: unexpected {r:?}"),
                };
                Ok(Expr { span: op_span.join(rhs.span), kind: ExprKind::Unary { op, expr: Box::new(rhs) } })
            })
            .map_postfix(|lhs, op| {
                let subject = lhs?;
                let op_span = span(&op);
                if op.as_rule() == Rule::op_as {
                    return self.lower_conversion(subject, op);
                }
                let mut it = op.into_inner().skip(2);
                let list = ident(it.next().expect("op_matches: list"));
                let (mut kind, mut min_score, mut programmes) = (None, None, None);
                for clause in it {
                    match clause.as_rule() {
                        Rule::screen_programme => {
                            let v = clause.into_inner().nth(1).expect("screen_programme: value");
                            let mut list = Vec::new();
                            if v.as_rule() == Rule::string {
                                list.push(self.lower_string(v)?);
                            } else {
                                for item in self.lower_set_literal(v)?.items {
                                    match item {
                                        SetItem::Str(s) => list.push(s),
                                        SetItem::Code(c) => list.push(StrLit { value: c.name, span: c.span }),
                                        SetItem::Range(a, b) => {
                                            return Err(ParseError::syntax_at(
                                                self.src,
                                                a.span.join(b.span),
                                                "a programme name, in quotes",
                                            ));
                                        }
                                    }
                                }
                            }
                            programmes = Some(list);
                        }
                        Rule::screen_kind => {
                            kind = Some(ident(clause.into_inner().nth(1).expect("screen_kind: kind")));
                        }
                        Rule::screen_score => {
                            min_score = Some(self.lower_primary(clause.into_inner().nth(1).expect("screen_score: n"))?);
                        }
                        r => unreachable!("op_matches: unexpected {r:?}"),
                    }
                }
                Ok(Expr {
                    span: subject.span.join(op_span),
                    kind: ExprKind::Matches(Box::new(Screening { subject, list, programmes, kind, min_score })),
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = match op.as_rule() {
                    Rule::op_or => BinOp::Or,
                    Rule::op_and => BinOp::And,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_in => BinOp::In,
                    Rule::op_not_in => BinOp::NotIn,
                    Rule::op_contains => BinOp::Contains,
                    Rule::op_contains_word => BinOp::ContainsWord,
                    Rule::op_starts_with => BinOp::StartsWith,
                    Rule::op_ends_with => BinOp::EndsWith,
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    r => unreachable!("infix: unexpected {r:?}"),
                };
                Ok(Expr {
                    span: lhs.span.join(rhs.span),
                    kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                })
            })
            .parse(pairs)?;
        if depth(&expr) > MAX_EXPR_DEPTH {
            return Err(ParseError::TooDeep { limit: MAX_EXPR_DEPTH, src: self.src.named(), span: sp.into() });
        }
        Ok(expr)
    }

    /// `value as UNIT [with A U1 = B U2]`.
    fn lower_conversion(&self, value: Expr, op: Pair<'_, Rule>) -> Result<Expr> {
        let op_span = span(&op);
        let mut it = op.into_inner().skip(1);
        let unit = ident(it.next().expect("op_as: unit"));
        let factor = match it.next() {
            Some(f) => {
                let mut f = f.into_inner().skip(1);
                let from_amount = self.lower_primary(f.next().expect("convert_factor: amount"))?;
                let from_unit = ident(f.next().expect("convert_factor: unit"));
                let to_amount = self.lower_primary(f.next().expect("convert_factor: amount"))?;
                let to_unit = ident(f.next().expect("convert_factor: unit"));
                Some(ConversionFactor { from_amount, from_unit, to_amount, to_unit })
            }
            None => None,
        };
        Ok(Expr {
            span: value.span.join(op_span),
            kind: ExprKind::Convert(Box::new(Conversion { value, unit, factor })),
        })
    }

    fn lower_primary(&self, p: Pair<'_, Rule>) -> Result<Expr> {
        let sp = span(&p);
        let kind = match p.as_rule() {
            Rule::paren => ExprKind::Paren(Box::new(self.lower_expr(p.into_inner().next().expect("paren: expr"))?)),
            Rule::quantifier => {
                let mut it = p.into_inner();
                let kind = match it.next().expect("quantifier: kind").as_str() {
                    "any" => Quantifier::Any,
                    _ => Quantifier::All,
                };
                let var = ident(it.next().expect("quantifier: var"));
                let _in = it.next();
                let l = it.next().expect("quantifier: list");
                let list = match l.as_rule() {
                    Rule::lookup => Expr { span: span(&l), kind: self.lower_lookup(l)? },
                    _ => {
                        let id = ident(l);
                        Expr { span: id.span, kind: ExprKind::Name(id.name) }
                    }
                };
                let list = Box::new(list);
                let body = self.lower_expr(it.next().expect("quantifier: body"))?;
                ExprKind::Quant { kind, var, list, body: Box::new(body) }
            }
            Rule::call => {
                let mut it = p.into_inner();
                let func = ident(it.next().expect("call: name"));
                let args =
                    it.filter(|a| a.as_rule() == Rule::expr).map(|a| self.lower_expr(a)).collect::<Result<Vec<_>>>()?;
                ExprKind::Call { func, args }
            }
            Rule::set_literal => ExprKind::Set(self.lower_set_literal(p)?),
            Rule::lookup => self.lower_lookup(p)?,
            Rule::date => ExprKind::Date(p.as_str().to_string()),
            Rule::decimal => ExprKind::Decimal(p.as_str().to_string()),
            Rule::string => ExprKind::Str(self.lower_string(p)?.value),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::name => ExprKind::Name(p.as_str().to_string()),
            r => unreachable!("primary: unexpected {r:?}"),
        };
        Ok(Expr { kind, span: sp })
    }

    /// Unescapes a string literal.
    pub fn lower_string(&self, p: Pair<'_, Rule>) -> Result<StrLit> {
        let sp = span(&p);
        let inner = p.into_inner().next().map(|i| (i.as_str(), span(&i).start)).unwrap_or(("", sp.start + 1));
        let (raw, base) = inner;
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let bad = |len: usize| {
                ParseError::bad_escape(
                    self.src,
                    raw[i..(i + len).min(raw.len())].to_string(),
                    Span::new(base + i, base + i + len),
                )
            };
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'u')) => {
                    let rest = &raw[i + 2..];
                    let close = rest.find('}');
                    let code = match (rest.starts_with('{'), close) {
                        (true, Some(end)) => u32::from_str_radix(&rest[1..end], 16).ok().and_then(char::from_u32),
                        _ => None,
                    };
                    match (code, close) {
                        (Some(ch), Some(end)) => {
                            out.push(ch);
                            for _ in 0..end + 1 {
                                chars.next();
                            }
                        }
                        _ => return Err(bad(2 + close.map_or(0, |e| e + 1))),
                    }
                }
                Some((_, other)) => return Err(bad(1 + other.len_utf8())),
                None => return Err(bad(1)),
            }
        }
        Ok(StrLit { value: out, span: sp })
    }
}

/// Depth of an expression tree.
pub fn depth(e: &Expr) -> usize {
    1 + match &e.kind {
        ExprKind::Unary { expr, .. } | ExprKind::Paren(expr) => depth(expr),
        ExprKind::Binary { lhs, rhs, .. } => depth(lhs).max(depth(rhs)),
        ExprKind::Quant { list, body, .. } => depth(list).max(depth(body)),
        ExprKind::Lookup { key, column, .. } => depth(key).max(match column {
            LookupColumn::Dynamic(c) => depth(c),
            LookupColumn::Named(_) => 0,
        }),
        ExprKind::Matches(m) => depth(&m.subject),
        ExprKind::Convert(c) => depth(&c.value),
        ExprKind::Call { args, .. } => args.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
