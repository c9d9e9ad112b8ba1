//! The render keeps work between documents (a decoded, compressed logo; font subsets; their
//! compressed programs). This file is its own process, so its first render starts with nothing
//! kept: a PDF made with everything kept must be the PDF made from nothing, and a document with
//! other glyphs (a Greek seal holder) in between must not leak into it.

use std::path::Path;
use std::process::Command;

use sealdesk_elm::Credential;
use sealdesk_render::{render_credential, Layout, Marking, RenderOptions, SealInfo, SealedFile};
use time::macros::datetime;

fn sample() -> Credential {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../../shared/reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld",
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Credential::from_json(&bytes, "sample").expect("the sample is a credential")
}

fn options(layout: Layout, holder: &str) -> RenderOptions {
    RenderOptions {
        layout,
        language: None,
        marking: Marking::Sealed(SealInfo {
            holder: holder.to_owned(),
            organization_identifier: Some("VATBE-0123456789".to_owned()),
            sealed_at: datetime!(2026-11-23 09:00:00 UTC),
            sealed_file: Some(SealedFile {
                name: "a.jsonld".to_owned(),
                sha256_hex: "cd".repeat(32),
            }),
        }),
        accent: None,
    }
}

#[test]
fn a_pdf_made_with_kept_fonts_and_logo_is_the_pdf_made_from_nothing() {
    let credential = sample();
    let (latin, greek) = ("Example University", "Πανεπιστήμιο Ζήτα");
    let at = datetime!(2026-11-23 09:00:00 UTC);
    let render = |layout, holder| render_credential(&credential, &options(layout, holder), at);
    let cold = render(Layout::Full, latin).expect("render");
    let other = render(Layout::Full, greek).expect("render");
    let summary = render(Layout::Summary, latin).expect("render");
    let warm = render(Layout::Full, latin).expect("render");
    assert!(
        cold.bytes == warm.bytes,
        "the full PDF made again with everything kept is byte for byte the first one"
    );
    assert!(
        other.bytes != cold.bytes && summary.bytes != cold.bytes,
        "other documents are other PDFs"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, pdf, holder) in [("warm.pdf", &warm, latin), ("other.pdf", &other, greek)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &pdf.bytes).expect("write");
        let out = Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("qpdf runs (apt: qpdf)");
        assert!(
            out.status.success(),
            "qpdf --check {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext runs (apt: poppler-utils)");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(holder),
            "{name}: the seal block's holder is real text: {text:.300}"
        );
    }
}
