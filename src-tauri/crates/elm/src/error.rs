//! The one error type of this crate.

/// Why a credential could not be read, built or prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ElmError {
    /// The bytes are not JSON; line and column are 1-based.
    #[error("{source_name} is not valid JSON at line {line}, column {column}: fix the file and load it again")]
    MalformedJson {
        /// The file or label the bytes came from.
        source_name: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is well formed but is not an EDC credential.
    #[error("{source_name} is not a credential at {pointer}: {reason}")]
    NotACredential {
        /// The file or label the bytes came from.
        source_name: String,
        /// JSON pointer of the offending place ("" = the document root).
        pointer: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// A template lacks a part the builder needs.
    #[error("the template has no usable {what} at {pointer}")]
    TemplateIncomplete {
        /// JSON pointer of the missing or odd part.
        pointer: String,
        /// The part, in plain words.
        what: &'static str,
    },
    /// The country of the seal certificate is not in the table of supported countries.
    #[error("country code {code:?} of the seal certificate is not supported: expected an EU/EEA, Swiss, UK or candidate country")]
    UnknownCountry {
        /// The two-letter code as given.
        code: String,
    },
    /// A recipient field cannot be used.
    #[error("recipient field {field} is not usable: {reason}")]
    RecipientInvalid {
        /// The recipient field (camelCase, as in the input).
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A date-time could not be written in RFC 3339 form.
    #[error("the date {what} cannot be written as an xsd:dateTime")]
    DateNotWritable {
        /// Which date.
        what: &'static str,
        /// The formatter's error.
        #[source]
        source: time::error::Format,
    },
    /// The credential could not be serialized (should not happen with a JSON value).
    #[error("the credential could not be serialized")]
    NotSerializable(#[source] serde_json::Error),
    /// The credential JSON does not fit the typed ELM model (a property has an unexpected shape).
    #[error("the credential does not fit the ELM model: {0}")]
    ModelMismatch(#[source] serde_json::Error),
    /// A form value cannot be written onto the credential.
    #[error("the form field {field} cannot be written: {reason}")]
    FormInvalid {
        /// The form field (camelCase, as in the form).
        field: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// The mandate JSON cannot be read (syntax, or a field missing or of the wrong kind).
    #[error(
        "the mandate in {source_name} cannot be read at line {line}, column {column}: {source}"
    )]
    MandateUnreadable {
        /// The file the mandate came from.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// A field of the mandating body cannot be used.
    #[error("mandate field {field} is not usable: {reason}")]
    MandateInvalid {
        /// The field (camelCase, as in the mandate JSON).
        field: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The mandate document is not a PDF, PNG or JPEG file (or not what it was declared as).
    #[error("the mandate document {file_name} has {found}: give the signed mandate as a PDF, PNG or JPEG file")]
    MandateDocumentType {
        /// The document's file name.
        file_name: String,
        /// What was found.
        found: String,
    },
    /// The mandate document is larger than the limit (it is embedded in every credential).
    #[error("the mandate document {file_name} is {size} bytes, more than the {limit} allowed: scan it at a lower resolution or as a smaller PDF")]
    MandateDocumentTooLarge {
        /// The document's file name.
        file_name: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
}
