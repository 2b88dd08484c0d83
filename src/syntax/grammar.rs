//! The pest parser generated from `grammar/cordon.pest`; nothing else.

use pest_derive::Parser;

/// The Cordon grammar.
#[derive(Parser)]
#[grammar = "grammar/cordon.pest"]
pub struct CordonParser;
