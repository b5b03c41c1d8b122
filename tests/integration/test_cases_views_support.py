"""Helpers shared by the case page tests (no tests here): signing in as one member of a team,
reading a page's form the way a browser would post it, and the accessibility checks every
page must pass."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from django.test import Client

from tests.conftest import PASSWORD, current_code
from tests.integration.test_cases_support import Team, make_team, open_case
from waypoint.accounts.models import Organisation, User
from waypoint.cases.models import Case


class FormState(HTMLParser):
    """What a browser would post from the form with the given action: hidden and filled
    inputs, checked choices, selected options and text areas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._multiple_selected: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("action") == self.action
            return
        if not self.inside:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            self.data.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.data.setdefault(self._select, []).append(attributes.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, [""])

    def handle_data(self, data: str) -> None:
        if self.inside and self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None


def form_data(page: str, action: str) -> dict[str, list[str]]:
    state = FormState(action)
    state.feed(page)
    assert state.data, f"no form posting to {action}"
    return {name: values for name, values in state.data.items() if name != "csrfmiddlewaretoken"}


def text(page: bytes | str) -> str:
    content = page.decode() if isinstance(page, bytes) else page
    return html.unescape(content)


class Labels(HTMLParser):
    """Every input a person fills, and whether a label names it."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []
        self.labelled: set[str] = set()
        self.styles = 0
        self.inline_scripts = 0
        self.fieldsets = 0
        self.legends = 0
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if "style" in attributes or tag == "style":
            self.styles += 1
        if any(key.startswith("on") for key in attributes):
            self.inline_scripts += 1
        if tag == "script" and "src" not in attributes:
            self.inline_scripts += 1
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        if tag == "fieldset":
            self.fieldsets += 1
        if tag == "legend":
            self.legends += 1
        kind = attributes.get("type", "text")
        if tag in ("input", "select", "textarea") and kind not in ("hidden", "submit", "button"):
            self.fields.append(attributes.get("id", f"<{tag} name={attributes.get('name')}>"))


def assert_accessible(page: str) -> None:
    """No inline styles or scripts (the CSP forbids them), a label for every input, a legend
    for every fieldset, and no id used twice (a label would name the wrong input)."""
    labels = Labels()
    labels.feed(page)
    assert labels.styles == 0, "inline style"
    assert labels.inline_scripts == 0, "inline script or handler"
    unlabelled = [field for field in labels.fields if field not in labels.labelled]
    assert not unlabelled, f"inputs without a label: {unlabelled}"
    assert labels.fieldsets == labels.legends, "a fieldset without a legend"
    repeated = sorted({found for found in labels.ids if labels.ids.count(found) > 1})
    assert not repeated, f"ids used more than once: {repeated}"


ROLES = ["case_worker", "supervisor", "org_admin", "data_analyst", "auditor", "trainee"]
RECORDS = ["own", "same", "other"]


@dataclass
class World:
    alpha: Team
    beta: Team
    own: Case
    """Owned by alpha's case worker, supervised by alpha's supervisor."""
    same: Case
    """Owned by alpha's second case worker, no supervisor."""
    other: Case
    """Of the other organisation."""

    def case(self, record: str) -> Case:
        return {"own": self.own, "same": self.same, "other": self.other}[record]


def make_world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    team_alpha, team_beta = make_team(alpha, make_user), make_team(beta, make_user)
    return World(
        alpha=team_alpha,
        beta=team_beta,
        own=open_case(team_alpha.case_worker, supervisor=team_alpha.supervisor),
        same=open_case(team_alpha.colleague),
        other=open_case(team_beta.case_worker),
    )


def sign_in(user: User) -> Client:
    """A new browser signed in with password and authenticator code."""
    client = Client()
    device = user.totpdevice_set.filter(confirmed=True).first()
    assert device is not None
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post("/account/two-factor/", {"code": current_code(device)})
    assert response.status_code == 302, response.content
    return client


def expected_access(role: str, record: str) -> int:
    """Who may see and work on a case: its case worker, and the organisation's supervisors."""
    if (role, record) in {("case_worker", "own"), ("supervisor", "own"), ("supervisor", "same")}:
        return 200
    return 403


def tab_urls(case: Case) -> dict[str, str]:
    base = f"/cases/{case.pk}"
    return {
        "summary": f"{base}/",
        "screening": f"{base}/screening/",
        "assessment": f"{base}/assessment/",
        "plan": f"{base}/plan/",
        "consent": f"{base}/consent/",
        "rights": f"{base}/rights/",
        "documents": f"{base}/documents/",
        "history": f"{base}/history/",
    }


def version_of(case: Case) -> str:
    case.refresh_from_db()
    return str(case.version)


def messages_in(page: str) -> list[str]:
    return re.findall(r'<p class="message[^"]*">(.*?)</p>', page)
