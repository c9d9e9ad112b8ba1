//! `sealdesk-cli token list --json`, `token test` and `config set token.module` on the harness
//! token (real binary, real SoftHSM2, real catalogue in a temporary folder).

mod common;

use common::*;
use sealdesk_tests::TestToken;

#[test]
fn token_list_json_shows_every_key_with_class_expiry_and_algorithms() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(cli_on_token(token, dir.path()).args(["token", "list", "--json"]));
    assert!(out.status.success(), "token list: {}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(json["moduleSource"], "environment", "module from the env");
    assert!(json["readers"].is_object(), "readers reported: {json}");
    let keys = json["tokens"][0]["keys"].as_array().expect("keys array");
    let by_id = |id: &str| {
        keys.iter()
            .find(|k| k["keyId"] == id)
            .unwrap_or_else(|| panic!("key {id} in {keys:?}"))
    };
    assert_eq!(by_id("01")["class"], "qualifiedSeal", "01");
    assert_eq!(by_id("02")["class"], "expired", "02");
    assert_eq!(by_id("03")["class"], "signatureCertificate", "03");
    assert_eq!(by_id("05")["algorithm"], "ES384", "05");
    assert_eq!(by_id("01")["expiresSoon"], false, "01 has two years");
    assert!(
        by_id("01")["algorithms"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "PS384")),
        "01 algorithms: {}",
        by_id("01")["algorithms"]
    );
    assert_eq!(json["tokens"][0]["pin"]["locked"], false, "PIN state shown");
}

#[test]
fn token_test_signs_and_verifies() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(cli_on_token(token, dir.path())
        .args(["token", "test", "--json", "--key-id", "05"])
        .env("SEALDESK_PIN", &token.pin));
    assert!(out.status.success(), "token test: {}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(json["verified"], true, "openssl verified: {json}");
    assert_eq!(json["algorithm"], "ES384", "key 05");
    let wrong = run(cli_on_token(token, dir.path())
        .args(["token", "test"])
        .env("SEALDESK_PIN", "999999"));
    assert_eq!(
        wrong.status.code(),
        Some(5),
        "wrong PIN exit code: {}",
        stderr(&wrong)
    );
}

#[test]
fn config_set_token_module_is_remembered_and_used() {
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let set = run(cli_on_token(token, dir.path())
        .args(["config", "set", "token.module"])
        .arg(&token.module));
    assert!(set.status.success(), "config set: {}", stderr(&set));
    let get = run(cli_on_token(token, dir.path()).args(["config", "get", "token.module"]));
    assert_eq!(
        String::from_utf8_lossy(&get.stdout).trim(),
        token.module.display().to_string(),
        "config get shows it"
    );
    // No module in the environment now: the remembered one is used.
    let out = run(cli_on_token(token, dir.path())
        .env_remove("SEALDESK_PKCS11_MODULE")
        .args(["token", "list", "--json"]));
    assert!(out.status.success(), "token list: {}", stderr(&out));
    let json = stdout_json(&out);
    assert_eq!(
        json["moduleSource"], "remembered",
        "remembered module: {json}"
    );
    assert_eq!(
        json["tokens"][0]["label"],
        token.label.as_str(),
        "its token"
    );

    let missing = run(cli_on_token(token, dir.path()).args([
        "config",
        "set",
        "token.module",
        "/nonexistent/libnothing.so",
    ]));
    assert_eq!(
        missing.status.code(),
        Some(4),
        "missing module: {}",
        stderr(&missing)
    );
    let unknown = run(cli_on_token(token, dir.path()).args(["config", "set", "colour", "red"]));
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "unknown key: {}",
        stderr(&unknown)
    );
}

#[test]
fn discovery_probes_modules_in_child_processes() {
    // No module given or remembered: the CLI probes the known modules (itself, re-run with
    // SEALDESK_PKCS11_PROBE) and lists what each said.
    let token = &TestToken::create();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(cli()
        .env("SOFTHSM2_CONF", &token.softhsm_conf)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["token", "list", "--json"]));
    assert!(out.status.success(), "token list: {}", stderr(&out));
    let json = stdout_json(&out);
    let installed = sealdesk_token::installed_modules();
    let candidates = json["moduleCandidates"].as_array().expect("candidates");
    assert_eq!(
        candidates.len(),
        installed.len(),
        "every installed known module probed: {json}"
    );
    if installed.iter().any(|m| m.path == token.module) {
        assert_eq!(json["moduleSource"], "discovered", "discovered");
        assert!(
            json["tokens"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["label"] == token.label.as_str())),
            "the harness token found by discovery: {json}"
        );
    }
}
