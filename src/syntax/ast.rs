//! The syntax tree of a rule file. Every node keeps its span; spans never
//! take part in equality (see [`crate::source::Span`]). Literals stay as
//! written: the checker gives them meaning and reports bad ones.

use crate::source::Span;

/// A name with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The value, escapes resolved.
    pub value: String,
    /// Where it was written (quotes included).
    pub span: Span,
}

/// A parsed rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFile {
    /// Declarations in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `regime NAME { … }`.
    Regime(RegimeDecl),
    /// `import "path"`.
    Import(ImportDecl),
    /// `set NAME: type …`.
    Set(SetDecl),
    /// `table NAME from "file" { … }`.
    Table(TableDecl),
    /// `const NAME = literal`.
    Const(ConstDecl),
    /// `rule ID { … }`.
    Rule(RuleDecl),
}

/// `regime UN_DPRK { title: "…" }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegimeDecl {
    /// Regime name.
    pub name: Ident,
    /// Metadata, when the body is given.
    pub meta: Option<Vec<(Ident, StrLit)>>,
    /// `applies_when: <condition>`: the records the regime applies to (each
    /// one written, in order; more than one is an error the checker reports).
    pub scope: Vec<Expr>,
    /// The whole declaration.
    pub span: Span,
}

/// `import "../common/countries.cordon"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDecl {
    /// The path, relative to this file.
    pub path: StrLit,
    /// The whole declaration.
    pub span: Span,
}

/// `set NAME: type = { … }` or `set NAME: type from "file" { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetDecl {
    /// Set name.
    pub name: Ident,
    /// Element type as written (`country`, `hs`, `string`, `name`).
    pub elem_type: Ident,
    /// Where the elements come from.
    pub body: SetBody,
    /// The whole declaration.
    pub span: Span,
}

/// The elements of a set.
#[derive(Debug, Clone, PartialEq)]
pub enum SetBody {
    /// Written in the rule file.
    Inline(SetLiteral),
    /// Loaded from a CSV or YAML data file.
    File {
        /// Path relative to the pack's data directory.
        path: StrLit,
        /// `column`, `since`, `ref`, `where` options.
        options: Vec<FileOption>,
    },
}

/// `table CHART from "./data/country-chart.csv" { key iso2: country  NS1: string }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDecl {
    /// Table name.
    pub name: Ident,
    /// The data file.
    pub path: StrLit,
    /// Its columns, the key among them.
    pub columns: Vec<TableColumn>,
    /// The whole declaration.
    pub span: Span,
}

/// One column of a table: `key iso2: country`, `NS1: string`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// Whether it is the key column.
    pub key: bool,
    /// Its name, as in the file's header.
    pub name: Ident,
    /// Its type as written (`string`, `list<string>`).
    pub ty: Ident,
}

/// The column of a table lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupColumn {
    /// `.NS1`.
    Named(Ident),
    /// `[r]`: the column a value names.
    Dynamic(Box<Expr>),
}

/// `{ KP, 2701, "text", 50..63 }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetLiteral {
    /// Elements in source order.
    pub items: Vec<SetItem>,
    /// The listing dates of each element (parallel to `items`).
    pub dates: Vec<ItemDates>,
    /// The braces and everything between.
    pub span: Span,
}

/// The dates an element of a set literal is listed:
/// `7208.10 since 2022-03-16 until 2024-01-01`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemDates {
    /// `since DATE`: the first day listed (inclusive), as written.
    pub since: Option<(String, Span)>,
    /// `until DATE` (first day no longer listed) or `through DATE` (last day
    /// listed, `true`), as written.
    pub until: Option<(String, Span, bool)>,
}

/// One element of a set literal.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// A bare code (`KP`, `2710.12`).
    Code(Ident),
    /// A quoted string.
    Str(StrLit),
    /// `first..last`.
    Range(Ident, Ident),
}

impl SetItem {
    /// Where the element was written.
    pub fn span(&self) -> Span {
        match self {
            SetItem::Code(c) => c.span,
            SetItem::Str(s) => s.span,
            SetItem::Range(a, b) => a.span.join(b.span),
        }
    }
}

