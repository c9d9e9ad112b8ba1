//! MCRA model: the four shapes × the four recognition types, the workflow (legal and illegal
//! moves), checks by JSON pointer, the exchange file and the diff.

use sealdesk_agreements::exchange::{self, ExchangedAgreement};
use sealdesk_agreements::mcra::{transition, Course};
use sealdesk_agreements::samples;
use sealdesk_agreements::{
    diff, AgreementsError, Direction, LearningType, Mcra, McraState, RecognitionLevel,
    RecognitionType,
};
use time::macros::datetime;

const SHAPES: [(&str, Direction, usize); 4] = [
    ("unidirectional, one course", Direction::AToB, 1),
    ("unidirectional, several courses", Direction::BToA, 3),
    ("bidirectional, one course", Direction::Bidirectional, 1),
    (
        "bidirectional, several courses",
        Direction::Bidirectional,
        3,
    ),
];

fn kinds() -> [RecognitionType; 4] {
    let k = |level, learning| RecognitionType { level, learning };
    [
        k(RecognitionLevel::Faculty, LearningType::Formal),
        k(RecognitionLevel::Faculty, LearningType::NonFormal),
        k(RecognitionLevel::Institutional, LearningType::Formal),
        k(RecognitionLevel::Institutional, LearningType::NonFormal),
    ]
}

fn paths(m: &Mcra, state: McraState) -> Vec<String> {
    m.check(state).into_iter().map(|f| f.path).collect()
}

#[test]
fn every_shape_and_recognition_type_goes_through_the_workflow_and_the_exchange_file() {
    for (name, direction, courses) in SHAPES {
        for kind in kinds() {
            let case = format!("{name}, {kind:?}");
            let m = samples::mcra("id-1", direction, courses, kind);
            let offered = m.courses_a.len() + m.courses_b.len();
            let expected = if direction == Direction::Bidirectional {
                2 * courses
            } else {
                courses
            };
            assert_eq!(offered, expected, "{case}: courses on the offering sides");
            let mut state = McraState::Draft;
            for next in [
                McraState::SentForReview,
                McraState::Agreed,
                McraState::Signed,
                McraState::Shared,
            ] {
                transition(&m, state, next)
                    .unwrap_or_else(|e| panic!("{case}: {state:?} → {next:?} refused: {e}"));
                state = next;
            }
            let file = exchange::export(
                vec![ExchangedAgreement {
                    state,
                    agreement: m.clone(),
                }],
                datetime!(2027-03-01 10:00 UTC),
            )
            .expect("exports");
            let back = exchange::parse(&file, "case.json").expect("reads back");
            assert_eq!(back.agreements.len(), 1, "{case}: one agreement read");
            assert_eq!(back.agreements[0].agreement, m, "{case}: every field kept");
            assert_eq!(
                back.agreements[0].state,
                McraState::Shared,
                "{case}: state kept"
            );
        }
    }
}

#[test]
fn the_direction_decides_which_side_must_offer_courses() {
    let kind = kinds()[2];
    let mut m = samples::mcra("id", Direction::AToB, 1, kind);
    m.courses_b.push(samples::course(9, None));
    assert_eq!(
        paths(&m, McraState::SentForReview),
        vec!["/coursesB"],
        "courses from B in an A→B agreement are named"
    );
    m.direction = Direction::BToA;
    m.courses_a.clear();
    m.courses_b.clear();
    assert_eq!(
        paths(&m, McraState::SentForReview),
        vec!["/coursesB"],
        "a B→A agreement without courses from B is named"
    );
}

#[test]
fn faculty_agreements_name_the_faculty_institutional_ones_need_not() {
    let [faculty, _, institutional, _] = kinds();
    let mut m = samples::mcra("id", Direction::AToB, 1, faculty);
    m.party_b.faculty = None;
    assert_eq!(
        paths(&m, McraState::SentForReview),
        vec!["/partyB/faculty"],
        "faculty level without a faculty"
    );
    m.recognition_type = institutional;
    assert!(
        m.check(McraState::Shared).is_empty(),
        "institutional level needs no faculty: {:?}",
        m.check(McraState::Shared)
    );
}

