//! The typed EDC / ELM 3 model: a serde view of a credential that reads what other issuers
//! write and writes it back unchanged.
//!
//! Three reading rules make the round trip lossless (every official sample re-serializes to an
//! equal JSON value, tested in `tests/model.rs`):
//! - language maps accept a string *or* an array per language ([`LangMap`], [`LangText`]);
//! - multi-valued properties accept one object *or* an array ([`OneOrMany`]) and are written
//!   back in the form they were read;
//! - every node keeps the properties this model does not name in `extra`.
//!
//! The model is a *view*: [`crate::Credential`] keeps the JSON value as the stored form (so the
//! bytes sealed are exactly the bytes built, key order included), and
//! [`crate::Credential::model`] gives this typed view on demand. Nothing here checks SHACL
//! rules; that is [`crate::rules`].

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A property that holds one value or an array of values; re-serializes in the form it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// Written as a single value (boxed: ELM nodes nest deeply and would make large frames).
    One(Box<T>),
    /// Written as an array.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            Self::One(one) => std::slice::from_ref(one.as_ref()).iter(),
            Self::Many(many) => many.iter(),
        }
    }

    /// The values, mutable, in document order.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        match self {
            Self::One(one) => std::slice::from_mut(one.as_mut()).iter_mut(),
            Self::Many(many) => many.iter_mut(),
        }
    }

    /// The first value, if any.
    pub fn first(&self) -> Option<&T> {
        self.iter().next()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(many) => many.len(),
        }
    }

    /// True for an empty array.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// JSON pointer suffix of value `index` (`"/key"` for a single value, `"/key/i"` in an array).
    pub fn pointer(&self, key: &str, index: usize) -> String {
        match self {
            Self::One(_) => format!("/{key}"),
            Self::Many(_) => format!("/{key}/{index}"),
        }
    }
}

impl<'de, T: FromValue> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Through `Value` rather than `#[serde(untagged)]`: no buffering and retrying, and a
        // shallow stack on deeply nested credentials.
        Self::from_value(Value::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl<T: FromValue> FromValue for OneOrMany<T> {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .map(T::from_value)
                .collect::<Result<Vec<T>, _>>()
                .map(Self::Many),
            one => T::from_value(one).map(|v| Self::One(Box::new(v))),
        }
    }
}

/// Reading a model type from a JSON value it may take apart. serde's way from an owned
/// `Value` (`serde_json::from_value`) builds every object again, key by key, at each level of
/// the model, and a credential nests ten levels deep; this moves the maps and strings instead.
/// Errors are the ones serde gives, prefixed with the keys on the way (`"credentialSubject:
/// hasClaim: ..."`).
pub trait FromValue: Sized {
    /// Reads `value`, consuming it.
    fn from_value(value: Value) -> Result<Self, serde_json::Error>;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        Ok(value)
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        match value {
            Value::String(s) => Ok(s),
            other => serde_json::from_value(other),
        }
    }
}

impl FromValue for u32 {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

impl FromValue for LangText {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        match value {
            Value::String(s) => Ok(Self::One(s)),
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(Self::Many(
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            )),
            other => serde_json::from_value(other),
        }
    }
}

impl FromValue for LangMap {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        match value {
            Value::Object(map) => map
                .into_iter()
                .map(|(lang, text)| LangText::from_value(text).map(|t| (lang, t)))
                .collect::<Result<Vec<_>, _>>()
                .map(LangMap),
            other => serde_json::from_value(other),
        }
    }
}

impl<T> From<T> for OneOrMany<T> {
    fn from(value: T) -> Self {
        Self::One(Box::new(value))
    }
}

/// The text of one language: a string (ELM 3.1) or an array of strings (ELM 3.2 / EBSI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LangText {
    /// `"en": "text"`.
    One(String),
    /// `"en": ["text", ...]`.
    Many(Vec<String>),
}

impl LangText {
    /// The first text.
    pub fn first(&self) -> Option<&str> {
        match self {
            Self::One(s) => Some(s),
            Self::Many(v) => v.first().map(String::as_str),
        }
    }
}

/// A language map (`{"en": "Course", "fr": "Cours"}`), in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LangMap(pub Vec<(String, LangText)>);

