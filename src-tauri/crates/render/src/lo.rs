//! The printed learning opportunity (ECCOE module description), laid out with
//! [`crate::layout`] like the credential and the agreement.
//!
//! The groups of the ECCOE form in order: general information, detailed information, learning
//! specification (outcomes with their ESCO skills, ECTS, EQF, ISCED-F, mode, assessment,
//! workload, fees, admission), contact information, related specifications. Texts are taken in
//! the chosen language (one of the document's `languages`), falling back to any language a
//! text has. A learning opportunity that is not approved carries the DRAFT watermark.
//! Known limit: the field labels are English in every language (the ECCOE form has no
//! official translations yet). Not here: the catalogue, the clock.

use sealdesk_agreements::common::text_in;
use sealdesk_agreements::{ConceptRef, LearningOpportunity, LoState, Texts};
use time::OffsetDateTime;

use crate::credential::RenderedPdf;
use crate::error::RenderError;
use crate::layout::{Column, Document, DocumentInfo, Rgb, Style};
use crate::mcra::DRAFT_WATERMARK;

/// What to print besides the learning opportunity itself.
#[derive(Debug, Clone, PartialEq)]
pub struct LoPdfOptions {
    /// One of the document's `languages`; `None` = its default (first) language.
    pub language: Option<String>,
    /// The version printed (from the catalogue).
    pub version: u32,
    /// The version's review state: anything but `approved` is a DRAFT.
    pub state: LoState,
    /// Written as the PDF's creation date (the version's save time: no clock here).
    pub created: OffsetDateTime,
    /// The institution's colour; `None` is Sealdesk blue.
    pub accent: Option<Rgb>,
}

