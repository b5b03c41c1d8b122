"""The access policy: the full role × permission matrix, and the conditions around it."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from pytest_django import Settings

from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import (
    ROLE_PERMISSIONS,
    AccessDenied,
    Permission,
    authorize,
    can,
    permissions_of,
    record_denial,
    requires_two_factor,
)
from waypoint.audit.models import AuditEvent, Outcome
from waypoint.audit.services import Actor
from waypoint.audit.services import record as audit_record

P = Permission

# Written out by hand on purpose: a change to ROLE_PERMISSIONS must be a change here too.
EXPECTED: dict[str, set[Permission]] = {
    Role.CASE_WORKER: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
        P.VIEW_PERSONAL_DATA,
        P.MANAGE_CASES,
    },
    Role.SUPERVISOR: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
        P.VIEW_PERSONAL_DATA,
        P.MANAGE_CASES,
        P.APPROVE_CASE_DECISIONS,
        P.ASSIGN_CASES,
        P.VIEW_AGGREGATES,
    },
    Role.ORG_ADMIN: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
        P.MANAGE_USERS,
        P.VIEW_AGGREGATES,
    },
    Role.DATA_ANALYST: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
        P.VIEW_AGGREGATES,
    },
    Role.AUDITOR: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
        P.VIEW_AUDIT_TRAIL,
    },
    Role.TRAINEE: {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.MANAGE_OWN_TOKENS,
        P.USE_TRAINING,
    },
}

MATRIX = [(role, permission) for role in Role for permission in Permission]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def verified(user: User) -> User:
    """What django_otp's middleware does once the second factor is passed."""
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


def unverified(user: User) -> User:
    user.is_verified = lambda: False  # type: ignore[method-assign]
    return user


def test_every_role_is_in_the_matrix() -> None:
    assert set(EXPECTED) == {role.value for role in Role}
    assert set(ROLE_PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize(("role", "permission"), MATRIX, ids=[f"{r}-{p}" for r, p in MATRIX])
def test_role_permission_matrix(
    alpha: Organisation,
    make_user: Callable[..., User],
    role: Role,
    permission: Permission,
) -> None:
    expected = permission in EXPECTED[role]
    assert (permission in permissions_of(role)) is expected
    user = verified(make_user(alpha, role))
    assert can(user, permission) is expected
    assert can(user, permission, alpha) is expected


def test_key_rules_of_the_matrix() -> None:
    assert P.VIEW_PERSONAL_DATA not in permissions_of(Role.DATA_ANALYST)
    assert P.VIEW_PERSONAL_DATA not in permissions_of(Role.AUDITOR)
    assert P.VIEW_PERSONAL_DATA not in permissions_of(Role.ORG_ADMIN)
    assert permissions_of(Role.TRAINEE) == {
        P.SCREEN_ANONYMOUSLY,
        P.VIEW_ORGANISATION,
        P.USE_TRAINING,
        P.MANAGE_OWN_TOKENS,
    }
    assert [role for role in Role if P.VIEW_AUDIT_TRAIL in permissions_of(role)] == [Role.AUDITOR]
    assert [role for role in Role if P.MANAGE_USERS in permissions_of(role)] == [Role.ORG_ADMIN]
    assert permissions_of("superuser") == frozenset()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.SUPERVISOR, Role.ORG_ADMIN, Role.AUDITOR])
def test_unverified_user_of_a_two_factor_role_can_do_nothing(
    alpha: Organisation, make_user: Callable[..., User], role: Role
) -> None:
    assert requires_two_factor(role)
    user = make_user(alpha, role)
    for probe in (user, unverified(make_user(alpha, role, username=f"{role}-x"))):
        assert not any(can(probe, permission) for permission in Permission)


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.DATA_ANALYST])
def test_unverified_user_of_other_roles_keeps_their_permissions(
    alpha: Organisation, make_user: Callable[..., User], role: Role
) -> None:
    user = unverified(make_user(alpha, role))
    assert {permission for permission in Permission if can(user, permission)} == EXPECTED[role]


def test_token_counts_as_second_factor_only_if_its_session_passed_one(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.AUDITOR)
    assert not can(user, P.VIEW_AUDIT_TRAIL)
    user.authenticated_by_token = True  # type: ignore[attr-defined]
    user.token_second_factor_passed = False  # type: ignore[attr-defined]
    assert not can(user, P.VIEW_AUDIT_TRAIL)
    user.token_second_factor_passed = True  # type: ignore[attr-defined]
    assert can(user, P.VIEW_AUDIT_TRAIL)


def test_inactive_user_can_do_nothing(alpha: Organisation, make_user: Callable[..., User]) -> None:
    user = verified(make_user(alpha, Role.SUPERVISOR))
    user.is_active = False
    assert not any(can(user, permission) for permission in Permission)


