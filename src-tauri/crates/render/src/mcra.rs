//! The printed Model Credit Recognition Agreement (MCRA), laid out with [`crate::layout`] (the
//! same primitives as the credential PDF: nothing is laid out twice).
//!
//! One PDF per agreement version in one of the six languages of the fixed texts
//! (`sealdesk_agreements::texts`: EN FR DE ES IT LT): title, version and state, the parties
//! (legal name, Erasmus code or legal identifier, country, faculty, signatories, contacts), the
//! type of recognition, the direction, the courses per side with the recognition granted, the
//! objective, process steps, conditions, validity, the general provisions and a signature
//! block per party. The DRAFT rule: an agreement before `signed` carries a DRAFT watermark on
//! every page and a box saying it is not signed; a signed or shared one carries none.
//! Not here: reading the catalogue, PAdES sealing (`sealdesk-flows` with `sealdesk-pades`),
//! the clock (the creation date is an argument: the version's save time).

use sealdesk_agreements::mcra::{Course, Party, PartyPerson};
use sealdesk_agreements::texts::{self, FixedTexts};
use sealdesk_agreements::{Direction, LearningType, Mcra, McraState, RecognitionLevel};
use time::OffsetDateTime;

use crate::credential::RenderedPdf;
use crate::error::RenderError;
use crate::layout::{Document, DocumentInfo, Rgb, Style};

/// The watermark on an agreement that is not signed yet.
pub const DRAFT_WATERMARK: &str = "DRAFT";

/// What to print besides the agreement itself.
#[derive(Debug, Clone, PartialEq)]
pub struct McraPdfOptions {
    /// Language of the fixed texts (`en`, `fr`, `de`, `es`, `it`, `lt`); `None` = the
    /// agreement's own `language`.
    pub language: Option<String>,
    /// The version printed (from the catalogue).
    pub version: u32,
    /// The version's workflow state: before `signed` the PDF is a DRAFT.
    pub state: McraState,
    /// Written as the PDF's creation date (the version's save time: no clock here).
    pub created: OffsetDateTime,
    /// The institution's colour; `None` is Sealdesk blue.
    pub accent: Option<Rgb>,
    /// The seal this PDF is about to receive (PAdES, invisible signature): printed as the
    /// seal block after the signatures, in the embedded fonts. `None` prints no seal block.
    pub seal: Option<McraSeal>,
}

/// Who seals the printed agreement, and when (from the seal certificate on the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McraSeal {
    /// The seal holder (certificate O, else CN).
    pub holder: String,
    /// The holder's organizationIdentifier, if any.
    pub organization_identifier: Option<String>,
    /// The sealing time (the signature's signing time).
    pub sealed_at: OffsetDateTime,
}

/// Whether an agreement in `state` is printed as a DRAFT (every state before `signed`).
pub fn is_draft(state: McraState) -> bool {
    !matches!(state, McraState::Signed | McraState::Shared)
}

/// The language the fixed texts will be in: `requested`, else the agreement's, checked
/// against the six languages the texts exist in.
pub fn mcra_language(mcra: &Mcra, requested: Option<&str>) -> Result<String, RenderError> {
    let lang = requested
        .unwrap_or(&mcra.language)
        .trim()
        .to_ascii_lowercase();
    if texts::LANGUAGES.contains(&lang.as_str()) {
        Ok(lang)
    } else {
        Err(RenderError::LanguageNotAvailable {
            requested: lang,
            available: texts::LANGUAGES.iter().map(|l| (*l).to_owned()).collect(),
        })
    }
}

