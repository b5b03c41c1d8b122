"""`/api/v1/cases`: protection case management over JSON.

Each handler parses its input, calls one service or selector and renders the result. Access is
the policy's: a refusal is 403 and is written to the audit trail; a case that does not exist is
404. Wrong input is 422 with the JSON path of every wrong field, and nothing is saved; an edit
made on an old version is 409 with the current values to merge.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile

from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import Permission, authorize
from waypoint.api_schemas import (
    REFUSALS,
    InputSchema,
    InvalidInput,
    Refusal,
    inlined_definitions,
)
from waypoint.audit.services import Actor, actor_from_request
from waypoint.cases import selectors, services
from waypoint.cases.models import (
    Case,
    CaseStatus,
    Consent,
    DecisionOrganisation,
    Document,
    Note,
    RightsInformation,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    TraffickingStatus,
    VulnerabilityAssessment,
)
from waypoint.cases.vocabularies import ExploitationType
from waypoint.domain import deadlines
from waypoint.domain.rights import SUPPORTED_LANGUAGES
from waypoint.domain.screening.contract import input_json_schema
from waypoint.people import services as people_services

router = Router(tags=["cases"])

# ---- error responses ------------------------------------------------------------------------


class StaleVersion(Schema):
    detail: str
    version: int = Field(description="The version now stored: send it with the merged values.")
    current: dict[str, Any] = Field(description="The values now stored.")


WITH_CONFLICT: dict[int, Any] = {**REFUSALS, 409: StaleVersion}


def _loc(path: str) -> tuple[str, ...]:
    # The same shape as ninja's own body errors: source, parameter, then the field path.
    return ("body", "payload", *(part for part in path.split(".") if part))


@contextmanager
def _as_422() -> Iterator[None]:
    """Turn the services' refusals into the API's 422 answer with each field's path."""
    try:
        yield
    except services.CaseError as error:
        raise ValidationError(
            [
                {"loc": _loc(path), "msg": message}
                for path, messages in error.errors.items()
                for message in messages
            ]
        ) from None


def _stale(error: services.StaleVersionError | people_services.StaleVersionError) -> Any:
    if isinstance(error, people_services.StaleVersionError):
        current: dict[str, Any] = error.current.as_dict()
        version = error.current_version
    else:
        current, version = error.current, error.version
    return Status(409, {"detail": str(error), "version": version, "current": _jsonable(current)})


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, default=str))


def _actor(request: HttpRequest) -> Actor:
    return actor_from_request(request)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(case_id: int) -> Case:
    case = selectors.case_or_none(case_id)
    if case is None:
        raise Http404
    return case


def _found[T](request: HttpRequest, case: Case, found: T | None) -> T:
    """A record of the case; whoever may not see the case learns nothing from a 404."""
    if found is None:
        authorize(
            _actor(request),
            _user(request),
            Permission.VIEW_PERSONAL_DATA,
            case,
            object_type="case",
            object_id=case.pk,
        )
        raise Http404
    return found


def _language() -> str:
    language = (translation.get_language() or "en")[:2]
    return language if language in SUPPORTED_LANGUAGES else "en"


# ---- output ---------------------------------------------------------------------------------


class CaseRowOut(Schema):
    id: int
    code: str
    status: str
    htcds_status: str
    pending_status: str
    owner_id: int
    owner_name: str
    supervisor_name: str
    exploitation_types: list[str]
    next_deadline_on: date | None
    opened_on: date
    updated_at: datetime


class CaseListOut(Schema):
    items: list[CaseRowOut]
    count: int = Field(description="Matching cases, up to 10,000 (see count_capped).")
    count_capped: bool = Field(description="More cases match than counted: narrow the filter.")
    page: int
    page_size: int


class PersonOut(Schema):
    reference: str
    version: int
    erased: bool
    data: dict[str, Any] = Field(description="given_names, family_names, birth_date, ...")


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str | None
    changed_by: str
    approved_by: str
    changed_at: datetime


class ConsentOut(Schema):
    id: int
    scope: str
    given: bool
    shared_with_id: int | None
    explained_in_language: str
    recorded_on: date
    withdrawn_at: datetime | None


class CurrentConsentOut(Schema):
    consent_id: int
    scope: str
    given: bool
    in_effect: bool
    recorded_on: date
    explained_in_language: str
    withdrawn_at: datetime | None
    shared_with_id: int | None


