//! The content of a trusted list (ETSI TS 119 612 v2.x: TLv5 and TLv6) as plain values:
//! scheme information with pointers to other lists, providers, their services with status,
//! history, digital identities and extensions (additional service information and
//! Qualifications with criteria). Elements this model does not name are ignored.

use serde::Serialize;
use time::OffsetDateTime;

use crate::dsig::{decode_b64, short};
use crate::xml::{Document, NodeId};
use crate::TrustError;

/// Service type of a CA issuing qualified certificates.
pub const SVC_CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
/// Status "granted" (eIDAS).
pub const STATUS_GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
/// Additional service information: the service issues certificates for e-seals.
pub const ASI_FOR_ESEALS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals";
/// Prefix of every qualifier URI.
pub const QUALIFIER_PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";

/// A text in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lang {
    /// `xml:lang` (`""` when absent).
    pub lang: String,
    /// The text.
    pub text: String,
}

/// Picks the text in `lang`, else English, else the first.
pub fn pick<'a>(texts: &'a [Lang], lang: &str) -> Option<&'a str> {
    texts
        .iter()
        .find(|t| t.lang.eq_ignore_ascii_case(lang))
        .or_else(|| texts.iter().find(|t| t.lang.eq_ignore_ascii_case("en")))
        .or_else(|| texts.first())
        .map(|t| t.text.as_str())
}

/// A pointer from this list to another (the LOTL's pointers to national lists).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherTslPointer {
    /// Where the list is published.
    pub location: String,
    /// Territory of the pointed list.
    pub territory: Option<String>,
    /// MIME type (`application/vnd.etsi.tsl+xml` for XML lists).
    pub mime_type: Option<String>,
    /// TSL type URI of the pointed list.
    pub tsl_type: Option<String>,
    /// Certificates allowed to sign the pointed list (DER).
    #[serde(skip)]
    pub signer_certificates: Vec<Vec<u8>>,
}

/// A digital identity of a service.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigitalIdentity {
    /// Certificates (DER).
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// Subject key identifiers.
    #[serde(serialize_with = "hex_list")]
    pub skis: Vec<Vec<u8>>,
    /// Subject names as written.
    pub subject_names: Vec<String>,
}

fn hex_list<S: serde::Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(hex::encode))
}

/// A criteria list of a Qualifications element.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// `all`, `atLeastOne` or `none` (default `all`).
    pub assert: String,
    /// Key-usage bits required (name, value).
    pub key_usage: Vec<Vec<(String, bool)>>,
    /// Policy sets: each set needs all its OIDs.
    pub policy_sets: Vec<Vec<String>>,
    /// Nested criteria lists.
    pub nested: Vec<Criteria>,
    /// Criteria of kinds this model does not evaluate (element names); such a list never matches.
    pub unsupported: Vec<String>,
}

/// One Qualifications element: qualifiers applying when the criteria match.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Qualification {
    /// Qualifier URIs.
    pub qualifiers: Vec<String>,
    /// When they apply.
    pub criteria: Criteria,
}

/// Status, extensions and identity of a service over one period.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceState {
    /// Service type URI.
    pub type_identifier: String,
    /// Names per language.
    pub names: Vec<Lang>,
    /// Status URI.
    pub status: String,
    /// Since when.
    #[serde(with = "time::serde::rfc3339")]
    pub status_starting_time: OffsetDateTime,
    /// AdditionalServiceInformation URIs.
    pub additional_info: Vec<String>,
    /// Qualifications extensions.
    pub qualifications: Vec<Qualification>,
    /// Digital identity (history entries usually carry only an SKI).
    pub identity: DigitalIdentity,
}

/// A trust service.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// The current state.
    pub current: ServiceState,
    /// Earlier states, newest first as in the list.
    pub history: Vec<ServiceState>,
}

impl Service {
    /// The state in force at `at` (`None` when the service did not exist yet).
    pub fn state_at(&self, at: OffsetDateTime) -> Option<&ServiceState> {
        std::iter::once(&self.current)
            .chain(self.history.iter())
            .filter(|s| s.status_starting_time <= at)
            .max_by_key(|s| s.status_starting_time)
    }
}

/// A postal address in one language.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// `xml:lang`.
    pub lang: String,
    /// Street.
    pub street: String,
    /// Town.
    pub locality: String,
    /// Postal code.
    pub postal_code: String,
    /// Country code.
    pub country: String,
}

