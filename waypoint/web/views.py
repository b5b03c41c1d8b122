"""Dashboard, health check and the error pages."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from waypoint.accounts.models import User
from waypoint.accounts.policy import AccessDenied, Permission, authorize, can, record_denial
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome
from waypoint.cases import selectors as case_selectors
from waypoint.cases.selectors import DueScope
from waypoint.returns import selectors as return_selectors
from waypoint.web.forms import DueScopeForm


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    can_see_people = can(user, Permission.VIEW_PERSONAL_DATA)
    return render(
        request,
        "web/dashboard.html",
        {
            "can_screen": can(user, Permission.SCREEN_ANONYMOUSLY),
            "can_audit": can(user, Permission.VIEW_AUDIT_TRAIL),
            "can_manage_users": can(user, Permission.MANAGE_USERS),
            "can_see_people": can_see_people,
            "can_see_programme": can(user, Permission.VIEW_AGGREGATES),
            "due_count": (
                case_selectors.due_case_count(user, today=timezone.localdate())
                if can_see_people
                else 0
            ),
            "attention_count": (
                len(return_selectors.returns_needing_attention(user)) if can_see_people else 0
            ),
        },
    )


@login_required
@never_cache
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """Everything that needs the user soon: case deadlines and returns flagged by monitoring."""
    user = request.user
    assert isinstance(user, User)
    actor = audit.actor_from_request(request)
    authorize(actor, user, Permission.VIEW_PERSONAL_DATA, object_type="case")
    form = DueScopeForm(request.GET)
    scope: DueScope = (
        "organisation"
        if form.is_valid() and form.cleaned_data["scope"] == "organisation"
        else "mine"
    )
    if scope == "organisation":
        authorize(actor, user, Permission.APPROVE_CASE_DECISIONS, object_type="case")
    today = timezone.localdate()
    return render(
        request,
        "web/due.html",
        {
            "scope": scope,
            "items": case_selectors.due_list(user, today=today, scope=scope),
            "due_cases": case_selectors.due_case_count(user, today=today, scope=scope),
            "shown_cases_limit": case_selectors.DUE_CASES_LIMIT,
            "returns_needing_attention": return_selectors.returns_needing_attention(user),
            "may_see_organisation": can(user, Permission.APPROVE_CASE_DECISIONS),
        },
    )


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    audit.record(
        audit.actor_from_request(request),
        "request.rejected",
        outcome=Outcome.DENIED,
        details={"reason": "csrf", "path": request.path[:200]},
    )
    return render(
        request,
        "web/error.html",
        {
            "title": _("The form has expired"),
            "message": _(
                "For your safety the form could not be accepted. Go back, reload the page and "
                "try again."
            ),
        },
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    audit.record(
        audit.actor_from_request(request),
        "request.rejected",
        outcome=Outcome.DENIED,
        details={"reason": "bad_request", "path": request.path[:200]},
    )
    return render(
        request,
        "web/error.html",
        {"title": _("Bad request"), "message": _("The request could not be understood.")},
        status=400,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, AccessDenied):
        record_denial(exception)
    return render(
        request,
        "web/error.html",
        {
            "title": _("Access refused"),
            "message": _("You do not have permission to see this page. The attempt was recorded."),
        },
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("Page not found"), "message": _("There is nothing at this address.")},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": _("Something went wrong"),
            "message": _("The error was logged. Please try again in a moment."),
        },
        status=500,
    )
