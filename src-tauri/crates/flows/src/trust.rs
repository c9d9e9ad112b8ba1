//! Trusted lists in the use cases: check list files, load a folder of lists into the
//! catalogue cache, answer "who issues qualified seal certificates in my country", decide the
//! `qualification` check of a verification from the cached lists, and verify legacy EDC 1.x XML
//! credentials (enveloped XAdES). Parsing, XML signatures and the qualification rules live in
//! `sealdesk-trust`; the cache table in `sealdesk-catalogue`.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use sealdesk_catalogue::CachedList;
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::verify::SignatureReport;
use sealdesk_trust::model::{pick, ASI_FOR_ESEALS, STATUS_GRANTED, SVC_CA_QC};
use sealdesk_trust::{Level, LoadedList, SignatureStatus, Standing, TrustedLists};
use time::OffsetDateTime;

use crate::device::rfc3339;
use crate::views::{
    CheckStatus, CheckView, QcServiceView, SignatureView, TlSignatureView, TrustProviderView,
    TrustProvidersView, TrustedListView, VerificationReport,
};
use crate::{Catalogue, FlowError, TrustAnchors};

/// Reads and checks list files (the LOTL among them makes national lists "announced").
pub fn check_trusted_lists(
    files: &[(String, Vec<u8>)],
    now: OffsetDateTime,
) -> Result<Vec<TrustedListView>, FlowError> {
    let _span = tracing::info_span!("flows.trust.check", files = files.len()).entered();
    let mut loaded = Vec::with_capacity(files.len());
    for (source, bytes) in files {
        loaded.push(sealdesk_trust::read_list(bytes, source)?);
    }
    let set = TrustedLists::new(loaded);
    Ok(set
        .lists
        .iter()
        .map(|l| list_view(&set, l, None, now))
        .collect())
}

/// Loads every `*.xml` list of `dir` into the catalogue cache. All files are read first: one
/// unreadable file stores nothing. Lists whose signature does not verify are reported, never
/// cached; an older sequence never replaces a newer cached one.
pub fn load_trusted_lists(
    catalogue: &Catalogue,
    dir: &Path,
    now: OffsetDateTime,
) -> Result<Vec<TrustedListView>, FlowError> {
    let _span = tracing::info_span!("flows.trust.load").entered();
    let mut loaded = Vec::new();
    let mut bytes_of = Vec::new();
    for path in sealdesk_trust::list_files(dir)? {
        let bytes = std::fs::read(&path).map_err(|source| sealdesk_trust::TrustError::Io {
            path: path.clone(),
            source,
        })?;
        loaded.push(sealdesk_trust::read_list(
            &bytes,
            &path.display().to_string(),
        )?);
        bytes_of.push(bytes);
    }
    // The set the lists are judged in is the set the cache will hold: a cached list is replaced
    // only by a newer-or-equal sequence of the same territory, so a folder's older LOTL does not
    // make its national lists "announced" at load time and "not announced" ever after.
    let same = |a: &LoadedList, b: &LoadedList| {
        a.list.territory == b.list.territory && a.list.is_lotl() == b.list.is_lotl()
    };
    let mut all = cached_loaded(catalogue)?;
    let kept_newer = |l: &LoadedList| {
        all.iter()
            .any(|c| same(c, l) && c.list.sequence > l.list.sequence)
    };
    let replacing: Vec<LoadedList> = loaded.iter().filter(|l| !kept_newer(l)).cloned().collect();
    all.retain(|c| !replacing.iter().any(|l| same(c, l)));
    all.extend(replacing);
    let set = TrustedLists::new(all);
    let stamp = rfc3339(now);
    let table = catalogue.trusted_lists();
    for (l, xml) in loaded.iter().zip(bytes_of) {
        let standing = set.standing(l);
        if matches!(standing, Standing::BadSignature(_)) {
            tracing::warn!(source = %l.source, "trusted list not cached: its signature does not verify");
            continue;
        }
        table.put(&CachedList {
            territory: l.list.territory.clone(),
            is_lotl: l.list.is_lotl(),
            sequence: l.list.sequence,
            issued_at: rfc3339(l.list.issued),
            next_update: l.list.next_update.map(rfc3339),
            loaded_at: stamp.clone(),
            source: l.source.clone(),
            signature: standing_name(&standing).to_owned(),
            xml,
        })?;
    }
    Ok(loaded
        .iter()
        .map(|l| list_view(&set, l, Some(stamp.clone()), now))
        .collect())
}

