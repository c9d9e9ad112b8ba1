"""Outbox and delivery settings in the real window (issue 8).

An SMTP server (tests/harness/smtp_server.py, aiosmtpd) gets a free 127.0.0.1 port but is DOWN
at first. SMTP is configured in the Delivery settings screen; a credential is sealed on the test
token and queued with sealdesk-cli against the app's own data folder. "Send now" while the
server is down: the mail waits, offline is said softly. The server comes up answering 451 once:
"Retry now" shows the mail waiting to retry with the server's reason; "Retry now" again sends
it. The mailbox holds exactly one mail, with the Message-ID the outbox recorded. Then "Send test
mail" in the settings screen shows the server's 250.
"""

import email
import email.policy
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, app_data_dir, by_testid, cli, shot, wait_for, wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mailbox(maildir: Path) -> list:
    if not maildir.exists():
        return []
    mails = []
    for path in sorted(maildir.glob("*.eml")):
        with path.open("rb") as f:
            mails.append(email.message_from_binary_file(f, policy=email.policy.default))
    return mails


@pytest.fixture
def smtp_port():
    return free_port()


def items(driver) -> list:
    return driver.find_elements(*by_testid("outbox-item"))


def state_of(driver) -> str:
    rows = items(driver)
    return rows[0].get_attribute("data-state") if len(rows) == 1 else f"{len(rows)} rows"


def test_outbox_shows_a_failed_mail_and_sends_it_when_the_server_is_up(app, tmp_path, smtp_port):
    data = app_data_dir("test_outbox")
    wait_for(app, by_testid("sidebar"), "the sidebar")

    # Delivery settings through the screen; the server is not running yet.
    app.find_element(*by_testid("nav-settings")).click()
    wait_for(app, by_testid("settings-form"), "the delivery settings form")
    host = app.find_element(*by_testid("smtp-host"))
    host.clear()
    host.send_keys("127.0.0.1")
    app.find_element(*by_testid("smtp-port")).send_keys(str(smtp_port))
    app.find_element(*by_testid("smtp-tls")).find_element("css selector", 'option[value="none"]').click()
    app.find_element(*by_testid("smtp-from")).send_keys("Registry <registry@uni.example>")
    app.find_element(*by_testid("smtp-password")).send_keys("n0t-echoed")
    app.find_element(*by_testid("settings-save")).click()
    wait_for(app, by_testid("settings-saved"), "the settings are saved")
    assert app.find_element(*by_testid("smtp-password")).get_attribute("value") == "", "the password is not echoed"
    assert "stored" in app.find_element(*by_testid("smtp-password")).get_attribute("placeholder"), "password set"
    shot(app, "outbox-1-settings")
    catalogue_bytes = b"".join(p.read_bytes() for p in data.glob("*.sqlite3*"))
    assert b"n0t-echoed" not in catalogue_bytes, "the password never lands in the catalogue"

    # A sealed credential, queued against the app's data folder.
    recipient = tmp_path / "recipient.json"
    recipient.write_text(json.dumps({"fullName": "Ada Lovelace", "email": "ada@learners.example"}), encoding="utf-8")
    built, sealed = tmp_path / "built.json", tmp_path / "sealed.jsonld"
    cli(data, "build", "--template", str(ROOT / "assets/templates/generic-sample.json"),
        "--recipient", str(recipient), "--out", str(built))
    cli(data, "seal", str(built), "--out", str(sealed))
    credential_id = json.loads(json.loads(sealed.read_text(encoding="utf-8"))["payload"])["id"]
    cli(data, "outbox", "queue", credential_id)

    # Send now with the server down: the mail waits, offline said softly, nothing counted.
    app.find_element(*by_testid("nav-outbox")).click()
    wait_for(app, by_testid("outbox-item"), "the queued mail")
    learner = app.find_element(*by_testid("outbox-learner")).text
    assert learner == "Ada Lovelace", f"the outbox names the learner: {learner}"
    app.find_element(*by_testid("outbox-send-now")).click()
    offline = wait_for(app, by_testid("outbox-offline"), "the offline note")
    assert "offline" in offline.text.lower(), f"offline said: {offline.text}"
    assert not app.find_elements(*by_testid("outbox-error")), "offline is not an error"
    assert state_of(app) == "queued", "the mail waits while the server is down"
    shot(app, "outbox-2-offline")

    # The server comes up, busy once (451): the retry shows the reason and waits.
    maildir = tmp_path / "maildir"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/harness/smtp_server.py"), "--port", str(smtp_port),
         "--maildir", str(maildir), "--defer", "1"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout.readline().strip() == "ready", "the SMTP server is listening"
        app.find_element(*by_testid("outbox-retry")).click()
        wait_until(app, lambda d: state_of(d) == "retry-at", "the mail waits to retry after 451")
        reason = app.find_element(*by_testid("outbox-reason")).text
        assert "451" in reason and "try again" in reason, f"the server's reason is shown: {reason}"
        assert mailbox(maildir) == [], "nothing delivered on a 451"
        shot(app, "outbox-3-retry-with-reason")

        app.find_element(*by_testid("outbox-retry")).click()
        wait_until(app, lambda d: state_of(d) == "sent", "the mail is sent after retry")
        shot(app, "outbox-4-sent")
        mails = mailbox(maildir)
        assert len(mails) == 1, f"the mailbox has one mail: {len(mails)}"
        assert "ada@learners.example" in str(mails[0]["To"]), "to the learner"
        listed = json.loads(cli(data, "outbox", "list", "--json").stdout)
        mail_jobs = [j for j in listed if j.get("kind") == "mail"]
        assert len(mail_jobs) == 1 and mail_jobs[0]["state"] == "sent", f"one sent mail: {mail_jobs}"
        assert str(mails[0]["Message-ID"]) == mail_jobs[0]["messageId"], "the recorded Message-ID arrived"
        attachments = [p for p in mails[0].walk() if p.get_content_disposition() == "attachment"]
        assert any(p.get_payload(decode=True) == sealed.read_bytes() for p in attachments), "sealed file attached"

        # "Send test mail" shows the server's answer.
        app.find_element(*by_testid("nav-settings")).click()
        wait_for(app, by_testid("test-to"), "the test mail field").send_keys("registry@uni.example")
        app.find_element(*by_testid("test-send")).click()
        result = wait_for(app, by_testid("test-result"), "the server's answer to the test mail")
        assert result.get_attribute("data-accepted") == "true", f"the test mail is accepted: {result.text}"
        assert "250" in result.text, f"the server's reply is shown: {result.text}"
        shot(app, "outbox-5-test-mail")
        assert len(mailbox(maildir)) == 2, "the test mail arrived beside the credential mail"
    finally:
        server.kill()
        server.wait()
