//! The fixed words of Sealdesk's PDFs (section titles, row labels, Annex I element names, the
//! joining words inside Annex I values, the seal block's labels) in English, Bulgarian and
//! Greek here, and in the other 21 official EU languages (French, German, Spanish, Italian,
//! Lithuanian, Polish, Portuguese, Dutch, Swedish, Danish, Czech, Romanian, Slovak, Croatian,
//! Slovenian, Finnish, Hungarian, Estonian, Latvian, Irish, Maltese) in `labels_eu.rs`;
//! other languages fall back to English. The credential's own texts come from its language
//! maps, not from here.

/// `(key, en, bg, el)`.
const LABELS: &[(&str, &str, &str, &str)] = &[
    ("credential", "Credential", "Удостоверение", "Πιστοποιητικό"),
    ("awardedTo", "Awarded to", "Издадено на", "Απονέμεται σε"),
    ("learner", "Learner", "Обучаем", "Εκπαιδευόμενος"),
    ("name", "Name", "Име", "Όνομα"),
    ("dateOfBirth", "Date of birth", "Дата на раждане", "Ημερομηνία γέννησης"),
    ("nationalId", "National identifier", "Национален идентификатор", "Εθνικός αριθμός ταυτότητας"),
    ("identifier", "Identifier", "Идентификатор", "Αναγνωριστικό"),
    ("achievement", "Learning achievement", "Учебно постижение", "Μαθησιακό επίτευγμα"),
    ("activity", "Learning activity", "Учебна дейност", "Μαθησιακή δραστηριότητα"),
    ("assessment", "Assessment", "Оценяване", "Αξιολόγηση"),
    ("entitlement", "Entitlement", "Право", "Δικαίωμα"),
    ("title", "Title", "Наименование", "Τίτλος"),
    ("description", "Description", "Описание", "Περιγραφή"),
    ("type", "Type", "Вид", "Είδος"),
    ("awardingBody", "Awarding body", "Присъждаща организация", "Φορέας απονομής"),
    ("awardingDate", "Awarding date", "Дата на присъждане", "Ημερομηνία απονομής"),
    ("eqf", "EQF level", "Ниво по ЕКР", "Επίπεδο ΕΠΠ"),
    ("nqf", "National level", "Национално ниво", "Εθνικό επίπεδο"),
    ("credits", "Credits", "Кредити", "Πιστωτικές μονάδες"),
    ("workload", "Workload", "Учебна натовареност", "Φόρτος εργασίας"),
    ("maximumDuration", "Maximum duration", "Максимална продължителност", "Μέγιστη διάρκεια"),
    ("mode", "Mode", "Форма", "Τρόπος"),
    ("learningSetting", "Learning setting", "Учебна среда", "Πλαίσιο μάθησης"),
    ("language", "Language", "Език", "Γλώσσα"),
    ("thematicArea", "Field of study", "Област на обучение", "Θεματικό πεδίο"),
    ("entryRequirement", "Entry requirements", "Изисквания за прием", "Προϋποθέσεις εισαγωγής"),
    ("partial", "Part of a larger qualification", "Част от по-голяма квалификация", "Μέρος ευρύτερου τίτλου"),
    ("yes", "yes", "да", "ναι"),
    ("no", "no", "не", "όχι"),
    ("outcomes", "Learning outcomes", "Учебни резултати", "Μαθησιακά αποτελέσματα"),
    ("outcome", "Learning outcome", "Учебен резултат", "Μαθησιακό αποτέλεσμα"),
    ("skills", "ESCO skills and other skills", "Умения по ESCO и други умения", "Δεξιότητες ESCO και άλλες δεξιότητες"),
    ("grade", "Grade", "Оценка", "Βαθμός"),
    ("gradingScheme", "Grading scheme", "Скала за оценяване", "Κλίμακα βαθμολόγησης"),
    ("supervision", "Supervision and identity check", "Надзор и проверка на самоличността", "Επιτήρηση και έλεγχος ταυτότητας"),
    ("period", "Period", "Период", "Περίοδος"),
    ("directedBy", "Directed by", "Ръководено от", "Υπό τη διεύθυνση"),
    ("status", "Status", "Статус", "Κατάσταση"),
    ("issuer", "Issuer", "Издател", "Εκδότης"),
    ("legalName", "Legal name", "Наименование", "Επωνυμία"),
    ("shortName", "Short name", "Кратко наименование", "Σύντομη ονομασία"),
    ("legalIdentifier", "Legal identifier", "Юридически идентификатор", "Νομικό αναγνωριστικό"),
    ("eidasIdentifier", "eIDAS identifier", "Идентификатор по eIDAS", "Αναγνωριστικό eIDAS"),
    ("vat", "VAT number", "ДДС номер", "ΑΦΜ"),
    ("address", "Address", "Адрес", "Διεύθυνση"),
    ("country", "Country", "Държава", "Χώρα"),
    ("homepage", "Web site", "Уебсайт", "Ιστότοπος"),
    ("memberOf", "Member of", "Член на", "Μέλος του"),
    ("dates", "Credential", "Удостоверение", "Πιστοποιητικό"),
    ("credentialId", "Credential identifier", "Идентификатор на удостоверението", "Αναγνωριστικό πιστοποιητικού"),
    ("issued", "Issued", "Издадено", "Εκδόθηκε"),
    ("validFrom", "Valid from", "Валидно от", "Ισχύει από"),
    ("validUntil", "Valid until", "Валидно до", "Ισχύει έως"),
    ("annex1", "Micro-credential: elements of Annex I (Council Recommendation 2022/C 243/02)", "Микроквалификация: елементи от приложение I (Препоръка на Съвета 2022/C 243/02)", "Μικροδιαπιστευτήριο: στοιχεία του παραρτήματος I (Σύσταση του Συμβουλίου 2022/C 243/02)"),
    ("element", "Element", "Елемент", "Στοιχείο"),
    ("value", "Value", "Стойност", "Τιμή"),
    ("notStated", "not stated", "не е посочено", "δεν αναφέρεται"),
    ("seal", "Electronic seal", "Електронен печат", "Ηλεκτρονική σφραγίδα"),
    ("sealHolder", "Sealed by", "Подпечатано от", "Σφραγίστηκε από"),
    ("orgIdentifier", "Organisation identifier", "Идентификатор на организацията", "Αναγνωριστικό οργανισμού"),
    ("sealedAt", "Sealed at", "Подпечатано на", "Χρόνος σφράγισης"),
    ("sealedFile", "Sealed credential file", "Подпечатан файл", "Σφραγισμένο αρχείο"),
    ("sha256", "SHA-256 of that file", "SHA-256 на файла", "SHA-256 του αρχείου"),
    ("sealNote", "The sealed JSON-LD credential is the authoritative record; this PDF presents it.", "Подпечатаното удостоверение в JSON-LD е официалният запис; този PDF го представя.", "Το σφραγισμένο πιστοποιητικό JSON-LD είναι το επίσημο αρχείο· το παρόν PDF το παρουσιάζει."),
    ("specimenTitle", "SPECIMEN: not an issued credential", "ОБРАЗЕЦ (SPECIMEN): не е издадено удостоверение", "ΔΕΙΓΜΑ (SPECIMEN): δεν είναι εκδοθέν πιστοποιητικό"),
    ("specimenWhat", "What this is", "Какво е това", "Τι είναι αυτό"),
    ("specimenNote", "A preview or a mock credential. It carries no seal and proves nothing.", "Преглед или примерно удостоверение. Не носи печат и не удостоверява нищо.", "Προεπισκόπηση ή υπόδειγμα πιστοποιητικού. Δεν φέρει σφραγίδα και δεν αποδεικνύει τίποτα."),
    ("summary", "Summary", "Резюме", "Σύνοψη"),
    ("page", "Page", "Страница", "Σελίδα"),
    // Annex I elements, keyed as in `sealdesk_elm::annex1`.
    ("a1.learner", "Identification of the learner", "Идентификация на обучаемия", "Ταυτοποίηση του εκπαιδευόμενου"),
    ("a1.title", "Title of the micro-credential", "Наименование на микроквалификацията", "Τίτλος του μικροδιαπιστευτηρίου"),
    ("a1.country", "Country(ies)/Region(s) of the issuer", "Държава(и)/регион(и) на издателя", "Χώρα(-ες)/Περιφέρεια(-ες) του εκδότη"),
    ("a1.awardingBody", "Awarding body(ies)", "Присъждаща(и) организация(и)", "Φορέας(-είς) απονομής"),
    ("a1.dateOfIssuing", "Date of issuing", "Дата на издаване", "Ημερομηνία έκδοσης"),
    ("a1.learningOutcomes", "Learning outcomes", "Учебни резултати", "Μαθησιακά αποτελέσματα"),
    ("a1.workload", "Notional workload needed to achieve the learning outcomes (in ECTS, wherever possible)", "Условна учебна натовареност за постигане на учебните резултати (в ЕСТК, когато е възможно)", "Εκτιμώμενος φόρτος εργασίας για την επίτευξη των μαθησιακών αποτελεσμάτων (σε ECTS, όπου είναι δυνατόν)"),
    ("a1.level", "Level (and cycle, if applicable) of the learning experience (EQF, QF-EHEA)", "Ниво (и цикъл, ако е приложимо) на обучението (ЕКР, КР-ЕПВО)", "Επίπεδο (και κύκλος, κατά περίπτωση) της μαθησιακής εμπειρίας (ΕΠΠ, ΠΠ-ΕΧΑΕ)"),
    ("a1.assessmentType", "Type of assessment", "Вид оценяване", "Είδος αξιολόγησης"),
    ("a1.formOfParticipation", "Form of participation in the learning activity", "Форма на участие в учебната дейност", "Μορφή συμμετοχής στη μαθησιακή δραστηριότητα"),
    ("a1.qualityAssurance", "Type of quality assurance used to underpin the micro-credential", "Вид осигуряване на качеството на микроквалификацията", "Είδος διασφάλισης ποιότητας του μικροδιαπιστευτηρίου"),
    ("a1.prerequisites", "Prerequisites needed to enrol in the learning activity", "Предварителни изисквания за записване", "Προαπαιτούμενα για την εγγραφή στη μαθησιακή δραστηριότητα"),
    ("a1.supervision", "Supervision and identity verification during assessment", "Надзор и проверка на самоличността при оценяването", "Επιτήρηση και επαλήθευση ταυτότητας κατά την αξιολόγηση"),
    ("a1.grade", "Grade achieved", "Получена оценка", "Βαθμός που επιτεύχθηκε"),
    ("a1.stackability", "Integration/stackability options", "Възможности за интегриране/натрупване", "Δυνατότητες ενσωμάτωσης/συσσώρευσης"),
    ("a1.furtherInformation", "Further information", "Допълнителна информация", "Περισσότερες πληροφορίες"),
    // Joining words inside Annex I values (`sealdesk_elm::annex1::check_with_words`); `{}` is
    // the registration number.
    ("a1.validFromNote", "valid from; the issue date is set at sealing", "валидно от; датата на издаване се определя при подпечатването", "ισχύει από· η ημερομηνία έκδοσης ορίζεται κατά τη σφράγιση"),
    ("a1.registeredAs", "awarding body registered as {}", "присъждащата организация е регистрирана като {}", "φορέας απονομής καταχωρισμένος ως {}"),
    ("a1.accredited", "accredited", "акредитирано", "διαπιστευμένο"),
    ("a1.integrated", "integrated: part of a larger qualification", "интегрирана: част от по-широка квалификация", "ενσωματωμένο: μέρος ευρύτερου τίτλου"),
    ("a1.standAlone", "stand-alone", "самостоятелна", "αυτοτελές"),
];

