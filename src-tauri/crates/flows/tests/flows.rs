//! The use cases against a real SoftHSM2 token and a real (in-memory) SQLite catalogue.

use sealdesk_flows::{
    device_status, seal_sample, verify, Catalogue, CheckStatus, DeviceSelector, ErrorCode,
    SealConsent, TrustAnchors,
};
use sealdesk_tests::TestToken;
use secrecy::SecretString;
use time::OffsetDateTime;

/// One login per token per process (PKCS#11 logins are process-wide): tests that open the
/// token take turns.
static TOKEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn selector(token: &TestToken) -> DeviceSelector {
    DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    }
}

fn pin(token: &TestToken) -> SecretString {
    SecretString::from(token.pin.clone())
}

#[test]
fn seal_sample_registers_exactly_the_bytes_it_returns() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let catalogue = Catalogue::open_in_memory().expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let sealed = seal_sample(
        &catalogue,
        &selector(token),
        pin(token),
        SealConsent::default(),
        now,
    )
    .expect("seal");
    assert!(
        sealed.report.intact,
        "our own verification passes: {:?}",
        sealed.report
    );
    assert!(
        sealed.credential_id.starts_with("urn:credential:"),
        "credential id form: {}",
        sealed.credential_id
    );
    let stored = catalogue
        .issued()
        .get(&sealed.credential_id)
        .expect("read")
        .expect("registered");
    assert_eq!(
        stored.sealed, sealed.sealed,
        "register holds the returned bytes"
    );
    let audit = catalogue.audit().recent(5).expect("audit");
    assert_eq!(audit[0].action, "seal", "sealing is audited");
    assert_eq!(
        audit[0].detail, sealed.credential_id,
        "audit names the id, no personal data"
    );

    // The same bytes verified later: intact, signed at `now`, issuer from the certificate.
    let report = verify(&sealed.sealed, "x", &TrustAnchors::empty(), now).expect("verify");
    assert!(
        report.intact && report.sealed,
        "re-verification: {report:?}"
    );
    let credential = report.credential.expect("named");
    assert_eq!(
        credential.issuer, "Université Exemple (TEST)",
        "issuer = certificate O"
    );
    assert_eq!(
        credential.learner, "Ana Andromeda",
        "learner from the sample recipient"
    );
    assert!(
        report.findings.is_empty(),
        "no format findings: {:?}",
        report.findings
    );
}

#[test]
fn device_status_without_a_module_is_an_answer_not_an_error() {
    let sel = DeviceSelector {
        module: Some("/nonexistent/libnothing.so".into()),
        ..Default::default()
    };
    let status = device_status(&sel, OffsetDateTime::now_utc()).expect("status is a value");
    assert!(status.tokens.is_empty(), "no tokens without a module");
    let message = status.message.expect("a message says what is wrong");
    assert!(
        message.contains("libnothing.so"),
        "names the module: {message}"
    );
}

#[test]
fn device_status_marks_the_harness_token_as_test() {
    let token = TestToken::shared();
    let status = device_status(&selector(token), OffsetDateTime::now_utc()).expect("status");
    assert_eq!(
        status.tokens.len(),
        1,
        "filtered to the selected label: {status:?}"
    );
    let t = &status.tokens[0];
    assert!(t.is_test, "SoftHSM2 with a test CA is a test token");
    let seal = t.seal.as_ref().expect("a seal key");
    assert!(
        seal.days_left > 700,
        "fresh certificate, ~2 years left: {}",
        seal.days_left
    );
    assert!(
        !seal.expired && seal.qualified,
        "key 01 is valid and qualified"
    );
}

#[test]
fn wrong_pin_has_its_code_and_leaves_nothing_behind() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let catalogue = Catalogue::open_in_memory().expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let wrong = seal_sample(
        &catalogue,
        &selector(token),
        SecretString::from("999999".to_owned()),
        SealConsent::default(),
        now,
    )
    .expect_err("wrong PIN");
    assert_eq!(
        wrong.code(),
        ErrorCode::PinIncorrect,
        "code for a wrong PIN: {wrong}"
    );
    assert_eq!(
        catalogue.issued().count().expect("count"),
        0,
        "nothing registered"
    );
}

#[test]
fn verify_reports_a_broken_seal_as_a_verdict() {
    let _one_at_a_time = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let catalogue = Catalogue::open_in_memory().expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let sealed = seal_sample(
        &catalogue,
        &selector(token),
        pin(token),
        SealConsent::default(),
        now,
    )
    .expect("seal");
    let text = String::from_utf8(sealed.sealed).expect("utf-8");
    let tampered = text.replacen("Ana Andromeda", "Ana Andromedb", 1);
    let report = verify(tampered.as_bytes(), "t", &TrustAnchors::empty(), now).expect("verdict");
    assert!(
        report.sealed && !report.intact,
        "broken, not an error: {report:?}"
    );
    let seal = report
        .checks
        .iter()
        .find(|c| c.check == "seal")
        .expect("seal check");
    assert_eq!(seal.status, CheckStatus::Error, "seal check is an error");
    assert!(
        seal.message.starts_with("seal broken"),
        "says broken: {}",
        seal.message
    );

    let garbage = verify(
        b"{\"payload\": 3, \"signatures\": []}",
        "g.json",
        &TrustAnchors::empty(),
        now,
    )
    .expect_err("not a seal");
    assert_eq!(
        garbage.code(),
        ErrorCode::InvalidInput,
        "malformed input code: {garbage}"
    );
    assert!(
        garbage.to_string().starts_with("g.json: "),
        "names the file: {garbage}"
    );
}
