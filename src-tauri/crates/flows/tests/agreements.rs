//! Learning opportunities and MCRAs through the flows, on real catalogue files: review
//! workflow and template link, agreement workflow with versions and diff, and the exchange
//! file between two catalogues (round trip; malformed or newer files change nothing).

use sealdesk_agreements::samples;
use sealdesk_agreements::{
    AgreementsError, Direction, LearningType, LoState, McraState, RecognitionLevel, RecognitionType,
};
use sealdesk_flows::*;
use time::macros::datetime;
use time::OffsetDateTime;

const T: OffsetDateTime = datetime!(2027-02-01 09:00 UTC);

fn catalogue(dir: &tempfile::TempDir, name: &str) -> Catalogue {
    Catalogue::open(&dir.path().join(name)).expect("catalogue opens")
}

fn approved_lo(cat: &Catalogue, title: &str) -> String {
    let mut doc = samples::learning_opportunity("");
    doc.title.insert("en".into(), title.into());
    let view = create_learning_opportunity(cat, doc, T).expect("created");
    let id = view.summary.id.clone();
    review_learning_opportunity(cat, &id, LoState::Submitted, "author", None, T).expect("submit");
    review_learning_opportunity(cat, &id, LoState::Approved, "committee", None, T)
        .expect("approve");
    id
}

#[test]
fn a_learning_opportunity_is_reviewed_and_becomes_a_linked_template() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = catalogue(&dir, "a.sqlite3");
    let mut doc = samples::learning_opportunity("");
    doc.ects = None;
    let view = create_learning_opportunity(&cat, doc, T).expect("a draft may be incomplete");
    let id = view.summary.id.clone();
    assert!(
        view.findings.iter().any(|f| f.path == "/ects"),
        "the view says what submitting needs: {:?}",
        view.findings
    );
    let err = review_learning_opportunity(&cat, &id, LoState::Submitted, "author", None, T)
        .expect_err("incomplete cannot be submitted");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "input error: {err}");
    assert!(err.to_string().contains("/ects"), "names the field: {err}");

    let mut doc = view.document.clone();
    doc.ects = Some(5.0);
    save_learning_opportunity(&cat, doc.clone(), T).expect("saved");
    review_learning_opportunity(&cat, &id, LoState::Submitted, "author", None, T).expect("submit");
    let err = save_learning_opportunity(&cat, doc.clone(), T).expect_err("frozen when submitted");
    assert!(
        matches!(
            err,
            FlowError::Agreements(AgreementsError::NotEditable { .. })
        ),
        "not editable: {err:?}"
    );
    let err = template_from_learning_opportunity(&cat, &id, "Too early", T)
        .expect_err("not approved yet");
    assert!(err.to_string().contains("approved"), "says why: {err}");
    review_learning_opportunity(
        &cat,
        &id,
        LoState::ChangesRequested,
        "committee",
        Some("Name the assessment type"),
        T,
    )
    .expect("changes requested");
    save_learning_opportunity(&cat, doc, T).expect("editable again");
    review_learning_opportunity(&cat, &id, LoState::Submitted, "author", None, T).expect("again");
    review_learning_opportunity(&cat, &id, LoState::Approved, "committee", None, T)
        .expect("approved");

    let template =
        template_from_learning_opportunity(&cat, &id, "Data analysis", T).expect("template made");
    assert!(
        template
            .credential_json
            .contains("Data analysis with Python"),
        "the template carries the title"
    );
    assert!(
        template
            .credential_json
            .contains("5e58ddb3-3b36-4ac8-a3b3-a4cbfb1c1eb3"),
        "and the outcome's ESCO skill"
    );
    let view = learning_opportunity(&cat, &id, None).expect("opened");
    assert_eq!(view.summary.state, LoState::Approved, "approved");
    assert_eq!(view.templates.len(), 1, "one linked template");
    assert_eq!(
        view.templates[0].template_id, template.summary.id,
        "linked to it"
    );
    assert_eq!(
        view.templates[0].lo_version, view.summary.version,
        "to this version"
    );
    let steps: Vec<(&str, &str)> = view
        .reviews
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("draft", "submitted"),
            ("submitted", "changes_requested"),
            ("changes_requested", "submitted"),
            ("submitted", "approved")
        ],
        "the history"
    );
    assert_eq!(
        view.reviews[1].comment.as_deref(),
        Some("Name the assessment type"),
        "the comment"
    );
    let jsonld = export_learning_opportunity_jsonld(&cat, &id, None).expect("json-ld");
    assert!(jsonld.contains("\"LearningOpportunity\""), "json-ld export");
}

