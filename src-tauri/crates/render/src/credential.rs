//! The credential PDF, laid out with [`crate::layout`]: the full PDF (learner, every claim with
//! its specification, outcomes and ESCO skills, assessment and grade, activity, entitlement,
//! awarding body, issuer with legal identifiers, dates, the Annex I elements, the seal) and the
//! one-page summary.
//!
//! The SPECIMEN rule: [`Marking`] has no default. [`Marking::Specimen`] (previews, mock
//! credentials, any unsealed credential) draws the watermark on every page; only
//! [`Marking::Sealed`], which carries the seal holder and sealing time, leaves it out: use it
//! for the PDF of a credential whose JAdES seal verified, or for the PDF that is the input of
//! the PAdES sealing step that follows at once (the batch, `sealdesk-cli pdf --seal`).

use base64::Engine;
use sealdesk_elm::model::{
    Claim, Concept, EdcCredential, Identifier, LangMap, LearningAchievement, LearningActivity,
    LearningAssessment, LearningEntitlement, MediaObject, Note, OneOrMany, Organisation,
};
use sealdesk_elm::{annex1, language_code, Credential};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::RenderError;
use crate::labels::{has_labels, label};
use crate::layout::{Column, Document, DocumentInfo, Rgb, Style};

/// What starts each ESCO skill in the outcomes table (label, then its URI on the next line).
const SKILL_BULLET: &str = "\u{2022} ";

/// Full credential or one-page summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every claim and every detail; as many pages as it takes.
    Full,
    /// One page: who, what, by whom, when, the key figures and the seal.
    Summary,
}

/// The sealed file a PDF refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedFile {
    /// File name of the sealed JSON-LD credential.
    pub name: String,
    /// Its SHA-256, hex.
    pub sha256_hex: String,
}

/// Who sealed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealInfo {
    /// The seal holder (certificate O, else CN).
    pub holder: String,
    /// The holder's organizationIdentifier (e.g. `VATBE-0123456789`), if any.
    pub organization_identifier: Option<String>,
    /// The sealing time.
    pub sealed_at: OffsetDateTime,
    /// The sealed credential file, when the PDF accompanies one.
    pub sealed_file: Option<SealedFile>,
}

/// Whether the PDF is a SPECIMEN or belongs to a seal. There is deliberately no default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marking {
    /// Preview or mock credential: SPECIMEN across every page and a box saying so.
    Specimen,
    /// The credential is sealed (or this PDF is the input of the sealing step): the seal
    /// block names the holder and time; no watermark.
    Sealed(SealInfo),
}

/// How to render.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Full or summary.
    pub layout: Layout,
    /// ISO 639-1 language; `None` is the credential's primary language.
    pub language: Option<String>,
    /// SPECIMEN or sealed.
    pub marking: Marking,
    /// The institution's colour (templates carry none yet); `None` is Sealdesk blue.
    pub accent: Option<Rgb>,
}

/// A rendered PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPdf {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// The language it is in.
    pub language: String,
    /// Number of pages.
    pub pages: usize,
    /// Whether it carries the SPECIMEN watermark.
    pub specimen: bool,
    /// Where a visible seal (PAdES signature field) goes without covering text: (page,
    /// 1-based; `[x1, y1, x2, y2]` in points), below the seal block of a sealed PDF.
    pub seal_field: Option<(u32, [f32; 4])>,
}

/// The credential's languages (ISO 639-1), primary first.
pub fn languages(credential: &Credential) -> Vec<String> {
    let mut out = vec![credential.primary_language()];
    let v = credential.as_value();
    let mut add = |value: Option<&Value>| {
        let list: Vec<&Value> = match value {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => Vec::new(),
        };
        for l in list {
            if let Some(id) = l.get("id").and_then(Value::as_str) {
                let code = language_code(id);
                if !out.contains(&code) {
                    out.push(code);
                }
            }
        }
    };
    add(v.pointer("/displayParameter/language"));
    if let Some(Value::Array(displays)) = v.pointer("/displayParameter/individualDisplay") {
        for d in displays {
            add(d.get("language"));
        }
    } else {
        add(v.pointer("/displayParameter/individualDisplay/language"));
    }
    out
}

