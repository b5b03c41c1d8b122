"""The due page gathers what needs a person soon: case deadlines and returns flagged by
monitoring, only from the cases the user may see."""

from collections.abc import Callable

from tests.integration.test_returns_support import (
    ALL_GOOD_ANSWERS,
    actor_for,
    days_ago,
    make_case,
    signed_in_client,
    start,
    verified,
    walk_to,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.returns import services


def test_a_flagged_return_is_on_its_owners_due_page_and_nobody_elses(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    supervisor = verified(make_user(alpha, Role.SUPERVISOR))
    arrived = walk_to("arrived", worker, supervisor, start(worker, make_case(worker, supervisor)))
    services.record_monitoring_visit(
        actor_for(worker),
        worker,
        arrived,
        visited_on=days_ago(3),
        mode="in_person",
        answers={**ALL_GOOD_ANSWERS, "wish_to_migrate_again": "yes_at_any_cost"},
        notes="",
    )

    page = signed_in_client(worker).get("/due/").content.decode()
    assert arrived.code in page
    assert "Risk of re-trafficking" in page or "re-trafficking" in page

    colleague = make_user(alpha, Role.CASE_WORKER, username="colleague")
    assert arrived.code not in signed_in_client(colleague).get("/due/").content.decode()
    stranger = make_user(beta, Role.SUPERVISOR, username="stranger")
    page = signed_in_client(stranger).get("/due/?scope=organisation").content.decode()
    assert arrived.code not in page

    dashboard = signed_in_client(worker).get("/").content.decode()
    assert "1 return needs attention after monitoring." in dashboard


def test_the_due_page_is_refused_to_roles_without_personal_data(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    for role in (Role.DATA_ANALYST, Role.AUDITOR, Role.TRAINEE, Role.ORG_ADMIN):
        client = signed_in_client(make_user(alpha, role))
        assert client.get("/due/").status_code == 403
    worker = make_user(alpha, Role.CASE_WORKER, username="worker")
    assert signed_in_client(worker).get("/due/?scope=organisation").status_code == 403
