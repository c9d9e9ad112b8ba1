//! The fixed words of the credential PDF come from [`sealdesk_typeset::labels`], the table the
//! PAdES seal block (`sealdesk-pades`) reads too, so both speak the document's language.

pub(crate) use sealdesk_typeset::labels::{has_labels, label};
