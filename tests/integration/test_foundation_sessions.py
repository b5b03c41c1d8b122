"""Sessions: forged cookies, signing out everywhere, cookie flags and idle expiry."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from tests.conftest import PASSWORD
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent, Outcome

INVALID_SESSION = "Your session has ended or is not valid"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def second_client(user: User) -> Client:
    """Another browser for the same user, with the authenticator's next code."""
    other = Client()
    response = other.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=1)
    response = other.post("/account/two-factor/", {"code": f"{code:06d}"})
    assert response.status_code == 302, response.content
    return other


def test_forged_session_cookie_is_reported_and_audited(client: Client, db: None) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = "garbage"
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert INVALID_SESSION in response.content.decode()
    [event] = events("session.invalid")
    assert event.outcome == Outcome.DENIED
    assert event.details == {"path": "/"}
    assert event.actor_id is None
    # The dead cookie is removed, so the next page is not reported again.
    client.get("/account/login/")
    assert len(events("session.invalid")) == 1


def test_no_cookie_is_not_an_invalid_session(client: Client, db: None) -> None:
    response = client.get("/", follow=True)
    assert INVALID_SESSION not in response.content.decode()
    assert not events("session.invalid")


def test_session_of_a_deleted_session_row_is_invalid(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    Session.objects.all().delete()
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert INVALID_SESSION in response.content.decode()
    assert len(events("session.invalid")) == 1


def test_an_ended_session_sends_htmx_to_the_sign_in_page_as_a_whole_page(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    Session.objects.all().delete()
    response = client.get("/returns/programme/", HTTP_HX_REQUEST="true")
    # Not the sign-in page inside the fragment: htmx loads the page named by HX-Redirect.
    assert response.status_code == 204
    assert response.content == b""
    assert response["HX-Redirect"].startswith("/account/login/?next=")
    assert "Location" not in response
    # The warning waits on the sign-in page, and the dead cookie is removed as usual.
    assert INVALID_SESSION in client.get(response["HX-Redirect"]).content.decode()
    assert len(events("session.invalid")) == 1


def test_redirects_without_htmx_stay_redirects(client: Client, db: None) -> None:
    response = client.get("/returns/programme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")
    assert "HX-Redirect" not in response
    unchanged = client.get("/returns/programme/", HTTP_HX_REQUEST="false")
    assert unchanged.status_code == 302


def test_sign_out_everywhere_ends_other_sessions(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    first = signed_in(user)
    other = second_client(user)
    assert other.get("/").status_code == 200
    salt = user.session_salt

    response = first.post("/account/security/sign-out-everywhere/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/login/"
    assert "You are signed out on every device." in response.content.decode()
    [ended] = events("session.end_all")
    assert ended.actor_id == user.pk
    assert ended.object_id == str(user.pk)
    user.refresh_from_db()
    assert user.session_salt != salt

    response = other.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert INVALID_SESSION in response.content.decode()
    assert first.get("/").status_code == 302


def test_sign_out_everywhere_leaves_other_users_signed_in(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    colleague = make_user(alpha, Role.SUPERVISOR)
    colleague_client = signed_in(colleague)
    user = make_user(alpha, Role.CASE_WORKER)
    TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    own = second_client(user)
    assert own.post("/account/security/sign-out-everywhere/").status_code == 302
    assert colleague_client.get("/").status_code == 200


def test_sign_out_everywhere_requires_post(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    assert client.get("/account/security/sign-out-everywhere/").status_code == 405
    assert not events("session.end_all")


def test_session_cookie_flags(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # Expires with the browser: no persistent lifetime on the cookie itself.
    assert not cookie["max-age"]
    assert not cookie["expires"]
    csrf = Client().get("/account/login/").cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"


def test_session_settings_give_idle_expiry() -> None:
    assert settings.SESSION_COOKIE_NAME == "waypoint_session"
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_every_request_pushes_the_idle_expiry_forward(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


def test_idle_session_has_ended(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert INVALID_SESSION in response.content.decode()


def test_login_rotates_the_session_key(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    session = client.session
    session["probe"] = "x"
    session.save()
    before = session.session_key
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert client.session.session_key != before
