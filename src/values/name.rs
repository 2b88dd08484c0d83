//! The `name` kind, for sets only: party and vessel names matched exactly
//! once normalised: case, spacing and punctuation do not matter ("KINGLY WON
//! INTERNATIONAL CO., LTD" equals "Kingly Won International Co Ltd"). Text
//! fields are looked up in such sets. Fuzzy screening is a separate stage.

use super::kind::{Matching, ReadContext, Scalar, Value, ValueKind};

/// Names (sets only).
pub struct NameKind;

/// The kind.
pub static NAME: NameKind = NameKind;

impl ValueKind for NameKind {
    fn name(&self) -> &'static str {
        "name"
    }

    fn a(&self) -> &'static str {
        "a name"
    }

    fn plural(&self) -> &'static str {
        "names"
    }

    fn is_field_kind(&self) -> bool {
        false
    }

    fn looks_up(&self, _: Scalar) -> Scalar {
        Scalar::STRING
    }

    fn read(&self, _: Scalar, text: &str, _: &ReadContext<'_>) -> Result<Value, String> {
        self.read_rule(Scalar::STRING, text)
    }

    fn read_rule(&self, _: Scalar, text: &str) -> Result<Value, String> {
        let n = normalize(text);
        if n.is_empty() {
            return Err(format!("`{text}` has no letters or digits to match"));
        }
        Ok(Value::Str(n.into()))
    }

    fn matching(&self) -> Matching {
        Matching::Text { fold: |n| std::borrow::Cow::Owned(normalize(n)), ascii_lowercase: false }
    }

    fn invalid_code(&self) -> &'static str {
        "cordon::check::invalid_property"
    }

    fn invalid_label(&self) -> &'static str {
        "not a name"
    }
}

/// Folds a name: lowercase, quotes and apostrophes removed, every other
/// character that is not a letter or digit becomes a space, spaces collapsed.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.chars() {
        if matches!(c, '\'' | '’' | '‘' | '`' | '´' | '"' | '“' | '”' | '«' | '»' | '„') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_case_spacing_and_punctuation() {
        assert_eq!(normalize("KINGLY WON INTERNATIONAL CO., LTD"), "kingly won international co ltd");
        assert_eq!(normalize("  Kingly  Won International Co Ltd "), "kingly won international co ltd");
        assert_eq!(normalize("\"KOMID\""), "komid");
        assert_eq!(normalize("CHO'NGSONG YO'NHAP"), "chongsong yonhap");
        assert_eq!(normalize("TONGBANG U’NHAENG"), "tongbang unhaeng");
        assert_eq!(normalize("CHANG AN SHIPPING & TECHNOLOGY"), "chang an shipping technology");
        assert_eq!(normalize("長安海連技術有限公司"), "長安海連技術有限公司");
        assert_eq!(normalize("..."), "");
    }
}
