//! The eIDAS term "qualified certificate for electronic seal" in the official wording of the
//! regulation's language versions (Art. 3(30)), for the "how to get a seal" answer.

/// Languages with a term, in this order.
pub const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "it", "nl", "pt", "pl", "fi", "sv"];

/// The term in `lang` (ISO 639-1, any case; a region suffix such as `fr-BE` is ignored),
/// English when the language is not in the table.
pub fn qualified_seal_certificate(lang: &str) -> &'static str {
    let base = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match base.as_str() {
        "fr" => "certificat qualifié de cachet électronique",
        "de" => "qualifiziertes Zertifikat für elektronische Siegel",
        "es" => "certificado cualificado de sello electrónico",
        "it" => "certificato qualificato di sigillo elettronico",
        "nl" => "gekwalificeerd certificaat voor elektronische zegels",
        "pt" => "certificado qualificado de selo eletrónico",
        "pl" => "kwalifikowany certyfikat pieczęci elektronicznej",
        "fi" => "sähköisen leiman hyväksytty varmenne",
        "sv" => "kvalificerat certifikat för elektroniska stämplar",
        _ => "qualified certificate for electronic seal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_language_has_its_own_term() {
        let mut seen = std::collections::HashSet::new();
        for l in LANGUAGES {
            assert!(
                seen.insert(qualified_seal_certificate(l)),
                "{l} repeats another language's term"
            );
        }
        assert_eq!(
            qualified_seal_certificate("fr-BE"),
            "certificat qualifié de cachet électronique",
            "region suffix ignored"
        );
        assert_eq!(
            qualified_seal_certificate("xx"),
            "qualified certificate for electronic seal",
            "unknown language falls back to English"
        );
    }
}
