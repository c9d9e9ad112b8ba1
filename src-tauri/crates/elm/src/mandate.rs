//! Mandated issue: sealing on behalf of an awarding body that has no seal of its own.
//!
//! A [`Mandate`] names the mandating body (legal name, legal identifier, country, …), the
//! statement of the mandate and, usually, the signed mandate document (PDF, PNG or JPEG).
//! [`Mandate::apply`] writes it onto a template or a built credential: every claim's awarding
//! body becomes the mandating body, the credential carries the Mandate evidence (evidence-type
//! `c_18016257`, one `evidenceStatement`, the document embedded as a base64 `MediaObject`) and
//! declares the issued-by-mandate application profile in `credentialSchema` (beside the generic
//! one). The issuer stays the sealing institution: [`crate::prepare_for_sealing`] fills it from
//! the seal certificate afterwards, as for any credential.
//!
//! The official mandated samples (`Sample-*-signed.jsonld`) keep the Generic credential profile
//! concept; so does this module (no credential-type concept for mandated issue is published in
//! the reference vocabularies). Not here: reading files (callers pass bytes), SHACL (tests run
//! the official checker), signatures.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::build::country_concept;
use crate::country::country_alpha3;
use crate::credential::Credential;
use crate::error::ElmError;
use crate::format::Finding;
use crate::language::items;
use crate::model::MANDATE_EVIDENCE_TYPE;

/// `credentialSchema` id of the issued-by-mandate application profile (EDC-issuedByMandate.ttl).
pub const MANDATE_PROFILE: &str = "http://data.europa.eu/snb/model/ap/edc-issued-by-mandate";
/// `credentialSchema` id of the generic profile the mandate profile imports.
pub const GENERIC_FULL_PROFILE: &str = "http://data.europa.eu/snb/model/ap/edc-generic-full";
/// The largest mandate document embedded in each credential (the EDC issuer's upload limit).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// The statement the EDC issuer writes when none is given.
pub const DEFAULT_STATEMENT: &str = "Every claim inside this credential is to be construed as having been made by the indicated awarding body, who maintains sole responsibility for said claim. By applying its electronic seal, the signing organisation certifies the correctness of origin of each claim, as having been made by the indicated awarding body.";

const EVIDENCE_SCHEME: &str = "http://data.europa.eu/snb/evidence-type/25831c2";
const FILE_TYPE: &str = "http://publications.europa.eu/resource/authority/file-type";
const BASE64_ENCODING: &str = "http://data.europa.eu/snb/encoding/6146cde7dd";
const ENCODING_SCHEME: &str = "http://data.europa.eu/snb/encoding/25831c2";
const ORG_ID: &str = "urn:epass:org:mandatingBody";
const EVIDENCE_ID: &str = "urn:epass:evidence:mandate";

/// A text given once (it is written in the credential's primary language) or per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// One text, in the credential's primary language.
    One(String),
    /// Language code (`en`, `fr`) → text.
    PerLanguage(BTreeMap<String, String>),
}

impl Text {
    fn is_blank(&self) -> bool {
        match self {
            Text::One(s) => s.trim().is_empty(),
            Text::PerLanguage(m) => m.values().all(|s| s.trim().is_empty()),
        }
    }

    fn lang_map(&self, lang: &str) -> Value {
        let mut out = Map::new();
        match self {
            Text::One(s) => {
                out.insert(lang.to_owned(), json!(s.trim()));
            }
            Text::PerLanguage(m) => {
                for (l, s) in m.iter().filter(|(_, s)| !s.trim().is_empty()) {
                    out.insert(l.to_lowercase(), json!(s.trim()));
                }
            }
        }
        Value::Object(out)
    }

    /// The text in `lang`, else English, else the first one.
    fn pick(&self, lang: &str) -> Option<&str> {
        match self {
            Text::One(s) => Some(s.trim()),
            Text::PerLanguage(m) => m
                .get(lang)
                .or_else(|| m.get("en"))
                .or_else(|| m.values().find(|s| !s.trim().is_empty()))
                .map(|s| s.trim()),
        }
        .filter(|s| !s.is_empty())
    }
}

