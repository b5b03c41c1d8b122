"""The browser pages of a return, one per part of the work, and the programme view.

Each view parses its form, calls one service and renders or redirects. A page that shows a
return is audited as a view of it (with the section looked at); a refused request is a 403
written to the audit trail by the policy; wrong input re-renders the page with every error,
status 400, and nothing saved.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from waypoint.accounts.interface import signed_in_user
from waypoint.accounts.policy import Permission, authorize, can
from waypoint.audit.services import actor_from_request
from waypoint.returns import selectors, services
from waypoint.returns.forms import (
    AssistanceItemForm,
    AssistanceStatusForm,
    CounsellingForm,
    DeclarationForm,
    DisbursementForm,
    EligibilityForm,
    MonitoringVisitForm,
    ProgrammeFilterForm,
    RiskAssessmentForm,
    RiskDecisionForm,
    SignatureForm,
    StageForm,
    StartReturnForm,
    TravelDocumentForm,
    TravelDocumentUpdateForm,
    TravelPlanForm,
    tri_state,
)
from waypoint.returns.models import Return
from waypoint.returns.vocabularies import (
    AssistanceStatus,
    CounsellingTopic,
    RiskArea,
    Stage,
    TravelDocumentStatus,
)

SECTIONS = (
    ("overview", "returns:detail", gettext_lazy("Overview")),
    ("counselling", "returns:counselling", gettext_lazy("Counselling")),
    ("eligibility", "returns:eligibility", gettext_lazy("Eligibility")),
    ("declaration", "returns:declaration", gettext_lazy("Declaration")),
    ("risk", "returns:risk", gettext_lazy("Risk")),
    ("travel", "returns:travel", gettext_lazy("Travel")),
    ("plan", "returns:plan", gettext_lazy("Reintegration plan")),
    ("monitoring", "returns:monitoring", gettext_lazy("Monitoring")),
)


def _found(return_id: int) -> Return:
    found = selectors.return_or_none(return_id)
    if found is None:
        raise Http404
    return found


def _show_errors(form: forms.Form, error: services.ReturnError, aliases: Mapping[str, str]) -> None:
    """Put each of the service's errors on the form field it is about, or on the form."""
    for path, problems in error.errors.items():
        field = aliases.get(path, path.split(".")[0])
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _default_forms(section: str, return_: Return) -> dict[str, Any]:
    """The empty forms a section shows; a rejected form replaces its empty one."""
    if section == "counselling":
        return {"form": CounsellingForm()}
    if section == "eligibility":
        initial = {"nationality": return_.case.person.nationality, "obligations": "not_checked"}
        return {"form": EligibilityForm(initial=initial)}
    if section == "declaration":
        return {
            "form": DeclarationForm(initial={"language": return_.language}),
            "signature_form": SignatureForm(),
        }
    if section == "risk":
        return {"form": RiskAssessmentForm(), "decision_form": RiskDecisionForm()}
    if section == "travel":
        return _travel_forms(return_)
    if section == "plan":
        return {"form": AssistanceItemForm(initial={"currency": "EUR"})}
    if section == "monitoring":
        return {"form": MonitoringVisitForm(instrument=selectors.current_instrument())}
    return {}


