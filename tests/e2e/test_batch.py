"""Batch issuing in the real window: import a learners sheet with one broken e-mail cell, see the
problem by cell, leave that row out, preview a row, seal the batch with the token PIN, and see the
register fill with exactly the sealed rows (search, sealed file, CSV export)."""

import csv
import json
import tempfile
from pathlib import Path

from openpyxl import Workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

from conftest import by_testid, shot, wait_for, wait_until

TEMPLATE = "E2E batch template"
LEARNERS = [
    ("Ada Lovelace", "ada@uni.example"),
    ("Bert Broken", "bert at uni.example"),  # sheet row 4: the broken cell is Learners!B4
    ("Cleo Clark", "cleo@uni.example"),
]


def write_sheet(path: Path) -> None:
    """Sealdesk's own sheet: row 1 column keys, row 2 labels, learners from row 3."""
    book = Workbook()
    ws = book.active
    ws.title = "Learners"
    ws.append(["fullName", "email"])
    ws.append(["Full name *", "E-mail *"])
    for name, email in LEARNERS:
        ws.append([name, email])
    book.save(path)


def rows(driver) -> dict:
    return {r.get_attribute("data-row"): r for r in driver.find_elements(*by_testid("batch-row"))}


def text_of(driver, testid: str) -> str:
    return driver.find_element(*by_testid(testid)).text