fn cached_loaded(catalogue: &Catalogue) -> Result<Vec<LoadedList>, FlowError> {
    Ok(read_rows(catalogue.trusted_lists().all()?))
}

fn read_rows(rows: Vec<CachedList>) -> Vec<LoadedList> {
    let mut out = Vec::new();
    for c in rows {
        match sealdesk_trust::read_list(&c.xml, &c.source) {
            Ok(l) => out.push(l),
            Err(e) => {
                tracing::warn!(territory = %c.territory, error = %e, "cached trusted list unreadable")
            }
        }
    }
    out
}

/// The lists last read by [`cached_trusted_lists`], under the fingerprint of the cache rows
/// they were read from (source, load time and XML of every row).
static LAST_READ: OnceLock<Mutex<Option<LastRead>>> = OnceLock::new();

/// The fingerprint of the cache rows, and the lists read from them.
type LastRead = ([u8; 32], CachedTrust);

/// The cached lists, read and checked (XML, XML-DSig, LOTL announcements), with when each was
/// loaded. The parsed lists are kept for the process: while the cache rows are unchanged
/// (same fingerprint) a later call returns them without parsing again, so a verifier may call
/// this per credential; the result is cheap to clone (the lists are shared).
pub fn cached_trusted_lists(catalogue: &Catalogue) -> Result<CachedTrust, FlowError> {
    let rows = catalogue.trusted_lists().all()?;
    let mut hasher = openssl::sha::Sha256::new();
    for r in &rows {
        for part in [r.source.as_bytes(), r.loaded_at.as_bytes(), &r.xml] {
            hasher.update(&(part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
    }
    let key = hasher.finish();
    let memo = LAST_READ.get_or_init(|| Mutex::new(None));
    if let Some((k, cached)) = memo.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        if *k == key {
            return Ok(cached.clone());
        }
    }
    let _span = tracing::info_span!("flows.trust.read_cache", lists = rows.len()).entered();
    let oldest_load = rows
        .iter()
        .filter_map(|r| sealdesk_trust::model::parse_date(&r.loaded_at))
        .min();
    let cached = CachedTrust {
        lists: Arc::new(TrustedLists::new(read_rows(rows))),
        oldest_load,
    };
    *memo.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, cached.clone()));
    Ok(cached)
}

/// Cached lists as a verifier uses them.
#[derive(Debug, Clone, Default)]
pub struct CachedTrust {
    /// The lists (read once, shared by every clone).
    pub lists: Arc<TrustedLists>,
    /// When the oldest of them was loaded (their age is reported).
    pub oldest_load: Option<OffsetDateTime>,
}

