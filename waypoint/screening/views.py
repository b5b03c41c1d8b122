"""The guided interview: a quick screening that works signed out and stores nothing.

Each step is a normal form post carrying every answer so far; htmx only refreshes the result
panel as answers change.
"""

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.accounts.policy import Permission, authorize
from waypoint.audit.services import actor_from_request
from waypoint.screening.interview import OUTCOME, SETUP, Interview


def _allow(request: HttpRequest) -> None:
    """Anyone may run the anonymous check; a signed-in user needs the role to screen."""
    if request.user.is_authenticated:
        authorize(
            actor_from_request(request),
            request.user,
            Permission.SCREEN_ANONYMOUSLY,
            object_type="screening",
        )


CASE_CODE = re.compile(r"C-[0-9A-Z]{8}")


def _linked_case(request: HttpRequest) -> dict[str, Any] | None:
    """The case an interview was started from (`?case=<id>&case_code=<code>`), carried through
    the steps as hidden inputs so that the outcome can be saved into it. The screening app
    knows only the id and the code; the case's page checks both, and access, on saving."""
    if not request.user.is_authenticated:
        return None
    source = request.POST if request.method == "POST" else request.GET
    case_id, code = source.get("case", ""), source.get("case_code", "")
    if not (case_id.isascii() and case_id.isdigit() and len(case_id) < 19):
        return None
    return {"id": int(case_id), "code": code if CASE_CODE.fullmatch(code) else ""}


def _screening_input(interview: Interview) -> str:
    """The engine's input of a finished interview, as JSON for the case to keep."""
    if interview.assessment is None or interview.answers is None:
        return ""
    return json.dumps({**interview.setup.screening_input(), **interview.answers.screening_input()})


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    _allow(request)
    if request.method == "GET":
        interview = Interview(None)
        step = interview.step(SETUP)
    else:
        interview = Interview(request.POST)
        step = interview.step_to_show(
            current=request.POST.get("step", SETUP), direction=request.POST.get("go", "next")
        )
    template = "screening/outcome.html" if step.id == OUTCOME else "screening/step.html"
    linked_case = _linked_case(request)
    carried = interview.carried_answers(step.id)
    if linked_case is not None:
        carried += [("case", str(linked_case["id"])), ("case_code", linked_case["code"])]
    return render(
        request,
        template,
        {
            "interview": interview,
            "step": step,
            "questions": interview.questions(step.id),
            "carried": carried,
            "linked_case": linked_case,
            "screening_input": _screening_input(interview) if step.id == OUTCOME else "",
        },
    )


@never_cache
@require_POST
def result(request: HttpRequest) -> HttpResponse:
    """The result panel alone, for htmx to swap in as answers change."""
    _allow(request)
    return render(request, "screening/_result.html", {"interview": Interview(request.POST)})
