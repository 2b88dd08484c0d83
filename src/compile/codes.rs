//! Codes to values, for lookups on the hot path: most sets and guards hold
//! a handful of codes (`{ KP }`, a dozen HS headings), which a linear scan
//! of inline codes finds faster than hashing; larger ones are hashed.

use rustc_hash::FxHashMap;

use crate::values::Code;

/// Up to this many codes are scanned, not hashed.
const FEW: usize = 8;

/// A map from codes, built once.
#[derive(Debug)]
pub(crate) enum CodeMap<V> {
    /// A few codes, scanned.
    Few(Vec<(Code, V)>),
    /// Many codes, hashed.
    Many(FxHashMap<Code, V>),
}

impl<V> CodeMap<V> {
    /// The map of `m`'s entries.
    pub(crate) fn new(m: FxHashMap<Code, V>) -> CodeMap<V> {
        if m.len() <= FEW {
            let mut few: Vec<(Code, V)> = m.into_iter().collect();
            few.sort_by_key(|(k, _)| *k);
            CodeMap::Few(few)
        } else {
            CodeMap::Many(m)
        }
    }

    /// The value of a code.
    #[inline]
    pub(crate) fn get(&self, c: &Code) -> Option<&V> {
        match self {
            CodeMap::Few(v) => v.iter().find(|(k, _)| k == c).map(|(_, v)| v),
            CodeMap::Many(m) => m.get(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Scalar;

    #[test]
    fn few_and_many_find_the_same() {
        let hs = Scalar::from_name("hs").expect("hs");
        for n in [0usize, 3, 8, 9, 40] {
            let m: FxHashMap<Code, usize> =
                (0..n).map(|i| (Code::new(hs, &format!("{:04}", 2700 + i)).expect("code"), i)).collect();
            let map = CodeMap::new(m);
            assert_eq!(matches!(map, CodeMap::Few(_)), n <= FEW);
            for i in 0..n + 2 {
                let c = Code::new(hs, &format!("{:04}", 2700 + i)).expect("code");
                assert_eq!(map.get(&c).copied(), (i < n).then_some(i));
            }
        }
    }
}
