"""End-to-end: the real Sealdesk window, driven over WebDriver (tauri-driver + WebKitWebDriver).

Started by tests/e2e/run.sh, which creates the SoftHSM2 test token and passes its facts in
SEALDESK_E2E_TOKEN_JSON. The test reads the device panel, types a wrong PIN, then the right
one, and reads the verification result from the page.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# Generous upper bounds for waiting on the UI; they bound the wait and never decide a result.
WAIT_S = 60


def env(name: str) -> str:
    value = os.environ.get(name)
    assert value, f"{name} is not set: run this test through tests/e2e/run.sh"
    return value


def certificate_organisation(cert_pem: str) -> str:
    """The O of the token's default seal certificate, read with the openssl CLI."""
    out = subprocess.run(
        ["openssl", "x509", "-in", cert_pem, "-noout", "-subject", "-nameopt", "multiline,-esc_msb,utf8"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        key, _, value = line.strip().partition("=")
        if key.strip() == "organizationName":
            return value.strip()
    raise AssertionError(f"no organizationName in the subject of {cert_pem}:\n{out}")


@pytest.fixture(scope="module")
def token() -> dict:
    return json.loads(Path(env("SEALDESK_E2E_TOKEN_JSON")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def driver():
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability(
        "tauri:options",
        {"application": env("SEALDESK_E2E_APP"), "args": ["--data-dir", env("SEALDESK_E2E_DATA_DIR")]},
    )
    connection = RemoteConnection(client_config=ClientConfig(remote_server_addr=env("SEALDESK_E2E_DRIVER_URL")))
    session = webdriver.Remote(command_executor=connection, options=options)
    try:
        yield session
    finally:
        session.quit()


def by_testid(testid: str):
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


# A node found in one poll may be re-rendered before it is read: retry, don't fail.
RERENDER = (NoSuchElementException, StaleElementReferenceException)


def wait_for(driver, locator, what: str):
    try:
        return WebDriverWait(driver, WAIT_S, ignored_exceptions=RERENDER).until(EC.visibility_of_element_located(locator))
    except TimeoutException as error:
        raise AssertionError(f"{what} did not appear; page text:\n{driver.find_element(By.TAG_NAME, 'body').text}") from error


def shot(driver, name: str) -> None:
    folder = os.environ.get("SEALDESK_E2E_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def test_device_panel_wrong_pin_then_seal(driver, token):
    default_key = next(k for k in token["keys"] if k["id"] == "01")
    holder = certificate_organisation(default_key["cert_pem"])

    # 1. The device panel shows what is on the token.
    label = wait_for(driver, by_testid("token-label"), "the token label")
    assert label.text == token["label"], f"panel shows token {label.text!r}, the harness token is {token['label']!r}"
    assert driver.find_element(*by_testid("token-test-badge")).is_displayed(), "a SoftHSM2 test token must carry the TEST badge"
    shown_holder = driver.find_element(*by_testid("cert-holder")).text
    assert shown_holder == holder, f"panel shows holder {shown_holder!r}, the certificate says O={holder!r}"
    module = driver.find_element(*by_testid("device-module")).text
    assert module == token["module"], f"panel shows module {module!r}, the harness used {token['module']!r}"
    pin_state = driver.find_element(*by_testid("pin-state"))
    assert pin_state.get_attribute("data-tone") == "ok", f"a fresh token's PIN state should be calm, got {pin_state.text!r}"
    shot(driver, "1-device")

    # 2. A wrong PIN is refused with the wrong-PIN message, and the dialog stays open.
    driver.find_element(*by_testid("seal-button")).click()
    pin_input = wait_for(driver, by_testid("pin-input"), "the PIN dialog")
    assert pin_input.get_attribute("type") == "password", "the PIN field must not echo the PIN"
    assert pin_input.get_attribute("autocomplete") == "off", "the PIN field must not be remembered"
    wrong = "000000" if token["pin"] != "000000" else "999999"
    pin_input.send_keys(wrong, Keys.ENTER)
    error = wait_for(driver, by_testid("pin-error"), "the wrong-PIN message")
    assert error.get_attribute("data-code") == "PinIncorrect", f"expected PinIncorrect, got {error.get_attribute('data-code')!r}: {error.text!r}"
    assert "pin" in error.text.lower(), f"the wrong-PIN message should talk about the PIN: {error.text!r}"
    assert driver.find_element(*by_testid("pin-input")).get_attribute("value") == "", "the PIN field must be cleared after a refusal"
    assert not driver.find_elements(*by_testid("seal-result")), "nothing may be sealed with a wrong PIN"
    shot(driver, "2-wrong-pin")

    # 3. The right PIN seals; the page shows the verification of what was sealed.
    driver.find_element(*by_testid("pin-input")).send_keys(token["pin"], Keys.ENTER)
    result = wait_for(driver, by_testid("seal-result"), "the seal result")
    summary = result.find_element(*by_testid("result-summary"))
    assert summary.get_attribute("data-sealed") == "true", f"the result should say sealed: {summary.text!r}"
    assert summary.get_attribute("data-intact") == "true", f"the fresh seal should be intact: {summary.text!r}"
    assert not driver.find_elements(*by_testid("pin-dialog")), "the PIN dialog closes after sealing"

    checks = {
        row.get_attribute("data-check"): (row.get_attribute("data-status"), row.text)
        for row in result.find_elements(*by_testid("check"))
    }
    assert checks, "the result must list its checks"
    assert checks.get("seal", ("missing",))[0] == "ok", f"the seal check should be ok: {checks}"
    for name, (status, text) in checks.items():
        assert status in {"ok", "warning", "error", "skipped"}, f"check {name} has unknown status {status!r}"
        assert text.lower().startswith(status), f"check {name} should show its status {status!r} first: {text!r}"
    trust = checks.get("trust", ("missing", ""))
    assert trust[0] in {"error", "warning"}, f"the test CA is on no trusted list: trust must not pass: {checks}"
    assert "trust" in trust[1].lower(), f"the trust row should say why: {trust[1]!r}"
    skipped = [name for name, (status, _) in checks.items() if status == "skipped"]
    assert skipped, f"an offline B-B seal has checks that could not be made (e.g. timestamp), shown as skipped: {checks}"

    title = result.find_element(*by_testid("result-title")).text
    issuer = result.find_element(*by_testid("result-issuer")).text
    learner = result.find_element(*by_testid("result-learner")).text
    assert title and issuer and learner, f"title/issuer/learner must be shown: {title!r} {issuer!r} {learner!r}"
    signer = result.find_element(*by_testid("sig-signer")).text
    assert signer == holder, f"the seal's signer {signer!r} should be the token's certificate holder {holder!r}"
    algorithm = result.find_element(*by_testid("sig-algorithm")).text
    assert algorithm, "the seal's algorithm must be shown"
    level = result.find_element(*by_testid("sig-level")).text
    assert level.startswith("B-"), f"the seal level should be a baseline level, got {level!r}"
    shot(driver, "3-sealed")
