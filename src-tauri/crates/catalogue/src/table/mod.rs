//! One module per table: its rows and the reads and writes over them.

pub mod audit;
pub mod batches;
pub mod deliveries;
pub mod issued;
pub mod issued_versions;
pub mod jobs;
pub mod learning_opportunities;
pub mod mcras;
pub mod settings;
pub mod skills;
pub mod templates;
pub mod trusted_lists;
pub mod vocabulary;
