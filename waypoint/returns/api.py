"""`/api/v1/returns`: assisted voluntary return and reintegration over JSON.

Each handler parses its input, calls one service or selector and renders the result. Access is
the policy's: a refusal is 403 and is written to the audit trail; a return that does not exist
is 404. Wrong input, and a request the return's workflow refuses, is 422 with the JSON path of
every problem, and nothing is saved. A write answers with the whole return as it is now.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.db.models import TextChoices
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError

from waypoint.accounts.models import User
from waypoint.accounts.policy import Permission, authorize
from waypoint.api_schemas import REFUSALS, InputSchema, InvalidInput, Refusal
from waypoint.audit.services import Actor, actor_from_request
from waypoint.returns import selectors, services
from waypoint.returns.models import Return
from waypoint.returns.vocabularies import (
    AssistanceKind,
    AssistanceStatus,
    BestInterests,
    CounsellingTopic,
    Dimension,
    Level,
    MigrationStatus,
    RiskDecision,
    RiskLevel,
    Stage,
    TravelDocumentKind,
    TravelDocumentStatus,
    VisitMode,
)

router = Router(tags=["returns"])


def _one_of(choices: type[TextChoices]) -> str:
    return "One of: " + ", ".join(f"`{value}`" for value in choices.values) + "."


# ---- error responses ------------------------------------------------------------------------


@contextmanager
def _as_422() -> Iterator[None]:
    """Turn the services' refusals into the API's 422 answer with each problem's path."""
    try:
        yield
    except services.ReturnError as error:
        raise ValidationError(
            [
                {
                    "loc": ("body", "payload", *_location(path)),
                    "msg": msg,
                }
                for path, messages in error.errors.items()
                for msg in messages
            ]
        ) from None


def _location(path: str) -> list[str | int]:
    """A service's dotted path (`topics.1`) as ninja's error location (`topics`, 1)."""
    return [int(part) if part.isdigit() else part for part in path.split(".") if part]


def _actor(request: HttpRequest) -> Actor:
    return actor_from_request(request)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _return(request: HttpRequest, return_id: int, permission: Permission) -> Return:
    """The return, once the policy allows `permission` on it (else an audited 403)."""
    found = selectors.return_or_none(return_id)
    if found is None:
        raise Http404
    authorize(
        _actor(request), _user(request), permission, found, object_type="return", object_id=found.pk
    )
    return found


def _part[T](found: T | None) -> T:
    if found is None:
        raise Http404
    return found


# ---- output ---------------------------------------------------------------------------------


class ReturnRowOut(Schema):
    id: int
    code: str
    case_id: int
    case_code: str
    person_reference: str
    programme_id: str
    country_of_return: str
    stage: str
    stage_entered_on: date
    needs_attention_since: datetime | None


class AttentionOut(Schema):
    return_id: int
    return_code: str
    case_id: int
    case_code: str
    owner_id: int
    since: datetime
    reasons: list[str] = Field(
        description="`composite_fell`, `dimension_fell`, `re_trafficking_risk`."
    )


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_on: date
    reason: str | None
    changed_by: str


class SessionOut(Schema):
    id: int
    held_on: date
    language: str
    interpreter_used: bool
    topics: list[str]
    notes: str | None


class CounsellingOut(Schema):
    informed: bool = Field(description="Every required topic was covered in some session.")
    missing_topics: list[str]
    sessions: list[SessionOut]


class RuleOut(Schema):
    rule: str
    outcome: str = Field(description="`passed`, `failed` or `unknown`.")
    reason: str
    explanation: dict[str, str] = Field(description="In English, Polish, Ukrainian and Russian.")


class EligibilityOut(Schema):
    id: int
    programme_id: str
    verdict: str = Field(description="`eligible`, `not_eligible` or `undetermined`.")
    provisional: bool
    checked_at: datetime
    rules: list[RuleOut]


class DeclarationOut(Schema):
    id: int
    language: str
    generated_at: datetime
    signed_on: date | None
    withdrawn_on: date | None


class RiskOut(Schema):
    id: int
    assessed_on: date
    re_trafficking: str
    perpetrator_threat: str
    family_situation: str
    health_needs: str
    overall: str
    details: dict[str, str]
    mitigation: str | None
    decision: str
    decision_reason: str | None
    decided_at: datetime | None


