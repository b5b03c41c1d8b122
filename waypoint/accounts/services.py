"""Every write to accounts: one transaction each, with its audit event inside it."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts.models import ApiToken, Organisation, Role, User, new_session_salt
from waypoint.accounts.policy import Permission, authorize, second_factor_passed
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome

TOKEN_PREFIX = "wp_"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transaction.atomic
def issue_api_token(actor: audit.Actor, user: User, *, name: str, days: int) -> IssuedToken:
    authorize(actor, user, Permission.MANAGE_OWN_TOKENS)
    days = max(1, min(days, settings.API_TOKEN_MAX_DAYS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
        second_factor_passed=second_factor_passed(user),
    )
    audit.record(actor, "api_token.create", object_type="api_token", object_id=token.pk)
    return IssuedToken(token, secret)


@transaction.atomic
def revoke_api_token(actor: audit.Actor, user: User, *, token_id: int) -> None:
    authorize(actor, user, Permission.MANAGE_OWN_TOKENS)
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit.record(actor, "api_token.revoke", object_type="api_token", object_id=token_id)


@dataclass(frozen=True)
class TokenCheck:
    user: User | None
    problem: str = ""
    second_factor_passed: bool = False


@transaction.atomic
def authenticate_api_token(actor: audit.Actor, raw: str) -> TokenCheck:
    """Resolve a bearer token to its user, auditing every refusal with its reason."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
        if raw.startswith(TOKEN_PREFIX) and len(raw) < 100
        else None
    )
    now = timezone.now()
    problem = ""
    if token is None:
        problem = "unknown"
    elif token.revoked_at is not None:
        problem = "revoked"
    elif token.expires_at <= now:
        problem = "expired"
    elif not token.user.is_active:
        problem = "inactive_user"
    if problem:
        audit.record(
            actor if token is None else _actor_for(token.user, actor),
            "api_token.refused",
            outcome=Outcome.DENIED,
            object_type="api_token",
            object_id=token.pk if token else "",
            details={"reason": problem},
        )
        return TokenCheck(None, problem)
    assert token is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenCheck(token.user, second_factor_passed=token.second_factor_passed)


def _actor_for(user: User, request_actor: audit.Actor) -> audit.Actor:
    return audit.Actor(
        user_id=user.pk,
        username=user.get_username(),
        organisation_id=user.organisation_id,
        ip_address=request_actor.ip_address,
        user_agent=request_actor.user_agent,
    )


def _revoke_all_tokens(user: User) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def end_all_sessions(actor: audit.Actor, user: User) -> None:
    """Log the user out everywhere: every session's auth hash stops matching."""
    User.objects.filter(pk=user.pk).update(session_salt=new_session_salt())
    user.refresh_from_db(fields=["session_salt"])
    audit.record(actor, "session.end_all", object_type="user", object_id=user.pk)


@transaction.atomic
def start_totp_setup(actor: audit.Actor, user: User) -> TOTPDevice:
    """Return the user's pending authenticator, creating one if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        audit.record(actor, "two_factor.setup_started", object_type="user", object_id=user.pk)
    return device


@transaction.atomic
def confirm_totp_device(actor: audit.Actor, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a pending authenticator with a code from it; return fresh recovery codes."""
    if not device.verify_token(code):
        audit.record(
            actor,
            "two_factor.setup_failed",
            outcome=Outcome.FAILURE,
            object_type="user",
            object_id=device.user_id,
        )
        return None
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor, "two_factor.enabled", object_type="user", object_id=device.user_id)
    return _replace_recovery_codes(device.user)


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def regenerate_recovery_codes(actor: audit.Actor, user: User) -> list[str]:
    codes = _replace_recovery_codes(user)
    audit.record(actor, "two_factor.recovery_codes_replaced", object_type="user", object_id=user.pk)
    return codes


def record_second_factor(actor: audit.Actor, *, succeeded: bool, device_kind: str) -> None:
    audit.record(
        actor,
        "login.second_factor" if succeeded else "login.second_factor_failed",
        outcome=Outcome.SUCCESS if succeeded else Outcome.FAILURE,
        details={"device": device_kind},
    )


@transaction.atomic
def create_user(
    actor: audit.Actor,
    admin: User,
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    password: str,
) -> User:
    authorize(actor, admin, Permission.MANAGE_USERS)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        organisation=admin.organisation,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor, "user.create", object_type="user", object_id=user.pk, details={"role": role}
    )
    return user


@transaction.atomic
def update_user_access(
    actor: audit.Actor, admin: User, target: User, *, role: Role, is_active: bool
) -> None:
    authorize(
        actor, admin, Permission.MANAGE_USERS, target, object_type="user", object_id=target.pk
    )
    changes: dict[str, list[object]] = {}
    if target.role != role:
        changes["role"] = [target.role, str(role)]
    if target.is_active != is_active:
        changes["is_active"] = [target.is_active, is_active]
    if not changes:
        return
    User.objects.filter(pk=target.pk).update(
        role=role, is_active=is_active, session_salt=new_session_salt()
    )
    # New rights need a fresh sign-in and fresh tokens, never ones issued for the old role.
    _revoke_all_tokens(target)
    audit.record(actor, "user.update", object_type="user", object_id=target.pk, details=changes)


@transaction.atomic
def reset_two_factor(actor: audit.Actor, admin: User, target: User) -> None:
    """For a lost phone: remove the user's devices; they must enrol again at next login."""
    authorize(
        actor, admin, Permission.MANAGE_USERS, target, object_type="user", object_id=target.pk
    )
    TOTPDevice.objects.filter(user=target).delete()
    StaticDevice.objects.filter(user=target).delete()
    User.objects.filter(pk=target.pk).update(session_salt=new_session_salt())
    _revoke_all_tokens(target)
    audit.record(actor, "two_factor.reset", object_type="user", object_id=target.pk)


@transaction.atomic
def create_organisation(actor: audit.Actor, *, name: str, kind: str, country: str) -> Organisation:
    organisation = Organisation.objects.create(name=name, kind=kind, country=country.upper())
    audit.record(
        actor,
        "organisation.create",
        object_type="organisation",
        object_id=organisation.pk,
        organisation_id=organisation.pk,
    )
    return organisation