#[test]
fn each_state_names_its_missing_fields_by_path() {
    let mut m = Mcra {
        id: "x".into(),
        ..Mcra::default()
    };
    assert_eq!(
        paths(&m, McraState::Draft),
        vec!["/title"],
        "draft needs a title"
    );
    m.title = "T".into();
    assert!(
        m.check(McraState::Draft).is_empty(),
        "a titled draft is fine"
    );
    let review = paths(&m, McraState::SentForReview);
    for p in [
        "/partyA/legalName",
        "/partyA/erasmusCode",
        "/partyA/country",
        "/partyB/legalName",
        "/coursesA",
        "/objective",
    ] {
        assert!(
            review.contains(&p.to_owned()),
            "review names {p}: {review:?}"
        );
    }
    let full = samples::mcra("id", Direction::Bidirectional, 2, kinds()[0]);
    let mut m = full.clone();
    m.validity.end = Some("2026-12-31".into());
    m.process_steps.clear();
    assert_eq!(
        paths(&m, McraState::Agreed),
        vec!["/processSteps", "/validity/end"],
        "agreed needs steps and an end after the start"
    );
    let mut m = full.clone();
    m.party_a.signatories.clear();
    assert!(
        m.check(McraState::Agreed).is_empty(),
        "signatories not needed to agree"
    );
    assert_eq!(
        paths(&m, McraState::Signed),
        vec!["/partyA/signatories"],
        "signing needs a signatory on each side"
    );
    let mut m = full;
    m.courses_b[1].recognition.credits = 7.0;
    assert_eq!(
        paths(&m, McraState::SentForReview),
        vec!["/coursesB/1/recognition/credits"],
        "more credits granted than the course has"
    );
}

#[test]
fn illegal_moves_are_refused_naming_from_and_to() {
    let m = samples::mcra("id", Direction::AToB, 1, kinds()[0]);
    for (from, to) in [
        (McraState::Draft, McraState::Agreed),
        (McraState::Draft, McraState::Signed),
        (McraState::Agreed, McraState::Draft),
        (McraState::Signed, McraState::Draft),
        (McraState::Shared, McraState::Draft),
        (McraState::SentForReview, McraState::Shared),
        (McraState::Draft, McraState::Draft),
    ] {
        let err = transition(&m, from, to).expect_err("illegal move refused");
        let text = err.to_string();
        assert!(
            matches!(err, AgreementsError::IllegalTransition { .. }),
            "{from:?} → {to:?}: {err:?}"
        );
        assert!(
            text.contains(from.as_str()) && text.contains(to.as_str()),
            "message names both states: {text}"
        );
    }
    transition(&m, McraState::SentForReview, McraState::Draft)
        .expect("back to draft from review (changes)");
}

#[test]
fn an_incomplete_agreement_cannot_move_on() {
    let mut m = samples::mcra("id", Direction::AToB, 1, kinds()[0]);
    m.objective.clear();
    let err = transition(&m, McraState::Draft, McraState::SentForReview)
        .expect_err("no objective, no review");
    match err {
        AgreementsError::Incomplete { state, findings } => {
            assert_eq!(state, "sent_for_review", "target state named");
            assert_eq!(findings[0].path, "/objective", "field named");
        }
        other => panic!("expected Incomplete, got {other:?}"),
    }
}

