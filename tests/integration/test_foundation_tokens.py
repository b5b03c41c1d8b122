"""Personal API tokens: issued once, stored as a digest, refused with a reason."""

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from tests.conftest import PASSWORD
from waypoint.accounts import services
from waypoint.accounts.models import ApiToken, Organisation, Role, User
from waypoint.audit.models import AuditEvent, Outcome
from waypoint.audit.services import Actor

ME = "/api/v1/me"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def create_token_via_page(client: Client, name: str = "laptop", days: int = 30) -> str:
    response = client.post("/account/security/tokens/", {"name": name, "days": days})
    assert response.status_code == 200, response.content
    assert "it will not be shown again" in response.content.decode()
    found = re.findall(r"wp_[A-Za-z0-9_-]{40,}", response.content.decode())
    assert len(found) == 1
    return found[0]


def issue(user: User, days: int = 30) -> str:
    user.is_verified = lambda: True  # type: ignore[method-assign]  # as after the second factor
    return services.issue_api_token(
        Actor(user_id=user.pk, organisation_id=user.organisation_id), user, name="t", days=days
    ).secret


@pytest.fixture
def worker_client(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> tuple[User, Client]:
    user = make_user(alpha, Role.CASE_WORKER)
    return user, signed_in(user)


def test_token_is_shown_once_and_only_its_digest_is_stored(
    worker_client: tuple[User, Client],
) -> None:
    user, client = worker_client
    secret = create_token_via_page(client)
    token = ApiToken.objects.get(user=user)
    assert token.name == "laptop"
    assert str(token) == f"laptop ({secret[:10]}…)"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    stored = [
        *ApiToken.objects.values_list(),
        *AuditEvent.objects.values_list(),
        *(session.get_decoded() for session in Session.objects.all()),
    ]
    assert secret not in repr(stored)
    [created] = events("api_token.create")
    assert created.object_id == str(token.pk)
    # The security page lists the token by its prefix, never the secret.
    page = client.get("/account/security/").content.decode()
    assert token.prefix in page
    assert secret not in page


def test_token_authenticates_the_api(
    worker_client: tuple[User, Client], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    user, client = worker_client
    secret = create_token_via_page(client)
    assert ApiToken.objects.get().last_used_at is None
    with django_assert_max_num_queries(6):
        response = Client().get(ME, **bearer(secret))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == user.username
    assert body["role"] == "case_worker"
    assert body["organisation"]["id"] == user.organisation_id
    assert body["permissions"] == sorted(body["permissions"])
    assert "view_personal_data" in body["permissions"]
    last_used = ApiToken.objects.get().last_used_at
    assert last_used is not None
    assert timezone.now() - last_used < timedelta(minutes=1)


def test_api_does_not_accept_the_session_cookie(worker_client: tuple[User, Client]) -> None:
    _, client = worker_client
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send `Authorization: Bearer <token>`."
    }


def test_expired_token_is_refused_and_audited(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    secret = issue(user)
    token = ApiToken.objects.get()
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "The API token has expired."}
    [refused] = events("api_token.refused")
    assert refused.outcome == Outcome.DENIED
    assert refused.details == {"reason": "expired"}
    assert refused.actor_id == user.pk
    assert refused.organisation_id == alpha.pk
    assert refused.object_id == str(token.pk)
    assert ApiToken.objects.get().last_used_at is None


def test_revoked_token_is_refused(worker_client: tuple[User, Client]) -> None:
    _, client = worker_client
    secret = create_token_via_page(client)
    token = ApiToken.objects.get()
    assert Client().get(ME, **bearer(secret)).status_code == 200
    response = client.post(f"/account/security/tokens/{token.pk}/revoke/", follow=True)
    assert "The token was revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    [revoked] = events("api_token.revoke")
    assert revoked.object_id == str(token.pk)
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "The API token was revoked."}
    assert events("api_token.refused")[-1].details == {"reason": "revoked"}
    # Revoking twice changes nothing and writes nothing.
    client.post(f"/account/security/tokens/{token.pk}/revoke/")
    assert len(events("api_token.revoke")) == 1


def test_token_of_a_disabled_account_is_refused(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    secret = issue(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "The account that owns this API token is disabled."}
    assert events("api_token.refused")[-1].details == {"reason": "inactive_user"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wp_" + "A" * 43,
        "Bearer garbage",
        "Bearer " + "wp_" + "x" * 10_000,
        "Bearer wp_' OR 1=1 --",
        "bearer wp_",
    ],
    ids=["unknown", "garbage", "huge", "injection", "lowercase-empty"],
)
def test_unknown_tokens_are_refused(db: None, header: str) -> None:
    response = Client().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"detail": "The API token is not valid."}
    [refused] = events("api_token.refused")
    assert refused.details == {"reason": "unknown"}
    assert refused.organisation_id is None


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, {"HTTP_AUTHORIZATION": ""}],
    ids=["missing", "basic", "empty"],
)
def test_missing_token_is_refused_with_a_clear_detail(db: None, headers: dict[str, str]) -> None:
    response = Client().get(ME, **headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Authorization: Bearer" in response.json()["detail"]


def test_token_form_validation(worker_client: tuple[User, Client]) -> None:
    _, client = worker_client
    for data in (
        {"name": "", "days": 5},
        {"name": "x", "days": 0},
        {"name": "x", "days": 9999},
        {"name": "x", "days": "soon"},
        {"name": "n" * 500, "days": 5},
    ):
        response = client.post("/account/security/tokens/", data)
        assert response.status_code == 400, data
        assert b"errorlist" in response.content
    assert not ApiToken.objects.exists()
    assert client.get("/account/security/tokens/").status_code == 405


def test_service_caps_token_lifetime(alpha: Organisation, make_user: Callable[..., User]) -> None:
    user = make_user(alpha, Role.TRAINEE)
    issue(user, days=10_000)
    token = ApiToken.objects.get()
    assert token.expires_at - timezone.now() <= timedelta(days=365)


def test_revoke_view_only_affects_own_tokens(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    colleague = make_user(alpha, Role.SUPERVISOR)
    stranger = make_user(beta, Role.CASE_WORKER)
    colleague_secret = issue(colleague)
    stranger_secret = issue(stranger)
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    for token in ApiToken.objects.all():
        client.post(f"/account/security/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert not events("api_token.revoke")
    assert Client().get(ME, **bearer(colleague_secret)).status_code == 200
    assert Client().get(ME, **bearer(stranger_secret)).status_code == 200
    page = client.get("/account/security/").content.decode()
    assert "Revoke" not in page


def test_token_issued_without_second_factor_does_not_gain_two_factor_access(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    """A trainee's token, created without any second factor, must not become an auditor's.

    The policy lets token requests skip the second factor on the grounds that "an API token
    can only be created from a session that passed the second factor"; a trainee's session
    never did.
    """
    trainee = make_user(alpha, Role.TRAINEE)
    trainee_client = Client()
    trainee_client.post("/account/login/", {"username": trainee.username, "password": PASSWORD})
    secret = create_token_via_page(trainee_client)

    admin_client = signed_in(make_user(alpha, Role.ORG_ADMIN))
    response = admin_client.post(
        f"/account/users/{trainee.pk}/", {"role": Role.AUDITOR, "is_active": "on"}
    )
    assert response.status_code == 302
    response = Client().get("/api/v1/audit/events", **bearer(secret))
    assert response.status_code in {401, 403}, response.content[:200]
