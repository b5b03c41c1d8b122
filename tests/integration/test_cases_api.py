"""`/api/v1/cases`: every endpoint's answer, 422 with paths, 409 on stale versions, 403 and
401. The full role × record × endpoint matrix is in test_cases_access.py."""

import json
from collections.abc import Callable
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
    actions,
    actor_for,
    bearer,
    committed,
    consent_to_interview,
    make_team,
    open_case,
)
from waypoint.accounts.models import Organisation, User
from waypoint.cases import services
from waypoint.cases.models import Case, Consent, Note, StoredScreening, SupportItem
from waypoint.people.models import Person

CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def other_team(beta: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(beta, make_user)


@pytest.fixture
def case(team: Team) -> Case:
    return open_case(team.case_worker, supervisor=team.supervisor)


class Api:
    """A client speaking JSON with one user's bearer token."""

    def __init__(self, client: Client, user: User | None) -> None:
        self.client = client
        self.headers = bearer(user) if user else {}

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, **self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            path, data=json.dumps(body), content_type="application/json", **self.headers
        )

    def post(self, path: str, body: Any) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def upload(self, path: str, name: str, content: bytes, content_type: str) -> Any:
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        return self.client.post(path, {"file": upload}, **self.headers)


@pytest.fixture
def as_user(client: Client) -> Callable[[User | None], Api]:
    return lambda user: Api(client, user)


def problems(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {error["path"]: error["message"] for error in response.json()["errors"]}


# ---- authentication and access ---------------------------------------------------------------


def test_no_token_is_401(as_user: Callable[[User | None], Api], case: Case) -> None:
    anonymous = as_user(None)
    assert anonymous.get(CASES).status_code == 401
    assert anonymous.get(f"{CASES}/{case.pk}").status_code == 401
    assert anonymous.post(f"{CASES}/{case.pk}/notes", {"body": "x"}).status_code == 401
    assert not Note.objects.exists()


def test_other_organisation_is_403_and_audited(
    as_user: Callable[[User | None], Api], case: Case, other_team: Team
) -> None:
    stranger = as_user(other_team.supervisor)
    response = stranger.get(f"{CASES}/{case.pk}")
    assert response.status_code == 403
    assert PERSON["given_names"] not in response.content.decode()
    [denied] = actions("permission.denied")
    assert denied.object_id == str(case.pk)
    assert denied.actor_id == other_team.supervisor.pk
    assert stranger.get(f"{CASES}/999999").status_code == 404


@pytest.mark.parametrize("role", ["org_admin", "data_analyst", "auditor", "trainee"])
def test_roles_without_case_access_get_403(
    as_user: Callable[[User | None], Api], team: Team, case: Case, role: str
) -> None:
    api = as_user(team.by_role(role))
    assert api.get(CASES).status_code == 403
    assert api.get(f"{CASES}/{case.pk}").status_code == 403
    assert api.post(CASES, {"person": PERSON}).status_code == 403


# ---- list, open, view ------------------------------------------------------------------------


def test_list_is_paginated_filtered_and_nameless(
    as_user: Callable[[User | None], Api], team: Team
) -> None:
    for _ in range(3):
        open_case(team.case_worker)
    open_case(team.colleague)
    api = as_user(team.case_worker)
    response = api.get(CASES, page_size=2)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], len(body["items"])) == (3, 1, 2)
    assert set(body["items"][0]) >= {"code", "status", "htcds_status", "owner_name"}
    assert PERSON["family_names"] not in response.content.decode()
    assert api.get(CASES, page=2, page_size=2).json()["items"][0]["status"] == "screening"
    assert as_user(team.supervisor).get(CASES, owner=team.colleague.pk).json()["count"] == 1
    assert api.get(CASES, status="closed").json()["count"] == 0
    assert problems(api.get(CASES, deadline="tomorrow"))
    assert problems(api.get(CASES, page_size=1000))


def test_open_case_and_view_it(as_user: Callable[[User | None], Api], team: Team) -> None:
    api = as_user(team.case_worker)
    response = api.post(
        CASES,
        {"person": PERSON, "supervisor_id": team.supervisor.pk, "opened_on": "2026-10-01"},
    )
    assert response.status_code == 201, response.content
    opened = response.json()
    assert opened["status"] == "screening"
    assert opened["htcds_status"] == "Active"
    assert opened["owner_id"] == team.case_worker.pk
    assert opened["person"]["data"]["given_names"] == "Olena"
    viewed = as_user(team.supervisor).get(f"{CASES}/{opened['id']}")
    assert viewed.status_code == 200
    assert viewed.json()["code"] == opened["code"]
    [view] = actions("case.view")
    assert view.actor_id == team.supervisor.pk