fn file_with(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let m = samples::mcra("id-2", Direction::Bidirectional, 2, kinds()[1]);
    let bytes = exchange::export(
        vec![ExchangedAgreement {
            state: McraState::Agreed,
            agreement: m,
        }],
        datetime!(2027-03-01 10:00 UTC),
    )
    .expect("exports");
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    edit(&mut v);
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn exchange_files_that_are_newer_foreign_or_malformed_are_refused_with_the_place() {
    let err = exchange::parse(
        &file_with(|v| v["format"] = "sealdesk.mcra/2".into()),
        "f.json",
    )
    .expect_err("newer refused");
    assert!(
        matches!(
            err,
            AgreementsError::NewerVersion {
                found: 2,
                supported: 1,
                pointer: "/format",
                ..
            }
        ),
        "newer: {err:?}"
    );
    assert!(
        err.to_string().contains("update Sealdesk"),
        "says what to do: {err}"
    );

    let err = exchange::parse(&file_with(|v| v["format"] = "x.other/1".into()), "f.json")
        .expect_err("foreign refused");
    assert!(
        matches!(err, AgreementsError::UnknownFormat { .. }),
        "foreign: {err:?}"
    );

    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: [(&str, Edit, &str); 5] = [
        (
            "wrong type",
            Box::new(|v| v["agreements"][0]["agreement"]["partyA"]["country"] = 12.into()),
            "/agreements/0/agreement/partyA/country",
        ),
        (
            "unknown state",
            Box::new(|v| v["agreements"][0]["state"] = "approved".into()),
            "/agreements/0/state",
        ),
        (
            "unknown field",
            Box::new(|v| v["agreements"][0]["agreement"]["coursesB"][1]["extra"] = 1.into()),
            "/agreements/0/agreement/coursesB/1/extra",
        ),
        (
            "missing field",
            Box::new(|v| {
                v["agreements"][0]["agreement"]["coursesA"][0]
                    .as_object_mut()
                    .expect("object")
                    .remove("title");
            }),
            "/agreements/0/agreement/coursesA/0",
        ),
        (
            "incomplete for its state",
            Box::new(|v| v["agreements"][0]["agreement"]["objective"] = "".into()),
            "/agreements/0/agreement/objective",
        ),
    ];
    for (name, edit, pointer) in cases {
        let err = exchange::parse(&file_with(edit), "f.json").expect_err(name);
        match &err {
            AgreementsError::Malformed { pointer: p, .. } => {
                assert_eq!(p, pointer, "{name}: pointer ({err})")
            }
            other => panic!("{name}: expected Malformed, got {other:?}"),
        }
        assert!(
            err.to_string().contains(pointer),
            "{name}: message names {pointer}: {err}"
        );
    }

    let err = exchange::parse(b"{\"format\": ", "cut.json").expect_err("cut file");
    assert!(
        matches!(err, AgreementsError::NotJson { line: 1, .. }),
        "not JSON: {err:?}"
    );
}

#[test]
fn diff_names_each_changed_field() {
    let a = samples::mcra("id", Direction::AToB, 2, kinds()[0]);
    let mut b = a.clone();
    b.title = "New title".into();
    b.courses_a[1].recognition.credits = 4.0;
    b.courses_a.push(Course {
        title: "Added".into(),
        ..samples::course(7, None)
    });
    b.validity.renewal = None;
    let va = serde_json::to_value(&a).expect("json");
    let vb = serde_json::to_value(&b).expect("json");
    let changes = diff(&va, &vb);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|c| (c.path.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(
        got[0],
        (
            "/title",
            Some("\"Data science modules\""),
            Some("\"New title\"")
        ),
        "title"
    );
    assert_eq!(
        got[1],
        ("/coursesA/1/recognition/credits", Some("5.0"), Some("4.0")),
        "credits"
    );
    assert_eq!(got[2].0, "/coursesA/2", "added course");
    assert_eq!(got[2].1, None, "added course had no value before");
    assert_eq!(got[3].0, "/validity/renewal", "renewal cleared");
    assert_eq!(got[3].2, Some("null"), "cleared to null");
    assert_eq!(got.len(), 4, "nothing else changed: {got:?}");
    assert!(diff(&va, &va).is_empty(), "no change, no diff");
}

#[test]
fn fixed_texts_exist_in_six_languages_with_the_same_keys() {
    use sealdesk_agreements::texts::{fixed_texts, LANGUAGES};
    let en = fixed_texts("en").expect("english");
    assert!(en.len() > 40, "a full set of texts: {}", en.len());
    for lang in LANGUAGES {
        let t = fixed_texts(lang).expect("texts load");
        let keys: Vec<_> = t.keys().collect();
        let en_keys: Vec<_> = en.keys().collect();
        assert_eq!(keys, en_keys, "{lang}: same keys as en");
        assert!(
            t.values().all(|v| !v.trim().is_empty()),
            "{lang}: no empty text"
        );
        if lang != "en" {
            assert_ne!(t["title"], en["title"], "{lang}: translated title");
            assert_ne!(
                t["clause.purpose"], en["clause.purpose"],
                "{lang}: translated clause"
            );
        }
    }
    assert!(
        matches!(
            fixed_texts("nl"),
            Err(AgreementsError::UnknownLanguage { .. })
        ),
        "an unknown language is refused"
    );
}
