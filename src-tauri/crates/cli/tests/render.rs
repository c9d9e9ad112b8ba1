//! `sealdesk-cli pdf CREDENTIAL.jsonld --out FILE.pdf`: the official samples, unsealed and
//! sealed, rendered by the real binary and read back with poppler's `pdftotext`/`pdfinfo`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../../shared/reference/elm-v3/credentials-jsonld")
        .join(name)
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sealdesk-cli"))
        .args(args)
        .env_remove("SEALDESK_DATA_DIR")
        .output()
        .expect("run sealdesk-cli")
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext reads {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_unsealed_credential_renders_as_specimen_and_a_sealed_one_names_its_seal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let preview = dir.path().join("preview.pdf");
    let unsigned = sample("Sample-MC-Annex1-unsigned.jsonld");
    let out = cli(&[
        "pdf",
        unsigned.to_str().expect("path"),
        "--out",
        preview.to_str().expect("path"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pdf CREDENTIAL succeeds: {stderr}");
    assert!(
        stderr.contains("SPECIMEN: the credential is not sealed"),
        "says why: {stderr}"
    );
    let text = pdftotext(&preview);
    assert!(text.contains("SPECIMEN"), "the preview is marked SPECIMEN");
    assert!(
        text.contains("Digital micro-credential creation"),
        "the title is real text"
    );

    let issued = dir.path().join("issued.pdf");
    let signed = sample("Sample-MC-Annex1-signed.jsonld");
    let out = cli(&[
        "pdf",
        "render",
        signed.to_str().expect("path"),
        "--out",
        issued.to_str().expect("path"),
        "--summary",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pdf render --summary succeeds: {stderr}"
    );
    let text = pdftotext(&issued);
    assert!(!text.contains("SPECIMEN"), "a verified seal: no SPECIMEN");
    assert!(text.contains("Sealed by"), "the seal block is there");
    assert!(
        text.contains("Sample-MC-Annex1-signed.jsonld"),
        "it names the sealed file"
    );
    let info = Command::new("pdfinfo")
        .arg(&issued)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains("Pages:           1\n"),
        "the summary is one page: {info}"
    );

    let mock = dir.path().join("mock.pdf");
    let out = cli(&[
        "render",
        signed.to_str().expect("path"),
        "--out",
        mock.to_str().expect("path"),
        "--specimen",
    ]);
    assert!(out.status.success(), "render --specimen succeeds");
    assert!(
        pdftotext(&mock).contains("SPECIMEN"),
        "--specimen marks even a sealed one"
    );
}

#[test]
fn a_language_the_credential_lacks_exits_with_bad_input_and_says_which_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_pdf = dir.path().join("x.pdf");
    let unsigned = sample("Sample-MC-Annex1-unsigned.jsonld");
    let out = cli(&[
        "pdf",
        unsigned.to_str().expect("path"),
        "--out",
        out_pdf.to_str().expect("path"),
        "--lang",
        "fr",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "bad input exit code: {stderr}");
    assert!(
        stderr.contains("choose one of en"),
        "names the languages there are: {stderr}"
    );
    assert!(!out_pdf.exists(), "nothing written on failure");
}
