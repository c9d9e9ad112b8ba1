"""Credential PDFs inline in the real window (issue 7 item 5).

A template's "PDF" tab shows the saved version's PDF drawn by pdf.js: at least one page, a
canvas with ink on it, and Rust's word that it is a SPECIMEN. A credential sealed on the test
token with sealdesk-cli against the app's data folder shows in the register; "Preview PDF"
draws it, and says it is sealed, not a specimen. The bytes the window receives from the same
commands are read back with pdftotext: the template's carry the SPECIMEN watermark, the sealed
credential's do not (and name the learner). A batch imported from a sheet shows its row's
PDF (the "PDF" toggle of the row preview): a SPECIMEN naming that learner.
"""

import base64
import json
import subprocess
from pathlib import Path

from openpyxl import Workbook
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

from conftest import ROOT, app_data_dir, by_testid, cli, shot, wait_for, wait_until


# Bytes a command answered, fetched in the window through Tauri's IPC (an ArrayBuffer) and
# handed back to the test as base64.
FETCH_PDF = """
const [command, args, done] = arguments;
window.__TAURI_INTERNALS__.invoke(command, args).then(
  (buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    done({ ok: true, kind: Object.prototype.toString.call(buffer), b64: btoa(text) });
  },
  (error) => done({ ok: false, error: JSON.stringify(error) }),
);
"""

# Whether the first canvas of a preview has any non-white pixel.
CANVAS_INK = """
const canvas = arguments[0].querySelector("canvas");
if (!canvas || canvas.width === 0) return 0;
const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
let ink = 0;
for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink++;
return ink;
"""


def pdf_text(driver, tmp_path: Path, name: str, command: str, args: dict) -> str:
    answer = driver.execute_async_script(FETCH_PDF, command, args)
    assert answer["ok"], f"{command} failed: {answer.get('error')}"
    assert answer["kind"] == "[object ArrayBuffer]", f"{command} answers raw bytes, not JSON: {answer['kind']}"
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(base64.b64decode(answer["b64"]))
    assert pdf.read_bytes().startswith(b"%PDF-"), f"{command} answered a PDF"
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def rendered(driver, container) -> dict:
    """Waits for the preview inside `container` to be drawn; returns its data attributes."""
    preview = container.find_element(*by_testid("pdf-preview"))
    wait_until(
        driver,
        lambda d: preview.get_attribute("data-state") in ("rendered", "error"),
        "the PDF preview should finish drawing",
    )
    state = preview.get_attribute("data-state")
    assert state == "rendered", f"the PDF preview is drawn, not {state}: {container.text}"
    return {
        "pages": int(preview.get_attribute("data-page-count") or 0),
        "drawn": int(preview.get_attribute("data-rendered-pages") or 0),
        "ink": driver.execute_script(CANVAS_INK, preview),
    }


def test_template_pdf_is_a_drawn_specimen(app, tmp_path):
    wait_for(app, by_testid("nav-templates"), "the sidebar").click()
    wait_for(app, by_testid("templates-screen"), "the Templates screen")
    app.find_element(*by_testid("new-template-name")).send_keys("PDF preview course")
    app.find_element(*by_testid("new-template")).click()
    wait_for(app, by_testid("template-editor"), "the editor of the new template")

    app.find_element(*by_testid("preview-tab-pdf")).click()
    panel = wait_for(app, by_testid("template-pdf"), "the template's PDF panel")
    facts = rendered(app, panel)
    assert facts["pages"] >= 1, f"the PDF has pages: {facts}"
    assert facts["drawn"] >= 1, f"its first page is drawn: {facts}"
    assert facts["ink"] > 1000, f"the first page's canvas has ink on it: {facts}"
    pdf = panel.find_element(*by_testid("credential-pdf"))
    wait_until(app, lambda d: pdf.get_attribute("data-specimen") == "true", "Rust says the preview is a SPECIMEN")
    assert "SPECIMEN" in panel.find_element(*by_testid("pdf-specimen")).text, "the SPECIMEN note is shown"
    shot(app, "preview-1-template-pdf")

    template_id = wait_until(
        app,
        lambda d: d.execute_async_script(
            "const done = arguments[0]; window.__TAURI_INTERNALS__.invoke('list_templates', {includeArchived: false})"
            ".then((l) => done(l.find((t) => t.name === 'PDF preview course')?.id ?? null))"
        ),
        "the new template is listed",
    )
    text = pdf_text(app, tmp_path, "template", "template_pdf_preview",
                    {"id": template_id, "version": None, "lang": None, "summary": False})
    assert "SPECIMEN" in text, f"the template's PDF carries SPECIMEN:\n{text[:800]}"


