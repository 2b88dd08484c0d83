//! Units of measure: the table in `assets/units/units.csv`, the spellings a
//! record's unit is recognised by, and exact conversions within a dimension
//! (or across two, with a factor a rule states).

use std::sync::LazyLock;

use rust_decimal::Decimal;

/// The unit table as shipped (its SHA-256 is part of every rule set's fingerprint).
pub const TABLE_SOURCE: &str = include_str!("../../assets/units/units.csv");
/// Where the table lives in the repository, for fingerprints and messages.
pub const TABLE_PATH: &str = "assets/units/units.csv";

/// A unit of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Canonical code (`bbl`, `t`, `m3`).
    pub code: String,
    /// Dimension (`mass`, `volume`, `count` …; `ambiguous` for spellings that
    /// name more than one unit).
    pub dimension: String,
    /// Base units in one of this unit (kg for mass, l for volume …); exact.
    pub per_base: Option<Decimal>,
    /// Where the factor comes from (or why an ambiguous spelling cannot be converted).
    pub note: String,
    /// The spellings it is recognised by.
    pub spellings: Vec<String>,
}

/// Why a unit could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitProblem {
    /// Not a spelling in the table.
    Unknown,
    /// A spelling that names several units (`ton`).
    Ambiguous,
    /// The units measure different things and no factor links them.
    OtherDimension,
}

impl UnitProblem {
    /// Why, in a few words (used in findings).
    pub fn reason(self) -> &'static str {
        match self {
            UnitProblem::Unknown => "the unit is not in the unit table",
            UnitProblem::Ambiguous => "the unit is ambiguous (short, long or metric ton?)",
            UnitProblem::OtherDimension => "the unit measures something else and the rule gives no conversion factor",
        }
    }
}

/// The unit table.
#[derive(Debug)]
pub struct UnitTable {
    units: Vec<Unit>,
    by_key: rustc_hash::FxHashMap<String, usize>,
    /// Codes and spellings exactly as the table writes them, each to the
    /// unit its key finds: the usual record is found without building a key.
    by_text: rustc_hash::FxHashMap<String, usize>,
}

/// The key a spelling is looked up by: lowercase letters and digits only
/// (`Bbl.` → `bbl`, `M.T.` → `mt`, `m³` → `m3`).
pub fn key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '³' => '3',
            '²' => '2',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

impl UnitTable {
    /// Parses a table in the shipped CSV layout.
    pub fn parse(text: &str) -> Result<UnitTable, String> {
        let (header, rows) = crate::tables::parse(text)?;
        let mut units = Vec::new();
        let mut by_key = rustc_hash::FxHashMap::default();
        for (line, row) in rows {
            let get = |k: &str| {
                header
                    .iter()
                    .position(|h| h == k)
                    .and_then(|i| row.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let code = get("unit");
            let dimension = get("dimension");
            if code.is_empty() || dimension.is_empty() {
                return Err(format!("line {line}: a unit needs `unit` and `dimension`"));
            }
            let per_base = match get("per_base").as_str() {
                "" if dimension == "ambiguous" => None,
                "" => return Err(format!("line {line}: unit `{code}` has no `per_base`")),
                t => Some(super::parse_decimal(t).map_err(|e| format!("line {line}: {e}"))?),
            };
            let id = units.len();
            let spellings: Vec<String> =
                get("spellings").split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
            for s in &spellings {
                if by_key.insert(key(s), id).is_some_and(|prev| prev != id) {
                    return Err(format!("line {line}: the spelling `{s}` names two units"));
                }
            }
            by_key.entry(key(&code)).or_insert(id);
            units.push(Unit { code, dimension, per_base, note: get("source"), spellings });
        }
        let by_text = units
            .iter()
            .flat_map(|u| u.spellings.iter().chain([&u.code]))
            .filter_map(|t| Some((t.clone(), *by_key.get(&key(t))?)))
            .collect();
        Ok(UnitTable { units, by_key, by_text })
    }

    /// Finds a unit by any of its spellings.
    pub fn lookup(&self, text: &str) -> Result<&Unit, UnitProblem> {
        let id = self.by_text.get(text).or_else(|| self.by_key.get(&key(text)));
        let unit = id.map(|i| &self.units[*i]).ok_or(UnitProblem::Unknown)?;
        if unit.per_base.is_none() { Err(UnitProblem::Ambiguous) } else { Ok(unit) }
    }

    /// The canonical code of a spelling, if the table knows it (ambiguous
    /// spellings included).
    pub fn canonical(&self, text: &str) -> Option<&str> {
        let id = self.by_text.get(text).or_else(|| self.by_key.get(&key(text)))?;
        Some(self.units[*id].code.as_str())
    }

    /// Every unit.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The unit whose code or spelling is closest to a misspelt one, for "did you mean".
    pub fn suggest(&self, text: &str) -> Option<&str> {
        let names = self.units.iter().flat_map(|u| u.spellings.iter().map(String::as_str).chain([u.code.as_str()]));
        let best = crate::suggest::did_you_mean(text, names)?;
        self.canonical(best)
    }
}

/// The shipped table.
pub fn table() -> &'static UnitTable {
    static TABLE: LazyLock<UnitTable> = LazyLock::new(|| match UnitTable::parse(TABLE_SOURCE) {
        Ok(t) => t,
        // INVARIANT: the shipped table parses; `shipped_table_parses` tests it.
        Err(e) => unreachable!("the shipped unit table is invalid: {e}"),
    });
    &TABLE
}

/// A factor between two dimensions that a rule states: `amount_from`
/// `from` = `amount_to` `to` (`1 t = 6.35 bbl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// The quantity on the left.
    pub amount_from: Decimal,
    /// Its unit.
    pub from: Unit,
    /// The quantity on the right.
    pub amount_to: Decimal,
    /// Its unit.
    pub to: Unit,
}

