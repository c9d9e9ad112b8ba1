//! Tests of the shell without a display: the committed TypeScript bindings are current,
//! arguments parse, and the commands answer over Tauri's mock IPC against a real SoftHSM2
//! token made by `tests/harness/mktoken.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sealdesk_catalogue::Catalogue;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

use super::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the app on the mock runtime with our commands, our capabilities and `state`.
fn mock_app(state: AppState) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder()
        .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
        .manage(state)
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the mock app builds from tauri.conf.json");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the main window opens on the mock runtime");
    (app, window)
}

/// Invokes `cmd` as the window would; `Err` carries the rejected value.
fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("static url parses"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| {
        body.deserialize::<Value>()
            .expect("a command answer is JSON")
    })
}

#[test]
fn committed_bindings_match_the_commands() {
    let committed = repo_root().join("ui/src/lib/ipc/bindings.ts");
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = dir.path().join("bindings.ts");
    specta_builder::<tauri::Wry>()
        .export(specta_typescript::Typescript::default(), &fresh)
        .expect("bindings export (no i64/u64/usize at the IPC boundary)");
    let fresh_text = std::fs::read_to_string(&fresh).expect("exported bindings readable");
    if std::env::var_os("SEALDESK_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh_text).expect("write ui/src/lib/ipc/bindings.ts");
    }
    let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed_text == fresh_text,
        "ui/src/lib/ipc/bindings.ts is out of date with the Rust commands: run \
         `SEALDESK_UPDATE_BINDINGS=1 cargo test -p sealdesk committed_bindings` and commit it"
    );
}

/// A command the window calls must also be declared in build.rs and allowed in the capability,
/// else Tauri refuses it at run time ("not allowed"), which no compiler sees.
#[test]
fn every_command_is_declared_and_allowed() {
    let text = |path: &str| {
        std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    // `__TAURI_INVOKE<Type>("name", …)`: the first quoted word after each call.
    let called: std::collections::BTreeSet<String> = text("ui/src/lib/ipc/bindings.ts")
        .split("__TAURI_INVOKE<")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1))
        .map(str::to_owned)
        .collect();
    assert!(
        called.len() > 40,
        "the bindings' commands were found: {called:?}"
    );
    let build = text("src-tauri/build.rs");
    let list = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("build.rs lists COMMANDS");
    let declared: std::collections::BTreeSet<String> = list
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let capability: Value =
        serde_json::from_str(&text("src-tauri/capabilities/main.json")).expect("capability JSON");
    let allowed: std::collections::BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    let undeclared: Vec<_> = called.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "called but not in build.rs COMMANDS: {undeclared:?}"
    );
    let refused: Vec<_> = called.difference(&allowed).collect();
    assert!(
        refused.is_empty(),
        "called but not allowed in capabilities/main.json: {refused:?}"
    );
}

#[test]
fn data_dir_comes_from_either_argument_form() {
    let parse = |args: &[&str]| data_dir_argument(args.iter().map(OsString::from));
    assert_eq!(
        parse(&["--data-dir", "/tmp/a"]).expect("two-word form parses"),
        Some(PathBuf::from("/tmp/a")),
        "`--data-dir DIR` names the data directory"
    );
    assert_eq!(
        parse(&["--verbose", "--data-dir=/tmp/b"]).expect("= form parses"),
        Some(PathBuf::from("/tmp/b")),
        "`--data-dir=DIR` names the data directory"
    );
    assert_eq!(
        parse(&["--other"]).expect("no flag parses"),
        None,
        "without the flag the environment or platform decides"
    );
    assert!(
        matches!(
            parse(&["--data-dir"]),
            Err(AppError::DataDirArgumentMissing)
        ),
        "a bare --data-dir is an error, not the current directory"
    );
    assert!(
        matches!(
            parse(&["--data-dir="]),
            Err(AppError::DataDirArgumentMissing)
        ),
        "an empty --data-dir= is an error"
    );
}

#[test]
fn a_flow_error_crosses_ipc_with_its_code_and_sentence() {
    let error = sealdesk_flows::FlowError::NoDataDir;
    let sentence = error.to_string();
    let ipc = serde_json::to_value(IpcError::from(error)).expect("IpcError serializes");
    assert_eq!(
        ipc,
        json!({ "code": "Storage", "message": sentence }),
        "the window gets the flow's code and its sentence unchanged, as {{code, message}}"
    );
}