/// Renders `credential` as a PDF; `created` is written as the PDF's creation date.
pub fn render_credential(
    credential: &Credential,
    options: &RenderOptions,
    created: OffsetDateTime,
) -> Result<RenderedPdf, RenderError> {
    let _span = tracing::info_span!("render.credential", layout = ?options.layout).entered();
    let available = languages(credential);
    let lang = match &options.language {
        None => credential.primary_language(),
        Some(requested) => {
            let requested = requested.trim().to_ascii_lowercase();
            if !available.contains(&requested) {
                return Err(RenderError::LanguageNotAvailable {
                    requested,
                    available,
                });
            }
            requested
        }
    };
    if !has_labels(&lang) {
        tracing::info!(%lang, "no labels in this language: headings are in English");
    }
    let model = credential.model()?;
    let annex = annex1_in(credential, &lang);
    let mut style = Style::default();
    if let Some(accent) = options.accent {
        style.accent = accent;
    }
    let r = Renderer {
        lang: lang.clone(),
        model: &model,
    };
    let title = r.credential_title();
    let issuer = r.org_name(model.issuer.as_ref()).unwrap_or_default();
    let learner = r.learner_name().unwrap_or_default();
    let specimen = matches!(options.marking, Marking::Specimen);
    let info = DocumentInfo {
        title: if specimen {
            format!("{title} — {learner} (SPECIMEN)")
        } else {
            format!("{title} — {learner}")
        },
        author: issuer.clone(),
        subject: format!("{} — {}", label(&lang, "credential"), title),
        keywords: vec![
            "European Digital Credential".to_owned(),
            "ELM 3".to_owned(),
            model.id.clone().unwrap_or_default(),
        ],
        language: lang.clone(),
        created,
        footer: format!("{issuer} · {}", model.id.as_deref().unwrap_or_default()),
    };
    let mut doc = Document::new(info, style, specimen.then(|| "SPECIMEN".to_owned()))?;
    let logo = r.logo();
    match options.layout {
        Layout::Full => r.full(
            &mut doc,
            &title,
            &learner,
            logo.as_deref(),
            &annex,
            &options.marking,
        ),
        Layout::Summary => r.summary(
            &mut doc,
            &title,
            &learner,
            logo.as_deref(),
            &annex,
            &options.marking,
        ),
    }
    let pages = doc.page_count();
    let seal_field = doc.reserved();
    let bytes = doc.finish()?;
    Ok(RenderedPdf {
        bytes,
        language: lang,
        pages,
        specimen,
        seal_field,
    })
}

/// The Annex I report in `lang`: `sealdesk_elm::annex1` reads the primary language, so it runs
/// on a copy whose primary language is `lang`.
fn annex1_in(credential: &Credential, lang: &str) -> annex1::Annex1Report {
    // The joining words inside values come from the same table as the labels.
    let words = |key: &str| {
        let key = format!("a1.{key}");
        let text = crate::labels::label(lang, &key);
        (text != key).then(|| text.to_owned())
    };
    if credential.primary_language() == lang {
        return annex1::check_with_words(credential, &words);
    }
    let mut value = credential.as_value().clone();
    if let Some(code) = sealdesk_elm::eu_code(lang) {
        if let Some(dp) = value
            .get_mut("displayParameter")
            .and_then(Value::as_object_mut)
        {
            dp.insert(
                "primaryLanguage".to_owned(),
                serde_json::json!({
                    "id": format!("http://publications.europa.eu/resource/authority/language/{code}"),
                    "type": "Concept"
                }),
            );
        }
    }
    match Credential::from_value(value, "render") {
        Ok(copy) => annex1::check_with_words(&copy, &words),
        Err(_) => annex1::check_with_words(credential, &words),
    }
}

struct Renderer<'a> {
    lang: String,
    model: &'a EdcCredential,
}

fn date(text: &str) -> String {
    match OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => text.to_owned(),
    }
}

fn date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn many<T>(v: Option<&OneOrMany<T>>) -> impl Iterator<Item = &T> {
    v.into_iter().flat_map(OneOrMany::iter)
}

