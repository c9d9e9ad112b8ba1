//! The one error type of this crate.

use sealdesk_catalogue::CatalogueError;

/// Why vocabulary or skill data could not be read or stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VocabError {
    /// A CSV file could not be read; `line` is 1-based.
    #[error("{source_name} line {line}: unreadable CSV: {source}")]
    Csv {
        /// The file or label.
        source_name: String,
        /// 1-based line of the record.
        line: u64,
        /// The parser's error.
        #[source]
        source: csv::Error,
    },
    /// A CSV file lacks a column this importer needs.
    #[error(
        "{source_name} has no column {column}: expected the official ESCO skills_<lang>.csv layout"
    )]
    CsvColumnMissing {
        /// The file or label.
        source_name: String,
        /// The column name.
        column: &'static str,
    },
    /// A CSV record lacks a value that must be there.
    #[error("{source_name} line {line}: {column} is empty")]
    CsvValueMissing {
        /// The file or label.
        source_name: String,
        /// 1-based line.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// The XML is not well formed.
    #[error("line {line}: not well-formed XML: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The XML declares a DTD (which could define entities): refused.
    #[error("line {line}: the file declares a DTD; SKOS files never need one, so it is refused")]
    XmlDoctype {
        /// 1-based line.
        line: usize,
    },
    /// The XML uses an entity other than the five predefined ones.
    #[error("line {line}: unknown entity &{name}; is refused")]
    XmlEntity {
        /// 1-based line.
        line: usize,
        /// The entity name.
        name: String,
    },
    /// A SKOS concept lacks a mandatory part.
    #[error("line {line}: skos:Concept {id} has no {what}")]
    SkosIncomplete {
        /// 1-based line of the concept's start.
        line: usize,
        /// The concept URI (empty if that is what is missing).
        id: String,
        /// What is missing.
        what: &'static str,
    },
    /// The file holds no SKOS concept at all.
    #[error("no skos:Concept found: is this a SKOS RDF/XML distribution?")]
    SkosEmpty,
    /// A vocabulary key is not known.
    #[error("unknown vocabulary {key:?}: use one of {known}")]
    UnknownScheme {
        /// The key asked for.
        key: String,
        /// The known keys, comma-separated.
        known: String,
    },
    /// Reading the input failed.
    #[error("cannot read {source_name}: {source}")]
    Io {
        /// The file or label.
        source_name: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The catalogue failed.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
}
