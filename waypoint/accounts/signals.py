"""Logins and failed logins go to the audit trail."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from waypoint.accounts.models import User
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(audit.actor_from_request(request), "login.password")


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        actor = audit.actor_from_request(request)
        audit.record(
            audit.Actor(
                user_id=user.pk,
                username=user.get_username(),
                organisation_id=user.organisation_id,
                ip_address=actor.ip_address,
                user_agent=actor.user_agent,
            ),
            "logout",
        )


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    actor = audit.actor_from_request(request) if request is not None else audit.Actor()
    username = str(credentials.get("username", ""))[:150]
    # File the failure under the targeted account's organisation so its auditors see it.
    organisation_id = (
        User.objects.filter(username=username).values_list("organisation_id", flat=True).first()
    )
    audit.record(
        actor,
        "login.failed",
        outcome=Outcome.FAILURE,
        organisation_id=organisation_id,
        details={"username": username},
    )


@receiver(user_locked_out)
def audit_lockout(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    actor = audit.actor_from_request(request) if request is not None else audit.Actor()
    organisation_id = (
        User.objects.filter(username=username or "")
        .values_list("organisation_id", flat=True)
        .first()
    )
    audit.record(
        actor,
        "login.locked_out",
        outcome=Outcome.DENIED,
        organisation_id=organisation_id,
        details={"username": (username or "")[:150]},
    )
