//! The PAdES reader (`sealdesk_pades::verify_pdf`, over lopdf) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealdesk_seal::TrustAnchors;

fuzz_target!(|data: &[u8]| {
    let at = time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let _ = sealdesk_pades::verify_pdf(data, &TrustAnchors::empty(), at);
});