class TravelOut(Schema):
    planned_departure_on: date | None
    itinerary: str | None
    escort_needed: bool
    escort_details: str | None
    medical_needs: str | None
    receiving_partner: str
    receiving_partner_contact: str | None
    departure_confirmed_on: date | None
    arrival_confirmed_on: date | None


class DocumentOut(Schema):
    id: int
    kind: str
    status: str
    requested_on: date | None
    issued_on: date | None
    valid_until: date | None
    notes: str | None


class PaymentOut(Schema):
    id: int
    amount: str
    paid_on: date


class ItemOut(Schema):
    id: int
    kind: str
    dimension: str
    level: str
    description: str | None
    partner: str
    budget: str = Field(description="A decimal amount, as text so that nothing is rounded.")
    currency: str = Field(description="ISO 4217.")
    status: str
    disbursed: str
    payments: list[PaymentOut]


class TotalOut(Schema):
    currency: str
    budget: str
    disbursed: str
    remaining: str


class VisitOut(Schema):
    id: int
    number: int
    visited_on: date
    mode: str
    instrument_id: str
    instrument_version: str
    composite: float | None
    dimensions: dict[str, float | None]
    label_id: str
    re_trafficking_risk: bool
    flags: list[str]


class MonitoringOut(Schema):
    provisional: bool = Field(description="The instrument is provisional: so is every score.")
    visits: list[VisitOut]


class ReturnOut(Schema):
    id: int
    code: str
    case_id: int
    case_code: str
    person_reference: str
    programme_id: str
    programme_provisional: bool
    country_of_return: str
    language: str
    stage: str
    stage_entered_on: date
    started_on: date
    allowed_moves: list[str] = Field(description="The stages you may move the return to now.")
    departure_blocked: bool = Field(
        description="A high risk awaits a supervisor's decision: the person may not depart."
    )
    needs_attention_since: datetime | None
    attention_reasons: list[str]
    rejection_reason: str | None
    stop_reason: str | None
    stage_changes: list[StageChangeOut]
    counselling: CounsellingOut
    eligibility: EligibilityOut | None
    declarations: list[DeclarationOut]
    risk_assessments: list[RiskOut]
    travel: TravelOut | None
    travel_documents: list[DocumentOut]
    assistance_items: list[ItemOut]
    budget_totals: list[TotalOut] = Field(description="Per currency; never added across them.")
    monitoring: MonitoringOut


