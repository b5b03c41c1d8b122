"""Request guards that run before any view (oversized bodies, dead sessions), and the turn of
a redirect into a full-page one for htmx."""

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
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return self.refuse(
                request,
                _("The Content-Length header is not a number."),
                status=400,
                details={"reason": "bad_length", "length": declared[:20]},
            )
        if int(declared) > settings.MAX_REQUEST_BYTES:
            message = _("The request is too large: the limit is %(limit)s bytes.") % {
                "limit": settings.MAX_REQUEST_BYTES
            }
            return self.refuse(
                request,
                message,
                status=413,
                details={"reason": "too_large", "length": int(declared)},
            )
        return self.get_response(request)

    def refuse(
        self, request: HttpRequest, message: str, *, status: int, details: dict[str, object]
    ) -> HttpResponse:
        audit.record(
            audit.actor_from_request(request),
            "request.rejected",
            outcome=Outcome.DENIED,
            details={**details, "path": request.path[:200]},
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=status)
        title = _("Request too large") if status == 413 else _("Bad request")
        return render(
            request, "web/error.html", {"title": title, "message": message}, status=status
        )


class ApiJsonErrorsMiddleware:
    """API clients get JSON for every error, including Django's own 404 and 405 answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (404, 405)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = "Not found." if response.status_code == 404 else "Method not allowed."
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            if allowed := response.get("Allow"):
                json_response["Allow"] = allowed
            return json_response
        return response


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


class HtmxRedirectMiddleware:
    """A redirect in answer to htmx (to sign in again after the session ended, or to set up two
    factors) becomes a full-page one: the browser would follow it inside the request, and htmx
    would put the whole sign-in page where a fragment belongs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or not 300 <= response.status_code < 400:
            return response
        location = response.get("Location")
        if not location:
            return response
        full_page = HttpResponse(status=204)
        full_page["HX-Redirect"] = location
        for name in ("Vary", "Cache-Control"):
            if name in response:
                full_page[name] = response[name]
        full_page.cookies = response.cookies
        return full_page
