"""The second factor: enrolment, verification, recovery codes and who must use it."""

import base64
import re
import time
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from tests.conftest import PASSWORD, add_authenticator, current_code
from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import requires_two_factor
from waypoint.audit.models import AuditEvent, Outcome

VERIFY = "/account/two-factor/"
SETUP = "/account/two-factor/setup/"
INVALID_CODE = "The code is not valid or has expired"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def password_only(client: Client, user: User) -> None:
    response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code that no step within the tolerance window accepts."""
    near = {
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
        for drift in range(-3, 4)
    }
    return f"{next(code for code in range(1_000_000) if code not in near):06d}"


def recovery_codes_in(content: bytes) -> list[str]:
    block = re.search(r'<ul class="codes"[^>]*>(.*?)</ul>', content.decode(), re.S)
    assert block is not None
    return re.findall(r"<li>([0-9a-f]+)</li>", block.group(1))


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.CASE_WORKER, True),
        (Role.SUPERVISOR, True),
        (Role.ORG_ADMIN, True),
        (Role.AUDITOR, True),
        (Role.DATA_ANALYST, False),
        (Role.TRAINEE, False),
        ("no_such_role", False),
    ],
)
def test_which_roles_require_two_factor(role: str, required: bool) -> None:
    assert requires_two_factor(role) is required


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.SUPERVISOR, Role.ORG_ADMIN, Role.AUDITOR])
def test_roles_that_see_people_are_sent_to_setup_without_a_device(
    client: Client, alpha: Organisation, make_user: Callable[..., User], role: str
) -> None:
    user = make_user(alpha, role)
    password_only(client, user)
    for path in ("/", "/account/security/", f"/account/organisation/{alpha.pk}/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == SETUP
    # The verify page has nothing to verify yet: it sends on to setup too.
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_setup_page_shows_a_secret_and_a_qr_code(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    password_only(client, user)
    response = client.get(SETUP)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert b"data:image/svg+xml;base64," in response.content
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret in response.content.decode()
    [started] = events("two_factor.setup_started")
    assert started.object_id == str(user.pk)
    # Reloading the page keeps the same pending device (no new secret each time).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert len(events("two_factor.setup_started")) == 1


def test_wrong_code_during_setup_is_refused(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    password_only(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    [failed] = events("two_factor.setup_failed")
    assert failed.outcome == Outcome.FAILURE
    assert failed.object_id == str(user.pk)
    assert not events("two_factor.enabled")
    assert not StaticDevice.objects.filter(user=user).exists()
    assert client.get("/")["Location"] == SETUP


def test_correct_code_during_setup_enables_two_factor_and_shows_recovery_codes(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    password_only(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 200
    codes = recovery_codes_in(response.content)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == set(codes)
    device.refresh_from_db()
    assert device.confirmed
    [enabled] = events("two_factor.enabled")
    assert enabled.object_id == str(user.pk)
    assert enabled.actor_id == user.pk
    # The session passed the second factor: the dashboard opens.
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"Dashboard" in dashboard.content


def test_code_with_spaces_is_accepted_at_setup(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.AUDITOR)
    password_only(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    code = current_code(device)
    response = client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 200
    assert len(recovery_codes_in(response.content)) == 10


def test_user_with_a_device_is_held_at_verification(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    add_authenticator(user)
    password_only(client, user)
    for path in (
        "/",
        "/account/security/",
        SETUP,
        f"/account/organisation/{alpha.pk}/",
        "/account/users/",
        "/audit/",
        "/no/such/page/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == VERIFY, path
    # Posting to a protected action is held too.
    response = client.post("/account/security/tokens/", {"name": "x", "days": 5})
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert client.get(VERIFY).status_code == 200
    assert client.get("/health").status_code == 200
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session


def test_wrong_code_at_verification_is_refused_and_audited(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.SUPERVISOR)
    device = add_authenticator(user)
    password_only(client, user)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    [failed] = events("login.second_factor_failed")
    assert failed.outcome == Outcome.FAILURE
    assert failed.actor_id == user.pk
    assert client.get("/")["Location"] == VERIFY


def test_malformed_code_is_a_form_error(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.SUPERVISOR)
    add_authenticator(user)
    password_only(client, user)
    for code in ("", "12", "9" * 5000):
        response = client.post(VERIFY, {"code": code})
        assert response.status_code == 200
        assert b"errorlist" in response.content
    assert client.get("/")["Location"] == VERIFY


def test_right_code_right_after_a_wrong_one_is_throttled(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    device = add_authenticator(user)
    password_only(client, user)
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 200
    assert "wait a few seconds before the next try" in response.content.decode()
    time.sleep(1.1)
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 302


def test_correct_code_at_verification_opens_the_dashboard(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    device = add_authenticator(user)
    password_only(client, user)
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    [passed] = events("login.second_factor")
    assert passed.details == {"device": "totp"}
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_replayed(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    device = add_authenticator(user)
    code = current_code(device)
    password_only(client, user)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    password_only(other, user)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()


def test_recovery_code_works_once(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    add_authenticator(user)
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    static.token_set.create(token="a1b2c3d4e5")
    static.token_set.create(token="f6a7b8c9d0")

    password_only(client, user)
    response = client.post(VERIFY, {"code": "a1b2c3d4e5"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "You used a recovery code; 1 remain." in response.content.decode()
    [passed] = events("login.second_factor")
    assert passed.details == {"device": "recovery_code"}
    client.post("/account/logout/")

    password_only(client, user)
    response = client.post(VERIFY, {"code": "a1b2c3d4e5"})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    assert client.get("/")["Location"] == VERIFY
    assert list(StaticToken.objects.filter(device=static).values_list("token", flat=True)) == [
        "f6a7b8c9d0"
    ]


def test_recovery_codes_can_be_replaced(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    client = signed_in(user)
    first = recovery_codes_in(client.post("/account/security/recovery-codes/").content)
    second = recovery_codes_in(client.post("/account/security/recovery-codes/").content)
    assert len(first) == len(second) == 10
    assert not set(first) & set(second)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == set(second)
    assert len(events("two_factor.recovery_codes_replaced")) == 2
    assert client.get("/account/security/recovery-codes/").status_code == 405


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.DATA_ANALYST])
def test_roles_without_personal_data_need_no_second_factor(
    client: Client, alpha: Organisation, make_user: Callable[..., User], role: str
) -> None:
    user = make_user(alpha, role)
    password_only(client, user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Dashboard" in response.content
    assert client.get("/account/security/").status_code == 200


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.DATA_ANALYST])
def test_roles_without_personal_data_must_verify_once_enrolled(
    client: Client, alpha: Organisation, make_user: Callable[..., User], role: str
) -> None:
    user = make_user(alpha, role)
    device = add_authenticator(user)
    password_only(client, user)
    assert client.get("/")["Location"] == VERIFY
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_trainee_may_enrol_voluntarily(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    password_only(client, user)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": current_code(device)})
    assert len(recovery_codes_in(response.content)) == 10
    assert client.get("/").status_code == 200


def test_anonymous_visitor_cannot_reach_two_factor_pages(client: Client, db: None) -> None:
    for path in (VERIFY, SETUP):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/?next=")
    assert not TOTPDevice.objects.exists()