def test_register_pdf_of_a_sealed_credential_has_no_specimen(app, tmp_path):
    data = app_data_dir("test_preview")
    recipient = tmp_path / "recipient.json"
    recipient.write_text(json.dumps({"fullName": "Grace Hopper", "email": "grace@learners.example"}), encoding="utf-8")
    built, sealed = tmp_path / "built.json", tmp_path / "sealed.jsonld"
    cli(data, "build", "--template", str(ROOT / "assets/templates/generic-sample.json"),
        "--recipient", str(recipient), "--out", str(built))
    cli(data, "seal", str(built), "--out", str(sealed))
    credential_id = json.loads(json.loads(sealed.read_text(encoding="utf-8"))["payload"])["id"]

    app.find_element(*by_testid("nav-register")).click()
    row = wait_until(
        app,
        lambda d: [r for r in d.find_elements(*by_testid("register-row")) if r.get_attribute("data-credential") == credential_id],
        "the sealed credential is in the register",
    )[0]
    assert row.find_element(*by_testid("register-delivery-state")).text == "not queued", "nothing queued yet"
    row.find_element(*by_testid("register-preview-pdf")).click()
    panel = wait_for(app, by_testid("register-pdf"), "the register's PDF panel")
    facts = rendered(app, panel)
    assert facts["pages"] >= 1 and facts["drawn"] >= 1, f"the sealed credential's PDF is drawn: {facts}"
    assert facts["ink"] > 1000, f"its first page has ink on it: {facts}"
    pdf = panel.find_element(*by_testid("credential-pdf"))
    wait_until(app, lambda d: pdf.get_attribute("data-specimen") == "false", "Rust says the PDF is not a specimen")
    assert "Sealed" in panel.find_element(*by_testid("pdf-sealed")).text, "the panel says it is sealed"
    assert not panel.find_elements(*by_testid("pdf-specimen")), "no SPECIMEN note for a sealed credential"
    shot(app, "preview-2-register-pdf")

    text = pdf_text(app, tmp_path, "register", "register_pdf", {"credentialId": credential_id, "lang": None})
    assert "SPECIMEN" not in text, f"a sealed credential's PDF has no SPECIMEN:\n{text[:800]}"
    assert "Grace Hopper" in text, f"the PDF names the learner:\n{text[:800]}"
    # Hiding and showing again keeps working (no stale preview left behind).
    row.find_element(*by_testid("register-preview-pdf")).click()
    wait_until(app, lambda d: not d.find_elements(*by_testid("register-pdf")), "Preview PDF again hides it")


def test_batch_row_pdf_is_a_specimen_of_that_learner(app, tmp_path):
    # Runs after the template test in this module: its template is issued from.
    app.file_detector = UselessFileDetector()
    sheet = tmp_path / "learners.xlsx"
    book = Workbook()
    ws = book.active
    ws.title = "Learners"
    ws.append(["fullName", "email"])
    ws.append(["Full name *", "E-mail *"])
    ws.append(["Katherine Johnson", "katherine@uni.example"])
    book.save(sheet)

    app.find_element(*by_testid("nav-batch")).click()
    wait_for(app, by_testid("batch-screen"), "the Batch screen")
    picker = wait_until(
        app,
        lambda d: d.find_element(*by_testid("batch-template"))
        if any("PDF preview course" in o.text for o in Select(d.find_element(*by_testid("batch-template"))).options)
        else None,
        "the template picker should offer the template",
    )
    Select(picker).select_by_visible_text(next(o.text for o in Select(picker).options if "PDF preview course" in o.text))
    app.find_element(*by_testid("batch-sheet-path")).send_keys(str(sheet))
    app.find_element(*by_testid("batch-import")).click()
    wait_for(app, by_testid("batch-summary"), "the imported batch")
    row = wait_until(app, lambda d: d.find_elements(*by_testid("batch-row")), "the grid lists the learner")[0]
    row.find_element(*by_testid("row-preview")).click()
    pane = wait_for(app, by_testid("row-preview-pane"), "the row preview")
    pane.find_element(*by_testid("row-preview-pdf")).click()
    facts = rendered(app, pane)
    assert facts["pages"] >= 1 and facts["drawn"] >= 1 and facts["ink"] > 1000, f"the row's PDF is drawn: {facts}"
    pdf = pane.find_element(*by_testid("row-pdf"))
    wait_until(app, lambda d: pdf.get_attribute("data-specimen") == "true", "Rust says the row's PDF is a SPECIMEN")
    shot(app, "preview-3-batch-row-pdf")

    batch_id = app.execute_async_script(
        "const done = arguments[0]; window.__TAURI_INTERNALS__.invoke('batch_list').then((l) => done(l[0]?.id ?? null))"
    )
    assert batch_id, "the batch is listed"
    text = pdf_text(app, tmp_path, "row", "batch_row_pdf_preview",
                    {"batch": batch_id, "row": int(row.get_attribute("data-row")), "lang": None})
    assert "SPECIMEN" in text and "Katherine Johnson" in text, f"the row's PDF is the learner's SPECIMEN:\n{text[:800]}"
