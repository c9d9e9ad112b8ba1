//! `mcra pdf` and `lo pdf` through the real binary: a signed agreement printed in German and
//! sealed in Lithuanian on the harness token (pyHanko and `pdfsig` accept the seal, `pdftotext`
//! finds the parties — one with a Greek name —, the course titles — one in Cyrillic — and the
//! Lithuanian fixed headings, `qpdf --check` passes, `pdffonts` shows every font embedded); a
//! draft prints with DRAFT and is refused for sealing before the token is used.

mod common;

use std::path::Path;
use std::process::Command;

use common::{cli, cli_on_token, python, run, stderr, stdout_json};
use sealdesk_agreements::exchange::{self, ExchangedAgreement};
use sealdesk_agreements::texts::fixed_texts;
use sealdesk_agreements::{samples, Direction, McraState, RecognitionType};
use sealdesk_tests::{repo_root, TestToken};
use time::macros::datetime;

fn tool(name: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} must be installed (poppler-utils, qpdf): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn text_of(pdf: &Path) -> String {
    let (ok, text) = tool(
        "pdftotext",
        &[
            "-enc".as_ref(),
            "UTF-8".as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    assert!(ok, "pdftotext reads {}: {text}", pdf.display());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Seeds `data` with a signed bidirectional agreement (`m-signed`) and a draft (`m-draft`).
fn seed(data: &Path, tmp: &Path) -> sealdesk_agreements::Mcra {
    let mut signed = samples::mcra(
        "m-signed",
        Direction::Bidirectional,
        2,
        RecognitionType::default(),
    );
    signed.party_b.legal_name = "Πανεπιστήμιο Κρήτης".into();
    signed.party_b.erasmus_code = Some("G KRITIS01".into());
    signed.party_b.country = "GR".into();
    signed.courses_b[1].title = "Машинно обучение".into();
    let file = tmp.join("seed.json");
    let agreements = vec![
        ExchangedAgreement {
            state: McraState::Signed,
            agreement: signed.clone(),
        },
        ExchangedAgreement {
            state: McraState::Agreed,
            agreement: samples::mcra("m-draft", Direction::AToB, 1, RecognitionType::default()),
        },
    ];
    std::fs::write(
        &file,
        exchange::export(agreements, datetime!(2027-01-01 00:00 UTC)).expect("export"),
    )
    .expect("write seed");
    let out = run(cli()
        .arg("--data-dir")
        .arg(data)
        .args(["mcra", "import"])
        .arg(&file));
    assert!(out.status.success(), "seed import: {}", stderr(&out));
    signed
}

#[test]
fn a_signed_agreement_seals_in_lithuanian_and_pyhanko_and_pdfsig_accept_it() {
    let token = &TestToken::create();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let m = seed(&data, tmp.path());

    // Unsealed, in German: headings in German, no DRAFT.
    let plain = tmp.path().join("de.pdf");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["mcra", "pdf", "m-signed", "--lang", "de", "--out"])
        .arg(&plain));
    assert!(out.status.success(), "mcra pdf --lang de: {}", stderr(&out));
    let text = text_of(&plain);
    let de = fixed_texts("de").expect("de texts");
    for key in [
        "title",
        "heading.parties",
        "heading.signatures",
        "clause.data",
    ] {
        let want = de[key].split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&want), "German {key} {want:?} in: {text}");
    }
    assert!(!text.contains("DRAFT"), "a signed agreement is no draft");

    // Sealed, in Lithuanian.
    let sealed = tmp.path().join("lt-sealed.pdf");
    let out = run(cli_on_token(token, &data)
        .env("SEALDESK_PIN", &token.pin)
        .args([
            "mcra", "pdf", "m-signed", "--lang", "lt", "--seal", "--json", "--out",
        ])
        .arg(&sealed));
    assert!(out.status.success(), "mcra pdf --seal: {}", stderr(&out));
    let view = stdout_json(&out);
    assert_eq!(view["report"]["intact"], true, "our own check: {view}");
    if let Ok(keep) = std::env::var("SEALDESK_RENDER_KEEP") {
        std::fs::create_dir_all(&keep).expect("keep dir");
        std::fs::copy(&sealed, Path::new(&keep).join("mcra-sealed-lt.pdf")).expect("keep pdf");
    }
    assert!(
        !tmp.path().join(".lt-sealed.pdf.unsealed").exists(),
        "the unsealed scratch copy is removed"
    );

    let judge = Command::new(python())
        .arg(repo_root().join("tests/judges/pades_check.py"))
        .arg(&sealed)
        .arg(&token.ca_pem)
        .output()
        .expect("the pyHanko judge runs");
    let judge: serde_json::Value = serde_json::from_slice(&judge.stdout).unwrap_or_else(|e| {
        panic!(
            "pyHanko judge printed no JSON ({e}): {}",
            String::from_utf8_lossy(&judge.stderr)
        )
    });
    assert_eq!(
        judge["error"],
        serde_json::Value::Null,
        "pyHanko reads it: {judge}"
    );
    let first = &judge["signatures"][0];
    for key in ["intact", "valid", "trusted"] {
        assert_eq!(first[key], true, "pyHanko: {key}: {judge}");
    }
    assert_eq!(
        first["coverage"], "ENTIRE_FILE",
        "pyHanko: whole file: {judge}"
    );

    let (_, report) = tool("pdfsig", &["-nocert".as_ref(), sealed.as_os_str()]);
    assert!(
        report.contains("Signature is Valid") && report.contains("ETSI.CAdES.detached"),
        "pdfsig accepts the PAdES seal: {report}"
    );

    let text = text_of(&sealed);
    let lt = fixed_texts("lt").expect("lt texts");
    let mut wanted: Vec<String> = [
        "title",
        "heading.parties",
        "heading.courses_a",
        "heading.courses_b",
        "heading.signatures",
        "clause.recognition",
        "state.signed",
    ]
    .iter()
    .map(|k| lt[*k].split_whitespace().collect::<Vec<_>>().join(" "))
    .collect();
    wanted.push(m.party_a.legal_name.clone());
    wanted.push(m.party_b.legal_name.clone());
    wanted.extend(
        m.courses_a
            .iter()
            .chain(&m.courses_b)
            .map(|c| c.title.clone()),
    );
    for w in &wanted {
        assert!(
            text.contains(w.as_str()),
            "the sealed PDF has {w:?}: {text}"
        );
    }
    assert!(
        !text.contains("DRAFT"),
        "no DRAFT on a sealed signed agreement"
    );

    let (ok, check) = tool("qpdf", &["--check".as_ref(), sealed.as_os_str()]);
    assert!(ok, "qpdf --check passes on the sealed PDF: {check}");
    // stdout only: the seal appearance's font is a direct object, for which poppler makes up
    // an object number from a hash and then prints "Internal Error: xref num … not found" on
    // stderr (removing the appearance silences it; reported to sealdesk-pades). It lists the
    // fonts on stdout and exits 0.
    let listed = Command::new("pdffonts")
        .arg(&sealed)
        .output()
        .expect("pdffonts (poppler-utils) runs");
    let fonts = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.status.success(), "pdffonts reads it: {fonts}");
    let rows: Vec<&str> = fonts
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(rows.len() >= 2, "fonts listed: {fonts}");
    let mut dejavu = 0;
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // Every font, the sealed revision's included (the invisible seal's appearance names
        // none), is an embedded subset.
        assert!(
            row.contains("DejaVu"),
            "no other font than the agreement's DejaVu: {row}"
        );
        dejavu += 1;
        assert!(
            cols.len() >= 7 && cols[cols.len() - 5] == "yes" && cols[cols.len() - 4] == "yes",
            "every font of the agreement is embedded and subset: {row}"
        );
    }
    assert!(dejavu >= 2, "regular and bold DejaVu: {fonts}");
    // The seal block of the agreement layout names the holder of the token's seal.
    assert!(
        text.contains("Elektroninis spaudas") && text.contains("Užantspaudavo"),
        "the printed seal block (lt): {text}"
    );
    let signer = view["report"]["signatures"][0]["signer"]
        .as_str()
        .expect("the seal's holder");
    assert!(
        text.contains(signer),
        "the seal block names the seal's holder {signer:?}: {text}"
    );
}

