//! Two-letter country codes (from a seal certificate's `C`) to the EU country authority table.

/// One supported country: ISO 3166 alpha-2, EU authority (alpha-3) code, English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryEntry {
    /// ISO 3166-1 alpha-2 as found in certificates (`FR`).
    pub alpha2: &'static str,
    /// The EU authority table code (`FRA`), used in
    /// `http://publications.europa.eu/resource/authority/country/<code>`.
    pub alpha3: &'static str,
    /// English label (as in the authority table).
    pub name_en: &'static str,
}

const fn c(alpha2: &'static str, alpha3: &'static str, name_en: &'static str) -> CountryEntry {
    CountryEntry {
        alpha2,
        alpha3,
        name_en,
    }
}

/// EU member states, EEA, Switzerland, the United Kingdom and candidate/potential candidate
/// countries; codes checked against the ELM 3.1 `country.xsd` snapshot.
pub const COUNTRIES: &[CountryEntry] = &[
    c("AL", "ALB", "Albania"),
    c("AT", "AUT", "Austria"),
    c("BA", "BIH", "Bosnia and Herzegovina"),
    c("BE", "BEL", "Belgium"),
    c("BG", "BGR", "Bulgaria"),
    c("CH", "CHE", "Switzerland"),
    c("CY", "CYP", "Cyprus"),
    c("CZ", "CZE", "Czechia"),
    c("DE", "DEU", "Germany"),
    c("DK", "DNK", "Denmark"),
    c("EE", "EST", "Estonia"),
    c("ES", "ESP", "Spain"),
    c("FI", "FIN", "Finland"),
    c("FR", "FRA", "France"),
    c("GB", "GBR", "United Kingdom"),
    c("GE", "GEO", "Georgia"),
    c("GR", "GRC", "Greece"),
    c("HR", "HRV", "Croatia"),
    c("HU", "HUN", "Hungary"),
    c("IE", "IRL", "Ireland"),
    c("IS", "ISL", "Iceland"),
    c("IT", "ITA", "Italy"),
    c("LI", "LIE", "Liechtenstein"),
    c("LT", "LTU", "Lithuania"),
    c("LU", "LUX", "Luxembourg"),
    c("LV", "LVA", "Latvia"),
    c("MD", "MDA", "Moldova"),
    c("ME", "MNE", "Montenegro"),
    c("MK", "MKD", "North Macedonia"),
    c("MT", "MLT", "Malta"),
    c("NL", "NLD", "Netherlands"),
    c("NO", "NOR", "Norway"),
    c("PL", "POL", "Poland"),
    c("PT", "PRT", "Portugal"),
    c("RO", "ROU", "Romania"),
    c("RS", "SRB", "Serbia"),
    c("SE", "SWE", "Sweden"),
    c("SI", "SVN", "Slovenia"),
    c("SK", "SVK", "Slovakia"),
    c("TR", "TUR", "Turkey"),
    c("UA", "UKR", "Ukraine"),
];

/// The country entry for a two-letter code, case-insensitive. Accepts the EU-usage aliases
/// `EL` (Greece, as in `VATEL-…`) and `UK`.
pub fn country_alpha3(alpha2: &str) -> Option<&'static CountryEntry> {
    let code = alpha2.trim().to_ascii_uppercase();
    let code = match code.as_str() {
        "EL" => "GR",
        "UK" => "GB",
        other => other,
    };
    COUNTRIES.iter().find(|e| e.alpha2 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookups() {
        assert_eq!(
            country_alpha3("fr").map(|e| e.alpha3),
            Some("FRA"),
            "France"
        );
        assert_eq!(
            country_alpha3("EL").map(|e| e.alpha3),
            Some("GRC"),
            "EL alias"
        );
        assert_eq!(
            country_alpha3("UK").map(|e| e.alpha3),
            Some("GBR"),
            "UK alias"
        );
        assert_eq!(country_alpha3("US"), None, "not in scope");
        let mut seen = std::collections::HashSet::new();
        for e in COUNTRIES {
            assert!(seen.insert(e.alpha2), "duplicate entry {}", e.alpha2);
            assert_eq!(e.alpha3.len(), 3, "alpha-3 code of {}", e.alpha2);
        }
        assert!(
            COUNTRIES.len() >= 41,
            "EU27 + EEA3 + CH + UK + 9 candidates"
        );
    }
}