/// An option of a file-backed set.
#[derive(Debug, Clone, PartialEq)]
pub struct FileOption {
    /// `column`, `since`, `ref` or `where`.
    pub key: Ident,
    /// The value (a column name).
    pub value: StrLit,
    /// For `where`: the comparison and the value compared with.
    pub cond: Option<(WhereOp, StrLit)>,
}

/// Comparison in a `where` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhereOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
}

/// `const NAME = literal`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstDecl {
    /// Constant name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole declaration.
    pub span: Span,
}

/// `rule ID { properties }`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    /// The rule id.
    pub id: Ident,
    /// Properties in source order.
    pub properties: Vec<Property>,
    /// The whole declaration.
    pub span: Span,
}

/// `key: value` inside a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Property name (`title`, `when`, …).
    pub key: Ident,
    /// The exemption's name, for `unless NAME: …`.
    pub name: Option<Ident>,
    /// Its value.
    pub value: PropValue,
    /// `then review` after an `unless` expression.
    pub then: Option<Ident>,
    /// `{ cite: "…" message: "…" }` after an `unless` expression.
    pub meta: Option<Vec<(Ident, StrLit)>>,
    /// The whole property.
    pub span: Span,
}

/// A property value.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    /// An expression (string and date literals are expressions too).
    Expr(Expr),
    /// `[tag, tag]`.
    Tags(Vec<Ident>),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A string literal.
    Str(String),
    /// A number as written.
    Decimal(String),
    /// A date as written.
    Date(String),
    /// `true` / `false`.
    Bool(bool),
    /// A field, set, constant or bound variable.
    Name(String),
    /// An inline set.
    Set(SetLiteral),
    /// `f(args)`.
    Call {
        /// Function name.
        func: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `not e`, `-e`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `TABLE[key].column` / `TABLE[key][value]`.
    Lookup {
        /// The table.
        table: Ident,
        /// The key looked up.
        key: Box<Expr>,
        /// The column read.
        column: LookupColumn,
    },
    /// `any(x in list: body)` / `all(…)`.
    Quant {
        /// `any` or `all`.
        kind: Quantifier,
        /// The bound variable.
        var: Ident,
        /// The list: a field or group (a name), or a table's list column (a lookup).
        list: Box<Expr>,
        /// The condition.
        body: Box<Expr>,
    },
    /// `( e )`, kept so the formatter can respect the author's grouping.
    Paren(Box<Expr>),
    /// `e matches list NAME [as KIND] [score >= N]`.
    Matches(Box<Screening>),
    /// `e as UNIT [with A U1 = B U2]`.
    Convert(Box<Conversion>),
}

/// A unit conversion: `quantity as bbl with 1 t = 6.35 bbl`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The quantity converted.
    pub value: Expr,
    /// The unit it is converted into.
    pub unit: Ident,
    /// `with A U1 = B U2`: a factor between two dimensions.
    pub factor: Option<ConversionFactor>,
}

/// `A U1 = B U2` (numbers or constants).
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionFactor {
    /// The left amount.
    pub from_amount: Expr,
    /// The left unit.
    pub from_unit: Ident,
    /// The right amount.
    pub to_amount: Expr,
    /// The right unit.
    pub to_unit: Ident,
}

/// A screening test: `seller matches list UN_SC as party score >= 0.9`.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    /// The name (or IMO number) screened.
    pub subject: Expr,
    /// The list.
    pub list: Ident,
    /// `programme "DPRK"` / `programme { "DPRK", "DPRK3" }`: only entries of these programmes.
    pub programmes: Option<Vec<StrLit>>,
    /// `as party`: which kinds of entries count.
    pub kind: Option<Ident>,
    /// `score >= N`: the lowest score that counts (a number or a constant).
    pub min_score: Option<Expr>,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `contains`.
    Contains,
    /// `contains word`.
    ContainsWord,
    /// `starts with`.
    StartsWith,
    /// `ends with`.
    EndsWith,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Contains => "contains",
            BinOp::ContainsWord => "contains word",
            BinOp::StartsWith => "starts with",
            BinOp::EndsWith => "ends with",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter (matches the Pratt table).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::NotIn
            | BinOp::Contains
            | BinOp::ContainsWord
            | BinOp::StartsWith
            | BinOp::EndsWith => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }
}

/// `any` or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// At least one element.
    Any,
    /// Every element.
    All,
}
