"""`/api/v1/returns`: the whole return over JSON, a clear 422 for wrong input with nothing
half-saved, and every endpoint refused to whoever may not use it."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.integration.test_returns_support import (
    ALL_GOOD_ANSWERS,
    WORSE_ANSWERS,
    days_ago,
    events,
    make_case,
    start,
    verified,
    walk_to,
)
from waypoint.accounts import services as account_services
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.services import Actor
from waypoint.returns.models import CounsellingSession, MonitoringVisit, Return

BASE = "/api/v1/returns"


class Api:
    """A client speaking JSON with one user's personal API token."""

    def __init__(self, user: User) -> None:
        verified(user)
        self.secret = account_services.issue_api_token(
            Actor(user_id=user.pk), user, name="tests", days=5
        ).secret
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(BASE + path, **self._headers())

    def send(self, method: str, path: str, body: object | None = None) -> Any:
        call = getattr(self.client, method)
        return call(
            BASE + path, json.dumps(body or {}), content_type="application/json", **self._headers()
        )


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return make_user(alpha, Role.CASE_WORKER)


@pytest.fixture
def supervisor(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return make_user(alpha, Role.SUPERVISOR)


def test_a_return_from_counselling_to_a_flagged_monitoring_visit_over_the_api(
    worker: User, supervisor: User
) -> None:
    case = make_case(worker, supervisor)
    api, boss = Api(worker), Api(supervisor)
    created = api.send("post", "", {"case_id": case.pk, "programme_id": "pl_safe_return_victims",
                                    "country_of_return": "UA", "language": "uk"})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    path = f"/{body['id']}"
    assert (body["stage"], body["allowed_moves"]) == ("counselling", ["application", "withdrawn",
                                                                     "cancelled"])  # fmt: skip

    def ok(response: Any, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.content
        return dict(response.json())

    ok(api.send("post", path + "/counselling-sessions", {
        "held_on": days_ago(9).isoformat(), "language": "uk", "interpreter_used": True,
        "topics": ["options_to_stay", "legal_status", "risks_on_return", "assistance_available"],
        "notes": "She asked about her residence permit.",
    }), 201)  # fmt: skip
    body = ok(api.send("post", path + "/stage", {"to_stage": "application",
                                                 "expected_stage": "counselling"}))  # fmt: skip
    assert body["counselling"]["informed"] is True
    body = ok(api.send("post", path + "/declarations", {"language": "uk"}), 201)
    [declaration] = body["declarations"]
    ok(api.send("post", f"{path}/declarations/{declaration['id']}/signature",
                {"signed_on": days_ago(0).isoformat()}))  # fmt: skip
    body = ok(api.send("post", path + "/eligibility-checks", {
        "nationality": "UA", "migration_status": "presumed_or_identified_victim",
        "obligations": [], "is_minor": False,
    }), 201)  # fmt: skip
    assert body["eligibility"]["verdict"] == "eligible"
    assert {rule["outcome"] for rule in body["eligibility"]["rules"]} == {"passed"}
    assert "approved" not in body["allowed_moves"]
    forbidden = api.send("post", path + "/stage", {"to_stage": "approved",
                                                   "expected_stage": "application"})  # fmt: skip
    assert forbidden.status_code == 403
    ok(boss.send("post", path + "/stage", {"to_stage": "approved",
                                           "expected_stage": "application"}))  # fmt: skip

    body = ok(api.send("post", path + "/risk-assessments", {
        "assessed_on": days_ago(0).isoformat(), "re_trafficking": "high",
        "perpetrator_threat": "low", "family_situation": "low", "health_needs": "medium",
        "details": {"re_trafficking": "The recruiter called her mother."},
    }), 201)  # fmt: skip
    assert body["departure_blocked"] is True
    assessment = body["risk_assessments"][0]["id"]
    ok(api.send("put", path + "/travel", {
        "planned_departure_on": days_ago(0).isoformat(), "itinerary": "Flight WAW–KBP",
        "escort_needed": True, "escort_details": "Partner social worker meets her.",
        "receiving_partner": "Kyiv Partner (fictional)",
    }))  # fmt: skip
    ok(api.send("post", path + "/travel/documents", {
        "kind": "passport", "status": "issued", "issued_on": days_ago(400).isoformat(),
    }), 201)  # fmt: skip
    ok(api.send("post", path + "/stage", {"to_stage": "travel_arranged",
                                          "expected_stage": "approved"}))  # fmt: skip
    blocked = api.send("post", path + "/stage", {"to_stage": "departed",
                                                 "expected_stage": "travel_arranged"})  # fmt: skip
    assert blocked.status_code == 422
    assert blocked.json()["errors"][0]["path"] == "$.to_stage"
    body = ok(boss.send("post", f"{path}/risk-assessments/{assessment}/decision",
                        {"decision": "proceed", "reason": "Escort arranged."}))  # fmt: skip
    assert body["departure_blocked"] is False
    for stage, expected in (("departed", "travel_arranged"), ("arrived", "departed")):
        ok(api.send("post", path + "/stage", {"to_stage": stage, "expected_stage": expected}))

    body = ok(api.send("post", path + "/assistance-items", {
        "kind": "business_start_up_grant", "dimension": "economic", "level": "individual",
        "budget": "1200.00", "currency": "EUR", "status": "approved",
    }), 201)  # fmt: skip
    item = body["assistance_items"][0]["id"]
    body = ok(api.send("post", f"{path}/assistance-items/{item}/disbursements",
                       {"amount": "200.00", "paid_on": days_ago(0).isoformat()}), 201)  # fmt: skip
    assert body["budget_totals"] == [
        {"currency": "EUR", "budget": "1200.00", "disbursed": "200.00", "remaining": "1000.00"}
    ]
    ok(api.send("post", path + "/stage", {"to_stage": "reintegration",
                                          "expected_stage": "arrived"}))  # fmt: skip
    for answers in (ALL_GOOD_ANSWERS, WORSE_ANSWERS):
        body = ok(api.send("post", path + "/monitoring-visits", {
            "visited_on": days_ago(0).isoformat(), "mode": "in_person", "answers": answers,
        }), 201)  # fmt: skip
    assert body["monitoring"]["provisional"] is True
    first, second = body["monitoring"]["visits"]
    assert first["label_id"] == "high"
    assert second["composite"] < first["composite"]
    assert body["attention_reasons"] == ["composite_fell", "dimension_fell"]
    [flagged] = ok_list(api.get("/needing-attention"))
    assert flagged["return_id"] == body["id"]
    body = ok(api.send("post", path + "/attention/acknowledge"))
    assert body["needs_attention_since"] is None
    assert ok_list(api.get("/needing-attention")) == []

    detail = ok(api.get(path))
    assert detail["counselling"]["sessions"][0]["notes"] == "She asked about her residence permit."
    assert [event.details["section"] for event in events("return.view")] == ["api"]
    pdf = api.get(f"{path}/declarations/{declaration['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json())


def test_wrong_input_is_a_422_naming_every_path_and_saves_nothing(worker: User) -> None:
    record = start(verified(worker), make_case(worker))
    api = Api(worker)
    response = api.send("post", f"/{record.pk}/counselling-sessions", {
        "held_on": "last tuesday", "language": "uk", "topics": "everything",
    })  # fmt: skip
    assert response.status_code == 422
    assert {error["path"] for error in response.json()["errors"]} == {"$.held_on", "$.topics"}

    response = api.send("post", f"/{record.pk}/counselling-sessions", {
        "held_on": days_ago(-3).isoformat(), "language": "xx",
        "topics": ["options_to_stay", "weather"],
    })  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The input is not valid."
    assert {error["path"] for error in body["errors"]} == {"$.held_on", "$.language", "$.topics[1]"}
    assert not CounsellingSession.objects.exists()
    assert not events("return.counselling.record")


def test_a_monitoring_visit_with_one_wrong_answer_is_not_saved_at_all(
    worker: User, supervisor: User
) -> None:
    verified(worker)
    record = walk_to("arrived", worker, verified(supervisor), start(worker, make_case(worker)))
    response = Api(worker).send("post", f"/{record.pk}/monitoring-visits", {
        "visited_on": days_ago(1).isoformat(), "mode": "in_person",
        "answers": {**ALL_GOOD_ANSWERS, "debt": "a_little"},
    })  # fmt: skip
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["$.answers.debt"]
    assert not MonitoringVisit.objects.exists()
    assert Return.objects.get(pk=record.pk).needs_attention_since is None


def test_starting_refers_to_a_case_that_exists(worker: User) -> None:
    body = {"case_id": 987654, "programme_id": "x", "country_of_return": "UA", "language": "uk"}
    response = Api(worker).send("post", "", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"path": "$.case_id", "message": "No such case."}]


@pytest.mark.parametrize(
    "role", [Role.TRAINEE, Role.AUDITOR, Role.ORG_ADMIN, Role.DATA_ANALYST, "colleague", "beta"]
)
def test_every_endpoint_of_a_return_is_refused_to_everyone_else(
    role: str, worker: User, supervisor: User, alpha: Organisation, beta: Organisation,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    verified(worker)
    record = walk_to("monitoring", worker, verified(supervisor), start(worker, make_case(worker)))
    if role == "colleague":
        user = make_user(alpha, Role.CASE_WORKER, username="colleague")
    elif role == "beta":
        user = make_user(beta, Role.SUPERVISOR, username="beta-supervisor")
    else:
        user = make_user(alpha, role)
    api = Api(user)
    path = f"/{record.pk}"
    ids = {
        "declaration": record.declarations.get().pk,
        "assessment": record.risk_assessments.get().pk,
        "document": record.travel_documents.get().pk,
        "item": record.assistance_items.get().pk,
    }
    calls = [
        ("get", path), ("get", f"{path}/declarations/{ids['declaration']}/pdf"),
        ("post", path + "/stage"), ("post", path + "/counselling-sessions"),
        ("post", path + "/eligibility-checks"), ("post", path + "/declarations"),
        ("post", f"{path}/declarations/{ids['declaration']}/signature"),
        ("post", path + "/risk-assessments"),
        ("post", f"{path}/risk-assessments/{ids['assessment']}/decision"),
        ("put", path + "/travel"), ("post", path + "/travel/documents"),
        ("put", f"{path}/travel/documents/{ids['document']}"),
        ("post", path + "/assistance-items"), ("patch", f"{path}/assistance-items/{ids['item']}"),
        ("post", f"{path}/assistance-items/{ids['item']}/disbursements"),
        ("post", path + "/monitoring-visits"), ("post", path + "/attention/acknowledge"),
    ]  # fmt: skip
    for method, url in calls:
        response = api.get(url) if method == "get" else api.send(method, url, _valid_body(url))
        assert response.status_code == 403, (method, url, response.content)
        assert response.json() == {"detail": "You do not have permission to do this."}
    assert len(events("permission.denied")) == len(calls)
    if role in {Role.TRAINEE, Role.AUDITOR, Role.ORG_ADMIN, Role.DATA_ANALYST}:
        assert api.get("").status_code == 403
        assert api.get("/needing-attention").status_code == 403
    else:
        assert api.get("").json() == []
    assert not events("return.view")


def _valid_body(url: str) -> dict[str, Any]:
    """Well-formed input for each write, so that only the access rule can refuse it."""
    today = days_ago(0).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "/stage": {"to_stage": "completed", "expected_stage": "monitoring"},
        "/counselling-sessions": {"held_on": today, "language": "uk", "topics": ["travel"]},
        "/eligibility-checks": {},
        "/declarations": {"language": "uk"},
        "/signature": {"signed_on": today},
        "/risk-assessments": {"assessed_on": today, "re_trafficking": "low",
                              "perpetrator_threat": "low", "family_situation": "low",
                              "health_needs": "low"},
        "/decision": {"decision": "proceed", "reason": "Fine."},
        "/travel": {},
        "/travel/documents": {"kind": "passport", "status": "not_needed"},
        "/disbursements": {"amount": "1.00", "paid_on": today},
        "/assistance-items": {"kind": "school_fees", "dimension": "social", "level": "individual",
                              "budget": "10", "currency": "EUR"},
        "/monitoring-visits": {"visited_on": today, "mode": "phone",
                               "answers": {"debt": "no_debt"}},
    }  # fmt: skip
    for ending, body in bodies.items():
        if url.endswith(ending):
            return body
    if "/travel/documents/" in url:
        return {"status": "issued", "issued_on": today}
    if "/assistance-items/" in url:
        return {"status": "delivered"}
    return {}


def test_an_unknown_return_is_404(worker: User) -> None:
    api = Api(worker)
    assert api.get("/424242").status_code == 404
    assert (
        api.send("post", "/424242/stage", {"to_stage": "x", "expected_stage": "y"}).status_code
        == 404
    )


def test_the_programme_endpoint_suppresses_small_cells_for_analysts(
    worker: User, supervisor: User, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    verified(worker)
    start(worker, make_case(worker))
    boss = Api(supervisor).get("/programme").json()
    assert boss["suppressed"] is False
    counts = {item["stage"]: item["count"]["value"] for item in boss["stages"]}
    assert counts["counselling"] == 1
    analyst = Api(make_user(alpha, Role.DATA_ANALYST)).get("/programme?country=ua").json()
    assert (analyst["suppressed"], analyst["k"], analyst["country"]) == (True, 5, "UA")
    assert analyst["total"] == {"value": None, "withheld": True}
    assert all(item["count"]["withheld"] for item in analyst["stages"])
    assert Api(worker).get("/programme").status_code == 403


def test_the_openapi_document_describes_the_returns_endpoints(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = {path for path in document["paths"] if path.startswith(BASE)}
    assert {
        BASE, f"{BASE}/programme", f"{BASE}/needing-attention", f"{BASE}/{{return_id}}",
        f"{BASE}/{{return_id}}/stage", f"{BASE}/{{return_id}}/monitoring-visits",
        f"{BASE}/{{return_id}}/assistance-items/{{item_id}}/disbursements",
    } <= paths  # fmt: skip
    start_operation = document["paths"][BASE]["post"]
    assert set(start_operation["responses"]) >= {"201", "403", "404", "422"}


def test_documents_and_items_are_updated_in_place(worker: User, supervisor: User) -> None:
    verified(worker)
    record = walk_to("approved", worker, verified(supervisor), start(worker, make_case(worker)))
    api = Api(worker)
    body = api.send("post", f"/{record.pk}/travel/documents", {
        "kind": "exit_permit", "status": "requested", "requested_on": days_ago(3).isoformat(),
    }).json()  # fmt: skip
    document = next(item for item in body["travel_documents"] if item["kind"] == "exit_permit")
    response = api.send("put", f"/{record.pk}/travel/documents/{document['id']}", {
        "status": "not_needed",
    })  # fmt: skip
    assert response.status_code == 200
    assert [item["status"] for item in response.json()["travel_documents"]] == ["not_needed"]
    body = api.send("post", f"/{record.pk}/assistance-items", {
        "kind": "medical_care", "level": "individual", "budget": "90", "currency": "PLN",
    }).json()  # fmt: skip
    [item] = body["assistance_items"]
    assert (item["dimension"], item["status"]) == ("social", "planned")
    response = api.send("patch", f"/{record.pk}/assistance-items/{item['id']}", {"status": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.status"
    response = api.send("patch", f"/{record.pk}/assistance-items/{item['id']}", {
        "status": "cancelled",
    })  # fmt: skip
    assert response.json()["budget_totals"] == [
        {"currency": "PLN", "budget": "0.00", "disbursed": "0.00", "remaining": "0.00"}
    ]
    assert api.get(f"/{record.pk}/declarations/99999/pdf").status_code == 404
    assert api.get("?stage=nowhere").status_code == 422
    assert [row["code"] for row in api.get("?stage=approved").json()] == [record.code]
