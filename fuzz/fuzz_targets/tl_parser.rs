//! The trusted-list reader (`sealdesk_trust::read_list`: strict XML tree, TS 119 612 model,
//! C14N and the enveloped XML-DSig check) on arbitrary bytes: any input gives a list or an
//! error, never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sealdesk_trust::read_list(data, "fuzz.xml");
});
