//! `check_format` and its [`Finding`]: the entry point of the rules before sealing
//! (the rules themselves live in [`crate::rules`]).

use crate::credential::Credential;

/// One missing or malformed mandatory field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// JSON pointer of the object that lacks the field (or of the field itself).
    pub pointer: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl Credential {
    /// The rules before sealing ([`crate::rules::check`]): mandatory fields, cardinalities,
    /// datatypes and controlled-vocabulary schemes of the EDC-generic shapes, as findings
    /// sorted by JSON pointer. An empty list means the credential passes the rules.
    pub fn check_format(&self) -> Vec<Finding> {
        crate::rules::check(self)
    }
}