/// The awarding body on whose behalf the credentials are sealed (a registrar writes this as
/// JSON: `{"legalName": {"en": "…"}, "legalIdentifier": "…", "country": "BE", …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MandatingBody {
    /// Legal name (one text or per language).
    pub legal_name: Text,
    /// Short name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_label: Option<Text>,
    /// Legal identifier (registration number, VAT number, …).
    pub legal_identifier: String,
    /// Country, two letters (`BE`).
    pub country: String,
    /// Home page address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The statement of the mandate; the EDC issuer's standard statement when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<Text>,
}

/// The file type of a mandate document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    /// `application/pdf`.
    Pdf,
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
}

impl DocumentType {
    /// The type the bytes start with, if it is one of PDF, PNG, JPEG.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// The type of a media type (`application/pdf`, `image/png`, `image/jpeg`).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type.trim().to_ascii_lowercase().as_str() {
            "application/pdf" => Some(Self::Pdf),
            "image/png" => Some(Self::Png),
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    fn file_type(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
        }
    }
}

/// The signed mandate document, checked: PDF, PNG or JPEG, at most [`MAX_DOCUMENT_BYTES`].
#[derive(Clone, PartialEq, Eq)]
pub struct MandateDocument {
    file_name: String,
    media_type: DocumentType,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for MandateDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MandateDocument")
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl MandateDocument {
    /// Checks the document: its content must be PDF, PNG or JPEG (and match `declared`, a
    /// media type, when given) and at most [`MAX_DOCUMENT_BYTES`] long.
    pub fn new(file_name: &str, bytes: Vec<u8>, declared: Option<&str>) -> Result<Self, ElmError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ElmError::MandateDocumentTooLarge {
                file_name: file_name.to_owned(),
                size: bytes.len(),
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        let sniffed = DocumentType::sniff(&bytes).ok_or_else(|| ElmError::MandateDocumentType {
            file_name: file_name.to_owned(),
            found: "content that is not PDF, PNG or JPEG".to_owned(),
        })?;
        if let Some(declared) = declared {
            match DocumentType::from_media_type(declared) {
                Some(t) if t == sniffed => {}
                Some(t) => {
                    return Err(ElmError::MandateDocumentType {
                        file_name: file_name.to_owned(),
                        found: format!(
                            "{} content declared as {}",
                            sniffed.media_type(),
                            t.media_type()
                        ),
                    })
                }
                None => {
                    return Err(ElmError::MandateDocumentType {
                        file_name: file_name.to_owned(),
                        found: format!("media type {declared:?}"),
                    })
                }
            }
        }
        Ok(Self {
            file_name: file_name.to_owned(),
            media_type: sniffed,
            bytes,
        })
    }

    /// The file name (becomes the embedded document's title).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The checked file type.
    pub fn media_type(&self) -> DocumentType {
        self.media_type
    }

    /// The document's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A mandate: who awards, what the mandate says, and the signed mandate document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    awarding_body: MandatingBody,
    document: Option<MandateDocument>,
}

fn invalid(field: &str, reason: &str) -> ElmError {
    ElmError::MandateInvalid {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

impl Mandate {
    /// Checks the mandating body (legal name, legal identifier, a supported country, a plausible
    /// e-mail) and keeps the document.
    pub fn new(
        awarding_body: MandatingBody,
        document: Option<MandateDocument>,
    ) -> Result<Self, ElmError> {
        if awarding_body.legal_name.is_blank() {
            return Err(invalid(
                "legalName",
                "it is empty: give the body's legal name",
            ));
        }
        if awarding_body.legal_identifier.trim().is_empty() {
            return Err(invalid(
                "legalIdentifier",
                "it is empty: give the body's registration or VAT number",
            ));
        }
        if country_alpha3(&awarding_body.country).is_none() {
            return Err(invalid(
                "country",
                "it is not a supported two-letter country code (e.g. BE)",
            ));
        }
        if let Some(email) = &awarding_body.email {
            let e = email.trim();
            if !matches!(e.find('@'), Some(i) if i > 0 && i + 1 < e.len())
                || e.contains(char::is_whitespace)
            {
                return Err(invalid("email", "it is not an e-mail address"));
            }
        }
        if let Some(home) = &awarding_body.homepage {
            let h = home.trim();
            if !(h.starts_with("https://") || h.starts_with("http://")) {
                return Err(invalid("homepage", "it is not an http(s) address"));
            }
        }
        Ok(Self {
            awarding_body,
            document,
        })
    }

    /// Reads the mandating body from the registrar's JSON (see [`MandatingBody`]) and checks it.
    pub fn from_json(
        bytes: &[u8],
        source_name: &str,
        document: Option<MandateDocument>,
    ) -> Result<Self, ElmError> {
        let body: MandatingBody =
            serde_json::from_slice(bytes).map_err(|source| ElmError::MandateUnreadable {
                source_name: source_name.to_owned(),
                line: source.line(),
                column: source.column(),
                source,
            })?;
        Self::new(body, document)
    }

    /// The mandating body.
    pub fn awarding_body(&self) -> &MandatingBody {
        &self.awarding_body
    }

    /// The signed mandate document, if any.
    pub fn document(&self) -> Option<&MandateDocument> {
        self.document.as_ref()
    }

    fn organisation(&self, lang: &str) -> Result<Value, ElmError> {
        let body = &self.awarding_body;
        let country = country_alpha3(&body.country)
            .ok_or_else(|| invalid("country", "it is not a supported two-letter country code"))?;
        let mut org = Map::new();
        org.insert("id".into(), json!(ORG_ID));
        org.insert("type".into(), json!("Organisation"));
        org.insert("legalName".into(), body.legal_name.lang_map(lang));
        if let Some(alt) = body.alt_label.as_ref().filter(|a| !a.is_blank()) {
            org.insert("altLabel".into(), alt.lang_map(lang));
        }
        org.insert(
            "registration".into(),
            json!({
                "id": "urn:epass:legalIdentifier:mandatingBody",
                "type": "LegalIdentifier",
                "notation": body.legal_identifier.trim(),
                "spatial": country_concept(country)
            }),
        );
        org.insert(
            "location".into(),
            json!({
                "id": "urn:epass:location:mandatingBody",
                "type": "Location",
                "address": {
                    "id": "urn:epass:address:mandatingBody",
                    "type": "Address",
                    "countryCode": country_concept(country)
                }
            }),
        );
        if let Some(home) = body.homepage.as_deref().map(str::trim) {
            org.insert(
                "homepage".into(),
                json!({"id": "urn:epass:webResource:mandatingBody", "type": "WebResource", "contentURL": home}),
            );
        }
        if let Some(email) = body.email.as_deref().map(str::trim) {
            org.insert(
                "contactPoint".into(),
                json!({
                    "id": "urn:epass:contactPoint:mandatingBody",
                    "type": "ContactPoint",
                    "emailAddress": {"id": format!("mailto:{email}"), "type": "Mailbox"}
                }),
            );
        }
        Ok(Value::Object(org))
    }

    fn evidence(&self, lang: &str) -> Value {
        let statement = self
            .awarding_body
            .statement
            .as_ref()
            .and_then(|s| s.pick(lang))
            .unwrap_or(DEFAULT_STATEMENT);
        let mut ev = Map::new();
        ev.insert("id".into(), json!(EVIDENCE_ID));
        ev.insert("type".into(), json!("Evidence"));
        ev.insert(
            "dcType".into(),
            json!({
                "id": MANDATE_EVIDENCE_TYPE,
                "type": "Concept",
                "inScheme": {"id": EVIDENCE_SCHEME, "type": "ConceptScheme"},
                "prefLabel": {"en": "Mandate"}
            }),
        );
        // SHACL: exactly one xsd:string, so one plain text (not a language map).
        ev.insert("evidenceStatement".into(), json!(statement));
        if let Some(doc) = &self.document {
            let file_type = doc.media_type.file_type();
            ev.insert(
                "embeddedEvidence".into(),
                json!({
                    "id": "urn:epass:mediaObject:mandate",
                    "type": "MediaObject",
                    "content": base64::engine::general_purpose::STANDARD.encode(&doc.bytes),
                    "contentEncoding": {
                        "id": BASE64_ENCODING,
                        "type": "Concept",
                        "inScheme": {"id": ENCODING_SCHEME, "type": "ConceptScheme"},
                        "prefLabel": {"en": "base64"}
                    },
                    "contentType": {
                        "id": format!("{FILE_TYPE}/{file_type}"),
                        "type": "Concept",
                        "inScheme": {"id": FILE_TYPE, "type": "ConceptScheme"},
                        "prefLabel": {"en": file_type}
                    },
                    "title": {lang: doc.file_name.as_str()}
                }),
            );
        }
        Value::Object(ev)
    }

    /// Writes the mandate onto a template or built credential (idempotent): awarding bodies,
    /// Mandate evidence, issued-by-mandate profile. Fails when the credential has no claim
    /// with an awarding process to give the body to.
    pub fn apply(&self, credential: &mut Credential) -> Result<(), ElmError> {
        let lang = credential.primary_language();
        let org = self.organisation(&lang)?;
        let evidence = self.evidence(&lang);
        let root = credential
            .object_mut()
            .ok_or(ElmError::TemplateIncomplete {
                pointer: String::new(),
                what: "credential object",
            })?;
        let mut replaced = 0usize;
        if let Some(subject) = root.get_mut("credentialSubject") {
            replace_awarding_bodies(subject, &org, &mut replaced);
        }
        if replaced == 0 {
            return Err(ElmError::TemplateIncomplete {
                pointer: "/credentialSubject/hasClaim/awardedBy".to_owned(),
                what: "awarding process for the mandating body",
            });
        }
        let mut evidences: Vec<Value> = items(root.get("evidence"))
            .into_iter()
            .filter(|e| !is_mandate_evidence(e))
            .cloned()
            .collect();
        evidences.push(evidence);
        root.insert("evidence".into(), Value::Array(evidences));
        let mut schemas: Vec<Value> = items(root.get("credentialSchema"))
            .into_iter()
            .filter(|s| s.get("id").and_then(Value::as_str) != Some(MANDATE_PROFILE))
            .cloned()
            .collect();
        if schemas.is_empty() {
            schemas.push(json!({"id": GENERIC_FULL_PROFILE, "type": "ShaclValidator2017"}));
        }
        schemas.push(json!({"id": MANDATE_PROFILE, "type": "ShaclValidator2017"}));
        root.insert("credentialSchema".into(), Value::Array(schemas));
        Ok(())
    }
}

fn is_mandate_evidence(e: &Value) -> bool {
    e.pointer("/dcType/id").and_then(Value::as_str) == Some(MANDATE_EVIDENCE_TYPE)
}

/// Sets `awardingBody` of every awarding process below `v` (claims nest claims).
fn replace_awarding_bodies(v: &mut Value, org: &Value, replaced: &mut usize) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "awardedBy" {
                    match child {
                        Value::Object(process) => {
                            process.insert("awardingBody".into(), org.clone());
                            *replaced += 1;
                        }
                        Value::Array(list) => {
                            for p in list.iter_mut().filter_map(Value::as_object_mut) {
                                p.insert("awardingBody".into(), org.clone());
                                *replaced += 1;
                            }
                        }
                        _ => {}
                    }
                } else {
                    replace_awarding_bodies(child, org, replaced);
                }
            }
        }
        Value::Array(list) => {
            for child in list {
                replace_awarding_bodies(child, org, replaced);
            }
        }
        _ => {}
    }
}

