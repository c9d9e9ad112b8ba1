//! Delivery over a real SMTP server (aiosmtpd on 127.0.0.1, implicit TLS or STARTTLS with a
//! throwaway openssl certificate, AUTH) and a wallet stand-in: credentials sealed on the harness
//! token, `sealdesk-cli outbox run` while the server is down, then up with faults (connection
//! dropped during DATA, 451, 550); the process aborted at each failpoint between send and
//! commit; `batch issue --send`; every message checked byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{cli, cli_on_token, own_sheet, python, run, stderr, stdout_json};
use sealdesk_tests::services::dead_port;
use sealdesk_tests::{repo_root, TestToken};
use time::OffsetDateTime;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(script: &str, args: &[String]) -> Server {
    let mut child = Command::new(python())
        .arg(repo_root().join("tests/harness").join(script))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("server prints ready");
    assert_eq!(line.trim(), "ready", "{script} is ready");
    Server(child)
}

/// Seals one credential per (name, email) on the harness token; returns their ids and bytes.
fn seal(token: &TestToken, dir: &Path, learners: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, (name, email)) in learners.iter().enumerate() {
        let recipient = dir.join(format!("r{i}.json"));
        std::fs::write(
            &recipient,
            serde_json::json!({"fullName": name, "email": email}).to_string(),
        )
        .expect("recipient");
        let built = dir.join(format!("c{i}.json"));
        let r = run(cli()
            .arg("build")
            .arg("--template")
            .arg(common::sample_template())
            .arg("--recipient")
            .arg(&recipient)
            .arg("--out")
            .arg(&built));
        assert!(r.status.success(), "build: {}", stderr(&r));
        let sealed = dir.join(format!("s{i}.jsonld"));
        let r = run(cli_on_token(token, dir)
            .env("SEALDESK_PIN", &token.pin)
            .arg("seal")
            .arg(&built)
            .arg("--out")
            .arg(&sealed));
        assert!(r.status.success(), "seal: {}", stderr(&r));
        let bytes = std::fs::read(&sealed).expect("sealed file");
        let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let payload: serde_json::Value =
            serde_json::from_str(doc["payload"].as_str().expect("payload")).expect("credential");
        out.push((payload["id"].as_str().expect("id").to_owned(), bytes));
    }
    out
}

