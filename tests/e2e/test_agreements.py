"""Programmes in the real window: two learning opportunities (added with sealdesk-cli to the app's
own data folder) are submitted in the catalogue and approved in the review queue; a bidirectional
agreement is drafted with one course from each, Rust's refusal of a premature move is shown with
its JSON pointers, the agreement moves draft -> sent for review -> agreed, the versions compare,
and the printed agreement's first page is drawn by pdf.js in the preview. Exchange: a partner's
signed agreement is imported (a broken or newer-format file is refused with its reason and nothing
is imported), exported back with every field, imported again under another id, printed and sealed
with the harness token (pdfsig: one valid signature); a draft is refused before the PIN; a learning
opportunity is exported as ELM JSON-LD and as a PDF."""

import json
import subprocess
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

from conftest import app_data_dir, by_testid, cli_binary, shot, wait_for, wait_until


def learning_opportunity(lo_id: str, title: str, code: str, ects: float) -> dict:
    """A complete module description (the shape `sealdesk-cli lo add` reads)."""
    en = lambda text: {"en": text}  # noqa: E731
    return {
        "id": lo_id,
        "languages": ["en"],
        "title": en(title),
        "code": code,
        "provider": {"legalName": en("Vytautas Magnus University"), "country": "LTU", "identifier": "LT KAUNAS07", "department": "Faculty of Informatics"},
        "homepage": f"https://example.org/modules/{code.lower()}",
        "instructionLanguages": ["ENG"],
        "description": en(f"{title}: a module for working professionals."),
        "outcomes": [
            {
                "title": en("Clean and reshape tabular data."),
                "escoSkills": [
                    {
                        "id": "http://data.europa.eu/esco/skill/5e58ddb3-3b36-4ac8-a3b3-a4cbfb1c1eb3",
                        "scheme": "http://data.europa.eu/esco/concept-scheme/skills",
                        "labels": en("perform data cleansing"),
                    }
                ],
            }
        ],
        "ects": ects,
        "eqfLevel": 6,
        "iscedF": [{"id": "http://data.europa.eu/snb/isced-f/0613", "scheme": "http://data.europa.eu/snb/isced-f/25831c2", "labels": en("Software and applications development and analysis")}],
        "mode": {"id": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "scheme": "http://data.europa.eu/snb/learning-assessment/25831c2", "labels": en("Online")},
        "assessment": {"title": en("Project and written exam")},
        "workloadHours": 125,
        "contact": {"name": "Study office", "email": "studies@example.org"},
    }