/// Renders `mcra` (one version of it) as a PDF.
pub fn render_mcra(mcra: &Mcra, options: &McraPdfOptions) -> Result<RenderedPdf, RenderError> {
    let _span = tracing::info_span!("render.mcra", version = options.version).entered();
    let lang = mcra_language(mcra, options.language.as_deref())?;
    let fixed = texts::fixed_texts(&lang).map_err(|e| RenderError::PdfNotWritten {
        reason: e.to_string(),
    })?;
    let t = Texts {
        fixed: &fixed,
        lang: &lang,
    };
    let draft = is_draft(options.state);
    let mut style = Style::default();
    if let Some(accent) = options.accent {
        style.accent = accent;
    }
    let kind = t.get("title");
    let info = DocumentInfo {
        title: if draft {
            format!("{} — {kind} ({DRAFT_WATERMARK})", mcra.title)
        } else {
            format!("{} — {kind}", mcra.title)
        },
        author: mcra.party_a.legal_name.clone(),
        subject: format!(
            "{kind}: {} — {}",
            mcra.party_a.legal_name, mcra.party_b.legal_name
        ),
        keywords: vec![
            "MCRA".to_owned(),
            "credit recognition".to_owned(),
            mcra.id.clone(),
            format!("version {}", options.version),
        ],
        language: lang.clone(),
        created: options.created,
        footer: format!(
            "{} · {} {} · {}",
            mcra.id,
            t.extra("version"),
            options.version,
            t.get(&format!("state.{}", options.state.as_str()))
        ),
    };
    let mut doc = Document::new(info, style, draft.then(|| DRAFT_WATERMARK.to_owned()))?;
    lay_out(&mut doc, mcra, options, &t, draft);
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

fn lay_out(doc: &mut Document, mcra: &Mcra, options: &McraPdfOptions, t: &Texts, draft: bool) {
    let state = t.get(&format!("state.{}", options.state.as_str()));
    doc.title_band(
        &t.get("title"),
        &format!(
            "{} · {} {} · {state}",
            mcra.title,
            t.extra("version"),
            options.version
        ),
        None,
    );
    if draft {
        doc.boxed(
            &format!("{DRAFT_WATERMARK} — {state}"),
            &[
                (t.extra("notSigned"), t.get("notice.draft")),
                (t.extra("agreementId"), mcra.id.clone()),
            ],
        );
    } else {
        doc.key_value(&t.extra("agreementId"), &mcra.id);
        doc.key_value(&t.extra("version"), &options.version.to_string());
        doc.key_value(&t.extra("state"), &state);
    }

    doc.heading(&t.get("heading.parties"));
    for (label, party) in [("party.a", &mcra.party_a), ("party.b", &mcra.party_b)] {
        doc.ensure_space(keep_height(
            5 + party.signatories.len() + party.contacts.len(),
        ));
        doc.subheading(&format!("{}: {}", t.get(label), party.legal_name));
        party_rows(doc, t, party);
    }

    doc.heading(&t.get("heading.type"));
    let level = match mcra.recognition_type.level {
        RecognitionLevel::Faculty => "level.faculty",
        RecognitionLevel::Institutional => "level.institutional",
    };
    let learning = match mcra.recognition_type.learning {
        LearningType::Formal => "learning.formal",
        LearningType::NonFormal => "learning.non_formal",
    };
    doc.paragraph(&format!("{} · {}", t.get(level), t.get(learning)));

    doc.heading(&t.get("heading.direction"));
    doc.paragraph(&t.get(match mcra.direction {
        Direction::AToB => "direction.a_to_b",
        Direction::BToA => "direction.b_to_a",
        Direction::Bidirectional => "direction.bidirectional",
    }));

    for (heading, courses) in [
        ("heading.courses_a", &mcra.courses_a),
        ("heading.courses_b", &mcra.courses_b),
    ] {
        if courses.is_empty() {
            continue;
        }
        // The heading stays with the first course.
        let first = 7 + courses[0].outcomes.len().max(1);
        doc.ensure_space(36.0 + keep_height(first));
        doc.heading(&t.get(heading));
        for course in courses {
            course_rows(doc, t, course);
        }
    }

    if !mcra.objective.trim().is_empty() {
        doc.heading(&t.get("heading.objective"));
        doc.paragraph(&mcra.objective);
    }
    let steps: Vec<&String> = mcra
        .process_steps
        .iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if !steps.is_empty() {
        doc.heading(&t.get("heading.process"));
        for (i, step) in steps.iter().enumerate() {
            doc.paragraph(&format!("{}. {step}", i + 1));
        }
    }
    let constraints: Vec<&String> = mcra
        .constraints
        .iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if !constraints.is_empty() {
        doc.heading(&t.get("heading.constraints"));
        for c in constraints {
            doc.paragraph(&format!("• {c}"));
        }
    }
    doc.heading(&t.get("heading.validity"));
    let open = "—".to_owned();
    doc.key_value(
        &t.get("label.start"),
        mcra.validity.start.as_ref().unwrap_or(&open),
    );
    doc.key_value(
        &t.get("label.end"),
        mcra.validity.end.as_ref().unwrap_or(&open),
    );
    if let Some(r) = &mcra.validity.renewal {
        doc.key_value(&t.get("label.renewal"), r);
    }

    doc.heading(&t.get("heading.clauses"));
    for (i, key) in [
        "clause.purpose",
        "clause.recognition",
        "clause.changes",
        "clause.data",
        "clause.termination",
    ]
    .iter()
    .enumerate()
    {
        doc.paragraph(&format!("{}. {}", i + 1, t.get(key)));
    }

    doc.heading(&t.get("heading.signatures"));
    for (label, party) in [("party.a", &mcra.party_a), ("party.b", &mcra.party_b)] {
        let blank = "_".repeat(28);
        let signatories: Vec<&PartyPerson> = party
            .signatories
            .iter()
            .filter(|p| !p.name.trim().is_empty())
            .collect();
        let mut rows = Vec::new();
        if signatories.is_empty() {
            rows.push((t.get("label.signatory"), blank.clone()));
        }
        for p in signatories {
            rows.push((t.get("label.signatory"), person(p)));
        }
        rows.push((t.get("label.place"), blank.clone()));
        rows.push((t.get("label.date"), blank.clone()));
        rows.push((t.get("label.signature"), blank));
        doc.boxed(&format!("{}: {}", t.get(label), party.legal_name), &rows);
    }
    if let Some(seal) = &options.seal {
        let mut holder = seal.holder.clone();
        if let Some(id) = seal
            .organization_identifier
            .as_deref()
            .filter(|i| !i.is_empty())
        {
            holder.push_str(&format!(" ({id})"));
        }
        let at = seal.sealed_at.to_offset(time::UtcOffset::UTC);
        let when = format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        );
        doc.boxed(
            &t.extra("seal"),
            &[
                (t.extra("sealedBy"), holder),
                (t.extra("sealedAt"), when),
                (String::new(), t.extra("sealNote")),
            ],
        );
    }
}

