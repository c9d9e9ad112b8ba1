//! The visible seal block on real Sealdesk PDFs: a Bulgarian credential PDF (Cyrillic) and a
//! Lithuanian MCRA PDF, made by `sealdesk-render` and sealed with key 01 of the harness
//! SoftHSM2 token. The block speaks the document's language (`/Lang`), its font is an embedded
//! subset (`pdffonts`: every font `emb yes`, the block's own `CID TrueType` DejaVu subset among them), its
//! text is real text (`pdftotext`), and `pdfsig` and pyHanko still accept the seal.
//!
//! Set `SEALDESK_PADES_KEEP=/some/dir` to keep the sealed PDFs (e.g. to look at the last page:
//! `pdftoppm -png -r 80 -f N -l N`).

mod common;

use std::path::{Path, PathBuf};

use sealdesk_agreements::{samples, Direction, LearningType, RecognitionLevel, RecognitionType};
use sealdesk_elm::Credential;
use sealdesk_pades::{seal_pdf, PdfSealOptions};
use sealdesk_render::mcra::{render_mcra, McraPdfOptions};
use sealdesk_render::{render_credential, Layout, Marking, RenderOptions, SealInfo};
use sealdesk_seal::certificate::CertificateInfo;
use sealdesk_seal::Signer;
use sealdesk_tests::{repo_root, TestToken};
use sealdesk_token::{OpenOptions, SealDevice, SecretString, TokenSelector, TokenSigner};
use serde_json::Value;
use time::macros::datetime;
use time::OffsetDateTime;

use common::{pdfsig, pyhanko, run};

/// One token session at a time in this process (SoftHSM2: one login per token, else TokenBusy).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn open(token: &TestToken) -> TokenSigner {
    SealDevice::open(
        &token.module,
        &TokenSelector::Label(token.label.clone()),
        Some("01"),
        SecretString::from(token.pin.clone()),
        OffsetDateTime::now_utc(),
        OpenOptions {
            accept_non_seal: true,
            ..OpenOptions::default()
        },
    )
    .expect("the harness token opens")
}

/// The official micro-credential sample with a `bg` text beside every English one our
/// translation table (the render tests' fixture) has, and Bulgarian as its primary language.
fn bulgarian_credential() -> Credential {
    let shared = repo_root().join("../shared");
    let path = shared.join("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld");
    let mut value: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("the ELM sample")).expect("JSON");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../render/tests/fixtures/bg-translation.json");
    let table: serde_json::Map<String, Value> =
        serde_json::from_slice(&std::fs::read(fixture).expect("bg fixture")).expect("JSON");
    fn walk(v: &mut Value, table: &serde_json::Map<String, Value>) {
        match v {
            Value::Object(map) => {
                let en = map.get("en").and_then(|e| match e {
                    Value::String(s) => Some(s.clone()),
                    Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                });
                if let Some(bg) = en.and_then(|en| table.get(&en)) {
                    map.insert("bg".to_owned(), bg.clone());
                }
                for (_, child) in map.iter_mut() {
                    walk(child, table);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|c| walk(c, table)),
            _ => {}
        }
    }
    walk(&mut value, &table);
    let dp = value
        .get_mut("displayParameter")
        .and_then(Value::as_object_mut)
        .expect("the sample has display parameters");
    let english = dp.get("language").cloned().expect("language");
    dp.insert(
        "language".to_owned(),
        serde_json::json!([english, {
            "id": "http://publications.europa.eu/resource/authority/language/BUL",
            "type": "Concept",
            "prefLabel": {"en": "Bulgarian", "bg": "български"}
        }]),
    );
    Credential::from_value(value, "sample-bg").expect("the sample is a credential")
}

