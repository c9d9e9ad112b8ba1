//! Building a credential for one recipient from a template, and the fields the EDC issuer
//! fills at sealing (from the seal certificate).

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::country::{country_alpha3, CountryEntry};
use crate::credential::Credential;
use crate::error::ElmError;
use crate::language::items;

const GENERIC_PROFILE: &str = "http://data.europa.eu/snb/credential/e34929035b";
const CERTIFICATE_ORGANISATION: &str = "urn:certificateOrganisation:1";
const COUNTRY_SCHEME: &str = "http://publications.europa.eu/resource/authority/country";

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A credential template: a credential (or `{"credential": ...}` upload) whose learner part is
/// replaced for each recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    credential: Credential,
    source_name: String,
}

impl Template {
    /// Reads a template from JSON bytes; `source_name` (file name) is used in errors.
    pub fn from_json(bytes: &[u8], source_name: &str) -> Result<Self, ElmError> {
        Ok(Self {
            credential: Credential::from_json(bytes, source_name)?,
            source_name: source_name.to_owned(),
        })
    }

    /// The template credential.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Where the template came from.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }
}

/// The learner a credential is issued to (personal data: never log it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Full name as printed on the credential.
    pub full_name: String,
    /// Given name(s); may be empty.
    #[serde(default)]
    pub given_name: String,
    /// Family name(s); may be empty.
    #[serde(default)]
    pub family_name: String,
    /// E-mail address (becomes `contactPoint.emailAddress` `mailto:`).
    pub email: String,
    /// Date of birth, `YYYY-MM-DD`.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<Date>,
}

/// What the seal certificate says about the issuing organisation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuerIdentity {
    /// Subject `O` (organisation name).
    pub legal_name: String,
    /// Subject `organizationIdentifier` (OID 2.5.4.97), e.g. `VATFR-12345678901`.
    pub organization_identifier: String,
    /// Subject `C`, two letters.
    pub country_alpha2: String,
    /// Subject `CN` (the seal's name).
    pub common_name: String,
}

fn rfc3339(t: OffsetDateTime, what: &'static str) -> Result<String, ElmError> {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|source| ElmError::DateNotWritable { what, source })
}

fn lang_map(lang: &str, text: &str) -> Value {
    let mut m = Map::new();
    m.insert(lang.to_owned(), Value::String(text.to_owned()));
    Value::Object(m)
}

