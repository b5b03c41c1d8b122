"""`POST /api/v1/screening/assess`: the engine as a stateless, anonymous, rate-limited endpoint."""

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from waypoint.api_schemas import InvalidInput, Refusal, inlined_definitions
from waypoint.domain.screening import (
    Assessment,
    ScreeningInputError,
    assess,
    get_catalogue,
    parse_screening_input,
)
from waypoint.domain.screening.contract import input_json_schema

router = Router(tags=["screening"])
EXPLANATION_LANGUAGES = get_catalogue().languages


class ScreeningRateThrottle(AnonRateThrottle):
    """A per-client limit read from `settings.SCREENING_API_RATE` on every request.

    Reading the setting per request (not once at import) lets a deployment or a test change
    it; an empty rate lifts the limit.
    """

    def __init__(self) -> None:
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.SCREENING_API_RATE or None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str | None:
        # Trust X-Forwarded-For only as far as the proxies the deployment declares
        # (WAYPOINT_PROXY_COUNT); otherwise a client could pick a new identity per request.
        proxies = settings.AXES_IPWARE_PROXY_COUNT
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        if proxies and forwarded:
            addresses = [address.strip() for address in forwarded.split(",")]
            return addresses[-min(proxies, len(addresses))]
        return request.META.get("REMOTE_ADDR")


class AssessQuery(Schema):
    # Checked in the handler, so that a wrong value is reported as a query parameter rather
    # than as a field of the JSON input.
    language: str = Field(
        "en",
        description="The language of the explanations.",
        json_schema_extra={"enum": list(EXPLANATION_LANGUAGES)},
    )


def invalid(detail: str, errors: list[dict[str, str]]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": detail, "errors": errors})


@router.post(
    "/assess",
    auth=None,
    throttle=[ScreeningRateThrottle()],
    response={200: Assessment, 422: InvalidInput, 429: Refusal},
    summary="Assess a screening input (stores nothing)",
    description=(
        "Takes the same JSON input as `waypoint screen` and returns the same assessment. "
        "No sign-in is needed and nothing is stored. Invalid input is answered with 422 and "
        "the JSON path of every wrong field. Each client may call this a limited number of "
        "times a minute (`SCREENING_API_RATE`); past it the answer is 429 with `Retry-After`."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inlined_definitions(input_json_schema())}},
        }
    },
)
def assess_screening(
    request: HttpRequest, query: Query[AssessQuery]
) -> HttpResponse | Status[dict[str, Any]]:
    if query.language not in EXPLANATION_LANGUAGES:
        return invalid(
            _("Unknown language “%(language)s”: use one of %(choices)s.")
            % {"language": query.language, "choices": ", ".join(EXPLANATION_LANGUAGES)},
            [{"path": "?language", "message": _("not a supported language")}],
        )
    try:
        raw = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = (
            _("line %(line)s, column %(column)s") % {"line": error.lineno, "column": error.colno}
            if isinstance(error, json.JSONDecodeError)
            else _("byte %(byte)s") % {"byte": error.start}
        )
        return invalid(
            _("The request body is not valid JSON (%(where)s).") % {"where": where},
            [{"path": "$", "message": str(error)}],
        )
    except RecursionError:
        return invalid(
            _("The request body is nested too deeply to be a screening input."),
            [{"path": "$", "message": _("nested too deeply")}],
        )
    try:
        screening_input = parse_screening_input(raw)
    except ScreeningInputError as error:
        return invalid(_("The input is not valid."), error.errors)
    # `to_dict()` already has the documented shape (the engine's contract tests check it), so
    # it is sent as it is rather than validated and serialised a second time.
    return JsonResponse(assess(screening_input, language=query.language).to_dict())
