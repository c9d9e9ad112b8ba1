//! The ELM credential reader (`Credential::from_json`) and what the verifier asks of a
//! credential next (summary, format findings, validity, the typed model the PDFs are drawn
//! from) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealdesk_elm::Credential;

fuzz_target!(|data: &[u8]| {
    if let Ok(credential) = Credential::from_json(data, "fuzz") {
        let _ = credential.summary();
        let _ = credential.check_format();
        let _ = credential.model();
        let at = time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let _ = credential.validity_at(at);
    }
});
