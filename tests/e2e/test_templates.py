"""Templates in the real window: create a micro-credential template, link an ESCO skill through
the type-ahead, see it in Rust's preview, watch the Annex I panel react, save a new version."""

import csv
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import by_testid, shot, wait_for, wait_until

ROOT = Path(__file__).resolve().parents[2]


def shipped_esco_uris() -> set:
    with open(ROOT / "vocabularies/esco/esco-skills.csv", newline="", encoding="utf-8") as f:
        return {row["id"] for row in csv.DictReader(f)}


def annex1_rows(driver) -> dict:
    return {r.get_attribute("data-key"): r.get_attribute("data-present") for r in driver.find_elements(*by_testid("annex1-row"))}


def test_create_template_link_esco_skill_preview_and_annex1(app):
    app.find_element(*by_testid("nav-templates")).click()
    wait_for(app, by_testid("templates-screen"), "the Templates screen")
    assert app.find_element(*by_testid("nav-templates")).get_attribute("aria-current") == "page", "the sidebar marks the current screen"

    name = "E2E micro-credential"
    app.find_element(*by_testid("new-template-name")).send_keys(name)
    app.find_element(*by_testid("new-template")).click()
    wait_for(app, by_testid("template-editor"), "the editor of the new template")
    version = app.find_element(*by_testid("template-version")).text
    assert version == "version 1", f"a new template is version 1: {version!r}"

    # Annex I panel: 11 mandatory elements, as Rust reports them for the micro-credential start.
    wait_for(app, by_testid("annex1-panel"), "the Annex I panel")
    rows = wait_until(app, lambda d: annex1_rows(d) if len(annex1_rows(d)) == 11 else None, "the Annex I panel lists the 11 mandatory elements")
    assert rows.get("assessmentType") == "true", f"the micro-credential template states its type of assessment: {rows}"
    shot(app, "templates-1-created")

    # Unsetting the type of assessment makes the check name it as missing (live, from Rust),
    # and choosing one from the Europass vocabulary makes it present again.
    picker = by_testid("assessment-type")
    wait_until(app, lambda d: d.find_element(*picker).is_enabled(), "the assessment picker should be filled from the Europass vocabulary")
    Select(app.find_element(*picker)).select_by_value("")
    wait_until(app, lambda d: annex1_rows(d).get("assessmentType") == "false", "Annex I should report the type of assessment missing once it is unset")
    offered = [o.get_attribute("value") for o in Select(app.find_element(*picker)).options if o.get_attribute("value")]
    assert offered, "the assessment picker offers the Europass assessment types"
    Select(app.find_element(*picker)).select_by_value(offered[0])
    wait_until(app, lambda d: annex1_rows(d).get("assessmentType") == "true", "Annex I should report the type of assessment present again")

    # Link an ESCO skill through the type-ahead of the first outcome.
    outcome = wait_for(app, (By.CSS_SELECTOR, '[data-testid="outcome"][data-index="0"]'), "the first learning outcome")
    before = {s.get_attribute("data-uri") for s in outcome.find_elements(*by_testid("linked-skill"))}
    search = outcome.find_element(*by_testid("skill-search"))
    search.send_keys("python")
    wait_until(app, lambda d: outcome.find_elements(*by_testid("skill-option")), "the ESCO type-ahead should offer skills for 'python'")
    option = outcome.find_elements(*by_testid("skill-option"))[0]
    uri, label = option.get_attribute("data-uri"), option.text.splitlines()[0]
    assert "python" in option.text.lower(), f"the first suggestion should be about python: {option.text!r}"
    assert uri in shipped_esco_uris(), f"{uri} is not a skill of the shipped ESCO snapshot"
    shot(app, "templates-2-typeahead")
    search.send_keys(Keys.ENTER)
    wait_until(app, lambda d: uri in {s.get_attribute("data-uri") for s in outcome.find_elements(*by_testid("linked-skill"))}, f"{uri} should be linked to the outcome")
    assert uri not in before, "the skill was not linked before"

    # Rust's preview shows the linked skill under the outcome.
    preview_skill = wait_until(
        app,
        lambda d: [s for s in d.find_elements(*by_testid("preview-skill")) if s.get_attribute("data-uri") == uri],
        "the preview should show the linked ESCO skill",
    )
    assert label in preview_skill[0].text, f"the preview names the skill {label!r}: {preview_skill[0].text!r}"
    title = app.find_element(*by_testid("preview-title")).text
    assert title, "the preview shows the credential title"

    # "Suggest" asks Rust for the best ESCO skills for the outcome's own text (at most 3).
    outcome.find_element(*by_testid("skill-suggest")).click()
    suggestions = wait_until(app, lambda d: outcome.find_elements(*by_testid("skill-suggestion")), "Suggest should offer ESCO skills for the outcome text")
    assert 1 <= len(suggestions) <= 3, f"one to three suggestions: {[s.text for s in suggestions]}"
    assert all(s.get_attribute("data-uri") in shipped_esco_uris() for s in suggestions), "suggestions are skills of the shipped ESCO snapshot"

    # Save: a new version, and the saved template keeps the skill.
    app.find_element(*by_testid("template-save")).click()
    wait_until(app, lambda d: d.find_element(*by_testid("template-version")).text == "version 2", "saving makes version 2")
    linked = {s.get_attribute("data-uri") for s in app.find_elements(*by_testid("linked-skill"))}
    assert uri in linked, f"the saved version still links {uri}: {linked}"

    # Back to the list: the template is there, at version 2.
    app.find_element(*by_testid("templates-back")).click()
    item = wait_until(app, lambda d: [i for i in d.find_elements(*by_testid("template-item")) if name in i.text], "the template is listed")
    assert "version 2" in item[0].text, f"the list shows the latest version: {item[0].text!r}"
    shot(app, "templates-3-saved")
