//! Augmentation of a sealed PDF: B-B/B-T → B-LT (DSS) → B-LTA (document timestamp), and archive
//! renewal (another DSS + document timestamp on top).
//!
//! The CMS of a seal lives inside `/Contents` of a revision that is already signed, so nothing
//! is added to it: every step is a new incremental update after the existing bytes (ETSI EN
//! 319 142-1 §5.4/§5.5). A seal without a signature timestamp first gets a document timestamp
//! (B-T). B-LT writes a DSS (`/Certs`, `/OCSPs`, `/CRLs`; no `/VRI`, which is optional) with the
//! chains and fresh revocation evidence of every seal certificate and every timestamp authority
//! found; B-LTA then adds a document timestamp (`/Type /DocTimeStamp`, `/SubFilter
//! /ETSI.RFC3161`) covering the DSS. Chains and revocation evidence are collected by
//! `sealdesk_seal::augment::validation_material`, as for JAdES.

use lopdf::{Dictionary, Object, Stream};
use openssl::x509::X509;
use sealdesk_seal::augment::{validation_material, Services};
use sealdesk_seal::tsp::{self, TimestampToken};
use sealdesk_seal::verify::BaselineLevel;
use time::OffsetDateTime;

use crate::cms;
use crate::error::PadesError;
use crate::survey::{self, Dss};
use crate::update::{self, Update};

/// A PDF after augmentation.
#[derive(Debug, Clone)]
pub struct AugmentedPdf {
    /// The new file (the old bytes followed by the new incremental updates).
    pub pdf: Vec<u8>,
    /// The level the seals reached.
    pub level: BaselineLevel,
    /// When the last document timestamp's TSA certificate expires (renew before then).
    pub renew_before: Option<OffsetDateTime>,
}

/// Room for a document timestamp token in `/Contents`.
const DOC_TIMESTAMP_RESERVE: usize = 16 * 1024;

/// What the file holds that matters for augmentation.
struct State {
    seals: usize,
    /// A signature timestamp on every seal, or a document timestamp after the last seal.
    timestamped: bool,
    /// A DSS written after the last seal.
    dss_after_seals: bool,
    /// A document timestamp covering the DSS.
    archived: bool,
    last_doc_timestamp: Option<Vec<u8>>,
}

fn state(pdf: &[u8]) -> Result<State, PadesError> {
    let doc = update::load(pdf)?;
    let found = survey::signatures(&doc);
    let dss = survey::dss(&doc)?;
    let seals: Vec<_> = found.iter().filter(|f| !f.is_doc_timestamp()).collect();
    let last_seal_end = seals.iter().map(|f| f.end()).max().unwrap_or(0);
    let doc_ts: Vec<_> = found.iter().filter(|f| f.is_doc_timestamp()).collect();
    let all_stamped = !seals.is_empty()
        && seals.iter().all(|f| {
            cms::parse(f.der()).is_ok_and(|p| {
                p.unsigned_attrs
                    .iter()
                    .any(|a| a.oid == cms::ID_SIGNATURE_TIME_STAMP)
            })
        });
    let dss_offset = dss.as_ref().map(|d| d.offset);
    Ok(State {
        seals: seals.len(),
        timestamped: all_stamped || doc_ts.iter().any(|t| t.end() > last_seal_end),
        dss_after_seals: dss_offset.is_some_and(|o| o > last_seal_end),
        archived: dss_offset.is_some_and(|o| doc_ts.iter().any(|t| t.end() > o)),
        last_doc_timestamp: doc_ts.last().map(|t| t.der().to_vec()),
    })
}

