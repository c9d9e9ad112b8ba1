//! What can go wrong making a subset.

/// A font could not be read or subset (a bug or a damaged build: the faces are built in).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TypesetError {
    /// The built-in face could not be parsed.
    #[error("font {face} is unreadable: {reason}")]
    FaceUnreadable {
        /// The face's PostScript name.
        face: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// The subset could not be made.
    #[error("font subset of {face} not made: {reason}")]
    SubsetNotMade {
        /// The face's PostScript name.
        face: &'static str,
        /// What the subsetter said.
        reason: String,
    },
}
