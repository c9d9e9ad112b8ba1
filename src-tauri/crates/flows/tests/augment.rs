//! A credential sealed offline on the harness token reaches B-LTA once the local TSA, OCSP
//! responder and CRLs come up; until then its job waits with back-off.

use sealdesk_flows::augment::{self, AugmentServices};
use sealdesk_flows::{seal_sample, Catalogue, DeviceSelector, SealConsent, TrustAnchors};
use sealdesk_seal::verify::{verify, BaselineLevel, Status};
use sealdesk_tests::services::{dead_port, ServicesPki};
use sealdesk_tests::TestToken;
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

#[test]
fn sealed_offline_then_b_lta_when_the_services_come_up() {
    let token = TestToken::shared();
    let pki = ServicesPki::create(&token.dir);
    let dir = tempfile::tempdir().expect("tempdir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite")).expect("catalogue");
    let now = OffsetDateTime::now_utc();
    let sel = DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    };
    let sealed = seal_sample(
        &catalogue,
        &sel,
        SecretString::from(token.pin.clone()),
        SealConsent::default(),
        now,
    )
    .expect("seal");
    let id = &sealed.credential_id;
    let queued = augment::list(&catalogue).expect("list");
    assert!(
        queued.len() == 1 && queued[0].subject == *id && queued[0].state == "queued",
        "sealing queues the augmentation of that credential: {queued:?}"
    );

    // Services down: the attempt fails softly, the job waits.
    let port = dead_port();
    let down = AugmentServices {
        tsa_url: format!("http://127.0.0.1:{port}/tsa"),
        ocsp_url: Some(format!("http://127.0.0.1:{port}/ocsp")),
        crl_urls: vec![format!("http://127.0.0.1:{port}/crl/tsa-ca.crl")],
        extra_certs: Vec::new(),
        timeout: std::time::Duration::from_secs(5),
    };
    let report = augment::run_due(&catalogue, &down, now).expect("offline is not an error");
    assert_eq!(
        (report.attempted, report.retrying, report.done),
        (1, 1, 0),
        "one attempt, kept for later: {report:?}"
    );
    let job = &augment::list(&catalogue).expect("list")[0];
    assert_eq!(job.state, "queued", "the job stays queued: {job:?}");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("cannot reach"),
        "the error says why: {job:?}"
    );
    assert!(
        catalogue
            .issued_versions()
            .latest(id)
            .expect("versions")
            .is_none(),
        "nothing stored yet"
    );
    let again = augment::run_due(&catalogue, &down, now).expect("run");
    assert_eq!(again.attempted, 0, "not due again during the back-off");

    // Services up (settings as a user would set them); an hour later the job is due and done.
    let live = pki.start();
    let settings = catalogue.settings();
    settings
        .set(augment::SETTING_TSA_URL, &live.tsa_url())
        .expect("set");
    settings
        .set(augment::SETTING_OCSP_URL, &live.ocsp_url())
        .expect("set");
    settings
        .set(
            augment::SETTING_CRL_URLS,
            &format!("{} {}", live.tsa_crl_url(), live.seal_crl_url()),
        )
        .expect("set");
    let up = AugmentServices::from_settings(&catalogue)
        .expect("settings")
        .expect("tsa set");
    let later = now + Duration::hours(1);
    let report = augment::run_due(&catalogue, &up, later).expect("run");
    assert_eq!(
        (report.attempted, report.done),
        (1, 1),
        "done once up: {report:?}"
    );

    let version = catalogue
        .issued_versions()
        .latest(id)
        .expect("versions")
        .expect("stored");
    assert_eq!(version.level, "B-LTA", "stored as B-LTA");
    let original = catalogue.issued().get(id).expect("get").expect("issued");
    assert_eq!(
        original.sealed, sealed.sealed,
        "the B-B original is kept as sealed"
    );
    let anchors = TrustAnchors::from_der_certificates([
        &token.ca_cert_der()[..],
        &pki.read("tsa-ca.der")[..],
    ])
    .expect("anchors");
    let verdict = verify(&version.sealed, &anchors, later).expect("verify");
    let s = &verdict.signatures[0];
    assert_eq!(s.level, BaselineLevel::BLTA, "B-LTA");
    assert_eq!(
        s.integrity.status,
        Status::Ok,
        "intact: {}",
        s.integrity.message
    );
    assert_eq!(
        s.timestamps.status,
        Status::Ok,
        "timestamps: {}",
        s.timestamps.message
    );
    assert_eq!(
        s.revocation.status,
        Status::Ok,
        "revocation: {}",
        s.revocation.message
    );
    assert_eq!(
        verdict.payload,
        sealdesk_seal::verify::verify(&sealed.sealed, &anchors, now)
            .expect("v")
            .payload,
        "same payload bytes"
    );

    // A renewal is scheduled before the TSA certificate expires.
    let jobs = augment::list(&catalogue).expect("list");
    let renewal = jobs
        .iter()
        .find(|j| j.kind == augment::RENEW_ARCHIVE)
        .expect("renewal queued");
    assert_eq!(renewal.state, "queued", "renewal waits: {renewal:?}");
    assert!(
        renewal.next_attempt_at
            > later
                .format(&time::format_description::well_known::Rfc3339)
                .expect("fmt"),
        "renewal is in the future: {renewal:?}"
    );
}
