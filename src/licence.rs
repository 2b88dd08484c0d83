//! The licence register a firm keeps: each licence's holder, scope (goods,
//! destinations, end user, consignee), limits in quantity and value, and
//! validity. Read from YAML (`config`) or CSV into rows of field → text,
//! then checked here, every problem named by line.

use std::collections::BTreeMap;

use crate::values::unit::{self, Unit};
use crate::values::{Date, Decimal, parse_decimal};

/// One licence.
#[derive(Debug, Clone, PartialEq)]
pub struct Licence {
    /// Its reference as records cite it (`EXP-2024-0001`).
    pub id: String,
    /// The regime that grants it (`EAR`, `EU-833`).
    pub regime: String,
    /// Who issued it (`BIS`, `BAFA`).
    pub authority: String,
    /// Who holds it.
    pub holder: String,
    /// Goods it covers: HS codes (digits; a code covers the codes it is a
    /// prefix of) or other classifications (an ECCN), as written.
    pub goods: Vec<String>,
    /// Destination countries it covers (ISO alpha-2); empty: any.
    pub destinations: Vec<String>,
    /// The end user it names, if any.
    pub end_user: Option<String>,
    /// The consignee it names, if any.
    pub consignee: Option<String>,
    /// The quantity it allows, in a unit of the unit table.
    pub quantity: Option<(Decimal, Unit)>,
    /// The value it allows, in a currency.
    pub value: Option<(Decimal, String)>,
    /// First day valid.
    pub valid_from: Date,
    /// Last day valid (inclusive).
    pub valid_until: Date,
    /// Line of the register where it is written.
    pub line: u64,
}

impl Licence {
    /// Whether it is valid on a date.
    pub fn valid_on(&self, d: Date) -> bool {
        self.valid_from <= d && d <= self.valid_until
    }

    /// Whether it covers goods classified `code` (an HS code's digits, or a
    /// classification as written).
    pub fn covers_goods(&self, code: &str) -> bool {
        let digits: String = code.chars().filter(char::is_ascii_digit).collect();
        self.goods.iter().any(|g| {
            let gd: String = g.chars().filter(char::is_ascii_digit).collect();
            if g.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ' ') && !gd.is_empty() {
                !digits.is_empty() && digits.starts_with(&gd)
            } else {
                g.eq_ignore_ascii_case(code.trim())
            }
        })
    }

    /// The limits drawn down, in order: quantity, then value.
    pub fn limits(&self) -> Vec<crate::values::window::Limit> {
        use crate::values::window::{Limit, LimitUnit};
        let mut v = Vec::new();
        if let Some((a, u)) = &self.quantity {
            v.push(Limit { amount: *a, unit: LimitUnit::Measure(u.clone()) });
        }
        if let Some((a, c)) = &self.value {
            v.push(Limit { amount: *a, unit: LimitUnit::Currency(c.clone()) });
        }
        v
    }
}

/// What a shipment's scope check reads: each field's text, or `None`
/// when the record has no value for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shipment<'a> {
    /// The goods' classification.
    pub goods: Option<&'a str>,
    /// The destination country.
    pub destination: Option<&'a str>,
    /// The end user.
    pub end_user: Option<&'a str>,
    /// The consignee.
    pub consignee: Option<&'a str>,
}