/// Providers of `country` with a granted CA/QC service for e-seals (ForeSeals), from the cache,
/// with the term for a qualified seal certificate in `lang`.
pub fn trust_providers(
    catalogue: &Catalogue,
    country: &str,
    lang: &str,
    now: OffsetDateTime,
) -> Result<TrustProvidersView, FlowError> {
    let cached = cached_trusted_lists(catalogue)?;
    let country = country.to_ascii_uppercase();
    let mut view = TrustProvidersView {
        country: country.clone(),
        language: lang.to_owned(),
        term: sealdesk_trust::terms::qualified_seal_certificate(lang).to_owned(),
        list: None,
        providers: Vec::new(),
    };
    let Some(l) = cached
        .lists
        .lists
        .iter()
        .find(|l| !l.list.is_lotl() && l.list.territory.eq_ignore_ascii_case(&country))
    else {
        return Ok(view);
    };
    let loaded_at = catalogue
        .trusted_lists()
        .all()?
        .into_iter()
        .find(|r| !r.is_lotl && r.territory == l.list.territory)
        .map(|r| r.loaded_at);
    view.list = Some(list_view(&cached.lists, l, loaded_at, now));
    for p in &l.list.providers {
        let services: Vec<String> = p
            .services
            .iter()
            .filter_map(|s| s.state_at(now))
            .filter(|st| {
                st.type_identifier == SVC_CA_QC
                    && st.status == STATUS_GRANTED
                    && st.additional_info.iter().any(|u| u == ASI_FOR_ESEALS)
            })
            .map(|st| pick(&st.names, lang).unwrap_or_default().to_owned())
            .collect();
        if services.is_empty() {
            continue;
        }
        let address = p
            .addresses
            .iter()
            .find(|a| a.lang.eq_ignore_ascii_case(lang))
            .or_else(|| {
                p.addresses
                    .iter()
                    .find(|a| a.lang.eq_ignore_ascii_case("en"))
            })
            .or_else(|| p.addresses.first())
            .map(|a| {
                [
                    a.street.as_str(),
                    &format!("{} {}", a.postal_code, a.locality),
                    a.country.as_str(),
                ]
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
            })
            .unwrap_or_default();
        view.providers.push(TrustProviderView {
            name: pick(&p.names, lang).unwrap_or_default().to_owned(),
            trade_name: pick(&p.trade_names, lang).map(str::to_owned),
            address,
            website: pick(&p.information_uris, lang).map(str::to_owned),
            email: p
                .electronic_addresses
                .iter()
                .find_map(|u| u.strip_prefix("mailto:").map(str::to_owned)),
            services,
        });
    }
    Ok(view)
}

fn standing_name(s: &Standing) -> &'static str {
    match s {
        Standing::Lotl => "lotl",
        Standing::Announced => "announced",
        Standing::NotAnnounced => "notAnnounced",
        Standing::BadSignature(_) => "badSignature",
    }
}

fn list_view(
    set: &TrustedLists,
    l: &LoadedList,
    loaded_at: Option<String>,
    now: OffsetDateTime,
) -> TrustedListView {
    let standing = set.standing(l);
    let sig = &l.signature;
    let (status, reason) = match &sig.status {
        SignatureStatus::Valid => ("valid", None),
        SignatureStatus::Invalid(r) => ("invalid", Some(r.clone())),
        SignatureStatus::Unsigned => ("unsigned", None),
        SignatureStatus::Unsupported(r) => ("unsupported", Some(r.clone())),
    };
    let qc_services = l
        .list
        .providers
        .iter()
        .flat_map(|p| p.services.iter().map(move |s| (p, s)))
        .filter(|(_, s)| s.current.type_identifier == SVC_CA_QC)
        .map(|(p, s)| QcServiceView {
            provider: pick(&p.names, "en").unwrap_or_default().to_owned(),
            service: pick(&s.current.names, "en").unwrap_or_default().to_owned(),
            status: s.current.status.clone(),
            status_since: rfc3339(s.current.status_starting_time),
            additional_info: s.current.additional_info.clone(),
            qualifiers: s
                .current
                .qualifications
                .iter()
                .flat_map(|q| q.qualifiers.iter().cloned())
                .collect(),
        })
        .collect();
    TrustedListView {
        source: l.source.clone(),
        territory: l.list.territory.clone(),
        is_lotl: l.list.is_lotl(),
        version: l.list.version,
        sequence: u32::try_from(l.list.sequence).unwrap_or(u32::MAX),
        issued: rfc3339(l.list.issued),
        next_update: l.list.next_update.map(rfc3339),
        overdue: l.list.next_update.is_some_and(|n| n < now),
        loaded_at,
        signature: TlSignatureView {
            status: status.to_owned(),
            reason,
            signer: sig.signer_subject.clone(),
            signer_not_before: sig.signer_not_before.map(rfc3339),
            signer_not_after: sig.signer_not_after.map(rfc3339),
            signer_valid_now: sig.signer_valid_at(now),
            signing_time: sig.signing_time.map(rfc3339),
            references: sig.references.len() as u32,
            references_ok: sig.references.iter().filter(|r| r.digest_matches).count() as u32,
        },
        standing: standing_name(&standing).to_owned(),
        standing_detail: match standing {
            Standing::Lotl => "the list of trusted lists; its signature verifies".to_owned(),
            Standing::Announced => {
                "its signer is announced by the loaded LOTL for this territory".to_owned()
            }
            Standing::NotAnnounced => {
                "no loaded LOTL announces its signer for this territory: not relied on".to_owned()
            }
            Standing::BadSignature(r) => format!("not relied on: {r}"),
        },
        pointers: l.list.pointers.len() as u32,
        qc_services,
    }
}

