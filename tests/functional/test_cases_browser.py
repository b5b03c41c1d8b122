"""One case, walked in Chromium: a case worker registers a person and opens a case, records
where the person was recruited and corrects it through the event's "Edit" link (with and
without JavaScript), records consent to the interview, runs the guided screening from the
case and saves it, plans support, downloads the rights sheet and records that it was given, and
asks to close the case; then a supervisor, in a browser of their own, approves the closure."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.conftest import PASSWORD, add_authenticator, current_code
from waypoint.cases.models import Case, StoredScreening, TraffickingEvent

pytestmark = pytest.mark.functional


def sign_in(page: Page, base_url: str, username: str, code: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Parts of the case").get_by_role("link", name=name).click()
    expect(
        page.get_by_role("navigation", name="Parts of the case").get_by_role("link", name=name)
    ).to_have_attribute("aria-current", "page")


def test_a_case_from_registration_to_approved_closure(
    page: Page, browser: Browser, live_server, alpha, make_user, tmp_path: Path
) -> None:
    worker = make_user(alpha, "case_worker", username="marta")
    supervisor = make_user(alpha, "supervisor", username="pavel")
    worker_device, supervisor_device = add_authenticator(worker), add_authenticator(supervisor)
    policy_errors: list[str] = []

    def remember_policy_errors(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            policy_errors.append(message.text)

    page.on("console", remember_policy_errors)

    # The case worker registers the person and opens a case.
    sign_in(page, live_server.url, "marta", current_code(worker_device))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Register a person and open a case").click()
    page.get_by_label("Given names").fill("Олена")
    page.get_by_label("Family names").fill("Коваленко")
    page.get_by_label("Date of birth").fill("1994-03-12")
    page.get_by_label("Gender").select_option("Feminine")
    page.get_by_label("Nationality").select_option("UA")
    page.get_by_label("Citizenships").select_option(["UA", "PL"])
    page.get_by_label(re.compile(r"^Languages")).select_option(["ukr", "rus"])
    page.get_by_label("Phone").fill("+48 601 234 567")
    document = page.get_by_role("group", name="Document 1")
    document.get_by_label("Type of document").select_option("passport")
    document.get_by_label("Document number").fill("FA 123456")
    document.get_by_label("Issuing country").select_option("UA")
    page.get_by_label("Supervisor").select_option(str(supervisor.pk))
    page.get_by_role("button", name="Register and open the case").click()

    case = Case.objects.get()
    expect(page.get_by_role("heading", name=f"Case {case.code}")).to_be_visible()
    expect(page.get_by_text(f"Case {case.code} was opened.")).to_be_visible()
    expect(page.get_by_text("Олена Коваленко")).to_be_visible()

    # Where the person was recruited, on the summary.
    page.get_by_text("Record an event").click()
    event = page.get_by_role("group", name="New trafficking event")
    event.get_by_label("What happened").select_option("Recruitment")
    event.get_by_label("Country").select_option("UA")
    event.get_by_label("City or place").fill("Вигадане місто")
    event.get_by_label(re.compile("^From")).fill("2025-05-01")
    page.get_by_role("button", name="Record the event").click()
    expect(page.get_by_text("The event was recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="Вигадане місто")).to_be_visible()

    # Its form is fetched into the page only when asked for; cancelled, then used to correct
    # the place.
    summary_url = page.url
    recruitment = TraffickingEvent.objects.get(case=case)
    event_form = page.get_by_role("group", name="Event: Recruitment")
    expect(event_form).to_have_count(0)
    edit_link = page.get_by_role("row", name=re.compile("Вигадане місто")).get_by_role(
        "link", name="Edit"
    )
    edit_link.click()
    expect(event_form.get_by_label("City or place")).to_have_value("Вигадане місто")
    assert page.url == summary_url
    page.get_by_role("link", name="Cancel").click()
    expect(event_form).to_have_count(0)
    expect(edit_link).to_be_focused()
    edit_link.click()
    event_form.get_by_label("City or place").fill("Інше вигадане місто")
    page.get_by_role("button", name="Save the event").click()
    expect(page.get_by_text("The event was saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="Інше вигадане місто")).to_be_visible()
    recruitment.refresh_from_db()
    assert (recruitment.city, recruitment.version) == ("Інше вигадане місто", 2)

    # Without JavaScript, "Edit" opens the summary with that event's form.
    without_script = browser.new_context(
        java_script_enabled=False, storage_state=page.context.storage_state()
    )
    plain_page = without_script.new_page()
    plain_page.goto(summary_url)
    plain_page.get_by_role("link", name="Edit").click()
    expect(plain_page).to_have_url(re.compile(rf"/events/{recruitment.pk}/edit/#event-"))
    plain_form = plain_page.get_by_role("group", name="Event: Recruitment")
    expect(plain_form.get_by_label("City or place")).to_have_value("Інше вигадане місто")
    plain_page.get_by_role("link", name="Cancel").click()
    expect(plain_form).to_have_count(0)
    without_script.close()

    # Consent to the interview, explained in Ukrainian.
    open_tab(page, "Consent")
    page.get_by_role("group", name="Consent to").get_by_label("Interview").check()
    page.get_by_role("group", name="The person").get_by_label("gave consent").check()
    page.get_by_label("Explained in the language").select_option("ukr")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("The consent was recorded.")).to_be_visible()
    expect(page.get_by_text("Given, in effect")).to_be_visible()

    # The guided screening, started from the case and saved into it.
    open_tab(page, "Screening")
    page.get_by_role("link", name="Start a screening for this case").click()
    expect(page.get_by_role("heading", name="Screening interview")).to_be_visible()
    page.get_by_role("group", name="Jurisdiction").get_by_label("Poland").check()
    page.get_by_label("The person's language").select_option("uk")
    page.get_by_label("Age at recruitment, in years").fill("29")
    page.get_by_label("Labour exploitation (forced labour or services)").check()
    page.get_by_role("group", name="Did any of these acts take place?").get_by_label("Yes").check()
    page.get_by_role("group", name="Which acts took place?").get_by_label(
        "Recruitment", exact=True
    ).check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=re.compile("Step 2 of 9"))).to_be_visible()
    for step in range(3, 9):
        page.get_by_role("button", name=re.compile("^(Next|See the outcome)$")).click()
        expect(page.get_by_role("heading", name=re.compile(f"Step {step} of 9"))).to_be_visible()
    page.get_by_role("button", name="See the outcome").click()
    expect(page.get_by_role("heading", name="Outcome of the screening")).to_be_visible()
    page.get_by_role("button", name=f"Save into case {case.code}").click()
    expect(page.get_by_text(f"The screening was saved into case {case.code}.")).to_be_visible()
    stored = StoredScreening.objects.get(case=case)
    expect(page.get_by_role("cell", name=stored.ruleset_version)).to_be_visible()

    # A need in the support plan.
    open_tab(page, "Support plan")
    page.get_by_label("Need").select_option("Legal")
    page.get_by_label("Provider").fill("Legal clinic")
    page.get_by_label("Due on").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_text("The support item was added to the plan.")).to_be_visible()
    expect(page.get_by_role("cell", name="Legal clinic")).to_be_visible()

    # The rights sheet in Ukrainian: downloaded, then recorded as given.
    open_tab(page, "Rights")
    page.get_by_label("Language of the sheet").select_option("uk")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the rights sheet (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"rights-{case.code}-uk.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    page.get_by_label("Language it was given in").select_option("uk")
    page.get_by_role("button", name="Record that it was given").click()
    expect(
        page.get_by_text("It was recorded that the person was given the rights sheet.")
    ).to_be_visible()

    # The case worker asks to close the case.
    open_tab(page, "History")
    page.get_by_label("Closed (a supervisor decides)").check()
    page.get_by_label("Reason").fill("The person found safe work and moved on.")
    page.get_by_role("button", name="Change the status").click()
    expect(
        page.get_by_text("Your request to close the case waits for a supervisor's decision.")
    ).to_be_visible()
    expect(page.locator("#case-status")).to_have_text("Screening")

    # The supervisor, in a browser of their own, approves the closure.
    context = browser.new_context()
    supervisor_page = context.new_page()
    supervisor_page.on("console", remember_policy_errors)
    sign_in(supervisor_page, live_server.url, "pavel", current_code(supervisor_device))
    supervisor_page.goto(f"{live_server.url}/cases/{case.pk}/history/")
    expect(supervisor_page.get_by_text("asked to close the case")).to_be_visible()
    supervisor_page.get_by_role("button", name="Approve the closure").click()
    expect(
        supervisor_page.get_by_text("Your decision on the closure was recorded.")
    ).to_be_visible()
    expect(supervisor_page.locator("#case-status")).to_have_text("Closed")
    context.close()

    page.reload()
    expect(page.locator("#case-status")).to_have_text("Closed")
    assert not policy_errors