/// Renders one version of a learning opportunity as a PDF.
pub fn render_learning_opportunity(
    lo: &LearningOpportunity,
    options: &LoPdfOptions,
) -> Result<RenderedPdf, RenderError> {
    let _span = tracing::info_span!("render.lo", version = options.version).entered();
    let lang = match &options.language {
        None => lo.default_language().to_owned(),
        Some(requested) => {
            let requested = requested.trim().to_ascii_lowercase();
            if !lo
                .languages
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&requested))
            {
                return Err(RenderError::LanguageNotAvailable {
                    requested,
                    available: lo.languages.clone(),
                });
            }
            requested
        }
    };
    let draft = options.state != LoState::Approved;
    let mut style = Style::default();
    if let Some(accent) = options.accent {
        style.accent = accent;
    }
    let tx = |t: &Texts| text_in(t, &lang).unwrap_or_default().to_owned();
    let title = lo.title_in(&lang);
    let provider = tx(&lo.provider.legal_name);
    let info = DocumentInfo {
        title: if draft {
            format!("{title} — module description ({DRAFT_WATERMARK})")
        } else {
            format!("{title} — module description")
        },
        author: provider.clone(),
        subject: format!("Learning opportunity: {title}"),
        keywords: vec![
            "learning opportunity".to_owned(),
            "ELM 3".to_owned(),
            lo.id.clone(),
            format!("version {}", options.version),
        ],
        language: lang.clone(),
        created: options.created,
        footer: format!(
            "{provider} · {} · version {} · {}",
            lo.id,
            options.version,
            options.state.as_str().replace('_', " ")
        ),
    };
    let mut doc = Document::new(info, style, draft.then(|| DRAFT_WATERMARK.to_owned()))?;
    let subtitle = format!(
        "{provider}{} · version {} · {}",
        lo.code
            .as_deref()
            .map(|c| format!(" · {c}"))
            .unwrap_or_default(),
        options.version,
        options.state.as_str().replace('_', " ")
    );
    doc.title_band(&title, &subtitle, None);
    if draft {
        doc.boxed(
            &format!(
                "{DRAFT_WATERMARK} — {}",
                options.state.as_str().replace('_', " ")
            ),
            &[(
                "Not approved".to_owned(),
                "This module description has not been approved by the steering committee."
                    .to_owned(),
            )],
        );
    }

    doc.heading("General information");
    doc.key_value("Title", &title);
    doc.key_value("Code", lo.code.as_deref().unwrap_or_default());
    doc.key_value("Provider", &provider);
    doc.key_value(
        "Provider identifier",
        lo.provider.identifier.as_deref().unwrap_or_default(),
    );
    doc.key_value("Country", &lo.provider.country);
    doc.key_value(
        "Department",
        lo.provider.department.as_deref().unwrap_or_default(),
    );
    doc.key_value("Homepage", &lo.homepage);
    doc.key_value(
        "Languages of instruction",
        &lo.instruction_languages.join(", "),
    );
    doc.key_value("Start", lo.start_date.as_deref().unwrap_or_default());
    doc.key_value("End", lo.end_date.as_deref().unwrap_or_default());
    doc.key_value(
        "Application deadline",
        lo.application_deadline.as_deref().unwrap_or_default(),
    );

    doc.heading("Detailed information");
    doc.key_value("Description", &tx(&lo.description));
    doc.key_value("Target group", &tx(&lo.target_group));
    doc.key_value("Prerequisites", &tx(&lo.prerequisites));
    doc.key_value(
        "Integration and stackability",
        lo.stackability.as_deref().unwrap_or_default(),
    );

    doc.heading("Learning specification");
    if !lo.outcomes.is_empty() {
        let rows: Vec<Vec<String>> = lo
            .outcomes
            .iter()
            .map(|o| {
                let skills: Vec<String> = o.esco_skills.iter().map(|s| concept(s, &lang)).collect();
                vec![tx(&o.title), skills.join("\n")]
            })
            .collect();
        doc.table(
            &[
                Column::new("Learning outcome", 0.45),
                Column::new("ESCO skills", 0.55),
            ],
            &rows,
        );
    }
    doc.key_value(
        "ECTS credits",
        &lo.ects.map(|e| format!("{e}")).unwrap_or_default(),
    );
    doc.key_value(
        "EQF level",
        &lo.eqf_level.map(|e| e.to_string()).unwrap_or_default(),
    );
    let fields: Vec<String> = lo.isced_f.iter().map(|c| concept(c, &lang)).collect();
    doc.key_value("Field of education (ISCED-F)", &fields.join("\n"));
    doc.key_value(
        "Mode",
        &lo.mode
            .as_ref()
            .map(|m| concept(m, &lang))
            .unwrap_or_default(),
    );
    let assessment = [tx(&lo.assessment.title), tx(&lo.assessment.description)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    doc.key_value("Assessment", &assessment);
    if let Some(k) = &lo.assessment.kind {
        doc.key_value("Type of assessment", &concept(k, &lang));
    }
    doc.key_value(
        "Supervision and identity verification",
        lo.assessment.supervision.as_deref().unwrap_or_default(),
    );
    doc.key_value(
        "Workload",
        &lo.workload_hours
            .map(|h| format!("{h} hours"))
            .unwrap_or_default(),
    );
    let fees: Vec<String> = lo
        .fees
        .iter()
        .map(|f| format!("{}: {:.2} {}", tx(&f.label), f.amount, f.currency))
        .collect();
    doc.key_value(
        "Fees",
        &if fees.is_empty() {
            "None".to_owned()
        } else {
            fees.join("\n")
        },
    );
    doc.key_value("Admission", &tx(&lo.admission));

    doc.heading("Contact information");
    doc.key_value("Contact", &lo.contact.name);
    doc.key_value("E-mail", &lo.contact.email);
    doc.key_value("Phone", lo.contact.phone.as_deref().unwrap_or_default());

    if !lo.related.is_empty() {
        doc.heading("Related specifications");
        for r in &lo.related {
            doc.key_value(&tx(&r.title), &r.url);
        }
    }
    let pages = doc.page_count();
    let bytes = doc.finish()?;
    Ok(RenderedPdf {
        bytes,
        language: lang,
        pages,
        specimen: draft,
        seal_field: None,
    })
}

/// A concept as its label in `lang` (else any) with its URI.
fn concept(c: &ConceptRef, lang: &str) -> String {
    match text_in(&c.labels, lang) {
        Some(label) => format!("{label} ({})", c.id),
        None => c.id.clone(),
    }
}
