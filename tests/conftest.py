"""Shared fixtures: two organisations (Alpha and Beta) with a user of every role in each.

Every view and endpoint is tested against the other organisation too, the way healthchecks
tests each view with Alice, Bob and Charlie.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts.models import Organisation, OrganisationKind, Role, User

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real hasher is slow on purpose; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    # Uploaded files of every test go to a folder of its own, never to the project's var/.
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return Path(settings.DOCUMENTS_DIR)


@pytest.fixture
def alpha(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Alpha Aid (fictional)", kind=OrganisationKind.NGO, country="PL"
    )


@pytest.fixture
def beta(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Beta Shelter (fictional)", kind=OrganisationKind.SHELTER, country="UA"
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(organisation: Organisation, role: str, username: str | None = None) -> User:
        return User.objects.create_user(
            username=username or f"{role}-{organisation.pk}",
            email=f"{role}-{organisation.pk}@example.org",
            password=PASSWORD,
            organisation=organisation,
            role=role,
        )

    return make


def add_authenticator(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """A client signed in with password and second factor, as the real login flow does."""

    def sign_in(user: User) -> Client:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_authenticator(
            user
        )
        response = client.post("/account/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content
        response = client.post("/account/two-factor/", {"code": current_code(device)})
        assert response.status_code == 302, response.content
        return client

    return sign_in


@pytest.fixture
def roles() -> list[str]:
    return [role.value for role in Role]
