//! Locked PIN: the UI is told so (PinLocked) and nothing is tried. Runs against a real
//! SoftHSM2 token whose flags the harness set before the module was loaded; each test file is
//! its own process, so its `SOFTHSM2_CONF` meets no other test's.

mod common;

use sealdesk_tests::TestToken;
use serde_json::json;

#[test]
fn a_locked_pin_is_reported_and_not_tried() {
    let token = TestToken::create();
    token.lock_user_pin();
    let data = tempfile::tempdir().expect("temp dir");
    let (_app, window) = common::app_on(&token, data.path());

    let status =
        common::invoke(&window, "device_status", json!({})).expect("device_status answers");
    assert_eq!(
        status["tokens"][0]["pin"]["locked"], true,
        "the panel learns that the PIN is locked: {status}"
    );

    // SoftHSM still accepts the PIN behind the flag, so a seal here would prove it was tried.
    let refused = common::invoke(
        &window,
        "seal_sample",
        json!({ "pin": token.pin, "confirmFinalTry": true, "acceptNonSeal": false }),
    )
    .expect_err("a locked PIN is never tried");
    assert_eq!(
        refused["code"], "PinLocked",
        "the UI must show the unblock advice: {refused}"
    );
}
