"""The Seal device screen on the harness token: certificate card checked against what openssl reads
from the token's certificate, then "Test my seal" with the right PIN."""

from datetime import datetime, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import by_testid, not_after, openssl_x509, shot, subject_fields, wait_for, whole_days_left


def test_device_screen_shows_the_token_and_test_seal_works(app, token_facts):
    cert_pem = next(k for k in token_facts["keys"] if k["id"] == "01")["cert_pem"]
    subject = subject_fields(cert_pem)
    end = not_after(cert_pem)
    days_before = whole_days_left(end, datetime.now(timezone.utc))
    has_qc_statements = "1.3.6.1.5.5.7.1.3" in openssl_x509(cert_pem, "-text") or "qcStatements" in openssl_x509(cert_pem, "-text")

    assert app.find_element(*by_testid("nav-device")).get_attribute("aria-current") == "page", "the app opens on the Seal device screen"
    label = wait_for(app, by_testid("token-label"), "the token label")
    days_after = whole_days_left(end, datetime.now(timezone.utc))
    assert label.text == token_facts["label"], f"screen shows token {label.text!r}, the harness made {token_facts['label']!r}"

    card = app.find_element(*by_testid("seal-certificate"))
    holder = card.find_element(*by_testid("cert-holder")).text
    assert holder == subject["organizationName"], f"holder {holder!r} is not the certificate's O {subject['organizationName']!r}"
    org_id = card.find_element(*by_testid("cert-org-id")).text
    assert org_id == subject["organizationIdentifier"], f"organisation id {org_id!r} != {subject['organizationIdentifier']!r}"
    country = card.find_element(*by_testid("cert-country")).text
    assert country == subject["countryName"], f"country {country!r} != {subject['countryName']!r}"
    assert card.find_element(*by_testid("cert-expiry")).text == end.strftime("%Y-%m-%d"), "the expiry date is the certificate's notAfter"
    days = int(card.find_element(*by_testid("cert-days-left")).get_attribute("data-days"))
    assert days in {days_before, days_after}, f"days left {days} should be {days_before} (openssl notAfter {end.isoformat()})"
    shown_days = card.find_element(*by_testid("cert-days-left")).text
    assert str(days) in shown_days, f"the countdown shows the number of days: {shown_days!r}"
    badge = card.find_element(*by_testid("cert-class"))
    assert has_qc_statements, "the harness's default seal certificate carries QC statements"
    assert badge.get_attribute("data-class") == "qualifiedSeal", f"a certificate with QC statements (eseal) is a qualified seal, badge says {badge.text!r}"
    assert "qualified seal" in badge.text.lower(), f"the badge says it in words: {badge.text!r}"
    pin_state = card.find_element(*by_testid("cert-pin-state"))
    assert pin_state.get_attribute("data-tone") == "ok", f"a fresh token's PIN state is calm before any PIN entry: {pin_state.text!r}"
    shot(app, "device-1-card")

    # Every key on the token, with its class: the expired ones are those openssl finds expired.
    keys = app.find_element(*by_testid("token-keys"))
    keys.find_element(By.TAG_NAME, "summary").click()
    shown = {k.get_attribute("data-key-id"): k.get_attribute("data-class") for k in keys.find_elements(*by_testid("token-key"))}
    now = datetime.now(timezone.utc)
    for key in token_facts["keys"]:
        if key["id"] not in shown:
            continue
        expired = not_after(key["cert_pem"]) < now
        assert (shown[key["id"]] == "expired") == expired, f"key {key['id']}: shown {shown[key['id']]!r}, openssl says expired={expired}"
    assert "01" in shown and any(c == "expired" for c in shown.values()), f"the harness token lists its keys, one expired: {shown}"

    app.find_element(*by_testid("test-seal-button")).click()
    pin_input = wait_for(app, by_testid("pin-input"), "the PIN dialog of Test my seal")
    pin_input.send_keys(token_facts["pin"], Keys.ENTER)
    result = wait_for(app, by_testid("test-seal-result"), "the result of Test my seal")
    assert result.get_attribute("data-ok") == "true", f"test seal with the right PIN should succeed: {result.text!r}"
    assert not app.find_elements(*by_testid("pin-dialog")), "the PIN dialog closes after the test seal"
    shot(app, "device-2-tested")