def test_open_case_reports_paths_and_saves_nothing(
    as_user: Callable[[User | None], Api], team: Team, other_team: Team
) -> None:
    api = as_user(team.supervisor)
    found = problems(
        api.post(
            CASES,
            {
                "person": {**PERSON, "birth_date": "1994-02-30", "hair": "brown"},
                "jurisdiction": "DE",
            },
        )
    )
    assert set(found) == {"$.person.birth_date", "$.person.hair", "$.jurisdiction"}
    assert set(problems(api.post(CASES, {"person": PERSON, "owner_id": other_team.case_worker.pk})))
    assert not Person.objects.exists()
    assert not Case.objects.exists()


# ---- details, status, trafficking status ------------------------------------------------------


def test_update_details_with_stale_version_is_409(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}"
    response = worker.patch(path, {"version": 1, "control_methods": ["DebtBondage "]})
    assert response.status_code == 200, response.content
    assert response.json()["details"]["control_methods"] == ["DebtBondage"]
    assert response.json()["version"] == 2
    stale = as_user(team.supervisor).patch(path, {"version": 1, "control_methods": []})
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["version"] == 2
    assert conflict["current"]["control_methods"] == ["DebtBondage"]
    assert Case.objects.get(pk=case.pk).control_methods == ["DebtBondage"]


def test_update_details_422_paths(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}"
    found = problems(
        worker.patch(
            path,
            {
                "version": 1,
                "recruitment_methods": ["AtWork", "Telepathy"],
                "forced_labour_industry": "Z",
            },
        )
    )
    assert set(found) == {"$.recruitment_methods[1]", "$.forced_labour_industry"}
    missing_version = problems(worker.patch(path, {"exploitation_types": []}))
    assert any(path.endswith("version") for path in missing_version)
    assert Case.objects.get(pk=case.pk).version == 1


