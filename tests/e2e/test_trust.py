"""The "How to get a seal" screen in the real window: an empty cache says so and how to load;
the reference LOTL + FI list load from a folder (FI has no e-seal service in that snapshot, and the
screen says so); a TEST list made by tests/harness/mktl.sh for the harness CA then shows its
provider with a website, the term in the chosen language, and the cache's age."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import Select

from conftest import by_testid, env, shot, wait_for, wait_until

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_LISTS = ROOT.parent / "shared/reference/trusted-lists"
SAMPLE = ROOT.parent / "shared/reference/edci-platform/jades-sealed/json_to_seal-signed-jades-baseline-lta.json"


def load(driver, folder: Path) -> None:
    field = driver.find_element(*by_testid("trust-folder"))
    field.clear()
    field.send_keys(str(folder))
    driver.find_element(*by_testid("trust-load")).click()


def loaded(driver) -> dict:
    return {li.get_attribute("data-territory"): li.get_attribute("data-signature") for li in driver.find_elements(*by_testid("trust-loaded-list"))}


def cached_count(driver) -> int:
    return int(driver.find_element(*by_testid("trust-cache-summary")).get_attribute("data-cached"))


def test_cache_reference_lists_then_test_list_providers(app):
    app.find_element(*by_testid("nav-trust")).click()
    wait_for(app, by_testid("trust-screen"), "the How to get a seal screen")
    summary = wait_for(app, by_testid("trust-cache-summary"), "the cache summary")
    assert "no trusted lists cached" in summary.text.lower(), f"a fresh data folder has no lists: {summary.text!r}"
    assert app.find_element(*by_testid("trust-how-to-load")).is_displayed(), "the screen says how to load lists"
    shot(app, "trust-1-empty")

    # The real EU LOTL and FI TLv6 snapshot.
    load(app, REFERENCE_LISTS)
    got = wait_until(app, lambda d: loaded(d) if len(loaded(d)) == 2 else None, "the two reference lists should be reported as loaded")
    assert got.get("EU") == "valid" and got.get("FI") == "valid", f"both signatures verify: {got}"
    wait_until(app, lambda d: cached_count(d) == 2, "the cache should hold the LOTL and the FI list")
    assert "loaded today" in app.find_element(*by_testid("trust-cache-summary")).text, "the cache's age is shown"
    Select(app.find_element(*by_testid("trust-country"))).select_by_value("FI")
    fi = wait_for(app, by_testid("trust-list"), "the FI list facts")
    assert "#49" in fi.text, f"the FI list is sequence 49: {fi.text!r}"
    none = wait_for(app, by_testid("trust-no-providers"), "the FI snapshot has no e-seal provider")
    assert "electronic seals" in none.text, f"the screen says why none is listed: {none.text!r}"
    shot(app, "trust-2-fi")

    # A TEST list (territory ZZ) for the harness CA, announced by a TEST LOTL.
    work = Path(tempfile.mkdtemp(prefix="trust-"))
    pki, lists = work / "pki", work / "lists"
    pki.mkdir()
    lists.mkdir()
    token_dir = Path(env("SEALDESK_E2E_TOKEN_JSON")).parent
    shutil.copy(token_dir / "ca.pem", pki / "ca.pem")
    made = subprocess.run(
        ["bash", str(ROOT / "tests/harness/mktl.sh"), str(pki), str(lists / "ZZ.xml"), str(lists / "LOTL.xml")],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert made.returncode == 0, f"mktl.sh failed: {made.stderr}"
    load(app, lists)
    wait_until(app, lambda d: loaded(d).get("ZZ") == "valid", "the TEST list should load with a valid signature")
    Select(app.find_element(*by_testid("trust-language"))).select_by_value("fr")
    offered = lambda d: [o.get_attribute("value") for o in Select(d.find_element(*by_testid("trust-country"))).options]  # noqa: E731
    wait_until(app, lambda d: "ZZ" in offered(d), "the cached TEST territory should be offered")
    Select(app.find_element(*by_testid("trust-country"))).select_by_value("ZZ")
    provider = wait_for(app, by_testid("provider"), "the TEST provider")
    term = app.find_element(*by_testid("trust-term")).text
    assert term == "certificat qualifié de cachet électronique", f"the term is in French: {term!r}"
    name = provider.find_element(*by_testid("provider-name")).text
    assert name == "Services de confiance TEST Sealdesk", f"the provider's name in French: {name!r}"
    website = provider.find_element(*by_testid("provider-website")).get_attribute("value")
    assert website == "https://tsp.example.invalid/", f"the provider's website is shown to copy: {website!r}"
    assert "Testville" in provider.find_element(*by_testid("provider-address")).text, "the address is shown"
    status = provider.find_element(*by_testid("provider-service-status")).text.lower()
    assert status == "granted", f"the service status is shown: {status!r}"
    assert app.current_url.startswith("tauri://") or "localhost" in app.current_url, f"the window did not navigate away: {app.current_url}"
    shot(app, "trust-3-provider")

    # Verification now uses the cached lists and says how old they are.
    app.find_element(*by_testid("nav-verify")).click()
    with app.file_detector_context(UselessFileDetector):
        wait_for(app, by_testid("verify-screen"), "the Verify screen")
        app.find_element(*by_testid("verify-file")).send_keys(str(SAMPLE))
    lists = wait_for(app, by_testid("verify-lists"), "the trusted lists line of the report")
    assert lists.get_attribute("data-cached") == "3", f"the report counts the cached lists: {lists.text!r}"
    assert "loaded today" in lists.text, f"the report gives the lists' age: {lists.text!r}"
    verdict = wait_for(app, by_testid("verify-verdict"), "the verdict").get_attribute("data-verdict")
    assert verdict == "intact", f"the sample still verifies with lists cached: {verdict}"
    # No cached national list is announced by the cached LOTL (FI is DSS-re-signed; the TEST LOTL
    # does not replace the newer EU LOTL #341), so qualification stays the certificate's own claim.
    qualification = app.find_element(By.CSS_SELECTOR, '[data-testid="check"][data-check="qualification"]')
    assert "not yet confirmed against the EU trusted lists" in qualification.text, f"no list confirms the ANF test seal: {qualification.text!r}"