#[test]
fn sealing_without_a_module_says_the_token_is_missing() {
    let catalogue = Catalogue::open_in_memory().expect("in-memory catalogue");
    let selector = DeviceSelector {
        module: Some(PathBuf::from("/nonexistent/sealdesk-test/libnothing.so")),
        token_label: Some("NOPE".into()),
        key_id: None,
    };
    let (_app, window) = mock_app(AppState::new(catalogue, selector, Instant::now()));
    let error = invoke(
        &window,
        "seal_sample",
        json!({ "pin": "not-used-0000", "confirmFinalTry": false, "acceptNonSeal": false }),
    )
    .expect_err("sealing cannot succeed without a PKCS#11 module");
    assert_eq!(
        error["code"], "TokenMissing",
        "a missing module must reach the UI as TokenMissing, got {error}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        !message.is_empty() && !message.contains("not-used-0000"),
        "the message must say something and never echo the PIN: {message:?}"
    );
}

/// The O of a certificate, read with the openssl CLI (not with our own parser).
fn certificate_organisation(cert_pem: &str) -> String {
    let out = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "multiline,-esc_msb,utf8",
            "-in",
        ])
        .arg(cert_pem)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl x509 failed on {cert_pem}");
    let text = String::from_utf8(out.stdout).expect("openssl prints UTF-8");
    text.lines()
        .filter_map(|line| line.trim().split_once('='))
        .find(|(key, _)| key.trim() == "organizationName")
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_else(|| panic!("no organizationName in the subject of {cert_pem}: {text}"))
}

/// All token work in one test: SOFTHSM2_CONF is process-wide, so no two tests may set it.
#[test]
fn commands_answer_from_a_real_softhsm_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token_dir = dir.path().join("token");
    let pin = "app-7391-pin";
    let label = "APPTEST";
    let made = Command::new(repo_root().join("tests/harness/mktoken.sh"))
        .arg(&token_dir)
        .arg(label)
        .env("SEALDESK_TEST_PIN", pin)
        .status()
        .expect("tests/harness/mktoken.sh runs");
    assert!(
        made.success(),
        "mktoken.sh failed: see {}/mktoken.log",
        token_dir.display()
    );
    let facts: Value = serde_json::from_str(
        &std::fs::read_to_string(token_dir.join("token.json")).expect("token.json written"),
    )
    .expect("token.json is JSON");
    let text = |v: &Value| {
        v.as_str()
            .expect("token.json field is a string")
            .to_string()
    };
    std::env::set_var("SOFTHSM2_CONF", text(&facts["softhsm2_conf"]));
    let holder = certificate_organisation(&text(&facts["keys"][0]["cert_pem"]));

    let data = dir.path().join("data");
    let selector = DeviceSelector {
        module: Some(PathBuf::from(text(&facts["module"]))),
        token_label: Some(label.into()),
        key_id: None,
    };
    let state = start(&data, selector, Instant::now()).expect("start() prepares the data dir");
    assert!(
        data.join(CATALOGUE_FILE).is_file(),
        "start() creates the catalogue in the data dir"
    );
    let (_app, window) = mock_app(state);

    let status = invoke(&window, "device_status", json!({})).expect("device_status answers");
    let token = &status["tokens"][0];
    assert_eq!(
        token["label"], label,
        "the panel's token is the harness token: {status}"
    );
    assert_eq!(
        token["isTest"], true,
        "a SoftHSM2 token with a test CA is a test token"
    );
    assert_eq!(
        token["seal"]["holder"],
        holder.as_str(),
        "the holder shown is the O of the token's seal certificate"
    );

    let refused = invoke(
        &window,
        "seal_sample",
        json!({ "pin": "000000", "confirmFinalTry": false, "acceptNonSeal": false }),
    )
    .expect_err("a wrong PIN must be refused");
    assert_eq!(refused["code"], "PinIncorrect", "wrong PIN code: {refused}");

    let report = invoke(
        &window,
        "seal_sample",
        json!({ "pin": pin, "confirmFinalTry": false, "acceptNonSeal": false }),
    )
    .expect("the right PIN seals the sample");
    assert_eq!(report["sealed"], true, "the report says sealed: {report}");
    assert_eq!(report["intact"], true, "a fresh seal is intact: {report}");
    let checks = report["checks"].as_array().expect("checks is a list");
    let seal_check = checks.iter().find(|c| c["check"] == "seal");
    assert_eq!(
        seal_check.map(|c| &c["status"]),
        Some(&json!("ok")),
        "the seal check is ok: {report}"
    );
    assert!(
        !report.to_string().contains(pin),
        "the PIN never travels back over IPC"
    );

    let tested = invoke(
        &window,
        "test_seal",
        json!({ "pin": pin, "confirmFinalTry": false }),
    )
    .expect("Test my seal signs with the right PIN");
    assert_eq!(
        tested["verified"], true,
        "openssl verifies the test signature: {tested}"
    );
    assert_eq!(
        tested["signer"],
        holder.as_str(),
        "the test names the certificate holder: {tested}"
    );
    assert_eq!(
        status["tokens"][0]["seal"]["class"], "qualifiedSeal",
        "the harness default key is a qualified seal: {status}"
    );

    let chosen = invoke(
        &window,
        "remember_module",
        json!({ "path": text(&facts["module"]) }),
    )
    .expect("the harness module can be remembered");
    assert_eq!(
        chosen["path"], facts["module"],
        "the remembered module is the one chosen: {chosen}"
    );
    let missing = "/nonexistent/sealdesk-test/libnothing.so";
    let refused = invoke(&window, "remember_module", json!({ "path": missing }))
        .expect_err("a module file that does not exist is refused");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("libnothing.so")),
        "the refusal names the file: {refused}"
    );

    let log = std::fs::read_to_string(data.join("logs").join(LOG_FILE)).expect("log file written");
    assert!(
        log.contains("sample credential sealed"),
        "sealing is logged: {log}"
    );
    assert!(
        !log.contains(pin) && !log.contains("000000"),
        "no PIN, right or wrong, reaches the log"
    );
}

