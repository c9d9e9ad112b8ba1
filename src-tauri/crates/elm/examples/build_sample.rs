//! Builds the sample template for the sample recipient, prepares it for sealing with a test
//! issuer identity and writes the payload bytes, for the official SHACL checker:
//!
//! `cargo run -p sealdesk-elm --example build_sample -- OUT.json`
//! then `python3 ../shared/tools/edc-shacl-check.py OUT.json`.

use std::path::PathBuf;

use sealdesk_elm::{build, prepare_for_sealing, IssuerIdentity, Recipient, Template};
use time::macros::datetime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: build_sample OUT.json")?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let template = Template::from_json(
        &std::fs::read(root.join("assets/templates/generic-sample.json"))?,
        "generic-sample.json",
    )?;
    let recipient: Recipient = serde_json::from_slice(&std::fs::read(
        root.join("assets/templates/sample-recipient.json"),
    )?)?;
    let mut credential = build(
        &template,
        &recipient,
        uuid::Uuid::from_u128(0x2b1f3c9e_0000_4000_8000_000000000001),
        datetime!(2025-01-15 00:00 UTC),
    )?;
    let identity = IssuerIdentity {
        legal_name: "Université de Test".into(),
        organization_identifier: "VATFR-12345678901".into(),
        country_alpha2: "FR".into(),
        common_name: "Université de Test eSeal".into(),
    };
    prepare_for_sealing(&mut credential, &identity, datetime!(2025-02-01 09:30 UTC))?;
    std::fs::write(&out, credential.to_payload_bytes()?)?;
    Ok(())
}
