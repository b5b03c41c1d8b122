"""POST /api/v1/screening/assess: anonymous, stateless, rate-limited, same contract as the CLI."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.domain.screening import assess, get_catalogue, parse_screening_input

URL = "/api/v1/screening/assess"


@pytest.fixture(autouse=True)
def _fresh_throttle_history() -> None:
    cache.clear()


def situation(**changes: Any) -> dict[str, Any]:
    """A child recruited for sexual exploitation, some indicators answered."""
    members = get_catalogue().indicator_sets["child_sexual"].members
    raw: dict[str, Any] = {
        "jurisdiction": "EU",
        "person": {"age_at_recruitment": 16},
        "exploitation": ["sexual"],
        "act": ["recruitment", "harbouring"],
        "indicators": {member.id: "yes" for member in members[::4]}
        | {members[1].id: "declined", members[2].id: "unknown"},
        "movement": {"crossed_border": False},
    }
    raw.update(changes)
    return raw


def post(client: Client, body: object, query: str = "", **headers: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL + query, data, content_type="application/json", **headers)


def test_returns_the_same_assessment_as_the_engine(client: Client, db: None) -> None:
    response = post(client, situation())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == assess(parse_screening_input(situation())).to_dict()


def test_language_query_selects_the_explanations(client: Client, db: None) -> None:
    response = post(client, situation(), "?language=pl")
    assert response.status_code == 200
    assert response.json() == assess(parse_screening_input(situation()), language="pl").to_dict()


def test_unknown_language_is_a_clear_422(client: Client, db: None) -> None:
    response = post(client, situation(), "?language=de")
    assert response.status_code == 422
    assert "de" in response.json()["detail"]
    assert response.json()["errors"] == [
        {"path": "?language", "message": "not a supported language"}
    ]


def test_invalid_input_lists_every_wrong_path(client: Client, db: None) -> None:
    raw = situation(jurisdiction="UA", exploitation=["sexual", "sexual"], unexpected=1)
    raw["indicators"] = {"dr_wages_earnings": "maybe", "not_an_indicator": "yes"}
    raw["person"] = {"age_at_recruitment": -3}
    response = post(client, raw)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The input is not valid."
    paths = {error["path"] for error in body["errors"]}
    assert {
        "$.jurisdiction",
        "$.exploitation",
        "$.unexpected",
        "$.indicators.dr_wages_earnings",
        "$.indicators.not_an_indicator",
        "$.person.age_at_recruitment",
    } <= paths
    assert all(error["message"] for error in body["errors"])


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", "not valid JSON (line 1, column 1)"),
        ('{"jurisdiction": "PL",', "not valid JSON (line 1, column 23)"),
        (b"\xff\xfe\x00", "not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_json_is_a_clear_422(
    client: Client, db: None, body: str | bytes, detail: str
) -> None:
    response = post(client, body)
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert response.json()["errors"][0]["path"] == "$"


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_a_clear_422(
    client: Client, db: None, body: object
) -> None:
    response = post(client, json.dumps(body))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"path": "$", "message": "must be an object"}]


def test_an_oversized_body_is_refused_before_reading(
    client: Client, db: None, settings: Settings
) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    response = post(client, situation(indicators={"dr_wages_earnings": "yes"}) | {"x": "y" * 2000})
    assert response.status_code == 413


def test_no_sign_in_needed_and_a_bogus_token_is_ignored(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert post(client, situation()).status_code == 200
    assert post(client, situation(), HTTP_AUTHORIZATION="Bearer wp_nonsense").status_code == 200


def test_stores_nothing(client: Client, db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert post(client, situation()).status_code == 200
        assert post(client, {"jurisdiction": "XX"}).status_code == 422
    assert not AuditEvent.objects.exists()


def test_a_signed_in_user_is_served_the_same_way(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.TRAINEE))
    assert post(client, situation()).json() == assess(parse_screening_input(situation())).to_dict()


def test_throttled_past_the_configured_rate(client: Client, db: None, settings: Settings) -> None:
    settings.SCREENING_API_RATE = "2/min"
    assert post(client, situation()).status_code == 200
    assert post(client, {"jurisdiction": "XX"}).status_code == 422  # counts as well
    refused = post(client, situation())
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another client has its own allowance.
    assert post(client, situation(), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(
    client: Client, db: None, settings: Settings
) -> None:
    settings.SCREENING_API_RATE = "1/min"
    assert post(client, situation(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert post(client, situation(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_behind_a_declared_proxy_the_forwarded_client_is_limited(
    client: Client, db: None, settings: Settings
) -> None:
    settings.SCREENING_API_RATE = "1/min"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert post(client, situation(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert post(client, situation(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert post(client, situation(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_an_empty_rate_lifts_the_limit(client: Client, db: None, settings: Settings) -> None:
    settings.SCREENING_API_RATE = ""
    assert all(post(client, situation()).status_code == 200 for _ in range(5))


def test_documented_in_openapi(client: Client, db: None) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/screening/assess"]["post"]
    assert "security" not in operation
    assert set(operation["responses"]) == {"200", "422", "429"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"] == "#/components/schemas/Assessment"
    assert "dimensions" in spec["components"]["schemas"]["Assessment"]["properties"]
    assert spec["components"]["schemas"]["InvalidInput"]["required"] == ["detail", "errors"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["jurisdiction"]
    assert "$ref" not in json.dumps(body)
    assert operation["parameters"][0]["schema"]["enum"] == ["en", "pl", "uk", "ru"]