def _return_response(request: HttpRequest, return_: Return) -> dict[str, Any]:
    page = selectors.return_page(_user(request), return_, today=timezone.localdate())
    record = page.record
    check = page.eligibility
    return {
        "id": record.pk,
        "code": record.code,
        "case_id": record.case_id,
        "case_code": record.case.code,
        "person_reference": record.case.person.reference,
        "programme_id": record.programme_id,
        "programme_provisional": page.programme_provisional,
        "country_of_return": record.country_of_return,
        "language": record.language,
        "stage": record.stage,
        "stage_entered_on": record.stage_entered_on,
        "started_on": record.started_on,
        "allowed_moves": [move.stage for move in page.moves],
        "departure_blocked": page.departure_blocked,
        "needs_attention_since": record.needs_attention_since,
        "attention_reasons": list(record.attention_reasons),
        "rejection_reason": record.rejection_reason,
        "stop_reason": record.stop_reason,
        "stage_changes": [
            {
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "changed_on": change.changed_on,
                "reason": change.reason,
                "changed_by": selectors.user_name(change.changed_by),
            }
            for change in page.stage_changes
        ],
        "counselling": {
            "informed": page.coverage.informed,
            "missing_topics": list(page.coverage.missing),
            "sessions": [
                {
                    "id": session.pk,
                    "held_on": session.held_on,
                    "language": session.language,
                    "interpreter_used": session.interpreter_used,
                    "topics": session.topics,
                    "notes": session.notes,
                }
                for session in page.sessions
            ],
        },
        "eligibility": None
        if check is None
        else {
            "id": check.pk,
            "programme_id": check.programme_id,
            "verdict": check.verdict,
            "provisional": check.provisional,
            "checked_at": check.checked_at,
            "rules": check.rules if isinstance(check.rules, list) else [],
        },
        "declarations": [
            {
                "id": item.pk,
                "language": item.language,
                "generated_at": item.generated_at,
                "signed_on": item.signed_on,
                "withdrawn_on": item.withdrawn_on,
            }
            for item in page.declarations
        ],
        "risk_assessments": [
            {
                "id": item.pk,
                "assessed_on": item.assessed_on,
                "re_trafficking": item.re_trafficking,
                "perpetrator_threat": item.perpetrator_threat,
                "family_situation": item.family_situation,
                "health_needs": item.health_needs,
                "overall": item.overall,
                "details": item.details if isinstance(item.details, dict) else {},
                "mitigation": item.mitigation,
                "decision": item.decision,
                "decision_reason": item.decision_reason,
                "decided_at": item.decided_at,
            }
            for item in page.risk_assessments
        ],
        "travel": None
        if page.travel is None
        else {
            "planned_departure_on": page.travel.planned_departure_on,
            "itinerary": page.travel.itinerary,
            "escort_needed": page.travel.escort_needed,
            "escort_details": page.travel.escort_details,
            "medical_needs": page.travel.medical_needs,
            "receiving_partner": page.travel.receiving_partner,
            "receiving_partner_contact": page.travel.receiving_partner_contact,
            "departure_confirmed_on": page.travel.departure_confirmed_on,
            "arrival_confirmed_on": page.travel.arrival_confirmed_on,
        },
        "travel_documents": [
            {
                "id": item.pk,
                "kind": item.kind,
                "status": item.status,
                "requested_on": item.requested_on,
                "issued_on": item.issued_on,
                "valid_until": item.valid_until,
                "notes": item.notes,
            }
            for item in page.documents
        ],
        "assistance_items": [
            {
                "id": line.item.pk,
                "kind": line.item.kind,
                "dimension": line.item.dimension,
                "level": line.item.level,
                "description": line.item.description,
                "partner": line.item.partner,
                "budget": str(line.item.budget),
                "currency": line.item.currency,
                "status": line.item.status,
                "disbursed": str(line.disbursed),
                "payments": [
                    {"id": payment.pk, "amount": str(payment.amount), "paid_on": payment.paid_on}
                    for payment in line.item.disbursements.all()
                ],
            }
            for line in page.items
        ],
        "budget_totals": [
            {
                "currency": total.currency,
                "budget": str(total.budget),
                "disbursed": str(total.disbursed),
                "remaining": str(total.remaining),
            }
            for total in page.totals
        ],
        "monitoring": {
            "provisional": page.history.provisional,
            "visits": [
                {
                    "id": visit.visit.pk,
                    "number": visit.number,
                    "visited_on": visit.visit.visited_on,
                    "mode": visit.visit.mode,
                    "instrument_id": visit.visit.instrument_id,
                    "instrument_version": visit.visit.instrument_version,
                    "composite": visit.composite,
                    "dimensions": dict(visit.dimensions),
                    "label_id": visit.visit.label_id,
                    "re_trafficking_risk": visit.visit.re_trafficking_risk,
                    "flags": list(visit.flags),
                }
                for visit in page.history.visits
            ],
        },
    }


# ---- lists ----------------------------------------------------------------------------------


class ListQuery(Schema):
    stage: str | None = Field(None, description=_one_of(Stage))


@router.get(
    "",
    response={200: list[ReturnRowOut], 403: Refusal, 422: InvalidInput},
    summary="The returns you may see, those needing attention first",
    description="Never shows a person's name: open a return to see whom it is about.",
)
def list_returns(request: HttpRequest, query: Query[ListQuery]) -> Any:
    authorize(_actor(request), _user(request), Permission.VIEW_PERSONAL_DATA, object_type="return")
    if query.stage is not None and query.stage not in Stage.values:
        raise ValidationError([{"loc": ("query", "stage"), "msg": _one_of(Stage)}])
    rows = selectors.return_list(_user(request), stage=query.stage)
    return [{"id": row.return_id, **asdict(row)} for row in rows]


@router.get(
    "/needing-attention",
    response={200: list[AttentionOut], 403: Refusal},
    summary="Your returns whose monitoring flagged a falling score or a re-trafficking risk",
)
def needing_attention(request: HttpRequest) -> Any:
    authorize(_actor(request), _user(request), Permission.VIEW_PERSONAL_DATA, object_type="return")
    return [asdict(item) for item in selectors.returns_needing_attention(_user(request))]


class FigureOut(Schema):
    value: float | None = Field(description="`null` when withheld or not known.")
    withheld: bool = Field(description="Hidden by small-cell suppression.")


