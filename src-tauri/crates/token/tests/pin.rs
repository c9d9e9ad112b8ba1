//! Wrong PIN handling against a real SoftHSM2 token, in its own process (a wrong PIN changes
//! the token's PIN flags, which other tests must not see).

use sealdesk_tests::TestToken;
use sealdesk_token::{
    list_tokens, OpenOptions, SealDevice, SecretString, TokenError, TokenSelector,
};
use time::OffsetDateTime;

#[test]
fn wrong_pin_is_reported_with_the_token_flags_and_the_right_pin_still_works() {
    let token = TestToken::shared();
    let selector = TokenSelector::Label(token.label.clone());
    let now = OffsetDateTime::now_utc();
    let result = SealDevice::open(
        &token.module,
        &selector,
        Some("01"),
        SecretString::from("000000".to_owned()),
        now,
        OpenOptions::default(),
    );
    let (count_low, final_try) = match result {
        Err(TokenError::PinIncorrect {
            count_low,
            final_try,
        }) => (count_low, final_try),
        other => panic!("a wrong PIN is PinIncorrect: {other:?}"),
    };
    // Observed on SoftHSM 2.6.1: a wrong PIN sets CKF_USER_PIN_COUNT_LOW (never FINAL_TRY or
    // LOCKED: it has no retry limit); a good login clears it again.
    assert!(count_low, "SoftHSM raises count-low after a wrong PIN");
    assert!(!final_try, "one wrong PIN is not the final try on SoftHSM");

    let report = list_tokens(&token.module, now).expect("lists");
    let state = report
        .iter()
        .find(|r| r.label == token.label)
        .map(|r| r.pin)
        .expect("token listed");
    assert_eq!(
        state.user_pin_count_low, count_low,
        "the listing shows the same flag as the error"
    );
    assert!(!state.user_pin_locked, "one wrong PIN does not lock");

    let message = TokenError::PinIncorrect {
        count_low,
        final_try,
    }
    .to_string();
    assert!(
        message.starts_with("wrong PIN"),
        "message for people: {message}"
    );

    let signer = SealDevice::open(
        &token.module,
        &selector,
        Some("01"),
        SecretString::from(token.pin.clone()),
        now,
        OpenOptions::default(),
    )
    .expect("the right PIN works after a wrong one");
    assert_eq!(signer.candidate().key_id, "01", "key 01 opened");
    drop(signer);
    let state = list_tokens(&token.module, now)
        .expect("lists")
        .into_iter()
        .find(|r| r.label == token.label)
        .map(|r| r.pin)
        .expect("token listed");
    assert!(
        !state.user_pin_count_low,
        "a good login clears count-low on SoftHSM: {state:?}"
    );
}
