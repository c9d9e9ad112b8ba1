//! Example documents: a complete learning opportunity and agreements of every shape, as
//! starting points for the editor's "try it" path and for tests.

use crate::common::{ConceptRef, Texts};
use crate::lo::{Assessment, Contact, Fee, LearningOpportunity, Outcome, Provider, RelatedSpec};
use crate::mcra::{
    Course, Direction, Mcra, Party, PartyPerson, Recognition, RecognitionType, Validity,
};

fn en(text: &str) -> Texts {
    Texts::from([("en".to_owned(), text.to_owned())])
}

fn concept(id: &str, scheme: &str, label: &str) -> ConceptRef {
    ConceptRef {
        id: id.to_owned(),
        scheme: scheme.to_owned(),
        labels: en(label),
        notation: None,
    }
}

/// A complete (submittable) learning opportunity with id `id`.
pub fn learning_opportunity(id: &str) -> LearningOpportunity {
    let mut title = en("Data analysis with Python");
    title.insert("lt".into(), "Duomenų analizė su Python".into());
    LearningOpportunity {
        id: id.to_owned(),
        languages: vec!["en".into(), "lt".into()],
        title,
        code: Some("DS-101".into()),
        provider: Provider {
            legal_name: en("Vytautas Magnus University"),
            country: "LTU".into(),
            identifier: Some("LT KAUNAS01".into()),
            department: Some("Faculty of Informatics".into()),
        },
        homepage: "https://example.org/modules/ds-101".into(),
        instruction_languages: vec!["ENG".into()],
        start_date: Some("2027-02-01".into()),
        end_date: Some("2027-05-31".into()),
        application_deadline: Some("2027-01-15".into()),
        description: en("Cleaning, exploring and visualising data with pandas."),
        target_group: en("Working professionals with basic programming."),
        prerequisites: en("Basic Python."),
        stackability: Some("Stackable towards the Data Science certificate.".into()),
        outcomes: vec![
            Outcome {
                title: en("Clean and reshape tabular data."),
                esco_skills: vec![concept(
                    "http://data.europa.eu/esco/skill/5e58ddb3-3b36-4ac8-a3b3-a4cbfb1c1eb3",
                    "http://data.europa.eu/esco/concept-scheme/skills",
                    "perform data cleansing",
                )],
            },
            Outcome {
                title: en("Present findings with charts."),
                esco_skills: vec![],
            },
        ],
        ects: Some(5.0),
        eqf_level: Some(6),
        isced_f: vec![concept(
            "http://data.europa.eu/snb/isced-f/0613",
            "http://data.europa.eu/snb/isced-f/25831c2",
            "Software and applications development and analysis",
        )],
        mode: Some(concept(
            "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
            "http://data.europa.eu/snb/learning-assessment/25831c2",
            "Online",
        )),
        assessment: Assessment {
            title: en("Project and written exam"),
            description: en("A data project (60 %) and a written exam (40 %)."),
            kind: None,
            supervision: Some("Supervised online with identity verification".into()),
        },
        workload_hours: Some(125),
        fees: vec![Fee {
            label: en("Tuition"),
            amount: 250.0,
            currency: "EUR".into(),
        }],
        admission: en("Apply online before the deadline; places are given in order."),
        contact: Contact {
            name: "Study office".into(),
            email: "studies@example.org".into(),
            phone: Some("+370 37 000000".into()),
        },
        related: vec![RelatedSpec {
            title: en("Syllabus"),
            url: "https://example.org/modules/ds-101/syllabus.pdf".into(),
        }],
    }
}

/// A course for a sample agreement; `n` makes titles distinct.
pub fn course(n: usize, lo_id: Option<&str>) -> Course {
    Course {
        learning_opportunity_id: lo_id.map(str::to_owned),
        code: Some(format!("C-{n}")),
        title: format!("Course {n}"),
        ects: 5.0,
        outcomes: vec![format!("Outcome {n}.1"), format!("Outcome {n}.2")],
        assessment: "Written exam".into(),
        language: "en".into(),
        recognition: Recognition {
            credits: 5.0,
            course_replaced: Some(format!("Local course {n}")),
            conditions: Some("Grade of at least 6/10".into()),
        },
    }
}

fn party(name: &str, code: &str, country: &str) -> Party {
    Party {
        legal_name: name.to_owned(),
        erasmus_code: Some(code.to_owned()),
        legal_identifier: None,
        country: country.to_owned(),
        faculty: Some("Faculty of Informatics".into()),
        signatories: vec![PartyPerson {
            name: format!("Rector of {name}"),
            role: "Rector".into(),
            email: None,
        }],
        contacts: vec![PartyPerson {
            name: "International office".into(),
            role: "Contact".into(),
            email: Some("intl@example.org".into()),
        }],
    }
}

/// A complete (signable) agreement: `direction`, `courses` courses on each offering side,
/// recognition type `kind`.
pub fn mcra(id: &str, direction: Direction, courses: usize, kind: RecognitionType) -> Mcra {
    let side = |offset: usize| (0..courses).map(|i| course(offset + i, None)).collect();
    let (a, b) = match direction {
        Direction::AToB => (side(1), vec![]),
        Direction::BToA => (vec![], side(101)),
        Direction::Bidirectional => (side(1), side(101)),
    };
    Mcra {
        id: id.to_owned(),
        title: "Data science modules".into(),
        language: "en".into(),
        party_a: party("Vytautas Magnus University", "LT KAUNAS07", "LT"),
        party_b: party("Duale Hochschule Baden-Württemberg", "D STUTTGA07", "DE"),
        direction,
        recognition_type: kind,
        courses_a: a,
        courses_b: b,
        objective: "Let learners of each institution earn credits for the other's modules.".into(),
        process_steps: vec![
            "The learner applies to the recognising institution with a sealed credential.".into(),
            "The recognition board decides within 30 days.".into(),
        ],
        constraints: vec!["Credentials older than five years are not recognised.".into()],
        validity: Validity {
            start: Some("2027-01-01".into()),
            end: Some("2029-12-31".into()),
            renewal: Some("Renewed for two years unless either party ends it.".into()),
        },
    }
}
