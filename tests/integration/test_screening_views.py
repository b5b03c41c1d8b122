"""The guided interview at /screening/: anonymous or signed in, plain form posts carrying every
answer, an htmx result panel, and a printable outcome. Nothing is stored."""

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.domain.screening import RULESET_VERSION, assess, get_catalogue, parse_screening_input

START = "/screening/"
RESULT = "/screening/result/"
DIMENSIONS = [dimension.id for dimension in get_catalogue().dimensions]


class FormState(HTMLParser):
    """What a browser would post from the page's main form: hidden inputs, checked choices,
    filled inputs and selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.radio_names: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attributes.get("type", "text")
            if kind == "radio" and name not in self.radio_names:
                self.radio_names.append(name)
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            if attributes.get("value"):
                self.data.setdefault(name, []).append(attributes["value"])
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.data.setdefault(self._select, []).append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_state(page: str) -> FormState:
    form = page[page.index('action="/screening/"') :]
    state = FormState()
    state.feed(form[: form.index("</form>")])
    return state


def current_step(page: str) -> str:
    match = re.search(r'name="step" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


SETUP = {
    "step": "setup",
    "go": "next",
    "jurisdiction": "PL",
    "person_language": "uk",
    "age_at_recruitment": "34",
    "exploitation": ["labour"],
    "act_answer": "yes",
    "acts": ["recruitment", "transportation"],
}


def answer_every_question(page: str, answer: str) -> dict[str, list[str]]:
    state = form_state(page)
    for name in state.radio_names:
        if name == "movement_entry":
            state.data[name] = ["regular"]
        elif name.startswith("movement_"):
            state.data[name] = ["yes"]
        else:
            state.data[name] = [answer]
    return state.data


def walk_to(client: Client, target: str, answer: str = "yes", **setup: Any) -> str:
    """Post the setup, then answer every question on each step until `target` is shown."""
    page = client.post(START, SETUP | setup).content.decode()
    while current_step(page) != target:
        data = answer_every_question(page, answer) | {"go": ["next"]}
        response = client.post(START, data)
        assert response.status_code == 200
        page = response.content.decode()
    return page


def page_text(page: str) -> str:
    return html.unescape(page)


def test_start_page_is_open_without_sign_in_and_touches_no_database(
    client: Client, db: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get(START)
    assert response.status_code == 200
    page = response.content.decode()
    assert current_step(page) == "setup"
    assert 'hx-post="/screening/result/"' in page
    assert 'hx-trigger="change"' in page
    assert 'hx-target="#screening-result"' in page
    assert "<legend>Jurisdiction</legend>" in page
    for jurisdiction in ("INT", "EU", "PL"):
        assert f'type="radio" name="jurisdiction" value="{jurisdiction}"' in page
    assert '<label for="id_age_at_recruitment">' in page
    # The content security policy allows no inline code or styles.
    assert "hx-on" not in page
    assert " style=" not in page
    assert " onclick=" not in page


def test_setup_errors_say_what_is_wrong(client: Client, db: None) -> None:
    response = client.post(
        START,
        {"step": "setup", "go": "next", "age_at_recruitment": "thirty", "act_answer": "yes"},
    )
    assert response.status_code == 200
    page = page_text(response.content.decode())
    assert current_step(page) == "setup"
    assert "Choose the jurisdiction whose law applies." in page
    assert "Enter the age as a whole number of years, or leave it empty." in page
    assert "Tick the acts that took place, or answer “Don't know”." in page
    assert "Choose the language the person understands best." in page


def test_acts_ticked_after_answering_none_is_an_error(client: Client, db: None) -> None:
    page = client.post(START, SETUP | {"act_answer": "no"}).content.decode()
    assert current_step(page) == "setup"
    assert "the answer and the ticked acts disagree" in page_text(page)


def test_setup_leads_to_the_first_dimension_in_both_languages(client: Client, db: None) -> None:
    page = page_text(client.post(START, SETUP).content.decode())
    assert current_step(page) == DIMENSIONS[0]
    catalogue = get_catalogue()
    first = catalogue.indicator_sets["adult_labour"].in_dimension(DIMENSIONS[0])
    for member in first:
        texts = catalogue.indicators[member.id]
        assert f"<legend>{texts.question['en']}</legend>" in page
        assert f'<span lang="uk">{texts.plain["uk"]}</span>' in page
    name = f"answer_{first[0].id}"
    for answer in get_catalogue().answers:
        assert f'name="{name}" value="{answer.id}"' in page
    assert "Don't know" in page
    assert "Prefers not to answer" in page
    # The setup travels with the form.
    assert form_state(page).data["jurisdiction"] == ["PL"]
    assert form_state(page).data["acts"] == ["recruitment", "transportation"]
    assert 'name="go" value="back"' in page


def test_the_interviewer_reads_questions_in_the_interface_language(
    client: Client, db: None
) -> None:
    client.cookies["django_language"] = "pl"
    page = page_text(client.post(START, SETUP | {"person_language": "ru"}).content.decode())
    member = get_catalogue().indicator_sets["adult_labour"].members[0]
    texts = get_catalogue().indicators[member.id]
    assert f"<legend>{texts.question['pl']}</legend>" in page
    assert f'<span lang="ru">{texts.plain["ru"]}</span>' in page


def test_an_unknown_age_asks_the_indicators_of_both_sets(client: Client, db: None) -> None:
    step = "abuse_of_vulnerability_recruitment"
    catalogue = get_catalogue()
    adult = {m.id for m in catalogue.indicator_sets["adult_labour"].in_dimension(step)}
    child = {m.id for m in catalogue.indicator_sets["child_labour"].in_dimension(step)}
    assert adult != child

    unknown_age = walk_to(client, step, age_at_recruitment="")
    asked = {name.removeprefix("answer_") for name in form_state(unknown_age).radio_names}
    assert asked == adult | child

    as_child = walk_to(client, step, age_at_recruitment="15")
    asked = {name.removeprefix("answer_") for name in form_state(as_child).radio_names}
    assert asked == child


def test_back_returns_to_the_previous_step_with_its_answers(client: Client, db: None) -> None:
    page = walk_to(client, DIMENSIONS[1], answer="declined")
    data = form_state(page).data | {"go": ["back"]}
    page = client.post(START, data).content.decode()
    assert current_step(page) == DIMENSIONS[0]
    state = form_state(page)
    first = get_catalogue().indicator_sets["adult_labour"].in_dimension(DIMENSIONS[0])[0]
    assert state.data[f"answer_{first.id}"] == ["declined"]


def test_a_tampered_answer_is_shown_on_its_own_step(client: Client, db: None) -> None:
    page = walk_to(client, "movement")
    first = get_catalogue().indicator_sets["adult_labour"].in_dimension(DIMENSIONS[0])[0]
    data = form_state(page).data | {f"answer_{first.id}": ["maybe"], "go": ["next"]}
    response = client.post(START, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert current_step(page) == DIMENSIONS[0]
    assert "Choose one of the answers." in page
    assert 'class="question has-errors"' in page


def test_entry_cannot_be_described_without_a_border_crossing(client: Client, db: None) -> None:
    page = walk_to(client, "movement")
    data = form_state(page).data | {
        "movement_crossed_border": ["no"],
        "movement_entry": ["irregular"],
        "go": ["next"],
    }
    page = page_text(client.post(START, data).content.decode())
    assert current_step(page) == "movement"
    assert "The person did not cross a border, so there was no entry to describe" in page


def test_the_walk_ends_on_a_printable_outcome(client: Client, db: None) -> None:
    movement = walk_to(client, "movement")
    outcome_data = answer_every_question(movement, "yes") | {"go": ["next"]}
    page = page_text(client.post(START, outcome_data).content.decode())
    assert current_step(page) == "outcome"
    assert "<h1>Outcome of the screening</h1>" in page

    expected = assess(parse_screening_input(engine_input_of(outcome_data))).to_dict()
    for item in expected["explanation"]:
        assert item["text"] in page
    for provision in expected["legal"]["provisions"]:
        assert provision["reference"] in page
    assert expected["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"
    assert "possible victim of trafficking" in page
    assert "a person, not this tool, decides" in page
    assert f"ruleset {RULESET_VERSION}" in page
    assert re.search(r'<button type="button" class="[^"]*no-print[^"]*" data-print>', page)
    assert "Provisional result." in page  # the indicator lists are from a secondary source

    back = client.post(START, form_state(page).data | {"go": ["back"]}).content.decode()
    assert current_step(back) == "movement"


def engine_input_of(data: dict[str, list[str]]) -> dict[str, Any]:
    """The engine input the interview's answers stand for (every fact answered here)."""
    return {
        "jurisdiction": data["jurisdiction"][0],
        "person": {"age_at_recruitment": int(data["age_at_recruitment"][0])},
        "exploitation": data["exploitation"],
        "act": data["acts"],
        "indicators": {
            name.removeprefix("answer_"): values[0]
            for name, values in data.items()
            if name.startswith("answer_")
        },
        "movement": {
            name.removeprefix("movement_"): (
                values[0] if values[0] in ("regular", "irregular") else values[0] == "yes"
            )
            for name, values in data.items()
            if name.startswith("movement_")
        },
    }


