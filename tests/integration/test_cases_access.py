"""The complete access matrix of `/api/v1/cases`: every role × every kind of record × every
endpoint, with the expected answer written out as data.

Records: `own` is a case assigned to the user (the owner; for a supervisor, the case's
supervisor; for roles that cannot hold cases, written as owner directly), `same` a case of a
colleague in the same organisation, `other` a case of another organisation.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from tests.integration.test_cases_support import (
    PDF_BYTES,
    PERSON,
    SCREENING,
    Team,
    actor_for,
    bearer,
    committed,
    consent_to_interview,
    make_team,
    open_case,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.cases import services
from waypoint.cases.models import Case

ROLES = ["case_worker", "supervisor", "org_admin", "data_analyst", "auditor", "trainee"]
RECORDS = ["own", "same", "other"]

# Each cell: own/same/other. `+` is 200 with the record in the answer, `-` 200 without it.
#                    case_worker supervisor  org_admin   analyst     auditor     trainee
MATRIX = {
    "list":          "+/-/-       +/+/-       403/403/403 403/403/403 403/403/403 403/403/403",
    "search":        "+/-/-       +/+/-       403/403/403 403/403/403 403/403/403 403/403/403",
    "open":          "201/201/201 201/201/201 403/403/403 403/403/403 403/403/403 403/403/403",
    "due":           "200/200/200 200/200/200 403/403/403 403/403/403 403/403/403 403/403/403",
    "due_org":       "403/403/403 200/200/200 403/403/403 403/403/403 403/403/403 403/403/403",
    "get":           "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "details":       "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "person":        "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "status":        "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "decide":        "403/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "trafficking":   "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "consent":       "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "withdraw":      "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "screen":        "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "screenings":    "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "compare":       "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "rescreen":      "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "vulnerability": "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "support_add":   "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "support_edit":  "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "note_add":      "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "notes":         "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "upload":        "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "download":      "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "doc_delete":    "204/403/403 204/204/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "deadlines":     "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "rights":        "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "events":        "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "event_add":     "201/403/403 201/201/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "event_edit":    "200/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "event_remove":  "204/403/403 204/204/403 403/403/403 403/403/403 403/403/403 403/403/403",
    "reassign":      "403/403/403 200/200/403 403/403/403 403/403/403 403/403/403 403/403/403",
}  # fmt: skip


def expected(endpoint: str) -> dict[tuple[str, str], str]:
    per_role = MATRIX[endpoint].split()
    return {
        (role, record): answer
        for role, answers in zip(ROLES, per_role, strict=True)
        for record, answer in zip(RECORDS, answers.split("/"), strict=True)
    }


@dataclass
class Record:
    """A case and what the endpoints need of it, prepared by someone who may."""

    case: Case
    preparer: User
    ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    body: Callable[[Record], Any] | None = None
    prepare: Callable[[Record], None] | None = None


def _screenings(record: Record) -> None:
    user = record.preparer
    consent_to_interview(record.case, user)
    first = services.save_screening(actor_for(user), user, record.case, raw_input=SCREENING)
    second = services.save_screening(actor_for(user), user, record.case, raw_input=SCREENING)
    record.ids.update(screening=first.pk, older=first.pk, newer=second.pk)


def _support_item(record: Record) -> None:
    item = services.add_support_item(
        actor_for(record.preparer), record.preparer, record.case, kind="Legal"
    )
    record.ids["item"] = item.pk


def _document(record: Record) -> None:
    with committed():
        document = services.upload_document(
            actor_for(record.preparer),
            record.preparer,
            record.case,
            filename="a.pdf",
            content_type="application/pdf",
            content=PDF_BYTES,
        )
    record.ids["document"] = document.pk


def _pending_closure(record: Record) -> None:
    case = record.case
    Case.objects.filter(pk=case.pk).update(
        pending_status="closed", pending_reason="Moved away", pending_requested_by=case.owner
    )


def _interview_consent(record: Record) -> None:
    consent_to_interview(record.case, record.preparer)


def _version(record: Record) -> int:
    return Case.objects.get(pk=record.case.pk).version


def _event(record: Record) -> None:
    event = services.add_trafficking_event(
        actor_for(record.preparer),
        record.preparer,
        record.case,
        kind="Recruitment",
        country="UA",
        today=date(2026, 10, 1),
    )
    record.ids["event"] = event.pk


def _handover(record: Record) -> dict[str, Any]:
    """Another case worker of the case's organisation as its owner, and its supervisor."""
    case = record.case
    new_owner = User.objects.filter(
        organisation_id=case.organisation_id, role=Role.CASE_WORKER
    ).exclude(pk=case.owner_id)[0]
    return {
        "owner_id": new_owner.pk,
        "supervisor_id": record.preparer.pk,
        "version": _version(record),
    }