/// Seals `pdf` with the block at `field` (page, rect; pades' default when `None`), writes it
/// to `dir/name`, and checks what every sealed Sealdesk PDF must pass. Returns the path and the
/// text `pdftotext` finds in it.
fn seal_and_judge(
    token: &TestToken,
    pdf: &[u8],
    field: Option<(u32, [f32; 4])>,
    dir: &Path,
    name: &str,
) -> (PathBuf, String, CertificateInfo) {
    let signer = open(token);
    let info = CertificateInfo::from_der(signer.certificate()).expect("the key's certificate");
    let mut options = PdfSealOptions::default();
    if let Some((page, rect)) = field {
        options.page = page;
        options.rect = rect;
    }
    let at = OffsetDateTime::now_utc();
    let sealed = seal_pdf(pdf, &signer, &options, at).expect("the PDF seals");
    drop(signer);
    let path = dir.join(name);
    std::fs::write(&path, &sealed).expect("write the sealed PDF");
    if let Some(keep) = std::env::var_os("SEALDESK_PADES_KEEP") {
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::copy(&path, Path::new(&keep).join(name));
    }

    let fonts = run("pdffonts", &[path.as_os_str()]);
    let rows: Vec<&str> = fonts
        .lines()
        .skip_while(|l| !l.starts_with("----"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "{name}: pdffonts lists fonts: {fonts}");
    for row in &rows {
        // Columns: name type encoding emb sub uni object ID; "Type 0" / "CID TrueType" hold
        // spaces, so read emb/sub/uni from the end.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols.get(cols.len().saturating_sub(5)).copied();
        assert_eq!(
            emb,
            Some("yes"),
            "{name}: every font embedded: {row}\n{fonts}"
        );
    }
    let unsealed_fonts = {
        let plain = dir.join(format!("unsealed-{name}"));
        std::fs::write(&plain, pdf).expect("write the unsealed PDF");
        run("pdffonts", &[plain.as_os_str()])
    };
    assert!(
        fonts.lines().count() > unsealed_fonts.lines().count()
            && rows
                .iter()
                .any(|r| r.contains("+DejaVuSans") && r.contains("Identity-H")),
        "{name}: the seal block adds its own embedded DejaVu subset: {fonts}"
    );

    let sig = pdfsig(&path);
    assert!(
        sig.contains("Signature is Valid"),
        "{name}: pdfsig accepts the seal: {sig}"
    );
    let verdict = pyhanko(&path, &[token.ca_pem.as_os_str()]);
    let first = &verdict["signatures"][0];
    assert!(
        first["intact"] == true && first["valid"] == true && first["trusted"] == true,
        "{name}: pyHanko: intact, valid, trusted: {verdict}"
    );

    let text = run("pdftotext", &[path.as_os_str(), "-".as_ref()]);
    (path, text, info)
}

fn holder(info: &CertificateInfo) -> String {
    info.organization
        .clone()
        .or_else(|| info.common_name.clone())
        .expect("the harness certificate names its holder")
}

#[test]
fn a_sealed_bulgarian_credential_pdf_has_its_seal_block_in_bulgarian_in_an_embedded_font() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let credential = bulgarian_credential();
    let at = datetime!(2026-11-23 10:00:00 UTC);
    let signer_info = {
        let signer = open(token);
        CertificateInfo::from_der(signer.certificate()).expect("certificate")
    };
    let options = RenderOptions {
        layout: Layout::Full,
        language: Some("bg".into()),
        marking: Marking::Sealed(SealInfo {
            holder: holder(&signer_info),
            organization_identifier: signer_info.organization_identifier.clone(),
            sealed_at: at,
            sealed_file: None,
        }),
        accent: None,
    };
    let rendered = render_credential(&credential, &options, at).expect("the credential renders");
    assert!(
        rendered.seal_field.is_some(),
        "a sealed full PDF keeps room for the seal block"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, text, info) = seal_and_judge(
        token,
        &rendered.bytes,
        rendered.seal_field,
        dir.path(),
        "credential-bg.pdf",
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        format!("Подпечатано от: {}", holder(&info)),
        "Идентификатор на организацията:".to_owned(),
        "Подпечатано на: ".to_owned(),
    ] {
        assert!(
            flat.contains(&line),
            "pdftotext finds the block's Bulgarian line {line:?} in: {flat}"
        );
    }
    assert!(
        !flat.contains("Sealed by") && !flat.contains("Organisation id"),
        "no English label in the block: {flat}"
    );
}

#[test]
fn a_sealed_lithuanian_mcra_pdf_has_its_seal_block_in_lithuanian_in_an_embedded_font() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let mcra = samples::mcra(
        "7d1c2a4e-0000-4000-8000-0000000000b1",
        Direction::Bidirectional,
        1,
        RecognitionType {
            level: RecognitionLevel::Institutional,
            learning: LearningType::NonFormal,
        },
    );
    let options = McraPdfOptions {
        language: Some("lt".into()),
        version: 2,
        state: sealdesk_agreements::McraState::Signed,
        created: datetime!(2026-11-23 09:00:00 UTC),
        accent: None,
        seal: None,
    };
    let rendered = render_mcra(&mcra, &options).expect("the agreement renders");
    let dir = tempfile::tempdir().expect("temp dir");
    // The agreement keeps no room for a block: put it above the footer of the last page,
    // below the signature boxes (pades' default rectangle would cover page 1's footer).
    let field = (rendered.pages as u32, [50.0, 80.0, 320.0, 140.0]);
    let (_, text, info) = seal_and_judge(
        token,
        &rendered.bytes,
        Some(field),
        dir.path(),
        "mcra-lt.pdf",
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in [
        format!("Antspaudavo: {}", holder(&info)),
        "Organizacijos identifikatorius:".to_owned(),
        "Antspauduota: ".to_owned(),
    ] {
        assert!(
            flat.contains(&line),
            "pdftotext finds the block's Lithuanian line {line:?} in: {flat}"
        );
    }
    assert!(
        !flat.contains("Sealed by"),
        "no English label in the block: {flat}"
    );
}

/// The seal block's deflated font program is kept per thread: a PDF sealed again in the same
/// thread (the cache warm) is byte for byte the one sealed first (cold), as a batch rerun needs.
#[test]
fn sealing_again_with_the_font_program_kept_gives_the_same_bytes() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let token = TestToken::shared();
    let signer = open(token);
    let at = datetime!(2026-11-23 10:00:00 UTC);
    let info = CertificateInfo::from_der(signer.certificate()).expect("certificate");
    let options = RenderOptions {
        layout: Layout::Full,
        language: Some("bg".into()),
        marking: Marking::Sealed(SealInfo {
            holder: holder(&info),
            organization_identifier: info.organization_identifier.clone(),
            sealed_at: at,
            sealed_file: None,
        }),
        accent: None,
    };
    let rendered =
        render_credential(&bulgarian_credential(), &options, at).expect("the credential renders");
    let mut seal = PdfSealOptions::default();
    if let Some((page, rect)) = rendered.seal_field {
        seal.page = page;
        seal.rect = rect;
    }
    // In a fresh thread, so the first seal surely starts with nothing kept.
    let (first, second) = std::thread::scope(|s| {
        s.spawn(|| {
            let first = seal_pdf(&rendered.bytes, &signer, &seal, at).expect("seals cold");
            let second = seal_pdf(&rendered.bytes, &signer, &seal, at).expect("seals warm");
            (first, second)
        })
        .join()
        .expect("the sealing thread")
    });
    assert!(
        first
            .windows(b"/FontFile2".len())
            .any(|w| w == b"/FontFile2"),
        "the seal block embeds its font program"
    );
    assert_eq!(
        first, second,
        "the same PDF, key and time give the same bytes"
    );
}
