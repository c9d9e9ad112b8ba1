//! The [`Credential`] newtype: reading, payload bytes and a summary.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ElmError;
use crate::language::{items, language_code, text_in};

/// An EDC credential as JSON (key order preserved). Guaranteed to be a JSON object whose
/// `type` names `VerifiableCredential` or `EuropeanDigitalCredential`.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential(Value);

/// What a person needs to recognise a credential in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The credential `id` (`urn:credential:<uuid>`), if any.
    pub id: Option<String>,
    /// Display title, or the first claim's title.
    pub title: Option<String>,
    /// The issuer's legal name.
    pub issuer: Option<String>,
    /// The learner's full name (or given + family name).
    pub learner: Option<String>,
    /// Language-map key of the primary language (`"en"`).
    pub primary_language: String,
}

impl Credential {
    /// Reads a credential from JSON bytes: either the credential itself or the EDC upload
    /// wrapper `{"credential": {...}}`. `source_name` names the input in errors.
    pub fn from_json(bytes: &[u8], source_name: &str) -> Result<Self, ElmError> {
        // UTF-8 checked once for the whole text, not string by string (serde_json's slice
        // reader checks each of the thousands of strings of a credential); bytes that are not
        // UTF-8 go to the slice reader, which names the place.
        let parsed = match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(bytes),
        };
        let value: Value = parsed.map_err(|source| ElmError::MalformedJson {
            source_name: source_name.to_owned(),
            line: source.line(),
            column: source.column(),
            source,
        })?;
        Self::from_value(value, source_name)
    }

    /// Wraps a value made from an already checked credential (no checks).
    pub(crate) fn wrap(value: Value) -> Self {
        Self(value)
    }

    /// Wraps a parsed JSON value (credential or upload wrapper) after checking it is a credential.
    pub fn from_value(value: Value, source_name: &str) -> Result<Self, ElmError> {
        let not = |pointer: &str, reason: &str| ElmError::NotACredential {
            source_name: source_name.to_owned(),
            pointer: pointer.to_owned(),
            reason: reason.to_owned(),
        };
        let (value, base) = match value {
            Value::Object(mut map)
                if map.contains_key("credential") && !map.contains_key("type") =>
            {
                match map.remove("credential") {
                    Some(inner) => (inner, "/credential"),
                    None => return Err(not("/credential", "the upload wrapper is empty")),
                }
            }
            other => (other, ""),
        };
        let Value::Object(map) = &value else {
            return Err(not(base, "expected a JSON object"));
        };
        let types = items(map.get("type"));
        if types.is_empty() {
            return Err(not(&format!("{base}/type"), "there is no type"));
        }
        let known = types.iter().any(|t| {
            matches!(
                t.as_str(),
                Some("VerifiableCredential" | "EuropeanDigitalCredential")
            )
        });
        if !known {
            return Err(not(
                &format!("{base}/type"),
                "the type is neither VerifiableCredential nor EuropeanDigitalCredential",
            ));
        }
        Ok(Self(value))
    }

    /// The JSON value.
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// Mutable access for the builder; `None` cannot happen for a value built by
    /// [`Credential::from_value`] (it is always an object).
    pub(crate) fn object_mut(&mut self) -> Option<&mut serde_json::Map<String, Value>> {
        self.0.as_object_mut()
    }

    /// Mutable JSON for the form; stays an object, and `type` is not touched by the form.
    pub(crate) fn as_value_mut(&mut self) -> &mut Value {
        &mut self.0
    }

    /// The JSON value, consuming the credential.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// The exact bytes that will be sealed: compact JSON in the stored key order. Seal these
    /// bytes once and keep them; never re-serialize a sealed credential.
    pub fn to_payload_bytes(&self) -> Result<Vec<u8>, ElmError> {
        serde_json::to_vec(&self.0).map_err(ElmError::NotSerializable)
    }

    /// The typed ELM view of this credential (see [`crate::model`]). The JSON value stays the
    /// stored form; call this when typed access is handier than JSON pointers.
    pub fn model(&self) -> Result<crate::model::EdcCredential, ElmError> {
        use crate::model::FromValue as _;
        crate::model::EdcCredential::from_value(self.0.clone()).map_err(ElmError::ModelMismatch)
    }

    /// Replaces the content with a typed model (e.g. after editing it), keeping it a credential.
    pub fn from_model(
        model: &crate::model::EdcCredential,
        source_name: &str,
    ) -> Result<Self, ElmError> {
        let value = serde_json::to_value(model).map_err(ElmError::NotSerializable)?;
        Self::from_value(value, source_name)
    }

    /// Language-map key of `displayParameter.primaryLanguage` (default `"en"`).
    pub fn primary_language(&self) -> String {
        self.0
            .pointer("/displayParameter/primaryLanguage")
            .and_then(|l| items(Some(l)).into_iter().next())
            .and_then(|l| l.get("id"))
            .and_then(Value::as_str)
            .map(language_code)
            .unwrap_or_else(|| "en".to_owned())
    }

    /// Id, title, issuer, learner and primary language.
    pub fn summary(&self) -> Summary {
        let lang = self.primary_language();
        let v = &self.0;
        let title = v
            .pointer("/displayParameter/title")
            .and_then(|t| text_in(t, &lang))
            .or_else(|| {
                items(v.pointer("/credentialSubject/hasClaim"))
                    .first()
                    .and_then(|c| c.get("title"))
                    .and_then(|t| text_in(t, &lang))
            });
        let issuer = v
            .pointer("/issuer/legalName")
            .and_then(|t| text_in(t, &lang));
        let subject = v.get("credentialSubject");
        let learner = subject
            .and_then(|s| s.get("fullName"))
            .and_then(|t| text_in(t, &lang))
            .or_else(|| {
                let part = |k: &str| {
                    subject
                        .and_then(|s| s.get(k))
                        .and_then(|t| text_in(t, &lang))
                };
                match (part("givenName"), part("familyName")) {
                    (Some(g), Some(f)) => Some(format!("{g} {f}")),
                    (g, f) => g.or(f),
                }
            });
        Summary {
            id: v.get("id").and_then(Value::as_str).map(str::to_owned),
            title,
            issuer,
            learner,
            primary_language: lang,
        }
    }
}

