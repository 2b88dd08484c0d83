//! Functions of the rule language (`lower(seller)`, `year(date)`,
//! `chapter(hs_code)`): each a name, a signature the checker types calls
//! with, and an implementation the evaluator calls. Kinds bring them
//! ([`ValueKind::functions`](super::kind::ValueKind::functions)); the
//! reference evaluator has its own implementations of the core ones.

use std::fmt;

use super::kind::{Code, Scalar, Value};
use super::{Date, Decimal};

/// What a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A value of this kind (a text literal is read as one).
    Kind(Scalar),
    /// Text, or a list field.
    TextOrList,
    /// A value of the kind that brings the function (`chapter` takes an HS code).
    Own,
}

/// An argument, as the evaluator holds it.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Text.
    Str(&'a str),
    /// A number.
    Dec(Decimal),
    /// A date.
    Date(Date),
    /// A code.
    Code(Code),
    /// A list field's items.
    List(&'a [Value]),
}

/// A function.
pub struct Function {
    /// Its name in rules.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// The kind of its result.
    pub result: Scalar,
    /// What it does; `None` when the arguments are not of the kinds its
    /// signature says (a type error, which makes the rule undecided).
    pub call: fn(&[Arg<'_>]) -> Option<Value>,
    /// For a text function whose result is a part of its one argument
    /// (`trim`): that part, so evaluation need not copy it. The same
    /// result as [`Function::call`].
    pub text_slice: Option<fn(&str) -> &str>,
}

impl Function {
    /// The function of this name, among every kind's, with the kind that
    /// brings it.
    pub fn named(name: &str) -> Option<(Scalar, &'static Function)> {
        all().find(|(_, f)| f.name == name)
    }

    /// The kind parameter `i` takes; `None` for text-or-list.
    pub fn param(&self, owner: Scalar, i: usize) -> Option<Scalar> {
        match self.params.get(i)? {
            Param::Kind(k) => Some(*k),
            Param::Own => Some(owner),
            Param::TextOrList => None,
        }
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Every function with the kind that brings it, kind by kind in registry order.
pub fn all() -> impl Iterator<Item = (Scalar, &'static Function)> {
    Scalar::all().flat_map(|s| s.kind().functions().iter().map(move |f| (s, f)))
}

/// The names of every function (for help), and `present`/`absent`.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = vec!["present", "absent"];
    v.extend(all().map(|(_, f)| f.name));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A function evaluated as a slice of its argument gives what its call gives.
    #[test]
    fn text_slices_are_what_the_call_returns() {
        let mut sliced = 0;
        for (_, f) in all() {
            let Some(slice) = f.text_slice else { continue };
            sliced += 1;
            for s in ["", " ", "ACME", "  ACME TRADING ", "\u{a0}Ko\u{2003}", "\tx\n", "é "] {
                let call = (f.call)(&[Arg::Str(s)]);
                assert_eq!(call, Some(Value::Str(slice(s).into())), "{}({s:?})", f.name);
            }
        }
        assert!(sliced >= 1, "trim is evaluated as a slice");
    }

    #[test]
    fn every_function_has_one_name() {
        let mut names = names();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "{names:?}");
        for name in ["lower", "upper", "trim", "len", "abs", "year", "days_between", "min", "max", "chapter"] {
            assert!(Function::named(name).is_some(), "{name}");
        }
    }
}
