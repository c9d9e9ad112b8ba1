//! Tests of the shell without a display: the committed TypeScript bindings are current,
//! arguments parse, and the commands answer over Tauri's mock IPC against a real SoftHSM2
//! token made by `tests/harness/mktoken.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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