/// A trust service provider.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// Names per language.
    pub names: Vec<Lang>,
    /// Trade names per language.
    pub trade_names: Vec<Lang>,
    /// Postal addresses per language.
    pub addresses: Vec<Address>,
    /// Electronic addresses (e-mail, web).
    pub electronic_addresses: Vec<String>,
    /// Information URIs (web site) per language.
    pub information_uris: Vec<Lang>,
    /// Services.
    pub services: Vec<Service>,
}

/// A parsed trusted list (national TL or the EU LOTL).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedList {
    /// `TSLVersionIdentifier` (5 or 6).
    pub version: u32,
    /// `TSLSequenceNumber`.
    pub sequence: u64,
    /// `TSLType` URI.
    pub tsl_type: String,
    /// Scheme operator names per language.
    pub operator: Vec<Lang>,
    /// `SchemeTerritory` (ISO 3166 code; `EU` for the LOTL).
    pub territory: String,
    /// `ListIssueDateTime`.
    #[serde(with = "time::serde::rfc3339")]
    pub issued: OffsetDateTime,
    /// `NextUpdate` (absent for a closed list).
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    /// Pointers to other lists.
    pub pointers: Vec<OtherTslPointer>,
    /// Providers.
    pub providers: Vec<Provider>,
}

impl TrustedList {
    /// Is this the EU list of trusted lists?
    pub fn is_lotl(&self) -> bool {
        self.tsl_type.ends_with("EUlistofthelists") || self.tsl_type.ends_with("/LoTL")
    }

    /// Reads the list's content from a parsed document (the signature is not checked here).
    pub fn from_document(doc: &Document, place: &str) -> Result<TrustedList, TrustError> {
        let _span = tracing::debug_span!("trust.parse", place).entered();
        let p = Parser { doc, place };
        let root = doc.root;
        if doc.element(root).map(|e| e.local.as_str()) != Some("TrustServiceStatusList") {
            return Err(p.not_tl("the document element is not TrustServiceStatusList"));
        }
        let si = doc
            .child(root, "SchemeInformation")
            .ok_or_else(|| p.not_tl("no SchemeInformation"))?;
        let version = p.number(si, "TSLVersionIdentifier")? as u32;
        let sequence = p.number(si, "TSLSequenceNumber")?;
        let tsl_type = p.required_text(si, "TSLType")?;
        let territory = p.required_text(si, "SchemeTerritory")?;
        let issued = p.date(
            doc.child(si, "ListIssueDateTime")
                .ok_or_else(|| p.not_tl("no SchemeInformation/ListIssueDateTime"))?,
            "ListIssueDateTime",
        )?;
        let next_update = match doc.path(si, &["NextUpdate", "dateTime"]) {
            Some(n) => Some(p.date(n, "NextUpdate/dateTime")?),
            None => None,
        };
        let operator = p.langs(doc.child(si, "SchemeOperatorName"), "Name");
        let mut pointers = Vec::new();
        if let Some(pts) = doc.child(si, "PointersToOtherTSL") {
            for ptr in doc.children_named(pts, "OtherTSLPointer") {
                pointers.push(p.pointer(ptr)?);
            }
        }
        let mut providers = Vec::new();
        if let Some(list) = doc.child(root, "TrustServiceProviderList") {
            for tsp in doc.children_named(list, "TrustServiceProvider") {
                providers.push(p.provider(tsp)?);
            }
        }
        Ok(TrustedList {
            version,
            sequence,
            tsl_type,
            operator,
            territory,
            issued,
            next_update,
            pointers,
            providers,
        })
    }
}

struct Parser<'a> {
    doc: &'a Document,
    place: &'a str,
}