/// The `qualification` check of one seal from the cached lists (`None`: no reliable national
/// list is loaded, keep the certificate-only check).
pub(crate) fn qualification_check(
    name: &str,
    s: &SignatureReport,
    trust: &CachedTrust,
    now: OffsetDateTime,
) -> Option<CheckView> {
    if trust.lists.reliable().is_empty() || s.signer_der.is_empty() {
        return None;
    }
    let at = s.claimed_signing_time.unwrap_or(now);
    let age = trust
        .oldest_load
        .map(|t| {
            format!(
                "; trusted lists cached {} day(s) ago",
                (now - t).whole_days()
            )
        })
        .unwrap_or_default();
    let view = |status, message: String| CheckView {
        check: name.to_owned(),
        status,
        message: format!("{message}{age}"),
    };
    Some(match trust.lists.decide(&s.signer_der, &s.chain_der, at) {
        Ok(d) => {
            let by = d
                .service
                .as_ref()
                .map(|m| {
                    format!(
                        " ({} list #{}: {}, {})",
                        m.territory, m.sequence, m.provider, m.service
                    )
                })
                .unwrap_or_default();
            match d.level {
                Level::QualifiedSealQscd => view(
                    CheckStatus::Ok,
                    format!("qualified electronic seal, confirmed by the trusted list{by}"),
                ),
                Level::QualifiedSeal => view(
                    CheckStatus::Warning,
                    format!(
                        "qualified certificate for e-seal without a QSCD{by}: {}",
                        d.reasons.join("; ")
                    ),
                ),
                Level::NotQualified => view(
                    CheckStatus::Warning,
                    format!("not a qualified seal: {}", d.reasons.join("; ")),
                ),
            }
        }
        Err(e) => view(
            CheckStatus::Error,
            format!("qualification could not be decided: {e}"),
        ),
    })
}