/// Seals one credential per (name, email) with `batch issue` (one login), queuing their
/// deliveries when `send`; returns (credential id, sealed bytes, email) in sheet order.
fn issue_batch(
    token: &TestToken,
    dir: &Path,
    learners: &[(&str, &str)],
    send: bool,
) -> (Vec<(String, Vec<u8>, String)>, String) {
    // The same sheet file on a rerun (an xlsx written again differs in its timestamps).
    let sheet = dir.join("learners.xlsx");
    if !sheet.exists() {
        let rows: Vec<Vec<&str>> = learners
            .iter()
            .map(|(name, email)| vec![*name, *email, "1999-05-04"])
            .collect();
        own_sheet(&sheet, &["fullName", "email", "dateOfBirth"], &rows);
    }
    let out_dir = dir.join("out");
    let mut cmd = cli_on_token(token, dir);
    cmd.env("SEALDESK_PIN", &token.pin)
        .args(["batch", "issue", "--template"])
        .arg(repo_root().join("assets/templates/generic-sample.json"))
        .arg("--recipients")
        .arg(&sheet)
        .arg("--out")
        .arg(&out_dir)
        .arg("--json");
    if send {
        cmd.arg("--send");
    }
    let r = run(&mut cmd);
    assert!(r.status.success(), "batch issue: {}", stderr(&r));
    let summary = stdout_json(&r);
    assert_eq!(
        summary["batch"]["stored"],
        learners.len(),
        "every row sealed: {summary}"
    );
    let mut sealed = Vec::new();
    for entry in std::fs::read_dir(&out_dir).expect("out dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("jsonld") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("sealed file");
        let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let payload: serde_json::Value =
            serde_json::from_str(doc["payload"].as_str().expect("payload")).expect("credential");
        let text = payload.to_string();
        let email = learners
            .iter()
            .map(|(_, e)| *e)
            .find(|e| text.contains(&format!("mailto:{e}")))
            .unwrap_or_else(|| panic!("{} names a learner's address", path.display()));
        sealed.push((
            payload["id"].as_str().expect("id").to_owned(),
            bytes,
            email.to_owned(),
        ));
    }
    sealed.sort_by_key(|(_, _, e)| learners.iter().position(|(_, l)| l == e));
    assert_eq!(sealed.len(), learners.len(), "one sealed file per row");
    (sealed, stderr(&r))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn outbox(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(cli()
        .env("SEALDESK_SMTP_PASSWORD", "s3cret")
        .env("SEALDESK_WALLET_TOKEN", "w4llet")
        .env("SEALDESK_NO_KEYRING", "1")
        .arg("--data-dir")
        .arg(dir)
        .arg("outbox")
        .args(args)
        .arg("--json"));
    assert!(out.status.success(), "outbox {args:?}: {}", stderr(&out));
    stdout_json(&out)
}

fn config(dir: &Path, key: &str, value: &str) {
    let out = run(cli()
        .arg("--data-dir")
        .arg(dir)
        .args(["config", "set", key, value]));
    assert!(out.status.success(), "config set {key}: {}", stderr(&out));
}

fn mailbox(maildir: &Path) -> Vec<serde_json::Value> {
    if !maildir.exists() {
        return Vec::new();
    }
    let out = Command::new(python())
        .arg(repo_root().join("tests/harness/smtp_inspect.py"))
        .arg(maildir)
        .output()
        .expect("inspect runs");
    assert!(
        out.status.success(),
        "inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn queue(dir: &Path, ids: &[(String, Vec<u8>)]) -> Vec<i64> {
    let catalogue = sealdesk_flows::open_catalogue(Some(dir)).expect("catalogue");
    let mut jobs = Vec::new();
    for (id, _) in ids {
        let q = sealdesk_flows::deliver::queue(&catalogue, id, None, OffsetDateTime::now_utc())
            .expect("queue");
        assert_eq!(q.queued as usize, q.jobs.len(), "new jobs: {q:?}");
        jobs.extend(q.jobs);
    }
    jobs
}

fn tls_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("smtp.pem"), dir.join("smtp.key"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg("/CN=127.0.0.1")
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

#[test]
fn mails_arrive_once_byte_for_byte_over_tls_through_faults() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tmp");
    let learners = [
        ("Ada Lovelace", "ada@learners.example"),
        ("Bo Øster", "bo@learners.example"),
        ("Cy Gone", "cy@learners.example"),
    ];
    let sealed = seal(token, dir.path(), &learners);
    let (cert, key) = tls_cert(dir.path());
    let port = dead_port();
    for (k, v) in [
        ("smtp.host", "127.0.0.1".to_owned()),
        ("smtp.port", port.to_string()),
        ("smtp.tls", "tls".to_owned()),
        ("smtp.user", "registry".to_owned()),
        ("smtp.from", "Registry <registry@uni.example>".to_owned()),
        ("smtp.ca_file", cert.display().to_string()),
    ] {
        config(dir.path(), k, &v);
    }
    let jobs = queue(dir.path(), &sealed);
    assert_eq!(jobs.len(), 3, "one mail job per credential");

    // Server down: nothing attempted, nothing counted, every job kept.
    let report = outbox(dir.path(), &["run"]);
    assert_eq!(report["attempted"], 0, "offline: no attempt: {report}");
    assert!(
        report["offline"].is_string(),
        "offline reason given: {report}"
    );
    let list = outbox(dir.path(), &["list"]);
    for job in list.as_array().expect("array") {
        assert_eq!(job["state"], "queued", "kept while offline: {job}");
        assert_eq!(job["attempts"], 0, "no attempt counted offline: {job}");
    }

    // Server up: the 1st DATA is dropped, the 2nd gets 451, Cy's address is refused (550).
    let maildir = dir.path().join("maildir");
    let _server = start(
        "smtp_server.py",
        &[
            "--port".into(),
            port.to_string(),
            "--maildir".into(),
            maildir.display().to_string(),
            "--tls".into(),
            "--cert".into(),
            cert.display().to_string(),
            "--key".into(),
            key.display().to_string(),
            "--auth".into(),
            "registry:s3cret".into(),
            "--drop".into(),
            "1".into(),
            "--defer".into(),
            "1".into(),
            "--reject".into(),
            "cy@learners.example".into(),
        ],
    );
    let report = outbox(dir.path(), &["run"]);
    assert_eq!(report["attempted"], 3, "all three tried: {report}");
    assert_eq!(report["retrying"], 2, "dropped + 451 wait: {report}");
    assert_eq!(report["failed"], 1, "550 fails for good: {report}");
    assert!(mailbox(&maildir).is_empty(), "nothing delivered yet");
    let by_id = |list: &serde_json::Value, id: i64| {
        list.as_array()
            .expect("array")
            .iter()
            .find(|j| j["id"] == id)
            .cloned()
            .expect("job listed")
    };
    let list = outbox(dir.path(), &["list"]);
    let (ada, bo, cy) = (
        by_id(&list, jobs[0]),
        by_id(&list, jobs[1]),
        by_id(&list, jobs[2]),
    );
    assert_eq!(cy["state"], "failed", "cy failed: {cy}");
    assert!(
        cy["lastError"]
            .as_str()
            .unwrap_or("")
            .contains("no such user"),
        "the server's reason is shown: {cy}"
    );
    assert_eq!(ada["state"], "retry-at", "ada waits: {ada}");
    assert_eq!(bo["state"], "retry-at", "bo waits: {bo}");
    assert!(
        bo["lastError"].as_str().unwrap_or("").contains("451")
            || bo["lastError"].as_str().unwrap_or("").contains("try again"),
        "451 reason kept: {bo}"
    );
    let ada_first_id = ada["messageId"].as_str().expect("message id").to_owned();
    let bo_first_id = bo["messageId"].as_str().expect("message id").to_owned();

    // Retry now: both go through, once each.
    for id in [jobs[0], jobs[1]] {
        outbox(dir.path(), &["retry", &id.to_string()]);
    }
    let report = outbox(dir.path(), &["run"]);
    assert_eq!(report["done"], 2, "both sent: {report}");
    let report = outbox(dir.path(), &["run"]);
    assert_eq!(report["attempted"], 0, "nothing left to send: {report}");

    let mails = mailbox(&maildir);
    assert_eq!(mails.len(), 2, "exactly one mail per learner: {mails:?}");
    let list = outbox(dir.path(), &["list"]);
    for (i, (name, email)) in learners[..2].iter().enumerate() {
        let mail = mails
            .iter()
            .find(|m| m["headers"]["To"].as_str().unwrap_or("").contains(email))
            .unwrap_or_else(|| panic!("a mail to {email}: {mails:?}"));
        let job = by_id(&list, jobs[i]);
        assert_eq!(job["state"], "sent", "sent: {job}");
        assert_eq!(
            mail["headers"]["Message-ID"], job["messageId"],
            "the Message-ID recorded is the one received"
        );
        assert_eq!(
            mail["headers"]["Subject"], "Your Micro-Credential",
            "EDC subject"
        );
        assert!(
            mail["headers"]["From"]
                .as_str()
                .unwrap_or("")
                .contains("registry@uni.example"),
            "from: {mail}"
        );
        assert!(
            mail["text"].as_str().unwrap_or("").contains(name),
            "plain body names the learner: {mail}"
        );
        assert!(
            mail["html"].as_str().unwrap_or("").contains("<strong>"),
            "html body: {mail}"
        );
        let attachments = mail["attachments"].as_array().expect("attachments");
        assert_eq!(attachments.len(), 1, "one attachment (no PDF made): {mail}");
        assert_eq!(
            attachments[0]["hex"].as_str().expect("hex"),
            hex(&sealed[i].1),
            "the attachment is the sealed file byte for byte"
        );
        assert_eq!(
            attachments[0]["filename"],
            format!("{name} - Micro-Credential.jsonld"),
            "attachment name"
        );
    }
    let ada_mail = mails
        .iter()
        .find(|m| m["headers"]["To"].as_str().unwrap_or("").contains("ada@"))
        .expect("ada");
    assert_eq!(
        ada_mail["headers"]["Message-ID"], ada_first_id,
        "after a connection dropped during DATA the same Message-ID is sent again"
    );
    let bo_mail = mails
        .iter()
        .find(|m| m["headers"]["To"].as_str().unwrap_or("").contains("bo@"))
        .expect("bo");
    assert_ne!(
        bo_mail["headers"]["Message-ID"].as_str().unwrap_or(""),
        bo_first_id,
        "after a 451 (the server kept nothing) the next message has a new id"
    );
}

/// `outbox run --json` with `SEALDESK_FAILPOINT=point`: the process must abort there.
fn run_aborting_at(dir: &Path, point: &str) {
    let out = run(cli()
        .env("SEALDESK_FAILPOINT", point)
        .env("SEALDESK_NO_KEYRING", "1")
        .arg("--data-dir")
        .arg(dir)
        .args(["outbox", "run", "--json"]));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(6),
            "`outbox run` aborted (SIGABRT) at {point}: {:?} {}",
            out.status,
            stderr(&out)
        );
    }
    assert!(!out.status.success(), "aborted at {point}");
}

