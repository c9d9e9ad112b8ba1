//! Exit codes: part of the CLI contract (scripts branch on them).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (verify: every file sealed and every seal intact) |
//! | 1 | verify: a file is not sealed, or a seal is broken |
//! | 2 | usage (bad arguments, no PIN available) |
//! | 3 | bad input: the credential file is malformed or incomplete |
//! | 4 | no token: no PKCS#11 module, no token, or no seal key on it |
//! | 5 | wrong PIN |
//! | 6 | PIN locked, or one try left and not confirmed |
//! | 7 | the seal certificate is expired or not yet valid |
//! | 8 | file or catalogue could not be read or written |
//! | 9 | the chosen certificate is not a seal certificate (choose the seal key, or `--accept-non-seal`) |
//! | 10 | anything else (the message says what) |

use sealdesk_flows::{ErrorCode, FlowError};

/// Verify: not sealed or not intact.
pub const NOT_INTACT: u8 = 1;
/// Usage.
pub const USAGE: u8 = 2;
/// Bad input file.
pub const BAD_INPUT: u8 = 3;
/// No module, token or seal key.
pub const NO_TOKEN: u8 = 4;
/// Wrong PIN.
pub const PIN_INCORRECT: u8 = 5;
/// PIN locked or final try unconfirmed.
pub const PIN_LOCKED: u8 = 6;
/// Certificate expired or not yet valid.
pub const CERTIFICATE: u8 = 7;
/// I/O or catalogue.
pub const IO: u8 = 8;
/// The certificate is not a seal certificate.
pub const NOT_A_SEAL: u8 = 9;
/// Anything else.
pub const OTHER: u8 = 10;

/// The exit code for a flow error.
pub fn for_flow_error(error: &FlowError) -> u8 {
    match error.code() {
        ErrorCode::CertificateExpired => CERTIFICATE,
        ErrorCode::InvalidInput => BAD_INPUT,
        ErrorCode::NoSealKey | ErrorCode::TokenMissing => NO_TOKEN,
        ErrorCode::PinFinalTry | ErrorCode::PinLocked => PIN_LOCKED,
        ErrorCode::PinIncorrect => PIN_INCORRECT,
        ErrorCode::Storage => IO,
        ErrorCode::NotASealCertificate => NOT_A_SEAL,
        _ => OTHER,
    }
}
