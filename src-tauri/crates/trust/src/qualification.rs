//! "Is this seal qualified?" decided from the trusted lists, after DSS's chain
//! (`CertQualificationAtTimeBlock`): a CA/QC service whose identity issued the certificate and
//! that was granted at signing and at issuance time, which issues e-seal certificates
//! (ForeSeals) unless a qualifier says the type, and whose Qualifications (when their criteria
//! match the certificate) override the certificate's own QcCompliance, QcType and QcSSCD.

use openssl::x509::{X509VerifyResult, X509};
use sealdesk_seal::certificate::{x509_cached, CertificateInfo};
use serde::Serialize;
use time::{Date, Month, OffsetDateTime, Time};

use crate::model::{
    pick, Criteria, Service, ServiceState, TrustedList, ASI_FOR_ESEALS, QUALIFIER_PREFIX,
    STATUS_GRANTED, SVC_CA_QC,
};
use crate::TrustError;

const QC_CC_LEGISLATION: &str = "0.4.0.1862.1.7";
const ASI_PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// Qualified certificate for e-seal with the key in a QSCD: a qualified electronic seal.
    QualifiedSealQscd,
    /// Qualified certificate for e-seal, key not (known to be) in a QSCD: advanced seal based on a QC.
    QualifiedSeal,
    /// Not qualified (or not an e-seal certificate).
    NotQualified,
}

impl Level {
    /// Short plain-words label.
    pub fn label(self) -> &'static str {
        match self {
            Level::QualifiedSealQscd => "qualified electronic seal (QC for e-seal with QSCD)",
            Level::QualifiedSeal => "advanced seal with a qualified certificate (no QSCD)",
            Level::NotQualified => "not qualified",
        }
    }
}

/// The service that vouched for the certificate.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMatch {
    /// Territory of the list.
    pub territory: String,
    /// Sequence number of the list.
    pub sequence: u64,
    /// Provider name (English or first).
    pub provider: String,
    /// Service name (English or first).
    pub service: String,
    /// Status at the signing time.
    pub status: String,
}

/// The decision with its reasons.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The answer.
    pub level: Level,
    /// Why, in plain words, one reason per step.
    pub reasons: Vec<String>,
    /// The service found, when any.
    pub service: Option<ServiceMatch>,
}

