//! Final try: the UI must ask for explicit confirmation before the PIN is tried. Runs against
//! a real SoftHSM2 token whose flags the harness set before the module was loaded; each test
//! file is its own process, so its `SOFTHSM2_CONF` meets no other test's.

mod common;

use sealdesk_tests::TestToken;
use serde_json::json;

#[test]
fn final_try_needs_explicit_confirmation() {
    let token = TestToken::create();
    token.set_user_pin_final_try();
    let data = tempfile::tempdir().expect("temp dir");
    let (_app, window) = common::app_on(&token, data.path());

    let status =
        common::invoke(&window, "device_status", json!({})).expect("device_status answers");
    assert_eq!(
        status["tokens"][0]["pin"]["finalTry"], true,
        "the panel learns that the PIN is on its final try: {status}"
    );

    let refused = common::invoke(
        &window,
        "seal_sample",
        json!({ "pin": token.pin, "confirmFinalTry": false, "acceptNonSeal": false }),
    )
    .expect_err("on the final try nothing is tried without confirmation");
    assert_eq!(
        refused["code"], "PinFinalTry",
        "the UI must be told to ask for confirmation: {refused}"
    );

    let report = common::invoke(
        &window,
        "seal_sample",
        json!({ "pin": token.pin, "confirmFinalTry": true, "acceptNonSeal": false }),
    )
    .expect("with confirmation and the right PIN the sample is sealed");
    assert_eq!(
        report["intact"], true,
        "the confirmed seal is intact: {report}"
    );
}
