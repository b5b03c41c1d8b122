"""Case selectors: who sees which cases, filters and order, and a bounded number of queries
whatever the number of cases."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pytest_django import Settings

from tests.integration.test_cases_support import (
    PERSON,
    SCREENING,
    Team,
    actor_for,
    consent_to_interview,
    make_team,
    open_case,
)
from waypoint.accounts.models import Organisation, User
from waypoint.cases import selectors, services
from waypoint.cases.models import Case

TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def other_team(beta: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(beta, make_user)


def codes(rows: list[selectors.CaseRow]) -> set[str]:
    return {row.code for row in rows}


def details(case: Case, user: User, **fields: Any) -> Case:
    return services.update_case_details(
        actor_for(user), user, case, expected_version=case.version, **fields
    )


@pytest.fixture
def cases(team: Team, other_team: Team) -> dict[str, Case]:
    # The policy lets a case worker see a case they are the second assignee of, although the
    # services assign only supervisors there: the assignment is written directly.
    second_assignee = open_case(team.colleague)
    Case.objects.filter(pk=second_assignee.pk).update(supervisor=team.case_worker)
    return {
        "own": open_case(team.case_worker),
        "second_assignee": second_assignee,
        "colleague": open_case(team.colleague),
        "supervisor_owned": open_case(team.supervisor),
        "other_organisation": open_case(other_team.case_worker),
    }


def test_case_worker_sees_only_assigned_cases(team: Team, cases: dict[str, Case]) -> None:
    page = selectors.case_list(team.case_worker)
    assert codes(page.items) == {cases["own"].code, cases["second_assignee"].code}
    assert page.count == 2


def test_supervisor_sees_the_whole_organisation(team: Team, cases: dict[str, Case]) -> None:
    page = selectors.case_list(team.supervisor)
    assert codes(page.items) == {
        case.code for name, case in cases.items() if name != "other_organisation"
    }


@pytest.mark.parametrize("role", ["org_admin", "data_analyst", "auditor", "trainee"])
def test_other_roles_see_no_case(team: Team, cases: dict[str, Case], role: str) -> None:
    assert selectors.case_list(team.by_role(role)).items == []
    assert list(selectors.visible_cases(team.by_role(role))) == []


def test_lists_never_show_who_a_case_is_about(team: Team, cases: dict[str, Case]) -> None:
    rows = selectors.case_list(team.supervisor).items
    shown = repr([asdict(row) for row in rows])
    assert PERSON["given_names"] not in shown
    assert PERSON["family_names"] not in shown
    assert team.supervisor.username in shown


def test_filters_and_order(team: Team) -> None:
    worker, supervisor = team.case_worker, team.supervisor
    overdue = details(open_case(worker), worker, presumption_certificate_issued_on=date(2026, 8, 1))
    due_soon = details(
        open_case(worker), worker, presumption_certificate_issued_on=date(2026, 9, 10)
    )
    later = details(
        open_case(worker),
        worker,
        presumption_certificate_issued_on=date(2026, 11, 20),
        exploitation_types=["SexualExploitation"],
    )
    undated = open_case(team.colleague)
    everything = selectors.case_list(supervisor, today=TODAY).items
    assert [row.code for row in everything] == [
        overdue.code,
        due_soon.code,
        later.code,
        undated.code,
    ]
    assert codes(selectors.case_list(supervisor, deadline="overdue", today=TODAY).items) == {
        overdue.code
    }
    assert codes(selectors.case_list(supervisor, deadline="due_soon", today=TODAY).items) == {
        due_soon.code
    }
    assert codes(selectors.case_list(supervisor, exploitation_type="SexualExploitation").items) == {
        later.code
    }
    assert codes(selectors.case_list(supervisor, owner=team.colleague.pk).items) == {undated.code}
    assert selectors.case_list(supervisor, status="closed").items == []
    paged = selectors.case_list(supervisor, page=2, page_size=3, today=TODAY)
    assert (paged.count, [row.code for row in paged.items]) == (4, [undated.code])


def test_due_list_per_case_worker_and_per_organisation(team: Team) -> None:
    worker, colleague = team.case_worker, team.colleague
    mine = details(open_case(worker), worker, presumption_certificate_issued_on=date(2026, 9, 10))
    theirs = open_case(colleague)
    services.add_support_item(
        actor_for(colleague), colleague, theirs, kind="Legal", due_on=TODAY - timedelta(days=1)
    )
    quiet = details(open_case(worker), worker, presumption_certificate_issued_on=date(2026, 11, 1))

    own = selectors.due_list(worker, today=TODAY)
    assert [(item.case_code, item.deadline.status) for item in own] == [(mine.code, "due_soon")]
    organisation = selectors.due_list(team.supervisor, today=TODAY, scope="organisation")
    assert [
        (item.case_code, item.deadline.kind, item.deadline.status) for item in organisation
    ] == [
        (theirs.code, "support_plan_item", "overdue"),
        (mine.code, "presumed_victim_certificate", "due_soon"),
    ]
    assert quiet.code not in {item.case_code for item in organisation}
    with pytest.raises(PermissionDenied):
        selectors.due_list(worker, today=TODAY, scope="organisation")


def test_search_by_name_and_birth_date_respects_visibility(team: Team, other_team: Team) -> None:
    mine = open_case(team.case_worker)
    colleagues = open_case(team.colleague)
    open_case(other_team.supervisor)
    open_case(team.case_worker, person={**PERSON, "given_names": "Iryna"})

    def search(user: User) -> set[str]:
        return codes(
            selectors.search_by_name_and_birth_date(
                user,
                given_names="olena",
                family_names="KOVALENKO",
                birth_date=date(1994, 3, 12),
            )
        )

    assert search(team.case_worker) == {mine.code}
    assert search(team.supervisor) == {mine.code, colleagues.code}
    assert search(team.data_analyst) == set()


def test_consent_state_keys(team: Team) -> None:
    case = open_case(team.case_worker)
    consent_to_interview(case, team.case_worker)
    assert set(selectors.consent_state(case)) == {"interview"}
    assert selectors.consent_state(case)["interview"].in_effect


# ---- bounded queries -------------------------------------------------------------------------


@pytest.fixture
def many_cases(team: Team) -> list[Case]:
    """Thirty-two cases of two owners with deadlines, support items and exploitation types."""
    found = []
    for index in range(32):
        owner = team.case_worker if index % 2 else team.colleague
        case = open_case(owner, supervisor=team.supervisor)
        case = details(
            case,
            owner,
            presumption_certificate_issued_on=date(2026, 9, 1) + timedelta(days=index),
            exploitation_types=["ForcedLabour"] if index % 3 else ["SexualExploitation"],
        )
        services.add_support_item(
            actor_for(owner), owner, case, kind="Health", due_on=TODAY + timedelta(days=index - 3)
        )
        found.append(case)
    return found


def test_case_list_takes_two_queries_whatever_the_size(
    team: Team, many_cases: list[Case], django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(2):
        page = selectors.case_list(team.supervisor, page_size=100)
    assert page.count == 32
    assert len(page.items) == 32
    with django_assert_max_num_queries(2):
        selectors.case_list(
            team.case_worker, deadline="due_soon", exploitation_type="ForcedLabour", today=TODAY
        )


def test_due_list_takes_two_queries_whatever_the_size(
    team: Team, many_cases: list[Case], django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(2):
        due = selectors.due_list(team.supervisor, today=TODAY, scope="organisation")
    assert len({item.case_code for item in due}) > 20
    assert [item.deadline.due_on for item in due] == sorted(item.deadline.due_on for item in due)


def test_case_page_takes_a_fixed_number_of_queries(
    team: Team, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    worker = team.case_worker
    case = open_case(worker, supervisor=team.supervisor)
    consent_to_interview(case, worker)
    for index in range(12):
        services.add_note(actor_for(worker), worker, case, body=f"note {index}")
        services.add_support_item(
            actor_for(worker), worker, case, kind="Legal", due_on=TODAY + timedelta(days=index)
        )
        services.save_screening(actor_for(worker), worker, case, raw_input=SCREENING)
    services.change_status(
        actor_for(team.supervisor),
        team.supervisor,
        case,
        to_status="presumed_victim",
        reason="",
        expected_version=1,
    )
    with django_assert_max_num_queries(10):
        page = selectors.case_page(case, today=TODAY)
        assert page.case.person.given_names == PERSON["given_names"]
        assert [change.changed_by.username for change in page.status_changes]
    assert len(page.notes) == 12
    assert len(page.screenings) == 12
    assert len(page.deadlines) == 12
