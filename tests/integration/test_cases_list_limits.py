"""Lists stay fast at any size: counts stop at a limit and the due list shows the cases
alerted first, saying how many more there are."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from tests.integration.test_cases_support import Team, make_team, open_case
from waypoint.accounts.models import Organisation, User
from waypoint.cases import selectors
from waypoint.cases.models import Case


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


def test_a_count_past_the_limit_is_capped_and_pages_stop_there(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(7):
        open_case(team.case_worker)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 5)
    page = selectors.case_list(team.supervisor, page=99, page_size=2)
    assert (page.count, page.count_capped) == (5, True)
    assert page.page == 3
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 100)
    page = selectors.case_list(team.supervisor, page=1, page_size=2)
    assert (page.count, page.count_capped, len(page.items)) == (7, False, 2)


def test_the_due_list_shows_the_earliest_alerts_and_the_count_tells_the_rest(
    team: Team,
) -> None:
    today = date.today()
    opened = [open_case(team.case_worker) for _ in range(4)]
    for days, case in enumerate(opened):
        Case.objects.filter(pk=case.pk).update(
            presumption_certificate_issued_on=today - timedelta(days=80 + days),
            deadline_alert_on=today - timedelta(days=days),
            next_deadline_on=today + timedelta(days=10 - days),
        )
    shown = selectors.due_list(team.supervisor, today=today, scope="organisation", limit=2)
    assert {item.case_id for item in shown} == {opened[3].pk, opened[2].pk}
    assert selectors.due_case_count(team.supervisor, today=today, scope="organisation") == 4