class StageFigureOut(Schema):
    stage: str
    count: FigureOut
    median_days: FigureOut


class LabelFigureOut(Schema):
    label_id: str
    count: FigureOut


class MedianFigureOut(Schema):
    key: str = Field(description="A dimension of the instrument, or `composite`.")
    median: FigureOut


class BudgetFigureOut(Schema):
    programme_id: str
    currency: str
    budget: FigureOut
    disbursed: FigureOut


class ProgrammeOut(Schema):
    suppressed: bool = Field(description="Small cells are withheld for your role.")
    k: int = Field(description="The smallest count published when `suppressed`.")
    provisional: bool = Field(description="The reintegration scores are provisional.")
    country: str
    programme_id: str
    total: FigureOut
    withdrawn: FigureOut
    completed: FigureOut
    stages: list[StageFigureOut]
    completed_labels: list[LabelFigureOut]
    completed_medians: list[MedianFigureOut]
    budgets: list[BudgetFigureOut]


class ProgrammeQuery(Schema):
    country: str = Field("", description="ISO 3166-1 alpha-2 country of return; empty for all.")
    programme_id: str = Field("", description="An AVRR programme; empty for all.")


def _figure(figure: selectors.Figure) -> dict[str, Any]:
    return {
        "value": None if figure.value is None else float(figure.value),
        "withheld": figure.withheld,
    }


@router.get(
    "/programme",
    response={200: ProgrammeOut, 403: Refusal, 422: InvalidInput},
    summary="The organisation's returns in aggregate (small cells withheld for some roles)",
    description=(
        "How many returns are at each stage and for how long (median days; a stay still "
        "running counts up to today), how many were withdrawn, and the latest reintegration "
        "scores of completed returns (provisional). For roles that may not see personal data "
        "every count below `k`, and whatever would reveal one, is withheld."
    ),
)
def programme(request: HttpRequest, query: Query[ProgrammeQuery]) -> Any:
    overview = services.programme_overview(
        _actor(request),
        _user(request),
        country=query.country.strip().upper(),
        programme_id=query.programme_id.strip(),
        today=timezone.localdate(),
    )
    return {
        "suppressed": overview.suppressed,
        "k": overview.k,
        "provisional": overview.provisional,
        "country": overview.country,
        "programme_id": overview.programme_id,
        "total": _figure(overview.total),
        "withdrawn": _figure(overview.withdrawn),
        "completed": _figure(overview.completed),
        "stages": [
            {
                "stage": figure.stage,
                "count": _figure(figure.count),
                "median_days": _figure(figure.median_days),
            }
            for figure in overview.stages
        ],
        "completed_labels": [
            {"label_id": figure.label_id, "count": _figure(figure.count)}
            for figure in overview.completed_labels
        ],
        "completed_medians": [
            {"key": figure.key, "median": _figure(figure.median)}
            for figure in overview.completed_medians
        ],
        "budgets": [
            {
                "programme_id": figure.programme_id,
                "currency": figure.currency,
                "budget": _figure(figure.budget),
                "disbursed": _figure(figure.disbursed),
            }
            for figure in overview.budgets
        ],
    }


# ---- one return -----------------------------------------------------------------------------


class StartIn(InputSchema):
    case_id: int
    programme_id: str = Field(description="An AVRR programme, e.g. `pl_safe_return_victims`.")
    country_of_return: str = Field(description="ISO 3166-1 alpha-2.")
    language: str = Field(description="The person's language for documents: en, pl, uk or ru.")
    started_on: date | None = Field(None, description="Today if left out.")


@router.post(
    "",
    response={201: ReturnOut, **REFUSALS},
    summary="Start a return for the person of a case, in counselling",
    description="Needs the person's consent to processing for assistance, recorded in the case.",
)
def start_return(request: HttpRequest, payload: StartIn) -> Any:
    case = selectors.case_or_none(payload.case_id)
    if case is None:
        raise ValidationError([{"loc": ("body", "payload", "case_id"), "msg": "No such case."}])
    with _as_422():
        created = services.start_return(
            _actor(request),
            _user(request),
            case=case,
            programme_id=payload.programme_id,
            country_of_return=payload.country_of_return,
            language=payload.language,
            started_on=payload.started_on or timezone.localdate(),
        )
    return Status(201, _return_response(request, _part(selectors.return_or_none(created.pk))))


