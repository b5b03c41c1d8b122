"""Someone, signed out, walks the screening interview in Chromium: the result panel follows
each answer through htmx, and the outcome page is ready to print."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from waypoint.domain.screening import RULESET_VERSION, get_catalogue

pytestmark = pytest.mark.functional


def indicator(dimension: str, strength: str) -> str:
    """The interviewer's question for an adult labour indicator of this dimension and strength."""
    catalogue = get_catalogue()
    member = next(
        member
        for member in catalogue.indicator_sets["adult_labour"].in_dimension(dimension)
        if member.strength == strength
    )
    return catalogue.indicators[member.id].question["en"]


def test_walk_the_interview_with_a_live_result_panel(page: Page, live_server) -> None:
    console_errors: list[str] = []

    def remember_errors(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", remember_errors)
    page.goto(f"{live_server.url}/screening/")
    expect(page.get_by_role("heading", name="Screening interview")).to_be_visible()

    panel = page.locator("#screening-result")
    expect(panel).to_contain_text("Choose the jurisdiction to see a first result")
    page.get_by_role("group", name="Jurisdiction").get_by_label("Poland").check()
    expect(panel).to_contain_text("ILO indicators")  # htmx swapped in a first result

    page.get_by_label("The person's language").select_option("uk")
    page.get_by_label("Age at recruitment, in years").fill("34")
    page.get_by_label("Labour exploitation (forced labour or services)").check()
    page.get_by_role("group", name="Did any of these acts take place?").get_by_label("Yes").check()
    page.get_by_role("group", name="Which acts took place?").get_by_label(
        "Recruitment", exact=True
    ).check()
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name=re.compile("Step 2 of 9"))).to_be_visible()
    deceptive = panel.locator("li", has_text="Deceptive recruitment")
    expect(deceptive).to_contain_text("undetermined")

    strong = page.get_by_role("group", name=indicator("deceptive_recruitment", "strong"))
    expect(strong.locator("[lang=uk]")).to_be_visible()
    strong.get_by_label("Yes", exact=True).check()
    medium = page.get_by_role("group", name=indicator("deceptive_recruitment", "medium"))
    # Keyboard only: focus the first answer, then Space selects it.
    medium.get_by_label("Yes", exact=True).focus()
    page.keyboard.press("Space")
    expect(medium.get_by_label("Yes", exact=True)).to_be_checked()
    expect(deceptive).to_contain_text("positive")

    weak = page.get_by_role("group", name=indicator("deceptive_recruitment", "weak"))
    weak.get_by_label("Prefers not to answer").check()
    expect(deceptive).to_contain_text("positive")

    for step in range(3, 9):
        page.get_by_role("button", name=re.compile("^(Next|See the outcome)$")).click()
        expect(page.get_by_role("heading", name=re.compile(f"Step {step} of 9"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("The journey"))).to_be_visible()
    page.get_by_role("group", name=re.compile("cross an international border")).get_by_label(
        "No", exact=True
    ).check()
    expect(panel).to_contain_text("Classification")
    page.get_by_role("button", name="See the outcome").click()

    expect(page.get_by_role("heading", name="Outcome of the screening")).to_be_visible()
    expect(page.get_by_text("a person, not this tool, decides")).to_be_visible()
    expect(page.get_by_text(f"ruleset {RULESET_VERSION}")).to_be_visible()
    expect(page.get_by_role("heading", name="What the law says")).to_be_visible()
    expect(page.get_by_text("Kodeks karny, art. 115 § 22")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    page.get_by_role("button", name="Back to the questions").click()
    expect(page.get_by_role("heading", name=re.compile("The journey"))).to_be_visible()
    expect(
        page.get_by_role("group", name=re.compile("cross an international border")).get_by_label(
            "No", exact=True
        )
    ).to_be_checked()
    assert not [error for error in console_errors if "Content Security Policy" in error]