impl<'a> Shipment<'a> {
    /// From the texts of the scope fields in [`crate::check::LicenceTest::scope`]'s order.
    pub fn of(texts: &'a [Option<String>]) -> Shipment<'a> {
        let at = |i: usize| texts.get(i).and_then(|t| t.as_deref());
        Shipment { goods: at(0), destination: at(1), end_user: at(2), consignee: at(3) }
    }
}

/// Whether a licence cited covers a shipment (`licence_valid`): known, valid
/// on the date and within scope. `Err` names the shipment's fields the
/// licence sets a test on that are empty (0 goods, 1 destination, 2 end
/// user, 3 consignee): undecided.
pub fn verdict(register: &Register, cited: &str, date: Date, s: &Shipment<'_>) -> Result<bool, Vec<usize>> {
    let Some(l) = register.get(cited) else { return Ok(false) };
    if !l.valid_on(date) {
        return Ok(false);
    }
    let mut missing = Vec::new();
    let mut ok = true;
    match s.goods {
        Some(g) => ok &= l.covers_goods(g),
        None => missing.push(0),
    }
    if !l.destinations.is_empty() {
        match s.destination {
            Some(d) => ok &= l.destinations.iter().any(|x| x.eq_ignore_ascii_case(d)),
            None => missing.push(1),
        }
    }
    for (i, (named, got)) in [(&l.end_user, s.end_user), (&l.consignee, s.consignee)].into_iter().enumerate() {
        if let Some(n) = named {
            match got {
                Some(g) => ok &= same_party(n, g),
                None => missing.push(2 + i),
            }
        }
    }
    if !ok {
        return Ok(false);
    }
    if missing.is_empty() { Ok(true) } else { Err(missing) }
}

/// Party names compared case and spacing aside, and nothing more: a
/// licence covers the party it names, so a name differing in punctuation or
/// legal form is not taken to be it (group keys fold further, see
/// [`crate::values::name::group_text`], because there joining is the safe side).
pub fn same_party(a: &str, b: &str) -> bool {
    use crate::values::name::case_and_spacing;
    case_and_spacing(a) == case_and_spacing(b)
}

/// The register: licences by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Register {
    /// The file it was read from, as named.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Licences in the order written.
    pub licences: Vec<Licence>,
    /// Index of each licence by its id in lower case.
    by_id: std::collections::HashMap<String, usize>,
}

/// Most licences a register may hold.
pub const MAX_LICENCES: usize = 100_000;

impl Register {
    /// The licence a record cites (the reference trimmed, case aside).
    pub fn get(&self, id: &str) -> Option<&Licence> {
        self.by_id.get(&id.trim().to_lowercase()).map(|i| &self.licences[*i])
    }