def seed_learning_opportunities(tmp: Path) -> list:
    los = [
        learning_opportunity("e2e-lo-python", "Data analysis with Python", "DS-101", 5.0),
        learning_opportunity("e2e-lo-viz", "Visualising data", "DS-102", 4.0),
    ]
    data = app_data_dir("test_agreements")
    for lo in los:
        path = tmp / f"{lo['id']}.json"
        path.write_text(json.dumps(lo), encoding="utf-8")
        out = subprocess.run([str(cli_binary()), "--data-dir", str(data), "lo", "add", str(path), "--json"], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"sealdesk-cli lo add {path.name}: {out.stderr}"
        assert json.loads(out.stdout)["summary"]["state"] == "draft", f"lo add makes a draft: {out.stdout[:300]}"
    return los


def centred(driver, element):
    """Scrolls `element` to the middle of the window (the editor is long) and returns it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    return element


def press(driver, testid: str) -> None:
    """Clicks a button once it is enabled (buttons are disabled while a command runs)."""
    button = wait_until(driver, lambda d: next((b for b in d.find_elements(*by_testid(testid)) if b.is_enabled()), None), f"{testid} should be enabled")
    centred(driver, button).click()


def choose(driver, testid: str, value: str) -> None:
    Select(centred(driver, driver.find_element(*by_testid(testid)))).select_by_value(value)


def fill(driver, testid: str, text: str, within=None) -> None:
    """Types `text` into a box once it is shown (an editor opens after Rust answers)."""
    box = centred(driver, wait_for(within or driver, by_testid(testid), f"the {testid} box"))
    box.clear()
    box.send_keys(text)


def editor_state(driver, testid: str):
    found = driver.find_elements(*by_testid(testid))
    return found[0].get_attribute("data-state") if found else None


def test_draft_bidirectional_mcra_from_learning_opportunities_to_agreed_with_pdf(app, tmp_path):
    los = seed_learning_opportunities(tmp_path)

    # The catalogue lists both drafts; each is submitted from its editor.
    press(app, "nav-learning")
    wait_for(app, by_testid("learning-screen"), "the Learning opportunities screen")
    groups = app.find_elements(*by_testid("nav-group"))
    assert [g.text.strip().lower() for g in groups] == ["programmes"], f"the sidebar groups the screens under Programmes: {[g.text for g in groups]}"
    for lo in los:
        row = wait_for(app, (By.CSS_SELECTOR, f'[data-testid="lo-row"][data-id="{lo["id"]}"]'), f"the draft {lo['id']} in the catalogue")
        assert row.get_attribute("data-state") == "draft", f"{lo['id']} was added as a draft"
        row.click()
        wait_for(app, by_testid("lo-editor"), f"the editor of {lo['id']}")
        title = app.find_element(*by_testid("lo-title")).get_attribute("value")
        assert title == lo["title"]["en"], f"the editor shows the stored title: {title!r}"
        press(app, "lo-submit")
        wait_until(app, lambda d: editor_state(d, "lo-editor") == "submitted", f"{lo['id']} should be submitted")
        shot(app, f"agreements-1-submitted-{lo['id']}")
        press(app, "lo-close")

    shot(app, "agreements-0-catalogue")

    # The review queue: asking for changes without a comment is refused by Rust; then approve.
    press(app, "nav-review")
    wait_for(app, by_testid("review-screen"), "the Review queue")
    for n, lo in enumerate(los):
        wait_for(app, (By.CSS_SELECTOR, f'[data-testid="review-row"][data-id="{lo["id"]}"]'), f"{lo['id']} waiting for review").click()
        wait_for(app, by_testid("review-panel"), "the review panel")
        if n == 0:
            app.find_element(*by_testid("review-comment")).clear()
            press(app, "review-request-changes")
            error = wait_for(app, by_testid("lo-error"), "Rust's refusal of changes asked without a comment")
            assert "comment" in error.text, f"the refusal says a comment is needed: {error.text!r}"
            assert editor_state(app, "lo-editor") == "submitted", "a refused review step changes nothing"
        fill(app, "review-actor", "Steering committee E2E")
        fill(app, "review-comment", "Fits the catalogue.")
        press(app, "review-approve")
        wait_until(app, lambda d: editor_state(d, "lo-editor") == "approved", f"{lo['id']} should be approved")
        steps = [s.get_attribute("data-to") for s in app.find_elements(*by_testid("lo-history-step"))]
        assert steps == ["submitted", "approved"], f"the history shows both review steps: {steps}"
        shot(app, f"agreements-2-approved-{lo['id']}")
        if n == 0:
            # The printed module description, drawn by the same preview component.
            centred(app, app.find_element(By.CSS_SELECTOR, '[data-testid="lo-printed"] summary')).click()
            drawn = wait_until(
                app,
                lambda d: int(d.find_element(*by_testid("lo-pdf-preview")).get_attribute("data-rendered-pages") or 0) or None,
                "the printed learning opportunity should show at least one page",
            )
            assert drawn >= 1, f"the module description's first page is drawn: {drawn}"
        press(app, "lo-close")
    wait_for(app, by_testid("review-empty"), "an empty queue once both are approved")

    # An approved learning opportunity becomes a credential template that stays linked to it.
    press(app, "nav-learning")
    wait_for(app, (By.CSS_SELECTOR, f'[data-testid="lo-row"][data-id="{los[0]["id"]}"][data-state="approved"]'), "the approved learning opportunity in the catalogue").click()
    fill(app, "lo-template-name", "E2E module credential")
    press(app, "lo-template-make")
    linked = wait_for(app, by_testid("lo-templates"), "the linked template")
    assert "v1 (from version 3)" in linked.text, f"the template is linked to the approved version: {linked.text!r}"
    press(app, "lo-close")

    # A new agreement; sending it for review at once is refused with the fields it lacks.
    press(app, "nav-agreements")
    wait_for(app, by_testid("agreements-screen"), "the Agreements screen")
    fill(app, "new-mcra-title", "E2E data science modules")
    press(app, "new-mcra")
    editor = wait_for(app, by_testid("mcra-editor"), "the editor of the new agreement")
    assert editor.get_attribute("data-state") == "draft", "a new agreement is a draft"
    press(app, "mcra-move-sent_for_review")
    error = wait_for(app, by_testid("mcra-error"), "Rust's refusal of a premature move")
    assert "/partyA/legalName" in error.text and "/coursesA" in error.text, f"the refusal names the missing fields by JSON pointer: {error.text!r}"
    notes = {n.get_attribute("data-pointer") for n in app.find_elements(*by_testid("finding"))}
    assert "/partyB/legalName" in notes, f"findings are shown next to their fields: {sorted(notes)}"
    assert editor_state(app, "mcra-editor") == "draft", "a refused move changes nothing"
    shot(app, "agreements-3-refused")

    # Parties, direction, courses from both learning opportunities, terms.
    for key, name, code, country in (("partyA", "Vytautas Magnus University", "LT KAUNAS07", "LT"), ("partyB", "Duale Hochschule Baden-Wuerttemberg", "D STUTTGA07", "DE")):
        fill(app, f"{key}-name", name)
        fill(app, f"{key}-erasmus", code)
        fill(app, f"{key}-country", country)
        fill(app, f"{key}-faculty", "Faculty of Informatics")
    choose(app, "mcra-direction", "bidirectional")
    for side, lo in (("coursesA", los[0]), ("coursesB", los[1])):
        choose(app, f"course-lo-{side}", lo["id"])
        press(app, f"add-course-lo-{side}")
        course = wait_for(app, (By.CSS_SELECTOR, f'[data-testid="mcra-course"][data-side="{side}"][data-index="0"]'), f"the course from {lo['id']}")
        assert course.get_attribute("data-lo") == lo["id"], f"the course is linked to its learning opportunity: {course.get_attribute('data-lo')!r}"
        assert course.find_element(*by_testid("course-title")).get_attribute("value") == lo["title"]["en"], "the course title comes from the learning opportunity"
    centred(app, app.find_element(*by_testid("mcra-coursesB")))
    shot(app, "agreements-3b-courses")
    fill(app, "mcra-objective", "Let learners of each institution earn credits for the other's modules.")
    fill(app, "mcra-steps", "The learner applies with a sealed credential.\nThe recognition board decides within 30 days.")
    fill(app, "mcra-valid-from", "2027-01-01")
    fill(app, "mcra-valid-until", "2029-12-31")
    wait_until(app, lambda d: d.find_element(*by_testid("mcra-preview-of")).text.startswith("Unsaved changes"), "the preview should print the unsaved draft")
    press(app, "mcra-save")
    wait_until(app, lambda d: d.find_element(*by_testid("mcra-version")).text == "version 2", "saving makes version 2")
    assert not app.find_elements(*by_testid("mcra-error")), "the complete draft saves without an error"

    # Workflow: sent for review, then agreed by both.
    press(app, "mcra-move-sent_for_review")
    wait_until(app, lambda d: editor_state(d, "mcra-editor") == "sent_for_review", "the agreement should be sent for review")
    press(app, "mcra-move-agreed")
    wait_until(app, lambda d: editor_state(d, "mcra-editor") == "agreed", "the agreement should be agreed")
    versions = [r.get_attribute("data-version") for r in app.find_elements(*by_testid("mcra-version-row"))]
    assert versions == ["1", "2", "3", "4"], f"every save and move is a version: {versions}"

    # Versions compare: 1 -> 4 changes the state and the parties.
    choose(app, "diff-from", "1")
    choose(app, "diff-to", "4")
    press(app, "diff-show")
    wait_for(app, by_testid("mcra-diff"), "the diff between versions 1 and 4")
    paths = {r.get_attribute("data-path") for r in app.find_elements(*by_testid("diff-row"))}
    assert {"/state", "/direction", "/partyA/legalName"} <= paths, f"the diff names the changed fields: {sorted(paths)}"

    # The printed agreement: pdf.js draws the first page in the preview.
    preview = wait_for(app, by_testid("pdf-preview"), "the agreement's PDF preview")
    pages = wait_until(
        app,
        lambda d: int(d.find_element(*by_testid("pdf-preview")).get_attribute("data-rendered-pages") or 0) or None,
        "the preview should draw at least one page",
    )
    assert pages >= 1, f"the first page is drawn: {pages}"
    printed = app.find_element(*by_testid("mcra-preview-of")).text
    assert printed.startswith("Version 4 as stored"), f"the preview prints the agreed version: {printed!r}"
    assert preview.get_attribute("data-state") in ("rendering", "rendered"), f"no error in the preview: {preview.get_attribute('data-state')}"
    inked = app.execute_script(
        """
        const c = document.querySelector('[data-testid="pdf-preview"] canvas[data-page="1"]');
        if (!c) return -1;
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] < 128 && px[i + 3] > 0) dark++;
        return dark;
        """
    )
    assert inked > 500, f"the first page has text drawn on it (dark pixels: {inked})"
    centred(app, app.find_element(By.CSS_SELECTOR, '[data-testid="pdf-preview"] canvas[data-page="1"]'))
    shot(app, "agreements-4-agreed-with-pdf")


def strip_nulls(value):
    """The JSON without null members (an absent optional field and a null one mean the same)."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def partner_exchange_file(agreement_id: str) -> dict:
    """A signed agreement as the partner's Sealdesk exports it (sealdesk.mcra/1)."""
    person = lambda name, role, email=None: {"name": name, "role": role, "email": email}  # noqa: E731

    def party(name: str, code: str, country: str, dean: str) -> dict:
        return {
            "legalName": name,
            "erasmusCode": code,
            "legalIdentifier": None,
            "country": country,
            "faculty": "Faculty of Informatics",
            "signatories": [person(dean, "Dean")],
            "contacts": [person("International office", "Contact", "intl@example.org")],
        }

    def course(code: str, title: str, ects: float) -> dict:
        return {
            "learningOpportunityId": None,
            "code": code,
            "title": title,
            "ects": ects,
            "outcomes": ["Build and evaluate a classification model."],
            "assessment": "Project",
            "language": "en",
            "recognition": {"credits": ects, "courseReplaced": "Machine learning (INF-310)", "conditions": None},
        }

    agreement = {
        "id": agreement_id,
        "title": "E2E machine learning exchange",
        "language": "en",
        "partyA": party("Duale Hochschule Baden-Wuerttemberg", "D STUTTGA07", "DE", "Prof. Anna Keller"),
        "partyB": party("Vytautas Magnus University", "LT KAUNAS07", "LT", "Prof. Jonas Petrauskas"),
        "direction": "a_to_b",
        "recognitionType": {"level": "faculty", "learning": "formal"},
        "coursesA": [course("ML-201", "Applied machine learning", 6.0)],
        "coursesB": [],
        "objective": "Recognise the partner's machine learning module.",
        "processSteps": ["The learner applies with a sealed credential.", "The board decides within 30 days."],
        "constraints": [],
        "validity": {"start": "2027-01-01", "end": "2029-12-31", "renewal": None},
    }
    return {"format": "sealdesk.mcra/1", "exportedAt": "2026-11-20T09:00:00Z", "agreements": [{"state": "signed", "agreement": agreement}]}


