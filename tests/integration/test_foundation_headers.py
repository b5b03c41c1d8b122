"""Security headers on real pages: CSP with a nonce, framing, sniffing, referrer, HSTS."""

import re
from collections.abc import Callable

import django
import pytest
from django.test import Client
from pytest_django import Settings

from tests.conftest import PASSWORD
from waypoint.accounts.models import Organisation, Role, User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def csp_nonce(header: str) -> str:
    found = re.findall(r"'nonce-([^']+)'", header)
    assert len(found) == 1, header
    return found[0]


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    version = django.get_version()
    for name, value in headers.items():
        assert "django" not in f"{name}: {value}".lower(), name
        assert version not in value, name


def assert_scripts_carry_the_nonce(response: object) -> None:
    nonce = csp_nonce(response.headers["Content-Security-Policy"])  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    scripts = re.findall(r"<script\b[^>]*>", page, re.I)
    assert scripts, "the page has no <script> tags to check"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    # No inline event handlers, which a nonce does not cover.
    assert not re.search(r"\son[a-z]+\s*=", page, re.I)


def test_login_page_headers(client: Client, db: None) -> None:
    response = client.get("/account/login/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_scripts_carry_the_nonce(response)


def test_nonce_is_fresh_on_every_response(client: Client, db: None) -> None:
    first = csp_nonce(client.get("/account/login/")["Content-Security-Policy"])
    second = csp_nonce(client.get("/account/login/")["Content-Security-Policy"])
    assert first != second
    assert len(first) >= 16


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.ORG_ADMIN, Role.AUDITOR])
def test_signed_in_pages_headers(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    role: Role,
) -> None:
    client = signed_in(make_user(alpha, role))
    paths = ["/", "/account/security/", f"/account/organisation/{alpha.pk}/"]
    paths += {Role.ORG_ADMIN: ["/account/users/"], Role.AUDITOR: ["/audit/"]}.get(role, [])
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        assert_scripts_carry_the_nonce(response)


def test_two_factor_setup_page_headers(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    response = client.get("/account/two-factor/setup/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_scripts_carry_the_nonce(response)
    # The QR code is a data: image, which the policy allows for images only.
    assert "img-src 'self' data:" in response["Content-Security-Policy"]


def test_error_pages_headers(
    client: Client,
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    not_found = Client().get("/no/such/page/")
    assert not_found.status_code == 404
    assert_security_headers(not_found)
    assert_scripts_carry_the_nonce(not_found)
    refused = signed_in(make_user(alpha, Role.CASE_WORKER)).get("/account/users/")
    assert refused.status_code == 403
    assert_security_headers(refused)
    assert_scripts_carry_the_nonce(refused)


def test_api_response_headers(db: None) -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert_security_headers(response)


def test_health_response_headers(db: None) -> None:
    response = Client().get("/health")
    assert_security_headers(response)
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_hsts_when_configured_and_secure(client: Client, db: None, settings: Settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    secure = client.get("/account/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/account/login/")
    assert "Strict-Transport-Security" not in plain


def test_no_hsts_unless_configured(client: Client, db: None) -> None:
    assert "Strict-Transport-Security" not in client.get("/account/login/", secure=True)


def test_https_deployment_redirects_plain_http(
    client: Client, db: None, settings: Settings
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/account/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/account/login/"


def test_static_files_are_served_with_nosniff(client: Client, db: None) -> None:
    page = client.get("/account/login/").content.decode()
    src = re.search(r'<script src="([^"]+app\.js)"', page)
    assert src is not None
    response = client.get(src.group(1))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "javascript" in response["Content-Type"]
