"""The JSON API at /api/v1/: one NinjaAPI that mounts each capability's router."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from waypoint.accounts import services as account_services
from waypoint.accounts.api import router as accounts_router
from waypoint.accounts.policy import AccessDenied, record_denial
from waypoint.audit.api import router as audit_router
from waypoint.audit.services import actor_from_request
from waypoint.cases.api import router as cases_router
from waypoint.returns.api import router as returns_router
from waypoint.screening.api import router as screening_router


class ApiTokenRefused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


_TOKEN_PROBLEMS = {
    "unknown": "The API token is not valid.",
    "revoked": "The API token was revoked.",
    "expired": "The API token has expired.",
    "inactive_user": "The account that owns this API token is disabled.",
}


class PersonalApiToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        check = account_services.authenticate_api_token(actor_from_request(request), token)
        if check.user is None:
            raise ApiTokenRefused(check.problem)
        user: Any = check.user
        user.authenticated_by_token = True
        user.token_second_factor_passed = check.second_factor_passed
        request.user = user
        return user


api = NinjaAPI(
    title="Waypoint API",
    version="1",
    description=(
        "Waypoint's JSON API. Authenticate with a personal API token: "
        "`Authorization: Bearer wp_...` (create one under Account → Security)."
    ),
    auth=PersonalApiToken(),
    urls_namespace="api",
)


@api.exception_handler(ApiTokenRefused)
def token_refused(request: HttpRequest, exc: ApiTokenRefused) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _TOKEN_PROBLEMS.get(exc.problem, _TOKEN_PROBLEMS["unknown"])},
        status=401,
    )


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentication required: send `Authorization: Bearer <token>`."},
        status=401,
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if isinstance(exc, AccessDenied):
        record_denial(exc)
    return api.create_response(
        request, {"detail": _("You do not have permission to do this.")}, status=403
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # ninja reads the uploaded files itself, so Django's own 400 for this never comes into play.
    return api.create_response(
        request,
        {"detail": f"The multipart body could not be read: {exc}."},
        status=400,
    )


def json_path(location: tuple[object, ...] | list[object]) -> str:
    """ninja's error location as a JSON path into what the client sent.

    The location starts with where the value came from (body, query, path) and, for a body,
    the handler's parameter name: neither is part of the client's document.
    """
    parts = list(location)
    skip = 2 if parts[:1] == ["body"] and len(parts) > 1 else 1
    return "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts[skip:]
    )


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"path": json_path(error.get("loc", ())), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return api.create_response(
        request, {"detail": "The input is not valid.", "errors": errors}, status=422
    )


api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/screening", screening_router)
api.add_router("/cases", cases_router)
api.add_router("/returns", returns_router)