/// Room for a subheading and `rows` one-line key/value rows (at most half a page, so a long
/// block still starts on the current page when it would not fit on any).
fn keep_height(rows: usize) -> f32 {
    let row = Style::default().body_size * 1.38 + 3.0;
    (24.0 + rows as f32 * row).min(crate::layout::PAGE_HEIGHT / 2.0)
}

fn person(p: &PartyPerson) -> String {
    let mut out = p.name.clone();
    if !p.role.trim().is_empty() {
        out.push_str(&format!(", {}", p.role));
    }
    if let Some(e) = p.email.as_deref().filter(|e| !e.trim().is_empty()) {
        out.push_str(&format!(" <{e}>"));
    }
    out
}

fn party_rows(doc: &mut Document, t: &Texts, party: &Party) {
    doc.key_value(&t.get("label.legal_name"), &party.legal_name);
    if let Some(code) = &party.erasmus_code {
        doc.key_value(&t.get("label.erasmus_code"), code);
    }
    if let Some(id) = &party.legal_identifier {
        doc.key_value(&t.get("label.legal_identifier"), id);
    }
    doc.key_value(&t.get("label.country"), &party.country);
    if let Some(f) = &party.faculty {
        doc.key_value(&t.get("label.faculty"), f);
    }
    for p in &party.signatories {
        doc.key_value(&t.get("label.signatory"), &person(p));
    }
    for p in &party.contacts {
        doc.key_value(&t.get("label.contact"), &person(p));
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e9 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn course_rows(doc: &mut Document, t: &Texts, c: &Course) {
    let title = match c.code.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => format!("{code} · {}", c.title),
        None => c.title.clone(),
    };
    // A course is kept on one page (its rows are short): estimated from its row count.
    doc.ensure_space(keep_height(7 + c.outcomes.len().max(1)));
    doc.subheading(&format!("{}: {title}", t.get("label.course")));
    doc.key_value(&t.get("label.ects"), &number(c.ects));
    doc.key_value(&t.get("label.language"), &c.language);
    let outcomes: Vec<&str> = c
        .outcomes
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    doc.key_value(&t.get("label.outcomes"), &outcomes.join("\n"));
    doc.key_value(&t.get("label.assessment"), &c.assessment);
    doc.key_value(
        &t.get("label.credits_granted"),
        &number(c.recognition.credits),
    );
    if let Some(r) = &c.recognition.course_replaced {
        doc.key_value(&t.get("label.course_replaced"), r);
    }
    if let Some(r) = &c.recognition.conditions {
        doc.key_value(&t.get("label.conditions"), r);
    }
}

/// The fixed texts in one language, plus the few labels the agreement texts do not carry.
struct Texts<'a> {
    fixed: &'a FixedTexts,
    lang: &'a str,
}