impl Parser<'_> {
    fn not_tl(&self, reason: &str) -> TrustError {
        TrustError::NotATrustedList {
            place: self.place.to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn required_text(&self, parent: NodeId, local: &str) -> Result<String, TrustError> {
        self.doc
            .child(parent, local)
            .map(|n| self.doc.text(n))
            .ok_or_else(|| self.not_tl(&format!("no {local}")))
    }

    fn number(&self, parent: NodeId, local: &str) -> Result<u64, TrustError> {
        let t = self.required_text(parent, local)?;
        t.parse().map_err(|_| TrustError::BadValue {
            place: self.place.to_owned(),
            element: format!("{local} (line {})", self.line(parent)),
            value: short(&t),
            expected: "a number",
        })
    }

    fn line(&self, id: NodeId) -> usize {
        self.doc.nodes[id].line
    }

    fn date(&self, id: NodeId, element: &str) -> Result<OffsetDateTime, TrustError> {
        let t = self.doc.text(id);
        parse_date(&t).ok_or_else(|| TrustError::BadValue {
            place: self.place.to_owned(),
            element: format!("{element} (line {})", self.line(id)),
            value: short(&t),
            expected: "an xsd:dateTime",
        })
    }

    fn langs(&self, parent: Option<NodeId>, local: &str) -> Vec<Lang> {
        let Some(parent) = parent else {
            return Vec::new();
        };
        self.doc
            .children_named(parent, local)
            .map(|n| Lang {
                lang: self.doc.lang(n).unwrap_or_default().to_owned(),
                text: self.doc.text(n),
            })
            .collect()
    }

    fn certificate(&self, id: NodeId) -> Result<Vec<u8>, TrustError> {
        let t = self.doc.text(id);
        let der = decode_b64(&t).ok_or_else(|| TrustError::BadValue {
            place: self.place.to_owned(),
            element: format!("X509Certificate (line {})", self.line(id)),
            value: short(&t),
            expected: "base64",
        })?;
        openssl::x509::X509::from_der(&der).map_err(|source| TrustError::Certificate {
            place: self.place.to_owned(),
            element: format!("X509Certificate (line {})", self.line(id)),
            source,
        })?;
        Ok(der)
    }

    fn identity(&self, sdi: Option<NodeId>) -> Result<DigitalIdentity, TrustError> {
        let mut id = DigitalIdentity::default();
        let Some(sdi) = sdi else {
            return Ok(id);
        };
        for d in self.doc.children_named(sdi, "DigitalId") {
            for c in self.doc.child_elements(d) {
                let Some(e) = self.doc.element(c) else {
                    continue;
                };
                match e.local.as_str() {
                    "X509Certificate" => id.certificates.push(self.certificate(c)?),
                    "X509SKI" => {
                        if let Some(ski) = decode_b64(&self.doc.text(c)) {
                            id.skis.push(ski);
                        }
                    }
                    "X509SubjectName" => id.subject_names.push(self.doc.text(c)),
                    _ => {}
                }
            }
        }
        Ok(id)
    }

    fn pointer(&self, ptr: NodeId) -> Result<OtherTslPointer, TrustError> {
        let doc = self.doc;
        let mut signer_certificates = Vec::new();
        if let Some(sdis) = doc.child(ptr, "ServiceDigitalIdentities") {
            for sdi in doc.children_named(sdis, "ServiceDigitalIdentity") {
                signer_certificates.extend(self.identity(Some(sdi))?.certificates);
            }
        }
        let mut out = OtherTslPointer {
            location: doc
                .child(ptr, "TSLLocation")
                .map(|n| doc.text(n))
                .unwrap_or_default(),
            territory: None,
            mime_type: None,
            tsl_type: None,
            signer_certificates,
        };
        if let Some(ai) = doc.child(ptr, "AdditionalInformation") {
            for oi in doc.children_named(ai, "OtherInformation") {
                for c in doc.child_elements(oi) {
                    let Some(e) = doc.element(c) else { continue };
                    match e.local.as_str() {
                        "SchemeTerritory" => out.territory = Some(doc.text(c)),
                        "MimeType" => out.mime_type = Some(doc.text(c)),
                        "TSLType" => out.tsl_type = Some(doc.text(c)),
                        _ => {}
                    }
                }
            }
        }
        Ok(out)
    }

    fn provider(&self, tsp: NodeId) -> Result<Provider, TrustError> {
        let doc = self.doc;
        let info = doc.child(tsp, "TSPInformation").ok_or_else(|| {
            self.not_tl(&format!(
                "TrustServiceProvider at line {} has no TSPInformation",
                self.line(tsp)
            ))
        })?;
        let mut addresses = Vec::new();
        if let Some(pas) = doc.path(info, &["TSPAddress", "PostalAddresses"]) {
            for pa in doc.children_named(pas, "PostalAddress") {
                let get = |l: &str| doc.child(pa, l).map(|n| doc.text(n)).unwrap_or_default();
                addresses.push(Address {
                    lang: doc.lang(pa).unwrap_or_default().to_owned(),
                    street: get("StreetAddress"),
                    locality: get("Locality"),
                    postal_code: get("PostalCode"),
                    country: get("CountryName"),
                });
            }
        }
        let electronic_addresses = doc
            .path(info, &["TSPAddress", "ElectronicAddress"])
            .map(|ea| doc.children_named(ea, "URI").map(|u| doc.text(u)).collect())
            .unwrap_or_default();
        let mut services = Vec::new();
        if let Some(svcs) = doc.child(tsp, "TSPServices") {
            for svc in doc.children_named(svcs, "TSPService") {
                let si = doc.child(svc, "ServiceInformation").ok_or_else(|| {
                    self.not_tl(&format!(
                        "TSPService at line {} has no ServiceInformation",
                        self.line(svc)
                    ))
                })?;
                let current = self.state(si)?;
                let mut history = Vec::new();
                if let Some(h) = doc.child(svc, "ServiceHistory") {
                    for inst in doc.children_named(h, "ServiceHistoryInstance") {
                        history.push(self.state(inst)?);
                    }
                }
                services.push(Service { current, history });
            }
        }
        Ok(Provider {
            names: self.langs(doc.child(info, "TSPName"), "Name"),
            trade_names: self.langs(doc.child(info, "TSPTradeName"), "Name"),
            addresses,
            electronic_addresses,
            information_uris: self.langs(doc.child(info, "TSPInformationURI"), "URI"),
            services,
        })
    }

    fn state(&self, si: NodeId) -> Result<ServiceState, TrustError> {
        let doc = self.doc;
        let sst = doc.child(si, "StatusStartingTime").ok_or_else(|| {
            self.not_tl(&format!(
                "service at line {} has no StatusStartingTime",
                self.line(si)
            ))
        })?;
        let mut additional_info = Vec::new();
        let mut qualifications = Vec::new();
        if let Some(exts) = doc.child(si, "ServiceInformationExtensions") {
            for ext in doc.children_named(exts, "Extension") {
                for c in doc.child_elements(ext) {
                    let Some(e) = doc.element(c) else { continue };
                    match e.local.as_str() {
                        "AdditionalServiceInformation" => {
                            if let Some(u) = doc.child(c, "URI") {
                                additional_info.push(doc.text(u));
                            }
                        }
                        "Qualifications" => {
                            for q in doc.children_named(c, "QualificationElement") {
                                let qualifiers = doc
                                    .child(q, "Qualifiers")
                                    .map(|qs| {
                                        doc.children_named(qs, "Qualifier")
                                            .filter_map(|x| doc.attr(x, "uri").map(str::to_owned))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                let criteria = doc
                                    .child(q, "CriteriaList")
                                    .map(|cl| self.criteria(cl, 0))
                                    .unwrap_or_default();
                                qualifications.push(Qualification {
                                    qualifiers,
                                    criteria,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(ServiceState {
            type_identifier: self.required_text(si, "ServiceTypeIdentifier")?,
            names: self.langs(doc.child(si, "ServiceName"), "Name"),
            status: self.required_text(si, "ServiceStatus")?,
            status_starting_time: self.date(sst, "StatusStartingTime")?,
            additional_info,
            qualifications,
            identity: self.identity(doc.child(si, "ServiceDigitalIdentity"))?,
        })
    }

    fn criteria(&self, cl: NodeId, depth: usize) -> Criteria {
        let doc = self.doc;
        let mut c = Criteria {
            assert: doc.attr(cl, "assert").unwrap_or("all").to_owned(),
            ..Criteria::default()
        };
        for k in doc.child_elements(cl) {
            let Some(e) = doc.element(k) else { continue };
            match e.local.as_str() {
                "KeyUsage" => c.key_usage.push(
                    doc.children_named(k, "KeyUsageBit")
                        .map(|b| {
                            (
                                doc.attr(b, "name").unwrap_or_default().to_owned(),
                                doc.text(b) == "true",
                            )
                        })
                        .collect(),
                ),
                "PolicySet" => c.policy_sets.push(
                    doc.children_named(k, "PolicyIdentifier")
                        .filter_map(|p| doc.child(p, "Identifier"))
                        .map(|i| {
                            let t = doc.text(i);
                            t.strip_prefix("urn:oid:").unwrap_or(&t).to_owned()
                        })
                        .collect(),
                ),
                "CriteriaList" if depth < 16 => c.nested.push(self.criteria(k, depth + 1)),
                "Description" => {}
                other => c.unsupported.push(other.to_owned()),
            }
        }
        c
    }
}

/// Parses an xsd:dateTime as trusted lists write it (`Z` or offset; no offset = UTC).
pub fn parse_date(t: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(t, &Rfc3339)
        .ok()
        .or_else(|| OffsetDateTime::parse(&format!("{t}Z"), &Rfc3339).ok())
}