@router.get(
    "/{int:return_id}",
    response={200: ReturnOut, 403: Refusal, 404: Refusal},
    summary="A return with everything recorded in it (the view is audited)",
)
def get_return(request: HttpRequest, return_id: int) -> Any:
    found = services.get_return_for_view(_actor(request), _user(request), return_id, section="api")
    return _return_response(request, found)


def _after_write(request: HttpRequest, return_id: int) -> dict[str, Any]:
    return _return_response(request, _part(selectors.return_or_none(return_id)))


class StageIn(InputSchema):
    to_stage: str = Field(description=_one_of(Stage))
    expected_stage: str = Field(
        description="The stage you saw; if the return moved meanwhile, nothing changes (422)."
    )
    on: date | None = Field(None, description="The day the move took effect; today if left out.")
    reason: str = Field("", description="Needed to reject or cancel; optional for withdrawal.")


@router.post(
    "/{int:return_id}/stage",
    response={200: ReturnOut, **REFUSALS},
    summary="Move the return to another stage",
    description=(
        "Approving or rejecting needs a supervisor. Withdrawal and cancellation are possible "
        "before departure. Departure is refused while a high risk awaits a supervisor's "
        "decision."
    ),
)
def change_stage(request: HttpRequest, return_id: int, payload: StageIn) -> Any:
    found = _return(request, return_id, Permission.VIEW_PERSONAL_DATA)
    with _as_422():
        services.change_stage(
            _actor(request),
            _user(request),
            found,
            to_stage=payload.to_stage,
            expected_stage=payload.expected_stage,
            on=payload.on or timezone.localdate(),
            reason=payload.reason,
        )
    return _after_write(request, return_id)


class SessionIn(InputSchema):
    held_on: date
    language: str = Field(description="ISO 639-1 language of the session.")
    interpreter_used: bool = False
    topics: list[str] = Field(description=_one_of(CounsellingTopic))
    notes: str = ""