class ScreeningSummaryOut(Schema):
    id: int
    verdict: str
    ruleset_version: str
    catalogue_sha256: str
    recorded_by: str
    recorded_at: datetime


class ScreeningOut(ScreeningSummaryOut):
    answers: dict[str, Any]
    result: dict[str, Any]


class VulnerabilityOut(Schema):
    id: int
    factors: list[dict[str, Any]]
    summary: dict[str, Any]
    assessed_at: datetime


class SupportItemOut(Schema):
    id: int
    kind: str
    provider: str
    status: str
    starts_on: date | None
    due_on: date | None
    notes: str | None
    version: int


class EventOut(Schema):
    id: int
    kind: str = Field(description="Recruitment, Transit or Exploitation (HTCDS hte_).")
    country: str = Field(description="ISO 3166-1 alpha-2.")
    city: str | None
    started_on: date | None
    ended_on: date | None
    description: str | None
    version: int


class NoteOut(Schema):
    id: int
    body: str
    author: str
    written_at: datetime


class DocumentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class RightsOut(Schema):
    id: int
    jurisdiction: str
    language: str
    catalogue_version: str
    given_on: date


class DeadlineOut(Schema):
    kind: str
    label: str
    due_on: date
    status: str
    legal_reference: str | None
    provisional: bool
    subject: str | None = Field(description="The support-plan item id, for its deadlines.")
    age_basis: str | None


class CaseOut(Schema):
    id: int
    code: str
    status: str
    htcds_status: str
    pending_status: str
    pending_requested_by: str
    version: int
    owner_id: int
    owner_name: str
    supervisor_id: int | None
    supervisor_name: str
    opened_on: date
    closed_on: date | None
    closure_reason: str | None
    next_deadline_on: date | None
    details: dict[str, Any] = Field(description="The HTCDS details and deadline facts.")
    person: PersonOut
    status_changes: list[StatusChangeOut]
    consents: list[ConsentOut]
    consent_state: dict[str, CurrentConsentOut]
    screenings: list[ScreeningSummaryOut]
    vulnerability: VulnerabilityOut | None
    support_items: list[SupportItemOut]
    events: list[EventOut]
    documents: list[DocumentOut]
    rights_given: list[RightsOut]
    deadlines: list[DeadlineOut]


def _deadline_out(deadline: deadlines.Deadline) -> dict[str, Any]:
    return {
        "kind": deadline.kind.value,
        "label": deadline.label.in_language(_language()),
        "due_on": deadline.due_on,
        "status": deadline.status.value,
        "legal_reference": deadline.legal_reference,
        "provisional": deadline.provisional,
        "subject": deadline.subject,
        "age_basis": deadline.age_basis.value if deadline.age_basis else None,
    }


def _screening_summary(screening: StoredScreening) -> dict[str, Any]:
    return {
        "id": screening.pk,
        "verdict": screening.verdict,
        "ruleset_version": screening.ruleset_version,
        "catalogue_sha256": screening.catalogue_sha256,
        "recorded_by": selectors.user_name(screening.recorded_by),
        "recorded_at": screening.recorded_at,
    }


def _screening_out(screening: StoredScreening) -> dict[str, Any]:
    return {
        **_screening_summary(screening),
        "answers": screening.answers,
        "result": screening.result,
    }


def _vulnerability_out(assessment: VulnerabilityAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "factors": assessment.factors,
        "summary": assessment.summary,
        "assessed_at": assessment.assessed_at,
    }


def _note_out(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "body": note.body,
        "author": selectors.user_name(note.author),
        "written_at": note.written_at,
    }