/// The label `key` in `lang` (ISO 639-1), English when the language has no labels; the key
/// itself when it is unknown (a bug, visible on the page rather than a panic).
pub fn label<'a>(lang: &str, key: &'a str) -> &'a str {
    if let Some(text) = crate::labels_eu::label(lang, key) {
        return text;
    }
    match LABELS.iter().find(|(k, ..)| *k == key) {
        Some((_, en, bg, el)) => match lang {
            "bg" => bg,
            "el" => el,
            _ => en,
        },
        None => key,
    }
}

/// Whether the fixed words exist in `lang` (else they are English).
pub fn has_labels(lang: &str) -> bool {
    matches!(lang, "en" | "bg" | "el") || crate::labels_eu::has_labels(lang)
}

#[cfg(test)]
/// Every label key, in table order (the other languages' tables must have exactly these).
pub(crate) fn keys() -> impl Iterator<Item = &'static str> {
    LABELS.iter().map(|(k, ..)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_three_non_empty_languages_and_unique_keys() {
        for (i, (key, en, bg, el)) in LABELS.iter().enumerate() {
            assert!(
                !en.is_empty() && !bg.is_empty() && !el.is_empty(),
                "label {key} is translated"
            );
            assert!(
                LABELS[i + 1..].iter().all(|(k, ..)| k != key),
                "label key {key} is unique"
            );
        }
        assert_eq!(
            label("is", "learner"),
            "Learner",
            "languages without labels fall back to English"
        );
        assert_eq!(label("hu", "nope"), "nope", "an unknown key prints itself");
        assert_eq!(label("fr", "learner"), "Apprenant", "French");
        assert_eq!(label("bg", "learner"), "Обучаем", "Bulgarian");
    }

    /// The 24 official languages of the EU (ISO 639-1).
    const EU_LANGUAGES: [&str; 24] = [
        "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
        "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    ];

    #[test]
    fn all_24_eu_languages_have_their_own_words_and_dejavu_draws_every_letter() {
        let english: Vec<&str> = keys().map(|k| label("en", k)).collect();
        for lang in EU_LANGUAGES {
            assert!(has_labels(lang), "{lang} has fixed words");
            let words: Vec<&str> = keys().map(|k| label(lang, k)).collect();
            assert!(
                words.iter().all(|w| !w.trim().is_empty()),
                "{lang}: no empty word"
            );
            if lang != "en" {
                let same = words.iter().zip(&english).filter(|(a, b)| a == b).count();
                assert!(
                    same * 5 < words.len(),
                    "{lang}: translated, not English ({same} of {} words are the English ones)",
                    words.len()
                );
            }
            let text = words.concat();
            let subset = crate::subset_text(crate::Face::Regular, &text)
                .unwrap_or_else(|e| panic!("{lang}: subset: {e}"));
            let missing: String = subset
                .glyphs
                .iter()
                .filter(|(_, g)| g.gid == 0)
                .map(|(c, _)| *c)
                .collect();
            assert!(missing.is_empty(), "{lang}: DejaVu Sans lacks {missing:?}");
        }
        assert_eq!(
            label("hu", "sealHolder"),
            "Bélyegzővel ellátta",
            "Hungarian"
        );
        assert_eq!(label("et", "learner"), "Õppija", "Estonian");
        assert_eq!(label("lv", "issuer"), "Izdevējs", "Latvian");
        assert_eq!(label("ga", "page"), "Leathanach", "Irish");
        assert_eq!(label("mt", "seal"), "Siġill elettroniku", "Maltese");
    }
}
