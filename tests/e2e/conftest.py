"""Shared fixtures of the real-window tests: one fresh app (and data directory) per test module.

run.sh passes the token facts and the driver URL in the environment. test_seal.py (the issue-2
contract) keeps its own copies of these helpers; the newer tests use the ones here.
"""

import json
import os
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
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

# The repository (tests/e2e/ -> ../..).
ROOT = Path(__file__).resolve().parents[2]


def app_data_dir(module: str) -> Path:
    """The data folder of the app that the fixture `app` started for test module `module`."""
    found = sorted(Path(env("SEALDESK_E2E_DATA_DIR")).glob(f"data-{module}-*"))
    assert len(found) == 1, f"the app's data folder for this module: {found}"
    return found[0]


def cli_binary() -> Path:
    """`sealdesk-cli` from the app's profile folder (built there if missing), or SEALDESK_E2E_CLI."""
    given = os.environ.get("SEALDESK_E2E_CLI")
    if given:
        return Path(given)
    app = Path(env("SEALDESK_E2E_APP"))
    cli = app.parent / "sealdesk-cli"
    if not cli.exists():
        # Same profile folder as the app: target/debug/sealdesk -> target.
        subprocess.run(
            ["cargo", "build", "-p", "sealdesk-cli"],
            cwd=ROOT,
            env={**os.environ, "CARGO_TARGET_DIR": str(app.parent.parent)},
            check=True,
        )
    return cli


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs `sealdesk-cli --data-dir DATA ARGS...`, which must succeed."""
    out = subprocess.run(
        [str(cli_binary()), "--data-dir", str(data), *args], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, f"sealdesk-cli {' '.join(args)}: {out.stderr}"
    return out



@pytest.fixture(scope="module")
def token_facts() -> dict:
    return json.loads(Path(env("SEALDESK_E2E_TOKEN_JSON")).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app(request):
    """A fresh Sealdesk window with its own empty data directory (tests stay independent)."""
    data = Path(tempfile.mkdtemp(prefix=f"data-{request.module.__name__}-", dir=env("SEALDESK_E2E_DATA_DIR")))
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": env("SEALDESK_E2E_APP"), "args": ["--data-dir", str(data)]})
    connection = RemoteConnection(client_config=ClientConfig(remote_server_addr=env("SEALDESK_E2E_DRIVER_URL")))
    session = webdriver.Remote(command_executor=connection, options=options)
    try:
        yield session
    finally:
        session.quit()


def by_testid(testid: str):
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


# The UI re-renders nodes while a condition is polled: a node found in one poll may be gone by
# the time it is read. Such a poll is retried, not a failure.
RERENDER = (NoSuchElementException, StaleElementReferenceException)


def wait_for(driver, locator, what: str):
    try:
        return WebDriverWait(driver, WAIT_S, ignored_exceptions=RERENDER).until(EC.visibility_of_element_located(locator))
    except TimeoutException as error:
        raise AssertionError(f"{what} did not appear; page text:\n{driver.find_element(By.TAG_NAME, 'body').text}") from error


def wait_until(driver, condition, what: str):
    """Waits until `condition(driver)` is truthy and returns its value."""
    try:
        return WebDriverWait(driver, WAIT_S, ignored_exceptions=RERENDER).until(condition)
    except TimeoutException as error:
        raise AssertionError(f"{what}; page text:\n{driver.find_element(By.TAG_NAME, 'body').text}") from error


def shot(driver, name: str) -> None:
    folder = os.environ.get("SEALDESK_E2E_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def openssl_x509(cert_pem: str, *args: str) -> str:
    return subprocess.run(
        ["openssl", "x509", "-in", cert_pem, "-noout", *args], check=True, capture_output=True, text=True
    ).stdout


def subject_fields(cert_pem: str) -> dict:
    """The subject's attributes by long name, read with the openssl CLI."""
    out = openssl_x509(cert_pem, "-subject", "-nameopt", "multiline,-esc_msb,utf8")
    fields = {}
    for line in out.splitlines()[1:]:
        key, _, value = line.strip().partition("=")
        fields[key.strip()] = value.strip()
    return fields


def not_after(cert_pem: str) -> datetime:
    line = openssl_x509(cert_pem, "-enddate").strip()  # notAfter=Nov 22 05:17:00 2028 GMT
    return datetime.strptime(line.partition("=")[2], "%b %d %H:%M:%S %Y %Z").replace(tzinfo=timezone.utc)


def whole_days_left(end: datetime, now: datetime) -> int:
    """Whole days from `now` to `end`, truncated toward zero (as the app counts them)."""
    seconds = (end - now).total_seconds()
    return int(seconds / 86400)
