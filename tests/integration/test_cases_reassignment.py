"""Handing a case to another owner or supervisor: supervisors only, to members of the same
organisation whose role may hold the case; kept in the case's history and the audit trail, with
the case's version as the lock. The service, the history tab's form and
`POST /api/v1/cases/{id}/assignment`."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.integration.test_cases_support import actions, actor_for, bearer
from tests.integration.test_cases_views_support import (
    RECORDS,
    ROLES,
    World,
    assert_accessible,
    form_data,
    make_world,
    messages_in,
    sign_in,
    text,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import AccessDenied, Permission
from waypoint.audit.models import AuditEvent
from waypoint.cases import selectors, services
from waypoint.cases.models import AssignmentChange, Case


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def version(case: Case) -> int:
    return Case.objects.get(pk=case.pk).version


def reassign(
    case: Case, by: User, owner: User, supervisor: User | None, expected: int | None = None
) -> Case:
    return services.reassign_case(
        actor_for(by),
        by,
        case,
        owner_id=owner.pk,
        supervisor_id=supervisor.pk if supervisor else None,
        expected_version=version(case) if expected is None else expected,
    )


def visible_to(user: User) -> set[int]:
    return set(selectors.visible_cases(user).values_list("pk", flat=True))


# ---- the service ----------------------------------------------------------------------------


def test_a_supervisor_hands_a_case_to_another_case_worker(world: World) -> None:
    team = world.alpha
    case = world.own
    assert case.pk in visible_to(team.case_worker)
    updated = reassign(case, team.supervisor, team.colleague, team.supervisor)
    assert (updated.owner_id, updated.supervisor_id, updated.version) == (
        team.colleague.pk,
        team.supervisor.pk,
        2,
    )
    # A case worker sees only the cases assigned to them: the previous owner loses it.
    assert case.pk not in visible_to(team.case_worker)
    assert case.pk in visible_to(team.colleague)
    [change] = AssignmentChange.objects.all()
    assert (change.from_owner, change.to_owner, change.changed_by) == (
        team.case_worker,
        team.colleague,
        team.supervisor,
    )
    assert change.from_supervisor == change.to_supervisor == team.supervisor
    [event] = actions("case.reassign")
    assert event.object_id == str(case.pk)
    assert event.actor_id == team.supervisor.pk
    assert event.details == {
        "from_owner_id": team.case_worker.pk,
        "to_owner_id": team.colleague.pk,
        "from_supervisor_id": team.supervisor.pk,
        "to_supervisor_id": team.supervisor.pk,
    }


def test_the_supervisor_is_changed_or_removed(
    world: World, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    team = world.alpha
    second = make_user(alpha, Role.SUPERVISOR, "second-supervisor")
    reassign(world.own, team.supervisor, team.case_worker, second)
    assert Case.objects.get(pk=world.own.pk).supervisor == second
    reassign(world.own, team.supervisor, team.case_worker, None)
    assert Case.objects.get(pk=world.own.pk).supervisor is None
    assert AssignmentChange.objects.count() == 2
    # A supervisor may own a case too, as when opening one.
    reassign(world.own, team.supervisor, team.supervisor, None)
    assert Case.objects.get(pk=world.own.pk).owner == team.supervisor


@pytest.mark.parametrize("role", ["case_worker", "org_admin", "data_analyst", "auditor", "trainee"])
def test_only_supervisors_reassign(world: World, role: str) -> None:
    user = world.alpha.by_role(role)
    with pytest.raises(AccessDenied) as refused:
        reassign(world.own, user, world.alpha.colleague, None)
    assert refused.value.permission == Permission.ASSIGN_CASES
    assert Case.objects.get(pk=world.own.pk).owner == world.alpha.case_worker
    assert not AssignmentChange.objects.exists()


def test_a_supervisor_of_another_organisation_is_refused(world: World) -> None:
    with pytest.raises(AccessDenied):
        reassign(world.own, world.beta.supervisor, world.beta.case_worker, None)
    assert Case.objects.get(pk=world.own.pk).owner == world.alpha.case_worker


def test_the_case_goes_only_to_members_who_may_hold_it(
    world: World, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    team = world.alpha
    supervisor = team.supervisor
    gone = make_user(alpha, Role.CASE_WORKER, "gone")
    gone.is_active = False
    gone.save()
    refusals: list[tuple[User | int, User | int | None, set[str]]] = [
        (world.beta.case_worker, None, {"owner_id"}),
        (team.colleague, world.beta.supervisor, {"supervisor_id"}),
        (team.trainee, None, {"owner_id"}),
        (team.data_analyst, team.auditor, {"owner_id", "supervisor_id"}),
        (team.colleague, team.case_worker, {"supervisor_id"}),
        (gone, None, {"owner_id"}),
        (999_999, 999_998, {"owner_id", "supervisor_id"}),
    ]
    for owner, chosen_supervisor, paths in refusals:
        with pytest.raises(services.CaseInputError) as refused:
            services.reassign_case(
                actor_for(supervisor),
                supervisor,
                world.own,
                owner_id=owner if isinstance(owner, int) else owner.pk,
                supervisor_id=chosen_supervisor
                if isinstance(chosen_supervisor, int) or chosen_supervisor is None
                else chosen_supervisor.pk,
                expected_version=1,
            )
        assert set(refused.value.errors) == paths, owner
    case = Case.objects.get(pk=world.own.pk)
    assert (case.owner, case.supervisor, case.version) == (team.case_worker, supervisor, 1)
    assert not AssignmentChange.objects.exists()
    assert not actions("case.reassign")


def test_handing_a_case_to_who_holds_it_already_is_refused(world: World) -> None:
    team = world.alpha
    with pytest.raises(services.CaseRuleError) as refused:
        reassign(world.own, team.supervisor, team.case_worker, team.supervisor)
    assert list(refused.value.errors) == ["owner_id"]
    assert version(world.own) == 1


def test_a_reassignment_on_an_old_version_is_refused(world: World) -> None:
    team = world.alpha
    services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        world.own,
        expected_version=1,
        age_when_trafficked=19,
    )
    with pytest.raises(services.StaleVersionError) as stale:
        reassign(world.own, team.supervisor, team.colleague, None, expected=1)
    assert stale.value.version == 2
    assert Case.objects.get(pk=world.own.pk).owner == team.case_worker
    assert not AssignmentChange.objects.exists()


# ---- the history tab ------------------------------------------------------------------------


def history_url(case: Case) -> str:
    return f"/cases/{case.pk}/history/"


def assignment_url(case: Case) -> str:
    return f"/cases/{case.pk}/history/assignment/"


def test_the_history_offers_the_handing_over_to_supervisors_only(world: World) -> None:
    supervisor_page = sign_in(world.alpha.supervisor).get(history_url(world.own))
    assert_accessible(supervisor_page.content.decode())
    page = text(supervisor_page.content)
    assert "Who holds the case" in page
    assert assignment_url(world.own) in page
    # Every case worker and supervisor of the organisation, and nobody else.
    form = supervisor_page.content.decode()
    for member in (world.alpha.case_worker, world.alpha.colleague, world.alpha.supervisor):
        assert f'value="{member.pk}"' in form
    for outsider in (world.alpha.trainee, world.alpha.data_analyst, world.beta.case_worker):
        assert f'<option value="{outsider.pk}"' not in form
    worker_page = text(sign_in(world.alpha.case_worker).get(history_url(world.own)).content)
    assert "Who holds the case" in worker_page
    assert assignment_url(world.own) not in worker_page


def test_a_supervisor_hands_the_case_over_from_the_history(world: World) -> None:
    team = world.alpha
    client = sign_in(team.supervisor)
    url = assignment_url(world.own)
    mine = form_data(client.get(history_url(world.own)).content.decode(), url)
    assert mine["assignment-owner"] == [str(team.case_worker.pk)]
    assert mine["assignment-supervisor"] == [str(team.supervisor.pk)]
    assert mine["assignment-version"] == ["1"]
    mine["assignment-owner"] = [str(team.colleague.pk)]
    mine["assignment-supervisor"] = [""]
    response = client.post(url, mine, follow=True)
    assert response.redirect_chain[-1][0] == history_url(world.own)
    page = text(response.content)
    assert "The case was handed over." in messages_in(page)
    assert f"{team.case_worker.username} → {team.colleague.username}" in page
    case = Case.objects.get(pk=world.own.pk)
    assert (case.owner, case.supervisor) == (team.colleague, None)
    assert len(actions("case.reassign")) == 1
    # The previous owner no longer sees the case.
    assert sign_in(team.case_worker).get(history_url(world.own)).status_code == 403


def test_a_wrong_handing_over_is_explained_and_nothing_is_saved(world: World) -> None:
    team = world.alpha
    client = sign_in(team.supervisor)
    url = assignment_url(world.own)
    base = {"assignment-version": "1", "assignment-supervisor": ""}
    for owner, message in (
        (world.beta.case_worker.pk, "Select a valid choice."),
        (team.trainee.pk, "Select a valid choice."),
        ("x", "Select a valid choice."),
    ):
        response = client.post(url, base | {"assignment-owner": str(owner)})
        assert response.status_code == 400
        assert message in text(response.content)
        assert_accessible(response.content.decode())
    same = base | {
        "assignment-owner": str(team.case_worker.pk),
        "assignment-supervisor": str(team.supervisor.pk),
    }
    response = client.post(url, same)
    assert response.status_code == 400
    assert "The case is held by them already." in text(response.content)
    assert client.post(url, {"assignment-owner": str(team.colleague.pk)}).status_code == 400
    assert Case.objects.get(pk=world.own.pk).version == 1
    assert not AssignmentChange.objects.exists()


def test_a_handing_over_on_an_old_version_is_409(world: World) -> None:
    team = world.alpha
    client = sign_in(team.supervisor)
    url = assignment_url(world.own)
    mine = form_data(client.get(history_url(world.own)).content.decode(), url)
    services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        world.own,
        expected_version=1,
        age_when_trafficked=19,
    )
    mine["assignment-owner"] = [str(team.colleague.pk)]
    response = client.post(url, mine)
    assert response.status_code == 409
    assert "Someone else changed this case while you were editing" in text(response.content)
    assert form_data(response.content.decode(), url)["assignment-version"] == ["2"]
    assert Case.objects.get(pk=world.own.pk).owner == team.case_worker


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_organisations_supervisors_hand_cases_over(
    world: World, role: str, record: str
) -> None:
    case = world.case(record)
    team = world.beta if record == "other" else world.alpha
    target = team.colleague if case.owner_id == team.case_worker.pk else team.case_worker
    client = sign_in(world.alpha.by_role(role))
    allowed = role == "supervisor" and record != "other"
    data = {"assignment-owner": str(target.pk), "assignment-version": "1"}
    assert client.post(assignment_url(case), data).status_code == (302 if allowed else 403)
    # Wrong input does not turn a refusal into a form error.
    assert client.post(assignment_url(case), {}).status_code == (400 if allowed else 403)
    assert Case.objects.get(pk=case.pk).owner == (target if allowed else case.owner)
    denied = AuditEvent.objects.filter(action="permission.denied", object_id=str(case.pk))
    assert denied.count() == (0 if allowed else 2)


def test_only_posts_are_accepted(world: World) -> None:
    assert sign_in(world.alpha.supervisor).get(assignment_url(world.own)).status_code == 405


# ---- the API --------------------------------------------------------------------------------


def post(user: User, case: Case, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/cases/{case.pk}/assignment",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(user),
    )


def problems(response: Any) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["path"] for error in response.json()["errors"]}


def test_a_case_is_handed_over_through_the_api(world: World) -> None:
    team = world.alpha
    body = {"owner_id": team.colleague.pk, "supervisor_id": None, "version": 1}
    response = post(team.supervisor, world.own, body)
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["owner_id"], case["supervisor_id"], case["version"]) == (
        team.colleague.pk,
        None,
        2,
    )
    stale = post(team.supervisor, world.own, body | {"owner_id": team.case_worker.pk})
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    assert Case.objects.get(pk=world.own.pk).owner == team.colleague


def test_wrong_assignments_get_422_with_each_path(world: World) -> None:
    team = world.alpha
    supervisor = team.supervisor
    assert problems(
        post(supervisor, world.own, {"owner_id": world.beta.case_worker.pk, "version": 1})
    ) == {"$.supervisor_id"}
    assert problems(
        post(
            supervisor,
            world.own,
            {"owner_id": world.beta.case_worker.pk, "supervisor_id": team.trainee.pk, "version": 1},
        )
    ) == {"$.owner_id", "$.supervisor_id"}
    assert problems(
        post(
            supervisor,
            world.own,
            {"owner_id": team.case_worker.pk, "supervisor_id": supervisor.pk, "version": 1},
        )
    ) == {"$.owner_id"}
    assert problems(post(supervisor, world.own, {"owner_id": "me", "supervisor_id": None})) == {
        "$.owner_id",
        "$.version",
    }
    assert Case.objects.get(pk=world.own.pk).version == 1


def test_case_workers_cannot_reassign_even_their_own_cases_through_the_api(world: World) -> None:
    team = world.alpha
    body = {"owner_id": team.colleague.pk, "supervisor_id": None, "version": 1}
    assert post(team.case_worker, world.own, body).status_code == 403
    assert post(world.beta.supervisor, world.own, body).status_code == 403
    assert Case.objects.get(pk=world.own.pk).owner == team.case_worker