def mcra_ids(driver) -> list:
    return sorted(r.get_attribute("data-id") for r in driver.find_elements(*by_testid("mcra-row")))


def import_file(driver, path: Path) -> None:
    fill(driver, "mcra-import-path", str(path))
    press(driver, "mcra-import")


def test_exchange_an_agreement_with_the_partner_and_seal_its_pdf(app, token_facts, tmp_path):
    # Paths typed into boxes are text: selenium must not upload the file they name.
    app.file_detector = UselessFileDetector()
    press(app, "nav-agreements")
    wait_for(app, by_testid("agreements-screen"), "the Agreements screen")
    if app.find_elements(*by_testid("mcra-close")):
        press(app, "mcra-close")
    wait_for(app, by_testid("mcra-import-path"), "the import form on the list")
    before = mcra_ids(app)

    # A broken file and a newer-format file are refused with the agreements crate's sentence;
    # nothing is imported.
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "sealdesk.mcra/1", "agreements": [', encoding="utf-8")
    import_file(app, broken)
    error = wait_for(app, by_testid("mcra-import-error"), "the refusal of a broken file")
    assert error.get_attribute("data-code") == "InvalidInput", f"an input error: {error.get_attribute('data-code')}"
    assert "broken.json is not JSON (line" in error.text, f"the refusal names the file and the place: {error.text!r}"
    assert "Nothing was imported" in error.text, f"the screen says nothing was imported: {error.text!r}"
    shot(app, "agreements-5-import-refused")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**partner_exchange_file("e2e-mcra-newer"), "format": "sealdesk.mcra/2"}), encoding="utf-8")
    import_file(app, newer)
    wait_until(app, lambda d: "update Sealdesk" in d.find_element(*by_testid("mcra-import-error")).text, "the refusal of a newer format says to update")
    assert mcra_ids(app) == before, f"nothing was imported: {mcra_ids(app)} vs {before}"

    # The partner's signed agreement is imported and listed.
    partner = partner_exchange_file("e2e-mcra-from-dhbw")
    sent = tmp_path / "from-dhbw.json"
    sent.write_text(json.dumps(partner), encoding="utf-8")
    import_file(app, sent)
    done = wait_for(app, by_testid("mcra-imported"), "the import's answer")
    assert done.get_attribute("data-count") == "1", f"one agreement imported: {done.text!r}"
    row = wait_for(app, (By.CSS_SELECTOR, '[data-testid="mcra-row"][data-id="e2e-mcra-from-dhbw"]'), "the imported agreement in the list")
    assert row.get_attribute("data-state") == "signed", f"the partner's state is kept: {row.get_attribute('data-state')}"
    shot(app, "agreements-6-imported")

    # Exported back: every field as the partner sent it.
    row.click()
    wait_until(app, lambda d: editor_state(d, "mcra-editor") == "signed", "the imported agreement opens as signed")
    exported = tmp_path / "back-to-dhbw.json"
    fill(app, "mcra-export-path", str(exported))
    press(app, "mcra-export")
    written = wait_for(app, by_testid("mcra-file-written"), "the exchange file written")
    assert written.get_attribute("data-path") == str(exported), f"the file named: {written.get_attribute('data-path')}"
    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert doc["format"] == "sealdesk.mcra/1", f"the exchange format: {doc['format']}"
    assert [a["state"] for a in doc["agreements"]] == ["signed"], f"the state travels: {doc['agreements']}"
    assert strip_nulls(doc["agreements"][0]["agreement"]) == strip_nulls(partner["agreements"][0]["agreement"]), "the round trip keeps every field"

    # A copy under another id (as a partner's own numbering would make it) is a second agreement.
    doc["agreements"][0]["agreement"]["id"] = "e2e-mcra-copy"
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(doc), encoding="utf-8")
    press(app, "mcra-close")
    import_file(app, copy)
    wait_for(app, (By.CSS_SELECTOR, '[data-testid="mcra-row"][data-id="e2e-mcra-copy"]'), "the copy in the list")
    assert mcra_ids(app) == sorted(before + ["e2e-mcra-copy", "e2e-mcra-from-dhbw"]), f"both agreements listed: {mcra_ids(app)}"

    # A draft is refused before the PIN dialog opens.
    fill(app, "new-mcra-title", "E2E not ready to seal")
    press(app, "new-mcra")
    wait_until(app, lambda d: editor_state(d, "mcra-editor") == "draft", "the new draft opens")
    fill(app, "mcra-pdf-path", str(tmp_path / "draft-sealed.pdf"))
    press(app, "mcra-pdf-seal")
    refused = wait_for(app, by_testid("mcra-file-error"), "the refusal to seal a draft")
    assert refused.get_attribute("data-code") == "InvalidInput", f"an input error: {refused.text!r}"
    assert "only a signed or shared agreement can be sealed" in refused.text, f"says why: {refused.text!r}"
    assert not app.find_elements(*by_testid("pin-dialog")), "no PIN asked for a draft"
    assert not (tmp_path / "draft-sealed.pdf").exists(), "no file written for a draft"
    press(app, "mcra-close")

    # The signed agreement: its PDF saved, then sealed with the token (PAdES).
    wait_for(app, (By.CSS_SELECTOR, '[data-testid="mcra-row"][data-id="e2e-mcra-from-dhbw"]'), "the signed agreement").click()
    wait_until(app, lambda d: editor_state(d, "mcra-editor") == "signed", "the signed agreement opens")
    printed = tmp_path / "printed.pdf"
    fill(app, "mcra-pdf-path", str(printed))
    press(app, "mcra-pdf-save")
    wait_until(app, lambda d: d.find_element(*by_testid("mcra-file-written")).get_attribute("data-what") == "PDF", "the PDF written")
    assert printed.read_bytes().startswith(b"%PDF-"), "a PDF was saved"
    # The same agreement printed for a French partner: Rust's languages offered, named in themselves.
    offered = {o.get_attribute("value"): o.text for o in Select(app.find_element(*by_testid("mcra-pdf-lang"))).options}
    assert {"en", "fr", "de", "es", "it", "lt"} <= set(offered), f"every fixed-text language offered: {offered}"
    assert "Français" in offered["fr"], f"French named in French: {offered['fr']!r}"
    choose(app, "mcra-pdf-lang", "fr")
    printed_fr = tmp_path / "printed-fr.pdf"
    fill(app, "mcra-pdf-path", str(printed_fr))
    press(app, "mcra-pdf-save")
    wait_until(app, lambda d: d.find_element(*by_testid("mcra-file-written")).get_attribute("data-path").endswith("printed-fr.pdf"), "the French PDF written")
    def pdf_text(pdf):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    french, first = pdf_text(printed_fr), pdf_text(printed)
    assert "Accord type de reconnaissance de crédits" in french, f"the French fixed texts: {french[:400]!r}"
    assert "Accord type de reconnaissance de crédits" not in first, "the first PDF was in the agreement's own language"
    choose(app, "mcra-pdf-lang", "")
    sealed = tmp_path / "sealed.pdf"
    fill(app, "mcra-pdf-path", str(sealed))
    press(app, "mcra-pdf-seal")
    wait_for(app, by_testid("pin-input"), "the PIN dialog").send_keys(token_facts["pin"], Keys.ENTER)
    result = wait_for(app, by_testid("mcra-sealed"), "the sealed PDF's result")
    assert result.get_attribute("data-intact") == "true", f"our check says intact: {result.text!r}"
    centred(app, app.find_element(*by_testid("mcra-files")))
    shot(app, "agreements-7-sealed")
    check = subprocess.run(["pdfsig", "-nocert", str(sealed)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, f"pdfsig accepts the sealed agreement: {check.stdout}{check.stderr}"
    assert check.stdout.count("Signature #") == 1, f"exactly one signature: {check.stdout}"
    assert "Signature is Valid" in check.stdout, f"pdfsig: the signature is valid: {check.stdout}"
    press(app, "mcra-close")

    # A learning opportunity as ELM JSON-LD and as a PDF.
    lo = learning_opportunity("e2e-lo-export", "Exported module", "DS-103", 3.0)
    source = tmp_path / "lo.json"
    source.write_text(json.dumps(lo), encoding="utf-8")
    added = subprocess.run([str(cli_binary()), "--data-dir", str(app_data_dir("test_agreements")), "lo", "add", str(source)], capture_output=True, text=True, timeout=300)
    assert added.returncode == 0, f"sealdesk-cli lo add: {added.stderr}"
    press(app, "nav-learning")
    wait_for(app, (By.CSS_SELECTOR, '[data-testid="lo-row"][data-id="e2e-lo-export"]'), "the learning opportunity in the catalogue").click()
    wait_for(app, by_testid("lo-editor"), "its editor")
    jsonld = tmp_path / "module.jsonld"
    fill(app, "lo-jsonld-path", str(jsonld))
    press(app, "lo-jsonld-export")
    wait_for(app, by_testid("lo-file-written"), "the JSON-LD written")
    ld = json.loads(jsonld.read_text(encoding="utf-8"))
    assert "LearningOpportunity" in json.dumps(ld), f"an ELM learning opportunity: {json.dumps(ld)[:300]}"
    assert "Exported module" in json.dumps(ld, ensure_ascii=False), "with its title"
    module_pdf = tmp_path / "module.pdf"
    fill(app, "lo-pdf-path", str(module_pdf))
    press(app, "lo-pdf-save")
    wait_until(app, lambda d: d.find_element(*by_testid("lo-file-written")).get_attribute("data-what") == "PDF", "the module description PDF written")
    assert module_pdf.read_bytes().startswith(b"%PDF-"), "a PDF was saved"
    centred(app, app.find_element(*by_testid("lo-files")))
    shot(app, "agreements-8-lo-exported")
    fill(app, "lo-pdf-path", "module.pdf")
    press(app, "lo-pdf-save")
    refused = wait_for(app, by_testid("lo-file-error"), "a relative path refused")
    assert "full path" in refused.text, f"says to give the full path: {refused.text!r}"
    press(app, "lo-close")
