//! EU trusted lists (ETSI TS 119 612) for Sealdesk: read them, check their XML signatures,
//! and decide from them whether a seal is qualified.
//!
//! This crate owns a strict XML reader ([`xml`]), XML canonicalization ([`c14n`]), enveloped
//! XML-DSig/XAdES checking ([`dsig`], also used for legacy EDC 1.x XML credentials), the list
//! model ([`model`]), the qualification decision ([`qualification`]) and the translated term for
//! a qualified seal certificate ([`terms`]). It does not download lists, cache them (that is
//! `sealdesk-catalogue`) or know JAdES (that is `sealdesk-seal`, whose certificate reader it uses).
//!
//! It is a crate of its own, not a module of `sealdesk-seal`, because the XML stack is large,
//! independent of JAdES, and is fuzzed on its own.

#![warn(missing_docs)]

pub mod c14n;
pub mod dsig;
mod error;
pub mod model;
pub mod qualification;
pub mod terms;
pub mod xml;

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;

pub use dsig::{SignatureCheck, SignatureStatus};
pub use error::TrustError;
pub use model::TrustedList;
pub use qualification::{decide, Decision, Level};

/// Largest list file accepted (the LOTL is about 0.5 MB, the biggest national lists ~10 MB).
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// A list as read from a file: its content and the check of its own signature.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadedList {
    /// Where it came from.
    pub source: String,
    /// Its content.
    pub list: TrustedList,
    /// Its signature.
    pub signature: SignatureCheck,
}

/// Parses and checks one list. "Checked, signature broken" is in [`LoadedList::signature`];
/// unreadable or hostile XML, or XML that is not a list, is an error naming the line.
pub fn read_list(bytes: &[u8], source: &str) -> Result<LoadedList, TrustError> {
    let _span = tracing::info_span!("trust.read_list", source).entered();
    if bytes.len() > MAX_LIST_BYTES {
        return Err(TrustError::HostileXml {
            place: source.to_owned(),
            line: 1,
            what: format!(
                "a file of {} bytes (more than {MAX_LIST_BYTES})",
                bytes.len()
            ),
        });
    }
    let doc = xml::Document::parse(bytes, source)?;
    let list = TrustedList::from_document(&doc, source)?;
    let mut signature = dsig::verify_enveloped(&doc, source)?;
    if signature.is_valid() && !signature.covers_document {
        signature.status = SignatureStatus::Invalid(
            "the signature does not cover the whole list: content outside it cannot be trusted"
                .to_owned(),
        );
    }
    Ok(LoadedList {
        source: source.to_owned(),
        list,
        signature,
    })
}

/// Reads one list file.
pub fn read_list_file(path: &Path) -> Result<LoadedList, TrustError> {
    let bytes = std::fs::read(path).map_err(|source| TrustError::Io {
        path: path.to_owned(),
        source,
    })?;
    read_list(&bytes, &path.display().to_string())
}

/// Every `*.xml` file of a folder, sorted by name.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, TrustError> {
    let io = |source| TrustError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let p = entry.map_err(io)?.path();
        if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// How far a national list can be relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "status", content = "detail")]
pub enum Standing {
    /// It is the LOTL and its signature verifies.
    Lotl,
    /// Its signature verifies and its signer is announced by the LOTL for its territory.
    Announced,
    /// Its signature verifies but no loaded LOTL announces its signer for its territory.
    NotAnnounced,
    /// Its signature does not verify (or it is unsigned): the reason.
    BadSignature(String),
}

/// A set of loaded lists: the LOTL (if any) and national lists.
#[derive(Debug, Clone, Default)]
pub struct TrustedLists {
    /// Every loaded list.
    pub lists: Vec<LoadedList>,
}

impl TrustedLists {
    /// Wraps loaded lists.
    pub fn new(lists: Vec<LoadedList>) -> Self {
        TrustedLists { lists }
    }

    /// How far `list` (one of these) can be relied on.
    pub fn standing(&self, list: &LoadedList) -> Standing {
        if !list.signature.is_valid() {
            return Standing::BadSignature(match &list.signature.status {
                SignatureStatus::Invalid(r) => r.clone(),
                SignatureStatus::Unsigned => "the list is not signed".to_owned(),
                SignatureStatus::Unsupported(r) => format!("unsupported: {r}"),
                SignatureStatus::Valid => String::new(),
            });
        }
        if list.list.is_lotl() {
            return Standing::Lotl;
        }
        let Some(signer) = &list.signature.signer_der else {
            return Standing::NotAnnounced;
        };
        let announced = self
            .lists
            .iter()
            .filter(|l| l.list.is_lotl() && l.signature.is_valid())
            .flat_map(|l| l.list.pointers.iter())
            .filter(|p| p.territory.as_deref() == Some(list.list.territory.as_str()))
            .any(|p| p.signer_certificates.iter().any(|c| c == signer));
        if announced {
            Standing::Announced
        } else {
            Standing::NotAnnounced
        }
    }

    /// National lists fit to decide qualification: signature valid and announced by the LOTL.
    pub fn reliable(&self) -> Vec<&TrustedList> {
        self.lists
            .iter()
            .filter(|l| self.standing(l) == Standing::Announced)
            .map(|l| &l.list)
            .collect()
    }

    /// Decides the qualification of a seal certificate at signing time `at` from the reliable lists.
    pub fn decide(
        &self,
        cert_der: &[u8],
        chain: &[Vec<u8>],
        at: OffsetDateTime,
    ) -> Result<Decision, TrustError> {
        decide(cert_der, chain, at, &self.reliable())
    }
}