/// Whether the credential declares the issued-by-mandate profile.
pub fn declares_mandate_profile(credential: &Value) -> bool {
    items(credential.get("credentialSchema"))
        .into_iter()
        .any(|s| s.get("id").and_then(Value::as_str) == Some(MANDATE_PROFILE))
}

/// The issued-by-mandate profile's constraints (EDC-issuedByMandate.ttl) plus ours: at least
/// one evidence, each with exactly one plain-text statement; a Mandate evidence; embedded
/// documents of type PDF, PNG or JPEG. Nothing when the profile is not declared.
pub(crate) fn profile_findings(root: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !declares_mandate_profile(root) {
        return findings;
    }
    let evidences = items(root.get("evidence"));
    if evidences.is_empty() {
        findings.push(Finding {
            pointer: "/evidence".to_owned(),
            message: "a credential issued by mandate needs the Mandate evidence: add the mandate"
                .to_owned(),
        });
        return findings;
    }
    let many = root.get("evidence").is_some_and(Value::is_array);
    for (i, ev) in evidences.iter().enumerate() {
        let at = if many {
            format!("/evidence/{i}")
        } else {
            "/evidence".to_owned()
        };
        match ev.get("evidenceStatement") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(Value::String(_)) | None => findings.push(Finding {
                pointer: format!("{at}/evidenceStatement"),
                message: "an evidence of a mandated credential needs its statement".to_owned(),
            }),
            Some(_) => findings.push(Finding {
                pointer: format!("{at}/evidenceStatement"),
                message: "the evidence statement must be one plain text (not per language)"
                    .to_owned(),
            }),
        }
        if is_mandate_evidence(ev) {
            let docs = items(ev.get("embeddedEvidence"));
            let many_docs = ev.get("embeddedEvidence").is_some_and(Value::is_array);
            for (j, doc) in docs.iter().enumerate() {
                let ty = doc
                    .pointer("/contentType/id")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let ok = ["PDF", "PNG", "JPEG"]
                    .iter()
                    .any(|t| ty == format!("{FILE_TYPE}/{t}"));
                if !ok {
                    let p = if many_docs {
                        format!("{at}/embeddedEvidence/{j}/contentType")
                    } else {
                        format!("{at}/embeddedEvidence/contentType")
                    };
                    findings.push(Finding {
                        pointer: p,
                        message: "the mandate document must be a PDF, PNG or JPEG file".to_owned(),
                    });
                }
            }
        }
    }
    if !evidences.iter().any(|e| is_mandate_evidence(e)) {
        findings.push(Finding {
            pointer: "/evidence".to_owned(),
            message: "a credential issued by mandate needs an evidence of type Mandate".to_owned(),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> MandatingBody {
        MandatingBody {
            legal_name: Text::One("Académie de Test".into()),
            alt_label: None,
            legal_identifier: "BE0123456789".into(),
            country: "BE".into(),
            homepage: Some("https://academie.example".into()),
            email: Some("registrar@academie.example".into()),
            statement: None,
        }
    }

    #[test]
    fn documents_are_typed_by_content() {
        let pdf = b"%PDF-1.4 test".to_vec();
        let doc = MandateDocument::new("m.pdf", pdf.clone(), Some("application/pdf"))
            .expect("pdf accepted");
        assert_eq!(doc.media_type(), DocumentType::Pdf, "sniffed as PDF");
        let err = MandateDocument::new("m.png", pdf, Some("image/png"))
            .expect_err("a PDF declared as PNG is refused");
        assert!(
            matches!(err, ElmError::MandateDocumentType { .. }),
            "type error, got {err:?}"
        );
        let err = MandateDocument::new("m.docx", b"PK\x03\x04".to_vec(), None)
            .expect_err("a zip is refused");
        assert!(
            err.to_string().contains("PDF, PNG or JPEG"),
            "message names the allowed types: {err}"
        );
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        let err = MandateDocument::new("big.pdf", big, None).expect_err("too large");
        assert!(
            matches!(err, ElmError::MandateDocumentTooLarge { size, .. } if size == MAX_DOCUMENT_BYTES + 1),
            "size error, got {err:?}"
        );
    }

    #[test]
    fn bodies_are_checked() {
        let mut b = body();
        b.country = "XX".into();
        assert!(
            matches!(Mandate::new(b, None), Err(ElmError::MandateInvalid { ref field, .. }) if field == "country"),
            "unknown country refused"
        );
        let mut b = body();
        b.legal_identifier = " ".into();
        assert!(
            Mandate::new(b, None).is_err(),
            "empty legal identifier refused"
        );
        let json = br#"{"legalName": {"en": "Body", "fr": "Corps"}, "legalIdentifier": "X1", "country": "FR", "statement": "On behalf of Body."}"#;
        let m = Mandate::from_json(json, "org.json", None).expect("reads");
        assert_eq!(
            m.awarding_body().statement,
            Some(Text::One("On behalf of Body.".into())),
            "statement read"
        );
        let err = Mandate::from_json(br#"{"legalName": "B", "country": "FR"}"#, "org.json", None)
            .expect_err("missing identifier");
        assert!(
            err.to_string().contains("org.json"),
            "error names the file: {err}"
        );
    }

    #[test]
    fn statement_picks_the_primary_language() {
        let t = Text::PerLanguage(BTreeMap::from([
            ("en".to_owned(), "English".to_owned()),
            ("fr".to_owned(), "Français".to_owned()),
        ]));
        assert_eq!(t.pick("fr"), Some("Français"), "primary language");
        assert_eq!(t.pick("de"), Some("English"), "English fallback");
    }
}
