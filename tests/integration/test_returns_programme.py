"""The programme view: returns per stage and how long they stay, withdrawals, the scores of
completed returns and the budget, for the organisation only, with small cells withheld from
whoever may not see personal data."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from pytest_django import Settings

from tests.integration.test_returns_support import (
    ALL_GOOD_ANSWERS,
    WORSE_ANSWERS,
    actor_for,
    counsel,
    days_ago,
    events,
    make_case,
    move,
    start,
    verified,
    walk_to,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import AccessDenied
from waypoint.returns import selectors, services
from waypoint.returns.models import Return


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


@pytest.fixture
def supervisor(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.SUPERVISOR))


def overview(user: User, **filters: str) -> selectors.ProgrammeOverview:
    return services.programme_overview(
        actor_for(user),
        user,
        country=filters.get("country", ""),
        programme_id=filters.get("programme_id", ""),
        today=timezone.localdate(),
    )


def counted(result: selectors.ProgrammeOverview) -> dict[str, object]:
    return {figure.stage: figure.count.value for figure in result.stages if figure.count.value}


def complete(worker: User, supervisor: User, answers: list[dict[str, str]], name: str) -> Return:
    record = start(worker, make_case(worker, supervisor, given_names=name))
    walk_to("monitoring", worker, supervisor, record)
    for number, visit_answers in enumerate(answers):
        services.record_monitoring_visit(
            actor_for(worker),
            worker,
            record,
            visited_on=days_ago(25 - number),
            mode="phone",
            answers=visit_answers,
        )
    return move(worker, record, "completed", days_ago(5))


def test_counts_durations_withdrawals_and_scores_of_the_organisation(
    worker: User, supervisor: User, beta: Organisation, make_user: Callable[..., User]
) -> None:
    for days, name in ((10, "Anna"), (20, "Bohdana"), (30, "Daria")):
        start(worker, make_case(worker, given_names=name), started_on=days_ago(days))
    moved = start(worker, make_case(worker, given_names="Ewa"), started_on=days_ago(50))
    counsel(worker, moved, days_ago(45))
    move(worker, moved, "application", days_ago(40))
    move(worker, moved, "withdrawn", days_ago(30), reason="She stays with her sister.")
    complete(worker, supervisor, [ALL_GOOD_ANSWERS], "Halyna")
    complete(worker, supervisor, [ALL_GOOD_ANSWERS, WORSE_ANSWERS], "Iryna")
    elsewhere = verified(make_user(beta, Role.CASE_WORKER, username="beta-worker"))
    start(elsewhere, make_case(elsewhere))

    result = overview(supervisor)
    assert not result.suppressed
    assert counted(result) == {"counselling": 3, "withdrawn": 1, "completed": 2}
    assert result.total.value == 6
    assert result.withdrawn.value == 1
    days = {figure.stage: figure.median_days.value for figure in result.stages}
    # Still running: 10, 20 and 30 days; ended: 5 days, and 20 for each walked return.
    assert days["counselling"] == 20
    assert days["application"] == 10
    assert days["monitoring"] == 35
    assert days["completed"] is None
    labels = {figure.label_id: figure.count.value for figure in result.completed_labels}
    assert labels == {"low": 0, "medium": 0, "high": 2}
    medians = {figure.key: figure.median.value for figure in result.completed_medians}
    assert medians["composite"] == pytest.approx((0.9833 + 0.6887) / 2, abs=0.01)
    assert medians["social"] == 1.0
    assert [
        (item.currency, item.budget.value, item.disbursed.value) for item in result.budgets
    ] == [("EUR", Decimal("3000.00"), Decimal("0.00"))]
    assert result.provisional
    assert "<svg" in result.stage_chart
    assert "<svg" in result.days_chart
    assert "<svg" in result.scores_chart
    [viewed] = events("returns.programme.view")
    assert viewed.details == {"country": "", "programme_id": "", "suppressed": False, "k": 5}


def test_filters_by_country_of_return_and_programme(worker: User, supervisor: User) -> None:
    start(worker, make_case(worker, given_names="Anna"))
    start(worker, make_case(worker, given_names="Lan", nationality="VN"), country_of_return="VN",
          programme_id="pl_avrr_third_country_nationals")  # fmt: skip
    assert counted(overview(supervisor, country="VN")) == {"counselling": 1}
    assert counted(overview(supervisor, programme_id="pl_safe_return_victims")) == {
        "counselling": 1
    }
    assert counted(overview(supervisor, country="MD")) == {}


@pytest.mark.parametrize("role", [Role.DATA_ANALYST, Role.ORG_ADMIN])
def test_roles_without_personal_data_see_small_cells_withheld(
    worker: User, alpha: Organisation, make_user: Callable[..., User], role: str
) -> None:
    for number in range(6):
        start(worker, make_case(worker, given_names=f"Person {number}"))
    stopped = start(worker, make_case(worker, given_names="Stopped"))
    move(worker, stopped, "withdrawn", days_ago(0))
    result = overview(verified(make_user(alpha, role)))
    assert (result.suppressed, result.k) == (True, 5)
    by_stage = {figure.stage: figure for figure in result.stages}
    assert by_stage["counselling"].count.withheld is False
    assert by_stage["counselling"].count.value == 6
    assert result.withdrawn.withheld
    assert result.withdrawn.value is None
    published = [figure.count.value for figure in result.stages if not figure.count.withheld]
    assert all(value >= 5 for value in published if value is not None)
    # The empty stages are withheld too, so the total does not reveal where the seventh is.
    assert result.total.value == 7
    assert by_stage["counselling"].median_days.value == 120
    assert by_stage["withdrawn"].median_days.value is None


def test_the_threshold_comes_from_the_setting(
    worker: User, alpha: Organisation, make_user: Callable[..., User], settings: Settings
) -> None:
    start(worker, make_case(worker))
    settings.AGGREGATE_SUPPRESSION_K = 1
    result = overview(make_user(alpha, Role.DATA_ANALYST))
    assert (result.suppressed, result.k, result.total.value) == (True, 1, 1)


def test_case_workers_and_trainees_have_no_programme_view(
    worker: User, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    for user in (worker, make_user(alpha, Role.TRAINEE), make_user(alpha, Role.AUDITOR)):
        with pytest.raises(AccessDenied):
            overview(user)
    assert not events("returns.programme.view")
