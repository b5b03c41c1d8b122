from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.accounts.policy import Permission, authorize
from waypoint.audit.forms import AuditFilterForm
from waypoint.audit.selectors import AuditFilter, distinct_actions, events_for_organisation
from waypoint.audit.services import actor_from_request

PAGE_SIZE = 50


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    authorize(
        actor_from_request(request), user, Permission.VIEW_AUDIT_TRAIL, object_type="audit_event"
    )
    organisation_id: int = user.organisation_id  # type: ignore[union-attr]
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilter(**form.cleaned_data) if form.is_valid() else AuditFilter()
    page = Paginator(events_for_organisation(organisation_id, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "actions": distinct_actions(organisation_id),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )
