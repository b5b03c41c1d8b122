"""Request guards that run before any view: oversized bodies and dead sessions."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from waypoint.audit import services as audit
from waypoint.audit.models import Outcome


class RequestSizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BYTES from its declared length, before reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length > settings.MAX_REQUEST_BYTES or length < 0:
            audit.record(
                audit.actor_from_request(request),
                "request.rejected",
                outcome=Outcome.DENIED,
                details={"reason": "too_large", "path": request.path[:200], "length": length},
            )
            message = _("The request is too large: the limit is %(limit)s bytes.") % {
                "limit": settings.MAX_REQUEST_BYTES
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(
                request,
                "web/error.html",
                {"title": _("Request too large"), "message": message},
                status=413,
            )
        return self.get_response(request)


class InvalidSessionMiddleware:
    """Tell the person, and the audit trail, when a session cookie named no live session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        presented = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # Reading the user loads the session; a forged, expired or revoked one leaves no key.
        if presented and not request.user.is_authenticated and request.session.session_key is None:
            audit.record(
                audit.actor_from_request(request),
                "session.invalid",
                outcome=Outcome.DENIED,
                details={"path": request.path[:200]},
            )
            messages.warning(
                request, _("Your session has ended or is not valid. Please sign in again.")
            )
        return self.get_response(request)
