"""Writing to the audit trail. Every write joins the caller's transaction."""

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from waypoint.audit.models import AuditEvent, ChainHead, Outcome

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something, as the audit trail records it."""

    user_id: int | None = None
    username: str = ""
    organisation_id: int | None = None
    ip_address: str | None = None
    user_agent: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def normalised_ip(value: str | None) -> str | None:
    """The address in the form the database gives back, so the entry hashes the same later."""
    try:
        address = ipaddress.ip_address(value or "")
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


def _without_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text or jsonb; an attacker's URL must not break auditing.
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value


def actor_from_request(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return Actor(
        user_id=user.pk if authenticated and user is not None else None,
        username=user.get_username() if authenticated and user is not None else "",
        organisation_id=getattr(user, "organisation_id", None) if authenticated else None,
        ip_address=normalised_ip(request.META.get("REMOTE_ADDR")),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def entry_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "outcome": event.outcome,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "details": event.details,
    }


def record(
    actor: Actor,
    action: str,
    *,
    outcome: str = Outcome.SUCCESS,
    object_type: str = "",
    object_id: object = "",
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; the chain head row lock keeps concurrent appends in one line."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(singleton=1).first()
        if head is None:
            head = ChainHead.objects.create(singleton=1, last_hash=GENESIS_HASH)
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=actor.user_id,
            actor_username=_without_nul(actor.username),
            organisation_id=organisation_id
            if organisation_id is not None
            else actor.organisation_id,
            action=action,
            outcome=outcome,
            object_type=object_type,
            object_id=_without_nul(str(object_id)) if object_id != "" else "",
            ip_address=actor.ip_address,
            user_agent=_without_nul(actor.user_agent),
            details=_without_nul({**actor.extra, **(details or {})}),
            previous_hash=head.last_hash,
        )
        event.entry_hash = entry_hash(head.last_hash, hashed_fields(event))
        event.save()
        ChainHead.objects.filter(singleton=1).update(
            last_event_id=event.pk, last_hash=event.entry_hash
        )
    return event
