//! Shared by the integration tests: the app on Tauri's mock runtime and one IPC call.

use std::time::Instant;

use sealdesk_flows::DeviceSelector;
use sealdesk_lib::{specta_builder, start, AppState};
use sealdesk_tests::TestToken;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The app with our commands and capabilities, started on `data_dir` against `token`
/// (whose `SOFTHSM2_CONF` is set for this process), and its main window.
pub fn app_on(
    token: &TestToken,
    data_dir: &std::path::Path,
) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    std::env::set_var("SOFTHSM2_CONF", &token.softhsm_conf);
    let selector = DeviceSelector {
        module: Some(token.module.clone()),
        token_label: Some(token.label.clone()),
        key_id: None,
    };
    let state = start(data_dir, selector, Instant::now()).expect("start() prepares the data dir");
    mock_app(state)
}

/// The app on the mock runtime with `state`, and its main window.
pub fn mock_app(state: AppState) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
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
pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
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
