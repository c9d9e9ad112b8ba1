//! `sealdesk-cli outbox list|run|retry` on a catalogue with a credential sealed on the harness
//! token, against the local TSA/OCSP/CRL services (down, then up).

mod common;

use common::{build_sample, cli, cli_on_token, run, stderr, stdout_json};
use sealdesk_tests::services::{dead_port, ServicesPki};
use sealdesk_tests::TestToken;
use time::OffsetDateTime;

#[test]
fn outbox_runs_softly_offline_and_reaches_b_lta_when_up() {
    let token = &TestToken::create();
    let pki = ServicesPki::create(&token.dir);
    let dir = tempfile::tempdir().expect("temp dir");
    let credential = build_sample(dir.path());
    let out = run(cli_on_token(token, dir.path())
        .env("SEALDESK_PIN", &token.pin)
        .arg("seal")
        .arg(&credential)
        .arg("--out")
        .arg(dir.path().join("sealed.jsonld"))
        .arg("--json"));
    assert!(out.status.success(), "seal: {}", stderr(&out));
    let id = stdout_json(&out)["credential"]["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let cat = sealdesk_flows::open_catalogue(Some(dir.path())).ok()?;
            cat.issued()
                .list()
                .ok()?
                .first()
                .map(|c| c.credential_id.clone())
        })
        .expect("the sealed credential id");
    // Sealing queued the augmentation job; queueing again is idempotent and names the same job.
    let catalogue = sealdesk_flows::open_catalogue(Some(dir.path())).expect("catalogue");
    let queued = sealdesk_flows::augment::list(&catalogue).expect("jobs");
    assert_eq!(
        queued.len(),
        1,
        "sealing queued exactly one job: {queued:?}"
    );
    let job_id =
        sealdesk_flows::augment::queue(&catalogue, &id, OffsetDateTime::now_utc()).expect("queue");
    assert_eq!(job_id, queued[0].id, "queue is idempotent for an open job");
    drop(catalogue);

    let outbox = |args: &[&str]| {
        run(cli()
            .arg("--data-dir")
            .arg(dir.path())
            .arg("outbox")
            .args(args))
    };

    let port = dead_port();
    let tsa_down = format!("http://127.0.0.1:{port}/tsa");
    let out = outbox(&["run", "--tsa", &tsa_down, "--json"]);
    assert!(
        out.status.success(),
        "offline run exits 0: {}",
        stderr(&out)
    );
    let report = stdout_json(&out);
    assert_eq!(report["attempted"], 1, "one job attempted: {report}");
    assert_eq!(report["retrying"], 1, "kept for a retry: {report}");

    let out = outbox(&["list", "--json"]);
    let jobs = stdout_json(&out);
    assert_eq!(
        jobs[0]["state"], "queued",
        "queued after the offline attempt: {jobs}"
    );
    assert_eq!(jobs[0]["attempts"], 1, "one attempt counted: {jobs}");

    let out = outbox(&["run", "--tsa", &tsa_down, "--json"]);
    assert_eq!(
        stdout_json(&out)["attempted"],
        0,
        "not due during the back-off"
    );

    let live = pki.start();
    for (key, value) in [
        ("tsa.url", live.tsa_url()),
        ("ocsp.url", live.ocsp_url()),
        (
            "crl.urls",
            format!("{} {}", live.tsa_crl_url(), live.seal_crl_url()),
        ),
    ] {
        let out = run(cli()
            .arg("--data-dir")
            .arg(dir.path())
            .args(["config", "set", key, &value]));
        assert!(out.status.success(), "config set {key}: {}", stderr(&out));
    }
    let out = outbox(&["retry", &job_id.to_string(), "--json"]);
    assert!(out.status.success(), "retry: {}", stderr(&out));
    let out = outbox(&["run", "--json"]);
    assert!(out.status.success(), "run: {}", stderr(&out));
    let report = stdout_json(&out);
    assert_eq!(
        report["done"], 1,
        "augmented once the services are up: {report}"
    );

    let out = outbox(&["list", "--json"]);
    let jobs = stdout_json(&out);
    let kinds: Vec<(&str, &str)> = jobs
        .as_array()
        .expect("array")
        .iter()
        .map(|j| {
            (
                j["kind"].as_str().unwrap_or(""),
                j["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(kinds.contains(&("augment", "done")), "augment done: {jobs}");
    assert!(
        kinds.contains(&("renew-archive", "queued")),
        "renewal scheduled: {jobs}"
    );

    let out = outbox(&["retry", "424242"]);
    assert!(!out.status.success(), "an unknown job is refused");
    assert!(
        stderr(&out).contains("not found"),
        "says so: {}",
        stderr(&out)
    );
}