impl LangMap {
    /// A map with one language.
    pub fn single(lang: &str, text: &str) -> Self {
        Self(vec![(lang.to_owned(), LangText::One(text.to_owned()))])
    }

    /// The text in `lang`, or in the first language present.
    pub fn text(&self, lang: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(l, _)| l == lang)
            .or_else(|| self.0.first())
            .and_then(|(_, t)| t.first())
    }

    /// The text in exactly `lang`.
    pub fn exact(&self, lang: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(l, _)| l == lang)
            .and_then(|(_, t)| t.first())
    }
}

impl Serialize for LangMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (lang, text) in &self.0 {
            map.serialize_entry(lang, text)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LangMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = LangMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a language map such as {\"en\": \"text\"}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<LangMap, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, LangText>()? {
                    out.push((k, v));
                }
                Ok(LangMap(out))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

macro_rules! node {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty = $key:literal ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            /// Node id (`urn:epass:...` or a URI).
            pub id: Option<String>,
            /// JSON-LD `type`.
            pub kind: Option<OneOrMany<String>>,
            $( $(#[$fm])* pub $field: Option<$ty>, )*
            /// Properties this model does not name, kept as read.
            pub extra: Map<String, Value>,
        }

        impl $name {
            /// True when `type` names `t`.
            pub fn is_a(&self, t: &str) -> bool {
                self.kind.as_ref().is_some_and(|k| k.iter().any(|x| x == t))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                if let Some(v) = &self.id {
                    map.serialize_entry("id", v)?;
                }
                if let Some(v) = &self.kind {
                    map.serialize_entry("type", v)?;
                }
                $( if let Some(v) = &self.$field {
                    map.serialize_entry($key, v)?;
                } )*
                for (k, v) in &self.extra {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let extra = Map::<String, Value>::deserialize(deserializer)?;
                Self::from_map(extra).map_err(D::Error::custom)
            }
        }

        impl $name {
            /// Reads the node from its JSON object; what the model does not name stays in
            /// `extra`.
            fn from_map(mut extra: Map<String, Value>) -> Result<Self, serde_json::Error> {
                Ok(Self {
                    id: take(&mut extra, "id")?,
                    kind: take(&mut extra, "type")?,
                    $( $field: take(&mut extra, $key)?, )*
                    extra,
                })
            }
        }

        impl FromValue for $name {
            fn from_value(value: Value) -> Result<Self, serde_json::Error> {
                match value {
                    Value::Object(map) => Self::from_map(map),
                    other => serde_json::from_value::<Map<String, Value>>(other)
                        .and_then(Self::from_map),
                }
            }
        }
    };
}

/// Removes `key` from `map` and reads it as `T`; the error names the key. A `null` stays in
/// the map (and so in `extra`), as read.
fn take<T: FromValue>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<T>, serde_json::Error> {
    match map.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(_) => {}
    }
    match map.remove(key) {
        None => Ok(None),
        Some(v) => T::from_value(v)
            .map(Some)
            .map_err(|e| serde_json::Error::custom(format!("{key}: {e}"))),
    }
}

node!(
    /// Any node this model does not type (Mailbox, PeriodOfTime, ShaclValidator2017, ...).
    Node {}
);

node!(
    /// A controlled value: `{id, type:"Concept", inScheme, prefLabel, notation}`.
    Concept {
        /// The scheme the concept belongs to.
        in_scheme: ConceptScheme = "inScheme",
        /// Labels per language.
        pref_label: LangMap = "prefLabel",
        /// Code / notation.
        notation: String = "notation",
    }
);

node!(
    /// A concept scheme reference (`{id, type:"ConceptScheme"}`).
    ConceptScheme {}
);

impl Concept {
    /// A concept as the official samples write it: `{id, type:"Concept", inScheme:{id,
    /// type:"ConceptScheme"}, prefLabel, notation?}`. `labels` are `(language key, text)` pairs.
    pub fn new(id: &str, scheme: &str, labels: &[(&str, &str)], notation: Option<&str>) -> Self {
        Self {
            id: Some(id.to_owned()),
            kind: Some(OneOrMany::from("Concept".to_owned())),
            in_scheme: Some(ConceptScheme {
                id: Some(scheme.to_owned()),
                kind: Some(OneOrMany::from("ConceptScheme".to_owned())),
                extra: Map::new(),
            }),
            pref_label: (!labels.is_empty()).then(|| {
                LangMap(
                    labels
                        .iter()
                        .map(|(l, t)| ((*l).to_owned(), LangText::One((*t).to_owned())))
                        .collect(),
                )
            }),
            notation: notation.map(str::to_owned),
            extra: Map::new(),
        }
    }

