//! Normalised party and vessel names for exact list matching: case, spacing
//! and punctuation do not matter ("KINGLY WON INTERNATIONAL CO., LTD" equals
//! "Kingly Won International Co Ltd"). Fuzzy screening is a separate stage.

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
