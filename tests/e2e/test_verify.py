"""The "Verify" screen in the real window: the official EDCI B-LTA sample reads as sealed and
intact, at level B-LTA, with its ANF test CA not trusted; a copy with one payload byte changed
reads as broken; a file that is not JSON is refused with the place of the error."""

import tempfile
from pathlib import Path

from selenium.webdriver.remote.file_detector import UselessFileDetector

from conftest import by_testid, shot, wait_for, wait_until

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared/reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json"


def checks(driver) -> dict:
    return {c.get_attribute("data-check"): c.get_attribute("data-status") for c in driver.find_elements(*by_testid("check"))}


def choose(driver, path: Path) -> None:
    """Types the path into the file input, as a person choosing the file would; the app runs on
    this machine, so the path is sent as is (no upload through the driver, which WebKit lacks)."""
    with driver.file_detector_context(UselessFileDetector):
        driver.find_element(*by_testid("verify-file")).send_keys(str(path))


def verdict_for(driver, name: str) -> str:
    """Waits until the screen shows a verdict for the file `name` and returns it."""

    def shown(d):
        names = d.find_elements(*by_testid("verify-file-name"))
        verdicts = d.find_elements(*by_testid("verify-verdict"))
        if names and name in names[0].text and verdicts:
            return verdicts[0].get_attribute("data-verdict")
        return None

    return wait_until(driver, shown, f"a verdict for {name} should appear")


def test_official_sample_is_intact_b_lta_and_untrusted(app):
    assert SAMPLE.is_file(), f"the official sealed sample is missing: {SAMPLE}"
    app.find_element(*by_testid("nav-verify")).click()
    wait_for(app, by_testid("verify-screen"), "the Verify screen")
    assert app.find_element(*by_testid("nav-verify")).get_attribute("aria-current") == "page", "the sidebar marks Verify"

    choose(app, SAMPLE)
    verdict = verdict_for(app, SAMPLE.name)
    assert verdict == "intact", f"the official sample is sealed and intact: {verdict}"
    headline = app.find_element(*by_testid("verify-verdict")).text
    assert "Sealed and intact" in headline, f"the headline says so: {headline!r}"
    level = app.find_element(*by_testid("sig-level")).text
    assert level == "B-LTA", f"the sample carries B-LTA elements: {level!r}"
    signer = app.find_element(*by_testid("sig-signer")).text
    assert "TEST" in signer, f"the holder is the ANF test seal: {signer!r}"
    assert app.find_element(*by_testid("sig-time")).text.startswith("2022-08-19"), "the signing time is shown"
    states = checks(app)
    assert states.get("seal") == "ok", f"the seal check passes: {states}"
    assert states.get("trust") == "error", f"the test CA is not trusted: {states}"
    assert states.get("accreditation") == "skipped", f"accreditation is skipped with its reason: {states}"
    for name in ("format", "certificate", "qualification", "timestamp", "revocation"):
        assert name in states, f"the {name} check is listed: {states}"
    lists = app.find_element(*by_testid("verify-lists")).text
    assert "no trusted lists cached" in lists, f"the report says no trusted list is cached: {lists!r}"
    shot(app, "verify-1-intact")


def test_one_changed_payload_byte_breaks_the_seal(app):
    text = SAMPLE.read_text(encoding="utf-8")
    at = text.index("did:ebsi:") + len("did:ebsi:")  # inside the (unencoded) payload
    changed = text[:at] + ("B" if text[at] == "A" else "A") + text[at + 1 :]
    assert changed != text and len(changed) == len(text), "exactly one character differs"
    folder = Path(tempfile.mkdtemp(prefix="verify-"))
    path = folder / "changed-one-byte.json"
    path.write_text(changed, encoding="utf-8")

    choose(app, path)
    verdict = verdict_for(app, path.name)
    assert verdict == "broken", f"a one-byte change breaks the seal: {verdict}"
    states = checks(app)
    assert states.get("seal") == "error", f"the seal check fails: {states}"
    shot(app, "verify-2-broken")


def test_a_file_that_is_not_json_names_the_place(app):
    folder = Path(tempfile.mkdtemp(prefix="verify-"))
    path = folder / "not-a-credential.json"
    path.write_text('{"payload":\n', encoding="utf-8")

    choose(app, path)
    error = wait_for(app, by_testid("verify-error"), "the error for a file that is not JSON")
    assert error.get_attribute("data-code") == "InvalidInput", f"the error code: {error.get_attribute('data-code')}"
    message = app.find_element(*by_testid("verify-error-message")).text
    assert "line 2" in message, f"the message names the place: {message!r}"
    assert not app.find_elements(*by_testid("verify-verdict")), "no verdict is shown for an unreadable file"
    assert path.name in app.find_element(*by_testid("verify-file-name")).text, "the file name is shown"
    shot(app, "verify-3-error")


def test_verify_file_command_reads_a_dropped_path(app):
    """A drop hands Tauri's path to `verify_file` (the drag gesture itself cannot be made over
    WebDriver): the command is allowed to the window and verifies the file at that path."""
    view = app.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('verify_file', { path: arguments[0] })"
        ".then((v) => done({ ok: v }), (e) => done({ error: e }));",
        str(SAMPLE),
    )
    assert "ok" in view, f"verify_file answers for a path: {view}"
    report = view["ok"]["report"]
    assert report["source"] == SAMPLE.name, f"the report names the file: {report['source']}"
    assert report["sealed"] and report["intact"], "the dropped sample is sealed and intact"
    missing = app.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('verify_file', { path: '/nonexistent/dropped.json' })"
        ".then((v) => done({ ok: v }), (e) => done({ error: e }));"
    )
    assert missing.get("error", {}).get("code") == "Storage", f"a missing path is a Storage error: {missing}"
    assert "/nonexistent/dropped.json" in missing["error"]["message"], f"the error names the path: {missing}"