fn deliveries_of(dir: &Path, kind: &str) -> Vec<serde_json::Value> {
    outbox(dir, &["list"])
        .as_array()
        .expect("array")
        .iter()
        .filter(|j| j["kind"] == kind)
        .cloned()
        .collect()
}

fn plain_smtp(dir: &Path, port: u16) {
    for (k, v) in [
        ("smtp.host", "127.0.0.1".to_owned()),
        ("smtp.port", port.to_string()),
        ("smtp.tls", "none".to_owned()),
        ("smtp.from", "Registry <registry@uni.example>".to_owned()),
    ] {
        config(dir, k, &v);
    }
}

fn message_ids(mails: &[serde_json::Value]) -> Vec<String> {
    mails
        .iter()
        .map(|m| {
            m["headers"]["Message-ID"]
                .as_str()
                .expect("Message-ID")
                .to_owned()
        })
        .collect()
}

#[test]
fn process_aborted_between_send_and_commit_never_doubles_an_acknowledged_mail() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path();
    let learners = [
        ("Ada Lovelace", "ada@learners.example"),
        ("Bo Øster", "bo@learners.example"),
        ("Cy Young", "cy@learners.example"),
    ];
    let (sealed, _) = issue_batch(token, data, &learners, true);
    let port = dead_port();
    plain_smtp(data, port);
    let maildir = data.join("maildir");
    let _server = start(
        "smtp_server.py",
        &[
            "--port".into(),
            port.to_string(),
            "--maildir".into(),
            maildir.display().to_string(),
        ],
    );
    assert_eq!(
        deliveries_of(data, "mail").len(),
        3,
        "one mail queued per sealed row"
    );
    let in_flight = |what: &str| -> serde_json::Value {
        let sending: Vec<_> = deliveries_of(data, "mail")
            .into_iter()
            .filter(|j| j["state"] == "sending")
            .collect();
        assert_eq!(
            sending.len(),
            1,
            "{what}: one mail left `sending`: {sending:?}"
        );
        sending[0].clone()
    };

    // 1. Abort after the Message-ID is recorded, before anything is handed to the server.
    run_aborting_at(data, "deliver-before-send");
    let x = in_flight("before-send");
    assert!(mailbox(&maildir).is_empty(), "nothing reached the server");
    let x_id = x["messageId"].as_str().expect("recorded id").to_owned();

    // 2. Abort after the server's 250, before it is recorded: the server has a copy we don't know of.
    run_aborting_at(data, "deliver-after-send");
    let y = in_flight("after-send");
    assert_ne!(y["id"], x["id"], "the crashed job was taken over first");
    assert!(
        y["acceptedAt"].is_null(),
        "the acceptance was never recorded: {y}"
    );
    let mails = mailbox(&maildir);
    assert_eq!(
        message_ids(&mails),
        vec![y["messageId"].as_str().expect("id").to_owned()],
        "the server holds exactly the message in flight"
    );

    // 3. Abort after the acceptance is recorded, before the job is closed.
    run_aborting_at(data, "deliver-after-accept");
    let z = in_flight("after-accept");
    assert!(z["acceptedAt"].is_string(), "acceptance recorded: {z}");
    assert_ne!(z["id"], x["id"], "a third job");
    assert_ne!(z["id"], y["id"], "a third job");
    let z_id = z["messageId"].as_str().expect("id").to_owned();
    assert_eq!(mailbox(&maildir).len(), 2, "two messages on the server");

    // 4. A normal run: z is closed without sending, x and y go out with their recorded ids.
    let report = outbox(data, &["run"]);
    assert_eq!(
        report["recovered"], 1,
        "the job left sending is taken over: {report}"
    );
    assert_eq!(report["done"], 2, "x and y sent: {report}");
    let report = outbox(data, &["run"]);
    assert_eq!(report["attempted"], 0, "nothing left: {report}");

    let list = deliveries_of(data, "mail");
    for job in &list {
        assert_eq!(job["state"], "sent", "every mail sent in the end: {job}");
    }
    let recorded = |job: &serde_json::Value| {
        list.iter()
            .find(|j| j["id"] == job["id"])
            .and_then(|j| j["messageId"].as_str())
            .expect("recorded id")
            .to_owned()
    };
    assert_eq!(
        recorded(&x),
        x_id,
        "x resent with the Message-ID recorded before the crash"
    );
    assert_eq!(recorded(&z), z_id, "z kept its id");
    let ids = message_ids(&mailbox(&maildir));
    assert_eq!(ids.len(), 4, "x once, y twice, z once: {ids:?}");
    let count = |id: &str| ids.iter().filter(|i| *i == id).count();
    assert_eq!(count(&x_id), 1, "x, aborted before sending, arrives once");
    assert_eq!(
        count(&z_id),
        1,
        "z, whose acceptance was recorded, is not resent"
    );
    assert_eq!(
        count(&recorded(&y)),
        2,
        "y, accepted but never recorded, is the one duplicate, with the same Message-ID"
    );
    let mails = mailbox(&maildir);
    for (id, bytes, email) in &sealed {
        let to_learner: Vec<_> = mails
            .iter()
            .filter(|m| {
                m["headers"]["To"]
                    .as_str()
                    .unwrap_or("")
                    .contains(email.as_str())
            })
            .collect();
        let job = list
            .iter()
            .find(|j| j["subject"] == *id)
            .expect("job of credential");
        let expected = if job["id"] == y["id"] { 2 } else { 1 };
        assert_eq!(to_learner.len(), expected, "mails to {email}");
        for mail in to_learner {
            assert_eq!(
                mail["headers"]["Message-ID"], job["messageId"],
                "recorded id"
            );
            assert!(
                mail["attachments"]
                    .as_array()
                    .expect("attachments")
                    .iter()
                    .any(|a| a["hex"].as_str() == Some(hex(bytes).as_str())),
                "the sealed file is attached byte for byte: {mail}"
            );
        }
    }
}

