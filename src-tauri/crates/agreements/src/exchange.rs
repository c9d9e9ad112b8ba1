//! The MCRA exchange file: what one institution sends so the partner can import the agreement
//! into their own Sealdesk.
//!
//! `{"format": "sealdesk.mcra/1", "exportedAt": "...", "agreements": [{"state": "...",
//! "agreement": {...}}]}`. Every field of [`Mcra`] is written; unknown fields are refused on
//! import (so nothing is dropped silently), and so is a newer format version. [`parse`]
//! checks the whole file — syntax, shape, and each agreement against its state — before the
//! caller writes anything, so an import is all or nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mcra::{Mcra, McraState};
use crate::AgreementsError;

/// The format id.
pub const FORMAT_ID: &str = "sealdesk.mcra";
/// The newest format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// One agreement in the file, with the state it had at the sender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangedAgreement {
    /// The sender's state.
    pub state: McraState,
    /// The agreement.
    pub agreement: Mcra,
}

/// An exchange file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangeDocument {
    /// `sealdesk.mcra/1`.
    pub format: String,
    /// When it was written (RFC 3339).
    pub exported_at: String,
    /// The agreements.
    pub agreements: Vec<ExchangedAgreement>,
}

/// Writes `agreements` as an exchange file (pretty JSON, UTF-8).
pub fn export(
    agreements: Vec<ExchangedAgreement>,
    exported_at: time::OffsetDateTime,
) -> Result<Vec<u8>, AgreementsError> {
    let exported_at = exported_at
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| AgreementsError::Malformed {
            source_name: "export".to_owned(),
            pointer: "/exportedAt".to_owned(),
            message: e.to_string(),
        })?;
    let doc = ExchangeDocument {
        format: format!("{FORMAT_ID}/{FORMAT_VERSION}"),
        exported_at,
        agreements,
    };
    serde_json::to_vec_pretty(&doc).map_err(|source| AgreementsError::Serialize {
        what: "the exchange file",
        source,
    })
}

/// Reads and checks a whole exchange file; nothing is returned unless all of it is good.
pub fn parse(bytes: &[u8], source_name: &str) -> Result<ExchangeDocument, AgreementsError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| AgreementsError::NotJson {
        source_name: source_name.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    check_format(&value, source_name)?;
    let doc: ExchangeDocument =
        serde_path_to_error::deserialize(value).map_err(|e| AgreementsError::Malformed {
            source_name: source_name.to_owned(),
            pointer: pointer(e.path()),
            message: e.inner().to_string(),
        })?;
    let mut seen = std::collections::HashSet::new();
    for (i, entry) in doc.agreements.iter().enumerate() {
        let at = format!("/agreements/{i}/agreement");
        if entry.agreement.id.trim().is_empty() {
            return Err(malformed(
                source_name,
                format!("{at}/id"),
                "the id is empty",
            ));
        }
        if !seen.insert(entry.agreement.id.as_str()) {
            return Err(malformed(
                source_name,
                format!("{at}/id"),
                "the same agreement appears twice in the file",
            ));
        }
        if let Some(f) = entry.agreement.check(entry.state).into_iter().next() {
            return Err(malformed(
                source_name,
                format!("{at}{}", f.path),
                &format!("{} (needed in state {})", f.message, entry.state.as_str()),
            ));
        }
    }
    Ok(doc)
}

fn malformed(source_name: &str, pointer: String, message: &str) -> AgreementsError {
    AgreementsError::Malformed {
        source_name: source_name.to_owned(),
        pointer,
        message: message.to_owned(),
    }
}

fn check_format(value: &Value, source_name: &str) -> Result<(), AgreementsError> {
    let Some(root) = value.as_object() else {
        return Err(malformed(
            source_name,
            String::new(),
            "the file is not a JSON object",
        ));
    };
    let found = root
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let unknown = || AgreementsError::UnknownFormat {
        source_name: source_name.to_owned(),
        pointer: "/format",
        found: found.to_owned(),
        expected: "sealdesk.mcra/1",
    };
    let (id, version) = found.split_once('/').ok_or_else(unknown)?;
    if id != FORMAT_ID {
        return Err(unknown());
    }
    let version: u64 = version.parse().map_err(|_| unknown())?;
    if version > FORMAT_VERSION {
        return Err(AgreementsError::NewerVersion {
            source_name: source_name.to_owned(),
            pointer: "/format",
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(unknown());
    }
    Ok(())
}

pub(crate) fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { variant } => {
                out.push('/');
                out.push_str(variant);
            }
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}