#[test]
fn an_agreement_goes_from_draft_to_shared_with_versions_and_a_diff() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = catalogue(&dir, "a.sqlite3");
    let lo1 = approved_lo(&cat, "Data analysis");
    let lo2 = approved_lo(&cat, "Machine learning");
    let kind = RecognitionType {
        level: RecognitionLevel::Institutional,
        learning: LearningType::NonFormal,
    };
    let mut doc = samples::mcra("", Direction::Bidirectional, 1, kind);
    doc.courses_a = vec![
        course_from_learning_opportunity(&cat, &lo1).expect("course 1"),
        course_from_learning_opportunity(&cat, &lo2).expect("course 2"),
    ];
    assert_eq!(
        doc.courses_a[1].learning_opportunity_id.as_deref(),
        Some(lo2.as_str()),
        "course linked to its learning opportunity"
    );
    assert_eq!(
        doc.courses_a[1].title, "Machine learning",
        "title from the LO"
    );
    let v1 = create_mcra(&cat, doc, T).expect("draft");
    let id = v1.summary.id.clone();
    let mut doc = v1.document.clone();
    doc.objective = "Recognise each other's data modules.".into();
    doc.courses_b[0].recognition.credits = 4.0;
    save_mcra(&cat, doc, T).expect("v2");
    move_mcra(&cat, &id, McraState::SentForReview, T).expect("to review");
    let err = move_mcra(&cat, &id, McraState::Signed, T).expect_err("cannot skip agreement");
    assert!(
        err.to_string().contains("sent_for_review") && err.to_string().contains("signed"),
        "names from and to: {err}"
    );
    move_mcra(&cat, &id, McraState::Draft, T).expect("back for changes");
    move_mcra(&cat, &id, McraState::SentForReview, T).expect("review again");
    move_mcra(&cat, &id, McraState::Agreed, T).expect("agreed");
    move_mcra(&cat, &id, McraState::Signed, T).expect("signed");
    let view = move_mcra(&cat, &id, McraState::Shared, T).expect("shared");
    assert_eq!(view.summary.state, McraState::Shared, "shared");
    assert!(view.next_states.is_empty(), "the end of the workflow");
    assert_eq!(view.versions.len(), 8, "every save and move is a version");
    assert_eq!(
        view.summary.partner, "Duale Hochschule Baden-Württemberg",
        "partner"
    );

    let d = diff_mcra(&cat, &id, 1, 2).expect("diff");
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["/coursesB/0/recognition/credits", "/objective"],
        "the two edited fields"
    );
    let d = diff_mcra(&cat, &id, 2, 3).expect("diff");
    assert_eq!(
        d.changes.len(),
        1,
        "a move changes only the state: {:?}",
        d.changes
    );
    assert_eq!(d.changes[0].path, "/state", "state");
    assert_eq!(
        d.changes[0].after.as_deref(),
        Some("\"sent_for_review\""),
        "new state"
    );
    let err = diff_mcra(&cat, &id, 1, 99).expect_err("no version 99");
    assert!(err.to_string().contains("99"), "names the version: {err}");
}

#[test]
fn an_exported_agreement_is_imported_whole_into_another_catalogue() {
    let dir = tempfile::tempdir().expect("tmp");
    let ours = catalogue(&dir, "ours.sqlite3");
    let theirs = catalogue(&dir, "theirs.sqlite3");
    let mut ids = Vec::new();
    for (direction, courses) in [(Direction::AToB, 1), (Direction::Bidirectional, 3)] {
        let doc = samples::mcra("", direction, courses, RecognitionType::default());
        let v = create_mcra(&ours, doc, T).expect("draft");
        move_mcra(&ours, &v.summary.id, McraState::SentForReview, T).expect("review");
        ids.push(v.summary.id);
    }
    let file = export_mcras(&ours, &ids, T).expect("exported");
    let imported = import_mcras(&theirs, &file, "from-vmu.json", T).expect("imported");
    assert_eq!(imported.len(), 2, "both agreements");
    for id in &ids {
        let a = mcra(&ours, id, None).expect("ours");
        let b = mcra(&theirs, id, None).expect("theirs");
        assert_eq!(a.document, b.document, "every field kept for {id}");
        assert_eq!(b.summary.state, McraState::SentForReview, "state kept");
        assert_eq!(b.summary.origin, "import:from-vmu.json", "origin noted");
        let a_json = serde_json::to_value(&a.document).expect("json");
        let b_json = serde_json::to_value(&b.document).expect("json");
        assert_eq!(a_json, b_json, "identical JSON for {id}");
    }
    // And back: their copy exported again is byte-identical in the agreements part.
    let again = export_mcras(&theirs, &ids, T).expect("re-export");
    assert_eq!(again, file, "the round trip is stable");
}