#[test]
fn wallet_deposits_through_the_outbox_map_every_answer() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path();
    let port = dead_port();
    let log = data.join("wallet.log");
    let _wallet = start(
        "wallet_server.py",
        &[
            "--port".into(),
            port.to_string(),
            "--token".into(),
            "w4llet".into(),
            "--log".into(),
            log.display().to_string(),
            "--locale".into(),
            "en".into(),
            "--statuses".into(),
            "201".into(),
            "--status-for".into(),
            "bo@learners.example=409".into(),
            "--status-for".into(),
            "cy@learners.example=400".into(),
            "--status-for".into(),
            "dee@learners.example=404".into(),
        ],
    );
    config(data, "wallet.url", &format!("http://127.0.0.1:{port}/"));
    let learners = [
        ("Ada Lovelace", "ada@learners.example"),
        ("Bo Øster", "bo@learners.example"),
        ("Cy Young", "cy@learners.example"),
        ("Dee Nowallet", "dee@learners.example"),
    ];
    let (sealed, _) = issue_batch(token, data, &learners, true);
    assert_eq!(
        deliveries_of(data, "wallet").len(),
        4,
        "a deposit queued per sealed row when wallet.url is set"
    );

    let report = outbox(data, &["run"]);
    assert_eq!(report["attempted"], 4, "four deposits tried: {report}");
    assert_eq!(
        report["done"], 2,
        "201 and 409 count as delivered: {report}"
    );
    assert_eq!(report["failed"], 2, "400 and 404 fail for good: {report}");
    let wallet = deliveries_of(data, "wallet");
    let of = |email: &str| {
        let id = &sealed.iter().find(|s| s.2 == email).expect("sealed").0;
        wallet
            .iter()
            .find(|j| j["subject"] == *id)
            .cloned()
            .expect("deposit job")
    };
    assert_eq!(
        of("ada@learners.example")["state"],
        "sent",
        "201 = deposited"
    );
    let bo = of("bo@learners.example");
    assert_eq!(bo["state"], "sent", "409 = already there = success: {bo}");
    assert!(
        bo["lastReply"].as_str().unwrap_or("").contains("409"),
        "409 noted: {bo}"
    );
    let cy = of("cy@learners.example");
    assert_eq!(cy["state"], "failed", "400 fails: {cy}");
    assert!(
        cy["lastError"].as_str().unwrap_or("").contains("invalid"),
        "400 says the wallet finds it invalid: {cy}"
    );
    let dee = of("dee@learners.example");
    assert_eq!(dee["state"], "failed", "404 fails: {dee}");
    assert!(
        dee["lastError"]
            .as_str()
            .unwrap_or("")
            .contains("no Europass wallet"),
        "404 says there is no wallet: {dee}"
    );
    for mail in deliveries_of(data, "mail") {
        assert_eq!(mail["state"], "queued", "no SMTP set: mails wait: {mail}");
        assert_eq!(mail["attempts"], 0, "no attempt counted: {mail}");
    }

    let requests: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .expect("wallet log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(requests.len(), 4, "one request per deposit: {requests:?}");
    for (_, bytes, email) in &sealed {
        let r = requests
            .iter()
            .find(|r| r["target"] == email.as_str())
            .unwrap_or_else(|| panic!("a deposit for {email}: {requests:?}"));
        assert_eq!(
            r["path"],
            format!("/api/v1/wallets/email/{email}/credentials"),
            "by e-mail"
        );
        assert_eq!(
            r["hex"].as_str().expect("hex"),
            hex(bytes),
            "`_credential` is the sealed file byte for byte"
        );
        assert_eq!(
            r["query"]["sendEmail"],
            serde_json::json!(["false"]),
            "sendEmail"
        );
        assert_ne!(r["status"], 401, "bearer token accepted");
    }
}