#[test]
fn a_draft_prints_with_draft_and_is_not_sealed() {
    let token = &TestToken::create();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    seed(&data, tmp.path());

    let pdf = tmp.path().join("draft.pdf");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["mcra", "pdf", "m-draft", "--out"])
        .arg(&pdf));
    assert!(out.status.success(), "mcra pdf draft: {}", stderr(&out));
    let text = text_of(&pdf);
    assert!(
        text.contains("DRAFT"),
        "an agreed (unsigned) agreement is a DRAFT"
    );
    assert!(
        text.contains("Version 1 · Agreed"),
        "version and state shown: {text}"
    );

    // No PIN given: the draft is refused before one is asked for.
    let sealed = tmp.path().join("draft-sealed.pdf");
    let out = run(cli_on_token(token, &data)
        .args(["mcra", "pdf", "m-draft", "--seal", "--out"])
        .arg(&sealed));
    assert_eq!(
        out.status.code(),
        Some(3),
        "refused as bad input: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("agreement m-draft is agreed")
            && stderr(&out).contains("move it to signed first"),
        "says why and what to do: {}",
        stderr(&out)
    );
    assert!(!sealed.exists(), "nothing written");

    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["mcra", "pdf", "m-draft", "--lang", "bg", "--out"])
        .arg(tmp.path().join("bg.pdf")));
    assert_eq!(out.status.code(), Some(3), "no bg texts: {}", stderr(&out));
    assert!(
        stderr(&out).contains("\"bg\""),
        "names the language: {}",
        stderr(&out)
    );
}

#[test]
fn lo_pdf_prints_a_module_description() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let file = tmp.path().join("lo.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&samples::learning_opportunity("")).expect("json"),
    )
    .expect("write");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["lo", "add", "--json"])
        .arg(&file));
    assert!(out.status.success(), "lo add: {}", stderr(&out));
    let id = stdout_json(&out)["summary"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let pdf = tmp.path().join("lo.pdf");
    let out = run(cli()
        .arg("--data-dir")
        .arg(&data)
        .args(["lo", "pdf", &id, "--lang", "lt", "--out"])
        .arg(&pdf));
    assert!(out.status.success(), "lo pdf: {}", stderr(&out));
    let text = text_of(&pdf);
    for w in [
        "Duomenų analizė su Python",
        "DS-101",
        "DRAFT",
        "Learning specification",
    ] {
        assert!(text.contains(w), "the LO PDF has {w:?}: {text}");
    }
}