def _section_page(
    request: HttpRequest,
    return_id: int,
    section: str,
    rejected: Mapping[str, forms.Form] | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    return_ = services.get_return_for_view(
        actor_from_request(request), user, return_id, section=section
    )
    page = selectors.return_page(user, return_, today=timezone.localdate())
    return render(
        request,
        f"returns/{section}.html",
        {
            "page": page,
            "record": return_,
            "section": section,
            "sections": [
                (name, reverse(url, args=[return_.pk]), label) for name, url, label in SECTIONS
            ],
            "may_manage": can(user, Permission.MANAGE_CASES, return_),
            "may_decide": can(user, Permission.APPROVE_CASE_DECISIONS, return_),
            "stage_form": _stage_form(page),
            "topic_choices": CounsellingTopic.choices,
            "document_statuses": TravelDocumentStatus.choices,
            "assistance_statuses": AssistanceStatus.choices,
            **_default_forms(section, return_),
            **(rejected or {}),
            "rejected_forms": list((rejected or {}).values()),
        },
        status=400 if rejected else 200,
    )


def _handle(
    request: HttpRequest,
    return_id: int,
    section: str,
    form: forms.Form,
    write: Callable[[Return], object],
    *,
    success: str,
    form_name: str = "form",
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Validate the form, run the write, and go back to the section, or show what is wrong."""
    return_ = _found(return_id)
    if form.is_valid():
        try:
            write(return_)
        except services.ReturnError as error:
            _show_errors(form, error, aliases or {})
        else:
            messages.success(request, success)
            return redirect(
                f"returns:{section}" if section != "overview" else "returns:detail", return_id
            )
    return _section_page(request, return_id, section, {form_name: form})


# ---- lists and starting ---------------------------------------------------------------------


@login_required
@require_GET
def return_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    authorize(
        actor_from_request(request), user, Permission.VIEW_PERSONAL_DATA, object_type="return"
    )
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    return render(
        request,
        "returns/list.html",
        {
            "rows": selectors.return_list(user, stage=stage or None),
            "stage": stage,
            "stages": Stage.choices,
            "may_start": can(user, Permission.MANAGE_CASES),
            "may_see_programme": can(user, Permission.VIEW_AGGREGATES),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    authorize(actor_from_request(request), user, Permission.MANAGE_CASES, object_type="return")
    if request.method == "GET":
        form = StartReturnForm(initial={"case_code": request.GET.get("case", "")})
        return render(request, "returns/start.html", {"form": form})
    form = StartReturnForm(request.POST)
    if form.is_valid():
        case = selectors.case_by_code(user, form.cleaned_data["case_code"])
        if case is None:
            form.add_error("case_code", _("No case of your organisation has this code."))
        else:
            try:
                return_ = services.start_return(
                    actor_from_request(request),
                    user,
                    case=case,
                    programme_id=form.cleaned_data["programme_id"],
                    country_of_return=form.cleaned_data["country_of_return"],
                    language=form.cleaned_data["language"],
                    started_on=form.cleaned_data["started_on"],
                )
            except services.ReturnError as error:
                _show_errors(form, error, {"case_id": "case_code"})
            else:
                messages.success(request, _("The return was started in counselling."))
                return redirect("returns:detail", return_.pk)
    return render(request, "returns/start.html", {"form": form}, status=400)


# ---- overview and stages --------------------------------------------------------------------


def _stage_form(page: selectors.ReturnPage, data: Any = None) -> StageForm:
    return StageForm(
        data,
        moves=[(move.stage, move.label) for move in page.moves],
        initial={"expected_stage": page.record.stage},
    )


@login_required
@never_cache
@require_GET
def detail(request: HttpRequest, return_id: int) -> HttpResponse:
    return _section_page(request, return_id, "overview")


@login_required
@require_POST
def change_stage(request: HttpRequest, return_id: int) -> HttpResponse:
    user = signed_in_user(request)
    return_ = _found(return_id)
    moves = [(move.stage, move.label) for move in selectors.moves_for(user, return_)]
    # A move the user may not make is refused by the service, with an audited 403.
    requested = request.POST.get("to_stage", "")
    if requested in Stage.values and requested not in dict(moves):
        moves.append((requested, requested))
    form = StageForm(request.POST, moves=moves)

    def write(found: Return) -> object:
        return services.change_stage(
            actor_from_request(request),
            user,
            found,
            to_stage=form.cleaned_data["to_stage"],
            expected_stage=form.cleaned_data["expected_stage"],
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        )

    return _handle(
        request,
        return_id,
        "overview",
        form,
        write,
        success=_("The stage was changed."),
        form_name="stage_form",
    )


@login_required
@require_POST
def acknowledge_attention(request: HttpRequest, return_id: int) -> HttpResponse:
    return_ = _found(return_id)
    try:
        services.acknowledge_attention(
            actor_from_request(request), signed_in_user(request), return_
        )
    except services.ReturnError:
        messages.info(request, _("Nothing is waiting for review."))
    else:
        messages.success(request, _("Marked as reviewed: the return left the due list."))
    return redirect("returns:detail", return_id)


# ---- counselling, eligibility, declaration ---------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def counselling(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "counselling")
    form = CounsellingForm(request.POST)
    return _handle(
        request,
        return_id,
        "counselling",
        form,
        lambda found: services.record_counselling_session(
            actor_from_request(request),
            signed_in_user(request),
            found,
            held_on=form.cleaned_data["held_on"],
            language=form.cleaned_data["language"],
            interpreter_used=form.cleaned_data["interpreter_used"],
            topics=form.cleaned_data["topics"],
            notes=form.cleaned_data["notes"],
        ),
        success=_("The counselling session was recorded."),
    )


def _eligibility_facts(form: EligibilityForm) -> services.EligibilityFacts:
    data = form.cleaned_data
    obligations: list[services.Obligation] | None = None
    if data["obligations"] == "none":
        obligations = []
    elif data["obligations"] == "one":
        obligations = [
            services.Obligation(
                description=data["obligation_description"],
                requires_presence=tri_state(data["obligation_requires_presence"]),
                resolved=data["obligation_resolved"],
            )
        ]
    return services.EligibilityFacts(
        nationality=data["nationality"] or None,
        residence_rights=data["residence_rights"],
        migration_status=data["migration_status"] or None,
        obligations=obligations,
        is_minor=tri_state(data["is_minor"]),
        best_interests=data["best_interests"] or None,
        guardian_consent=tri_state(data["guardian_consent"]),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def eligibility_check(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "eligibility")
    form = EligibilityForm(request.POST)
    return _handle(
        request,
        return_id,
        "eligibility",
        form,
        lambda found: services.record_eligibility_check(
            actor_from_request(request),
            signed_in_user(request),
            found,
            facts=_eligibility_facts(form),
        ),
        success=_("Eligibility was checked."),
        aliases={"obligations.0.description": "obligation_description"},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "declaration")
    form = DeclarationForm(request.POST)
    return _handle(
        request,
        return_id,
        "declaration",
        form,
        lambda found: services.generate_declaration(
            actor_from_request(request),
            signed_in_user(request),
            found,
            language=form.cleaned_data["language"],
        ),
        success=_("The declaration was written: print it for the person to read and sign."),
    )


@login_required
@require_POST
def declaration_signed(request: HttpRequest, return_id: int, declaration_id: int) -> HttpResponse:
    form = SignatureForm(request.POST)

    def write(found: Return) -> object:
        stored = selectors.declaration_of(found, declaration_id)
        if stored is None:
            raise Http404
        return services.record_declaration_signed(
            actor_from_request(request),
            signed_in_user(request),
            stored,
            signed_on=form.cleaned_data["signed_on"],
        )

    return _handle(
        request,
        return_id,
        "declaration",
        form,
        write,
        success=_("The signature was recorded."),
        form_name="signature_form",
    )


@login_required
@require_GET
def declaration_pdf(request: HttpRequest, return_id: int, declaration_id: int) -> HttpResponse:
    filename, pdf = services.declaration_for_download(
        actor_from_request(request), signed_in_user(request), _found(return_id), declaration_id
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response


# ---- risk and travel ------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def risk(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "risk")
    form = RiskAssessmentForm(request.POST)
    return _handle(
        request,
        return_id,
        "risk",
        form,
        lambda found: services.record_risk_assessment(
            actor_from_request(request),
            signed_in_user(request),
            found,
            assessed_on=form.cleaned_data["assessed_on"],
            levels=form.levels(),
            details=form.details(),
            mitigation=form.cleaned_data["mitigation"],
        ),
        success=_("The risk assessment was recorded."),
        aliases={f"details.{area}": f"{area}_details" for area in RiskArea.values},
    )


@login_required
@require_POST
def risk_decision(request: HttpRequest, return_id: int, assessment_id: int) -> HttpResponse:
    form = RiskDecisionForm(request.POST)

    def write(found: Return) -> object:
        assessment = selectors.risk_assessment_of(found, assessment_id)
        if assessment is None:
            raise Http404
        return services.decide_on_risk(
            actor_from_request(request),
            signed_in_user(request),
            assessment,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )

    return _handle(
        request,
        return_id,
        "risk",
        form,
        write,
        success=_("The decision was recorded."),
        form_name="decision_form",
    )


def _travel_forms(return_: Return) -> dict[str, Any]:
    plan = selectors.travel_plan_of(return_)
    initial = (
        {
            "planned_departure_on": plan.planned_departure_on,
            "itinerary": plan.itinerary,
            "escort_needed": plan.escort_needed,
            "escort_details": plan.escort_details,
            "medical_needs": plan.medical_needs,
            "receiving_partner": plan.receiving_partner,
            "receiving_partner_contact": plan.receiving_partner_contact,
        }
        if plan
        else {}
    )
    return {"form": TravelPlanForm(initial=initial), "document_form": TravelDocumentForm()}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def travel(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "travel")
    form = TravelPlanForm(request.POST)
    return _handle(
        request,
        return_id,
        "travel",
        form,
        lambda found: services.save_travel_plan(
            actor_from_request(request),
            signed_in_user(request),
            found,
            details=services.TravelDetails(**form.cleaned_data),
        ),
        success=_("The travel plan was saved."),
    )


def _document_details(form: forms.Form) -> services.DocumentDetails:
    data = form.cleaned_data
    return services.DocumentDetails(
        status=data["status"],
        requested_on=data["requested_on"],
        issued_on=data["issued_on"],
        valid_until=data["valid_until"],
        notes=data["notes"],
    )


@login_required
@require_POST
def travel_document_add(request: HttpRequest, return_id: int) -> HttpResponse:
    form = TravelDocumentForm(request.POST)
    return _handle(
        request,
        return_id,
        "travel",
        form,
        lambda found: services.record_travel_document(
            actor_from_request(request),
            signed_in_user(request),
            found,
            kind=form.cleaned_data["kind"],
            details=_document_details(form),
        ),
        success=_("The travel document was added."),
        form_name="document_form",
    )


@login_required
@require_POST
def travel_document_update(request: HttpRequest, return_id: int, document_id: int) -> HttpResponse:
    form = TravelDocumentUpdateForm(request.POST)

    def write(found: Return) -> object:
        document = selectors.travel_document_of(found, document_id)
        if document is None:
            raise Http404
        return services.update_travel_document(
            actor_from_request(request),
            signed_in_user(request),
            document,
            details=_document_details(form),
        )

    return _handle(
        request,
        return_id,
        "travel",
        form,
        write,
        success=_("The travel document was updated."),
        form_name="document_update_form",
    )


# ---- reintegration plan and monitoring ------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "plan")
    form = AssistanceItemForm(request.POST)
    return _handle(
        request,
        return_id,
        "plan",
        form,
        lambda found: services.add_assistance_item(
            actor_from_request(request),
            signed_in_user(request),
            found,
            details=services.AssistanceDetails(**form.cleaned_data),
        ),
        success=_("The assistance was added to the plan."),
    )


@login_required
@require_POST
def assistance_status(request: HttpRequest, return_id: int, item_id: int) -> HttpResponse:
    form = AssistanceStatusForm(request.POST)

    def write(found: Return) -> object:
        item = selectors.assistance_item_of(found, item_id)
        if item is None:
            raise Http404
        return services.update_assistance_status(
            actor_from_request(request),
            signed_in_user(request),
            item,
            status=form.cleaned_data["status"],
        )

    return _handle(
        request,
        return_id,
        "plan",
        form,
        write,
        success=_("The status was changed."),
        form_name="status_form",
    )


@login_required
@require_POST
def disbursement_add(request: HttpRequest, return_id: int, item_id: int) -> HttpResponse:
    form = DisbursementForm(request.POST)

    def write(found: Return) -> object:
        item = selectors.assistance_item_of(found, item_id)
        if item is None:
            raise Http404
        return services.record_disbursement(
            actor_from_request(request),
            signed_in_user(request),
            item,
            amount=form.cleaned_data["amount"],
            paid_on=form.cleaned_data["paid_on"],
        )

    return _handle(
        request,
        return_id,
        "plan",
        form,
        write,
        success=_("The payment was recorded."),
        form_name="disbursement_form",
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def monitoring(request: HttpRequest, return_id: int) -> HttpResponse:
    if request.method == "GET":
        return _section_page(request, return_id, "monitoring")
    instrument = selectors.current_instrument()
    form = MonitoringVisitForm(request.POST, instrument=instrument)
    return _handle(
        request,
        return_id,
        "monitoring",
        form,
        lambda found: services.record_monitoring_visit(
            actor_from_request(request),
            signed_in_user(request),
            found,
            visited_on=form.cleaned_data["visited_on"],
            mode=form.cleaned_data["mode"],
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
        ),
        success=_("The monitoring visit was recorded and scored (provisional instrument)."),
        aliases={
            f"answers.{indicator.indicator_id}": f"answer_{indicator.indicator_id}"
            for indicator in instrument.indicators
        },
    )


# ---- the programme view ---------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    overview = services.programme_overview(
        actor_from_request(request),
        signed_in_user(request),
        country=filters.get("country", ""),
        programme_id=filters.get("programme", ""),
        today=timezone.localdate(),
    )
    template = "returns/programme.html"
    if request.headers.get("HX-Request") == "true":
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "overview": overview},
        status=400 if form.errors else 200,
    )
