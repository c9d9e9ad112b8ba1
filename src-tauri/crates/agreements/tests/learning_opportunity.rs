//! Learning opportunities: checks per state, the review workflow, and the ELM JSON-LD export
//! judged by pySHACL against the LOQ shapes (and a broken export that must fail).

use std::path::{Path, PathBuf};
use std::process::Command;

use sealdesk_agreements::lo::review;
use sealdesk_agreements::{jsonld, samples, AgreementsError, LearningOpportunity, LoState};

#[test]
fn a_draft_needs_a_title_submitting_needs_the_learning_specification() {
    let mut lo = LearningOpportunity {
        id: "x".into(),
        ..LearningOpportunity::default()
    };
    let draft: Vec<String> = lo
        .check(LoState::Draft)
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(draft, vec!["/title"], "draft");
    lo.title.insert("en".into(), "T".into());
    let submit: Vec<String> = lo
        .check(LoState::Submitted)
        .into_iter()
        .map(|f| f.path)
        .collect();
    for p in [
        "/provider/legalName",
        "/homepage",
        "/outcomes",
        "/ects",
        "/eqfLevel",
        "/iscedF",
        "/mode",
        "/assessment/title",
        "/contact/email",
    ] {
        assert!(
            submit.contains(&p.to_owned()),
            "submission names {p}: {submit:?}"
        );
    }
    let mut full = samples::learning_opportunity("id");
    assert!(
        full.check(LoState::Approved).is_empty(),
        "the sample is complete"
    );
    full.outcomes[0].esco_skills[0].id = "http://example.org/skill".into();
    let f = full.check(LoState::Submitted);
    assert_eq!(
        f[0].path, "/outcomes/0/escoSkills/0/id",
        "non-ESCO URI named"
    );
}

#[test]
fn review_moves_follow_the_workflow() {
    let lo = samples::learning_opportunity("id");
    let step = review(&lo, LoState::Draft, LoState::Submitted, "author", None).expect("submit");
    assert_eq!(step.to, LoState::Submitted, "submitted");
    let err = review(
        &lo,
        LoState::Submitted,
        LoState::ChangesRequested,
        "chair",
        Some("  "),
    )
    .expect_err("changes need a comment");
    assert!(matches!(err, AgreementsError::CommentRequired), "{err:?}");
    let step = review(
        &lo,
        LoState::Submitted,
        LoState::ChangesRequested,
        "chair",
        Some("Add an ESCO skill to outcome 2"),
    )
    .expect("changes requested");
    assert_eq!(
        step.comment.as_deref(),
        Some("Add an ESCO skill to outcome 2"),
        "comment kept"
    );
    review(
        &lo,
        LoState::ChangesRequested,
        LoState::Submitted,
        "author",
        None,
    )
    .expect("resubmit");
    review(&lo, LoState::Submitted, LoState::Approved, "chair", None).expect("approve");
    for (from, to) in [
        (LoState::Draft, LoState::Approved),
        (LoState::Approved, LoState::Submitted),
        (LoState::ChangesRequested, LoState::Approved),
        (LoState::Submitted, LoState::Draft),
    ] {
        let err = review(&lo, from, to, "x", Some("c")).expect_err("illegal");
        let text = err.to_string();
        assert!(
            text.contains(from.as_str()) && text.contains(to.as_str()),
            "{from:?} → {to:?} names both: {text}"
        );
    }
    let mut incomplete = lo.clone();
    incomplete.ects = None;
    let err = review(
        &incomplete,
        LoState::Draft,
        LoState::Submitted,
        "author",
        None,
    )
    .expect_err("incomplete");
    assert!(err.to_string().contains("/ects"), "names the field: {err}");
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(3)
        .expect("repo root")
        .to_path_buf()
}

fn python() -> PathBuf {
    std::env::var_os("SEALDESK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"))
}