def _case_out(page: selectors.CasePage) -> dict[str, Any]:
    case = page.case
    return {
        "id": case.pk,
        "code": case.code,
        "status": case.status,
        "htcds_status": selectors.htcds_status_of(case),
        "pending_status": case.pending_status,
        "pending_requested_by": selectors.user_name(case.pending_requested_by),
        "version": case.version,
        "owner_id": case.owner_id,
        "owner_name": selectors.user_name(case.owner),
        "supervisor_id": case.supervisor_id,
        "supervisor_name": selectors.user_name(case.supervisor),
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": case.closure_reason,
        "next_deadline_on": case.next_deadline_on,
        "details": selectors.case_details(case),
        "person": {
            "reference": case.person.reference,
            "version": case.person.version,
            "erased": case.person.is_erased,
            "data": people_services.person_data(case.person).as_dict(),
        },
        "status_changes": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
                "changed_by": selectors.user_name(change.changed_by),
                "approved_by": selectors.user_name(change.approved_by),
                "changed_at": change.changed_at,
            }
            for change in page.status_changes
        ],
        "consents": [
            {
                "id": consent.pk,
                "scope": consent.scope,
                "given": consent.given,
                "shared_with_id": consent.shared_with_id,
                "explained_in_language": consent.explained_in_language,
                "recorded_on": consent.recorded_on,
                "withdrawn_at": consent.withdrawn_at,
            }
            for consent in page.consents
        ],
        "consent_state": {key: asdict(value) for key, value in page.consent_state.items()},
        "screenings": [_screening_summary(screening) for screening in page.screenings],
        "vulnerability": _vulnerability_out(page.vulnerability) if page.vulnerability else None,
        "support_items": [selectors.support_item_details(item) for item in page.support_items],
        "events": [selectors.event_details(event) for event in selectors.events_of(case)],
        "documents": [
            {
                "id": document.pk,
                "filename": document.filename,
                "content_type": document.content_type,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": document.uploaded_at,
            }
            for document in page.documents
        ],
        "rights_given": [
            {
                "id": given.pk,
                "jurisdiction": given.jurisdiction,
                "language": given.language,
                "catalogue_version": given.catalogue_version,
                "given_on": given.given_on,
            }
            for given in page.rights_given
        ],
        "deadlines": [_deadline_out(deadline) for deadline in page.deadlines],
    }


def _case_response(case: Case) -> dict[str, Any]:
    return _case_out(selectors.case_page(case))


# ---- lists ----------------------------------------------------------------------------------


class CaseListQuery(Schema):
    status: CaseStatus | None = None
    owner: int | None = Field(None, description="Only the cases owned by this user id.")
    deadline: Literal["overdue", "due_soon"] | None = None
    exploitation_type: ExploitationType | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=selectors.MAX_PAGE_SIZE)


@router.get(
    "",
    response={200: CaseListOut, 403: Refusal, 422: InvalidInput},
    summary="The cases you may see, nearest deadline first",
    description="Never shows a person's name: open a case to see who it is about.",
)
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]) -> Any:
    authorize(_actor(request), _user(request), Permission.VIEW_PERSONAL_DATA, object_type="case")
    page = selectors.case_list(
        _user(request),
        status=filters.status,
        owner=filters.owner,
        deadline=filters.deadline,
        exploitation_type=filters.exploitation_type,
        page=filters.page,
        page_size=filters.page_size,
    )
    return {
        "items": [asdict(row) for row in page.items],
        "count": page.count,
        "count_capped": page.count_capped,
        "page": page.page,
        "page_size": page.page_size,
    }


class DueOut(Schema):
    case_id: int
    case_code: str
    owner_name: str
    deadline: DeadlineOut


class DueQuery(Schema):
    scope: Literal["mine", "organisation"] = Field(
        "mine", description="Your cases, or (supervisors) the whole organisation's."
    )
    today: date | None = None


@router.get(
    "/due",
    response={200: list[DueOut], 403: Refusal, 422: InvalidInput},
    summary="Deadlines due soon or overdue",
)
def due(request: HttpRequest, query: Query[DueQuery]) -> Any:
    permission = (
        Permission.APPROVE_CASE_DECISIONS
        if query.scope == "organisation"
        else Permission.VIEW_PERSONAL_DATA
    )
    authorize(_actor(request), _user(request), permission, object_type="case")
    found = selectors.due_list(
        _user(request), today=query.today or timezone.localdate(), scope=query.scope
    )
    return [
        {
            "case_id": item.case_id,
            "case_code": item.case_code,
            "owner_name": item.owner_name,
            "deadline": _deadline_out(item.deadline),
        }
        for item in found
    ]


class SearchIn(InputSchema):
    given_names: str = ""
    family_names: str = ""
    birth_date: date


@router.post(
    "/search",
    response={200: list[CaseRowOut], 403: Refusal, 422: InvalidInput},
    summary="Find your cases of a person by exact name and date of birth",
    description="A POST, so that the name never appears in a URL or a server log.",
)
def search(request: HttpRequest, payload: SearchIn) -> Any:
    with _as_422():
        found = services.search_cases(
            _actor(request),
            _user(request),
            given_names=payload.given_names,
            family_names=payload.family_names,
            birth_date=payload.birth_date,
        )
    return [asdict(row) for row in found]