#[test]
fn a_malformed_or_newer_file_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let ours = catalogue(&dir, "ours.sqlite3");
    let theirs = catalogue(&dir, "theirs.sqlite3");
    let mut ids = Vec::new();
    for courses in [1, 2] {
        let doc = samples::mcra("", Direction::AToB, courses, RecognitionType::default());
        ids.push(create_mcra(&ours, doc, T).expect("draft").summary.id);
    }
    let file = export_mcras(&ours, &ids, T).expect("exported");
    let mut value: serde_json::Value = serde_json::from_slice(&file).expect("json");

    let mut second_bad = value.clone();
    second_bad["agreements"][1]["agreement"]["coursesA"][1]["ects"] = "five".into();
    let err = import_mcras(
        &theirs,
        &serde_json::to_vec(&second_bad).expect("json"),
        "bad.json",
        T,
    )
    .expect_err("malformed refused");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "input error");
    assert!(
        err.to_string()
            .contains("/agreements/1/agreement/coursesA/1/ects"),
        "names the pointer: {err}"
    );
    assert!(
        list_mcras(&theirs).expect("list").is_empty(),
        "the good first one was not imported either"
    );

    value["format"] = "sealdesk.mcra/7".into();
    let err = import_mcras(
        &theirs,
        &serde_json::to_vec(&value).expect("json"),
        "new.json",
        T,
    )
    .expect_err("newer refused");
    assert!(
        err.to_string().contains("version 7"),
        "says the version: {err}"
    );
    assert!(
        list_mcras(&theirs).expect("list").is_empty(),
        "nothing imported"
    );

    let cut = &file[..file.len() / 2];
    let err = import_mcras(&theirs, cut, "cut.json", T).expect_err("cut refused");
    assert!(err.to_string().contains("line"), "says where: {err}");
    assert!(
        list_mcras(&theirs).expect("list").is_empty(),
        "nothing imported"
    );
    assert_eq!(
        theirs.mcras().count_versions().expect("count"),
        0,
        "no row at all"
    );
}

#[test]
fn fixed_texts_come_in_the_agreement_language() {
    let lt = mcra_texts("lt").expect("lithuanian");
    assert_eq!(
        lt["title"], "Pavyzdinė kreditų pripažinimo sutartis",
        "lt title"
    );
    assert!(mcra_texts("xx").is_err(), "unknown language refused");
}

#[test]
fn print_languages_are_those_with_fixed_texts_each_named_in_itself() {
    let langs = mcra_print_languages().expect("languages");
    let codes: Vec<&str> = langs.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(
        codes,
        ["en", "fr", "de", "es", "it", "lt"],
        "every fixed-text language"
    );
    for lang in &langs {
        assert!(mcra_texts(&lang.code).is_ok(), "{} prints", lang.code);
        assert_ne!(
            lang.name.to_lowercase(),
            lang.code,
            "{} has a name, not its code",
            lang.code
        );
    }
    let fr = langs.iter().find(|l| l.code == "fr").expect("fr");
    assert_eq!(fr.name, "Français", "named in itself");
    let mut names: Vec<&str> = langs.iter().map(|l| l.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), langs.len(), "no two alike: {names:?}");
}

#[test]
fn an_exchange_file_written_to_a_chosen_path_is_imported_from_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let ours = catalogue(&dir, "ours.sqlite3");
    let theirs = catalogue(&dir, "theirs.sqlite3");
    let doc = samples::mcra("", Direction::Bidirectional, 2, RecognitionType::default());
    let id = create_mcra(&ours, doc, T).expect("draft").summary.id;

    let out = dir.path().join("for the partner.json");
    let typed = format!("  {}  ", out.display());
    let chosen = chosen_path(&typed).expect("a full path, spaces trimmed");
    assert_eq!(chosen, out, "the typed path is the file");
    let bytes = export_mcras(&ours, std::slice::from_ref(&id), T).expect("exported");
    let written = write_chosen_file(&chosen, &bytes).expect("written");
    assert_eq!(
        written,
        out.display().to_string(),
        "answers the path written"
    );
    assert_eq!(std::fs::read(&out).expect("read back"), bytes, "whole file");
    let part = dir.path().join("for the partner.json.part");
    assert!(!part.exists(), "no part file left");

    let imported = import_mcras_file(&theirs, &out, T).expect("imported");
    assert_eq!(imported.len(), 1, "one agreement: {imported:?}");
    assert_eq!(imported[0].id, id, "same id");
    assert_eq!(
        imported[0].origin, "import:for the partner.json",
        "the file name is the origin"
    );
    // The same file again is a new version of the same agreement, not a second agreement.
    let again = import_mcras_file(&theirs, &out, T).expect("imported again");
    assert_eq!(again[0].version, 2, "a second version: {again:?}");
    assert_eq!(
        list_mcras(&theirs).expect("list").len(),
        1,
        "still one agreement"
    );

    // A second write replaces the file whole.
    write_chosen_file(&chosen, b"{}").expect("rewritten");
    assert_eq!(std::fs::read(&out).expect("read"), b"{}", "replaced whole");
}

