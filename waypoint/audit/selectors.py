"""Reading the audit trail: browsing for auditors and verifying the chain."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from waypoint.audit.models import AuditEvent, ChainHead
from waypoint.audit.services import GENESIS_HASH, entry_hash, hashed_fields


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    outcome: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def events_for_organisation(organisation_id: int, filters: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation_id=organisation_id)
    if filters.actor:
        events = events.filter(actor_username__iexact=filters.actor)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.date_from:
        events = events.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(created_at__date__lte=filters.date_to)
    return events.order_by("-id")


def distinct_actions(organisation_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(organisation_id=organisation_id)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ChainReport:
    verified: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _events_in_order(batch_size: int = 2000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


def verify_chain() -> ChainReport:
    """Walk the whole chain; report the first entry whose link does not hold."""
    previous_hash = GENESIS_HASH
    verified = 0
    last_id: int | None = None
    for event in _events_in_order():
        if event.previous_hash != previous_hash:
            return ChainReport(
                verified,
                event.pk,
                "the entry before it was removed or altered (its recorded predecessor hash "
                "does not match)",
            )
        if entry_hash(event.previous_hash, hashed_fields(event)) != event.entry_hash:
            return ChainReport(verified, event.pk, "its content was altered after it was written")
        previous_hash = event.entry_hash
        last_id = event.pk
        verified += 1
    head = ChainHead.objects.filter(singleton=1).first()
    if head is not None and (head.last_event_id != last_id or head.last_hash != previous_hash):
        return ChainReport(
            verified,
            head.last_event_id,
            "the newest entries were removed (the chain head points past the last entry)",
        )
    return ChainReport(verified)
