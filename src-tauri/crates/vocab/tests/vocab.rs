//! The shipped vocabularies and ESCO snapshot in a real SQLite catalogue, SKOS and ESCO CSV
//! imports from fixture files, and search/suggest relevance on real outcome texts.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sealdesk_catalogue::Catalogue;
use sealdesk_vocab::VocabError;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
}

/// One catalogue file with the shipped data loaded, shared by the read-only tests (loading
/// takes seconds); each test opens its own connection.
fn loaded() -> Catalogue {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let path = dir.join("catalogue.sqlite3");
        let cat = Catalogue::open(&path).expect("catalogue");
        let report = sealdesk_vocab::ensure_loaded(&cat).expect("load shipped data");
        assert!(report.loaded, "a new catalogue must be loaded");
        path
    });
    Catalogue::open(path).expect("open shared catalogue")
}

const ESCO_DEVELOP_DIGITAL_CONTENT: &str =
    "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a";
const ESCO_STIMULATE_CREATIVITY: &str =
    "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9";

#[test]
fn shipped_data_loads_once_per_version_with_every_skill() {
    let cat = loaded();
    let again = sealdesk_vocab::ensure_loaded(&cat).expect("second start");
    assert!(
        !again.loaded,
        "the same shipped version must not load twice"
    );
    assert_eq!(
        cat.settings()
            .get(sealdesk_vocab::LOADED_VERSION_KEY)
            .expect("settings")
            .as_deref(),
        Some(again.version.as_str()),
        "the loaded version is remembered in settings"
    );
    assert_eq!(
        cat.skills().count_released().expect("count"),
        13_939,
        "the ESCO v1.2 snapshot has 13,939 skills"
    );
}

#[test]
fn lookups_by_key_return_the_scheme_concepts() {
    let cat = loaded();
    let eqf = sealdesk_vocab::concepts(&cat, "eqf").expect("eqf");
    let ids: Vec<&str> = eqf.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        (1..=8)
            .map(|n| format!("http://data.europa.eu/snb/eqf/{n}"))
            .collect::<Vec<_>>(),
        "EQF has levels 1 to 8 in order"
    );
    assert_eq!(eqf[5].label("en"), Some("Level 6"), "EQF 6 label");
    for (key, at_least) in [
        ("isced-f", 200),
        ("language", 29),
        ("country", 200),
        ("credential", 5),
        ("learning-setting", 2),
        ("learning-assessment", 6),
        ("education-credit", 2),
        ("evidence-type", 1),
        ("supervision-verification", 4),
        ("human-sex", 4),
    ] {
        let n = sealdesk_vocab::concepts(&cat, key).expect(key).len();
        assert!(
            n >= at_least,
            "{key}: {n} concepts, expected at least {at_least}"
        );
    }
    let greek = sealdesk_vocab::concept(
        &cat,
        "http://publications.europa.eu/resource/authority/language/ELL",
    )
    .expect("lookup")
    .expect("Greek is shipped");
    assert_eq!(
        greek.notation.as_deref(),
        Some("el"),
        "EU languages carry their two-letter code"
    );
    assert_eq!(
        greek.label("el"),
        Some("ελληνικά"),
        "and their name in themselves"
    );
    let isced = sealdesk_vocab::concept(&cat, "http://data.europa.eu/snb/isced-f/0688")
        .expect("lookup")
        .expect("ISCED-F 0688");
    assert_eq!(
        isced.broader,
        vec!["http://data.europa.eu/snb/isced-f/068".to_owned()],
        "ISCED-F codes nest by prefix"
    );
    match sealdesk_vocab::concepts(&cat, "colour") {
        Err(VocabError::UnknownScheme { key, known }) => {
            assert_eq!(key, "colour", "names the key");
            assert!(known.contains("eqf"), "lists the known keys: {known}");
        }
        other => panic!("an unknown key must be refused, got {other:?}"),
    }
}

fn concepts_in(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("Concept") {
                out.push(value.clone());
            }
            map.values().for_each(|v| concepts_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| concepts_in(v, out)),
        _ => {}
    }
}

