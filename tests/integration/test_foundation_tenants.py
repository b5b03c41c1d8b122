"""Tenant isolation: a user of Alpha never sees or changes Beta's records, on any route.

`ROUTES` lists every URL the foundation serves; a new route fails
`test_every_route_is_listed` until it is added here with its isolation test.
"""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from tests.conftest import PASSWORD, add_authenticator, current_code
from waypoint.accounts import services
from waypoint.accounts.models import ApiToken, Organisation, Role, User
from waypoint.audit import services as audit
from waypoint.audit.models import AuditEvent, Outcome

ACCESS_REFUSED = "Access refused"

# Route → the test that shows it keeps to the user's own organisation (or why none is needed).
ROUTES = {
    "": "test_dashboard_shows_only_own_organisation",
    "account/login/": "public: no records",
    "account/logout/": "own session only",
    "account/two-factor/": "own devices only: test_two_factor_pages_use_only_own_devices",
    "account/two-factor/setup/": "own devices only: test_two_factor_pages_use_only_own_devices",
    "account/security/": "test_security_page_lists_only_own_tokens",
    "account/security/tokens/": "test_security_page_lists_only_own_tokens",
    "account/security/tokens/<int:token_id>/revoke/": "test_cannot_revoke_another_users_token",
    "account/security/recovery-codes/": "test_recovery_codes_and_sign_out_touch_only_self",
    "account/security/sign-out-everywhere/": "test_recovery_codes_and_sign_out_touch_only_self",
    "account/organisation/<int:organisation_id>/": "test_other_organisation_page_is_refused",
    "account/users/": "test_users_list_shows_only_own_organisation",
    "account/users/<int:user_id>/": "test_other_organisation_user_cannot_be_changed",
    "account/users/<int:user_id>/reset-two-factor/": "test_other_organisation_2fa_reset_refused",
    "audit/": "test_audit_trail_page_shows_only_own_events",
    "i18n/setlang/": "public: no records",
    "health": "public: no records",
    "api/v1/": "ninja root: 404",
    "api/v1/openapi.json": "public schema: no records",
    "api/v1/docs": "public documentation: no records",
    "api/v1/me": "test_api_me_is_own_account",
    "api/v1/organisations/<organisation_id>": "test_api_other_organisation_is_refused",
    "api/v1/audit/events": "test_api_audit_events_show_only_own_events",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def all_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="permission.denied").order_by("id"))


def issue(user: User) -> services.IssuedToken:
    user.is_verified = lambda: True  # type: ignore[method-assign]  # as after the second factor
    return services.issue_api_token(audit.Actor(), user, name=f"token-{user.pk}", days=5)


def bearer(user: User) -> dict[str, str]:
    secret = issue(user).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def record_in(organisation: Organisation, action: str, username: str = "someone") -> AuditEvent:
    return audit.record(audit.Actor(username=username, organisation_id=organisation.pk), action)


@pytest.fixture
def beta_people(beta: Organisation, make_user: Callable[..., User]) -> dict[str, User]:
    return {role.value: make_user(beta, role) for role in Role}


def test_every_route_is_listed() -> None:
    routes = {
        route
        for route in all_routes(get_resolver().url_patterns)
        # Each capability's own suite proves isolation for its routes (the cases access matrix
        # and page tests, which cover the due page too; the returns tenancy tests); screening
        # holds no records at all.
        if not route.startswith(
            (
                "screening/",
                "api/v1/screening",
                "cases/",
                "api/v1/cases",
                "due/",
                "returns/",
                "api/v1/returns",
            )
        )
    }
    unlisted = routes - set(ROUTES)
    assert not unlisted, f"routes without a tenant-isolation test in ROUTES: {sorted(unlisted)}"
    gone = set(ROUTES) - routes
    assert not gone, f"ROUTES lists routes that no longer exist: {sorted(gone)}"


