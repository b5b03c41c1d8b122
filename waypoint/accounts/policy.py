"""The one place that answers "may this user do this, to this record?".

Views, API handlers and services ask here; nothing else decides access. A record belongs to
an organisation (it has `organisation_id`); users see their own organisation's records only.
A record with an owner (a case: `owner_id`, `supervisor_id`) is seen by a case worker only when
assigned to them; supervisors see all of their organisation's.
"""

from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from waypoint.accounts.models import Role
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome


class Permission(StrEnum):
    SCREEN_ANONYMOUSLY = "screen_anonymously"
    VIEW_ORGANISATION = "view_organisation"
    VIEW_PERSONAL_DATA = "view_personal_data"
    MANAGE_CASES = "manage_cases"
    APPROVE_CASE_DECISIONS = "approve_case_decisions"
    ASSIGN_CASES = "assign_cases"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_TRAIL = "view_audit_trail"
    VIEW_AGGREGATES = "view_aggregates"
    USE_TRAINING = "use_training"
    MANAGE_OWN_TOKENS = "manage_own_tokens"


_EVERYONE = {
    Permission.SCREEN_ANONYMOUSLY,
    Permission.VIEW_ORGANISATION,
    Permission.MANAGE_OWN_TOKENS,
    Permission.USE_TRAINING,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CASE_WORKER: frozenset(
        _EVERYONE | {Permission.VIEW_PERSONAL_DATA, Permission.MANAGE_CASES}
    ),
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | {
            Permission.VIEW_PERSONAL_DATA,
            Permission.MANAGE_CASES,
            Permission.APPROVE_CASE_DECISIONS,
            Permission.ASSIGN_CASES,
            Permission.VIEW_AGGREGATES,
        }
    ),
    Role.ORG_ADMIN: frozenset(_EVERYONE | {Permission.MANAGE_USERS, Permission.VIEW_AGGREGATES}),
    Role.DATA_ANALYST: frozenset(_EVERYONE | {Permission.VIEW_AGGREGATES}),
    Role.AUDITOR: frozenset(_EVERYONE | {Permission.VIEW_AUDIT_TRAIL}),
    Role.TRAINEE: frozenset(_EVERYONE),
}

# Whoever can see people (victims, or the staff and access records in the audit trail and
# user lists) must prove a second factor.
_SENSITIVE = {Permission.VIEW_PERSONAL_DATA, Permission.MANAGE_USERS, Permission.VIEW_AUDIT_TRAIL}


class OrganisationOwned(Protocol):
    @property
    def organisation_id(self) -> Any: ...


def permissions_of(role: str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def requires_two_factor(role: str) -> bool:
    return bool(permissions_of(role) & _SENSITIVE)


def second_factor_passed(user: Any) -> bool:
    # A token stands in for the second factor only if its creating session had passed one.
    if getattr(user, "authenticated_by_token", False):
        return bool(getattr(user, "token_second_factor_passed", False))
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


# Roles that see only the case records assigned to them (as owner or supervisor); the others
# with access see every case record of their organisation.
OWN_RECORDS_ONLY: frozenset[str] = frozenset({Role.CASE_WORKER})


def is_assigned(user: Any, record: object) -> bool:
    return user.pk in (getattr(record, "owner_id", None), getattr(record, "supervisor_id", None))


def can(user: Any, permission: Permission, record: OrganisationOwned | None = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if permission not in permissions_of(user.role):
        return False
    if requires_two_factor(user.role) and not second_factor_passed(user):
        return False
    if record is None:
        return True
    if record.organisation_id != user.organisation_id:
        return False
    if user.role in OWN_RECORDS_ONLY and hasattr(record, "owner_id"):
        return is_assigned(user, record)
    return True


class AccessDenied(PermissionDenied):
    """A refusal that still has to be written to the audit trail.

    `authorize` usually runs inside a service's transaction, which the refusal rolls back; so
    the interface layer's 403 handlers write it (`record_denial`) once the rollback is done.
    """

    def __init__(
        self, actor: audit.Actor, permission: Permission, object_type: str, object_id: object
    ) -> None:
        super().__init__(_("You do not have permission to do this."))
        self.actor = actor
        self.permission = permission
        self.object_type = object_type
        self.object_id = object_id


def record_denial(denial: AccessDenied) -> None:
    audit.record(
        denial.actor,
        "permission.denied",
        outcome=Outcome.DENIED,
        object_type=denial.object_type,
        object_id=denial.object_id,
        details={"permission": str(denial.permission)},
    )


def authorize(
    actor: audit.Actor,
    user: Any,
    permission: Permission,
    record: OrganisationOwned | None = None,
    *,
    object_type: str = "",
    object_id: object = "",
) -> None:
    """Raise AccessDenied unless allowed; the 403 handlers write it to the audit trail."""
    if not can(user, permission, record):
        raise AccessDenied(actor, permission, object_type, object_id)