#[test]
fn concepts_are_written_exactly_as_the_official_sample_writes_them() {
    let cat = loaded();
    let path =
        shared_dir().join("reference/elm-v3/credentials-jsonld/Sample-MC-Annex1-unsigned.jsonld");
    let sample: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("Annex I sample")).expect("JSON");
    let mut found = Vec::new();
    concepts_in(&sample, &mut found);
    let mut compared = 0;
    for expected in &found {
        let id = expected["id"].as_str().expect("concept id");
        let Some(concept) = sealdesk_vocab::concept(&cat, id).expect("lookup") else {
            // Sample-local schemes (urn:epass, DigComp) are not EU vocabularies we ship.
            assert!(
                id.starts_with("urn:") || id.contains("/snb/dcf/") || id.contains("/esco/"),
                "{id} is in the official sample but not in the shipped vocabularies"
            );
            continue;
        };
        assert_eq!(
            &sealdesk_vocab::concept_json(&concept, &["en"]),
            expected,
            "{id} must be written as the sample writes it"
        );
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} sample concepts compared");
}

#[test]
fn esco_skills_are_written_as_the_sample_writes_them() {
    let cat = loaded();
    let (skill, _) = cat
        .skills()
        .get(ESCO_DEVELOP_DIGITAL_CONTENT, "en")
        .expect("get")
        .expect("shipped");
    assert!(
        skill.label_exact,
        "the samples give this skill's exact label"
    );
    let concept = sealdesk_vocab::Concept {
        scheme: sealdesk_vocab::ESCO_SKILLS.into(),
        id: skill.uri.clone(),
        pref_labels: [("en".to_owned(), skill.pref_label.clone())].into(),
        status: "current".into(),
        ..Default::default()
    };
    assert_eq!(
        sealdesk_vocab::concept_json(&concept, &["en"]),
        serde_json::json!({
            "id": ESCO_DEVELOP_DIGITAL_CONTENT, "type": "Concept",
            "inScheme": {"id": "http://data.europa.eu/esco/concept-scheme/skills", "type": "ConceptScheme"},
            "notation": "Skill", "prefLabel": {"en": "develop digital content"}
        }),
        "relatedESCOSkill as in the Annex I sample"
    );
}

#[test]
fn type_ahead_search_finds_the_skill_being_typed() {
    let cat = loaded();
    let hits = sealdesk_vocab::search(&cat, "stimulate creat", 5).expect("search");
    assert_eq!(
        hits.first().map(|h| h.uri.as_str()),
        Some(ESCO_STIMULATE_CREATIVITY),
        "prefix search: {hits:?}"
    );
    assert!(
        sealdesk_vocab::search(&cat, "  ,, the of ", 5)
            .expect("search")
            .is_empty(),
        "no words, no results"
    );
    let accents = sealdesk_vocab::search(&cat, "créativité stimulate", 5).expect("search");
    assert!(
        accents.iter().any(|h| h.uri == ESCO_STIMULATE_CREATIVITY),
        "no word-for-word hit falls back to any word: {accents:?}"
    );
}

#[test]
fn suggestions_for_the_annex_i_outcomes_are_relevant() {
    let cat = loaded();
    // Learning outcome 2 of Sample-MC-Annex1-unsigned.jsonld: its issuer linked ESCO
    // "develop digital content".
    let hits = sealdesk_vocab::suggest(&cat, "Developing digital content", 3).expect("suggest");
    assert_eq!(hits.len(), 3, "three suggestions");
    assert_eq!(
        hits[0].uri, ESCO_DEVELOP_DIGITAL_CONTENT,
        "the skill the sample links comes first: {hits:?}"
    );
    // Learning outcome 1: "Communication, collaboration and creativity". Looked up by hand in
    // the snapshot: skills whose labels speak of creativity, collaboration or communication.
    let hits = sealdesk_vocab::suggest(&cat, "Communication, collaboration and creativity", 3)
        .expect("suggest");
    assert_eq!(hits.len(), 3, "three suggestions");
    for hit in &hits {
        let text = format!("{} {}", hit.label, hit.description).to_lowercase();
        assert!(
            ["creativ", "collaborat", "communicat"]
                .iter()
                .any(|w| text.contains(w)),
            "suggestion {} ({}) is unrelated to the outcome",
            hit.uri,
            hit.label
        );
    }
}