impl Renderer<'_> {
    fn l(&self, key: &'static str) -> &'static str {
        label(&self.lang, key)
    }

    fn text(&self, map: Option<&LangMap>) -> Option<String> {
        map.and_then(|m| m.text(&self.lang))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    fn note(&self, note: Option<&Note>) -> Option<String> {
        self.text(note.and_then(|n| n.note_literal.as_ref()))
    }

    fn concept(&self, c: &Concept) -> Option<String> {
        self.text(c.pref_label.as_ref()).or_else(|| c.id.clone())
    }

    fn concepts<'c>(&self, cs: impl Iterator<Item = &'c Concept>) -> String {
        cs.filter_map(|c| self.concept(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn credential_title(&self) -> String {
        let dp_title = self
            .model
            .display_parameter
            .as_ref()
            .and_then(|d| self.text(d.title.as_ref()));
        dp_title
            .or_else(|| {
                many(
                    self.model
                        .credential_subject
                        .as_ref()
                        .and_then(|s| s.has_claim.as_ref()),
                )
                .find_map(|c| self.text(c.title()))
            })
            .unwrap_or_else(|| self.l("credential").to_owned())
    }

    fn learner_name(&self) -> Option<String> {
        let s = self.model.credential_subject.as_ref()?;
        self.text(s.full_name.as_ref()).or_else(|| {
            let parts: Vec<String> = [&s.given_name, &s.family_name]
                .into_iter()
                .filter_map(|m| self.text(m.as_ref()))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    }

    fn org_name(&self, org: Option<&Organisation>) -> Option<String> {
        let org = org?;
        self.text(org.legal_name.as_ref()).or_else(|| {
            // A reference by id to the issuer.
            let issuer = self.model.issuer.as_ref()?;
            (org.id.is_some() && org.id == issuer.id)
                .then(|| self.text(issuer.legal_name.as_ref()))
                .flatten()
        })
    }

    fn first_achievement(&self) -> Option<&LearningAchievement> {
        many(
            self.model
                .credential_subject
                .as_ref()
                .and_then(|s| s.has_claim.as_ref()),
        )
        .find_map(|c| match c {
            Claim::Achievement(a) => Some(a.as_ref()),
            _ => None,
        })
    }

    fn awarding_body(&self) -> Option<&Organisation> {
        let claims = many(
            self.model
                .credential_subject
                .as_ref()
                .and_then(|s| s.has_claim.as_ref()),
        );
        claims
            .filter_map(|c| c.awarded_by())
            .flat_map(OneOrMany::iter)
            .find_map(|a| a.awarding_body.as_ref().and_then(OneOrMany::first))
    }

    /// The logo: the awarding body's, else the issuer's (decoded; PNG/JPEG checked later).
    fn logo(&self) -> Option<Vec<u8>> {
        let decode = |m: &MediaObject| {
            m.content.as_ref().and_then(|c| {
                base64::engine::general_purpose::STANDARD
                    .decode(c.trim())
                    .ok()
            })
        };
        self.awarding_body()
            .and_then(|b| b.logo.as_ref())
            .and_then(decode)
            .or_else(|| self.model.issuer.as_ref()?.logo.as_ref().and_then(decode))
    }

    fn identifier(&self, id: &Identifier) -> Option<String> {
        let notation = id.notation.clone()?;
        let mut out = notation;
        if let Some(scheme) = &id.scheme_name {
            out = format!("{out} ({scheme})");
        }
        if let Some(country) = id.spatial.as_ref().and_then(|c| self.concept(c)) {
            out = format!("{out}, {country}");
        }
        Some(out)
    }

    /// "Awarded to <learner>", or nothing when there is no learner yet (a template's preview).
    fn awarded_to(&self, learner: &str) -> String {
        if learner.trim().is_empty() {
            String::new()
        } else {
            format!("{} {learner}", self.l("awardedTo"))
        }
    }

    fn full(
        &self,
        doc: &mut Document,
        title: &str,
        learner: &str,
        logo: Option<&[u8]>,
        annex: &annex1::Annex1Report,
        marking: &Marking,
    ) {
        doc.title_band(title, &self.awarded_to(learner), logo);
        if let Some(d) = self
            .model
            .display_parameter
            .as_ref()
            .and_then(|d| self.text(d.description.as_ref()))
        {
            doc.paragraph(&d);
        }
        if let Marking::Specimen = marking {
            self.specimen_box(doc);
        }
        // Learner.
        if let Some(s) = &self.model.credential_subject {
            // A template's preview has no learner yet: no heading over nothing.
            let mut facts: Vec<(&str, String)> = Vec::new();
            if !learner.trim().is_empty() {
                facts.push((self.l("name"), learner.to_owned()));
            }
            if let Some(d) = &s.date_of_birth {
                facts.push((self.l("dateOfBirth"), date(d)));
            }
            if let Some(id) = s.national_id.as_ref().and_then(|i| self.identifier(i)) {
                facts.push((self.l("nationalId"), id));
            }
            for id in many(s.identifier.as_ref()).filter_map(|i| self.identifier(i)) {
                facts.push((self.l("identifier"), id));
            }
            facts.retain(|(_, value)| !value.trim().is_empty());
            if !facts.is_empty() {
                doc.heading(self.l("learner"));
                for (label, value) in &facts {
                    doc.key_value(label, value);
                }
            }
            // Claims.
            for claim in many(s.has_claim.as_ref()) {
                match claim {
                    Claim::Achievement(a) => self.achievement(doc, a),
                    Claim::Activity(a) => {
                        self.claim_heading(doc, "activity", a.title.as_ref());
                        self.activity_rows(doc, a);
                    }
                    Claim::Assessment(a) => {
                        self.claim_heading(doc, "assessment", a.title.as_ref());
                        self.assessment_rows(doc, a);
                    }
                    Claim::Entitlement(e) => {
                        self.claim_heading(doc, "entitlement", e.title.as_ref());
                        self.entitlement_rows(doc, e);
                    }
                    Claim::Other(_) => {}
                }
            }
        }
        if let Some(body) = self.awarding_body() {
            doc.heading(self.l("awardingBody"));
            self.organisation(doc, body);
        }
        if let Some(issuer) = &self.model.issuer {
            let same = issuer.id.is_some()
                && self.awarding_body().and_then(|b| b.id.as_ref()) == issuer.id.as_ref();
            doc.heading(self.l("issuer"));
            if same {
                doc.key_value(
                    self.l("legalName"),
                    &self.org_name(Some(issuer)).unwrap_or_default(),
                );
                self.legal_ids(doc, issuer);
            } else {
                self.organisation(doc, issuer);
            }
        }
        doc.heading(self.l("dates"));
        doc.key_value(
            self.l("credentialId"),
            self.model.id.as_deref().unwrap_or_default(),
        );
        for id in many(self.model.identifier.as_ref()).filter_map(|i| self.identifier(i)) {
            doc.key_value(self.l("identifier"), &id);
        }
        if let Some(d) = self
            .model
            .issued
            .as_ref()
            .or(self.model.issuance_date.as_ref())
        {
            doc.key_value(self.l("issued"), &date(d));
        }
        if let Some(d) = &self.model.valid_from {
            doc.key_value(self.l("validFrom"), &date(d));
        }
        if let Some(d) = self
            .model
            .valid_until
            .as_ref()
            .or(self.model.expiration_date.as_ref())
        {
            doc.key_value(self.l("validUntil"), &date(d));
        }
        self.annex1_table(doc, annex);
        // A specimen says so in its box at the top (and the watermark); a seal closes the PDF.
        if let Marking::Sealed(seal) = marking {
            self.seal_box(doc, seal);
            // Room for the PAdES seal's visible block (pades' default size), not over text.
            doc.reserve(270.0, 60.0);
        }
    }

    fn achievement(&self, doc: &mut Document, a: &LearningAchievement) {
        let title = self.text(a.title.as_ref()).unwrap_or_default();
        doc.heading(&format!("{}: {title}", self.l("achievement")));
        if let Some(d) = self.text(a.description.as_ref()) {
            doc.paragraph(&d);
        }
        for award in many(a.awarded_by.as_ref()) {
            let bodies: Vec<String> = many(award.awarding_body.as_ref())
                .filter_map(|b| self.org_name(Some(b)))
                .collect();
            doc.key_value(self.l("awardingBody"), &bodies.join(", "));
            if let Some(d) = &award.awarding_date {
                doc.key_value(self.l("awardingDate"), &date(d));
            }
        }
        for spec in many(a.specified_by.as_ref()) {
            if let Some(t) = self.text(spec.title.as_ref()).filter(|t| *t != title) {
                doc.key_value(self.l("title"), &t);
            }
            doc.key_value(self.l("type"), &self.concepts(many(spec.dc_type.as_ref())));
            if let Some(eqf) = spec.eqf_level.as_ref().and_then(|c| self.concept(c)) {
                let uri = spec
                    .eqf_level
                    .as_ref()
                    .and_then(|c| c.id.clone())
                    .unwrap_or_default();
                doc.key_value(self.l("eqf"), &format!("{eqf} ({uri})"));
            }
            doc.key_value(self.l("nqf"), &self.concepts(many(spec.nqf_level.as_ref())));
            let credits: Vec<String> = many(spec.credit_point.as_ref())
                .filter_map(|c| {
                    let point = c.point.clone()?;
                    let framework = c.framework.as_ref().and_then(|f| {
                        if f.id.as_deref()
                            == Some("http://data.europa.eu/snb/education-credit/6fcec5c5af")
                        {
                            Some("ECTS".to_owned())
                        } else {
                            self.concept(f)
                        }
                    });
                    Some(
                        format!("{point} {}", framework.unwrap_or_default())
                            .trim()
                            .to_owned(),
                    )
                })
                .collect();
            doc.key_value(self.l("credits"), &credits.join(", "));
            if let Some(v) = &spec.volume_of_learning {
                doc.key_value(self.l("workload"), v);
            }
            if let Some(v) = &spec.maximum_duration {
                doc.key_value(self.l("maximumDuration"), v);
            }
            doc.key_value(self.l("mode"), &self.concepts(many(spec.mode.as_ref())));
            if let Some(s) = spec.learning_setting.as_ref().and_then(|c| self.concept(c)) {
                doc.key_value(self.l("learningSetting"), &s);
            }
            doc.key_value(
                self.l("language"),
                &self.concepts(many(spec.language.as_ref())),
            );
            doc.key_value(
                self.l("thematicArea"),
                &self.concepts(many(spec.thematic_area.as_ref())),
            );
            if let Some(e) = self.note(spec.entry_requirement.as_ref()) {
                doc.key_value(self.l("entryRequirement"), &e);
            }
            if let Some(p) = spec.is_partial_qualification {
                doc.key_value(self.l("partial"), self.l(if p { "yes" } else { "no" }));
            }
            let outcomes: Vec<Vec<String>> = many(spec.learning_outcome.as_ref())
                .map(|o| {
                    let skills: Vec<String> = many(o.related_esco_skill.as_ref())
                        .chain(many(o.related_skill.as_ref()))
                        // A bullet starts each skill, so its URI line below reads as its own.
                        .map(|s| match (self.text(s.pref_label.as_ref()), &s.id) {
                            (Some(l), Some(id)) => format!("{SKILL_BULLET}{l}\n{id}"),
                            (Some(l), None) => format!("{SKILL_BULLET}{l}"),
                            (None, Some(id)) => format!("{SKILL_BULLET}{id}"),
                            (None, None) => String::new(),
                        })
                        .collect();
                    vec![
                        self.text(o.title.as_ref()).unwrap_or_default(),
                        skills.join("\n"),
                    ]
                })
                .collect();
            if !outcomes.is_empty() {
                doc.captioned_table(
                    self.l("outcomes"),
                    &[
                        Column::new(self.l("outcome"), 0.38),
                        Column::new(self.l("skills"), 0.62),
                    ],
                    &outcomes,
                );
            }
        }
        for assessment in many(a.proven_by.as_ref()) {
            doc.subheading(&format!(
                "{}: {}",
                self.l("assessment"),
                self.text(assessment.title.as_ref()).unwrap_or_default()
            ));
            self.assessment_rows(doc, assessment);
        }
        for activity in many(a.influenced_by.as_ref()) {
            doc.subheading(&format!(
                "{}: {}",
                self.l("activity"),
                self.text(activity.title.as_ref()).unwrap_or_default()
            ));
            self.activity_rows(doc, activity);
        }
        for e in many(a.entitles_to.as_ref()) {
            doc.subheading(&format!(
                "{}: {}",
                self.l("entitlement"),
                self.text(e.title.as_ref()).unwrap_or_default()
            ));
            self.entitlement_rows(doc, e);
        }
    }

    fn assessment_rows(&self, doc: &mut Document, a: &LearningAssessment) {
        if let Some(d) = self.text(a.description.as_ref()) {
            doc.paragraph(&d);
        }
        if let Some(g) = self.note(a.grade.as_ref()) {
            doc.key_value(self.l("grade"), &g);
        }
        for spec in many(a.specified_by.as_ref()) {
            doc.key_value(self.l("type"), &self.concepts(many(spec.dc_type.as_ref())));
            doc.key_value(self.l("mode"), &self.concepts(many(spec.mode.as_ref())));
            if let Some(g) = &spec.grading_scheme {
                let text = [
                    self.text(g.title.as_ref()),
                    self.text(g.description.as_ref()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
                doc.key_value(self.l("gradingScheme"), &text);
            }
        }
        if let Some(v) = a.id_verification.as_ref().and_then(|c| self.concept(c)) {
            doc.key_value(self.l("supervision"), &v);
        }
    }

    fn activity_rows(&self, doc: &mut Document, a: &LearningActivity) {
        if let Some(d) = self.text(a.description.as_ref()) {
            doc.paragraph(&d);
        }
        for spec in many(a.specified_by.as_ref()) {
            doc.key_value(self.l("type"), &self.concepts(many(spec.dc_type.as_ref())));
            doc.key_value(self.l("mode"), &self.concepts(many(spec.mode.as_ref())));
            if let Some(v) = &spec.volume_of_learning {
                doc.key_value(self.l("workload"), v);
            }
        }
        if let Some(w) = &a.workload {
            doc.key_value(self.l("workload"), w);
        }
        for t in many(a.temporal.as_ref()) {
            let start = t.extra.get("startDate").and_then(Value::as_str).map(date);
            let end = t.extra.get("endDate").and_then(Value::as_str).map(date);
            let period = match (start, end) {
                (Some(s), Some(e)) => format!("{s} – {e}"),
                (s, e) => s.or(e).unwrap_or_default(),
            };
            doc.key_value(self.l("period"), &period);
        }
        let directed: Vec<String> = many(a.directed_by.as_ref())
            .filter_map(|o| self.org_name(Some(o)))
            .collect();
        doc.key_value(self.l("directedBy"), &directed.join(", "));
    }

    /// "<kind label>: <title>" as a heading (`kind` is a label key).
    fn claim_heading(&self, doc: &mut Document, kind: &'static str, title: Option<&LangMap>) {
        doc.heading(&format!(
            "{}: {}",
            self.l(kind),
            self.text(title).unwrap_or_default()
        ));
    }

    fn entitlement_rows(&self, doc: &mut Document, e: &LearningEntitlement) {
        if let Some(d) = self.text(e.description.as_ref()) {
            doc.paragraph(&d);
        }
        for spec in many(e.specified_by.as_ref()) {
            doc.key_value(self.l("type"), &self.concepts(many(spec.dc_type.as_ref())));
            if let Some(s) = spec
                .entitlement_status
                .as_ref()
                .and_then(|c| self.concept(c))
            {
                doc.key_value(self.l("status"), &s);
            }
        }
    }

    fn legal_ids(&self, doc: &mut Document, org: &Organisation) {
        if let Some(id) = org
            .eidas_identifier
            .as_ref()
            .and_then(|i| self.identifier(i))
        {
            doc.key_value(self.l("eidasIdentifier"), &id);
        }
        if let Some(id) = org.registration.as_ref().and_then(|i| self.identifier(i)) {
            doc.key_value(self.l("legalIdentifier"), &id);
        }
        for id in many(org.vat_identifier.as_ref()).filter_map(|i| self.identifier(i)) {
            doc.key_value(self.l("vat"), &id);
        }
        for id in many(org.identifier.as_ref()).filter_map(|i| self.identifier(i)) {
            doc.key_value(self.l("identifier"), &id);
        }
    }

    fn organisation(&self, doc: &mut Document, org: &Organisation) {
        doc.key_value(
            self.l("legalName"),
            &self.org_name(Some(org)).unwrap_or_default(),
        );
        if let Some(alt) = self.text(org.alt_label.as_ref()) {
            doc.key_value(self.l("shortName"), &alt);
        }
        self.legal_ids(doc, org);
        for loc in many(org.location.as_ref()) {
            for address in many(loc.address.as_ref()) {
                if let Some(a) = self.note(address.full_address.as_ref()) {
                    doc.key_value(self.l("address"), &a);
                }
                if let Some(c) = address.country_code.as_ref().and_then(|c| self.concept(c)) {
                    let region = self.concepts(many(loc.spatial_code.as_ref()));
                    let value = if region.is_empty() {
                        c
                    } else {
                        format!("{c} ({region})")
                    };
                    doc.key_value(self.l("country"), &value);
                }
            }
        }
        for page in many(org.homepage.as_ref()) {
            if let Some(url) = &page.content_url {
                doc.key_value(self.l("homepage"), url);
            }
        }
        let groups: Vec<String> = many(org.group_member_of.as_ref())
            .filter_map(|g| self.text(g.pref_label.as_ref()))
            .collect();
        doc.key_value(self.l("memberOf"), &groups.join(", "));
    }

    fn annex1_label(&self, key: &str, english: &str) -> String {
        let full = format!("a1.{key}");
        let translated = label(&self.lang, &full);
        if translated == full {
            english.to_owned()
        } else {
            translated.to_owned()
        }
    }

    fn annex1_table(&self, doc: &mut Document, annex: &annex1::Annex1Report) {
        let rows: Vec<Vec<String>> = annex
            .elements
            .iter()
            .filter(|e| e.mandatory || e.present)
            .map(|e| {
                vec![
                    self.annex1_label(&e.key, &e.label),
                    e.value
                        .clone()
                        .unwrap_or_else(|| self.l("notStated").to_owned()),
                ]
            })
            .collect();
        doc.heading(self.l("annex1"));
        doc.table(
            &[
                Column::new(self.l("element"), 0.4),
                Column::new(self.l("value"), 0.6),
            ],
            &rows,
        );
    }

    fn seal_box(&self, doc: &mut Document, seal: &SealInfo) {
        {
            {
                let mut rows = vec![(self.l("sealHolder").to_owned(), seal.holder.clone())];
                if let Some(org) = &seal.organization_identifier {
                    rows.push((self.l("orgIdentifier").to_owned(), org.clone()));
                }
                rows.push((self.l("sealedAt").to_owned(), date_time(seal.sealed_at)));
                if let Some(file) = &seal.sealed_file {
                    rows.push((self.l("sealedFile").to_owned(), file.name.clone()));
                    rows.push((self.l("sha256").to_owned(), file.sha256_hex.clone()));
                }
                rows.push((String::new(), self.l("sealNote").to_owned()));
                doc.boxed(self.l("seal"), &rows);
            }
        }
    }

    fn specimen_box(&self, doc: &mut Document) {
        doc.boxed(
            self.l("specimenTitle"),
            &[(
                self.l("specimenWhat").to_owned(),
                self.l("specimenNote").to_owned(),
            )],
        );
    }

    /// One page: the band, the key facts, the outcomes in a line each, the seal.
    fn summary(
        &self,
        doc: &mut Document,
        title: &str,
        learner: &str,
        logo: Option<&[u8]>,
        annex: &annex1::Annex1Report,
        marking: &Marking,
    ) {
        doc.title_band(title, &self.awarded_to(learner), logo);
        if let Marking::Specimen = marking {
            self.specimen_box(doc);
        }
        doc.heading(self.l("summary"));
        let value = |key: &str| {
            annex
                .elements
                .iter()
                .find(|e| e.key == key)
                .and_then(|e| e.value.clone())
                .unwrap_or_default()
        };
        let clip = |s: String, max: usize| {
            if s.chars().count() > max {
                format!("{}…", s.chars().take(max).collect::<String>())
            } else {
                s
            }
        };
        doc.key_value(self.l("learner"), learner);
        if let Some(a) = self.first_achievement() {
            doc.key_value(
                self.l("achievement"),
                &self.text(a.title.as_ref()).unwrap_or_default(),
            );
        }
        doc.key_value(self.l("awardingBody"), &value("awardingBody"));
        doc.key_value(
            self.l("issuer"),
            &self
                .org_name(self.model.issuer.as_ref())
                .unwrap_or_default(),
        );
        let issued = self
            .model
            .issued
            .as_ref()
            .or(self.model.issuance_date.as_ref())
            .map(|d| (self.l("issued"), date(d)))
            .or_else(|| {
                self.model
                    .valid_from
                    .as_ref()
                    .map(|d| (self.l("validFrom"), date(d)))
            });
        if let Some((key, day)) = issued {
            doc.key_value(key, &day);
        }
        doc.key_value(self.l("credits"), &value("workload"));
        doc.key_value(self.l("eqf"), &value("level"));
        doc.key_value(self.l("grade"), &value("grade"));
        doc.key_value(self.l("outcomes"), &clip(value("learningOutcomes"), 400));
        doc.key_value(
            self.l("a1.qualityAssurance"),
            &clip(value("qualityAssurance"), 160),
        );
        doc.key_value(
            self.l("credentialId"),
            self.model.id.as_deref().unwrap_or_default(),
        );
        if let Marking::Sealed(seal) = marking {
            self.seal_box(doc, seal);
        }
    }
}