impl Texts<'_> {
    /// A fixed text; a missing key shows the key (a test holds every language complete).
    fn get(&self, key: &str) -> String {
        self.fixed
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// Labels of the printed page that are not agreement wording.
    fn extra(&self, key: &str) -> String {
        let row: [&str; 6] = match key {
            // en fr de es it lt
            "version" => ["Version", "Version", "Version", "Versión", "Versione", "Versija"],
            "state" => ["State", "État", "Status", "Estado", "Stato", "Būsena"],
            "agreementId" => [
                "Agreement id",
                "Identifiant de l’accord",
                "Kennung der Vereinbarung",
                "Identificador del acuerdo",
                "Identificativo dell’accordo",
                "Sutarties identifikatorius",
            ],
            "notSigned" => [
                "Not signed",
                "Non signé",
                "Nicht unterzeichnet",
                "No firmado",
                "Non firmato",
                "Nepasirašyta",
            ],
            "seal" => [
                "Electronic seal",
                "Cachet électronique",
                "Elektronisches Siegel",
                "Sello electrónico",
                "Sigillo elettronico",
                "Elektroninis spaudas",
            ],
            "sealedBy" => [
                "Sealed by",
                "Scellé par",
                "Gesiegelt von",
                "Sellado por",
                "Sigillato da",
                "Užantspaudavo",
            ],
            "sealedAt" => [
                "Sealed at",
                "Scellé le",
                "Gesiegelt am",
                "Sellado el",
                "Sigillato il",
                "Užantspauduota",
            ],
            "sealNote" => [
                "This PDF carries the institution's electronic seal (PAdES): a PDF reader shows it in its signature panel, and any change to the file breaks it.",
                "Ce PDF porte le cachet électronique de l’établissement (PAdES) : un lecteur PDF l’affiche dans son panneau des signatures, et toute modification du fichier le rompt.",
                "Dieses PDF trägt das elektronische Siegel der Hochschule (PAdES): ein PDF-Reader zeigt es in der Signaturübersicht, und jede Änderung der Datei bricht es.",
                "Este PDF lleva el sello electrónico de la institución (PAdES): un lector de PDF lo muestra en su panel de firmas, y cualquier cambio en el archivo lo invalida.",
                "Questo PDF reca il sigillo elettronico dell’istituzione (PAdES): un lettore PDF lo mostra nel pannello delle firme, e qualsiasi modifica al file lo invalida.",
                "Šiame PDF yra institucijos elektroninis spaudas (PAdES): PDF skaitytuvas jį rodo parašų skydelyje, o bet koks failo pakeitimas jį panaikina.",
            ],
            _ => return key.to_owned(),
        };
        let index = texts::LANGUAGES
            .iter()
            .position(|l| *l == self.lang)
            .unwrap_or(0);
        row[index].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_labels_exist_in_every_language() {
        for lang in texts::LANGUAGES {
            let fixed = texts::fixed_texts(lang).expect("texts");
            let t = Texts {
                fixed: &fixed,
                lang,
            };
            for key in [
                "version",
                "state",
                "agreementId",
                "notSigned",
                "seal",
                "sealedBy",
                "sealedAt",
                "sealNote",
            ] {
                assert_ne!(t.extra(key), key, "{key} has no {lang} label");
            }
        }
        let fixed = texts::fixed_texts("de").expect("texts");
        let t = Texts {
            fixed: &fixed,
            lang: "de",
        };
        assert_eq!(t.extra("notSigned"), "Nicht unterzeichnet", "de row order");
    }

    #[test]
    fn drafts_are_the_states_before_signed() {
        let drafts: Vec<McraState> = McraState::ALL
            .into_iter()
            .filter(|s| is_draft(*s))
            .collect();
        assert_eq!(
            drafts,
            [
                McraState::Draft,
                McraState::SentForReview,
                McraState::Agreed
            ],
            "draft states"
        );
    }

    #[test]
    fn language_outside_the_six_is_refused() {
        let mut m = sealdesk_agreements::samples::mcra(
            "x",
            Direction::AToB,
            1,
            sealdesk_agreements::RecognitionType::default(),
        );
        assert_eq!(
            mcra_language(&m, Some("LT")).expect("lt"),
            "lt",
            "case-insensitive"
        );
        m.language = "bg".into();
        let err = mcra_language(&m, None).expect_err("bg has no texts");
        assert!(
            err.to_string().contains("\"bg\"") && err.to_string().contains("lt"),
            "names the language and the choices: {err}"
        );
    }
}
