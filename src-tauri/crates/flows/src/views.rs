//! What the app and the CLI show: plain, serializable views of the domain's answers.
//!
//! These are the types that cross IPC (camelCase on the wire; with the `specta` feature they
//! also describe themselves to the TypeScript generator). No `i64`/`u64` here: the TS side
//! has no lossless integer for them.

use serde::{Deserialize, Serialize};

/// The seal device as a person at the token needs to see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    /// The PKCS#11 module in use, if one was found.
    pub module_path: Option<String>,
    /// Where that module came from (explicit, environment, remembered, discovered).
    pub module_source: Option<ModuleSourceView>,
    /// The known modules found on this computer and what probing each gave (only when
    /// discovery ran; a crashing vendor module shows up here as `crashed`).
    pub module_candidates: Vec<ModuleCandidateView>,
    /// Tokens seen through that module.
    pub tokens: Vec<TokenView>,
    /// Smart-card readers seen through PC/SC.
    pub readers: ReadersView,
    /// Why there is no module or token, in words a person can act on.
    pub message: Option<String>,
}

/// One token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// Token label.
    pub label: String,
    /// Manufacturer id.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// A demo or test token (SoftHSM2, or a certificate from a test CA): never for real credentials.
    pub is_test: bool,
    /// PIN state, read before any login.
    pub pin: PinView,
    /// The key that would seal, if the token has one.
    pub seal: Option<SealKeyView>,
    /// Every certificate + key pair on the token (the seal key among them).
    pub keys: Vec<SealKeyView>,
}

/// PIN state flags as the token reports them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PinView {
    /// A login is needed before signing.
    pub login_required: bool,
    /// A wrong PIN was entered since the last good one.
    pub count_low: bool,
    /// One more wrong PIN locks the token.
    pub final_try: bool,
    /// The PIN is locked: the token cannot seal until it is unblocked.
    pub locked: bool,
    /// The PIN is entered on the reader's own keypad.
    pub pin_pad: bool,
}

/// The seal key and its certificate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SealKeyView {
    /// CKA_ID of the key, hex.
    pub key_id: String,
    /// CKA_LABEL of the certificate (or key).
    pub label: String,
    /// The key, e.g. `RSA-3072`, `EC P-384`.
    pub key: String,
    /// The organisation holding the seal (certificate O).
    pub holder: String,
    /// Certificate CN.
    pub common_name: String,
    /// organizationIdentifier (e.g. VATFR-12345678901).
    pub organization_identifier: String,
    /// Country (ISO 3166 alpha-2).
    pub country: String,
    /// Who issued the certificate.
    pub issuer: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Whole days of validity left (negative once expired).
    pub days_left: i32,
    /// The certificate has expired (or is not yet valid).
    pub expired: bool,
    /// The end of validity is at most 105 days away: time to renew (the rule lives in Rust,
    /// `sealdesk_seal::certificate::EXPIRY_WARNING_DAYS`).
    pub expires_soon: bool,
    /// The certificate says it is a qualified e-seal certificate.
    pub qualified: bool,
    /// What the certificate is now (the badge).
    pub class: SealClass,
    /// The class in words, e.g. `signature certificate (not a seal)`.
    pub class_label: String,
    /// QcSSCD: the key is declared to be in a qualified device.
    pub qc_sscd: bool,
    /// PKI disclosure statement URLs (QcPDS).
    pub pds: Vec<String>,
    /// The token asks for the PIN before every signature.
    pub always_authenticate: bool,
    /// JWS algorithm the key signs with by default.
    pub algorithm: String,
    /// Every JWS algorithm the key can sign with on this token, default first.
    pub algorithms: Vec<String>,
    /// SHA-256 fingerprint of the certificate, hex.
    pub fingerprint: String,
}

/// What a certificate is for sealing (computed in Rust at the status time).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SealClass {
    /// Qualified e-seal certificate (QcCompliance, QcType eseal, nonRepudiation).
    QualifiedSeal,
    /// A seal, not qualified.
    AdvancedSeal,
    /// Not a seal (personal signature certificate, …): sealing needs explicit consent.
    SignatureCertificate,
    /// Validity has ended.
    Expired,
    /// Validity has not begun.
    NotYetValid,
}

/// Where the PKCS#11 module in use came from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ModuleSourceView {
    /// Given on the command line.
    Explicit,
    /// SEALDESK_PKCS11_MODULE.
    Environment,
    /// Chosen earlier and remembered (setting `token.module`).
    Remembered,
    /// Found among the known modules.
    Discovered,
}

/// How probing a module went.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ModuleState {
    /// Loaded and listed its tokens.
    Ok,
    /// Crashed or hung while listing tokens (never loaded into Sealdesk).
    Crashed,
    /// Loaded but failed, or is not a PKCS#11 library.
    Failed,
    /// Not probed.
    Skipped,
}