/// Decides the qualification of `cert_der` (issued by a certificate in `chain` or directly by a
/// service certificate) at signing time `at`, from the national `lists`.
pub fn decide(
    cert_der: &[u8],
    chain: &[Vec<u8>],
    at: OffsetDateTime,
    lists: &[&TrustedList],
) -> Result<Decision, TrustError> {
    let _span = tracing::debug_span!("trust.qualify").entered();
    let info =
        CertificateInfo::from_der_cached(cert_der).map_err(TrustError::SubjectCertificate)?;
    let cert = x509_cached(cert_der).map_err(TrustError::crypto("reading the certificate"))?;
    let pool: Vec<X509> = chain.iter().filter_map(|c| x509_cached(c).ok()).collect();
    let chain_certs = issuer_path(cert, &pool);
    let not_qualified = |reasons: Vec<String>, service: Option<ServiceMatch>| Decision {
        level: Level::NotQualified,
        reasons,
        service,
    };

    let mut found: Vec<(&TrustedList, &crate::model::Provider, &Service)> = Vec::new();
    for list in lists.iter().filter(|l| !l.is_lotl()) {
        for p in &list.providers {
            for s in &p.services {
                let ca_qc = s.current.type_identifier == SVC_CA_QC
                    || s.history.iter().any(|h| h.type_identifier == SVC_CA_QC);
                if ca_qc && identity_issued(s, &chain_certs) {
                    found.push((list, p, s));
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(not_qualified(
            vec![format!(
                "the issuer ({}) is not a CA/QC service on any of the {} trusted list(s) loaded",
                info.issuer,
                lists.iter().filter(|l| !l.is_lotl()).count()
            )],
            None,
        ));
    }
    let mut reasons = Vec::new();
    let mut chosen = None;
    for (list, p, s) in &found {
        let m = |st: &ServiceState| ServiceMatch {
            territory: list.territory.clone(),
            sequence: list.sequence,
            provider: pick(&p.names, "en").unwrap_or_default().to_owned(),
            service: pick(&st.names, "en").unwrap_or_default().to_owned(),
            status: st.status.clone(),
        };
        let at_signing = s.state_at(at);
        let at_issuance = s.state_at(info.not_before);
        match (at_signing, at_issuance) {
            (Some(sig), Some(iss))
                if sig.type_identifier == SVC_CA_QC
                    && is_granted(sig, at)
                    && is_granted(iss, info.not_before) =>
            {
                chosen = Some((sig, m(sig)));
                break;
            }
            (Some(sig), _) => reasons.push(format!(
                "{} / {} ({}): status {} at the signing time{}",
                list.territory,
                m(sig).provider,
                m(sig).service,
                short_uri(&sig.status),
                if is_granted(sig, at) {
                    ", but not granted when the certificate was issued"
                } else {
                    ""
                }
            )),
            (None, _) => reasons.push(format!(
                "{} / {}: the service did not exist yet at the signing time",
                list.territory,
                pick(&p.names, "en").unwrap_or_default()
            )),
        }
    }
    let Some((state, service)) = chosen else {
        reasons.insert(
            0,
            "the issuer's CA/QC service was not granted at the relevant time".to_owned(),
        );
        return Ok(not_qualified(reasons, None));
    };
    reasons.push(format!(
        "issued under {} / {} ({}), granted at the signing time",
        service.territory, service.provider, service.service
    ));

    let qualifiers: Vec<&str> = state
        .qualifications
        .iter()
        .filter(|q| criteria_match(&q.criteria, &info))
        .flat_map(|q| q.qualifiers.iter())
        .map(|u| u.strip_prefix(QUALIFIER_PREFIX).unwrap_or(u))
        .collect();
    let has = |q: &str| qualifiers.contains(&q);
    if !qualifiers.is_empty() {
        reasons.push(format!(
            "the list's qualifiers for this certificate: {}",
            qualifiers.join(", ")
        ));
    }

    // Qualified status.
    let qualified = if info.qc_statements.iter().any(|s| s == QC_CC_LEGISLATION) {
        reasons.push("the certificate claims a non-EU legislation (QcCClegislation)".to_owned());
        false
    } else if has("NotQualified") {
        reasons.push("the list overrides: NotQualified".to_owned());
        false
    } else if has("QCStatement") {
        true
    } else {
        if !info.qc_compliance {
            reasons.push("the certificate does not declare QcCompliance".to_owned());
        }
        info.qc_compliance
    };
    // Type.
    let seal_type = if has("QCForESeal") {
        true
    } else if has("QCForESig") || has("QCForWSA") {
        reasons.push("the list types this certificate as not for e-seals".to_owned());
        false
    } else {
        if !info.qc_type_eseal {
            reasons.push("the certificate does not declare QcType e-seal".to_owned());
        }
        info.qc_type_eseal
    };
    let usage_asis: Vec<&str> = state
        .additional_info
        .iter()
        .filter_map(|u| u.strip_prefix(ASI_PREFIX))
        .filter(|u| {
            matches!(
                *u,
                "ForeSignatures" | "ForeSeals" | "ForWebSiteAuthentication"
            )
        })
        .collect();
    let service_for_seals = has("QCForESeal")
        || usage_asis.is_empty()
        || state.additional_info.iter().any(|u| u == ASI_FOR_ESEALS);
    if !service_for_seals {
        reasons.push(format!(
            "the service issues certificates for {} only, not for e-seals (no ForeSeals)",
            usage_asis.join(", ")
        ));
    }
    // QSCD.
    let qscd = if has("QCWithQSCD") || has("QCQSCDManagedOnBehalf") {
        true
    } else if has("QCNoQSCD") {
        false
    } else {
        info.qc_sscd
    };
    let level = match (qualified && seal_type && service_for_seals, qscd) {
        (true, true) => Level::QualifiedSealQscd,
        (true, false) => {
            reasons
                .push("the key is not in a qualified device (no QcSSCD, no QCWithQSCD)".to_owned());
            Level::QualifiedSeal
        }
        (false, _) => Level::NotQualified,
    };
    Ok(Decision {
        level,
        reasons,
        service: Some(service),
    })
}

fn short_uri(u: &str) -> &str {
    u.rsplit('/').next().unwrap_or(u)
}

/// Granted, or a pre-eIDAS status that counted as valid before 2016-07-01.
fn is_granted(state: &ServiceState, at: OffsetDateTime) -> bool {
    if state.status == STATUS_GRANTED {
        return true;
    }
    let eidas = Date::from_calendar_date(2016, Month::July, 1)
        .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at < eidas
        && matches!(
            short_uri(&state.status),
            "undersupervision" | "supervisionincessation" | "accredited"
        )
}

/// The certificate and its issuers found in `pool`, each link checked by its signature: only
/// these may meet a trusted list's CA. A certificate merely carried beside the seal proves
/// nothing (anyone can add a genuine intermediate CA's certificate to a forged seal).
fn issuer_path(cert: X509, pool: &[X509]) -> Vec<X509> {
    const MAX_DEPTH: usize = 8;
    let mut path = vec![cert];
    while path.len() < MAX_DEPTH {
        let Some(last) = path.last() else { break };
        if last.issued(last) == X509VerifyResult::OK {
            break; // self-issued: the top
        }
        let issuer = pool.iter().find(|ca| {
            ca.issued(last) == X509VerifyResult::OK
                && ca
                    .public_key()
                    .ok()
                    .is_some_and(|k| last.verify(&k).unwrap_or(false))
                && !path.iter().any(|p| p.as_ref() == ca.as_ref())
        });
        match issuer {
            Some(ca) => path.push(ca.clone()),
            None => break,
        }
    }
    path
}

/// Did one of the service's identities issue one of the chain's certificates (`chain`: the
/// certificate first, then its issuers, each link checked)? Only a listed certificate counts:
/// a key identifier (X509SKI) alone can be copied into a forged CA or certificate, and TS 119 612
/// gives every CA/QC service its certificate.
fn identity_issued(s: &Service, chain: &[X509]) -> bool {
    let mut certs = Vec::new();
    for st in std::iter::once(&s.current).chain(s.history.iter()) {
        certs.extend(
            st.identity
                .certificates
                .iter()
                .filter_map(|d| x509_cached(d).ok()),
        );
    }
    chain.iter().any(|subject| {
        certs.iter().any(|ca| {
            ca.issued(subject) == X509VerifyResult::OK
                && ca
                    .public_key()
                    .ok()
                    .is_some_and(|k| subject.verify(&k).unwrap_or(false))
        })
    })
}

fn key_usage_bit(info: &CertificateInfo, name: &str) -> bool {
    match name {
        "digitalSignature" => info.key_usage_digital_signature,
        "nonRepudiation" | "contentCommitment" => info.key_usage_non_repudiation,
        _ => false,
    }
}

fn criteria_match(c: &Criteria, info: &CertificateInfo) -> bool {
    if !c.unsupported.is_empty() {
        return false;
    }
    let mut results = Vec::new();
    for ku in &c.key_usage {
        results.push(ku.iter().all(|(n, v)| key_usage_bit(info, n) == *v));
    }
    for set in &c.policy_sets {
        results.push(set.iter().all(|oid| info.policies.iter().any(|p| p == oid)));
    }
    for n in &c.nested {
        results.push(criteria_match(n, info));
    }
    match c.assert.as_str() {
        "atLeastOne" => results.iter().any(|r| *r),
        "none" => !results.iter().any(|r| *r),
        _ => results.iter().all(|r| *r),
    }
}
