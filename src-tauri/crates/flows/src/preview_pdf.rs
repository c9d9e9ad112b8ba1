//! The credential PDFs the app shows inline: a template's preview, a batch row's preview and
//! a registered credential.
//!
//! Which credential is printed and whether it carries SPECIMEN is decided here and in
//! [`crate::render`]: previews (template, batch row) are always SPECIMEN; a registered credential
//! is printed without it only when its JAdES seal verifies, and the batch's sealed PDF beside the
//! `.jsonld` is shown as it is when there is one in the asked language. Drawing is the `render`
//! crate's; showing the pages is the window's.

use std::path::Path;

use sealdesk_catalogue::Catalogue;
use sealdesk_elm::Credential;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::render::{render_credential_pdf, CredentialPdfRequest, Layout};
use crate::{FlowError, TrustAnchors};

/// Why a template's or a batch row's PDF carries SPECIMEN.
pub const PREVIEW_REASON: &str = "a preview: this credential is not issued";

/// Which credential to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PdfSourceView {
    /// The credential of a catalogue template (latest version unless `version`).
    Template {
        /// Template id.
        id: String,
        /// Template version.
        version: Option<u32>,
    },
    /// The credential a batch row would get.
    BatchRow {
        /// Batch id.
        batch: String,
        /// Row number (as in the review grid).
        row: u32,
    },
    /// A credential in the register (its sealed file).
    Register {
        /// The credential id.
        #[serde(rename = "credentialId")]
        credential_id: String,
    },
}

/// What a shown credential PDF is, beside its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PdfPreviewView {
    /// The language printed.
    pub language: String,
    /// The credential's languages (primary first): the choices offered.
    pub languages: Vec<String>,
    /// True when the PDF carries the SPECIMEN watermark.
    pub specimen: bool,
    /// Why it carries SPECIMEN.
    pub specimen_reason: Option<String>,
    /// The seal holder named on the PDF (not a specimen).
    pub sealed_by: Option<String>,
    /// True when the bytes are the batch's PAdES-sealed PDF file, shown as it is.
    pub sealed_pdf: bool,
}

/// A credential PDF to show and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewPdf {
    /// The PDF.
    pub bytes: Vec<u8>,
    /// What it is.
    pub view: PdfPreviewView,
}

/// Prints the credential of `source` in `lang` (`None`: its primary language), full or
/// `summary`, at `now`. A registered credential's file is found (or exported) with
/// [`crate::sealed_file`] into `export_dir`.
pub fn preview_pdf(
    catalogue: &Catalogue,
    source: &PdfSourceView,
    lang: Option<&str>,
    summary: bool,
    export_dir: &Path,
    now: OffsetDateTime,
) -> Result<PreviewPdf, FlowError> {
    let _span = tracing::info_span!("flows.preview_pdf").entered();
    let lang = lang.map(str::trim).filter(|l| !l.is_empty());
    let (bytes, name, specimen, beside) = match source {
        PdfSourceView::Template { id, version } => {
            let template = crate::template(catalogue, id, *version)?;
            let credential =
                Credential::from_json(template.credential_json.as_bytes(), &template.summary.name)?;
            (json_bytes(&credential)?, template.summary.name, true, None)
        }
        PdfSourceView::BatchRow { batch, row } => {
            let credential = crate::batch::batch_row_credential(catalogue, batch, *row, now)?;
            (
                json_bytes(&credential)?,
                format!("{batch} row {row}"),
                true,
                None,
            )
        }
        PdfSourceView::Register { credential_id } => {
            let path = crate::sealed_file(catalogue, credential_id.trim(), export_dir)?;
            let bytes = std::fs::read(&path).map_err(|source| FlowError::Output {
                path: path.clone(),
                source,
            })?;
            let name = path.display().to_string();
            (bytes, name, false, Some(path.with_extension("pdf")))
        }
    };
    let request = CredentialPdfRequest {
        layout: if summary {
            Layout::Summary
        } else {
            Layout::Full
        },
        language: lang.map(str::to_owned),
        specimen,
        accent: None,
    };
    let pdf = render_credential_pdf(&bytes, &name, &request, &TrustAnchors::empty(), now)?;
    let verdict_payload = sealdesk_seal::verify::verify(&bytes, &TrustAnchors::empty(), now)
        .map_err(|source_error| FlowError::Unverifiable {
            source_name: name.clone(),
            source: source_error,
        })?
        .payload;
    let credential = Credential::from_json(&verdict_payload, &name)?;
    let languages = sealdesk_render::languages(&credential);
    let primary = languages.first().cloned().unwrap_or_default();
    // The batch's sealed PDF is the full credential in the primary language.
    let sealed = beside
        .filter(|_| pdf.specimen_reason.is_none() && !summary && pdf.language == primary)
        .and_then(|p| std::fs::read(p).ok());
    let view = PdfPreviewView {
        language: pdf.language,
        languages,
        specimen: pdf.specimen_reason.is_some(),
        // A preview is asked for as a mock; say what it is in the registrar's words.
        specimen_reason: if specimen {
            Some(PREVIEW_REASON.to_owned())
        } else {
            pdf.specimen_reason
        },
        sealed_by: pdf.sealed_by,
        sealed_pdf: sealed.is_some(),
    };
    Ok(PreviewPdf {
        bytes: sealed.unwrap_or(pdf.bytes),
        view,
    })
}

fn json_bytes(credential: &Credential) -> Result<Vec<u8>, FlowError> {
    Ok(serde_json::to_vec(credential.as_value())
        .map_err(sealdesk_elm::ElmError::NotSerializable)?)
}