def test_anonymous_and_missing_users_can_do_nothing() -> None:
    for nobody in (None, AnonymousUser()):
        assert not any(can(nobody, permission) for permission in Permission)


def test_records_of_another_organisation_are_refused(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    user = verified(make_user(alpha, Role.SUPERVISOR))
    own_record = SimpleNamespace(organisation_id=alpha.pk)
    beta_record = SimpleNamespace(organisation_id=beta.pk)
    orphan = SimpleNamespace(organisation_id=None)
    for permission in EXPECTED[Role.SUPERVISOR]:
        assert can(user, permission, own_record)
        assert not can(user, permission, beta_record)
        assert not can(user, permission, orphan)
    assert can(user, P.VIEW_ORGANISATION, alpha)
    assert not can(user, P.VIEW_ORGANISATION, beta)
    beta_user = make_user(beta, Role.TRAINEE)
    assert not can(user, P.VIEW_PERSONAL_DATA, beta_user)


def test_authorize_refuses_and_the_denial_is_recorded(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    user = verified(make_user(alpha, Role.CASE_WORKER))
    actor = Actor(
        user_id=user.pk, username=user.username, organisation_id=alpha.pk, ip_address="192.0.2.7"
    )
    with pytest.raises(AccessDenied) as refused:
        authorize(
            actor, user, P.VIEW_ORGANISATION, beta, object_type="organisation", object_id=beta.pk
        )
    assert not AuditEvent.objects.exists()
    record_denial(refused.value)
    [denied] = AuditEvent.objects.filter(action="permission.denied")
    assert denied.outcome == Outcome.DENIED
    assert denied.actor_id == user.pk
    assert denied.organisation_id == alpha.pk
    assert denied.object_type == "organisation"
    assert denied.object_id == str(beta.pk)
    assert denied.details == {"permission": "view_organisation"}
    assert denied.ip_address == "192.0.2.7"

    with pytest.raises(PermissionDenied):
        authorize(actor, user, P.MANAGE_USERS)


def test_a_refused_request_is_recorded_once(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User], signed_in: Any
) -> None:
    admin = make_user(alpha, Role.ORG_ADMIN)
    stranger = make_user(beta, Role.CASE_WORKER)
    client = signed_in(admin)
    response = client.post(f"/account/users/{stranger.pk}/reset-two-factor/")
    assert response.status_code == 403
    [denied] = AuditEvent.objects.filter(action="permission.denied")
    assert denied.actor_id == admin.pk
    assert denied.object_id == str(stranger.pk)


def test_a_denial_survives_the_rollback_of_the_service_that_raised_it(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    user = verified(make_user(alpha, Role.CASE_WORKER))
    actor = Actor(user_id=user.pk, username=user.username, organisation_id=alpha.pk)

    @transaction.atomic
    def service() -> None:
        audit_record(actor, "something.before.the.check")
        authorize(actor, user, P.VIEW_ORGANISATION, beta)

    with pytest.raises(AccessDenied) as refused:
        service()
    record_denial(refused.value)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["permission.denied"]


def test_authorize_allows_silently(alpha: Organisation, make_user: Callable[..., User]) -> None:
    user = verified(make_user(alpha, Role.CASE_WORKER))
    authorize(Actor(user_id=user.pk), user, P.VIEW_PERSONAL_DATA, alpha)
    assert not AuditEvent.objects.exists()


def test_case_workers_see_only_records_assigned_to_them(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    supervisor = verified(make_user(alpha, Role.SUPERVISOR))
    colleague = make_user(alpha, Role.CASE_WORKER, username="colleague")
    owned = SimpleNamespace(organisation_id=alpha.pk, owner_id=worker.pk, supervisor_id=None)
    supervised = SimpleNamespace(
        organisation_id=alpha.pk, owner_id=colleague.pk, supervisor_id=worker.pk
    )
    someone_elses = SimpleNamespace(
        organisation_id=alpha.pk, owner_id=colleague.pk, supervisor_id=None
    )
    foreign = SimpleNamespace(organisation_id=beta.pk, owner_id=worker.pk, supervisor_id=None)
    assert can(worker, P.VIEW_PERSONAL_DATA, owned)
    assert can(worker, P.VIEW_PERSONAL_DATA, supervised)
    assert not can(worker, P.VIEW_PERSONAL_DATA, someone_elses)
    assert not can(worker, P.VIEW_PERSONAL_DATA, foreign)
    assert can(supervisor, P.VIEW_PERSONAL_DATA, someone_elses)
    assert not can(supervisor, P.VIEW_PERSONAL_DATA, foreign)
