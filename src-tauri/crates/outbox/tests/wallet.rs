//! The Europass wallet deposit against a local stand-in speaking the documented protocol
//! (`tests/harness/wallet_server.py`, Python's http.server on 127.0.0.1): by wallet address and
//! by e-mail, the multipart part `_credential` carrying the sealed bytes verbatim, the bearer
//! token, `sendEmail` and `locale` (checked by the stand-in); 200/201 deposited, 409 already
//! there, 400/404/401 refused with the wallet's words, a dead port offline.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sealdesk_outbox::{deposit, Deposit, DepositOutcome, WalletTarget};
use secrecy::SecretString;

struct StandIn {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn stand_in(dir: &Path, args: &[&str]) -> StandIn {
    let port = free_port();
    let log = dir.join("wallet.log");
    let mut child = Command::new(std::env::var_os("SEALDESK_PYTHON").unwrap_or("python3".into()))
        .arg(repo_root().join("tests/harness/wallet_server.py"))
        .args(["--port", &port.to_string(), "--token", "w4llet", "--log"])
        .arg(&log)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the wallet stand-in");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the stand-in prints ready");
    assert_eq!(line.trim(), "ready", "the wallet stand-in is listening");
    StandIn {
        child,
        url: format!("http://127.0.0.1:{port}/edci-wallet/"),
        log,
    }
}

/// The stand-in's log: one JSON object per request.
fn requests(log: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("log line is JSON"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes a careless client would alter: CRLF, a lone LF, a boundary-like line, non-UTF-8.
fn sealed_bytes() -> Vec<u8> {
    let mut b = br#"{"payload":"{\"id\":\"urn:credential:1\"}","signatures":[]}"#.to_vec();
    b.extend_from_slice(b"\r\n--sealdesk-\r\n\n\xff\x00 end");
    b
}

fn put(
    url: &str,
    token: &str,
    target: &WalletTarget,
    credential: &[u8],
    locale: &str,
) -> DepositOutcome {
    deposit(
        url,
        Some(&SecretString::from(token.to_owned())),
        &Deposit {
            target,
            credential,
            file_name: "Ada Lovelace - Micro-Credential.jsonld",
            send_email: true,
            locale,
        },
        Duration::from_secs(10),
    )
}

#[test]
fn deposits_by_address_and_by_email_carry_the_sealed_bytes_verbatim() {
    let dir = tempfile::tempdir().expect("tmp");
    let wallet = stand_in(
        dir.path(),
        &[
            "--statuses",
            "201",
            "--locale",
            "fr",
            "--status-for",
            "abc123=200",
        ],
    );
    let sealed = sealed_bytes();

    let by_address = put(
        &wallet.url,
        "w4llet",
        &WalletTarget::Address("https://europa.eu/europass/wallet/abc123".into()),
        &sealed,
        "fr",
    );
    assert_eq!(
        by_address,
        DepositOutcome::Deposited { status: 200 },
        "deposit by wallet address"
    );
    let by_email = put(
        &wallet.url,
        "w4llet",
        &WalletTarget::Email("ada+edc@learners.example".into()),
        &sealed,
        "fr",
    );
    assert_eq!(
        by_email,
        DepositOutcome::Deposited { status: 201 },
        "deposit by e-mail"
    );

    let log = requests(&wallet.log);
    assert_eq!(log.len(), 2, "two requests reached the wallet: {log:?}");
    assert_eq!(
        log[0]["path"], "/edci-wallet/api/v1/wallets/abc123/credentials",
        "address path under the wallet base"
    );
    assert_eq!(
        log[1]["path"], "/edci-wallet/api/v1/wallets/email/ada%2Bedc@learners.example/credentials",
        "e-mail path under the wallet base, `+` percent-encoded"
    );
    assert_eq!(
        log[1]["target"], "ada+edc@learners.example",
        "the e-mail arrives intact"
    );
    for request in &log {
        assert_eq!(
            request["hex"].as_str().expect("hex"),
            hex(&sealed),
            "the `_credential` part is the sealed file byte for byte: {request}"
        );
        assert_eq!(
            request["filename"], "Ada Lovelace - Micro-Credential.jsonld",
            "the part's file name"
        );
        assert_eq!(
            request["query"]["sendEmail"],
            serde_json::json!(["true"]),
            "sendEmail passed"
        );
        assert_eq!(
            request["query"]["locale"],
            serde_json::json!(["fr"]),
            "locale passed"
        );
    }
}

#[test]
fn wallet_answers_map_to_clear_outcomes() {
    let dir = tempfile::tempdir().expect("tmp");
    let wallet = stand_in(
        dir.path(),
        &[
            "--statuses",
            "201",
            "--status-for",
            "there@x.eu=409",
            "--status-for",
            "broken@x.eu=400",
            "--status-for",
            "nobody@x.eu=404",
            "--status-for",
            "busy@x.eu=503",
        ],
    );
    let sealed = sealed_bytes();
    let email = |e: &str| WalletTarget::Email(e.to_owned());

    assert_eq!(
        put(&wallet.url, "w4llet", &email("there@x.eu"), &sealed, "en"),
        DepositOutcome::AlreadyThere,
        "409 = the wallet already holds it"
    );
    match put(&wallet.url, "w4llet", &email("broken@x.eu"), &sealed, "en") {
        DepositOutcome::Invalid { reason } => assert!(
            reason.contains("400") && reason.contains("invalid credential"),
            "400 keeps the status and the wallet's words: {reason}"
        ),
        other => panic!("400 must be Invalid, got {other:?}"),
    }
    match put(&wallet.url, "w4llet", &email("nobody@x.eu"), &sealed, "en") {
        DepositOutcome::NoWallet { reason } => assert!(
            reason.contains("404") && reason.contains("wallet not found"),
            "404 keeps the status and the wallet's words: {reason}"
        ),
        other => panic!("404 must be NoWallet, got {other:?}"),
    }
    assert!(
        matches!(
            put(&wallet.url, "w4llet", &email("busy@x.eu"), &sealed, "en"),
            DepositOutcome::Unavailable { .. }
        ),
        "503 is worth trying later"
    );
    assert!(
        matches!(
            put(&wallet.url, "wrong", &email("ada@x.eu"), &sealed, "en"),
            DepositOutcome::Unauthorised { .. }
        ),
        "a wrong bearer token is refused (401)"
    );
    let log = requests(&wallet.log);
    assert_eq!(log.len(), 5, "every request reached the stand-in: {log:?}");
    assert_eq!(log[4]["status"], 401, "the stand-in checked the token");

    let dead = format!("http://127.0.0.1:{}/", free_port());
    assert!(
        matches!(
            put(&dead, "w4llet", &email("ada@x.eu"), &sealed, "en"),
            DepositOutcome::Offline { .. }
        ),
        "nobody listening = offline"
    );
}