#[test]
fn skos_distribution_is_read_with_labels_notations_and_status() {
    let file = std::fs::File::open(fixture("eqf-skos.rdf")).expect("fixture");
    let concepts = sealdesk_vocab::skos::read(file).expect("read SKOS");
    assert_eq!(
        concepts.len(),
        9,
        "nine concepts, the nested description is not one"
    );
    let level1 = &concepts[0];
    assert_eq!(level1.id, "http://data.europa.eu/snb/eqf/1", "order kept");
    assert_eq!(
        level1.scheme, "http://data.europa.eu/snb/eqf/25831c2",
        "inScheme"
    );
    assert_eq!(
        level1.label("en"),
        Some("Level 1"),
        "prefLabel@en (not the nested one)"
    );
    assert_eq!(
        level1.alt_labels,
        vec![("en".to_owned(), "EQF level 1".to_owned())],
        "altLabel"
    );
    assert_eq!(level1.notation.as_deref(), Some("1"), "notation");
    assert_eq!(
        concepts[5].id, "http://data.europa.eu/snb/eqf/6",
        "rdf:Description typed skos:Concept"
    );
    assert_eq!(
        concepts[7].label("en"),
        Some("Level 8 & highest"),
        "predefined entity resolved"
    );
    assert_eq!(concepts[6].broader.len(), 1, "broader");
    assert!(!concepts[8].is_current(), "owl:deprecated true");
}

#[test]
fn a_skos_import_replaces_the_scheme_and_survives_a_reload() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    // Only the vocabularies, to keep this test quick: the skills are not the point here.
    cat.vocabulary()
        .replace_schemes(&sealdesk_vocab::shipped::concepts().expect("shipped"))
        .expect("store");
    let counts = sealdesk_vocab::import_skos(
        &cat,
        std::fs::File::open(fixture("eqf-skos.rdf")).expect("fixture"),
    )
    .expect("import");
    assert_eq!(
        counts,
        vec![("http://data.europa.eu/snb/eqf/25831c2".to_owned(), 9)],
        "counts"
    );
    let eqf = sealdesk_vocab::concepts(&cat, "eqf").expect("eqf");
    assert_eq!(
        eqf.len(),
        8,
        "the deprecated level is stored but not offered"
    );
    assert_eq!(
        eqf[0].alt_labels.len(),
        1,
        "the imported data is what is read"
    );
    let all = cat
        .vocabulary()
        .concepts("http://data.europa.eu/snb/eqf/25831c2", true)
        .expect("all");
    assert_eq!(all.len(), 9, "deprecated kept when asked");
}

fn skos_error(xml: &str) -> VocabError {
    match sealdesk_vocab::skos::read(xml.as_bytes()) {
        Err(e) => e,
        Ok(c) => panic!("must be refused, read {c:?}"),
    }
}

#[test]
fn hostile_or_broken_skos_is_refused_with_the_line() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [\n <!ENTITY a \"aaaaaaaaaa\">\n <!ENTITY b \"&a;&a;&a;&a;&a;\">\n]>\n<rdf:RDF/>";
    assert!(
        matches!(skos_error(bomb), VocabError::XmlDoctype { line: 2 }),
        "a DTD is refused at its line"
    );
    let entity = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:skos=\"http://www.w3.org/2004/02/skos/core#\">\n<skos:Concept rdf:about=\"x:1\">\n<skos:prefLabel>&ext;</skos:prefLabel></skos:Concept></rdf:RDF>";
    match skos_error(entity) {
        VocabError::XmlEntity { line, name } => {
            assert_eq!(
                (line, name.as_str()),
                (3, "ext"),
                "the unknown entity and its line"
            )
        }
        other => panic!("unknown entity must be refused, got {other:?}"),
    }
    let no_scheme = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:skos=\"http://www.w3.org/2004/02/skos/core#\">\n\n<skos:Concept rdf:about=\"http://data.europa.eu/snb/eqf/1\">\n<skos:prefLabel xml:lang=\"en\">Level 1</skos:prefLabel>\n</skos:Concept></rdf:RDF>";
    match skos_error(no_scheme) {
        VocabError::SkosIncomplete { line, what, .. } => {
            assert_eq!(
                (line, what),
                (3, "skos:inScheme"),
                "names what is missing and where"
            )
        }
        other => panic!("a concept without scheme must be refused, got {other:?}"),
    }
    let broken =
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<a>\n</b></rdf:RDF>";
    assert!(
        matches!(skos_error(broken), VocabError::Xml { line: 3, .. }),
        "mismatched tags: line 3"
    );
    assert!(
        matches!(
            skos_error("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"),
            VocabError::SkosEmpty
        ),
        "no concept at all"
    );
}