    /// Builds the register from rows of field → text (a CSV file's, or a
    /// YAML file's with lists joined by `;`); every problem is returned,
    /// each naming its line and field.
    pub fn from_rows(
        file: &str,
        sha256: &str,
        rows: &[(u64, BTreeMap<String, String>)],
    ) -> Result<Register, Vec<String>> {
        const FIELDS: [&str; 14] = [
            "id",
            "regime",
            "authority",
            "holder",
            "goods",
            "destinations",
            "end_user",
            "consignee",
            "quantity",
            "unit",
            "value",
            "currency",
            "valid_from",
            "valid_until",
        ];
        let mut errors = Vec::new();
        let mut licences: Vec<Licence> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if rows.len() > MAX_LICENCES {
            return Err(vec![format!("{file}: more than {MAX_LICENCES} licences")]);
        }
        for (line, row) in rows {
            let mut err = |field: &str, msg: String| errors.push(format!("{file}, line {line}, `{field}`: {msg}"));
            for k in row.keys() {
                if !FIELDS.contains(&k.as_str()) {
                    let help = crate::suggest::did_you_mean(k, FIELDS).map(|s| format!(" (did you mean `{s}`?)"));
                    err(k, format!("unknown field{}", help.unwrap_or_default()));
                }
            }
            let text = |k: &str| row.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
            let list = |k: &str| -> Vec<String> {
                text(k)
                    .map(|v| v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let Some(id) = text("id") else {
                err("id", "every licence needs an id".into());
                continue;
            };
            if !seen.insert(id.to_lowercase()) {
                err("id", format!("licence `{id}` is written twice"));
            }
            let mut date = |k: &str| match text(k).map(Date::parse) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    err(k, e);
                    None
                }
                None => {
                    err(k, "a licence needs `valid_from` and `valid_until` (YYYY-MM-DD)".into());
                    None
                }
            };
            let (from, until) = (date("valid_from"), date("valid_until"));
            let goods = list("goods");
            if goods.is_empty() {
                err("goods", "a licence names the goods it covers (HS codes or classifications)".into());
            }
            let mut destinations = Vec::new();
            for d in list("destinations") {
                match crate::values::Country::parse(&d) {
                    Ok(c) => destinations.push(c.to_string()),
                    Err(e) => err("destinations", e),
                }
            }
            let amount = |k: &str, err: &mut dyn FnMut(&str, String)| match text(k)
                .map(|t| parse_decimal(&t.replace(',', "")))
            {
                Some(Ok(d)) if d > Decimal::ZERO => Some(d),
                Some(Ok(_)) => {
                    err(k, "must be above zero".into());
                    None
                }
                Some(Err(e)) => {
                    err(k, e);
                    None
                }
                None => None,
            };
            let quantity = match (amount("quantity", &mut err), text("unit")) {
                (Some(q), Some(u)) => match unit::table().lookup(u) {
                    Ok(found) => Some((q, found.clone())),
                    Err(p) => {
                        err("unit", format!("`{u}`: {}", p.reason()));
                        None
                    }
                },
                (Some(_), None) => {
                    err("unit", "a quantity needs its unit".into());
                    None
                }
                (None, Some(_)) => {
                    err("quantity", "a unit without a quantity".into());
                    None
                }
                (None, None) => None,
            };
            let value = match (amount("value", &mut err), text("currency")) {
                (Some(v), Some(c)) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    Some((v, c.to_ascii_uppercase()))
                }
                (Some(_), Some(c)) => {
                    err("currency", format!("`{c}` is not a three-letter ISO 4217 code"));
                    None
                }
                (Some(_), None) => {
                    err("currency", "a value needs its currency".into());
                    None
                }
                (None, Some(_)) => {
                    err("value", "a currency without a value".into());
                    None
                }
                (None, None) => None,
            };
            let (Some(valid_from), Some(valid_until)) = (from, until) else { continue };
            if valid_until < valid_from {
                err("valid_until", format!("the licence ends ({valid_until}) before it starts ({valid_from})"));
                continue;
            }
            licences.push(Licence {
                id: id.to_string(),
                regime: text("regime").unwrap_or("").to_string(),
                authority: text("authority").unwrap_or("").to_string(),
                holder: text("holder").unwrap_or("").to_string(),
                goods,
                destinations,
                end_user: text("end_user").map(str::to_string),
                consignee: text("consignee").map(str::to_string),
                quantity,
                value,
                valid_from,
                valid_until,
                line: *line,
            });
        }
        if errors.is_empty() {
            let by_id = licences.iter().enumerate().map(|(i, l)| (l.id.to_lowercase(), i)).collect();
            Ok(Register { file: file.to_string(), sha256: sha256.to_string(), licences, by_id })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_register_reads_and_covers() {
        let r = Register::from_rows(
            "l.csv",
            "x",
            &[(
                2,
                row(&[
                    ("id", "EXP-1"),
                    ("goods", "8471; 3A001"),
                    ("destinations", "CN;HK"),
                    ("quantity", "5,000"),
                    ("unit", "kg"),
                    ("valid_from", "2024-01-01"),
                    ("valid_until", "2024-12-31"),
                ]),
            )],
        )
        .unwrap();
        let l = r.get(" exp-1 ").unwrap();
        assert!(l.covers_goods("8471.30") && l.covers_goods("3a001") && !l.covers_goods("8517.62"));
        assert!(l.valid_on(Date::parse("2024-12-31").unwrap()) && !l.valid_on(Date::parse("2025-01-01").unwrap()));
        assert_eq!(l.limits().len(), 1);
    }

    #[test]
    fn problems_name_line_and_field() {
        let e = Register::from_rows(
            "l.csv",
            "x",
            &[(
                7,
                row(&[
                    ("id", "A"),
                    ("goods", "8471"),
                    ("valid_from", "2024-02-30"),
                    ("valid_until", "2024-12-31"),
                    ("quantity", "5"),
                    ("colour", "red"),
                ]),
            )],
        )
        .unwrap_err();
        assert!(e.iter().any(|m| m.contains("line 7, `valid_from`")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("`unit`: a quantity needs its unit")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("`colour`: unknown field")), "{e:?}");
    }
}
