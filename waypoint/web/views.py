"""Dashboard, health check and the error pages."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from waypoint.accounts.policy import AccessDenied, Permission, can, record_denial
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/dashboard.html",
        {
            "can_screen": can(user, Permission.SCREEN_ANONYMOUSLY),
            "can_audit": can(user, Permission.VIEW_AUDIT_TRAIL),
            "can_manage_users": can(user, Permission.MANAGE_USERS),
            "can_see_people": can(user, Permission.VIEW_PERSONAL_DATA),
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