# ---- one case -------------------------------------------------------------------------------


class OpenCaseIn(InputSchema):
    person: dict[str, Any] = Field(
        description="The person's data: given_names, family_names, birth_date (YYYY-MM-DD), "
        "gender, nationality, citizenships, languages, phone, email, address, ..."
    )
    owner_id: int | None = Field(None, description="The case worker in charge; default: you.")
    supervisor_id: int | None = None
    jurisdiction: str = Field("PL", description="PL or EU_COE.")
    opened_on: date | None = Field(None, description="Default: today.")


def _staff_member(request: HttpRequest, user_id: int, path: str) -> User:
    found = selectors.staff_member(_user(request), user_id)
    if found is None:
        raise ValidationError([{"loc": _loc(path), "msg": _("No such user in your organisation.")}])
    return found


@router.post(
    "",
    response={201: CaseOut, **REFUSALS},
    summary="Register a person and open their case",
)
def open_case(request: HttpRequest, payload: OpenCaseIn) -> Any:
    user = _user(request)
    owner = _staff_member(request, payload.owner_id, "owner_id") if payload.owner_id else user
    supervisor = (
        _staff_member(request, payload.supervisor_id, "supervisor_id")
        if payload.supervisor_id
        else None
    )
    with _as_422():
        case = services.open_case(
            _actor(request),
            user,
            person_data=payload.person,
            owner=owner,
            supervisor=supervisor,
            jurisdiction=payload.jurisdiction,
            opened_on=payload.opened_on or timezone.localdate(),
        )
    return Status(201, _case_response(case))


@router.get(
    "/{int:case_id}",
    response={200: CaseOut, 403: Refusal, 404: Refusal},
    summary="A case with everything recorded in it (the view is audited)",
)
def get_case(request: HttpRequest, case_id: int) -> Any:
    case = services.get_case_for_view(_actor(request), _user(request), case_id)
    return _case_response(case)


class CaseDetailsIn(InputSchema):
    version: int = Field(description="The version you read; a newer one stored gives 409.")
    recruitment_methods: list[str] | None = None
    control_methods: list[str] | None = None
    exploitation_types: list[str] | None = None
    forced_labour_industry: str | None = Field(None, description="ISIC Rev.4 section, A-U.")
    sexual_exploitation_types: list[str] | None = None
    relationship_to_trafficker: str | None = None
    perpetrator_roles: list[str] | None = None
    age_when_trafficked: int | None = None
    presumption_certificate_issued_on: date | None = None
    presumption_certificate_followed_up_on: date | None = None
    reasonable_grounds_on: date | None = None
    reasonable_grounds_followed_up_on: date | None = None
    residence_permit_issued_on: date | None = None
    residence_permit_months: int | None = None
    residence_permit_renewal_applied_on: date | None = None
    jurisdiction: str | None = None


