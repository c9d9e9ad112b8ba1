//! Build script: points tauri-build at the one Tauri config at the repository root and
//! declares the app's own commands so each gets an `allow-`/`deny-` permission that
//! `capabilities/` can list.

/// The IPC commands the app registers; keep in step with `src/commands/`.
const COMMANDS: &[&str] = &[
    "device_status",
    "test_seal",
    "remember_module",
    "seal_sample",
    "list_templates",
    "open_template",
    "create_template",
    "save_template",
    "preview_template",
    "copy_template",
    "archive_template",
    "import_template",
    "prepare_vocabularies",
    "vocabulary",
    "search_skills",
    "suggest_skills",
    "ui_ready",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script has no caller to hand the error to: fail the build with the reason.
        panic!("tauri-build failed: {error:#}");
    }
}
