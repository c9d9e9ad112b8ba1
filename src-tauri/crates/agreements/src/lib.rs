//! Learning opportunities and Model Credit Recognition Agreements (MCRA), as programme
//! directors draft, review and exchange them.
//!
//! Owns the typed documents ([`LearningOpportunity`], [`Mcra`]), their workflows (which move
//! is legal, what each state needs, by JSON pointer), the field-level [`diff`] between two
//! versions, the MCRA exchange file ([`exchange`], `sealdesk.mcra/1`), the ELM JSON-LD export
//! of a learning opportunity ([`jsonld`]) and the fixed agreement texts in six languages
//! ([`texts`]). Not here: storage and versions (crate `catalogue`), use cases and views (crate
//! `flows`), the printed agreement (crate `render`). No clock, no I/O.

#![warn(missing_docs)]

pub mod common;
pub mod diff;
mod error;
pub mod exchange;
pub mod jsonld;
pub mod lo;
pub mod mcra;
pub mod samples;
pub mod texts;

pub use common::{ConceptRef, Finding, Texts};
pub use diff::{diff, Change};
pub use error::AgreementsError;
pub use lo::{LearningOpportunity, LoState, ReviewStep};
pub use mcra::{Direction, LearningType, Mcra, McraState, RecognitionLevel, RecognitionType};
