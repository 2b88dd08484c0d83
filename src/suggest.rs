//! "Did you mean …?" suggestions by edit distance.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        let dist = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
        let close = score >= 0.85 || dist <= 2.max(word.len() / 4);
        if close && dist < word.len().max(c.len()) && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Help for a word not found among `candidates`: "did you mean `x`?" for a
/// likely typo, else `fallback` (what the choices are).
pub fn help<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>, fallback: &str) -> String {
    did_you_mean(word, candidates).map_or_else(|| fallback.to_string(), |s| format!("did you mean `{s}`?"))
}

/// The names quoted and joined for help text: `` `a`, `b`, `c` ``.
pub fn quoted<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::{did_you_mean, help};

    #[test]
    fn suggests_close_names_only() {
        let names = ["hs_code", "origin", "destination", "vessel_imo"];
        assert_eq!(did_you_mean("hscode", names), Some("hs_code"));
        assert_eq!(did_you_mean("destinaton", names), Some("destination"));
        assert_eq!(did_you_mean("Origin", names), Some("origin"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(help("hscode", names, "fields are …"), "did you mean `hs_code`?");
        assert_eq!(help("zzz", names, "fields are …"), "fields are …");
    }
}
