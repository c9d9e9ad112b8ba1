//! A token on its final PIN try is refused unless the user confirmed. Own process: the flag is
//! set before this process loads the module.

use sealdesk_tests::TestToken;
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenError, TokenSelector};
use time::OffsetDateTime;

#[test]
fn final_try_needs_confirmation() {
    let token = TestToken::shared();
    token.set_user_pin_final_try();
    let now = OffsetDateTime::now_utc();
    let open = |confirm_final_try| {
        SealDevice::open(
            &token.module,
            &TokenSelector::Label(token.label.clone()),
            Some("01"),
            SecretString::from(token.pin.clone()),
            now,
            OpenOptions {
                confirm_final_try,
                ..OpenOptions::default()
            },
        )
    };
    let refused = open(false);
    assert!(
        matches!(refused, Err(TokenError::PinFinalTry)),
        "final try without confirmation refused: {refused:?}"
    );
    let confirmed = open(true);
    assert!(
        confirmed.is_ok(),
        "with confirmation the (right) PIN is tried: {confirmed:?}"
    );
}
