"""Signing in with a password: success, failure, malformed input and the lockout."""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client, override_settings
from pytest_django import Settings

from tests.conftest import PASSWORD
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent, Outcome

LOGIN = "/account/login/"
WRONG = "The username or password is not correct."


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_login_page_renders(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_successful_login_writes_login_password_event(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    [event] = events("login.password")
    assert event.actor_id == user.pk
    assert event.actor_username == user.username
    assert event.organisation_id == alpha.pk
    assert event.outcome == Outcome.SUCCESS
    assert event.ip_address == "127.0.0.1"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_and_filed_under_the_target_organisation(
    client: Client, alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(beta, Role.CASE_WORKER)
    response = client.post(LOGIN, {"username": user.username, "password": "not-the-password"})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session
    [event] = events("login.failed")
    assert event.outcome == Outcome.FAILURE
    assert event.organisation_id == beta.pk
    assert event.actor_id is None
    assert event.details["username"] == user.username
    assert not events("login.password")


def test_unknown_username_failure_has_no_organisation(client: Client, db: None) -> None:
    response = client.post(LOGIN, {"username": "nobody-here", "password": "whatever-it-is"})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    [event] = events("login.failed")
    assert event.organisation_id is None
    assert event.details == {"username": "nobody-here"}


def test_disabled_account_cannot_sign_in(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({}, "This field is required."),
        ({"username": "someone"}, "This field is required."),
        ({"password": PASSWORD}, "This field is required."),
        ({"username": "u" * 10_000, "password": PASSWORD}, "at most 150 characters"),
        ({"username": "someone", "password": "p" * 10_000}, "at most 256 characters"),
        ({"username": "some\x00one", "password": PASSWORD}, "Null characters are not allowed."),
    ],
    ids=["empty", "no-password", "no-username", "huge-username", "huge-password", "nul"],
)
def test_malformed_login_is_a_form_error_not_a_crash(
    client: Client, db: None, data: dict[str, str], field_error: str
) -> None:
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_list_values_for_username_are_handled(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    response = client.post(
        LOGIN, {"username": ["x" * 500, user.username], "password": ["wrong-one", "wrong-two"]}
    )
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_json_body_to_the_login_form_is_a_form_error(client: Client, db: None) -> None:
    response = client.post(LOGIN, data='{"username": ["a", "b"]}', content_type="application/json")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_lockout_after_five_failures(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    user = make_user(alpha, Role.CASE_WORKER)
    for attempt in range(1, 5):
        response = client.post(LOGIN, {"username": user.username, "password": f"wrong-{attempt}"})
        assert response.status_code == 200, attempt
        assert WRONG in response.content.decode()
    assert not events("login.locked_out")

    response = client.post(LOGIN, {"username": user.username, "password": "wrong-5"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    [locked] = events("login.locked_out")
    assert locked.outcome == Outcome.DENIED
    assert locked.organisation_id == alpha.pk
    assert locked.details == {"username": user.username}

    # Even the right password is refused while the lock holds.
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not events("login.password")
    assert len(events("login.failed")) == 6


def test_lockout_is_per_username_and_per_address(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    target = make_user(alpha, Role.CASE_WORKER)
    other = make_user(alpha, Role.TRAINEE)
    for attempt in range(5):
        client.post(
            LOGIN,
            {"username": target.username, "password": f"wrong-{attempt}"},
            REMOTE_ADDR="192.0.2.1",
        )
    # The targeted account is locked from every address...
    response = Client().post(
        LOGIN, {"username": target.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429
    # ...and the guessing address is locked for every account.
    response = Client().post(
        LOGIN, {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429
    # Others elsewhere are untouched.
    response = Client().post(
        LOGIN, {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 302


@override_settings(AXES_LOCKOUT_PARAMETERS=["username", ["username", "ip_address"]])
def test_shared_office_address_setting_locks_only_the_account(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    target = make_user(alpha, Role.CASE_WORKER)
    colleague = make_user(alpha, Role.TRAINEE)
    for attempt in range(5):
        client.post(
            LOGIN,
            {"username": target.username, "password": f"wrong-{attempt}"},
            REMOTE_ADDR="192.0.2.1",
        )
    response = Client().post(
        LOGIN, {"username": target.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429
    # A colleague behind the same office address still signs in.
    response = Client().post(
        LOGIN, {"username": colleague.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302


def test_successful_login_resets_the_failure_count(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    for attempt in range(4):
        client.post(LOGIN, {"username": user.username, "password": f"wrong-{attempt}"})
    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
    client.post("/account/logout/")
    for attempt in range(4):
        response = client.post(LOGIN, {"username": user.username, "password": f"again-{attempt}"})
        assert response.status_code == 200
    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302


def test_logout_requires_post_and_is_audited(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/login/"
    assert "You are signed out." in response.content.decode()
    [event] = events("logout")
    assert event.actor_id == user.pk
    assert event.organisation_id == alpha.pk
    assert client.get("/").status_code == 302


def test_logout_without_a_session_writes_nothing(client: Client, db: None) -> None:
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert not events("logout")


def test_signed_in_user_visiting_login_is_sent_on(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_open_redirect_after_login_is_refused(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