    /// The scheme id, if any.
    pub fn scheme(&self) -> Option<&str> {
        self.in_scheme.as_ref().and_then(|s| s.id.as_deref())
    }

    /// The concept as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

node!(
    /// The credential (`VerifiableCredential`, `EuropeanDigitalCredential`).
    EdcCredential {
        /// `@context`, kept as read.
        context: Value = "@context",
        /// Credential profile(s) (credential type concept).
        credential_profiles: OneOrMany<Concept> = "credentialProfiles",
        /// SHACL application profile(s) the credential claims.
        credential_schema: OneOrMany<Node> = "credentialSchema",
        /// How the credential is shown.
        display_parameter: DisplayParameter = "displayParameter",
        /// The learner.
        credential_subject: Person = "credentialSubject",
        /// The issuing organisation.
        issuer: Organisation = "issuer",
        /// Issue date (xsd:dateTime), set at sealing.
        issued: String = "issued",
        /// VC 1.1 issuance date, = `issued`.
        issuance_date: String = "issuanceDate",
        /// Start of validity.
        valid_from: String = "validFrom",
        /// End of validity.
        valid_until: String = "validUntil",
        /// VC 1.1 end of validity.
        expiration_date: String = "expirationDate",
        /// Evidence (e.g. the Mandate).
        evidence: OneOrMany<Evidence> = "evidence",
        /// Identifiers of the credential.
        identifier: OneOrMany<Identifier> = "identifier",
    }
);

node!(
    /// How a credential is displayed: title, languages, one page set per language.
    DisplayParameter {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// Languages of the credential.
        language: OneOrMany<Concept> = "language",
        /// The primary language.
        primary_language: Concept = "primaryLanguage",
        /// Per-language display.
        individual_display: OneOrMany<IndividualDisplay> = "individualDisplay",
    }
);

node!(
    /// The display in one language.
    IndividualDisplay {
        /// The language.
        language: Concept = "language",
        /// The pages.
        display_detail: OneOrMany<DisplayDetail> = "displayDetail",
    }
);

node!(
    /// One page of a display: its image and page number.
    DisplayDetail {
        /// The page image.
        image: MediaObject = "image",
        /// 1-based page number.
        page: u32 = "page",
    }
);

node!(
    /// An embedded file (base64 content).
    MediaObject {
        /// Base64 content.
        content: String = "content",
        /// Encoding concept (base64).
        content_encoding: Concept = "contentEncoding",
        /// File type concept (PNG, JPEG, PDF).
        content_type: Concept = "contentType",
        /// Where the file is published.
        content_url: String = "contentURL",
        /// Title per language.
        title: LangMap = "title",
    }
);

node!(
    /// A web page.
    WebResource {
        /// The address.
        content_url: String = "contentURL",
        /// Title per language.
        title: LangMap = "title",
        /// Language of the page.
        language: Concept = "language",
    }
);

node!(
    /// A text note (`noteLiteral` per language).
    Note {
        /// Text per language.
        note_literal: LangMap = "noteLiteral",
    }
);

node!(
    /// An identifier or legal identifier (`notation`, `spatial`, `schemeName`).
    Identifier {
        /// The identifier itself.
        notation: String = "notation",
        /// Country of a legal identifier.
        spatial: Concept = "spatial",
        /// Name of the identifier scheme.
        scheme_name: String = "schemeName",
    }
);

/// A legal identifier (eIDAS, VAT, registration, national id): same shape as [`Identifier`].
pub type LegalIdentifier = Identifier;

node!(
    /// The learner.
    Person {
        /// Full name per language.
        full_name: LangMap = "fullName",
        /// Given name(s) per language.
        given_name: LangMap = "givenName",
        /// Family name(s) per language.
        family_name: LangMap = "familyName",
        /// Date of birth (xsd:dateTime).
        date_of_birth: String = "dateOfBirth",
        /// National identifier.
        national_id: LegalIdentifier = "nationalID",
        /// Identifiers.
        identifier: OneOrMany<Identifier> = "identifier",
        /// Contact points (e-mail, phone, address).
        contact_point: OneOrMany<ContactPoint> = "contactPoint",
        /// Citizenship countries.
        citizenship_country: OneOrMany<Concept> = "citizenshipCountry",
        /// What the learner achieved, did, was assessed on or is entitled to.
        has_claim: OneOrMany<Claim> = "hasClaim",
    }
);

node!(
    /// A contact point.
    ContactPoint {
        /// E-mail addresses (`{id:"mailto:..", type:"Mailbox"}`).
        email_address: OneOrMany<Node> = "emailAddress",
    }
);

node!(
    /// An organisation (issuer, awarding body, provider).
    Organisation {
        /// Legal name per language.
        legal_name: LangMap = "legalName",
        /// Short name per language.
        alt_label: LangMap = "altLabel",
        /// Locations (address with country).
        location: OneOrMany<Location> = "location",
        /// Legal identifier filled from the seal certificate.
        eidas_identifier: LegalIdentifier = "eIDASIdentifier",
        /// Registration (legal identifier).
        registration: LegalIdentifier = "registration",
        /// VAT identifier(s).
        vat_identifier: OneOrMany<LegalIdentifier> = "vatIdentifier",
        /// Tax identifier(s).
        tax_identifier: OneOrMany<LegalIdentifier> = "taxIdentifier",
        /// Other identifiers.
        identifier: OneOrMany<Identifier> = "identifier",
        /// Logo.
        logo: MediaObject = "logo",
        /// Home page(s).
        homepage: OneOrMany<WebResource> = "homepage",
        /// Groups the organisation belongs to.
        group_member_of: OneOrMany<Group> = "groupMemberOf",
        /// Contact points.
        contact_point: OneOrMany<ContactPoint> = "contactPoint",
    }
);

node!(
    /// A group of organisations (e.g. an alliance).
    Group {
        /// Name per language.
        pref_label: LangMap = "prefLabel",
        /// Contact points.
        contact_point: OneOrMany<ContactPoint> = "contactPoint",
    }
);

node!(
    /// A location: an address and area codes.
    Location {
        /// Addresses.
        address: OneOrMany<Address> = "address",
        /// Administrative area codes.
        spatial_code: OneOrMany<Concept> = "spatialCode",
    }
);

node!(
    /// A postal address.
    Address {
        /// Country concept.
        country_code: Concept = "countryCode",
        /// The address as one text.
        full_address: Note = "fullAddress",
    }
);

node!(
    /// Who awarded a claim, and when.
    AwardingProcess {
        /// The awarding body or bodies.
        awarding_body: OneOrMany<Organisation> = "awardingBody",
        /// When it was awarded (xsd:dateTime).
        awarding_date: String = "awardingDate",
    }
);

node!(
    /// Credit points (`point` is a string, e.g. `"2"`).
    CreditPoint {
        /// The credit framework (ECTS, ECVET).
        framework: Concept = "framework",
        /// Number of points, as a string.
        point: String = "point",
    }
);

node!(
    /// A learning outcome with its related skills.
    LearningOutcome {
        /// Title per language.
        title: LangMap = "title",
        /// Related ESCO skills.
        related_esco_skill: OneOrMany<Concept> = "relatedESCOSkill",
        /// Other related skills (e.g. DigComp).
        related_skill: OneOrMany<Concept> = "relatedSkill",
        /// Skill re-use level.
        reusability_level: Concept = "reusabilityLevel",
        /// Skill type.
        dc_type: Concept = "dcType",
    }
);

node!(
    /// What an achievement is specified by: `Qualification` or `LearningAchievementSpecification`.
    LearningAchievementSpecification {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// Learning-opportunity type.
        dc_type: OneOrMany<Concept> = "dcType",
        /// EQF level (scheme `http://data.europa.eu/snb/eqf/25831c2`).
        eqf_level: Concept = "eqfLevel",
        /// NQF level(s).
        nqf_level: OneOrMany<Concept> = "nqfLevel",
        /// ISCED-F field(s).
        thematic_area: OneOrMany<Concept> = "thematicArea",
        /// Credit points (ECTS).
        credit_point: OneOrMany<CreditPoint> = "creditPoint",
        /// Learning outcomes.
        learning_outcome: OneOrMany<LearningOutcome> = "learningOutcome",
        /// Learning outcome summary.
        learning_outcome_summary: Note = "learningOutcomeSummary",
        /// Mode (online, blended, ...).
        mode: OneOrMany<Concept> = "mode",
        /// Formal / non-formal / informal.
        learning_setting: Concept = "learningSetting",
        /// Notional workload (xsd:duration, e.g. `PT60H`).
        volume_of_learning: String = "volumeOfLearning",
        /// Maximum duration (xsd:duration).
        maximum_duration: String = "maximumDuration",
        /// Instruction language(s).
        language: OneOrMany<Concept> = "language",
        /// Entry requirements (prerequisites).
        entry_requirement: Note = "entryRequirement",
        /// Whether a Qualification is partial.
        is_partial_qualification: bool = "isPartialQualification",
        /// Home page(s).
        homepage: OneOrMany<WebResource> = "homepage",
    }
);

/// A qualification: a learning achievement specification with `type: "Qualification"`.
pub type Qualification = LearningAchievementSpecification;

node!(
    /// What a learning activity is specified by.
    LearningActivitySpecification {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// Activity type.
        dc_type: OneOrMany<Concept> = "dcType",
        /// Mode.
        mode: OneOrMany<Concept> = "mode",
        /// Workload (xsd:duration).
        volume_of_learning: String = "volumeOfLearning",
        /// Language(s).
        language: OneOrMany<Concept> = "language",
    }
);

node!(
    /// What a learning assessment is specified by.
    LearningAssessmentSpecification {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// Assessment type.
        dc_type: OneOrMany<Concept> = "dcType",
        /// Mode (online, in person, blended).
        mode: OneOrMany<Concept> = "mode",
        /// Language(s).
        language: OneOrMany<Concept> = "language",
        /// The grading scheme.
        grading_scheme: GradingScheme = "gradingScheme",
    }
);

node!(
    /// What a learning entitlement is specified by.
    LearningEntitlementSpecification {
        /// Title per language.
        title: LangMap = "title",
        /// Entitlement type.
        dc_type: OneOrMany<Concept> = "dcType",
        /// Entitlement status.
        entitlement_status: Concept = "entitlementStatus",
    }
);

node!(
    /// A grading scheme.
    GradingScheme {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
    }
);

node!(
    /// A learning achievement claim.
    LearningAchievement {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// The awarding process (exactly one).
        awarded_by: OneOrMany<AwardingProcess> = "awardedBy",
        /// Qualification or achievement specification.
        specified_by: OneOrMany<LearningAchievementSpecification> = "specifiedBy",
        /// The learning activity behind it.
        influenced_by: OneOrMany<LearningActivity> = "influencedBy",
        /// The assessment proving it.
        proven_by: OneOrMany<LearningAssessment> = "provenBy",
        /// What it entitles to.
        entitles_to: OneOrMany<LearningEntitlement> = "entitlesTo",
        /// Credits received.
        credit_received: OneOrMany<CreditPoint> = "creditReceived",
    }
);

node!(
    /// A learning activity claim.
    LearningActivity {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// The awarding process (exactly one).
        awarded_by: OneOrMany<AwardingProcess> = "awardedBy",
        /// Specification.
        specified_by: OneOrMany<LearningActivitySpecification> = "specifiedBy",
        /// Organisation(s) that directed it.
        directed_by: OneOrMany<Organisation> = "directedBy",
        /// Period(s) of time.
        temporal: OneOrMany<Node> = "temporal",
        /// Workload (xsd:duration).
        workload: String = "workload",
    }
);

node!(
    /// A learning assessment claim, with its grade.
    LearningAssessment {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// The awarding process (exactly one).
        awarded_by: OneOrMany<AwardingProcess> = "awardedBy",
        /// The grade (mandatory).
        grade: Note = "grade",
        /// Supervision and identity verification.
        id_verification: Concept = "idVerification",
        /// Specification.
        specified_by: OneOrMany<LearningAssessmentSpecification> = "specifiedBy",
    }
);

node!(
    /// A learning entitlement claim.
    LearningEntitlement {
        /// Title per language.
        title: LangMap = "title",
        /// Description per language.
        description: LangMap = "description",
        /// The awarding process (exactly one).
        awarded_by: OneOrMany<AwardingProcess> = "awardedBy",
        /// Specification.
        specified_by: OneOrMany<LearningEntitlementSpecification> = "specifiedBy",
    }
);

node!(
    /// Evidence behind a credential (e.g. the Mandate, dcType evidence-type `c_18016257`).
    Evidence {
        /// Evidence type.
        dc_type: Concept = "dcType",
        /// Statement.
        evidence_statement: String = "evidenceStatement",
        /// Accreditation.
        accreditation: Node = "accreditation",
        /// Embedded documents.
        embedded_evidence: OneOrMany<MediaObject> = "embeddedEvidence",
    }
);

/// The evidence type of a mandate (sealing on behalf of the awarding body).
pub const MANDATE_EVIDENCE_TYPE: &str = "http://data.europa.eu/snb/evidence-type/c_18016257";

impl Evidence {
    /// True for the Mandate evidence.
    pub fn is_mandate(&self) -> bool {
        self.dc_type.as_ref().and_then(|c| c.id.as_deref()) == Some(MANDATE_EVIDENCE_TYPE)
    }
}

/// One of the four claim kinds, chosen by `type`; anything else is kept as a [`Node`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Claim {
    /// `LearningAchievement`.
    Achievement(Box<LearningAchievement>),
    /// `LearningActivity`.
    Activity(Box<LearningActivity>),
    /// `LearningAssessment`.
    Assessment(Box<LearningAssessment>),
    /// `LearningEntitlement`.
    Entitlement(Box<LearningEntitlement>),
    /// Another or no type (e.g. a reference `{"id": ...}`).
    Other(Box<Node>),
}

impl<'de> Deserialize<'de> for Claim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_value(Value::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl FromValue for Claim {
    fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        let kind = match value.get("type") {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| {
                matches!(
                    *t,
                    "LearningAchievement"
                        | "LearningActivity"
                        | "LearningAssessment"
                        | "LearningEntitlement"
                )
            }),
            _ => None,
        };
        match kind {
            Some("LearningAchievement") => {
                LearningAchievement::from_value(value).map(|c| Claim::Achievement(Box::new(c)))
            }
            Some("LearningActivity") => {
                LearningActivity::from_value(value).map(|c| Claim::Activity(Box::new(c)))
            }
            Some("LearningAssessment") => {
                LearningAssessment::from_value(value).map(|c| Claim::Assessment(Box::new(c)))
            }
            Some("LearningEntitlement") => {
                LearningEntitlement::from_value(value).map(|c| Claim::Entitlement(Box::new(c)))
            }
            _ => Node::from_value(value).map(|c| Claim::Other(Box::new(c))),
        }
    }
}

impl Claim {
    /// The claim's title.
    pub fn title(&self) -> Option<&LangMap> {
        match self {
            Claim::Achievement(c) => c.title.as_ref(),
            Claim::Activity(c) => c.title.as_ref(),
            Claim::Assessment(c) => c.title.as_ref(),
            Claim::Entitlement(c) => c.title.as_ref(),
            Claim::Other(_) => None,
        }
    }

    /// The claim's awarding process(es).
    pub fn awarded_by(&self) -> Option<&OneOrMany<AwardingProcess>> {
        match self {
            Claim::Achievement(c) => c.awarded_by.as_ref(),
            Claim::Activity(c) => c.awarded_by.as_ref(),
            Claim::Assessment(c) => c.awarded_by.as_ref(),
            Claim::Entitlement(c) => c.awarded_by.as_ref(),
            Claim::Other(_) => None,
        }
    }
}