#[test]
fn the_official_esco_csv_adds_exact_labels_and_only_released_skills_are_offered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cat = Catalogue::open(&dir.path().join("c.sqlite3")).expect("catalogue");
    let entries = sealdesk_vocab::esco::read_official_csv(
        std::fs::File::open(fixture("skills_en.csv")).expect("fixture"),
        "en",
        "skills_en.csv",
    )
    .expect("read");
    assert_eq!(entries.len(), 4, "four skills");
    assert_eq!(
        entries[0].alt_labels.len(),
        5,
        "multi-line quoted altLabels split per line"
    );
    assert_eq!(
        entries[0].alt_labels[1], "stimulating creativity in the team",
        "alt label text"
    );
    let report = sealdesk_vocab::esco::import_official_csv(
        &cat,
        std::fs::File::open(fixture("skills_en.csv")).expect("fixture"),
        "en",
        "skills_en.csv",
    )
    .expect("import");
    assert_eq!(
        (report.read, report.released, report.not_released),
        (4, 3, 1),
        "report"
    );
    let hits = sealdesk_vocab::search(&cat, "facilitate creativity", 5).expect("search");
    assert_eq!(hits.len(), 1, "found by an alt label: {hits:?}");
    assert_eq!(
        hits[0].label, "stimulate creativity in the team",
        "shown by its preferred label"
    );
    assert!(hits[0].label_exact, "an imported label is exact");
    assert_eq!(
        hits[0].reuse_level.as_deref(),
        Some("cross-sector"),
        "reuse level kept"
    );
    assert!(
        sealdesk_vocab::search(&cat, "musical staff", 5)
            .expect("search")
            .is_empty(),
        "an obsolete skill is never offered"
    );
    let (stored, _) = cat
        .skills()
        .get(
            "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab",
            "en",
        )
        .expect("get")
        .expect("stored");
    assert_eq!(stored.status, "obsolete", "but its status is stored");
}

#[test]
fn an_esco_csv_without_the_official_columns_is_refused() {
    let csv = "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/x,label\n";
    match sealdesk_vocab::esco::read_official_csv(csv.as_bytes(), "en", "mine.csv") {
        Err(VocabError::CsvColumnMissing {
            source_name,
            column,
        }) => {
            assert_eq!(
                (source_name.as_str(), column),
                ("mine.csv", "altLabels"),
                "names the column"
            )
        }
        other => panic!("must be refused, got {other:?}"),
    }
    let ragged = "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description\nKnowledgeSkillCompetence,http://x,skill\n";
    match sealdesk_vocab::esco::read_official_csv(ragged.as_bytes(), "en", "mine.csv") {
        Err(VocabError::Csv { line, .. }) => assert_eq!(line, 2, "the ragged record's line"),
        other => panic!("a ragged record must be refused, got {other:?}"),
    }
    assert_eq!(
        sealdesk_vocab::esco::language_of_file_name("/tmp/esco/skills_el.csv").as_deref(),
        Some("el"),
        "the language comes from the official file name"
    );
}

#[test]
fn snapshot_text_is_split_at_the_definition() {
    let (labels, definition) = sealdesk_vocab::esco::split_snapshot_text(
        "develop digital content develop digital content Create and edit digital content in different formats, express oneself through digital means.",
    );
    assert_eq!(
        labels, "develop digital content develop digital content",
        "labels part"
    );
    assert!(
        definition.starts_with("Create and edit"),
        "definition part: {definition}"
    );
    assert_eq!(
        sealdesk_vocab::esco::guess_label("apply anti-oppressive practices apply non-oppressive practices apply an anti-oppressive practice"),
        "apply anti-oppressive practices",
        "the words before the first word repeats"
    );
}
