//! The JAdES reader (`sealdesk_seal::verify::verify`) on arbitrary bytes: any input gives a
//! verdict or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealdesk_seal::{verify, TrustAnchors};

fuzz_target!(|data: &[u8]| {
    let at = time::OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let _ = verify(data, &TrustAnchors::empty(), at);
});
