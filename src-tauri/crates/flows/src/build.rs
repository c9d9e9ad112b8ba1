//! Template + recipient → an unsealed credential.

use sealdesk_elm::{Recipient, Template};
use time::OffsetDateTime;

use crate::FlowError;

/// The bundled sample template (Generic EDC profile, one learning achievement).
pub const SAMPLE_TEMPLATE: &str = include_str!("../../../../assets/templates/generic-sample.json");
/// The bundled sample recipient.
pub const SAMPLE_RECIPIENT: &str =
    include_str!("../../../../assets/templates/sample-recipient.json");

/// A credential built for one recipient, not yet sealed.
#[derive(Debug, Clone)]
pub struct BuiltCredential {
    /// `urn:credential:<uuid>`.
    pub credential_id: String,
    /// The credential JSON.
    pub bytes: Vec<u8>,
}

/// Builds the credential of one recipient from a template; valid from `now`.
pub fn build_credential(
    template: &[u8],
    template_name: &str,
    recipient: &[u8],
    recipient_name: &str,
    now: OffsetDateTime,
) -> Result<BuiltCredential, FlowError> {
    let template = Template::from_json(template, template_name)?;
    let recipient: Recipient =
        serde_json::from_slice(recipient).map_err(|source| FlowError::Recipient {
            source_name: recipient_name.to_owned(),
            source,
        })?;
    let credential = sealdesk_elm::build(&template, &recipient, uuid::Uuid::new_v4(), now)?;
    let credential_id = credential.summary().id.unwrap_or_default();
    Ok(BuiltCredential {
        credential_id,
        bytes: credential.to_payload_bytes()?,
    })
}
