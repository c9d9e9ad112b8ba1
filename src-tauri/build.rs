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
    "lo_list",
    "lo_open",
    "lo_create",
    "lo_save",
    "lo_review",
    "lo_make_template",
    "mcra_list",
    "mcra_open",
    "mcra_create",
    "mcra_save",
    "mcra_move",
    "mcra_diff",
    "mcra_course_from_lo",
    "mcra_pdf",
    "mcra_print_languages",
    "lo_pdf",
    "mcra_draft_pdf",
    "mcra_export",
    "mcra_import",
    "lo_export_jsonld",
    "mcra_save_pdf",
    "lo_save_pdf",
    "mcra_sealable",
    "mcra_seal_pdf",
    "batch_import",
    "batch_list",
    "batch_review",
    "batch_exclude_row",
    "batch_preview_row",
    "batch_seal",
    "batch_control",
    "register_list",
    "register_export_csv",
    "register_sealed_file",
    "verify_file",
    "verify_bytes",
    "trust_cache",
    "load_trusted_lists",
    "trust_providers",
    "outbox_list",
    "outbox_run",
    "outbox_retry",
    "outbox_cancel",
    "delivery_settings",
    "save_delivery_settings",
    "send_test_mail",
    "template_pdf_preview",
    "batch_row_pdf_preview",
    "register_pdf",
    "pdf_preview_info",
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
