//! A token on its final PIN try seals only after the person said yes. Own process: SoftHSM2
//! reads the token flags when this process first loads the module.

use sealdesk_flows::{seal_sample, Catalogue, DeviceSelector, ErrorCode, SealConsent};
use sealdesk_tests::TestToken;
use secrecy::SecretString;
use time::OffsetDateTime;

#[test]
fn final_try_needs_confirmation() {
    let token = TestToken::shared();
    token.set_user_pin_final_try();
    let catalogue = Catalogue::open_in_memory().expect("catalogue");
    let sel = DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    };
    let now = OffsetDateTime::now_utc();
    let pin = || SecretString::from(token.pin.clone());

    let refused =
        seal_sample(&catalogue, &sel, pin(), SealConsent::default(), now).expect_err("refused");
    assert_eq!(
        refused.code(),
        ErrorCode::PinFinalTry,
        "final try needs a yes: {refused}"
    );
    assert_eq!(
        catalogue.issued().count().expect("count"),
        0,
        "nothing sealed yet"
    );

    let sealed = seal_sample(
        &catalogue,
        &sel,
        pin(),
        SealConsent {
            confirm_final_try: true,
            ..SealConsent::default()
        },
        now,
    )
    .expect("confirmed");
    assert!(sealed.report.intact, "a confirmed final try seals");
}