@router.post(
    "/{int:return_id}/counselling-sessions",
    response={201: ReturnOut, **REFUSALS},
    summary="Record an information and counselling session",
)
def record_session(request: HttpRequest, return_id: int, payload: SessionIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.record_counselling_session(
            _actor(request), _user(request), found, **payload.model_dump()
        )
    return Status(201, _after_write(request, return_id))


class ObligationIn(InputSchema):
    description: str
    requires_presence: bool | None = None
    resolved: bool = False


class EligibilityIn(InputSchema):
    nationality: str | None = Field(None, description="ISO 3166-1 alpha-2.")
    residence_rights: list[str] = Field(default_factory=list)
    migration_status: str | None = Field(None, description=_one_of(MigrationStatus))
    obligations: list[ObligationIn] | None = Field(
        None, description="`null` until checked; `[]` when checked and there are none."
    )
    is_minor: bool | None = None
    best_interests: str | None = Field(None, description=_one_of(BestInterests))
    guardian_consent: bool | None = None


@router.post(
    "/{int:return_id}/eligibility-checks",
    response={201: ReturnOut, **REFUSALS},
    summary="Check eligibility for the return's programme, with each rule explained",
    description="Voluntariness is taken from a signed declaration that was not withdrawn.",
)
def check_eligibility(request: HttpRequest, return_id: int, payload: EligibilityIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    facts = services.EligibilityFacts(
        nationality=payload.nationality,
        residence_rights=payload.residence_rights,
        migration_status=payload.migration_status,
        obligations=None
        if payload.obligations is None
        else [services.Obligation(**item.model_dump()) for item in payload.obligations],
        is_minor=payload.is_minor,
        best_interests=payload.best_interests,
        guardian_consent=payload.guardian_consent,
    )
    with _as_422():
        services.record_eligibility_check(_actor(request), _user(request), found, facts=facts)
    return Status(201, _after_write(request, return_id))


class DeclarationIn(InputSchema):
    language: str = Field(description="en, pl, uk or ru.")


@router.post(
    "/{int:return_id}/declarations",
    response={201: ReturnOut, **REFUSALS},
    summary="Write the voluntary return declaration in the person's language",
)
def write_declaration(request: HttpRequest, return_id: int, payload: DeclarationIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.generate_declaration(
            _actor(request), _user(request), found, language=payload.language
        )
    return Status(201, _after_write(request, return_id))


class SignatureIn(InputSchema):
    signed_on: date


@router.post(
    "/{int:return_id}/declarations/{int:declaration_id}/signature",
    response={200: ReturnOut, **REFUSALS},
    summary="Record the day the person signed the declaration",
)
def sign_declaration(
    request: HttpRequest, return_id: int, declaration_id: int, payload: SignatureIn
) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    declaration = _part(selectors.declaration_of(found, declaration_id))
    with _as_422():
        services.record_declaration_signed(
            _actor(request), _user(request), declaration, signed_on=payload.signed_on
        )
    return _after_write(request, return_id)


@router.get(
    "/{int:return_id}/declarations/{int:declaration_id}/pdf",
    response={200: None, 403: Refusal, 404: Refusal},
    summary="The declaration as a PDF (the download is audited)",
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF."}}
    },
)
def declaration_pdf(request: HttpRequest, return_id: int, declaration_id: int) -> HttpResponse:
    found = _return(request, return_id, Permission.VIEW_PERSONAL_DATA)
    filename, pdf = services.declaration_for_download(
        _actor(request), _user(request), found, declaration_id
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


class RiskIn(InputSchema):
    assessed_on: date
    re_trafficking: str = Field(description=_one_of(RiskLevel))
    perpetrator_threat: str = Field(description=_one_of(RiskLevel))
    family_situation: str = Field(description=_one_of(RiskLevel))
    health_needs: str = Field(description=_one_of(RiskLevel))
    details: dict[str, str] = Field(
        default_factory=dict, description="What was found, per area (the four names above)."
    )
    mitigation: str = ""


@router.post(
    "/{int:return_id}/risk-assessments",
    response={201: ReturnOut, **REFUSALS},
    summary="Assess the risks of returning; a high one blocks departure until a supervisor decides",
)
def assess_risk(request: HttpRequest, return_id: int, payload: RiskIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    levels = payload.model_dump(
        include={"re_trafficking", "perpetrator_threat", "family_situation", "health_needs"}
    )
    with _as_422():
        services.record_risk_assessment(
            _actor(request),
            _user(request),
            found,
            assessed_on=payload.assessed_on,
            levels=levels,
            details=payload.details,
            mitigation=payload.mitigation,
        )
    return Status(201, _after_write(request, return_id))


class RiskDecisionIn(InputSchema):
    decision: str = Field(description=_one_of(RiskDecision))
    reason: str


@router.post(
    "/{int:return_id}/risk-assessments/{int:assessment_id}/decision",
    response={200: ReturnOut, **REFUSALS},
    summary="A supervisor's decision on a high-risk return",
)
def decide_on_risk(
    request: HttpRequest, return_id: int, assessment_id: int, payload: RiskDecisionIn
) -> Any:
    found = _return(request, return_id, Permission.APPROVE_CASE_DECISIONS)
    assessment = _part(selectors.risk_assessment_of(found, assessment_id))
    with _as_422():
        services.decide_on_risk(
            _actor(request),
            _user(request),
            assessment,
            decision=payload.decision,
            reason=payload.reason,
        )
    return _after_write(request, return_id)


class TravelIn(InputSchema):
    planned_departure_on: date | None = None
    itinerary: str = ""
    escort_needed: bool = False
    escort_details: str = ""
    medical_needs: str = ""
    receiving_partner: str = Field("", description="The organisation receiving the person.")
    receiving_partner_contact: str = ""


@router.put(
    "/{int:return_id}/travel",
    response={200: ReturnOut, **REFUSALS},
    summary="Write the travel plan (replaces it)",
)
def save_travel(request: HttpRequest, return_id: int, payload: TravelIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.save_travel_plan(
            _actor(request),
            _user(request),
            found,
            details=services.TravelDetails(**payload.model_dump()),
        )
    return _after_write(request, return_id)


class DocumentIn(InputSchema):
    status: str = Field(description=_one_of(TravelDocumentStatus))
    requested_on: date | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    notes: str = ""


class NewDocumentIn(DocumentIn):
    kind: str = Field(description=_one_of(TravelDocumentKind))


@router.post(
    "/{int:return_id}/travel/documents",
    response={201: ReturnOut, **REFUSALS},
    summary="Track a travel document and its request",
)
def add_document(request: HttpRequest, return_id: int, payload: NewDocumentIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    details = services.DocumentDetails(**payload.model_dump(exclude={"kind"}))
    with _as_422():
        services.record_travel_document(
            _actor(request), _user(request), found, kind=payload.kind, details=details
        )
    return Status(201, _after_write(request, return_id))


@router.put(
    "/{int:return_id}/travel/documents/{int:document_id}",
    response={200: ReturnOut, **REFUSALS},
    summary="Update where a travel document's request stands",
)
def update_document(
    request: HttpRequest, return_id: int, document_id: int, payload: DocumentIn
) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    document = _part(selectors.travel_document_of(found, document_id))
    with _as_422():
        services.update_travel_document(
            _actor(request),
            _user(request),
            document,
            details=services.DocumentDetails(**payload.model_dump()),
        )
    return _after_write(request, return_id)


class ItemIn(InputSchema):
    kind: str = Field(description=_one_of(AssistanceKind))
    dimension: str = Field(
        "", description=_one_of(Dimension) + " Empty: the usual one for this kind."
    )
    level: str = Field(description=_one_of(Level))
    budget: str = Field(description="A decimal amount as text, e.g. `1500.00`.")
    currency: str = Field(description="ISO 4217, e.g. `EUR`.")
    partner: str = ""
    description: str = ""
    status: str = Field(AssistanceStatus.PLANNED.value, description=_one_of(AssistanceStatus))


@router.post(
    "/{int:return_id}/assistance-items",
    response={201: ReturnOut, **REFUSALS},
    summary="Add reintegration assistance with its budget",
)
def add_item(request: HttpRequest, return_id: int, payload: ItemIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.add_assistance_item(
            _actor(request),
            _user(request),
            found,
            details=services.AssistanceDetails(**payload.model_dump()),
        )
    return Status(201, _after_write(request, return_id))


class ItemStatusIn(InputSchema):
    status: str = Field(description=_one_of(AssistanceStatus))


@router.patch(
    "/{int:return_id}/assistance-items/{int:item_id}",
    response={200: ReturnOut, **REFUSALS},
    summary="Change the status of reintegration assistance",
)
def update_item(request: HttpRequest, return_id: int, item_id: int, payload: ItemStatusIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    item = _part(selectors.assistance_item_of(found, item_id))
    with _as_422():
        services.update_assistance_status(
            _actor(request), _user(request), item, status=payload.status
        )
    return _after_write(request, return_id)


class PaymentIn(InputSchema):
    amount: str = Field(description="A decimal amount in the item's currency, e.g. `500.00`.")
    paid_on: date


@router.post(
    "/{int:return_id}/assistance-items/{int:item_id}/disbursements",
    response={201: ReturnOut, **REFUSALS},
    summary="Record a payment from the item's budget",
)
def add_payment(request: HttpRequest, return_id: int, item_id: int, payload: PaymentIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    item = _part(selectors.assistance_item_of(found, item_id))
    with _as_422():
        services.record_disbursement(
            _actor(request), _user(request), item, amount=payload.amount, paid_on=payload.paid_on
        )
    return Status(201, _after_write(request, return_id))


class VisitIn(InputSchema):
    visited_on: date
    mode: str = Field(description=_one_of(VisitMode))
    answers: dict[str, str] = Field(
        description="Indicator id → answer id of the reintegration sustainability instrument."
    )
    notes: str = ""


@router.post(
    "/{int:return_id}/monitoring-visits",
    response={201: ReturnOut, **REFUSALS},
    summary="Record and score a monitoring visit (provisional instrument)",
    description=(
        "A score falling by more than the instrument allows, or an answer signalling a risk "
        "of re-trafficking, flags the return for its case worker (`needs_attention_since`)."
    ),
)
def record_visit(request: HttpRequest, return_id: int, payload: VisitIn) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.record_monitoring_visit(
            _actor(request), _user(request), found, **payload.model_dump()
        )
    return Status(201, _after_write(request, return_id))


@router.post(
    "/{int:return_id}/attention/acknowledge",
    response={200: ReturnOut, **REFUSALS},
    summary="Mark what monitoring flagged as reviewed: the return leaves the due list",
)
def acknowledge(request: HttpRequest, return_id: int) -> Any:
    found = _return(request, return_id, Permission.MANAGE_CASES)
    with _as_422():
        services.acknowledge_attention(_actor(request), _user(request), found)
    return _after_write(request, return_id)
