"""A case worker walks one return in Chromium from counselling to the second monitoring visit,
a supervisor approves it in another browser, and the chart of the scores appears; an analyst
filters the programme view."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from tests.conftest import PASSWORD, add_authenticator, current_code
from tests.integration.test_returns_support import make_case
from waypoint.accounts.models import Role, User
from waypoint.returns.demo import load_demo_returns

pytestmark = pytest.mark.functional


def sign_in(page: Page, base_url: str, user: User) -> None:
    device = add_authenticator(user)
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def move_to(page: Page, stage: str) -> None:
    page.get_by_role("navigation", name="Parts of the return").get_by_role(
        "link", name="Overview"
    ).click()
    page.get_by_label("Move to:", exact=True).select_option(label=stage)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("The stage was changed.")).to_be_visible()
    expect(page.locator(".stage-badge")).to_have_text(stage)


def open_part(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Parts of the return").get_by_role(
        "link", name=name, exact=True
    ).click()


def answer_visit(page: Page, answers: dict[str, str]) -> None:
    for question in page.locator("#main form select[name^=answer_]").all():
        options = question.locator("option").all_text_contents()
        wanted = answers.get(question.get_attribute("name") or "", "")
        question.select_option(label=wanted if wanted in options else options[1])
    page.get_by_label("How:").select_option(label="In person")
    page.get_by_role("button", name="Record and score the visit").click()
    expect(page.get_by_text("The monitoring visit was recorded and scored")).to_be_visible()


def test_a_return_from_counselling_to_the_second_monitoring_visit(
    page: Page, browser: Browser, live_server, alpha, make_user
) -> None:
    console_errors: list[str] = []

    def remember_errors(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    failed_responses: list[str] = []

    def remember_failures(response: Response) -> None:
        if response.status >= 400:
            failed_responses.append(f"{response.status} {response.url}")

    page.on("console", remember_errors)
    page.on("response", remember_failures)
    worker = make_user(alpha, Role.CASE_WORKER, username="anna")
    supervisor = make_user(alpha, Role.SUPERVISOR, username="piotr")
    case = make_case(worker, supervisor, given_names="Олена", family_names="Коваленко")
    base = live_server.url
    sign_in(page, base, worker)

    page.goto(f"{base}/returns/new/?case={case.code}")
    page.get_by_label("Programme").select_option("pl_safe_return_victims")
    page.get_by_label("Country of return").select_option("UA")
    page.get_by_label("The person's language for documents").select_option("uk")
    page.get_by_role("button", name="Start the return").click()
    expect(page.get_by_text("The return was started in counselling.")).to_be_visible()
    expect(page.get_by_text("Return R-")).to_contain_text("Олена Коваленко")
    return_url = page.url

    open_part(page, "Counselling")
    page.get_by_label("Language of the session").select_option("uk")
    page.get_by_label("An interpreter took part").check()
    for topic in (
        "Options to stay in the host country",
        "The person's legal status",
        "Risks on return",
        "Assistance available before and after return",
    ):
        page.get_by_label(topic).check()
    page.get_by_label("Notes").fill("She wants to go home to her mother in Poltava.")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Every required topic was covered")).to_be_visible()
    move_to(page, "Application")

    open_part(page, "Declaration")
    page.get_by_role("button", name="Write the declaration").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith("-uk.pdf")
    page.get_by_role("button", name="Record the signature").click()
    expect(page.get_by_text("The signature was recorded.")).to_be_visible()

    open_part(page, "Eligibility")
    page.get_by_label("Migration status").select_option("presumed_or_identified_victim")
    page.get_by_label("Obligations requiring presence").select_option("none")
    page.get_by_label("Is the person a child?").select_option("no")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator(".badge-eligible")).to_have_text("Eligible")

    boss = browser.new_context().new_page()
    boss.on("console", remember_errors)
    boss.on("response", remember_failures)
    sign_in(boss, base, supervisor)
    boss.goto(return_url)
    move_to(boss, "Approved")
    boss.context.close()

    open_part(page, "Risk")
    for area in ("Risk of being trafficked again", "Threats from the perpetrators",
                 "Family situation", "Health needs"):  # fmt: skip
        page.get_by_label(f"{area}:", exact=True).select_option("low")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The risk assessment was recorded.")).to_be_visible()

    open_part(page, "Travel")
    page.get_by_label("Planned departure").fill(timezone.localdate().isoformat())
    page.get_by_label("Itinerary").fill("Bus Warszawa–Lviv, train to Poltava.")
    page.get_by_label("Receiving partner organisation").fill("Poltava Partner (fictional)")
    page.get_by_role("button", name="Save the travel plan").click()
    expect(page.get_by_text("The travel plan was saved.")).to_be_visible()
    page.get_by_label("Document:", exact=True).select_option("passport")
    page.get_by_label("Status:", exact=True).select_option("issued")
    page.get_by_label("Issued on").first.fill("2025-06-01")
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_text("The travel document was added.")).to_be_visible()
    for stage in ("Travel arranged", "Departed", "Arrived and received"):
        move_to(page, stage)

    open_part(page, "Reintegration plan")
    page.get_by_label("Assistance:", exact=True).select_option("business_start_up_grant")
    page.get_by_label("Budget:", exact=True).fill("1500.00")
    page.get_by_label("Currency:", exact=True).select_option("EUR")
    page.get_by_label("Status:", exact=True).select_option("approved")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_role("row", name=re.compile("EUR"))).not_to_have_count(0)
    move_to(page, "Reintegration assistance")

    open_part(page, "Monitoring")
    answer_visit(page, {})
    expect(page.locator("svg.chart-line")).to_be_visible()
    answer_visit(
        page,
        {
            "answer_income_sources": "None",
            "answer_food_security": "Often",
            "answer_employment": "No work",
            "answer_economic_satisfaction": "Very dissatisfied",
            "answer_debt": "Debts we struggle to repay",
        },
    )
    chart = page.locator("svg.chart-line")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text(
        "Reintegration sustainability scores over the monitoring visits (provisional)"
    )
    expect(chart.locator(".chart-series-3 circle")).to_have_count(2)
    table = page.get_by_role("table", name=re.compile("The same scores as the chart"))
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Overall score fell")
    expect(
        page.get_by_role("alert").filter(has_text="Monitoring needs your attention.")
    ).to_be_visible()
    assert not [error for error in console_errors if "Content Security Policy" in error]
    assert failed_responses == []


def test_an_analyst_filters_the_programme_view_and_sees_small_cells_withheld(
    page: Page, live_server, alpha, make_user
) -> None:
    users = {role: make_user(alpha, role) for role in Role}
    load_demo_returns(alpha, users, today=timezone.localdate())
    sign_in(page, live_server.url, users[Role.DATA_ANALYST])
    page.goto(f"{live_server.url}/returns/programme/")
    results = page.locator("#programme-results")
    expect(results).to_contain_text("small-cell suppression, k = 5")
    expect(page.locator("svg#chart-stages")).to_be_visible()
    marker = page.evaluate("() => (window.beforeFilter = true)")
    assert marker is True
    page.get_by_label("Country of return").select_option("UA")
    expect(page).to_have_url(re.compile(r"country=UA"))
    expect(results.get_by_role("table").first).to_contain_text("withheld")
    assert page.evaluate("() => window.beforeFilter") is True, "htmx swapped, no reload"


def test_a_filter_after_the_session_ended_opens_the_whole_sign_in_page(
    page: Page, live_server, alpha, make_user
) -> None:
    analyst = make_user(alpha, Role.DATA_ANALYST)
    sign_in(page, live_server.url, analyst)
    page.goto(f"{live_server.url}/returns/programme/")
    expect(page.locator("#programme-results")).to_be_visible()
    page.evaluate("() => (window.beforeFilter = true)")
    Session.objects.all().delete()
    page.get_by_label("Country of return").select_option("UA")
    # The sign-in page is loaded as a page of its own, not swapped in for the results, and
    # says why.
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your session has ended or is not valid.")).to_be_visible()
    assert page.evaluate("() => window.beforeFilter") is None, "a new page, not a swap"
