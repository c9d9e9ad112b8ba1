"""Hot-plug in the real window: a virtual smart card (vsmartcard vicc on pcscd's vpcd reader) is
inserted and removed while Sealdesk runs; the Seal device screen follows each change from the
app's PC/SC watcher events, with no restart and no click on "Check again".

Needs pcscd, vsmartcard-vpcd, vsmartcard-vpicc and python3-pycryptodome (Makefile APT_PACKAGES).
Starts its own pcscd unless one is running, and stops what it started.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import by_testid, shot, wait_for, wait_until

READER = "Virtual PCD 00 00"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def pcscd():
    assert shutil.which("pcscd"), "pcscd is missing: apt-get install pcscd vsmartcard-vpcd"
    running = subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0
    started = None if running else subprocess.Popen(["pcscd", "--foreground", "--auto-exit"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield
    if started:
        stop(started)


class VirtualCard:
    """vicc connected to vpcd: the card is "in the reader" while the process runs. Works around the
    Debian packaging of vsmartcard-vpicc (module path, Crypto vs Cryptodome), as in signing-stack.md §7.5."""

    def __init__(self):
        self.shim = tempfile.mkdtemp(prefix="vicc-shim-")
        os.symlink("/usr/lib/python3/dist-packages/Cryptodome", Path(self.shim) / "Crypto")
        self.process = None

    def insert(self):
        env = dict(os.environ, PYTHONPATH=":".join(["/usr/lib/python3/site-packages", "/usr/lib/python3/site-packages/virtualsmartcard", self.shim]))
        self.process = subprocess.Popen(
            ["/usr/bin/python3", "/usr/bin/vicc", "-t", "iso7816", "-H", "127.0.0.1", "-P", "35963"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def remove(self):
        if self.process:
            stop(self.process)
            self.process = None

    def close(self):
        self.remove()
        shutil.rmtree(self.shim, ignore_errors=True)


def reader_card(driver):
    """The virtual reader's data-card attribute as shown, or None while it is not listed."""
    for row in driver.find_elements(*by_testid("reader")):
        if row.get_attribute("data-name") == READER:
            return row.get_attribute("data-card")
    return None


def test_the_screen_follows_a_card_in_and_out_without_restart(pcscd, app):
    assert os.path.exists("/usr/bin/vicc"), "vicc is missing: apt-get install vsmartcard-vpicc python3-pycryptodome"
    wait_for(app, by_testid("device-panel"), "the Seal device screen")
    wait_until(app, lambda d: reader_card(d) == "false", f"the empty reader {READER} should be listed")
    card = VirtualCard()
    try:
        card.insert()
        wait_until(app, lambda d: reader_card(d) == "true", "the screen should show the card inserted (hot-plug event)")
        shot(app, "hotplug-1-inserted")
        live = app.find_element(*by_testid("device-live")).get_attribute("textContent")
        assert "inserted" in live.lower() or "connected" in live.lower(), f"screen readers hear what changed: {live!r}"
        card.remove()
        wait_until(app, lambda d: reader_card(d) == "false", "the screen should show the card removed (hot-plug event)")
        card.insert()
        wait_until(app, lambda d: reader_card(d) == "true", "a card inserted again shows without a restart")
    finally:
        card.close()
    refreshes = app.find_element(*by_testid("device-refresh"))
    assert refreshes.is_enabled(), "the screen is idle again after the events"
