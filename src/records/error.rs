//! Input problems: whole files that cannot be used, and single fields that
//! cannot be read.

use miette::Diagnostic;
use thiserror::Error;

/// An input file that cannot be used at all.
#[derive(Debug, Error, Diagnostic)]
pub enum InputError {
    /// The file cannot be opened or read.
    #[error("cannot read `{file}`: {source}")]
    #[diagnostic(code(cordon::input::io))]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The CSV header is missing or unreadable.
    #[error("`{file}` has no usable header row: {reason}")]
    #[diagnostic(code(cordon::input::header), help("the first line of a CSV file names its columns"))]
    Header {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// A required field has no column.
    #[error("`{file}` has no column for required field `{field}`")]
    #[diagnostic(code(cordon::input::missing_column))]
    MissingColumn {
        /// The file.
        file: String,
        /// The field.
        field: String,
        /// Advice.
        #[help]
        help: String,
    },
    /// A quote is opened and never closed: the rest of the file would be
    /// one field, its records lost.
    #[error(
        "`{file}`: the quote opened in the record on line {line} is never closed, so the rest of the file ({lines} lines) would be one field: nothing from line {line} on was checked"
    )]
    #[diagnostic(
        code(cordon::input::open_quote),
        help(
            "close the quote, or double a quote that is part of the text (`\"\"`); the records before line {line} were evaluated"
        )
    )]
    OpenQuote {
        /// The file.
        file: String,
        /// The line of the record.
        line: u64,
        /// Lines from there to the end.
        lines: u64,
    },
    /// The input is not UTF-8 text (UTF-16, UTF-32, binary).
    #[error("`{file}` is {what}, and Cordon reads UTF-8")]
    #[diagnostic(
        code(cordon::input::encoding),
        help("save it as UTF-8 (CSV UTF-8 in a spreadsheet, or `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`)")
    )]
    Encoding {
        /// The file.
        file: String,
        /// What it is.
        what: String,
    },
    /// A file closed after its header was read had another header when
    /// the run came back to it.
    #[error("`{file}` changed while the run was reading its inputs: its header is not what it was")]
    #[diagnostic(code(cordon::input::changed), help("run again once the file is no longer being written"))]
    Changed {
        /// The file.
        file: String,
    },
    /// Two columns of the header map to the same field (names equal, or
    /// equal but for case and spacing: `origin` and `ORIGIN`).
    #[error("`{file}` has {columns} for the field `{field}`: Cordon cannot tell which to read")]
    #[diagnostic(
        code(cordon::input::duplicate_column),
        help("remove or rename all but one of them, or map the field to one by its exact name with a config file")
    )]
    DuplicateColumn {
        /// The file.
        file: String,
        /// The field.
        field: String,
        /// The columns, quoted and joined (`` `origin` and `ORIGIN` ``).
        columns: String,
    },
}

/// Why one field (or a whole row) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldProblem {
    /// The field; `None` when the whole row is at fault.
    pub field: Option<String>,
    /// The value as read, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What is wrong.
    pub reason: String,
    /// The value was read all the same (a text hiding invisible characters,
    /// read without them): a note, not a field that could not be read. Not
    /// written out: the reason says it; the report lists these apart.
    #[serde(skip)]
    #[schemars(skip)]
    pub readable: bool,
}
