from datetime import date, datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from waypoint.accounts.policy import Permission, authorize
from waypoint.audit.selectors import AuditFilter, events_for_organisation
from waypoint.audit.services import actor_from_request

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor_username: str
    action: str
    outcome: str
    object_type: str
    object_id: str
    ip_address: str | None
    details: dict[str, object]
    entry_hash: str


class AuditQuery(Schema):
    actor: str = ""
    action: str = ""
    outcome: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


@router.get("/events", response=list[AuditEventOut], summary="Your organisation's audit trail")
@paginate(LimitOffsetPagination)
def events(request: HttpRequest, filters: Query[AuditQuery]):  # type: ignore[no-untyped-def]
    authorize(
        actor_from_request(request),
        request.user,
        Permission.VIEW_AUDIT_TRAIL,
        object_type="audit_event",
    )
    return events_for_organisation(
        request.user.organisation_id,  # type: ignore[union-attr]
        AuditFilter(**filters.dict()),
    )
