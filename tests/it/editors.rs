//! The editor grammar is valid JSON, highlights every keyword of the
//! language, and its patterns are valid regular expressions.

use super::harness::root;

#[test]
fn the_textmate_grammar_knows_the_language() {
    let text = std::fs::read_to_string(root().join("editors/vscode/syntaxes/cordon.tmLanguage.json")).expect("grammar");
    let g: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(g["scopeName"], "source.cordon");
    // Every reserved word of the pest grammar is highlighted.
    let pest = std::fs::read_to_string(root().join("grammar/cordon.pest")).expect("pest grammar");
    let keywords: Vec<String> = pest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("kw_"))
        .filter_map(|l| l.split('"').nth(1))
        .map(str::to_string)
        .collect();
    assert!(keywords.len() >= 17, "{keywords:?}");
    for k in &keywords {
        assert!(
            text.contains(&format!("|{k}|"))
                || text.contains(&format!("({k}|"))
                || text.contains(&format!("|{k})"))
                || text.contains(&format!("({k})")),
            "keyword `{k}` is not highlighted"
        );
    }
    // Every pattern is a regular expression (the grammar uses no Oniguruma
    // extension, so Rust's regex crate can compile each one).
    let mut patterns = Vec::new();
    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if (k == "match" || k == "begin" || k == "end") && x.is_string() {
                        out.push(x.as_str().unwrap_or("").to_string());
                    }
                    collect(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(&g, &mut patterns);
    assert!(patterns.len() > 15);
    for p in &patterns {
        regex::Regex::new(p).unwrap_or_else(|e| panic!("pattern `{p}`: {e}"));
    }
    // And they highlight what they should.
    let field = regex::Regex::new(r"\b(id|date|origin|destination|hs_code)\b").expect("re");
    assert!(field.is_match("when: origin in DPRK"));
    let pkg: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("editors/vscode/package.json")).expect("package.json"),
    )
    .expect("json");
    assert_eq!(pkg["contributes"]["languages"][0]["extensions"][0], ".cordon");
}