/// One PKCS#11 module candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ModuleCandidateView {
    /// Vendor (from the table of known modules, or the library's manufacturer).
    pub vendor: String,
    /// Library path.
    pub path: String,
    /// Probe outcome.
    pub state: ModuleState,
    /// Tokens present.
    pub tokens: u32,
    /// What went wrong, in words.
    pub message: Option<String>,
}

/// What happened at the readers (hot-plug): refresh the device status on any of these.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum DeviceEventKind {
    /// A reader appeared.
    ReaderAdded,
    /// A reader was unplugged.
    ReaderRemoved,
    /// A card / token was inserted.
    CardInserted,
    /// The card / token was removed.
    CardRemoved,
    /// The smart-card service (pcscd) is not running.
    ServiceUnavailable,
}

/// One hot-plug event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeviceEventView {
    /// What happened.
    pub kind: DeviceEventKind,
    /// The reader, if any.
    pub reader: Option<String>,
    /// The card's ATR (hex), for insertions.
    pub atr: Option<String>,
}

/// The result of "test my seal": a fixed test string signed on the token and verified with
/// openssl against the certificate (nothing is sealed or registered).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TestSealView {
    /// JWS algorithm used.
    pub algorithm: String,
    /// PKCS#11 mechanism used.
    pub mechanism: String,
    /// Key id, hex.
    pub key_id: String,
    /// Seal holder (certificate O, else CN).
    pub signer: String,
    /// The certificate's class at the time of the test.
    pub class: SealClass,
    /// The signature verified against the certificate's public key.
    pub verified: bool,
    /// Time for the signature alone, milliseconds.
    pub millis: f64,
}

/// PC/SC readers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReadersView {
    /// The PC/SC service answered.
    pub available: bool,
    /// Why not, when it did not.
    pub message: Option<String>,
    /// Readers seen.
    pub readers: Vec<ReaderView>,
}

/// One reader.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReaderView {
    /// Reader name.
    pub name: String,
    /// A card is in the reader.
    pub card_present: bool,
    /// The card's ATR, hex.
    pub atr: Option<String>,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Checked: fails.
    Error,
    /// Checked: fine.
    Ok,
    /// Not checked, with the reason in the message.
    Skipped,
    /// Checked: fine but worth a look.
    Warning,
}

/// One check of a verification, as the EDC viewer lists them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    /// `format`, `seal`, `trust`, `qualification`, `validity`, `revocation`, `timestamp` …
    pub check: String,
    /// Outcome.
    pub status: CheckStatus,
    /// One sentence for a person.
    pub message: String,
}

/// Who a credential is for and from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CredentialView {
    /// Credential id.
    pub id: String,
    /// Title in the primary language.
    pub title: String,
    /// Issuer's legal name.
    pub issuer: String,
    /// Learner's name.
    pub learner: String,
}

/// Facts of one seal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SignatureView {
    /// JWS algorithm.
    pub algorithm: String,
    /// Baseline level reached (B-B, B-T, B-LT, B-LTA).
    pub level: String,
    /// Seal holder (certificate O, else CN).
    pub signer: String,
    /// organizationIdentifier of the holder.
    pub organization_identifier: String,
    /// Claimed signing time, RFC 3339.
    pub signing_time: Option<String>,
    /// End of the seal certificate's validity, RFC 3339.
    pub certificate_not_after: String,
}

/// A format finding, placed by JSON pointer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// JSON pointer into the credential.
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// The verification of one file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VerificationReport {
    /// The file or name verified.
    pub source: String,
    /// The file carries at least one seal.
    pub sealed: bool,
    /// Every seal is intact (the bytes are what was sealed).
    pub intact: bool,
    /// The credential, when it could be read.
    pub credential: Option<CredentialView>,
    /// The checks, in the EDC viewer's order.
    pub checks: Vec<CheckView>,
    /// One entry per seal.
    pub signatures: Vec<SignatureView>,
    /// Format findings by JSON pointer.
    pub findings: Vec<FindingView>,
}

/// A template in the list (its latest version).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TemplateSummaryView {
    /// Stable template id.
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// Latest version number (from 1).
    pub version: u32,
    /// Credential profile URI (`credentialProfiles`), if the credential names one.
    pub profile: Option<String>,
    /// When this version was saved, RFC 3339.
    pub updated_at: String,
    /// Archived: hidden from the default list, read-only.
    pub archived: bool,
}

/// One template version, with its credential and what the rules say about it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    /// Id, name, version, profile, dates.
    pub summary: TemplateSummaryView,
    /// The template this one was copied from, if any.
    pub copied_from: Option<String>,
    /// …and which version of it.
    pub copied_from_version: Option<u32>,
    /// The credential JSON exactly as saved.
    pub credential_json: String,
    /// Format findings (rules before sealing), by JSON pointer.
    pub findings: Vec<FindingView>,
    /// The mandatory Annex I (micro-credential) elements still missing, in plain words
    /// (empty: a complete micro-credential); `None` = not checked.
    pub annex1: Option<Vec<FindingView>>,
}