/// Where a credential stands in its own validity period at a given time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidityPeriod {
    /// Before `validFrom`.
    NotYetValid {
        /// `validFrom`.
        from: OffsetDateTime,
    },
    /// Past `validUntil` / `expirationDate`.
    Expired {
        /// The end of validity.
        until: OffsetDateTime,
    },
    /// Within its period; `until` is `None` when it does not expire.
    Valid {
        /// The end of validity, if any.
        until: Option<OffsetDateTime>,
    },
    /// A date is present but is not an xsd:dateTime.
    Unreadable {
        /// JSON pointer of the date.
        pointer: &'static str,
    },
}

impl Credential {
    /// The credential's own validity (`validFrom`, `validUntil` or the VC 1.1
    /// `expirationDate`) at `at`.
    pub fn validity_at(&self, at: OffsetDateTime) -> ValidityPeriod {
        let read = |pointer: &'static str| -> Result<Option<OffsetDateTime>, ValidityPeriod> {
            match self.0.pointer(pointer) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339)
                    .map(Some)
                    .map_err(|_| ValidityPeriod::Unreadable { pointer }),
                Some(_) => Err(ValidityPeriod::Unreadable { pointer }),
            }
        };
        let period = || -> Result<ValidityPeriod, ValidityPeriod> {
            let from = read("/validFrom")?;
            let until = match read("/validUntil")? {
                Some(until) => Some(until),
                None => read("/expirationDate")?,
            };
            Ok(match (from, until) {
                (Some(from), _) if at < from => ValidityPeriod::NotYetValid { from },
                (_, Some(until)) if at > until => ValidityPeriod::Expired { until },
                (_, until) => ValidityPeriod::Valid { until },
            })
        };
        period().unwrap_or_else(|e| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_period_reads_valid_from_until_and_expiration_date() {
        use time::macros::datetime;
        let c = |json: &str| Credential::from_json(json.as_bytes(), "v.json").expect("parse");
        let at = datetime!(2026-01-01 0:00 UTC);
        let open = c(r#"{"type":["VerifiableCredential"],"validFrom":"2025-01-01T00:00:00Z"}"#);
        assert_eq!(
            open.validity_at(at),
            ValidityPeriod::Valid { until: None },
            "no end"
        );
        let future = c(r#"{"type":["VerifiableCredential"],"validFrom":"2027-01-01T00:00:00Z"}"#);
        assert!(
            matches!(future.validity_at(at), ValidityPeriod::NotYetValid { .. }),
            "starts later"
        );
        let old = c(r#"{"type":["VerifiableCredential"],"expirationDate":"2025-06-01T00:00:00Z"}"#);
        assert_eq!(
            old.validity_at(at),
            ValidityPeriod::Expired {
                until: datetime!(2025-06-01 0:00 UTC)
            },
            "VC 1.1 expirationDate counts as the end"
        );
        let bad = c(r#"{"type":["VerifiableCredential"],"validUntil":"next year"}"#);
        assert_eq!(
            bad.validity_at(at),
            ValidityPeriod::Unreadable {
                pointer: "/validUntil"
            },
            "an unreadable date is named, not guessed"
        );
    }

    #[test]
    fn reads_credential_and_upload_wrapper() {
        let plain = br#"{"type":["VerifiableCredential"],"id":"urn:credential:1"}"#;
        let wrapped =
            br#"{"credential":{"type":["VerifiableCredential"],"id":"urn:credential:1"}}"#;
        let a = Credential::from_json(plain, "a.json").expect("plain credential");
        let b = Credential::from_json(wrapped, "b.json").expect("wrapped credential");
        assert_eq!(a, b, "the wrapper is removed");
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = Credential::from_json(b"{\n  \"type\": [,]\n}", "broken.json")
            .expect_err("must not parse");
        match &err {
            ElmError::MalformedJson { line, column, .. } => {
                assert_eq!((*line, *column), (2, 12), "place of the stray comma");
            }
            other => panic!("wrong error {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("broken.json") && text.contains("line 2"),
            "message names the place: {text}"
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_name_their_place() {
        let err = Credential::from_json(b"{\n  \"type\": \"\xff\"\n}", "latin1.json")
            .expect_err("not UTF-8");
        assert!(
            matches!(err, ElmError::MalformedJson { line: 2, .. }),
            "the line of the bad byte: {err:?}"
        );
    }

    #[test]
    fn not_a_credential_names_the_pointer() {
        let err = Credential::from_json(br#"{"credential":{"type":"Person"}}"#, "x.json")
            .expect_err("a person is not a credential");
        match err {
            ElmError::NotACredential { pointer, .. } => {
                assert_eq!(pointer, "/credential/type", "pointer into the wrapper")
            }
            other => panic!("wrong error {other:?}"),
        }
        let err = Credential::from_json(b"[1,2]", "x.json").expect_err("an array");
        assert!(
            matches!(err, ElmError::NotACredential { ref pointer, .. } if pointer.is_empty()),
            "root pointer for a non-object: {err:?}"
        );
    }
}