#[test]
fn template_commands_create_preview_link_a_skill_and_save() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Not `start()`: the log subscriber is process-wide and belongs to the token test.
    let catalogue = Catalogue::open(&dir.path().join(CATALOGUE_FILE)).expect("catalogue opens");
    let state = AppState::new(catalogue, DeviceSelector::default(), Instant::now());
    let (_app, window) = mock_app(state);

    let created = invoke(
        &window,
        "create_template",
        json!({ "name": "IPC micro-credential", "start": "microCredential" }),
    )
    .expect("create_template answers");
    let id = created["template"]["summary"]["id"]
        .as_str()
        .expect("the new template has an id")
        .to_owned();
    assert_eq!(
        created["template"]["summary"]["version"], 1,
        "a new template is version 1: {created}"
    );
    let mut form = created["form"].clone();

    let skills = invoke(&window, "search_skills", json!({ "text": "python" }))
        .expect("search_skills answers");
    let skill = skills[0]["concept"].clone();
    assert!(
        skill["id"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://data.europa.eu/esco/skill/")),
        "the type-ahead offers ESCO skills as form values: {skills}"
    );
    form["learningOutcomes"][0]["escoSkills"]
        .as_array_mut()
        .expect("outcome 0 has a skill list")
        .push(skill.clone());

    let preview = invoke(
        &window,
        "preview_template",
        json!({ "id": id, "form": form }),
    )
    .expect("preview_template answers");
    let listed = preview["outcomes"][0]["skills"]
        .as_array()
        .expect("the preview lists skills")
        .iter()
        .any(|s| s["uri"] == skill["id"]);
    assert!(listed, "the preview shows the linked skill: {preview}");
    assert_eq!(
        preview["annex1"]
            .as_array()
            .expect("annex1 list")
            .iter()
            .filter(|e| e["mandatory"] == true)
            .count(),
        11,
        "the preview carries the 11 mandatory Annex I elements"
    );

    let saved = invoke(
        &window,
        "save_template",
        json!({ "id": id, "name": "IPC micro-credential", "form": form }),
    )
    .expect("save_template answers");
    assert_eq!(
        saved["template"]["summary"]["version"], 2,
        "saving makes version 2: {saved}"
    );
    let list = invoke(
        &window,
        "list_templates",
        json!({ "includeArchived": false }),
    )
    .expect("list_templates answers");
    assert!(
        list.as_array()
            .expect("a list")
            .iter()
            .any(|t| t["id"] == id.as_str() && t["version"] == 2),
        "the list shows version 2: {list}"
    );

    let refused = invoke(
        &window,
        "import_template",
        json!({ "contents": "{ not json", "fileName": "broken.json" }),
    )
    .expect_err("a malformed file is refused");
    assert_eq!(
        refused["code"], "InvalidInput",
        "malformed import: {refused}"
    );
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("broken.json") && message.contains("line"),
        "the refusal names the file and the line: {message}"
    );
}

