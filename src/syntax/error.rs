//! Syntax errors, with friendly names for grammar rules.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::grammar::Rule;
use crate::source::{SourceFile, Span};

/// A rule file that does not follow the grammar.
#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    /// The text does not match the grammar here.
    #[error("{message}")]
    #[diagnostic(code(cordon::syntax::unexpected))]
    Syntax {
        /// What was expected.
        message: String,
        /// The rule file.
        #[source_code]
        src: crate::source::Src,
        /// Where parsing stopped.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// Advice.
        #[help]
        help: Option<String>,
    },
    /// A string escape that does not exist.
    #[error("unknown escape `{escape}` in a string")]
    #[diagnostic(code(cordon::syntax::escape), help("escapes are \\\", \\\\, \\n, \\t and \\u{{…}}"))]
    BadEscape {
        /// The escape as written.
        escape: String,
        /// The rule file.
        #[source_code]
        src: crate::source::Src,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },
    /// Expressions nested deeper than the limit.
    #[error("expression nested deeper than {limit} levels")]
    #[diagnostic(code(cordon::syntax::too_deep), help("split the condition into simpler parts"))]
    TooDeep {
        /// The limit.
        limit: usize,
        /// The rule file.
        #[source_code]
        src: crate::source::Src,
        /// Where.
        #[label("too deep")]
        span: SourceSpan,
    },
    /// The rule file is larger than the limit.
    #[error("rule file is {size} bytes, more than the limit of {limit}")]
    #[diagnostic(code(cordon::syntax::too_large))]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
        /// The rule file.
        #[source_code]
        src: crate::source::Src,
    },
}

impl ParseError {
    /// The span the error points at, if any.
    pub fn span(&self) -> Option<SourceSpan> {
        match self {
            ParseError::Syntax { span, .. } | ParseError::BadEscape { span, .. } | ParseError::TooDeep { span, .. } => {
                Some(*span)
            }
            ParseError::TooLarge { .. } => None,
        }
    }

    /// A syntax error at `span`: `expected` is what should be there.
    pub(crate) fn syntax_at(src: &SourceFile, span: Span, expected: &str) -> Self {
        let found = src.text.get(span.start..span.end).unwrap_or("").to_string();
        ParseError::Syntax {
            message: format!("unexpected `{found}`, expected {expected}"),
            src: src.named(),
            span: span.into(),
            label: format!("expected {expected}"),
            help: None,
        }
    }

    pub(crate) fn bad_escape(src: &SourceFile, escape: String, span: Span) -> Self {
        ParseError::BadEscape { escape, src: src.named(), span: span.into() }
    }

    pub(crate) fn from_pest(src: &SourceFile, err: pest::error::Error<Rule>) -> Self {
        let pos = match err.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let found = token_at(&src.text, pos);
        let expected: Vec<&str> = match &err.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => {
                let mut v: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
                v.sort_unstable();
                v.dedup();
                v
            }
            pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
        };
        let expected_text = match expected.as_slice() {
            [] => "something else".to_string(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        };
        let (message, label) = if found.is_empty() {
            (format!("unexpected end of file, expected {expected_text}"), "file ends here".to_string())
        } else {
            (format!("unexpected `{found}`, expected {expected_text}"), format!("expected {expected_text}"))
        };
        let help = help_for(&found, &expected);
        ParseError::Syntax {
            message,
            src: src.named(),
            span: (pos, found.len().max(if found.is_empty() { 0 } else { 1 })).into(),
            label,
            help,
        }
    }
}

/// The token starting at `pos`, for messages.
fn token_at(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.chars();
    let Some(first) = chars.next() else { return String::new() };
    if first.is_alphanumeric() || first == '_' {
        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '-').collect()
    } else if first == '"' {
        let end = rest[1..].find(['"', '\n']).map_or(rest.len(), |i| i + 2).min(40);
        rest.get(..end).unwrap_or(&rest[..1]).to_string()
    } else {
        first.to_string()
    }
}

fn help_for(found: &str, expected: &[&str]) -> Option<String> {
    match found {
        "=" if expected.contains(&"an operator") => Some("compare with `==`".into()),
        "&&" | "&" => Some("write `and`".into()),
        "||" | "|" => Some("write `or`".into()),
        "!" => Some("write `not`, or `!=` to compare".into()),
        "'" => Some("strings use double quotes".into()),
        _ if found.starts_with('"') && !found.ends_with('"') || found == "\"" => {
            Some("a string must end on the line it starts".into())
        }
        _ => None,
    }
}

/// Words for grammar rules, as users know them.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::item | Rule::regime_decl | Rule::import_decl | Rule::set_decl | Rule::const_decl | Rule::rule_decl => {
            "a declaration (`regime`, `import`, `set`, `const` or `rule`)"
        }
        Rule::kw_regime => "`regime`",
        Rule::kw_import => "`import`",
        Rule::kw_set => "`set`",
        Rule::kw_const => "`const`",
        Rule::kw_rule => "`rule`",
        Rule::kw_from => "`from`",
        Rule::kw_then => "`then`",
        Rule::meta_block | Rule::file_options => "`{`",
        Rule::meta_entry | Rule::file_option => "`key: \"value\"`",
        Rule::set_inline => "`=`",
        Rule::set_file => "`from`",
        Rule::set_literal => "a set `{ … }`",
        Rule::code | Rule::code_range => "a code",
        Rule::rule_id => "a rule id",
        Rule::property => "a property such as `when:`",
        Rule::then_clause => "`then review`",
        Rule::tag_list => "`[tags]`",
        Rule::tag => "a tag",
        Rule::expr | Rule::primary | Rule::paren | Rule::quantifier | Rule::call | Rule::name => "an expression",
        Rule::op_not | Rule::op_neg => "an expression",
        Rule::op_or
        | Rule::op_and
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_contains
        | Rule::op_contains_word
        | Rule::op_starts_with
        | Rule::op_ends_with
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_matches
        | Rule::op_as => "an operator",
        Rule::convert_factor => "`with`",
        Rule::exemption_name => "a name",
        Rule::kw_list => "`list`",
        Rule::screen_programme | Rule::kw_programme => "`programme`",
        Rule::screen_kind | Rule::kw_as => "`as`",
        Rule::screen_score | Rule::kw_score => "`score`",
        Rule::date => "a date",
        Rule::decimal => "a number",
        Rule::string | Rule::string_inner => "a string",
        Rule::boolean => "`true` or `false`",
        Rule::ident => "a name",
        Rule::where_op => "`==` or `!=`",
        Rule::comma => "`,`",
        Rule::rbrace => "`}`",
        Rule::rparen => "`)`",
        Rule::rbracket => "`]`",
        _ => return None,
    })
}