/// Builds the credential of one recipient (Generic EDC profile): new id
/// `urn:credential:<credential_id>`, the learner replaced by the recipient (names as language
/// maps in the display's primary language, `mailto:` contact point, date of birth), `validFrom`
/// set, and stale `issued`/`issuanceDate` removed. The template's claims are kept; every other
/// personal field of the template's learner is dropped so no sample data leaks.
pub fn build(
    template: &Template,
    recipient: &Recipient,
    credential_id: Uuid,
    valid_from: OffsetDateTime,
) -> Result<Credential, ElmError> {
    let full_name = recipient.full_name.trim();
    if full_name.is_empty() {
        return Err(ElmError::RecipientInvalid {
            field: "fullName",
            reason: "it is empty",
        });
    }
    let email = recipient.email.trim();
    let at = email.find('@');
    if !matches!(at, Some(i) if i > 0 && i + 1 < email.len()) || email.contains(char::is_whitespace)
    {
        return Err(ElmError::RecipientInvalid {
            field: "email",
            reason: "it is not an e-mail address",
        });
    }
    let source = template.credential.as_value();
    let lang = template.credential.primary_language();
    // Only the learner's id and claims are carried over from the template's subject; they are
    // read in place and the claims cloned once (the subject, most of a credential, is not
    // cloned whole, nor cloned and then dropped).
    let template_subject = source
        .get("credentialSubject")
        .and_then(|s| items(Some(s)).into_iter().next())
        .unwrap_or(&Value::Null);
    let claims = template_subject
        .get("hasClaim")
        .filter(|c| !items(Some(c)).is_empty())
        .cloned()
        .ok_or(ElmError::TemplateIncomplete {
            pointer: "/credentialSubject/hasClaim".to_owned(),
            what: "claim",
        })?;
    // Everything but the subject, in the template's member order (the new subject takes the
    // old one's place below).
    let mut credential = match source {
        Value::Object(map) => Credential::wrap(Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = if key == "credentialSubject" {
                        Value::Null
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect(),
        )),
        _ => template.credential.clone(),
    };

    let mut subject = Map::new();
    let subject_id = template_subject
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("urn:epass:person:1");
    subject.insert("id".into(), json!(subject_id));
    subject.insert("type".into(), json!("Person"));
    subject.insert("fullName".into(), lang_map(&lang, full_name));
    if !recipient.given_name.trim().is_empty() {
        subject.insert(
            "givenName".into(),
            lang_map(&lang, recipient.given_name.trim()),
        );
    }
    if !recipient.family_name.trim().is_empty() {
        subject.insert(
            "familyName".into(),
            lang_map(&lang, recipient.family_name.trim()),
        );
    }
    if let Some(dob) = recipient.date_of_birth {
        let midnight = dob.midnight().assume_utc();
        subject.insert(
            "dateOfBirth".into(),
            json!(rfc3339(midnight, "dateOfBirth")?),
        );
    }
    subject.insert(
        "contactPoint".into(),
        json!({
            "id": "urn:epass:contactPoint:1",
            "type": "ContactPoint",
            "emailAddress": {"id": format!("mailto:{email}"), "type": "Mailbox"}
        }),
    );
    subject.insert("hasClaim".into(), claims);

    let valid_from = rfc3339(valid_from, "validFrom")?;
    let root = credential
        .object_mut()
        .ok_or(ElmError::TemplateIncomplete {
            pointer: String::new(),
            what: "credential object",
        })?;
    root.insert(
        "id".into(),
        json!(format!("urn:credential:{credential_id}")),
    );
    if !root.contains_key("credentialProfiles") {
        root.insert(
            "credentialProfiles".into(),
            json!({
                "id": GENERIC_PROFILE,
                "type": "Concept",
                "inScheme": {"id": "http://data.europa.eu/snb/credential/25831c2", "type": "ConceptScheme"},
                "prefLabel": {"en": "Generic"}
            }),
        );
    }
    root.insert("credentialSubject".into(), Value::Object(subject));
    root.insert("validFrom".into(), json!(valid_from));
    root.remove("issued");
    root.remove("issuanceDate");
    Ok(credential)
}

pub(crate) fn country_concept(country: &CountryEntry) -> Value {
    json!({
        "id": format!("{COUNTRY_SCHEME}/{}", country.alpha3),
        "type": "Concept",
        "inScheme": {"id": COUNTRY_SCHEME, "type": "ConceptScheme"},
        "prefLabel": {"en": country.name_en}
    })
}