#[test]
fn agreement_files_cross_ipc_and_a_draft_is_not_sealed_before_the_token() {
    use sealdesk_agreements::{samples, Direction, RecognitionType};
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    // No module: if sealing reached the token, the answer would be TokenMissing.
    let selector = DeviceSelector {
        module: Some(PathBuf::from("/nonexistent/sealdesk-test/libnothing.so")),
        token_label: None,
        key_id: None,
    };
    let (_app, window) = mock_app(AppState::new(catalogue, selector, Instant::now()));
    let doc = samples::mcra("", Direction::Bidirectional, 2, RecognitionType::default());
    let created = invoke(&window, "mcra_create", json!({ "document": doc })).expect("created");
    let id = created["summary"]["id"].as_str().expect("an id").to_owned();

    let out = dir.path().join("for-partner.json");
    let written = invoke(
        &window,
        "mcra_export",
        json!({ "ids": [id], "path": out.display().to_string() }),
    )
    .expect("exported");
    assert_eq!(
        written,
        json!(out.display().to_string()),
        "answers the path"
    );
    let imported = invoke(
        &window,
        "mcra_import",
        json!({ "path": out.display().to_string() }),
    )
    .expect("imported");
    assert_eq!(
        imported[0]["id"],
        json!(id),
        "the same agreement: {imported}"
    );
    assert_eq!(imported[0]["version"], 2, "a new version: {imported}");
    assert_eq!(
        imported[0]["origin"], "import:for-partner.json",
        "origin: {imported}"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        br#"{"format": "sealdesk.mcra/9", "agreements": []}"#,
    )
    .expect("write");
    let error = invoke(
        &window,
        "mcra_import",
        json!({ "path": broken.display().to_string() }),
    )
    .expect_err("a newer format is refused");
    assert_eq!(error["code"], "InvalidInput", "input error: {error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("update Sealdesk"),
        "says what to do: {error}"
    );
    let error = invoke(
        &window,
        "mcra_export",
        json!({ "ids": [id], "path": "a.json" }),
    )
    .expect_err("relative path refused");
    assert_eq!(error["code"], "InvalidInput", "input error: {error}");

    let error = invoke(
        &window,
        "mcra_sealable",
        json!({ "id": id, "version": null }),
    )
    .expect_err("a draft may not be sealed");
    assert_eq!(error["code"], "InvalidInput", "input error: {error}");
    let pdf = dir.path().join("sealed.pdf");
    let error = invoke(
        &window,
        "mcra_seal_pdf",
        json!({ "id": id, "version": null, "lang": null, "path": pdf.display().to_string(),
                "pin": "not-used-0000", "confirmFinalTry": false, "acceptNonSeal": false }),
    )
    .expect_err("a draft is not sealed");
    assert_eq!(
        error["code"], "InvalidInput",
        "refused as a draft before the token is looked for: {error}"
    );
    assert!(!pdf.exists(), "no PDF written");

    let saved = dir.path().join("printed.pdf");
    invoke(
        &window,
        "mcra_save_pdf",
        json!({ "id": id, "version": null, "lang": null, "path": saved.display().to_string() }),
    )
    .expect("the printed agreement is saved");
    let bytes = std::fs::read(&saved).expect("saved PDF");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF was written");
}