/// The LOQ shapes, with two Java-regex constructs Python's `re` cannot compile rewritten
/// (`\p{L}\p{Nl}\p{Nd}` → `\w`, a mid-pattern `(?i)` moved to the front); nothing else changes.
fn loq_shapes(dir: &Path) -> PathBuf {
    let qdr = repo_root().join("../shared/reference/elm-v3/shacl/qdr");
    let text = std::fs::read_to_string(qdr.join("LOQ-constraints.ttl")).expect("LOQ shapes");
    let patched = text
        .replace(r"\\p{L}\\p{Nl}\\p{Nd}", r"\\w")
        .replace("\"^(?i)", "\"(?i)^");
    assert_ne!(patched, text, "the patterns to rewrite were found");
    let out = dir.join("LOQ-constraints.ttl");
    std::fs::write(&out, patched).expect("write shapes");
    out
}

fn shacl(file: &Path, shapes: &[PathBuf]) -> (bool, String) {
    // --no-ontology: the LOQ shapes are closed per class; with ELM's subclass axioms, the
    // closed Agent/Specification shapes would also target every Organisation/LAS and refuse
    // the properties their own shapes allow.
    let out = Command::new(python())
        .arg("-W")
        .arg("ignore")
        .arg(repo_root().join("../shared/tools/edc-shacl-check.py"))
        .arg(file)
        .arg("--no-ontology")
        .arg("--shapes")
        .args(shapes)
        .output()
        .expect("python runs the SHACL checker");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "the checker ran: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code == Some(0), text)
}

#[test]
fn the_jsonld_export_passes_the_loq_shapes_and_a_broken_one_does_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let shapes = loq_shapes(dir.path());
    let lo = samples::learning_opportunity("4b0c1f5e-0000-4000-8000-000000000001");
    let doc = jsonld::to_jsonld(&lo);
    assert_eq!(doc["type"], "LearningOpportunity", "top node");
    assert_eq!(
        doc["learningAchievementSpecification"]["type"], "LearningAchievementSpecification",
        "with its specification"
    );
    let good = dir.path().join("lo.json");
    std::fs::write(&good, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let (ok, text) = shacl(&good, std::slice::from_ref(&shapes));
    assert!(ok, "export conforms to LOQ: {text}");

    // Minimal: only what a submitted learning opportunity must have.
    let mut minimal = lo.clone();
    minimal.fees.clear();
    minimal.related.clear();
    minimal.code = None;
    minimal.start_date = None;
    minimal.end_date = None;
    minimal.application_deadline = None;
    minimal.contact.phone = None;
    minimal.provider.identifier = None;
    let small = dir.path().join("lo-min.json");
    std::fs::write(
        &small,
        serde_json::to_vec(&jsonld::to_jsonld(&minimal)).expect("json"),
    )
    .expect("write");
    let (ok, text) = shacl(&small, std::slice::from_ref(&shapes));
    assert!(ok, "minimal export conforms: {text}");

    // The controlled-vocabulary profile: everything conforms except its ESCO rule, which
    // wants skos:inScheme to match ^https://ec.europa.eu/esco/skill/ — ESCO's own scheme is
    // http://data.europa.eu/esco/concept-scheme/skills (as the vocab crate and EDC use it).
    let mdr = repo_root().join("../shared/reference/elm-v3/shacl/qdr/LOQ-constraints-mdr.ttl");
    let (_, text) = shacl(&good, &[shapes.clone(), mdr]);
    let messages: Vec<&str> = text.lines().filter(|l| l.contains("Message:")).collect();
    assert!(
        messages.iter().all(|m| m.to_lowercase().contains("esco")),
        "only the ESCO scheme rule of the mdr profile fails: {text}"
    );

    // Broken on purpose: no provider, no home page → the judge says no. (The LAS shape is
    // `sh:deactivated` in LOQ 1.1.0, so a broken specification would not be noticed.)
    let mut broken = doc.clone();
    let top = broken.as_object_mut().expect("object");
    top.remove("providedBy");
    top.remove("homepage");
    let bad = dir.path().join("lo-broken.json");
    std::fs::write(&bad, serde_json::to_vec(&broken).expect("json")).expect("write");
    let (ok, text) = shacl(&bad, &[shapes]);
    assert!(!ok, "a broken export fails: {text}");
    assert!(
        text.contains("providedBy"),
        "names the missing provider: {text}"
    );
    assert!(
        text.contains("homepage"),
        "names the missing home page: {text}"
    );
}