def test_the_result_panel_is_a_fragment_for_htmx(client: Client, db: None) -> None:
    page = walk_to(client, DIMENSIONS[2])
    response = client.post(RESULT, form_state(page).data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = page_text(response.content.decode())
    assert "<html" not in fragment
    assert "site-header" not in fragment
    assert fragment.lstrip().startswith('<h2 id="result-heading">Result so far</h2>')
    for label in ("ILO indicators", "Palermo definition", "Dimensions", "Next questions"):
        assert label in fragment
    assert 'Deceptive recruitment: <span class="badge badge-positive">positive</span>' in fragment
    assert '<div class="provisional" role="note">' in fragment


def test_the_result_panel_follows_each_answer(client: Client, db: None) -> None:
    page = client.post(START, SETUP).content.decode()
    data = form_state(page).data
    before = page_text(client.post(RESULT, data).content.decode())
    assert 'Deceptive recruitment: <span class="badge badge-undetermined">' in before
    strong = [
        member.id
        for member in get_catalogue().indicator_sets["adult_labour"].in_dimension(DIMENSIONS[0])
        if member.strength == "strong"
    ]
    others = [
        member.id
        for member in get_catalogue().indicator_sets["adult_labour"].in_dimension(DIMENSIONS[0])
        if member.strength != "strong"
    ]
    data |= {f"answer_{strong[0]}": ["yes"], f"answer_{others[0]}": ["yes"]}
    after = page_text(client.post(RESULT, data).content.decode())
    assert 'Deceptive recruitment: <span class="badge badge-positive">' in after


def test_the_result_panel_explains_when_answers_need_correcting(client: Client, db: None) -> None:
    before_setup = client.post(RESULT, {}).content.decode()
    assert "Choose the jurisdiction to see a first result" not in before_setup
    assert "once the answers marked as wrong are corrected" in before_setup
    assert client.get(RESULT).status_code == 405


def test_an_anonymous_interview_writes_nothing(
    client: Client, db: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        page = walk_to(client, "outcome")
        client.post(RESULT, form_state(page).data)
    assert "waypoint_session" not in client.cookies


def test_a_signed_in_screener_gets_the_same_interview_and_no_record(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    events_before = AuditEvent.objects.count()
    assert "Screening interview" in client.get(START).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = walk_to(client, "outcome")
        client.post(RESULT, form_state(page).data)
    assert "Outcome of the screening" in page
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Only the session's idle timer moves (SESSION_SAVE_EVERY_REQUEST).
    assert all('"django_session"' in sql for sql in writes), writes
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_may_screen(
    role: str,
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(make_user(alpha, role))
    assert client.get(START).status_code == 200


def test_a_user_without_the_screening_permission_is_refused_and_audited(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(alpha, "retired"))
    assert client.get(START).status_code == 403
    assert client.post(RESULT, SETUP).status_code == 403
    denial = AuditEvent.objects.filter(action="permission.denied").first()
    assert denial is not None
    assert denial.details == {"permission": "screen_anonymously"}


@pytest.mark.parametrize(
    "data",
    [
        {"step": "nowhere", "go": "sideways"},
        SETUP | {"age_at_recruitment": "1e400", "jurisdiction": ["PL", "EU"]},
        SETUP | {"age_at_recruitment": "121", "exploitation": ["piracy"], "acts": ["x"]},
        SETUP | {"person_language": "de", "act_answer": "perhaps"},
        SETUP | {"answer_not_an_indicator": "yes", "movement_entry": "teleported"},
        SETUP | {"step": "outcome", "answer_dr_wages_earnings": "\u0000"},
    ],
)
def test_hostile_posts_get_a_page_never_a_crash(db: None, data: dict[str, Any]) -> None:
    client = Client(raise_request_exception=False)
    for url in (START, RESULT):
        response = client.post(url, data)
        assert response.status_code == 200, response.content