/// Does the file look like XML (a legacy EDC 1.x credential) rather than JSON?
pub(crate) fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// Verifies a legacy EDC 1.x XML credential with an enveloped XAdES seal.
pub(crate) fn verify_legacy_xml(
    bytes: &[u8],
    source: &str,
    trust: &TrustAnchors,
    lists: Option<&CachedTrust>,
    now: OffsetDateTime,
) -> Result<VerificationReport, FlowError> {
    let _span = tracing::info_span!("flows.verify.legacy_xml").entered();
    let doc = sealdesk_trust::xml::Document::parse(bytes, source)?;
    let sig = sealdesk_trust::dsig::verify_enveloped(&doc, source)?;
    let root = doc
        .element(doc.root)
        .map(|e| e.local.clone())
        .unwrap_or_default();
    let mut checks = vec![CheckView {
        check: "format".to_owned(),
        status: CheckStatus::Skipped,
        message: format!(
            "legacy EDC 1.x XML ({root}): the format rules are for ELM 3 JSON-LD credentials"
        ),
    }];
    let check = |name: &str, status, message: String| CheckView {
        check: name.to_owned(),
        status,
        message,
    };
    let sealed = sig.status != SignatureStatus::Unsigned;
    let info = sig
        .signer_der
        .as_deref()
        .and_then(|d| CertificateInfo::from_der(d).ok());
    let holder = info
        .as_ref()
        .and_then(|c| c.organization.clone().or_else(|| c.common_name.clone()))
        .unwrap_or_else(|| "an unnamed holder".to_owned());
    checks.push(match &sig.status {
        SignatureStatus::Valid => check(
            "seal",
            CheckStatus::Ok,
            format!("XAdES seal by {holder}; the content is exactly what was sealed"),
        ),
        SignatureStatus::Invalid(r) => {
            check("seal", CheckStatus::Error, format!("seal broken: {r}"))
        }
        SignatureStatus::Unsigned => check(
            "seal",
            CheckStatus::Error,
            "not sealed: the file carries no XML signature".to_owned(),
        ),
        SignatureStatus::Unsupported(r) => check(
            "seal",
            CheckStatus::Skipped,
            format!("the seal uses {r}, which this version cannot check"),
        ),
    });
    let at = sig.signing_time.unwrap_or(now);
    if let Some(info) = &info {
        checks.push(if info.is_valid_at(at) {
            check(
                "certificate",
                CheckStatus::Ok,
                format!(
                    "the seal certificate was valid at the signing time (until {})",
                    rfc3339(info.not_after)
                ),
            )
        } else {
            check(
                "certificate",
                CheckStatus::Error,
                format!(
                    "the seal certificate was not valid at the signing time ({} to {})",
                    rfc3339(info.not_before),
                    rfc3339(info.not_after)
                ),
            )
        });
        let issued_by_anchor = sig.signer_der.as_deref().is_some_and(|der| {
            openssl::x509::X509::from_der(der).is_ok_and(|cert| {
                trust.certificates().iter().any(|ca| {
                    ca.issued(&cert) == openssl::x509::X509VerifyResult::OK
                        && ca
                            .public_key()
                            .is_ok_and(|k| cert.verify(&k).unwrap_or(false))
                })
            })
        });
        checks.push(if issued_by_anchor {
            check(
                "trust",
                CheckStatus::Ok,
                format!("issued by a trusted CA ({})", info.issuer),
            )
        } else {
            check(
                "trust",
                CheckStatus::Error,
                format!("the issuer {} is not among the trusted CAs", info.issuer),
            )
        });
        let decided = lists.and_then(|l| {
            let report_like = LegacySigner {
                der: sig.signer_der.clone().unwrap_or_default(),
                at,
            };
            report_like.check(l, now)
        });
        checks.push(decided.unwrap_or_else(|| {
            check(
                "qualification",
                CheckStatus::Skipped,
                "no trusted list loaded: load them with `sealdesk-cli trust providers --trust-dir`"
                    .to_owned(),
            )
        }));
    }
    checks.push(check(
        "revocation",
        CheckStatus::Skipped,
        "not checked for legacy XML credentials in this version".to_owned(),
    ));
    Ok(VerificationReport {
        source: source.to_owned(),
        sealed,
        intact: sig.is_valid(),
        credential: None,
        checks,
        signatures: if sealed {
            vec![SignatureView {
                algorithm: sig
                    .algorithm
                    .as_deref()
                    .and_then(|a| a.rsplit('#').next())
                    .unwrap_or_default()
                    .to_owned(),
                level: "XAdES".to_owned(),
                signer: holder,
                organization_identifier: info
                    .as_ref()
                    .and_then(|c| c.organization_identifier.clone())
                    .unwrap_or_default(),
                signing_time: sig.signing_time.map(rfc3339),
                certificate_not_after: info
                    .as_ref()
                    .map(|c| rfc3339(c.not_after))
                    .unwrap_or_default(),
            }]
        } else {
            Vec::new()
        },
        findings: Vec::new(),
    })
}

struct LegacySigner {
    der: Vec<u8>,
    at: OffsetDateTime,
}

impl LegacySigner {
    fn check(&self, trust: &CachedTrust, now: OffsetDateTime) -> Option<CheckView> {
        if trust.lists.reliable().is_empty() || self.der.is_empty() {
            return None;
        }
        let d = trust.lists.decide(&self.der, &[], self.at).ok()?;
        Some(CheckView {
            check: "qualification".to_owned(),
            status: if d.level == Level::QualifiedSealQscd {
                CheckStatus::Ok
            } else {
                CheckStatus::Warning
            },
            message: format!(
                "{}: {}{}",
                d.level.label(),
                d.reasons.join("; "),
                trust
                    .oldest_load
                    .map(|t| format!(
                        "; trusted lists cached {} day(s) ago",
                        (now - t).whole_days()
                    ))
                    .unwrap_or_default()
            ),
        })
    }
}
