//! The one error type of this crate.

use crate::common::Finding;

/// What can go wrong with a learning opportunity or an agreement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgreementsError {
    /// The workflow does not allow this move.
    #[error("{what} cannot go from {from} to {to}: allowed from {from}: {allowed}")]
    IllegalTransition {
        /// "learning opportunity" or "agreement".
        what: &'static str,
        /// The current state.
        from: &'static str,
        /// The state asked for.
        to: &'static str,
        /// The states reachable from `from`, comma separated (or "none").
        allowed: String,
    },
    /// Mandatory fields for the target state are missing or wrong.
    #[error("cannot move to {state}: {}", describe(findings))]
    Incomplete {
        /// The state asked for.
        state: &'static str,
        /// What is missing, by JSON pointer.
        findings: Vec<Finding>,
    },
    /// Asking for changes needs a reviewer comment.
    #[error("asking for changes needs a comment saying what to change")]
    CommentRequired,
    /// The document is in a state where its content is frozen.
    #[error("{what} is {state}: its content cannot be changed; move it back to draft first")]
    NotEditable {
        /// "learning opportunity" or "agreement".
        what: &'static str,
        /// The current state.
        state: &'static str,
    },
    /// Only an approved learning opportunity can become a credential template.
    #[error("the learning opportunity is {state}: only an approved one can become a credential template")]
    NotApproved {
        /// Its state.
        state: &'static str,
    },
    /// The exchange file is not JSON at all.
    #[error("{source_name} is not JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// The file.
        source_name: String,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The exchange file is not a Sealdesk agreement file.
    #[error("{source_name} is not a Sealdesk agreement file: {pointer} is {found:?}, expected {expected:?}")]
    UnknownFormat {
        /// The file.
        source_name: String,
        /// Where the format id is.
        pointer: &'static str,
        /// What it says.
        found: String,
        /// What we read.
        expected: &'static str,
    },
    /// The exchange file was written by a newer Sealdesk.
    #[error("{source_name} is format version {found} (at {pointer}); this Sealdesk reads up to version {supported}: update Sealdesk")]
    NewerVersion {
        /// The file.
        source_name: String,
        /// Where the version is.
        pointer: &'static str,
        /// The version in the file.
        found: u64,
        /// The newest version this build reads.
        supported: u64,
    },
    /// A field of the exchange file is missing, unknown or of the wrong type.
    #[error("{source_name} is malformed at {pointer}: {message}")]
    Malformed {
        /// The file.
        source_name: String,
        /// JSON pointer of the bad value.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// The fixed texts for a language are not available.
    #[error("no agreement texts in language {lang:?}: use one of en, fr, de, es, it, lt")]
    UnknownLanguage {
        /// The language asked for.
        lang: String,
    },
    /// A bundled asset is unreadable (a build defect).
    #[error("bundled agreement texts for {lang} are unreadable: {source}")]
    Asset {
        /// The language.
        lang: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A value could not be turned into JSON.
    #[error("cannot write {what} as JSON: {source}")]
    Serialize {
        /// What was being written.
        what: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}", f.path, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}