#[test]
fn batch_issue_send_queues_one_mail_per_row_delivered_over_starttls() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path();
    let learners = [
        ("Ada Lovelace", "ada@learners.example"),
        ("Bo Øster", "bo@learners.example"),
    ];
    let (sealed, log) = issue_batch(token, data, &learners, true);
    assert!(
        log.contains("2 delivery job(s) queued"),
        "--send queues the batch's mails: {log}"
    );
    let mails = deliveries_of(data, "mail");
    assert_eq!(mails.len(), 2, "one mail per sealed row: {mails:?}");
    for ((id, _, _), (name, _)) in sealed.iter().zip(&learners) {
        let mail = mails
            .iter()
            .find(|m| m["subject"] == *id)
            .unwrap_or_else(|| panic!("a mail for {id}: {mails:?}"));
        assert_eq!(
            mail["learner"], *name,
            "the outbox names the learner: {mail}"
        );
    }
    // Issuing again with --send finds everything sealed and queued: nothing doubles.
    let (_, log) = issue_batch(token, data, &learners, true);
    assert!(
        log.contains("0 delivery job(s) queued, 2 already there"),
        "a second --send queues nothing new: {log}"
    );

    let (cert, key) = tls_cert(data);
    let port = dead_port();
    for (k, v) in [
        ("smtp.host", "127.0.0.1".to_owned()),
        ("smtp.port", port.to_string()),
        ("smtp.tls", "starttls".to_owned()),
        ("smtp.user", "registry".to_owned()),
        ("smtp.from", "Registry <registry@uni.example>".to_owned()),
        ("smtp.ca_file", cert.display().to_string()),
    ] {
        config(data, k, &v);
    }
    let maildir = data.join("maildir");
    let _server = start(
        "smtp_server.py",
        &[
            "--port".into(),
            port.to_string(),
            "--maildir".into(),
            maildir.display().to_string(),
            "--starttls".into(),
            "--cert".into(),
            cert.display().to_string(),
            "--key".into(),
            key.display().to_string(),
            "--auth".into(),
            "registry:s3cret".into(),
        ],
    );
    let report = outbox(data, &["run"]);
    assert_eq!(
        report["done"], 2,
        "both sent over STARTTLS with AUTH: {report}"
    );
    let received = mailbox(&maildir);
    assert_eq!(received.len(), 2, "one mail per learner: {received:?}");
    let list = deliveries_of(data, "mail");
    for (id, bytes, email) in &sealed {
        let mail = received
            .iter()
            .find(|m| {
                m["headers"]["To"]
                    .as_str()
                    .unwrap_or("")
                    .contains(email.as_str())
            })
            .unwrap_or_else(|| panic!("a mail to {email}"));
        let job = list.iter().find(|j| j["subject"] == *id).expect("job");
        assert_eq!(
            mail["headers"]["Message-ID"], job["messageId"],
            "recorded id"
        );
        let attachments = mail["attachments"].as_array().expect("attachments");
        assert!(
            attachments
                .iter()
                .any(|a| a["hex"].as_str() == Some(hex(bytes).as_str())),
            "the sealed file is attached byte for byte: {mail}"
        );
    }
}
