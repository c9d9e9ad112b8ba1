//! The seal device flows on the harness SoftHSM2 token: classification and expiry in the
//! status, the remembered module, "test my seal" (verified with openssl), the non-seal code.

use sealdesk_flows::{
    device_status, device_status_in, remember_module, remembered_module, seal_sample, test_seal,
    Catalogue, DeviceSelector, ErrorCode, ModuleSourceView, SealClass, SealConsent, MODULE_SETTING,
};
use sealdesk_tests::TestToken;
use secrecy::SecretString;
use time::OffsetDateTime;

/// One login per token per process: tests that open the token take turns.
static TOKEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn selector(token: &TestToken, key_id: Option<&str>) -> DeviceSelector {
    DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: key_id.map(str::to_owned),
    }
}

fn pin(token: &TestToken) -> SecretString {
    SecretString::from(token.pin.clone())
}

#[test]
fn status_lists_every_key_with_class_expiry_and_algorithms() {
    let token = TestToken::shared();
    let now = OffsetDateTime::now_utc();
    let status = device_status(&selector(token, None), now).expect("status");
    assert_eq!(
        status.module_source,
        Some(ModuleSourceView::Explicit),
        "the module was given"
    );
    let t = status.tokens.first().expect("the harness token");
    let classes: Vec<(&str, SealClass)> = t
        .keys
        .iter()
        .map(|k| (k.key_id.as_str(), k.class))
        .collect();
    assert_eq!(
        classes,
        [
            ("01", SealClass::QualifiedSeal),
            ("02", SealClass::Expired),
            ("03", SealClass::SignatureCertificate),
            ("04", SealClass::QualifiedSeal),
            ("05", SealClass::QualifiedSeal),
        ],
        "every key classified"
    );
    let seal = t.seal.as_ref().expect("default seal key");
    assert_eq!(seal.key_id, "01", "default key");
    assert!(!seal.expires_soon, "two years left");
    assert_eq!(
        seal.pds,
        ["https://qtsp.example.test/pds_en.pdf"],
        "PDS from the certificate"
    );
    assert_eq!(
        seal.algorithms.first().map(String::as_str),
        Some("RS256"),
        "default first"
    );
    assert!(
        seal.algorithms.iter().any(|a| a == "PS512"),
        "PSS offered: {:?}",
        seal.algorithms
    );
    let p384 = t.keys.iter().find(|k| k.key_id == "05").expect("key 05");
    assert_eq!(p384.algorithm, "ES384", "P-384 seals with ES384");
    let plain = t.keys.iter().find(|k| k.key_id == "03").expect("key 03");
    assert!(
        plain.class_label.contains("not a seal"),
        "said in words: {}",
        plain.class_label
    );
    // A later moment: 100 days before the end, the warning is on (computed in Rust).
    let end = time::OffsetDateTime::parse(
        &seal.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let later =
        device_status(&selector(token, None), end - time::Duration::days(100)).expect("status");
    let later_seal = later.tokens[0].seal.as_ref().expect("seal");
    assert!(later_seal.expires_soon, "100 days before the end: renew");
    assert_eq!(later_seal.days_left, 100, "countdown");
}

#[test]
fn a_remembered_module_is_used_after_the_environment() {
    let token = TestToken::shared();
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let now = OffsetDateTime::now_utc();
    assert_eq!(remembered_module(&cat).expect("read"), None, "nothing yet");
    let missing = remember_module(
        &cat,
        std::path::Path::new("/nonexistent/libnothing.so"),
        now,
    )
    .expect_err("a missing module is not remembered");
    assert_eq!(missing.code(), ErrorCode::TokenMissing, "code: {missing}");
    assert_eq!(
        remembered_module(&cat).expect("read"),
        None,
        "still nothing"
    );

    remember_module(&cat, &token.module, now).expect("remembered");
    assert_eq!(
        cat.settings()
            .get(MODULE_SETTING)
            .expect("setting")
            .as_deref(),
        Some(token.module.display().to_string().as_str()),
        "stored under token.module"
    );
    let sel = DeviceSelector {
        token_label: Some(token.label.clone()),
        ..DeviceSelector::default()
    };
    let status = device_status_in(&cat, &sel, now).expect("status");
    assert_eq!(
        status.module_source,
        Some(ModuleSourceView::Remembered),
        "the remembered module is used: {status:?}"
    );
    assert_eq!(
        status.module_path.as_deref(),
        Some(token.module.display().to_string().as_str()),
        "that module"
    );
    assert_eq!(status.tokens.len(), 1, "its token is listed");
}

#[test]
fn test_my_seal_signs_and_verifies_with_openssl_and_is_audited() {
    let _one = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let now = OffsetDateTime::now_utc();
    for (key, alg) in [("01", "RS256"), ("05", "ES384")] {
        let view = test_seal(&cat, &selector(token, Some(key)), pin(token), false, now)
            .unwrap_or_else(|e| panic!("test seal with key {key}: {e}"));
        assert_eq!(view.algorithm, alg, "key {key} algorithm");
        assert!(view.verified, "key {key}: openssl verifies the signature");
        assert!(view.millis > 0.0, "a duration was measured");
        assert_eq!(view.signer, "Université Exemple (TEST)", "holder");
    }
    let audit = cat.audit().recent(10).expect("audit");
    assert_eq!(
        audit.iter().filter(|e| e.action == "test-seal").count(),
        2,
        "each test is audited: {audit:?}"
    );
    assert_eq!(
        cat.issued().count().expect("count"),
        0,
        "nothing registered"
    );
    let wrong = test_seal(
        &cat,
        &selector(token, None),
        SecretString::from("999999".to_owned()),
        false,
        now,
    )
    .expect_err("wrong PIN");
    assert_eq!(wrong.code(), ErrorCode::PinIncorrect, "code: {wrong}");
}

#[test]
fn sealing_with_a_signature_certificate_has_its_own_code() {
    let _one = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let refused = seal_sample(
        &cat,
        &selector(token, Some("03")),
        pin(token),
        SealConsent::default(),
        OffsetDateTime::now_utc(),
    )
    .expect_err("key 03 is not a seal");
    assert_eq!(
        refused.code(),
        ErrorCode::NotASealCertificate,
        "the UI asks 'seal anyway?': {refused}"
    );
    assert_eq!(
        cat.issued().count().expect("count"),
        0,
        "nothing registered"
    );
    // The person said "seal anyway": the same key seals, and the seal names that holder.
    let sealed = seal_sample(
        &cat,
        &selector(token, Some("03")),
        pin(token),
        SealConsent {
            accept_non_seal: true,
            ..SealConsent::default()
        },
        OffsetDateTime::now_utc(),
    )
    .expect("consent given");
    assert!(sealed.report.intact, "sealed with key 03 after consent");
    assert_eq!(cat.issued().count().expect("count"), 1, "and registered");
}