def test_import_fix_by_excluding_seal_and_register(app, token_facts):
    # The paths typed below are for the app to read: selenium must not try to upload them.
    app.file_detector = UselessFileDetector()
    work = Path(tempfile.mkdtemp(prefix="batch-e2e-"))
    sheet = work / "learners.xlsx"
    write_sheet(sheet)

    # A template to issue from, made in the Templates screen.
    wait_for(app, by_testid("nav-templates"), "the sidebar").click()
    wait_for(app, by_testid("templates-screen"), "the Templates screen")
    app.find_element(*by_testid("new-template-name")).send_keys(TEMPLATE)
    app.find_element(*by_testid("new-template")).click()
    wait_for(app, by_testid("template-editor"), "the editor of the new template")

    # Import the sheet.
    app.find_element(*by_testid("nav-batch")).click()
    wait_for(app, by_testid("batch-screen"), "the Batch screen")
    picker = wait_until(
        app,
        lambda d: d.find_element(*by_testid("batch-template"))
        if any(TEMPLATE in o.text for o in Select(d.find_element(*by_testid("batch-template"))).options)
        else None,
        "the template picker should offer the new template",
    )
    Select(picker).select_by_visible_text(next(o.text for o in Select(picker).options if TEMPLATE in o.text))
    app.find_element(*by_testid("batch-sheet-path")).send_keys(str(sheet))
    app.find_element(*by_testid("batch-import")).click()
    wait_for(app, by_testid("batch-summary"), "the imported batch")
    wait_until(app, lambda d: len(rows(d)) == 3, "the grid should list the three learners")
    assert text_of(app, "batch-total") == "3", f"three rows: {text_of(app, 'batch-total')!r}"
    assert text_of(app, "batch-problem-rows") == "1", "one row has a problem"

    # The problem names its cell and what is wrong; the cell is marked; sealing waits.
    problem = wait_for(app, by_testid("row-problem"), "the problem of the broken row")
    assert problem.get_attribute("data-place") == "Learners!B4", f"the problem names cell B4: {problem.get_attribute('data-place')!r}"
    assert "Learners!B4" in problem.text and "mail" in problem.text.lower(), f"the message names the cell and the e-mail: {problem.text!r}"
    broken = rows(app)["4"]
    assert broken.get_attribute("data-problems") == "1", "row 4 carries the problem"
    assert broken.find_elements(By.CSS_SELECTOR, "td.problem"), "the broken cell is highlighted"
    assert not app.find_element(*by_testid("batch-seal")).is_enabled(), "Seal batch is disabled while a row has a problem"
    shot(app, "batch-1-problem")

    # "Show problems only" keeps the broken row alone.
    app.find_element(*by_testid("batch-problems-only")).click()
    wait_until(app, lambda d: list(rows(d)) == ["4"], "only the row with the problem should be listed")
    app.find_element(*by_testid("batch-problems-only")).click()
    wait_until(app, lambda d: len(rows(d)) == 3, "all rows again")

    # Preview one learner's credential (built by Rust, nothing stored).
    rows(app)["3"].find_element(*by_testid("row-preview")).click()
    pane = wait_for(app, by_testid("row-preview-pane"), "the row preview")
    title = wait_until(app, lambda d: d.find_element(*by_testid("preview-title")).text, "the preview should show the credential title")
    assert title.strip(), "the preview has a title"
    assert pane.get_attribute("data-row") == "3", "the preview is of row 3"
    shot(app, "batch-2-preview")
    app.find_element(*by_testid("row-preview-close")).click()

    # Leave the broken row out: the batch is clean and may be sealed.
    rows(app)["4"].find_element(*by_testid("row-exclude")).click()
    wait_until(app, lambda d: text_of(d, "batch-problem-rows") == "0", "no row with problems once row 4 is left out")
    wait_until(app, lambda d: rows(d)["4"].get_attribute("data-state") == "excluded", "row 4 is excluded")
    seal = wait_until(app, lambda d: d.find_element(*by_testid("batch-seal")) if d.find_element(*by_testid("batch-seal")).is_enabled() else None, "Seal batch should be enabled")
    assert text_of(app, "batch-pending") == "2", "two rows to seal"

    # Seal with the token PIN, once.
    seal.click()
    wait_for(app, by_testid("pin-input"), "the PIN dialog").send_keys(token_facts["pin"], Keys.ENTER)
    done = wait_for(app, by_testid("batch-done"), "the end of the batch")
    assert done.get_attribute("data-sealed") == "2", f"two credentials sealed: {done.text!r}"
    assert text_of(app, "batch-progress-count").startswith("2 of 2"), f"progress reached the end: {text_of(app, 'batch-progress-count')!r}"
    wait_until(app, lambda d: rows(d)["3"].get_attribute("data-state") == "stored", "row 3 is stored")
    assert rows(app)["5"].get_attribute("data-state") == "stored", "row 5 is stored"
    assert rows(app)["4"].get_attribute("data-state") == "excluded", "row 4 stays out"
    wait_until(app, lambda d: d.find_element(*by_testid("batch-summary")).get_attribute("data-state") == "done", "the batch is done")
    shot(app, "batch-3-sealed")

    # The register lists exactly the sealed rows.
    app.find_element(*by_testid("nav-register")).click()
    wait_for(app, by_testid("register-screen"), "the Register screen")
    wait_until(app, lambda d: len(d.find_elements(*by_testid("register-row"))) == 2, "the register should list the two sealed credentials")
    learners = sorted(e.text for e in app.find_elements(*by_testid("register-learner")))
    assert learners == ["Ada Lovelace", "Cleo Clark"], f"the sealed learners, not the excluded one: {learners}"
    states = {e.text for e in app.find_elements(*by_testid("register-delivery-state"))}
    assert states == {"not queued"}, f"nothing queued for delivery yet: {states}"
    shot(app, "batch-4-register")

    # Search narrows to one learner; its sealed file is on disk and is a JAdES-sealed credential.
    app.find_element(*by_testid("register-search")).send_keys("cleo")
    wait_until(app, lambda d: len(d.find_elements(*by_testid("register-row"))) == 1, "the search should keep Cleo alone")
    assert app.find_element(*by_testid("register-learner")).text == "Cleo Clark", "the search found Cleo"
    app.find_element(*by_testid("register-open-file")).click()
    path_field = wait_for(app, by_testid("register-file-path"), "the sealed file's path")
    sealed = Path(path_field.get_attribute("value"))
    assert sealed.is_file(), f"the sealed file exists: {sealed}"
    envelope = json.loads(sealed.read_text(encoding="utf-8"))
    assert "payload" in envelope and ("signatures" in envelope or "protected" in envelope), f"a JWS JSON envelope: {list(envelope)}"

    # Export what is shown as CSV.
    out = work / "register.csv"
    app.find_element(*by_testid("register-csv-path")).send_keys(str(out))
    app.find_element(*by_testid("register-export")).click()
    exported = wait_for(app, by_testid("register-exported"), "the export confirmation")
    assert exported.get_attribute("data-count") == "1", f"one line exported (the search applies): {exported.text!r}"
    with open(out, newline="", encoding="utf-8") as f:
        lines = list(csv.DictReader(f))
    assert [l["learner"] for l in lines] == ["Cleo Clark"], f"the CSV holds the line shown: {lines}"
    assert lines[0]["email"] == "cleo@uni.example", "the CSV carries the e-mail"
    shot(app, "batch-5-file-and-csv")
