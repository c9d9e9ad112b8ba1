//! A token that reports its user PIN locked is refused before the PIN is tried. Own process:
//! the flag is set before this process loads the module.

use sealdesk_tests::TestToken;
use sealdesk_token::{
    list_tokens, OpenOptions, SealDevice, SecretString, TokenError, TokenSelector,
};
use time::OffsetDateTime;

#[test]
fn locked_pin_is_refused_even_with_the_right_pin() {
    let token = TestToken::shared();
    token.lock_user_pin();
    let now = OffsetDateTime::now_utc();
    let report = list_tokens(&token.module, now).expect("lists");
    let state = report
        .iter()
        .find(|r| r.label == token.label)
        .map(|r| r.pin)
        .expect("token listed");
    assert!(state.user_pin_locked, "listing shows the lock: {state:?}");
    let result = SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        None,
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions {
            confirm_final_try: true,
            ..OpenOptions::default()
        },
    );
    assert!(
        matches!(result, Err(TokenError::PinLocked)),
        "locked PIN refused: {result:?}"
    );
}
