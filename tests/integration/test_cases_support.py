"""Helpers shared by the case tests (no tests here): a team of every role, cases, tokens.

Service calls need a user who passed the second factor: these users carry a confirmed
authenticator as their `otp_device`, as django-otp's middleware sets it after the code.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.test import TestCase

from tests.conftest import add_authenticator
from waypoint.accounts import services as account_services
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.audit.services import Actor
from waypoint.cases import services
from waypoint.cases.models import Case, Consent

OPENED_ON = date(2026, 10, 1)
PERSON = {
    "given_names": "Olena",
    "family_names": "Kovalenko",
    "birth_date": "1994-03-12",
    "gender": "Feminine",
    "nationality": "UA",
    "languages": ["uk"],
}
# A screening where the ILO indicators show deceptive recruitment and coercion.
SCREENING = {
    "jurisdiction": "PL",
    "person": {"age_at_recruitment": 29},
    "exploitation": ["labour"],
    "indicators": {
        "dr_nature_job_location_employer": "yes",
        "dr_conditions_of_work": "yes",
    },
    "act": ["recruitment"],
}


def verified(user: User) -> User:
    device = add_authenticator(user)
    user.otp_device = device  # type: ignore[attr-defined]
    user.is_verified = lambda: user.otp_device is not None  # type: ignore[attr-defined]
    return user


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.pk, username=user.username, organisation_id=user.organisation_id)


@dataclass
class Team:
    organisation: Organisation
    case_worker: User
    colleague: User
    """A second case worker: the owner of "someone else's" cases."""
    supervisor: User
    org_admin: User
    data_analyst: User
    auditor: User
    trainee: User

    def by_role(self, role: str) -> User:
        return {
            Role.CASE_WORKER: self.case_worker,
            Role.SUPERVISOR: self.supervisor,
            Role.ORG_ADMIN: self.org_admin,
            Role.DATA_ANALYST: self.data_analyst,
            Role.AUDITOR: self.auditor,
            Role.TRAINEE: self.trainee,
        }[role]


def make_team(organisation: Organisation, make_user: Callable[..., User]) -> Team:
    def member(role: str, name: str) -> User:
        return verified(make_user(organisation, role, f"{name}-{organisation.pk}"))

    return Team(
        organisation=organisation,
        case_worker=member(Role.CASE_WORKER, "worker"),
        colleague=member(Role.CASE_WORKER, "colleague"),
        supervisor=member(Role.SUPERVISOR, "supervisor"),
        org_admin=member(Role.ORG_ADMIN, "admin"),
        data_analyst=member(Role.DATA_ANALYST, "analyst"),
        auditor=member(Role.AUDITOR, "auditor"),
        trainee=member(Role.TRAINEE, "trainee"),
    )


def open_case(
    owner: User,
    *,
    supervisor: User | None = None,
    person: dict[str, Any] | None = None,
    jurisdiction: str = "PL",
) -> Case:
    return services.open_case(
        actor_for(owner),
        owner,
        person_data=person or PERSON,
        owner=owner,
        supervisor=supervisor,
        jurisdiction=jurisdiction,
        opened_on=OPENED_ON,
    )


def consent_to_interview(case: Case, user: User, *, given: bool = True) -> Consent:
    return services.record_consent(
        actor_for(user),
        user,
        case,
        scope=Consent.Scope.INTERVIEW,
        given=given,
        explained_in_language="uk",
        recorded_on=OPENED_ON,
    )


def committed() -> AbstractContextManager[Any]:
    """What the block leaves for after the commit (a document's file is written then, deleted
    then) happens at its end, as when a real transaction commits: the tests' own never does."""
    return TestCase.captureOnCommitCallbacks(execute=True)


class RolledBack(Exception):
    """Raised by `rolled_back` to undo its transaction."""


def rolled_back(work: Callable[[], object]) -> None:
    """Do the work in a transaction (a savepoint inside another) that then rolls back, as when
    a later step of the same transaction fails; raises RolledBack."""
    with transaction.atomic():
        work()
        raise RolledBack


def bearer(user: User) -> dict[str, str]:
    """A token issued from a session that passed the second factor."""
    verified(user)
    issued = account_services.issue_api_token(actor_for(user), user, name="tests", days=5)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