def test_dashboard_shows_only_own_organisation(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    page = client.get("/").content.decode()
    assert alpha.name in page
    assert f"/account/organisation/{alpha.pk}/" in page
    assert beta.name not in page
    assert f"/account/organisation/{beta.pk}/" not in page


def test_other_organisation_page_is_refused(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    user = make_user(alpha, Role.SUPERVISOR)
    client = signed_in(user)
    own = client.get(f"/account/organisation/{alpha.pk}/")
    assert own.status_code == 200
    assert alpha.name in own.content.decode()

    response = client.get(f"/account/organisation/{beta.pk}/")
    assert response.status_code == 403
    page = response.content.decode()
    assert ACCESS_REFUSED in page
    assert beta.name not in page
    [denied] = denials()
    assert denied.actor_id == user.pk
    assert denied.outcome == Outcome.DENIED
    assert denied.object_type == "organisation"
    assert denied.object_id == str(beta.pk)
    assert denied.organisation_id == alpha.pk
    assert client.get("/account/organisation/999999/").status_code == 404


def test_users_list_shows_only_own_organisation(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
) -> None:
    colleague = make_user(alpha, Role.CASE_WORKER, username="alpha-colleague")
    admin = make_user(alpha, Role.ORG_ADMIN, username="alpha-admin")
    client = signed_in(admin)
    page = client.get("/account/users/").content.decode()
    assert colleague.username in page
    assert admin.username in page
    for person in beta_people.values():
        assert person.username not in page
        assert f"/account/users/{person.pk}/" not in page


def test_new_user_always_joins_the_admins_organisation(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(make_user(alpha, Role.ORG_ADMIN))
    response = client.post(
        "/account/users/",
        {
            "username": "smuggled",
            "first_name": "S",
            "last_name": "M",
            "email": "s@example.org",
            "role": Role.CASE_WORKER,
            "password": PASSWORD,
            "organisation": beta.pk,
            "organisation_id": beta.pk,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="smuggled").organisation_id == alpha.pk


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_organisation_user_cannot_be_changed(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
    method: str,
) -> None:
    admin = make_user(alpha, Role.ORG_ADMIN)
    client = signed_in(admin)
    target = beta_people[Role.CASE_WORKER]
    salt = target.session_salt
    response = getattr(client, method)(
        f"/account/users/{target.pk}/", {"role": Role.ORG_ADMIN, "is_active": ""}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert ACCESS_REFUSED in page
    assert target.email not in page
    target.refresh_from_db()
    assert target.role == Role.CASE_WORKER
    assert target.is_active
    assert target.session_salt == salt
    [denied] = denials()
    assert denied.object_type == "user"
    assert denied.object_id == str(target.pk)
    assert denied.organisation_id == alpha.pk
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_other_organisation_2fa_reset_refused(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
) -> None:
    client = signed_in(make_user(alpha, Role.ORG_ADMIN))
    target = beta_people[Role.SUPERVISOR]
    add_authenticator(target)
    StaticDevice.objects.create(user=target, name="Recovery codes", confirmed=True)
    response = client.post(f"/account/users/{target.pk}/reset-two-factor/")
    assert response.status_code == 403
    assert ACCESS_REFUSED in response.content.decode()
    assert TOTPDevice.objects.filter(user=target).count() == 1
    assert StaticDevice.objects.filter(user=target).count() == 1
    assert not AuditEvent.objects.filter(action="two_factor.reset").exists()
    assert denials()[-1].object_id == str(target.pk)


def test_security_page_lists_only_own_tokens(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
) -> None:
    stranger = beta_people[Role.CASE_WORKER]
    stranger_token = issue(stranger).token
    user = make_user(alpha, Role.CASE_WORKER)
    client = signed_in(user)
    client.post("/account/security/tokens/", {"name": "alpha-token", "days": 5})
    page = client.get("/account/security/").content.decode()
    assert "alpha-token" in page
    assert stranger_token.name not in page
    assert stranger_token.prefix not in page
    assert ApiToken.objects.get(name="alpha-token").user == user


def test_cannot_revoke_another_users_token(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
) -> None:
    stranger = beta_people[Role.CASE_WORKER]
    issued = issue(stranger)
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    client.post(f"/account/security/tokens/{issued.token.pk}/revoke/")
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_recovery_codes_and_sign_out_touch_only_self(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    beta_people: dict[str, User],
) -> None:
    stranger = beta_people[Role.CASE_WORKER]
    static = StaticDevice.objects.create(user=stranger, name="Recovery codes", confirmed=True)
    static.token_set.create(token="beta000001")
    salt = stranger.session_salt
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    client.post("/account/security/recovery-codes/")
    client.post("/account/security/sign-out-everywhere/")
    assert list(static.token_set.values_list("token", flat=True)) == ["beta000001"]
    stranger.refresh_from_db()
    assert stranger.session_salt == salt


def test_two_factor_pages_use_only_own_devices(
    alpha: Organisation,
    client: Client,
    make_user: Callable[..., User],
    beta_people: dict[str, User],
) -> None:
    stranger = beta_people[Role.CASE_WORKER]
    stranger_device = add_authenticator(stranger)
    user = make_user(alpha, Role.CASE_WORKER)
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/account/two-factor/", {"code": current_code(stranger_device)})
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/setup/"
    client.get("/account/two-factor/setup/")
    response = client.post("/account/two-factor/setup/", {"code": current_code(stranger_device)})
    assert b"The code is not valid" in response.content
    assert client.get("/")["Location"] == "/account/two-factor/setup/"


def test_audit_trail_page_shows_only_own_events(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    record_in(alpha, "probe.alpha_only", username="alpha-person")
    record_in(beta, "probe.beta_only", username="beta-person")
    client = signed_in(make_user(alpha, Role.AUDITOR))
    page = client.get("/audit/").content.decode()
    assert "probe.alpha_only" in page
    assert "probe.beta_only" not in page
    assert "beta-person" not in page
    filtered = client.get("/audit/", {"actor": "beta-person"}).content.decode()
    assert "No events match." in filtered
    filtered = client.get("/audit/", {"action": "probe."}).content.decode()
    assert "probe.alpha_only" in filtered
    assert "probe.beta_only" not in filtered


def test_api_audit_events_show_only_own_events(
    alpha: Organisation,
    beta: Organisation,
    make_user: Callable[..., User],
) -> None:
    record_in(alpha, "probe.alpha_only")
    record_in(beta, "probe.beta_only")
    headers = bearer(make_user(alpha, Role.AUDITOR))
    response = Client().get("/api/v1/audit/events", **headers)
    assert response.status_code == 200
    body = response.json()
    actions = {item["action"] for item in body["items"]}
    assert "probe.alpha_only" in actions
    assert "probe.beta_only" not in actions
    assert body["count"] == AuditEvent.objects.filter(organisation_id=alpha.pk).count()
    ids = {item["id"] for item in body["items"]}
    assert not ids & set(
        AuditEvent.objects.filter(organisation_id=beta.pk).values_list("id", flat=True)
    )
    response = Client().get("/api/v1/audit/events", {"action": "probe.beta"}, **headers)
    assert response.json() == {"items": [], "count": 0}


def test_api_me_is_own_account(alpha: Organisation, make_user: Callable[..., User]) -> None:
    user = make_user(alpha, Role.TRAINEE)
    body = Client().get("/api/v1/me", **bearer(user)).json()
    assert body["username"] == user.username
    assert body["organisation"] == {
        "id": alpha.pk,
        "name": alpha.name,
        "kind": alpha.kind,
        "country": alpha.country,
    }


def test_api_other_organisation_is_refused(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    headers = bearer(user)
    own = Client().get(f"/api/v1/organisations/{alpha.pk}", **headers)
    assert own.status_code == 200
    assert own.json()["name"] == alpha.name
    response = Client().get(f"/api/v1/organisations/{beta.pk}", **headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}
    assert beta.name not in response.content.decode()
    [denied] = denials()
    assert denied.actor_id == user.pk
    assert denied.object_id == str(beta.pk)
    missing = Client().get("/api/v1/organisations/999999", **headers)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.CASE_WORKER, "/account/users/"),
        (Role.SUPERVISOR, "/account/users/"),
        (Role.AUDITOR, "/account/users/"),
        (Role.DATA_ANALYST, "/audit/"),
        (Role.CASE_WORKER, "/audit/"),
        (Role.ORG_ADMIN, "/audit/"),
        (Role.TRAINEE, "/account/users/"),
    ],
)
def test_roles_are_refused_pages_outside_their_permissions(
    alpha: Organisation,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    role: Role,
    path: str,
) -> None:
    user = make_user(alpha, role)
    client = signed_in(user)
    response = client.get(path)
    assert response.status_code == 403
    assert ACCESS_REFUSED in response.content.decode()
    [denied] = denials()
    assert denied.actor_id == user.pk


def test_case_worker_cannot_open_a_colleagues_account(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    colleague = make_user(alpha, Role.TRAINEE)
    client = signed_in(make_user(alpha, Role.CASE_WORKER))
    assert client.get(f"/account/users/{colleague.pk}/").status_code == 403
    assert client.post(f"/account/users/{colleague.pk}/reset-two-factor/").status_code == 403


@pytest.mark.parametrize("role", [Role.DATA_ANALYST, Role.CASE_WORKER, Role.TRAINEE])
def test_api_audit_events_refused_without_audit_permission(
    alpha: Organisation, make_user: Callable[..., User], role: Role
) -> None:
    response = Client().get("/api/v1/audit/events", **bearer(make_user(alpha, role)))
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}


def test_new_organisation_is_its_own_tenant(db: None) -> None:
    created = services.create_organisation(
        audit.Actor(username="waypoint setup"), name="Gamma (fictional)", kind="NGO", country="de"
    )
    assert created.country == "DE"
    assert str(created) == "Gamma (fictional)"
    assert created.organisation_id == created.pk
    [event] = AuditEvent.objects.filter(action="organisation.create")
    assert event.organisation_id == created.pk
    assert event.object_id == str(created.pk)