SEARCH = {"given_names": "Olena", "family_names": "Kovalenko", "birth_date": "1994-03-12"}
ENDPOINTS: dict[str, Endpoint] = {
    "list": Endpoint("get", "/api/v1/cases?page_size=100"),
    "search": Endpoint("post", "/api/v1/cases/search", lambda record: SEARCH),
    "open": Endpoint("post", "/api/v1/cases", lambda record: {"person": PERSON}),
    "due": Endpoint("get", "/api/v1/cases/due"),
    "due_org": Endpoint("get", "/api/v1/cases/due?scope=organisation"),
    "get": Endpoint("get", "/api/v1/cases/{case}"),
    "details": Endpoint(
        "patch",
        "/api/v1/cases/{case}",
        lambda record: {"version": _version(record), "exploitation_types": ["ForcedLabour"]},
    ),
    "person": Endpoint(
        "patch",
        "/api/v1/cases/{case}/person",
        lambda record: {"version": record.case.person.version, "person": PERSON},
    ),
    "status": Endpoint(
        "post",
        "/api/v1/cases/{case}/status",
        lambda record: {"to_status": "presumed_victim", "version": _version(record)},
    ),
    "decide": Endpoint(
        "post",
        "/api/v1/cases/{case}/status/decision",
        lambda record: {"approve": True},
        _pending_closure,
    ),
    "trafficking": Endpoint(
        "post",
        "/api/v1/cases/{case}/trafficking-status",
        lambda record: {
            "status": "PossibleVictimOfTrafficking",
            "decided_by": "NGO",
            "version": _version(record),
        },
    ),
    "consent": Endpoint(
        "post",
        "/api/v1/cases/{case}/consents",
        lambda record: {
            "scope": "statistics",
            "given": True,
            "explained_in_language": "uk",
            "recorded_on": "2026-10-01",
        },
    ),
    "withdraw": Endpoint(
        "post",
        "/api/v1/cases/{case}/consents/withdraw",
        lambda record: {"scope": "interview"},
        _interview_consent,
    ),
    "screen": Endpoint(
        "post", "/api/v1/cases/{case}/screenings", lambda record: SCREENING, _interview_consent
    ),
    "screenings": Endpoint("get", "/api/v1/cases/{case}/screenings", prepare=_screenings),
    "compare": Endpoint(
        "get",
        "/api/v1/cases/{case}/screenings/compare?older={older}&newer={newer}",
        prepare=_screenings,
    ),
    "rescreen": Endpoint(
        "post",
        "/api/v1/cases/{case}/screenings/{screening}/rescreen",
        lambda record: {},
        _screenings,
    ),
    "vulnerability": Endpoint(
        "post",
        "/api/v1/cases/{case}/vulnerability",
        lambda record: {"factors": [{"factor_id": "age", "direction": "risk", "severity": "low"}]},
    ),
    "support_add": Endpoint(
        "post", "/api/v1/cases/{case}/support-items", lambda record: {"kind": "Health"}
    ),
    "support_edit": Endpoint(
        "patch",
        "/api/v1/cases/{case}/support-items/{item}",
        lambda record: {"version": 1, "status": "done"},
        _support_item,
    ),
    "note_add": Endpoint("post", "/api/v1/cases/{case}/notes", lambda record: {"body": "Hello"}),
    "notes": Endpoint("get", "/api/v1/cases/{case}/notes"),
    "upload": Endpoint("post", "/api/v1/cases/{case}/documents"),
    "download": Endpoint("get", "/api/v1/cases/{case}/documents/{document}", prepare=_document),
    "doc_delete": Endpoint(
        "delete", "/api/v1/cases/{case}/documents/{document}", prepare=_document
    ),
    "deadlines": Endpoint("get", "/api/v1/cases/{case}/deadlines"),
    "rights": Endpoint(
        "post",
        "/api/v1/cases/{case}/rights",
        lambda record: {"language": "uk", "given_on": "2026-10-02"},
    ),
    "events": Endpoint("get", "/api/v1/cases/{case}/events", prepare=_event),
    "event_add": Endpoint(
        "post",
        "/api/v1/cases/{case}/events",
        lambda record: {"kind": "Transit", "country": "PL", "started_on": "2026-09-01"},
    ),
    "event_edit": Endpoint(
        "patch",
        "/api/v1/cases/{case}/events/{event}",
        lambda record: {"version": 1, "city": "Lviv"},
        _event,
    ),
    "event_remove": Endpoint(
        "delete", "/api/v1/cases/{case}/events/{event}?version=1", prepare=_event
    ),
    "reassign": Endpoint("post", "/api/v1/cases/{case}/assignment", _handover),
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.DOCUMENTS_DIR = tmp_path / "documents"


@dataclass
class World:
    alpha: Team
    beta: Team
    tokens: dict[str, dict[str, str]]


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    alpha_team, beta_team = make_team(alpha, make_user), make_team(beta, make_user)
    return World(
        alpha=alpha_team,
        beta=beta_team,
        tokens={role: bearer(alpha_team.by_role(role)) for role in ROLES},
    )


def make_record(world: World, role: str, kind: str) -> Record:
    team = world.alpha
    if kind == "other":
        return Record(open_case(world.beta.case_worker), world.beta.supervisor)
    if kind == "same":
        return Record(open_case(team.colleague), team.supervisor)
    if role == Role.CASE_WORKER:
        return Record(open_case(team.case_worker), team.supervisor)
    if role == Role.SUPERVISOR:
        return Record(open_case(team.colleague, supervisor=team.supervisor), team.supervisor)
    case = open_case(team.colleague)
    Case.objects.filter(pk=case.pk).update(owner=team.by_role(role))
    case.refresh_from_db()
    return Record(case, team.supervisor)


def call(client: Client, endpoint: Endpoint, record: Record, headers: dict[str, str]) -> Any:
    path = endpoint.path.format(case=record.case.pk, **record.ids)
    if endpoint.path.endswith("/documents"):
        upload = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(path, {"file": upload}, **headers)
    if endpoint.body is None:
        return getattr(client, endpoint.method)(path, **headers)
    return getattr(client, endpoint.method)(
        path,
        data=json.dumps(endpoint.body(record)),
        content_type="application/json",
        **headers,
    )


def answer(response: Any, endpoint_name: str, record: Record) -> str:
    if endpoint_name in ("list", "search") and response.status_code == 200:
        body = response.json()
        rows = body["items"] if endpoint_name == "list" else body
        return "+" if record.case.code in {row["code"] for row in rows} else "-"
    return str(response.status_code)


def test_the_matrix_covers_every_endpoint() -> None:
    assert set(MATRIX) == set(ENDPOINTS)


@pytest.mark.parametrize("endpoint_name", list(ENDPOINTS))
def test_access_matrix(client: Client, world: World, endpoint_name: str) -> None:
    endpoint = ENDPOINTS[endpoint_name]
    found: dict[tuple[str, str], str] = {}
    for role in ROLES:
        for kind in RECORDS:
            record = make_record(world, role, kind)
            if endpoint.prepare:
                endpoint.prepare(record)
            denials_before = AuditEvent.objects.filter(action="permission.denied").count()
            response = call(client, endpoint, record, world.tokens[role])
            found[(role, kind)] = answer(response, endpoint_name, record)
            # Every refusal is written to the audit trail, once.
            denials = AuditEvent.objects.filter(action="permission.denied").count()
            assert denials - denials_before == (response.status_code == 403), (role, kind)
    assert found == expected(endpoint_name)


@pytest.mark.parametrize("endpoint_name", list(ENDPOINTS))
def test_every_endpoint_needs_a_token(client: Client, world: World, endpoint_name: str) -> None:
    endpoint = ENDPOINTS[endpoint_name]
    record = make_record(world, Role.CASE_WORKER, "own")
    if endpoint.prepare:
        endpoint.prepare(record)
    assert call(client, endpoint, record, {}).status_code == 401
