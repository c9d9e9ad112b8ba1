//! Rendering a credential file as a PDF (full or summary), deciding SPECIMEN from the seal.
//!
//! The file may be sealed (JAdES) or not; [`sealdesk_seal::verify::verify`] reads it either way.
//! The rule (see `sealdesk_render::Marking`): an unsealed credential, a mock (`specimen`
//! asked for) or a seal that does not verify gives a SPECIMEN PDF; only a credential whose
//! seal verified gets a PDF without the watermark, naming the seal holder, the sealing time
//! and the sealed file with its SHA-256. Sealing the PDF itself (PAdES) is not here.

use sealdesk_elm::Credential;
use sealdesk_render::{render_credential, Marking, RenderOptions, SealInfo, SealedFile};
pub use sealdesk_render::{Layout, Rgb};
use sealdesk_seal::verify::{verify, TrustAnchors};
use time::OffsetDateTime;

use crate::verify::holder_of;
use crate::FlowError;

/// What PDF to make.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialPdfRequest {
    /// Full credential or one-page summary.
    pub layout: Layout,
    /// ISO 639-1 language; `None` = the credential's primary language.
    pub language: Option<String>,
    /// A mock or preview: SPECIMEN even when the credential is sealed.
    pub specimen: bool,
    /// The institution's colour, `#rrggbb`.
    pub accent: Option<String>,
}

/// A rendered credential PDF and why it is (not) a specimen.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialPdf {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// Its language.
    pub language: String,
    /// Its pages.
    pub pages: usize,
    /// The seal holder named in the PDF, when it is not a specimen.
    pub sealed_by: Option<String>,
    /// Why it carries SPECIMEN (`None` when it does not).
    pub specimen_reason: Option<String>,
}

/// Renders the credential file `bytes` (sealed or not) named `source` as a PDF at `now`,
/// checking its seal against `trust` to decide between SPECIMEN and the seal block.
pub fn render_credential_pdf(
    bytes: &[u8],
    source: &str,
    request: &CredentialPdfRequest,
    trust: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<CredentialPdf, FlowError> {
    let _span = tracing::info_span!("flows.render_pdf").entered();
    let verdict = verify(bytes, trust, now).map_err(|source_error| FlowError::Unverifiable {
        source_name: source.to_owned(),
        source: source_error,
    })?;
    let credential = Credential::from_json(&verdict.payload, source)?;
    let seal = verdict.signatures.first();
    let (marking, specimen_reason) = if request.specimen {
        (Marking::Specimen, Some("a mock credential was asked for"))
    } else if seal.is_none() {
        (Marking::Specimen, Some("the credential is not sealed"))
    } else if !verdict.intact() {
        (
            Marking::Specimen,
            Some("the credential's seal does not verify"),
        )
    } else {
        let s = seal.ok_or(FlowError::SealDidNotVerify)?;
        let sealed_at = s
            .proven_signing_time
            .or(s.claimed_signing_time)
            .unwrap_or(now);
        let name = std::path::Path::new(source)
            .file_name()
            .map_or_else(|| source.to_owned(), |n| n.to_string_lossy().into_owned());
        let digest = openssl::sha::sha256(bytes);
        (
            Marking::Sealed(SealInfo {
                holder: holder_of(s.signer.as_ref()),
                organization_identifier: s
                    .signer
                    .as_ref()
                    .and_then(|c| c.organization_identifier.clone()),
                sealed_at,
                sealed_file: Some(SealedFile {
                    name,
                    sha256_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
                }),
            }),
            None,
        )
    };
    let sealed_by = match &marking {
        Marking::Sealed(info) => Some(info.holder.clone()),
        Marking::Specimen => None,
    };
    let accent = request.accent.as_deref().map(Rgb::parse_hex).transpose()?;
    let options = RenderOptions {
        layout: request.layout,
        language: request.language.clone(),
        marking,
        accent,
    };
    let pdf = render_credential(&credential, &options, now)?;
    Ok(CredentialPdf {
        bytes: pdf.bytes,
        language: pdf.language,
        pages: pdf.pages,
        sealed_by,
        specimen_reason: specimen_reason.map(str::to_owned),
    })
}
