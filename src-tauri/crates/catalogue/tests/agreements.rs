//! Learning-opportunity and MCRA tables: versions, review steps, template links, and an
//! all-or-nothing multi-agreement save.

use sealdesk_catalogue::{Catalogue, NewMcraVersion, TemplateContent};
use time::macros::datetime;

fn new<'a>(id: &'a str, state: &'a str, doc: &'a str) -> NewMcraVersion<'a> {
    NewMcraVersion {
        id,
        state,
        title: "T",
        partner: "Partner U",
        document: doc,
        origin: "local",
    }
}

#[test]
fn every_mcra_save_is_a_new_version_and_history_keeps_them() {
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let t = datetime!(2027-01-01 10:00 UTC);
    let a = cat
        .mcras()
        .save(&new("m1", "draft", "{\"v\":1}"), t)
        .expect("v1");
    let b = cat
        .mcras()
        .save(&new("m1", "sent_for_review", "{\"v\":2}"), t)
        .expect("v2");
    assert_eq!((a.version, b.version), (1, 2), "versions count up");
    let history = cat.mcras().history("m1").expect("history");
    let docs: Vec<&str> = history.iter().map(|r| r.document.as_str()).collect();
    assert_eq!(
        docs,
        vec!["{\"v\":1}", "{\"v\":2}"],
        "both versions kept byte for byte"
    );
    let latest = cat.mcras().get("m1", None).expect("get").expect("exists");
    assert_eq!(latest.state, "sent_for_review", "latest state");
    assert_eq!(
        cat.mcras().list().expect("list").len(),
        1,
        "one agreement listed"
    );
}

#[test]
fn a_failing_row_rolls_back_the_whole_save() {
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let t = datetime!(2027-01-01 10:00 UTC);
    let err = cat
        .mcras()
        .save_all(
            &[new("m1", "draft", "{}"), new("m2", "no_such_state", "{}")],
            t,
        )
        .expect_err("the bad state is refused by the table");
    assert!(
        err.to_string().contains("CHECK"),
        "the check constraint fired: {err}"
    );
    assert_eq!(
        cat.mcras().count_versions().expect("count"),
        0,
        "nothing half-saved"
    );
    cat.mcras()
        .save_all(&[new("m1", "draft", "{}"), new("m2", "agreed", "{}")], t)
        .expect("good batch");
    assert_eq!(
        cat.mcras().count_versions().expect("count"),
        2,
        "both saved"
    );
}

#[test]
fn review_steps_make_versions_and_keep_comments_and_templates_stay_linked() {
    let cat = Catalogue::open_in_memory().expect("catalogue");
    let t = datetime!(2027-01-01 10:00 UTC);
    let los = cat.learning_opportunities();
    los.save("lo1", "draft", "Data analysis", "{\"a\":1}", t)
        .expect("save");
    let v2 = los
        .review("lo1", "draft", "submitted", "author", None, t)
        .expect("submit");
    let v3 = los
        .review(
            "lo1",
            "submitted",
            "changes_requested",
            "chair",
            Some("add ESCO"),
            t,
        )
        .expect("changes");
    assert_eq!((v2.version, v3.version), (2, 3), "each step a version");
    assert_eq!(v3.document, "{\"a\":1}", "the document carries over");
    let reviews = los.reviews("lo1").expect("reviews");
    assert_eq!(reviews.len(), 2, "two steps");
    assert_eq!(
        reviews[1].comment.as_deref(),
        Some("add ESCO"),
        "comment kept"
    );
    assert_eq!(reviews[1].version, 3, "step names its version");

    cat.templates()
        .create(
            "tpl1",
            TemplateContent {
                name: "From LO",
                profile: None,
                credential_json: "{}",
            },
            t,
        )
        .expect("template");
    los.link_template("lo1", 3, "tpl1", 1, t).expect("link");
    let link = los
        .source_of_template("tpl1")
        .expect("query")
        .expect("linked");
    assert_eq!(
        (link.lo_id.as_str(), link.lo_version),
        ("lo1", 3),
        "link kept"
    );
    assert_eq!(los.templates_of("lo1").expect("q").len(), 1, "one template");
    let err = los
        .link_template("lo1", 9, "tpl1", 1, t)
        .expect_err("no such LO version");
    assert!(!err.to_string().is_empty(), "foreign key refused: {err}");
}
