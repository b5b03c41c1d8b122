"""The organisation administrator's user management."""

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoAssertNumQueries, Settings

from tests.conftest import PASSWORD, add_authenticator
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def new_user_form(**overrides: str) -> dict[str, str]:
    return {
        "username": "new.person",
        "first_name": "Maria",
        "last_name": "Kowalska",
        "email": "maria@example.org",
        "role": Role.CASE_WORKER,
        "password": "a-long-and-unusual-passphrase-7",
        **overrides,
    }


def signed_in_elsewhere(user: User) -> Client:
    other = Client()
    response = other.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_authenticator(user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=1)
    assert other.post("/account/two-factor/", {"code": f"{code:06d}"}).status_code == 302
    return other


@pytest.fixture
def admin(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return make_user(alpha, Role.ORG_ADMIN, username="alpha-admin")


@pytest.fixture
def admin_client(admin: User, signed_in: Callable[[User], Client]) -> Client:
    return signed_in(admin)


def test_admin_lists_own_users(
    admin_client: Client,
    alpha: Organisation,
    make_user: Callable[..., User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    people = [make_user(alpha, role) for role in (Role.CASE_WORKER, Role.AUDITOR, Role.TRAINEE)]
    User.objects.filter(pk=people[2].pk).update(is_active=False)
    with django_assert_max_num_queries(12):
        response = admin_client.get("/account/users/")
    assert response.status_code == 200
    page = response.content.decode()
    for person in people:
        assert person.username in page
        assert f"/account/users/{person.pk}/reset-two-factor/" in page
    assert "Disabled" in page
    assert "Organisation administrator" in page


def test_admin_creates_a_user(admin_client: Client, admin: User) -> None:
    response = admin_client.post("/account/users/", new_user_form(), follow=True)
    assert response.redirect_chain[-1][0] == "/account/users/"
    assert "new.person can now sign in." in response.content.decode()
    created = User.objects.get(username="new.person")
    assert created.organisation_id == admin.organisation_id
    assert created.role == Role.CASE_WORKER
    assert created.check_password("a-long-and-unusual-passphrase-7")
    assert created.is_active
    assert not created.is_staff
    assert not created.is_superuser
    [event] = events("user.create")
    assert event.actor_id == admin.pk
    assert event.object_id == str(created.pk)
    assert event.details == {"role": "case_worker"}
    # The new person can sign in and is sent to set up a second factor.
    other = Client()
    other.post(
        "/account/login/", {"username": "new.person", "password": "a-long-and-unusual-passphrase-7"}
    )
    assert other.get("/")["Location"] == "/account/two-factor/setup/"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short."),
        ("password1234", "This password is too common."),
        ("849302758493027", "This password is entirely numeric."),
        ("new.person.maria", "The password is too similar to the"),
    ],
)
def test_weak_password_is_refused_and_nothing_is_created(
    admin_client: Client, password: str, message: str
) -> None:
    response = admin_client.post("/account/users/", new_user_form(password=password))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="new.person").exists()
    assert not events("user.create")


@pytest.mark.parametrize("username", ["alpha-admin", "ALPHA-ADMIN", "Alpha-Admin"])
def test_taken_username_is_refused(admin_client: Client, username: str) -> None:
    response = admin_client.post("/account/users/", new_user_form(username=username))
    assert response.status_code == 400
    assert "This username is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="alpha-admin").count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"username": "has space"},
        {"username": "<script>"},
        {"username": "u" * 151},
        {"email": "not-an-email"},
        {"role": "superuser"},
        {"first_name": ""},
    ],
)
def test_invalid_new_user_form(admin_client: Client, overrides: dict[str, str]) -> None:
    response = admin_client.post("/account/users/", new_user_form(**overrides))
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert User.objects.count() == 1


def test_admin_changes_role_and_deactivates(
    admin_client: Client, admin: User, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    target = make_user(alpha, Role.CASE_WORKER)
    target_client = signed_in_elsewhere(target)
    assert target_client.get("/").status_code == 200
    salt = target.session_salt

    page = admin_client.get(f"/account/users/{target.pk}/")
    assert page.status_code == 200
    assert target.email in page.content.decode()

    response = admin_client.post(
        f"/account/users/{target.pk}/", {"role": Role.SUPERVISOR, "is_active": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/account/users/"
    assert "The account was updated." in response.content.decode()
    target.refresh_from_db()
    assert target.role == Role.SUPERVISOR
    assert target.is_active
    assert target.session_salt != salt
    [update] = events("user.update")
    assert update.actor_id == admin.pk
    assert update.object_id == str(target.pk)
    assert update.details == {"role": ["case_worker", "supervisor"]}
    # The promoted person's running session ended: the new role starts with a new sign-in.
    assert target_client.get("/").status_code == 302

    admin_client.post(f"/account/users/{target.pk}/", {"role": Role.SUPERVISOR})
    target.refresh_from_db()
    assert not target.is_active
    assert events("user.update")[-1].details == {"is_active": [True, False]}
    other = Client()
    response = other.post("/account/login/", {"username": target.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in other.session


def test_saving_without_changes_writes_nothing(
    admin_client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    target = make_user(alpha, Role.CASE_WORKER)
    salt = target.session_salt
    response = admin_client.post(
        f"/account/users/{target.pk}/", {"role": Role.CASE_WORKER, "is_active": "on"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.session_salt == salt
    assert not events("user.update")


def test_admin_cannot_deactivate_self(admin_client: Client, admin: User) -> None:
    response = admin_client.post(f"/account/users/{admin.pk}/", {"role": Role.ORG_ADMIN})
    assert response.status_code == 400
    assert "You cannot disable your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not events("user.update")
    assert admin_client.get("/account/users/").status_code == 200


def test_invalid_access_form(
    admin_client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    target = make_user(alpha, Role.TRAINEE)
    response = admin_client.post(f"/account/users/{target.pk}/", {"role": "god", "is_active": "on"})
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.role == Role.TRAINEE


def test_unknown_user_is_404(admin_client: Client) -> None:
    assert admin_client.get("/account/users/999999/").status_code == 404
    assert admin_client.post("/account/users/999999/reset-two-factor/").status_code == 404


def test_admin_resets_two_factor(
    admin_client: Client, admin: User, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    target = make_user(alpha, Role.CASE_WORKER)
    target_client = signed_in_elsewhere(target)
    static = StaticDevice.objects.create(user=target, name="Recovery codes", confirmed=True)
    static.token_set.create(token="abcdef1234")

    assert admin_client.get(f"/account/users/{target.pk}/reset-two-factor/").status_code == 405
    response = admin_client.post(f"/account/users/{target.pk}/reset-two-factor/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/users/"
    assert "must set up an authenticator at the next sign-in" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    [reset] = events("two_factor.reset")
    assert reset.actor_id == admin.pk
    assert reset.object_id == str(target.pk)
    # The old session is over, and the next sign-in goes to setup.
    assert target_client.get("/").status_code == 302
    fresh = Client()
    fresh.post("/account/login/", {"username": target.username, "password": PASSWORD})
    assert fresh.get("/")["Location"] == "/account/two-factor/setup/"
    # The admin's own devices are untouched.
    assert TOTPDevice.objects.filter(user=admin).exists()
