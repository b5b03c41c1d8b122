"""Hostile or broken requests get a clear 4xx and an audit entry, never a 500."""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import Settings

from tests.conftest import PASSWORD
from waypoint.accounts import services
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent, Outcome
from waypoint.audit.services import Actor


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def lenient() -> Client:
    """A client that shows a crash as the 500 a browser would get, instead of raising it."""
    return Client(raise_request_exception=False)


@pytest.fixture
def token(alpha: Organisation, make_user: Callable[..., User]) -> dict[str, str]:
    user = make_user(alpha, Role.TRAINEE)
    secret = services.issue_api_token(Actor(), user, name="t", days=5).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_oversized_page_request_is_refused(db: None, settings: Settings) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    response = lenient().post(
        "/account/login/", data="x" * 1001, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Request too large" in page
    assert "The request is too large: the limit is 1000 bytes." in page
    [rejected] = events("request.rejected")
    assert rejected.outcome == Outcome.DENIED
    assert rejected.details == {"reason": "too_large", "path": "/account/login/", "length": 1001}
    assert not events("login.failed")


def test_oversized_api_request_is_refused_as_json(db: None) -> None:
    limit = settings.MAX_REQUEST_BYTES
    response = lenient().post(
        "/api/v1/me", data="{}", content_type="application/json", CONTENT_LENGTH=str(limit + 1)
    )
    assert response.status_code == 413
    assert response.json() == {"detail": f"The request is too large: the limit is {limit} bytes."}
    [rejected] = events("request.rejected")
    assert rejected.details["reason"] == "too_large"
    assert rejected.details["path"] == "/api/v1/me"


def test_request_at_the_limit_is_accepted(
    client: Client,
    alpha: Organisation,
    make_user: Callable[..., User],
    settings: Settings,
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    body = f"username={user.username}&password={PASSWORD}&pad="
    settings.MAX_REQUEST_BYTES = len(body) + 10
    response = client.post(
        "/account/login/", data=body + "y" * 10, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert not events("request.rejected")


@pytest.mark.parametrize("length", ["abc", "-5"])
def test_nonsense_content_length_is_refused(db: None, length: str) -> None:
    response = lenient().post(
        "/account/login/",
        data="a=b",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=length,
    )
    assert 400 <= response.status_code < 500
    assert events("request.rejected")


def test_post_without_csrf_token_is_refused_and_audited(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert "reload the page and try again" in page
    [rejected] = events("request.rejected")
    assert rejected.outcome == Outcome.DENIED
    assert rejected.details == {"reason": "csrf", "path": "/account/login/"}
    assert "_auth_user_id" not in client.session


def test_post_with_csrf_token_is_accepted(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client = Client(enforce_csrf_checks=True)
    client.get("/account/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/account/login/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert not events("request.rejected")


def test_signed_in_actions_need_the_csrf_token(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client = Client(enforce_csrf_checks=True)
    client.get("/account/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post(
        "/account/login/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    response = client.post("/account/security/tokens/", {"name": "x", "days": 5})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    assert not user.api_tokens.exists()
    rejected = events("request.rejected")[-1]
    assert rejected.actor_id == user.pk
    assert rejected.details["reason"] == "csrf"


def test_malformed_multipart_body_is_a_400(db: None) -> None:
    response = lenient().post(
        "/account/login/", data="garbage--", content_type="multipart/form-data"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("debug", [False, True])
def test_malformed_multipart_upload_to_the_api_is_a_json_400(
    alpha: Organisation, make_user: Callable[..., User], settings: Settings, debug: bool
) -> None:
    settings.DEBUG = debug
    worker = make_user(alpha, Role.CASE_WORKER)
    worker.is_verified = lambda: True  # type: ignore[method-assign]
    secret = services.issue_api_token(Actor(), worker, name="t", days=5).secret
    for content_type in ("multipart/form-data", "multipart/form-data; boundary="):
        response = lenient().post(
            "/api/v1/cases/1/documents",
            data="garbage--",
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 400, (content_type, response.content[:200])
        assert response.json()["detail"].startswith("The multipart body could not be read: ")


def test_too_many_fields_is_a_400(db: None) -> None:
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = lenient().post(
        "/account/login/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_disallowed_host_is_a_400_with_audit(db: None) -> None:
    response = lenient().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad request" in page
    assert "The request could not be understood." in page
    assert events("request.rejected")[-1].details == {"reason": "bad_request", "path": "/"}


def test_invalid_json_to_the_api_is_a_json_4xx(token: dict[str, str]) -> None:
    response = lenient().post(
        "/api/v1/me", data="{not json", content_type="application/json", **token
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json"), response.content[:100]
    assert "detail" in response.json()


def test_invalid_query_to_the_api_is_a_json_422(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    auditor = make_user(alpha, Role.AUDITOR)
    auditor.is_verified = lambda: True  # type: ignore[method-assign]
    secret = services.issue_api_token(Actor(), auditor, name="t", days=5).secret
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for query in ({"date_from": "yesterday"}, {"limit": "many"}, {"offset": "-1"}, {"limit": "0"}):
        response = lenient().get("/api/v1/audit/events", query, **headers)
        assert response.status_code == 422, query
        assert response.json()["detail"] == "The input is not valid."


def test_invalid_path_parameter_to_the_api_is_a_json_4xx(token: dict[str, str]) -> None:
    for value in ("abc", "1.5", "9" * 40, "-1"):
        response = lenient().get(f"/api/v1/organisations/{value}", **token)
        assert 400 <= response.status_code < 500, value
        assert response["Content-Type"].startswith("application/json"), value


def test_unknown_api_path_is_a_json_404(token: dict[str, str]) -> None:
    response = lenient().get("/api/v1/no-such-endpoint", **token)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json"), response.content[:100]


def test_unexpected_error_shows_the_custom_500_page(
    client: Client,
    alpha: Organisation,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("waypoint.web.views.can", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page


def test_custom_404_page(client: Client, db: None) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "There is nothing at this address." in page
    assert "<title>Page not found · Waypoint</title>" in page
    assert "Traceback" not in page


def test_nul_in_the_path_with_a_stale_session_is_not_a_server_error(db: None) -> None:
    client = lenient()
    client.cookies[settings.SESSION_COOKIE_NAME] = "garbage"
    response = client.get("/%00")
    assert response.status_code < 500
    assert len(events("session.invalid")) == 1


def test_nul_in_the_path_of_an_oversized_request_is_not_a_server_error(
    db: None, settings: Settings
) -> None:
    settings.MAX_REQUEST_BYTES = 10
    response = lenient().post("/%00", data="x" * 20, content_type="text/plain")
    assert response.status_code == 413
    assert len(events("request.rejected")) == 1


def test_every_json_request_body_refuses_unknown_keys(client: Client, db: None) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]

    def resolved(schema: dict[str, Any]) -> dict[str, Any]:
        reference = schema.get("$ref", "")
        return components[reference.rsplit("/", 1)[-1]] if reference else schema

    bodies = {
        f"{method.upper()} {path}": resolved(operation["requestBody"]["content"][content_type])
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
        for content_type in operation["requestBody"]["content"]
        if content_type == "application/json"
    }
    assert len(bodies) > 30
    lenient_bodies = {
        name
        for name, body in bodies.items()
        if resolved(body.get("schema", body)).get("additionalProperties") is not False
    }
    assert lenient_bodies == set()
