//! `check_format`: the EDC-generic mandatory fields (ELM 3.1 SHACL `EDC-generic-no-cv`,
//! minCount ≥ 1), reported in plain words with the JSON pointer of the place.
//!
//! This is a fast structural pre-check for the user interface, not a SHACL engine: controlled
//! vocabularies and datatypes are left to the official checker.

use serde_json::Value;

use crate::credential::Credential;
use crate::language::items;

/// One missing or malformed mandatory field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// JSON pointer of the object that lacks the field (or of the field itself).
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
}

struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn add(&mut self, pointer: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// The items of `key` under `node` with their pointers; reports `message` when there are none.
    fn required<'a>(
        &mut self,
        node: &'a Value,
        at: &str,
        key: &str,
        message: &str,
    ) -> Vec<(String, &'a Value)> {
        let found: Vec<(String, &Value)> = match node.get(key) {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{at}/{key}/{i}"), v))
                .collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(v) => vec![(format!("{at}/{key}"), v)],
        };
        let usable = found.iter().any(|(_, v)| !is_empty(v));
        if !usable {
            self.add(&format!("{at}/{key}"), message);
        }
        found.into_iter().filter(|(_, v)| !is_empty(v)).collect()
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_empty),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

impl Credential {
    /// The EDC-generic mandatory fields that are missing, in document order. An empty list
    /// means the structure is complete (vocabularies are not checked here).
    pub fn check_format(&self) -> Vec<Finding> {
        let mut c = Checker {
            findings: Vec::new(),
        };
        let root = self.as_value();
        c.required(
            root,
            "",
            "credentialProfiles",
            "the credential has no profile (credentialProfiles): choose e.g. the Generic profile",
        );
        c.required(
            root,
            "",
            "credentialSchema",
            "the credential names no schema (credentialSchema): use edc-generic-full",
        );
        for (at, dp) in c.required(
            root,
            "",
            "displayParameter",
            "the credential has no display (displayParameter)",
        ) {
            c.required(dp, &at, "title", "the display has no title");
            c.required(dp, &at, "language", "the display has no language");
            c.required(
                dp,
                &at,
                "primaryLanguage",
                "the display has no primary language",
            );
            for (at, ind) in c.required(
                dp,
                &at,
                "individualDisplay",
                "the display has no per-language page (individualDisplay)",
            ) {
                c.required(ind, &at, "language", "a display page has no language");
                for (at, det) in c.required(
                    ind,
                    &at,
                    "displayDetail",
                    "a display page has no detail (displayDetail)",
                ) {
                    c.required(det, &at, "page", "a display detail has no page number");
                    for (at, img) in c.required(det, &at, "image", "a display detail has no image")
                    {
                        check_media(&mut c, img, &at);
                    }
                }
            }
        }
        for (at, subject) in c.required(
            root,
            "",
            "credentialSubject",
            "the credential has no learner (credentialSubject)",
        ) {
            for (at, claim) in c.required(
                subject,
                &at,
                "hasClaim",
                "the learner has no claim: add an achievement, activity, assessment or entitlement",
            ) {
                check_claim(&mut c, claim, &at);
            }
        }
        for (at, issuer) in c.required(root, "", "issuer", "the credential has no issuer") {
            c.required(issuer, &at, "legalName", "the issuer has no legal name");
            for (at, loc) in c.required(issuer, &at, "location", "the issuer has no location") {
                for (at, addr) in
                    c.required(loc, &at, "address", "an issuer location has no address")
                {
                    c.required(addr, &at, "countryCode", "an issuer address has no country");
                }
            }
            for (at, id) in c.required(
                issuer,
                &at,
                "eIDASIdentifier",
                "the issuer has no eIDAS identifier: it is filled from the seal certificate at sealing",
            ) {
                c.required(id, &at, "notation", "the eIDAS identifier has no value (notation)");
                c.required(id, &at, "spatial", "the eIDAS identifier has no country (spatial)");
            }
        }
        c.required(
            root,
            "",
            "issued",
            "the credential has no issue date: it is set at sealing",
        );
        c.required(
            root,
            "",
            "validFrom",
            "the credential has no valid-from date",
        );
        c.findings
    }
}

fn check_media(c: &mut Checker, media: &Value, at: &str) {
    c.required(media, at, "content", "an image has no content");
    c.required(media, at, "contentEncoding", "an image has no encoding");
    c.required(media, at, "contentType", "an image has no file type");
}

fn check_claim(c: &mut Checker, claim: &Value, at: &str) {
    c.required(claim, at, "title", "a claim has no title");
    let awarded = c.required(
        claim,
        at,
        "awardedBy",
        "a claim has no awarding process (awardedBy)",
    );
    if awarded.len() > 1 {
        c.add(
            &format!("{at}/awardedBy"),
            "a claim has more than one awarding process (awardedBy): keep exactly one",
        );
    }
    for (at, process) in awarded {
        c.required(
            process,
            &at,
            "awardingBody",
            "an awarding process names no awarding body",
        );
    }
    let is_assessment = items(claim.get("type"))
        .iter()
        .any(|t| t.as_str() == Some("LearningAssessment"));
    if is_assessment {
        c.required(claim, at, "grade", "an assessment has no grade");
    }
}