/// An ESCO skill offered for a learning outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SkillView {
    /// ESCO concept URI.
    pub uri: String,
    /// Preferred label (a best guess when `labelExact` is false: let the person confirm it).
    pub label: String,
    /// Whether `label` is ESCO's official preferred label.
    pub label_exact: bool,
    /// Language of the label and description.
    pub lang: String,
    /// Definition / description.
    pub description: String,
    /// Reuse level (`transversal`, `cross-sector` …), if known.
    pub reuse_level: Option<String>,
}

/// A concept of a controlled vocabulary, for a picker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConceptView {
    /// Concept URI.
    pub id: String,
    /// Label in the asked language (else English).
    pub label: String,
    /// Code (`6`, `en`, `IRL`, `0688`), if any.
    pub notation: Option<String>,
    /// The ELM `Concept` object to put into the credential, as JSON text.
    pub concept_json: String,
}

/// What loading the shipped vocabularies did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VocabularyLoadView {
    /// Loaded now (first start or new shipped data); false: already there.
    pub loaded_now: bool,
    /// Shipped-data fingerprint in the catalogue.
    pub version: String,
    /// Concepts written now.
    pub concepts: u32,
    /// ESCO skills written now.
    pub skills: u32,
}

/// One vocabulary replaced by a SKOS import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VocabularyImportView {
    /// Concept-scheme URI.
    pub scheme: String,
    /// Its key, if Sealdesk knows the scheme.
    pub key: Option<String>,
    /// Concepts imported.
    pub concepts: u32,
}

/// What an ESCO CSV import did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EscoImportView {
    /// Language of the texts.
    pub lang: String,
    /// Skills read.
    pub read: u32,
    /// Released skills (offered).
    pub released: u32,
    /// Other statuses (kept, never offered).
    pub not_released: u32,
}

/// A trusted list's signature as checked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TlSignatureView {
    /// `valid`, `invalid`, `unsigned` or `unsupported`.
    pub status: String,
    /// Why it is not valid.
    pub reason: Option<String>,
    /// Signer certificate subject.
    pub signer: Option<String>,
    /// Signer certificate valid from, RFC 3339.
    pub signer_not_before: Option<String>,
    /// Signer certificate valid until, RFC 3339.
    pub signer_not_after: Option<String>,
    /// Whether the signer certificate is valid now.
    pub signer_valid_now: Option<bool>,
    /// XAdES claimed signing time, RFC 3339.
    pub signing_time: Option<String>,
    /// References in SignedInfo.
    pub references: u32,
    /// References whose digest matches.
    pub references_ok: u32,
}

/// A CA/QC service of a trusted list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QcServiceView {
    /// Provider name (English or first).
    pub provider: String,
    /// Service name (English or first).
    pub service: String,
    /// Status URI.
    pub status: String,
    /// Status starting time, RFC 3339.
    pub status_since: String,
    /// AdditionalServiceInformation URIs (ForeSeals …).
    pub additional_info: Vec<String>,
    /// Qualifier URIs of its Qualifications extensions.
    pub qualifiers: Vec<String>,
}

/// A trusted list as read (and, when loaded, cached).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrustedListView {
    /// File it came from.
    pub source: String,
    /// Scheme territory (`EU` for the LOTL).
    pub territory: String,
    /// It is the list of trusted lists.
    pub is_lotl: bool,
    /// TSL version (5 or 6).
    pub version: u32,
    /// Sequence number.
    pub sequence: u32,
    /// Issue date, RFC 3339.
    pub issued: String,
    /// Next update, RFC 3339.
    pub next_update: Option<String>,
    /// The next update date has passed.
    pub overdue: bool,
    /// When it was loaded into the cache, RFC 3339.
    pub loaded_at: Option<String>,
    /// Its signature.
    pub signature: TlSignatureView,
    /// `lotl`, `announced`, `notAnnounced` or `badSignature`.
    pub standing: String,
    /// The standing in words.
    pub standing_detail: String,
    /// Pointers to other lists (the LOTL's national lists).
    pub pointers: u32,
    /// CA/QC services.
    pub qc_services: Vec<QcServiceView>,
}

/// A provider issuing qualified certificates for e-seals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrustProviderView {
    /// Name in the asked language (else English, else the first).
    pub name: String,
    /// Trade name.
    pub trade_name: Option<String>,
    /// Postal address on one line.
    pub address: String,
    /// Web site.
    pub website: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Its granted CA/QC services for e-seals.
    pub services: Vec<String>,
}

/// "Where do I get a qualified seal certificate?" for one country.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrustProvidersView {
    /// ISO 3166 code asked.
    pub country: String,
    /// Language of the names and the term.
    pub language: String,
    /// "qualified certificate for electronic seal" in that language.
    pub term: String,
    /// The cached list of that country (`None`: not loaded).
    pub list: Option<TrustedListView>,
    /// Providers with a granted CA/QC service for e-seals.
    pub providers: Vec<TrustProviderView>,
}
