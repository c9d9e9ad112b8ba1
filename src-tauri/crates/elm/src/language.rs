//! Language maps (`{"en": "x"}` and `{"en": ["x"]}`) and the EU language authority table.

use serde_json::Value;

/// EU language authority code (`.../authority/language/ENG`) -> ISO 639-1 key used in
/// language maps, for the EU/EEA and candidate-country languages.
const LANGUAGES: &[(&str, &str)] = &[
    ("BUL", "bg"),
    ("CES", "cs"),
    ("DAN", "da"),
    ("DEU", "de"),
    ("ELL", "el"),
    ("ENG", "en"),
    ("EST", "et"),
    ("FIN", "fi"),
    ("FRA", "fr"),
    ("GLE", "ga"),
    ("HRV", "hr"),
    ("HUN", "hu"),
    ("ISL", "is"),
    ("ITA", "it"),
    ("LAV", "lv"),
    ("LIT", "lt"),
    ("MKD", "mk"),
    ("MLT", "mt"),
    ("NLD", "nl"),
    ("NOR", "no"),
    ("POL", "pl"),
    ("POR", "pt"),
    ("RON", "ro"),
    ("SLK", "sk"),
    ("SLV", "sl"),
    ("SPA", "es"),
    ("SQI", "sq"),
    ("SRP", "sr"),
    ("SWE", "sv"),
    ("TUR", "tr"),
    ("UKR", "uk"),
];

/// The language-map key (e.g. `"en"`) for an EU language concept id or bare code
/// (`http://publications.europa.eu/resource/authority/language/ENG` or `ENG`).
/// Unknown codes come back lower-cased, as the EDC issuer does for other languages.
pub fn language_code(concept_id_or_code: &str) -> String {
    let code = concept_id_or_code
        .rsplit('/')
        .next()
        .unwrap_or(concept_id_or_code);
    LANGUAGES
        .iter()
        .find(|(eu, _)| eu.eq_ignore_ascii_case(code))
        .map(|(_, iso)| (*iso).to_owned())
        .unwrap_or_else(|| code.to_ascii_lowercase())
}

/// The EU language authority code (`ENG`) for a language-map key (`en`), if known.
pub fn eu_code(iso: &str) -> Option<String> {
    LANGUAGES
        .iter()
        .find(|(_, i)| i.eq_ignore_ascii_case(iso))
        .map(|(eu, _)| (*eu).to_owned())
}

/// The text of a language-tagged value in `lang`, falling back to the first language present.
///
/// Accepts a plain string, a language map whose values are strings or arrays of strings, or an
/// array of any of these (first usable element wins).
pub fn text_in(value: &Value, lang: &str) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|v| text_in(v, lang)),
        Value::Object(map) => {
            let first_text = |v: &Value| match v {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => a.iter().find_map(|x| x.as_str().map(str::to_owned)),
                _ => None,
            };
            map.get(lang)
                .and_then(first_text)
                .or_else(|| map.values().find_map(first_text))
        }
        _ => None,
    }
}

/// The items of a property that may be one object or an array (JSON-LD multi-values).
pub(crate) fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_language_map_forms_are_read() {
        assert_eq!(
            text_in(&json!({"en": "Course"}), "en").as_deref(),
            Some("Course"),
            "string form"
        );
        assert_eq!(
            text_in(&json!({"en": ["Course", "other"]}), "en").as_deref(),
            Some("Course"),
            "array form (ELM 3.2 / EBSI)"
        );
        assert_eq!(
            text_in(&json!({"fr": "Cours"}), "en").as_deref(),
            Some("Cours"),
            "falls back to the first language present"
        );
        assert_eq!(
            text_in(&json!([{"de": ["Kurs"]}]), "en").as_deref(),
            Some("Kurs"),
            "multi-value array of maps"
        );
        assert_eq!(text_in(&json!(3), "en"), None, "numbers are not text");
    }

    #[test]
    fn language_codes_map_to_iso_639_1() {
        assert_eq!(
            language_code("http://publications.europa.eu/resource/authority/language/ENG"),
            "en",
            "concept id"
        );
        assert_eq!(language_code("SPA"), "es", "bare code");
        assert_eq!(language_code("XYZ"), "xyz", "unknown codes are lower-cased");
    }
}