#[test]
fn a_chosen_path_must_be_full_and_name_a_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let err = chosen_path("agreement.json").expect_err("relative refused");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "input error: {err}");
    assert!(
        err.to_string().contains("full path"),
        "says what to give: {err}"
    );
    assert!(chosen_path("   ").is_err(), "empty refused");

    let err = write_chosen_file(dir.path(), b"x").expect_err("a folder is not a file");
    assert_eq!(err.code(), ErrorCode::Storage, "storage error: {err}");
    assert!(
        err.to_string().contains("file name"),
        "says what to add: {err}"
    );

    let missing = dir.path().join("no-such-folder").join("a.json");
    let err = write_chosen_file(&missing, b"x").expect_err("missing folder");
    assert!(
        err.to_string().contains("no-such-folder"),
        "names the place: {err}"
    );
    assert!(
        !dir.path().join("no-such-folder").exists(),
        "no folder made on the way"
    );

    let cat = catalogue(&dir, "c.sqlite3");
    let err = import_mcras_file(&cat, &dir.path().join("gone.json"), T).expect_err("no file");
    assert_eq!(err.code(), ErrorCode::Storage, "storage error: {err}");
    assert!(
        err.to_string().contains("gone.json"),
        "names the file: {err}"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        b"{\"format\": \"sealdesk.mcra/1\", \"agreements\": [",
    )
    .expect("write");
    let err = import_mcras_file(&cat, &broken, T).expect_err("broken refused");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "input error: {err}");
    assert!(
        err.to_string().contains("broken.json") && err.to_string().contains("line"),
        "names the file and the place: {err}"
    );
    assert_eq!(
        cat.mcras().count_versions().expect("count"),
        0,
        "nothing imported"
    );

    let big = dir.path().join("big.json");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(MAX_CHOSEN_FILE_BYTES + 1)
        .expect("sparse file");
    let err = read_chosen_file(&big).expect_err("too large");
    assert!(err.to_string().contains("larger than"), "says why: {err}");
}

/// Lists go by partner: party B of our own draft, party A of an agreement a partner drafted
/// (the drafter is party A in its own file), also after we save a new version of it, and our
/// own agreement coming back from the partner keeps its partner.
#[test]
fn the_partner_is_the_other_side_for_drafts_and_imports() {
    let dir = tempfile::tempdir().expect("tmp");
    let ours = catalogue(&dir, "ours.sqlite3");
    let theirs = catalogue(&dir, "theirs.sqlite3");
    let doc = samples::mcra("", Direction::Bidirectional, 2, RecognitionType::default());
    let (a_name, b_name) = (
        doc.party_a.legal_name.clone(),
        doc.party_b.legal_name.clone(),
    );
    assert_ne!(a_name, b_name, "the sample's parties differ");
    let v = create_mcra(&theirs, doc, T).expect("their draft");
    let id = v.summary.id.clone();
    assert_eq!(
        v.summary.partner, b_name,
        "the drafter's partner is party B"
    );
    let file = export_mcras(&theirs, std::slice::from_ref(&id), T).expect("exported");

    let imported = import_mcras(&ours, &file, "from-partner.json", T).expect("imported");
    assert_eq!(
        imported[0].partner, a_name,
        "for us, the drafter (party A) is the partner"
    );
    let mut edited = mcra(&ours, &id, None).expect("ours").document;
    edited.title.push_str(" (our comments)");
    let saved = save_mcra(&ours, edited, T).expect("our new version");
    assert_eq!(
        saved.summary.partner, a_name,
        "our own version keeps the partner"
    );
    let listed = list_mcras(&ours).expect("list");
    assert_eq!(listed[0].partner, a_name, "listed under the partner");

    let back = export_mcras(&ours, std::slice::from_ref(&id), T).expect("sent back");
    let returned = import_mcras(&theirs, &back, "from-us.json", T).expect("came back");
    assert_eq!(
        returned[0].partner, b_name,
        "the drafter's own agreement keeps party B"
    );
}