/// Brings the seals of `pdf` up to `target` (B-T, B-LT or B-LTA), adding only what is missing,
/// each step as its own incremental update. `now` is when revocation answers must be valid.
pub fn augment_pdf(
    pdf: &[u8],
    target: BaselineLevel,
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<AugmentedPdf, PadesError> {
    let _span = tracing::info_span!("pades.augment", target = target.name()).entered();
    let mut current = pdf.to_vec();
    let mut s = state(&current)?;
    if s.seals == 0 {
        return Err(PadesError::NotExtensible {
            reason: "the PDF carries no seal to augment",
        });
    }
    if target >= BaselineLevel::BT && !s.timestamped {
        current = add_document_timestamp(&current, services)?;
        s = state(&current)?;
    }
    if target >= BaselineLevel::BLT && !s.dss_after_seals {
        current = add_validation_data(&current, services, now)?;
        s = state(&current)?;
    }
    if target >= BaselineLevel::BLTA && !s.archived {
        current = add_document_timestamp(&current, services)?;
        s = state(&current)?;
    }
    finish(current, &s)
}

/// Adds a new archive time-stamp to a B-LTA PDF: first a DSS update with the validation data of
/// the last document timestamp's TSA (and anything else still missing), then a new document
/// timestamp covering it.
pub fn renew_pdf_archive(
    pdf: &[u8],
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<AugmentedPdf, PadesError> {
    let _span = tracing::info_span!("pades.renew_archive").entered();
    let s = state(pdf)?;
    if !s.archived {
        return Err(PadesError::NotExtensible {
            reason:
                "the PDF has no archive (document) timestamp to renew: augment it to B-LTA first",
        });
    }
    let current = add_validation_data(pdf, services, now)?;
    let current = add_document_timestamp(&current, services)?;
    let s = state(&current)?;
    finish(current, &s)
}

fn finish(pdf: Vec<u8>, s: &State) -> Result<AugmentedPdf, PadesError> {
    let level = match (s.timestamped, s.dss_after_seals, s.archived) {
        (true, true, true) => BaselineLevel::BLTA,
        (true, true, false) => BaselineLevel::BLT,
        (true, _, _) => BaselineLevel::BT,
        _ => BaselineLevel::BB,
    };
    let renew_before = match &s.last_doc_timestamp {
        Some(der) => TimestampToken::parse(der, &[], "the last document timestamp")
            .map_err(PadesError::Services)?
            .signer
            .and_then(|c| asn1_time(c.not_after())),
        None => None,
    };
    Ok(AugmentedPdf {
        pdf,
        level,
        renew_before,
    })
}

fn asn1_time(t: &openssl::asn1::Asn1TimeRef) -> Option<OffsetDateTime> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let diff = epoch.diff(t).ok()?;
    OffsetDateTime::from_unix_timestamp(i64::from(diff.days) * 86_400 + i64::from(diff.secs)).ok()
}

/// One incremental update with an invisible signature field and a document timestamp over
/// everything before it.
fn add_document_timestamp(pdf: &[u8], services: &Services<'_>) -> Result<Vec<u8>, PadesError> {
    let _span = tracing::info_span!("pades.document_timestamp").entered();
    let doc = update::load(pdf)?;
    let mut up = Update::new(&doc);
    let sig_id = up.new_id();
    let appearance =
        crate::sign::appearance_stream(&mut up, None, [0.0; 4], OffsetDateTime::UNIX_EPOCH, "en")?;
    update::add_signature_field(
        &doc,
        &mut up,
        1,
        [0.0; 4],
        appearance,
        sig_id,
        "DocTimeStamp",
    )?;
    up.put_signature(
        sig_id,
        b"/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
        DOC_TIMESTAMP_RESERVE,
    );
    let pending = up.write(pdf)?;
    let token = tsp::timestamp(services.fetch, &services.tsa_url, &pending.signed_bytes())
        .map_err(PadesError::Services)?;
    pending.finish(&token)
}

/// One incremental update with the DSS extended by the chains and fresh revocation evidence of
/// every seal certificate and timestamp authority in the file.
fn add_validation_data(
    pdf: &[u8],
    services: &Services<'_>,
    now: OffsetDateTime,
) -> Result<Vec<u8>, PadesError> {
    let _span = tracing::info_span!("pades.dss").entered();
    let doc = update::load(pdf)?;
    let existing = survey::dss(&doc)?.unwrap_or_default();
    let mut known: Vec<X509> = existing.x509s();
    let mut leaves: Vec<X509> = Vec::new();
    for f in survey::signatures(&doc) {
        if f.is_doc_timestamp() {
            let place = format!("document timestamp (object {})", f.object);
            let token =
                TimestampToken::parse(f.der(), &known, &place).map_err(PadesError::Services)?;
            known.extend(token.certificates.iter().cloned());
            leaves.extend(token.signer);
            continue;
        }
        let Ok(parsed) = cms::parse(f.der()) else {
            continue; // an unreadable seal has nothing to add; the verifier reports it
        };
        let certs: Vec<X509> = parsed
            .certificates
            .iter()
            .filter_map(|d| X509::from_der(d).ok())
            .collect();
        if let Some(signer) = parsed
            .signer_certificate
            .and_then(|i| parsed.certificates.get(i))
            .and_then(|d| X509::from_der(d).ok())
        {
            leaves.push(signer);
        }
        known.extend(certs);
        for attr in parsed
            .unsigned_attrs
            .iter()
            .filter(|a| a.oid == cms::ID_SIGNATURE_TIME_STAMP)
        {
            for value in attr.values.iter() {
                let der = der::Encode::to_der(value).map_err(|source| PadesError::Der {
                    doing: "reading a signature timestamp",
                    source,
                })?;
                let place = format!("signature timestamp (object {})", f.object);
                let token =
                    TimestampToken::parse(&der, &known, &place).map_err(PadesError::Services)?;
                known.extend(token.certificates.iter().cloned());
                leaves.extend(token.signer);
            }
        }
    }
    let material =
        validation_material(&leaves, &known, services, now).map_err(PadesError::Services)?;
    write_dss(&doc, pdf, existing, material)
}

fn write_dss(
    doc: &lopdf::Document,
    pdf: &[u8],
    existing: Dss,
    material: sealdesk_seal::augment::ValidationMaterial,
) -> Result<Vec<u8>, PadesError> {
    let mut up = Update::new(doc);
    let Dss {
        id,
        certs,
        ocsps,
        crls,
        mut cert_refs,
        mut ocsp_refs,
        mut crl_refs,
        ..
    } = existing;
    for (new, have, refs) in [
        (material.certificates, certs, &mut cert_refs),
        (material.ocsp_responses, ocsps, &mut ocsp_refs),
        (material.crls, crls, &mut crl_refs),
    ] {
        for der in new {
            if have.contains(&der) {
                continue;
            }
            let sid = up.new_id();
            up.put(sid, &Object::Stream(Stream::new(Dictionary::new(), der)))?;
            refs.push(Object::Reference(sid));
        }
    }
    let mut dss = Dictionary::new();
    dss.set("Type", Object::Name(b"DSS".to_vec()));
    dss.set("Certs", Object::Array(cert_refs));
    dss.set("OCSPs", Object::Array(ocsp_refs));
    dss.set("CRLs", Object::Array(crl_refs));
    let dss_id = match id {
        Some(id) => id,
        None => up.new_id(),
    };
    up.put(dss_id, &Object::Dictionary(dss))?;
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PadesError::structure("trailer /Root", "missing or not a reference"))?;
    let mut catalog = doc
        .get_object(root_id)
        .and_then(Object::as_dict)
        .map_err(|_| PadesError::structure("the catalog", "missing or not a dictionary"))?
        .clone();
    catalog.set("DSS", Object::Reference(dss_id));
    if catalog.get(b"Extensions").is_err() {
        // ISO 32000-1 readers learn of DSS and document timestamps from the ESIC extension.
        let mut esic = Dictionary::new();
        esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
        esic.set("ExtensionLevel", Object::Integer(5));
        let mut extensions = Dictionary::new();
        extensions.set("ESIC", Object::Dictionary(esic));
        catalog.set("Extensions", Object::Dictionary(extensions));
    }
    up.put(root_id, &Object::Dictionary(catalog))?;
    let pending = up.write(pdf)?;
    tracing::info!(added = pending.out.len() - pdf.len(), "dss written");
    Ok(pending.out)
}