/// Fills what the EDC issuer fills at sealing from the seal certificate: `issuer.eIDASIdentifier`
/// (`urn:certificateIdentifier:1`, notation = organizationIdentifier, spatial = country),
/// the issuer's own node id `urn:certificateOrganisation:1`, `issuer.legalName` (O), `issuer.altLabel` (CN), an issuer location
/// `urn:certificateLocation:1` in that country (replacing an earlier one), and `issued` =
/// `issuanceDate` = `issued`. Idempotent for the same inputs.
pub fn prepare_for_sealing(
    credential: &mut Credential,
    identity: &IssuerIdentity,
    issued: OffsetDateTime,
) -> Result<(), ElmError> {
    let country =
        country_alpha3(&identity.country_alpha2).ok_or_else(|| ElmError::UnknownCountry {
            code: identity.country_alpha2.clone(),
        })?;
    if identity.organization_identifier.trim().is_empty() {
        return Err(ElmError::TemplateIncomplete {
            pointer: "/issuer/eIDASIdentifier/notation".to_owned(),
            what: "organisation identifier from the seal certificate",
        });
    }
    let lang = credential.primary_language();
    let issued = rfc3339(issued, "issued")?;
    let root = credential
        .object_mut()
        .ok_or(ElmError::TemplateIncomplete {
            pointer: String::new(),
            what: "credential object",
        })?;
    let issuer = match root.get_mut("issuer") {
        Some(Value::Object(map)) => map,
        _ => {
            return Err(ElmError::TemplateIncomplete {
                pointer: "/issuer".to_owned(),
                what: "issuer organisation",
            })
        }
    };
    // The template's issuer node is often also the awarding body (same id); giving the sealed
    // issuer its own node keeps the certificate's legal name from clashing with the awarding
    // body's name (SHACL: one legalName per language). The EDC issuer does the same.
    issuer.insert("id".into(), json!(CERTIFICATE_ORGANISATION));
    issuer.insert(
        "eIDASIdentifier".into(),
        json!({
            "id": "urn:certificateIdentifier:1",
            "type": "LegalIdentifier",
            "notation": identity.organization_identifier.trim(),
            "spatial": country_concept(country)
        }),
    );
    issuer.insert(
        "legalName".into(),
        lang_map(&lang, identity.legal_name.trim()),
    );
    if !identity.common_name.trim().is_empty() {
        issuer.insert(
            "altLabel".into(),
            lang_map(&lang, identity.common_name.trim()),
        );
    }
    let mut locations: Vec<Value> = items(issuer.get("location"))
        .into_iter()
        .filter(|l| l.get("id").and_then(Value::as_str) != Some("urn:certificateLocation:1"))
        .cloned()
        .collect();
    locations.push(json!({
        "id": "urn:certificateLocation:1",
        "type": "Location",
        "address": {
            "id": "urn:certificateAddress:1",
            "type": "Address",
            "countryCode": country_concept(country)
        }
    }));
    issuer.insert("location".into(), Value::Array(locations));
    root.insert("issuanceDate".into(), json!(issued));
    root.insert("issued".into(), json!(issued));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `build` clones the template member by member without its subject: every other member
    /// must come out exactly as in the template, in the template's order (new members after),
    /// and the claims exactly the template's.
    #[test]
    fn build_keeps_every_other_member_and_the_claims_as_the_template_has_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
        let sources = [
            root.join("assets/templates/generic-sample.json"),
            root.join("../shared/reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld"),
            root.join("../shared/reference/elm-v3/credentials-jsonld/Sample-CertOfPart-unsigned-uploadable.json"),
        ];
        let recipient = Recipient {
            full_name: "Ana Novak".to_owned(),
            given_name: "Ana".to_owned(),
            family_name: "Novak".to_owned(),
            email: "ana@example.org".to_owned(),
            date_of_birth: None,
        };
        let now = OffsetDateTime::from_unix_timestamp(1_772_000_000).expect("time");
        for path in sources {
            let bytes = std::fs::read(&path).expect("template file");
            let template = Template::from_json(&bytes, "t").expect("template");
            let built = build(&template, &recipient, Uuid::nil(), now).expect("builds");
            let (Some(old), Some(new)) = (
                template.credential.as_value().as_object(),
                built.as_value().as_object(),
            ) else {
                panic!("{}: credentials are objects", path.display());
            };
            const CHANGED: [&str; 6] = [
                "id",
                "credentialSubject",
                "validFrom",
                "credentialProfiles",
                "issued",
                "issuanceDate",
            ];
            let kept: Vec<&String> = old
                .keys()
                .filter(|k| !["issued", "issuanceDate"].contains(&k.as_str()))
                .collect();
            let order: Vec<&String> = new.keys().take(kept.len()).collect();
            assert_eq!(order, kept, "{}: member order", path.display());
            for (key, value) in old {
                if !CHANGED.contains(&key.as_str()) {
                    assert_eq!(new.get(key), Some(value), "{}: /{key}", path.display());
                }
            }
            let subject = old
                .get("credentialSubject")
                .and_then(|s| items(Some(s)).into_iter().next())
                .expect("template subject");
            assert_eq!(
                built.as_value()["credentialSubject"]["hasClaim"],
                subject["hasClaim"],
                "{}: the claims are the template's",
                path.display()
            );
            assert_eq!(
                built.as_value()["credentialSubject"]["fullName"]
                    .as_object()
                    .and_then(|m| m.values().next())
                    .and_then(Value::as_str),
                Some("Ana Novak"),
                "{}: the learner is the recipient",
                path.display()
            );
        }
    }
}