/// Converts `qty` of unit `from` into unit `to`, within one dimension by the
/// table, across two only by `factor`. Exact decimal arithmetic; `None` on
/// overflow.
pub fn convert(qty: Decimal, from: &Unit, to: &Unit, factor: Option<&Factor>) -> Result<Option<Decimal>, UnitProblem> {
    let (Some(pf), Some(pt)) = (from.per_base, to.per_base) else { return Err(UnitProblem::Ambiguous) };
    if from.dimension == to.dimension {
        // Multiply first, divide last: exact whenever the result is representable.
        return Ok(qty.checked_mul(pf).and_then(|b| b.checked_div(pt)));
    }
    let Some(f) = factor else { return Err(UnitProblem::OtherDimension) };
    let (Some(ff), Some(ft)) = (f.from.per_base, f.to.per_base) else { return Err(UnitProblem::Ambiguous) };
    // Orient the factor: base units of `from`'s dimension → base units of `to`'s.
    let (a_per_base, b_per_base, a_amount, b_amount) =
        if f.from.dimension == from.dimension && f.to.dimension == to.dimension {
            (ff, ft, f.amount_from, f.amount_to)
        } else if f.to.dimension == from.dimension && f.from.dimension == to.dimension {
            (ft, ff, f.amount_to, f.amount_from)
        } else {
            return Err(UnitProblem::OtherDimension);
        };
    // qty·pf base(from) ; the factor says a_amount·a_per_base base(from) = b_amount·b_per_base base(to).
    let r = qty
        .checked_mul(pf)
        .and_then(|x| x.checked_mul(b_amount))
        .and_then(|x| x.checked_mul(b_per_base))
        .and_then(|x| x.checked_div(a_amount.checked_mul(a_per_base)?))
        .and_then(|x| x.checked_div(pt));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        super::super::parse_decimal(s).unwrap()
    }

    #[test]
    fn shipped_table_parses() {
        let t = UnitTable::parse(TABLE_SOURCE).unwrap();
        assert!(t.units().len() >= 15);
        for spelling in ["bbl", "BBLS", "Barrels", "bbl.", "barrel", "Bbl"] {
            assert_eq!(t.lookup(spelling).unwrap().code, "bbl", "{spelling}");
        }
        for spelling in ["t", "MT", "M.T.", "tonnes", "Metric Tons"] {
            assert_eq!(t.lookup(spelling).unwrap().code, "t", "{spelling}");
        }
        assert_eq!(t.lookup("m³").unwrap().code, "m3");
        assert_eq!(t.lookup("Stk").unwrap().code, "u");
        assert_eq!(t.lookup("tons"), Err(UnitProblem::Ambiguous));
        assert_eq!(t.lookup("furlongs"), Err(UnitProblem::Unknown));
    }

    #[test]
    fn conversions_are_exact() {
        let t = table();
        let u = |s: &str| t.lookup(s).unwrap().clone();
        // 500,000 bbl is exactly 79,493,647.464 l.
        assert_eq!(convert(d("79493647.464"), &u("l"), &u("bbl"), None).unwrap().unwrap(), d("500000"));
        assert_eq!(convert(d("500000"), &u("bbl"), &u("m3"), None).unwrap().unwrap(), d("79493.647464"));
        assert_eq!(convert(d("1"), &u("lb"), &u("kg"), None).unwrap().unwrap(), d("0.45359237"));
        assert_eq!(convert(d("2"), &u("t"), &u("bbl"), None), Err(UnitProblem::OtherDimension));
        let f = Factor { amount_from: d("1"), from: u("t"), amount_to: d("6.35"), to: u("bbl") };
        assert_eq!(convert(d("80000"), &u("t"), &u("bbl"), Some(&f)).unwrap().unwrap(), d("508000"));
        // The factor works backwards, and through other units of the same dimensions.
        assert_eq!(convert(d("635"), &u("bbl"), &u("t"), Some(&f)).unwrap().unwrap(), d("100"));
        assert_eq!(convert(d("80000000"), &u("kg"), &u("bbl"), Some(&f)).unwrap().unwrap(), d("508000"));
        assert_eq!(convert(d("3"), &u("u"), &u("bbl"), Some(&f)), Err(UnitProblem::OtherDimension));
    }
}