@router.patch(
    "/{int:case_id}",
    response={200: CaseOut, **WITH_CONFLICT},
    summary="Change a case's HTCDS details and deadline facts (only the fields sent)",
)
def update_details(request: HttpRequest, case_id: int, payload: CaseDetailsIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    try:
        with _as_422():
            case = services.update_case_details(
                _actor(request), _user(request), _case(case_id), expected_version=version, **changes
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return _case_response(case)


class PersonIn(InputSchema):
    version: int = Field(description="The person's version you read.")
    person: dict[str, Any]


@router.patch(
    "/{int:case_id}/person",
    response={200: CaseOut, **WITH_CONFLICT},
    summary="Correct the person's data (all fields replaced)",
)
def update_person(request: HttpRequest, case_id: int, payload: PersonIn) -> Any:
    case = _case(case_id)
    try:
        with _as_422():
            services.update_person_details(
                _actor(request),
                _user(request),
                case,
                data=payload.person,
                expected_version=payload.version,
            )
    except people_services.StaleVersionError as error:
        return _stale(error)
    return _case_response(case)


class StatusIn(InputSchema):
    to_status: str = Field(json_schema_extra={"enum": list(CaseStatus.values)})
    reason: str = Field("", description="Required when the case is closed.")
    version: int


class StatusOut(Schema):
    applied: bool = Field(description="False: the closure waits for a supervisor's decision.")
    case: CaseOut


@router.post(
    "/{int:case_id}/status",
    response={200: StatusOut, **WITH_CONFLICT},
    summary="Move the case on, or ask a supervisor to close it",
)
def change_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Any:
    try:
        with _as_422():
            outcome = services.change_status(
                _actor(request),
                _user(request),
                _case(case_id),
                to_status=payload.to_status,
                reason=payload.reason,
                expected_version=payload.version,
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return {"applied": outcome.applied, "case": _case_response(outcome.case)}


class DecisionIn(InputSchema):
    approve: bool
    note: str = Field("", description="Required when rejecting; kept with the case's notes.")


@router.post(
    "/{int:case_id}/status/decision",
    response={200: CaseOut, **REFUSALS},
    summary="Approve or reject a pending closure (supervisors)",
)
def decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    with _as_422():
        case = services.decide_pending_status(
            _actor(request),
            _user(request),
            _case(case_id),
            approve=payload.approve,
            note=payload.note,
        )
    return _case_response(case)


class TraffickingStatusIn(InputSchema):
    status: TraffickingStatus
    decided_by: DecisionOrganisation
    version: int


@router.post(
    "/{int:case_id}/trafficking-status",
    response={200: CaseOut, **WITH_CONFLICT},
    summary="Record the trafficking status decided (HTCDS vic_TraffickingStatus)",
)
def trafficking_status(request: HttpRequest, case_id: int, payload: TraffickingStatusIn) -> Any:
    try:
        with _as_422():
            case = services.record_trafficking_status(
                _actor(request),
                _user(request),
                _case(case_id),
                status=payload.status,
                decided_by=payload.decided_by,
                expected_version=payload.version,
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return _case_response(case)


class AssignmentIn(InputSchema):
    owner_id: int = Field(description="A case worker or supervisor of the case's organisation.")
    supervisor_id: int | None = Field(description="A supervisor of the organisation, or null.")
    version: int


@router.post(
    "/{int:case_id}/assignment",
    response={200: CaseOut, **WITH_CONFLICT},
    summary="Hand the case to another owner or supervisor (supervisors)",
    description="Both are sent, a null supervisor removes the supervisor. The change is kept in "
    "the case's history and the audit trail.",
)
def reassign(request: HttpRequest, case_id: int, payload: AssignmentIn) -> Any:
    try:
        with _as_422():
            case = services.reassign_case(
                _actor(request),
                _user(request),
                _case(case_id),
                owner_id=payload.owner_id,
                supervisor_id=payload.supervisor_id,
                expected_version=payload.version,
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return _case_response(case)


# ---- consent --------------------------------------------------------------------------------


class ConsentIn(InputSchema):
    scope: Consent.Scope
    given: bool
    explained_in_language: str = Field(description="ISO 639 code of the language used.")
    recorded_on: date
    shared_with_id: int | None = Field(None, description="For sharing: the organisation.")


def _organisation(organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    found = selectors.organisation_or_none(organisation_id)
    if found is None:
        raise ValidationError([{"loc": _loc("shared_with_id"), "msg": _("No such organisation.")}])
    return found


@router.post(
    "/{int:case_id}/consents",
    response={201: ConsentOut, **REFUSALS},
    summary="Record consent given or refused",
)
def record_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Any:
    with _as_422():
        consent = services.record_consent(
            _actor(request),
            _user(request),
            _case(case_id),
            scope=payload.scope,
            given=payload.given,
            explained_in_language=payload.explained_in_language,
            recorded_on=payload.recorded_on,
            shared_with=_organisation(payload.shared_with_id),
        )
    return Status(
        201,
        {
            "id": consent.pk,
            "scope": consent.scope,
            "given": consent.given,
            "shared_with_id": consent.shared_with_id,
            "explained_in_language": consent.explained_in_language,
            "recorded_on": consent.recorded_on,
            "withdrawn_at": consent.withdrawn_at,
        },
    )


class WithdrawIn(InputSchema):
    scope: Consent.Scope
    shared_with_id: int | None = None


class WithdrawnOut(Schema):
    withdrawn: int
    consent_state: dict[str, CurrentConsentOut]


@router.post(
    "/{int:case_id}/consents/withdraw",
    response={200: WithdrawnOut, **REFUSALS},
    summary="Withdraw consent, with effect at once",
)
def withdraw_consent(request: HttpRequest, case_id: int, payload: WithdrawIn) -> Any:
    case = _case(case_id)
    with _as_422():
        withdrawn = services.withdraw_consent(
            _actor(request),
            _user(request),
            case,
            scope=payload.scope,
            shared_with=_organisation(payload.shared_with_id),
        )
    state = selectors.consent_state(case)
    return {"withdrawn": withdrawn, "consent_state": {k: asdict(v) for k, v in state.items()}}


# ---- screenings -----------------------------------------------------------------------------


class LanguageQuery(Schema):
    language: Literal["en", "pl", "uk", "ru"] = Field(
        "en", description="The language of the explanations."
    )


@router.post(
    "/{int:case_id}/screenings",
    response={201: ScreeningOut, **REFUSALS},
    summary="Assess a screening interview and keep it in the case",
    description=(
        "The body is the screening input of `POST /api/v1/screening/assess`. The person's "
        "consent to the interview must have been recorded."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inlined_definitions(input_json_schema())}},
        }
    },
)
def save_screening(request: HttpRequest, case_id: int, query: Query[LanguageQuery]) -> Any:
    case = _case(case_id)
    try:
        raw = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError([{"loc": _loc(""), "msg": str(error)}]) from None
    with _as_422():
        screening = services.save_screening(
            _actor(request), _user(request), case, raw_input=raw, language=query.language
        )
    return Status(201, _screening_out(screening))


@router.get(
    "/{int:case_id}/screenings",
    response={200: list[ScreeningOut], 403: Refusal, 404: Refusal},
    summary="The case's screenings, newest first (the view is audited)",
)
def list_screenings(request: HttpRequest, case_id: int) -> Any:
    case = services.get_case_for_view(
        _actor(request), _user(request), case_id, section="screenings"
    )
    return [_screening_out(screening) for screening in selectors.screenings_of(case)]


class CompareQuery(Schema):
    older: int
    newer: int


class ChangeOut(Schema):
    before: Any
    after: Any


class ComparisonOut(Schema):
    older_id: int
    newer_id: int
    ruleset: ChangeOut
    verdict: ChangeOut
    trafficking_status_suggested: ChangeOut
    movement: ChangeOut
    dimensions: dict[str, ChangeOut] = Field(description="Only the dimensions that changed.")
    palermo: dict[str, ChangeOut] = Field(description="Only the elements that changed.")
    answers: dict[str, ChangeOut] = Field(description="Only the answers that changed.")


@router.get(
    "/{int:case_id}/screenings/compare",
    response={200: ComparisonOut, 403: Refusal, 404: Refusal, 422: InvalidInput},
    summary="What changed between two screenings of the case",
)
def compare_screenings(request: HttpRequest, case_id: int, query: Query[CompareQuery]) -> Any:
    case = services.get_case_for_view(
        _actor(request), _user(request), case_id, section="screenings"
    )
    older = _found(request, case, selectors.screening_of(case, query.older))
    newer = _found(request, case, selectors.screening_of(case, query.newer))
    return asdict(selectors.compare_screenings(older, newer))


@router.post(
    "/{int:case_id}/screenings/{int:screening_id}/rescreen",
    response={201: ScreeningOut, **REFUSALS},
    summary="Assess a stored screening again with the current rules",
)
def rescreen(
    request: HttpRequest, case_id: int, screening_id: int, query: Query[LanguageQuery]
) -> Any:
    case = _case(case_id)
    screening = _found(request, case, selectors.screening_of(case, screening_id))
    with _as_422():
        again = services.rescreen_with_current_rules(
            _actor(request), _user(request), screening, language=query.language
        )
    return Status(201, _screening_out(again))


# ---- vulnerability, support plan, notes, documents, rights ----------------------------------


class FactorIn(InputSchema):
    factor_id: str
    direction: Literal["risk", "protective"]
    severity: Literal["low", "medium", "high"]
    note: str = ""


class VulnerabilityIn(InputSchema):
    factors: list[FactorIn]


@router.post(
    "/{int:case_id}/vulnerability",
    response={201: VulnerabilityOut, **REFUSALS},
    summary="Record a vulnerability assessment (IOM DoMV factors); it decides nothing",
)
def record_vulnerability(request: HttpRequest, case_id: int, payload: VulnerabilityIn) -> Any:
    with _as_422():
        assessment = services.record_vulnerability_assessment(
            _actor(request),
            _user(request),
            _case(case_id),
            factors=[factor.model_dump() for factor in payload.factors],
        )
    return Status(201, _vulnerability_out(assessment))


class SupportItemIn(InputSchema):
    kind: SupportItem.Kind
    provider: str = ""
    status: SupportItem.Status = SupportItem.Status.PLANNED
    starts_on: date | None = None
    due_on: date | None = None
    notes: str = ""


@router.post(
    "/{int:case_id}/support-items",
    response={201: SupportItemOut, **REFUSALS},
    summary="Add an item to the support plan",
)
def add_support_item(request: HttpRequest, case_id: int, payload: SupportItemIn) -> Any:
    with _as_422():
        item = services.add_support_item(
            _actor(request), _user(request), _case(case_id), **payload.model_dump()
        )
    return Status(201, selectors.support_item_details(item))


class SupportItemChangeIn(InputSchema):
    version: int
    kind: SupportItem.Kind | None = None
    provider: str | None = None
    status: SupportItem.Status | None = None
    starts_on: date | None = None
    due_on: date | None = None
    notes: str | None = None


@router.patch(
    "/{int:case_id}/support-items/{int:item_id}",
    response={200: SupportItemOut, **WITH_CONFLICT},
    summary="Change a support-plan item (only the fields sent)",
)
def update_support_item(
    request: HttpRequest, case_id: int, item_id: int, payload: SupportItemChangeIn
) -> Any:
    case = _case(case_id)
    item = _found(request, case, selectors.support_item_of(case, item_id))
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    try:
        with _as_422():
            updated = services.update_support_item(
                _actor(request), _user(request), item, expected_version=version, **changes
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return selectors.support_item_details(updated)


class EventIn(InputSchema):
    kind: TraffickingEvent.Kind
    country: str = Field(description="ISO 3166-1 alpha-2, e.g. UA.")
    city: str = Field("", max_length=services.MAX_PLACE_CHARS)
    started_on: date | None = Field(None, description="Not in the future.")
    ended_on: date | None = Field(None, description="Not before started_on; empty if ongoing.")
    description: str = Field("", max_length=services.MAX_EVENT_DESCRIPTION_CHARS)


@router.get(
    "/{int:case_id}/events",
    response={200: list[EventOut], 403: Refusal, 404: Refusal},
    summary="The case's trafficking events, earliest first (the view is audited)",
)
def list_events(request: HttpRequest, case_id: int) -> Any:
    case = services.get_case_for_view(_actor(request), _user(request), case_id, section="events")
    return [selectors.event_details(event) for event in selectors.events_of(case)]


@router.post(
    "/{int:case_id}/events",
    response={201: EventOut, **REFUSALS},
    summary="Record a trafficking event: recruitment, transit or exploitation (HTCDS hte_)",
)
def add_event(request: HttpRequest, case_id: int, payload: EventIn) -> Any:
    with _as_422():
        event = services.add_trafficking_event(
            _actor(request),
            _user(request),
            _case(case_id),
            **payload.model_dump(),
            today=timezone.localdate(),
        )
    return Status(201, selectors.event_details(event))


class EventChangeIn(InputSchema):
    version: int
    kind: TraffickingEvent.Kind | None = None
    country: str | None = None
    city: str | None = Field(None, max_length=services.MAX_PLACE_CHARS)
    started_on: date | None = None
    ended_on: date | None = None
    description: str | None = Field(None, max_length=services.MAX_EVENT_DESCRIPTION_CHARS)


@router.patch(
    "/{int:case_id}/events/{int:event_id}",
    response={200: EventOut, **WITH_CONFLICT},
    summary="Change a trafficking event (only the fields sent)",
)
def update_event(request: HttpRequest, case_id: int, event_id: int, payload: EventChangeIn) -> Any:
    case = _case(case_id)
    event = _found(request, case, selectors.event_of(case, event_id))
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    try:
        with _as_422():
            updated = services.update_trafficking_event(
                _actor(request),
                _user(request),
                event,
                expected_version=version,
                today=timezone.localdate(),
                **changes,
            )
    except services.StaleVersionError as error:
        return _stale(error)
    return selectors.event_details(updated)


class VersionQuery(Schema):
    version: int = Field(description="The version you read; a newer one stored gives 409.")


@router.delete(
    "/{int:case_id}/events/{int:event_id}",
    response={204: None, **WITH_CONFLICT},
    summary="Remove a trafficking event recorded by mistake",
)
def remove_event(
    request: HttpRequest, case_id: int, event_id: int, query: Query[VersionQuery]
) -> Any:
    case = _case(case_id)
    event = _found(request, case, selectors.event_of(case, event_id))
    try:
        services.remove_trafficking_event(
            _actor(request), _user(request), event, expected_version=query.version
        )
    except services.StaleVersionError as error:
        return _stale(error)
    return Status(204, None)


class NoteIn(InputSchema):
    body: str = Field(max_length=services.MAX_NOTE_CHARS)


@router.post(
    "/{int:case_id}/notes",
    response={201: NoteOut, **REFUSALS},
    summary="Add a note (kept encrypted)",
)
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    with _as_422():
        note = services.add_note(_actor(request), _user(request), _case(case_id), body=payload.body)
    return Status(201, _note_out(note))


@router.get(
    "/{int:case_id}/notes",
    response={200: list[NoteOut], 403: Refusal, 404: Refusal},
    summary="The case's notes, newest first (the view is audited)",
)
def list_notes(request: HttpRequest, case_id: int) -> Any:
    case = services.get_case_for_view(_actor(request), _user(request), case_id, section="notes")
    return [_note_out(note) for note in selectors.notes_of(case)]


@router.post(
    "/{int:case_id}/documents",
    response={201: DocumentOut, **REFUSALS},
    summary="Upload a document (PDF, PNG, JPEG, plain text, DOCX or ODT)",
    description="multipart/form-data with the file in `file`. The content decides the type.",
)
def upload_document(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Any:
    with _as_422():
        document: Document = services.upload_document(
            _actor(request),
            _user(request),
            _case(case_id),
            filename=file.name or "",
            content_type=file.content_type or "",
            content=file.read(),
        )
    return Status(
        201,
        {
            "id": document.pk,
            "filename": document.filename,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": document.uploaded_at,
        },
    )


@router.get(
    "/{int:case_id}/documents/{int:document_id}",
    response={200: None, 403: Refusal, 404: Refusal},
    summary="Download a document (the download is audited)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_document(request: HttpRequest, case_id: int, document_id: int) -> Any:
    case = _case(case_id)
    document = _found(request, case, selectors.document_of(case, document_id))
    found = services.document_content(_actor(request), _user(request), document)
    if found is None:
        return Status(
            404,
            {
                "detail": _(
                    "The file of this document is missing from storage. The problem was logged."
                )
            },
        )
    filename, content_type, content = found
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@router.delete(
    "/{int:case_id}/documents/{int:document_id}",
    response={204: None, 403: Refusal, 404: Refusal},
    summary="Delete a document; its file is destroyed once the deletion is committed",
)
def delete_document(request: HttpRequest, case_id: int, document_id: int) -> Any:
    services.delete_document(
        _actor(request), _user(request), _case(case_id), document_id=document_id
    )
    return Status(204, None)


class DeadlinesQuery(Schema):
    today: date | None = None


@router.get(
    "/{int:case_id}/deadlines",
    response={200: list[DeadlineOut], 403: Refusal, 404: Refusal, 422: InvalidInput},
    summary="The case's deadlines and their status today",
)
def case_deadlines(request: HttpRequest, case_id: int, query: Query[DeadlinesQuery]) -> Any:
    case = services.get_case_for_view(_actor(request), _user(request), case_id, section="deadlines")
    found = selectors.case_deadlines(case, today=query.today or timezone.localdate())
    return [_deadline_out(deadline) for deadline in found]


class RightsIn(InputSchema):
    language: Literal["en", "pl", "uk", "ru"]
    given_on: date


@router.post(
    "/{int:case_id}/rights",
    response={201: RightsOut, **REFUSALS},
    summary="Record that the rights sheet was given, in which language",
)
def record_rights(request: HttpRequest, case_id: int, payload: RightsIn) -> Any:
    with _as_422():
        given: RightsInformation = services.record_rights_information(
            _actor(request),
            _user(request),
            _case(case_id),
            language=payload.language,
            given_on=payload.given_on,
        )
    return Status(
        201,
        {
            "id": given.pk,
            "jurisdiction": given.jurisdiction,
            "language": given.language,
            "catalogue_version": given.catalogue_version,
            "given_on": given.given_on,
        },
    )