def test_closure_request_and_decision(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    worker, supervisor = as_user(team.case_worker), as_user(team.supervisor)
    path = f"{CASES}/{case.pk}/status"
    response = worker.post(path, {"to_status": "closed", "reason": "Moved away", "version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is False
    assert response.json()["case"]["pending_status"] == "closed"
    assert worker.post(f"{path}/decision", {"approve": True}).status_code == 403
    assert set(problems(supervisor.post(f"{path}/decision", {"approve": False}))) == {"$.note"}
    decided = supervisor.post(f"{path}/decision", {"approve": True, "note": "Agreed."})
    assert decided.status_code == 200
    assert decided.json()["status"] == "closed"
    assert decided.json()["htcds_status"] == "Closed"
    assert decided.json()["status_changes"][0]["approved_by"] == team.supervisor.username
    assert problems(supervisor.post(f"{path}/decision", {"approve": True})) == {
        "$": "There is no closure request to decide."
    }


def test_status_422_and_409(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/status"
    assert set(problems(worker.post(path, {"to_status": "assisted", "version": 1}))) == {
        "$.to_status"
    }
    assert worker.post(path, {"to_status": "presumed_victim", "version": 1}).status_code == 200
    stale = worker.post(path, {"to_status": "identified", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "presumed_victim"


def test_trafficking_status(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/trafficking-status"
    body = {"status": "PossibleVictimOfTrafficking", "decided_by": "NGO", "version": 1}
    response = worker.post(path, body)
    assert response.status_code == 200
    assert response.json()["details"]["trafficking_status"] == "PossibleVictimOfTrafficking"
    assert worker.post(path, body).status_code == 409
    assert any(
        p.endswith("decided_by") for p in problems(worker.post(path, {**body, "decided_by": "Me"}))
    )


def test_person_correction(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/person"
    response = worker.patch(path, {"version": 1, "person": {**PERSON, "given_names": "Olha"}})
    assert response.status_code == 200, response.content
    assert response.json()["person"]["data"]["given_names"] == "Olha"
    stale = worker.patch(path, {"version": 1, "person": PERSON})
    assert stale.status_code == 409
    assert stale.json()["current"]["given_names"] == "Olha"
    assert set(problems(worker.patch(path, {"version": 2, "person": {"phone": "call me"}}))) == {
        "$.person.phone"
    }


# ---- consent and screenings -------------------------------------------------------------------


def test_consent_gates_screenings(
    as_user: Callable[[User | None], Api], team: Team, other_team: Team, case: Case
) -> None:
    worker = as_user(team.case_worker)
    screenings = f"{CASES}/{case.pk}/screenings"
    refused = problems(worker.post(screenings, SCREENING))
    assert list(refused) == ["$"]
    assert "consent" in refused["$"]
    consent = worker.post(
        f"{CASES}/{case.pk}/consents",
        {
            "scope": "interview",
            "given": True,
            "explained_in_language": "uk",
            "recorded_on": "2026-10-01",
        },
    )
    assert consent.status_code == 201, consent.content
    saved = worker.post(screenings, SCREENING)
    assert saved.status_code == 201, saved.content
    assert saved.json()["result"]["ilo"]["verdict"] == saved.json()["verdict"]
    withdrawn = worker.post(f"{CASES}/{case.pk}/consents/withdraw", {"scope": "interview"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["consent_state"]["interview"]["in_effect"] is False
    assert problems(worker.post(screenings, SCREENING))
    assert StoredScreening.objects.count() == 1
    sharing = {
        "scope": "sharing",
        "given": True,
        "explained_in_language": "uk",
        "recorded_on": "2026-10-01",
    }
    assert set(problems(worker.post(f"{CASES}/{case.pk}/consents", sharing))) == {"$.shared_with"}
    assert set(
        problems(worker.post(f"{CASES}/{case.pk}/consents", {**sharing, "shared_with_id": 999}))
    ) == {"$.shared_with_id"}
    shared = worker.post(
        f"{CASES}/{case.pk}/consents", {**sharing, "shared_with_id": other_team.organisation.pk}
    )
    assert shared.status_code == 201
    assert Consent.objects.filter(case=case, scope="sharing").count() == 1


def test_screening_input_problems_keep_their_paths(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    consent_to_interview(case, team.case_worker)
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/screenings"
    found = problems(
        worker.post(path, {"jurisdiction": "PL", "indicators": {"no_such_indicator": "yes"}})
    )
    assert list(found) == ["$.indicators.no_such_indicator"]
    bad_json = worker.client.post(path, data="{", content_type="application/json", **worker.headers)
    assert list(problems(bad_json)) == ["$"]
    assert problems(worker.post(path + "?language=de", SCREENING))


def test_screenings_list_compare_and_rescreen(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    user = team.case_worker
    consent_to_interview(case, user)
    first = services.save_screening(actor_for(user), user, case, raw_input=SCREENING)
    changed = {**SCREENING, "indicators": {"dr_conditions_of_work": "no"}}
    second = services.save_screening(actor_for(user), user, case, raw_input=changed)
    worker = as_user(user)
    listed = worker.get(f"{CASES}/{case.pk}/screenings")
    assert [item["id"] for item in listed.json()] == [second.pk, first.pk]
    compared = worker.get(f"{CASES}/{case.pk}/screenings/compare", older=first.pk, newer=second.pk)
    assert compared.status_code == 200
    answers = compared.json()["answers"]
    assert answers["indicators.dr_conditions_of_work"] == {"before": "yes", "after": "no"}
    assert answers["indicators.dr_nature_job_location_employer"]["after"] == "unknown"
    assert (
        worker.get(
            f"{CASES}/{case.pk}/screenings/compare", older=first.pk, newer=999999
        ).status_code
        == 404
    )
    again = worker.post(f"{CASES}/{case.pk}/screenings/{first.pk}/rescreen", {})
    assert again.status_code == 201
    assert again.json()["answers"] == first.answers
    assert [event.details["section"] for event in actions("case.view")] == [
        "screenings",
        "screenings",
        "screenings",
    ]


# ---- vulnerability, support plan, notes, documents, deadlines, rights ------------------------


def test_vulnerability(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/vulnerability"
    factor = {"factor_id": "age", "direction": "risk", "severity": "medium"}
    response = worker.post(path, {"factors": [factor]})
    assert response.status_code == 201
    assert response.json()["summary"]["highest_severity"] == "medium"
    assert set(problems(worker.post(path, {"factors": [factor, {**factor}]}))) == {
        "$.factors[1].factor_id"
    }


def test_support_items(
    as_user: Callable[[User | None], Api], team: Team, case: Case, other_team: Team
) -> None:
    worker = as_user(team.case_worker)
    added = worker.post(
        f"{CASES}/{case.pk}/support-items",
        {"kind": "Accommodation", "provider": "Shelter", "due_on": "2026-12-01"},
    )
    assert added.status_code == 201, added.content
    item = added.json()
    assert (item["status"], item["version"]) == ("planned", 1)
    path = f"{CASES}/{case.pk}/support-items/{item['id']}"
    changed = worker.patch(path, {"version": 1, "status": "in_progress"})
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    stale = worker.patch(path, {"version": 1, "status": "done"})
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "in_progress"
    assert problems(worker.patch(path, {"version": 2, "status": "forgotten"}))
    assert set(problems(worker.patch(path, {"version": 2, "starts_on": "2027-01-01"}))) == {
        "$.due_on"
    }
    other_case = open_case(team.case_worker)
    assert (
        worker.patch(
            f"{CASES}/{other_case.pk}/support-items/{item['id']}", {"version": 2}
        ).status_code
        == 404
    )
    stranger = as_user(other_team.case_worker)
    assert stranger.patch(f"{CASES}/{case.pk}/support-items/999", {"version": 1}).status_code == 403
    assert SupportItem.objects.get(pk=item["id"]).status == "in_progress"


def test_notes(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/notes"
    assert worker.post(path, {"body": "First meeting at the shelter."}).status_code == 201
    assert any(p.endswith("body") for p in problems(worker.post(path, {"body": "x" * 20_001})))
    assert set(problems(worker.post(path, {"body": " "}))) == {"$.body"}
    listed = worker.get(path)
    assert [note["body"] for note in listed.json()] == ["First meeting at the shelter."]
    assert actions("case.view")[-1].details == {"section": "notes"}


def test_documents(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/documents"
    with committed():
        uploaded = worker.upload(path, "Zaświadczenie.pdf", PDF_BYTES, "application/pdf")
    assert uploaded.status_code == 201, uploaded.content
    document = uploaded.json()
    assert (document["content_type"], document["size"]) == ("application/pdf", len(PDF_BYTES))
    download = worker.client.get(f"{path}/{document['id']}", **worker.headers)
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert actions("document.download")
    refused = worker.upload(path, "invoice.pdf", b"MZ\x90\x00", "application/pdf")
    assert set(problems(refused)) == {"$.content"}
    assert worker.client.get(f"{path}/999999", **worker.headers).status_code == 404


def test_deadlines_and_due_list(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    services.update_case_details(
        actor_for(team.case_worker),
        team.case_worker,
        case,
        expected_version=1,
        presumption_certificate_issued_on=date(2026, 9, 10),
    )
    worker = as_user(team.case_worker)
    deadlines = worker.get(f"{CASES}/{case.pk}/deadlines", today="2026-11-30")
    assert deadlines.status_code == 200
    [deadline] = deadlines.json()
    assert deadline["kind"] == "presumed_victim_certificate"
    assert deadline["due_on"] == "2026-12-10"
    assert deadline["status"] == "due_soon"
    due = worker.get(f"{CASES}/due", today="2026-11-30")
    assert [item["case_code"] for item in due.json()] == [case.code]
    assert worker.get(f"{CASES}/due", scope="organisation").status_code == 403
    organisation = as_user(team.supervisor).get(
        f"{CASES}/due", scope="organisation", today="2026-11-30"
    )
    assert organisation.json()[0]["deadline"]["status"] == "due_soon"


def test_rights(as_user: Callable[[User | None], Api], team: Team, case: Case) -> None:
    worker = as_user(team.case_worker)
    path = f"{CASES}/{case.pk}/rights"
    given = worker.post(path, {"language": "uk", "given_on": "2026-10-02"})
    assert given.status_code == 201
    assert given.json()["jurisdiction"] == "PL"
    assert any(
        p.endswith("language")
        for p in problems(worker.post(path, {"language": "de", "given_on": "2026-10-02"}))
    )


def test_search_by_name_and_birth_date(
    as_user: Callable[[User | None], Api], team: Team, case: Case
) -> None:
    query = {"given_names": "Olena", "family_names": "Kovalenko", "birth_date": "1994-03-12"}
    found = as_user(team.case_worker).post(f"{CASES}/search", query)
    assert [row["code"] for row in found.json()] == [case.code]
    assert as_user(team.colleague).post(f"{CASES}/search", query).json() == []
    searches = actions("case.search")
    assert [search.details for search in searches] == [{"found": 1}, {"found": 0}]
    assert "Olena" not in json.dumps([search.details for search in searches])
    assert set(problems(as_user(team.case_worker).post(f"{CASES}/search", {"given_names": "x"})))


def test_openapi_documents_the_routes(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/status/decision",
        "/api/v1/cases/{case_id}/documents/{document_id}",
    } <= set(paths)
    assert "409" in paths["/api/v1/cases/{case_id}"]["patch"]["responses"]
