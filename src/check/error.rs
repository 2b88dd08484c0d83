//! Problems the static checker finds in a rule set.

use miette::{Diagnostic, LabeledSpan, SourceCode};
use thiserror::Error;

use crate::source::{SourceFile, Span};

/// What kind of problem; each has a stable diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckErrorKind {
    /// A name that is not a field.
    UnknownField,
    /// A set that does not exist.
    UnknownSet,
    /// A name that is no field, set, constant or variable.
    UnknownName,
    /// A function that does not exist.
    UnknownFunction,
    /// A name defined in another file that this file does not import.
    NotImported,
    /// Operand types do not fit the operator.
    TypeMismatch,
    /// Wrong number of arguments.
    Arity,
    /// Two rules share an id.
    DuplicateRuleId,
    /// Two sets or constants share a name.
    DuplicateName,
    /// A value that does not read as its kind (a country code not in ISO
    /// 3166-1, a malformed HS code); the code names the kind.
    InvalidValue(crate::values::Scalar),
    /// A malformed date.
    InvalidDate,
    /// A malformed number.
    InvalidNumber,
    /// `until` on or before `effective`.
    UntilNotAfterEffective,
    /// A rule lacks a required property.
    MissingProperty,
    /// A property name that rules do not have.
    UnknownProperty,
    /// A property given twice.
    DuplicateProperty,
    /// A property value of the wrong form.
    InvalidProperty,
    /// A severity other than `block` or `review`.
    InvalidSeverity,
    /// A set type other than country, hs, string or name.
    InvalidSetType,
    /// A bad set range.
    InvalidRange,
    /// A problem with a set's data file.
    DataFile,
    /// A lookup table's declaration, data file or use.
    Table,
    /// An import that cannot be followed.
    Import,
    /// Regime declaration problems.
    Regime,
    /// A `{placeholder}` in a message that is not a field.
    Message,
    /// A sanctions list that is not there, cannot be read, or a bad screening clause.
    List,
    /// A unit of measure or a conversion that cannot be used.
    Unit,
    /// An exemption's name or its `{ cite, message }` block.
    Exemption,
    /// A rule over many records: its `total`, `group`, `window` or `limit`.
    Aggregate,
}

impl CheckErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            CheckErrorKind::UnknownField => "cordon::check::unknown_field",
            CheckErrorKind::UnknownSet => "cordon::check::unknown_set",
            CheckErrorKind::UnknownName => "cordon::check::unknown_name",
            CheckErrorKind::UnknownFunction => "cordon::check::unknown_function",
            CheckErrorKind::NotImported => "cordon::check::not_imported",
            CheckErrorKind::TypeMismatch => "cordon::check::type_mismatch",
            CheckErrorKind::Arity => "cordon::check::arity",
            CheckErrorKind::DuplicateRuleId => "cordon::check::duplicate_rule_id",
            CheckErrorKind::DuplicateName => "cordon::check::duplicate_name",
            CheckErrorKind::InvalidValue(s) => s.kind().invalid_code(),
            CheckErrorKind::InvalidDate => "cordon::check::invalid_date",
            CheckErrorKind::InvalidNumber => "cordon::check::invalid_number",
            CheckErrorKind::UntilNotAfterEffective => "cordon::check::until_not_after_effective",
            CheckErrorKind::MissingProperty => "cordon::check::missing_property",
            CheckErrorKind::UnknownProperty => "cordon::check::unknown_property",
            CheckErrorKind::DuplicateProperty => "cordon::check::duplicate_property",
            CheckErrorKind::InvalidProperty => "cordon::check::invalid_property",
            CheckErrorKind::InvalidSeverity => "cordon::check::invalid_severity",
            CheckErrorKind::InvalidSetType => "cordon::check::invalid_set_type",
            CheckErrorKind::InvalidRange => "cordon::check::invalid_range",
            CheckErrorKind::DataFile => "cordon::check::data_file",
            CheckErrorKind::Table => "cordon::check::table",
            CheckErrorKind::Import => "cordon::check::import",
            CheckErrorKind::Regime => "cordon::check::regime",
            CheckErrorKind::Message => "cordon::check::message",
            CheckErrorKind::List => "cordon::check::list",
            CheckErrorKind::Unit => "cordon::check::unit",
            CheckErrorKind::Exemption => "cordon::check::exemption",
            CheckErrorKind::Aggregate => "cordon::check::aggregate",
        }
    }
}

/// One problem in a rule set, pointing at the rule text.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct CheckError {
    /// What kind of problem.
    pub kind: CheckErrorKind,
    /// One-line message.
    pub message: String,
    /// Label under the underlined text.
    pub label: String,
    /// Where.
    pub span: Span,
    /// Advice.
    pub help: Option<String>,
    /// A second place worth showing (the first definition of a duplicate).
    pub related: Option<(String, Span)>,
    /// The file.
    pub src: crate::source::Src,
}

impl CheckError {
    /// A new error in `src` at `span`.
    pub fn new(kind: CheckErrorKind, src: &SourceFile, span: Span, message: impl Into<String>) -> Self {
        CheckError {
            kind,
            message: message.into(),
            label: String::new(),
            span,
            help: None,
            related: None,
            src: src.named(),
        }
    }

    /// Sets the label under the span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets advice.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets advice if there is some.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Adds a second labelled place in the same file.
    pub fn related(mut self, label: impl Into<String>, span: Span) -> Self {
        self.related = Some((label.into(), span));
        self
    }

    /// The text the error underlines.
    pub fn underlined(&self) -> &str {
        self.src.text().get(self.span.start..self.span.end).unwrap_or("")
    }
}

impl Diagnostic for CheckError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        let mut v = vec![LabeledSpan::new_primary_with_span(label, self.span)];
        if let Some((l, s)) = &self.related {
            v.push(LabeledSpan::new_with_span(Some(l.clone()), *s));
        }
        Some(Box::new(v.into_iter()))
    }
}
