"""Reads of protection cases, each in a bounded number of queries whatever the data size.

Lists show codes, statuses, owners and deadlines, never a person's name: who a case is about is
seen only on the case itself, and that view is audited (`services.get_case_for_view`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import OWN_RECORDS_ONLY, Permission, can
from waypoint.cases.models import (
    AssignmentChange,
    Case,
    CaseExploitation,
    Consent,
    Document,
    Note,
    RightsInformation,
    StatusChange,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    VulnerabilityAssessment,
)
from waypoint.domain import deadlines, rights
from waypoint.domain.case_lifecycle import CLOSED_STATES, CaseState, htcds_status
from waypoint.people import selectors as people_selectors

CLOSED_STATUSES: frozenset[str] = frozenset(state.value for state in CLOSED_STATES)
MAX_PAGE_SIZE = 100
OPEN_SUPPORT_STATUSES = (SupportItem.Status.PLANNED, SupportItem.Status.IN_PROGRESS)

DeadlineFilter = Literal["overdue", "due_soon"]
DueScope = Literal["mine", "organisation"]


def supported_jurisdictions() -> tuple[str, ...]:
    """Jurisdictions with both deadline rules and a rights sheet."""
    return tuple(
        sorted(set(deadlines.supported_jurisdictions()) & set(rights.supported_jurisdictions()))
    )


def user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# ---- which cases ----------------------------------------------------------------------------


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases the policy lets the user see: a case worker's assigned ones, the
    organisation's for supervisors, none for roles without access to personal data."""
    if not can(user, Permission.VIEW_PERSONAL_DATA):
        return Case.objects.none()
    cases = Case.objects.filter(organisation_id=user.organisation_id)
    if user.role in OWN_RECORDS_ONLY:
        cases = cases.filter(Q(owner=user) | Q(supervisor=user))
    return cases


def case_or_none(case_id: int) -> Case | None:
    return Case.objects.select_related("person", "owner", "supervisor").filter(pk=case_id).first()


def staff_member(user: User, user_id: int) -> User | None:
    """A member of the user's organisation, to assign a case to."""
    return User.objects.filter(pk=user_id, organisation_id=user.organisation_id).first()


def organisation_or_none(organisation_id: int) -> Organisation | None:
    return Organisation.objects.filter(pk=organisation_id).first()


def htcds_status_of(case: Case) -> str:
    """The case status in HTCDS terms (cas_Status)."""
    return htcds_status(CaseState(case.status)).value


def case_details(case: Case) -> dict[str, Any]:
    """The values a person edits, as they are now: what a conflicting editor merges with."""
    return {
        "status": case.status,
        "pending_status": case.pending_status,
        "trafficking_status": case.trafficking_status,
        "trafficking_status_decided_by": case.trafficking_status_decided_by,
        "recruitment_methods": case.recruitment_methods,
        "control_methods": case.control_methods,
        "exploitation_types": case.exploitation_types,
        "forced_labour_industry": case.forced_labour_industry,
        "sexual_exploitation_types": case.sexual_exploitation_types,
        "relationship_to_trafficker": case.relationship_to_trafficker,
        "perpetrator_roles": case.perpetrator_roles,
        "age_when_trafficked": case.age_when_trafficked,
        "presumption_certificate_issued_on": case.presumption_certificate_issued_on,
        "presumption_certificate_followed_up_on": case.presumption_certificate_followed_up_on,
        "reasonable_grounds_on": case.reasonable_grounds_on,
        "reasonable_grounds_followed_up_on": case.reasonable_grounds_followed_up_on,
        "residence_permit_issued_on": case.residence_permit_issued_on,
        "residence_permit_months": case.residence_permit_months,
        "residence_permit_renewal_applied_on": case.residence_permit_renewal_applied_on,
        "jurisdiction": case.jurisdiction,
        "version": case.version,
    }


def support_item_details(item: SupportItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "provider": item.provider,
        "status": item.status,
        "starts_on": item.starts_on,
        "due_on": item.due_on,
        "notes": item.notes,
        "version": item.version,
    }


# ---- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
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
    updated_at: Any


def _row(case: Case) -> CaseRow:
    return CaseRow(
        id=case.pk,
        code=case.code,
        status=case.status,
        htcds_status=htcds_status_of(case),
        pending_status=case.pending_status,
        owner_id=case.owner_id,
        owner_name=user_name(case.owner),
        supervisor_name=user_name(case.supervisor),
        exploitation_types=list(case.exploitation_types),
        next_deadline_on=case.next_deadline_on,
        opened_on=case.opened_on,
        updated_at=case.updated_at,
    )


# The columns a list row needs: nothing of the person, and no encrypted text to decrypt.
_ROW_FIELDS = (
    "code",
    "status",
    "pending_status",
    "owner",
    "supervisor",
    "exploitation_types",
    "next_deadline_on",
    "opened_on",
    "updated_at",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "supervisor__username",
    "supervisor__first_name",
    "supervisor__last_name",
)


def _rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    return (
        cases.select_related("owner", "supervisor")
        .only(*_ROW_FIELDS)
        .order_by(F("next_deadline_on").asc(nulls_last=True), "-updated_at", "-id")
    )


@dataclass(frozen=True)
class CaseListPage:
    items: list[CaseRow]
    count: int
    page: int
    page_size: int
    count_capped: bool = False
    """More cases match than COUNT_LIMIT: `count` is the limit, and pages stop there."""


# Counting every match of a filter over a million cases costs more than the page itself, and
# nobody pages that deep: past this many, lists say "more than" and ask for a narrower filter.
COUNT_LIMIT = 10_000


def _of_exploitation_type(cases: QuerySet[Case], exploitation_type: str) -> QuerySet[Case]:
    if connection.features.supports_json_field_contains:
        # PostgreSQL looks inside the case's own array, which its indexes hold (a GIN index, and
        # those of the status and deadline filters): probing `CaseExploitation` once per case
        # that the other filters let through cost more than the rest of the list together.
        return cases.filter(exploitation_types__contains=[exploitation_type])
    return cases.filter(
        Exists(
            CaseExploitation.objects.filter(
                organisation_id=OuterRef("organisation_id"),
                exploitation_type=exploitation_type,
                case_id=OuterRef("pk"),
            )
        )
    )


def case_list(
    user: User,
    *,
    status: str | None = None,
    owner: int | None = None,
    deadline: DeadlineFilter | None = None,
    exploitation_type: str | None = None,
    page: int = 1,
    page_size: int = 25,
    today: date | None = None,
) -> CaseListPage:
    """One page of the cases the user may see, nearest deadline first: two queries."""
    cases = visible_cases(user)
    if status:
        cases = cases.filter(status=status)
    if owner is not None:
        cases = cases.filter(owner_id=owner)
    if deadline is not None:
        day = today or timezone.localdate()
        if deadline == "overdue":
            cases = cases.filter(next_deadline_on__lt=day)
        else:
            cases = cases.filter(deadline_alert_on__lte=day, next_deadline_on__gte=day)
    if exploitation_type:
        cases = _of_exploitation_type(cases, exploitation_type)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    count = cases[: COUNT_LIMIT + 1].count()
    capped = count > COUNT_LIMIT
    count = min(count, COUNT_LIMIT)
    last_page = max(1, -(-count // page_size))
    page = min(max(1, page), last_page)
    start = (page - 1) * page_size
    items = [_row(case) for case in _rows(cases)[start : start + page_size]]
    return CaseListPage(
        items=items, count=count, page=page, page_size=page_size, count_capped=capped
    )


def search_by_name_and_birth_date(
    user: User, given_names: str, family_names: str, birth_date: date
) -> list[CaseRow]:
    """The user's visible cases of people found by exact name and birth date (blind index)."""
    people = people_selectors.find_people(
        user.organisation_id,
        given_names=given_names,
        family_names=family_names,
        birth_date=birth_date,
        document_number=None,
        phone=None,
    )
    found = visible_cases(user).filter(person__in=people).values("pk")
    # Found first, then ordered: asked for both at once, SQLite (which keeps no planner
    # statistics) walked every case of the organisation in the list's order.
    return [_row(case) for case in _rows(Case.objects.filter(pk__in=found))]


# ---- deadlines ------------------------------------------------------------------------------


def _birth_date(case: Case) -> date | None:
    value = case.person.birth_date
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def case_facts(case: Case) -> deadlines.CaseFacts:
    """The facts the deadline rules count from. Uses the case's prefetched support items when
    there are any."""
    certificate = case.presumption_certificate_issued_on
    grounds = case.reasonable_grounds_on
    permit = case.residence_permit_issued_on
    items = [
        deadlines.SupportPlanItem(item_id=str(item.pk), due_on=item.due_on)
        for item in case.support_items.all()
        if item.status in OPEN_SUPPORT_STATUSES and item.due_on is not None
    ]
    return deadlines.CaseFacts(
        birth_date=_birth_date(case),
        presumed_victim_certificate=deadlines.Milestone(
            on=certificate, followed_up_on=case.presumption_certificate_followed_up_on
        )
        if certificate
        else None,
        reasonable_grounds=deadlines.Milestone(
            on=grounds, followed_up_on=case.reasonable_grounds_followed_up_on
        )
        if grounds
        else None,
        residence_permit=deadlines.ResidencePermit(
            issued_on=permit,
            duration_months=case.residence_permit_months,
            renewal_applied_on=case.residence_permit_renewal_applied_on,
        )
        if permit and case.residence_permit_months
        else None,
        support_plan_items=tuple(items),
    )


def case_deadlines(case: Case, *, today: date) -> list[deadlines.Deadline]:
    """Every deadline of the case on `today`, earliest first."""
    return deadlines.deadlines(case_facts(case), case.jurisdiction, today=today)


def alert_date(jurisdiction: str, deadline: deadlines.Deadline) -> date:
    """The first day the deadline counts as due soon, under the reminder windows of
    waypoint.domain.deadlines (a kind's own window, else the jurisdiction's)."""
    rules = deadlines.rule_book().jurisdictions[jurisdiction]
    kind = deadlines.DeadlineKind
    window: int | None = None
    if deadline.kind == kind.PRESUMED_VICTIM_CERTIFICATE and rules.presumed_victim_certificate:
        window = rules.presumed_victim_certificate.due_soon_window_days
    elif deadline.kind == kind.REFLECTION_PERIOD and rules.reflection_period:
        window = rules.reflection_period.due_soon_window_days
    elif deadline.kind == kind.RESIDENCE_PERMIT and rules.residence_permit:
        window = rules.residence_permit.reminder_window_days
    elif deadline.kind == kind.SUPPORT_PLAN_ITEM:
        window = rules.support_plan_item.due_soon_window_days
    return deadline.due_on - timedelta(
        days=rules.due_soon_window_days if window is None else window
    )


@dataclass(frozen=True)
class DueItem:
    case_id: int
    case_code: str
    owner_name: str
    deadline: deadlines.Deadline


# Case columns the deadline facts need, and of the person only the birth date.
_FACT_FIELDS = (
    "code",
    "organisation",
    "status",
    "jurisdiction",
    "owner",
    "presumption_certificate_issued_on",
    "presumption_certificate_followed_up_on",
    "reasonable_grounds_on",
    "reasonable_grounds_followed_up_on",
    "residence_permit_issued_on",
    "residence_permit_months",
    "residence_permit_renewal_applied_on",
    "person__birth_date",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


# The due list shows the cases whose alerts started first; `due_case_count` says how many more.
DUE_CASES_LIMIT = 100


def _due_cases(user: User, *, today: date, scope: DueScope) -> QuerySet[Case]:
    if scope == "organisation":
        if not can(user, Permission.APPROVE_CASE_DECISIONS):
            raise PermissionDenied
        cases = visible_cases(user)
    else:
        cases = visible_cases(user).filter(Q(owner=user) | Q(supervisor=user))
    # The stored alert date finds the cases with something due soon or overdue without
    # computing every case's deadlines.
    return cases.filter(deadline_alert_on__lte=today).exclude(status__in=CLOSED_STATUSES)


def due_case_count(user: User, *, today: date, scope: DueScope = "mine") -> int:
    """How many cases have a deadline due soon or overdue. One query."""
    return _due_cases(user, today=today, scope=scope).count()


def due_list(
    user: User, *, today: date, scope: DueScope = "mine", limit: int = DUE_CASES_LIMIT
) -> list[DueItem]:
    """Deadlines due soon or overdue: of the user's own cases, or (for those who approve case
    decisions) of the whole organisation; of at most `limit` cases, those alerted first.
    Two queries."""
    alerted_first = (
        _due_cases(user, today=today, scope=scope)
        .order_by("deadline_alert_on", "pk")
        .values("pk")[:limit]
    )
    # The cases are chosen before their people and owners are joined: PostgreSQL otherwise
    # joined the person of every due case, to keep `limit` of them.
    candidates = (
        Case.objects.filter(pk__in=alerted_first)
        .select_related("person", "owner")
        .only(*_FACT_FIELDS)
        .prefetch_related(
            Prefetch(
                "support_items",
                queryset=SupportItem.objects.filter(status__in=OPEN_SUPPORT_STATUSES).only(
                    "case", "status", "due_on"
                ),
            )
        )
    )
    found = [
        DueItem(
            case_id=case.pk,
            case_code=case.code,
            owner_name=user_name(case.owner),
            deadline=deadline,
        )
        for case in candidates
        for deadline in deadlines.due_soon_or_overdue(
            case_facts(case), case.jurisdiction, today=today
        )
    ]
    return sorted(found, key=lambda item: (item.deadline.due_on, item.case_code))


# ---- consent --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentConsent:
    consent_id: int
    scope: str
    given: bool
    in_effect: bool
    """Given and not withdrawn."""
    recorded_on: date
    explained_in_language: str
    withdrawn_at: Any
    shared_with_id: int | None


def _consent_key(consent: Consent) -> str:
    if consent.scope == Consent.Scope.SHARING:
        return f"{Consent.Scope.SHARING}:{consent.shared_with_id}"
    return str(consent.scope)


def _current_consents(consents: Iterable[Consent]) -> dict[str, CurrentConsent]:
    newest_first = sorted(consents, key=lambda item: (item.recorded_on, item.pk), reverse=True)
    state: dict[str, CurrentConsent] = {}
    for consent in newest_first:
        state.setdefault(
            _consent_key(consent),
            CurrentConsent(
                consent_id=consent.pk,
                scope=consent.scope,
                given=consent.given,
                in_effect=consent.given and consent.withdrawn_at is None,
                recorded_on=consent.recorded_on,
                explained_in_language=consent.explained_in_language,
                withdrawn_at=consent.withdrawn_at,
                shared_with_id=consent.shared_with_id,
            ),
        )
    return state


def consent_state(case: Case) -> dict[str, CurrentConsent]:
    """The consent in effect per scope: the newest record decides. Keys are the scopes, and
    `sharing:<organisation id>` for each organisation sharing was asked about."""
    return _current_consents(Consent.objects.filter(case=case))


def may_share_with(case: Case, organisation: Organisation) -> bool:
    current = consent_state(case).get(f"{Consent.Scope.SHARING}:{organisation.pk}")
    return current is not None and current.in_effect


def may_use_in_statistics(case: Case) -> bool:
    current = consent_state(case).get(Consent.Scope.STATISTICS)
    return current is not None and current.in_effect


# ---- screenings and assessments -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ScreeningComparison:
    older_id: int
    newer_id: int
    ruleset: Change
    verdict: Change
    trafficking_status_suggested: Change
    movement: Change
    dimensions: dict[str, Change] = field(default_factory=dict)
    """Only the dimensions whose status changed."""
    palermo: dict[str, Change] = field(default_factory=dict)
    """Only the Palermo elements whose finding changed."""
    answers: dict[str, Change] = field(default_factory=dict)
    """Only the answers that changed, by path: `indicators.<id>`, `movement.<fact>`, ..."""


def _flat_answers(answers: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def _answer_changes(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Change]:
    before, after = _flat_answers(older), _flat_answers(newer)
    changes: dict[str, Change] = {}
    for path in sorted(before.keys() | after.keys()):
        # An indicator left out was not answered: the engine reads it as "unknown".
        missing = "unknown" if path.startswith("indicators.") else None
        change = Change(before.get(path, missing), after.get(path, missing))
        if change.changed:
            changes[path] = change
    return changes


def _json_object(value: object) -> dict[str, Any]:
    # Encrypted JSON fields are typed as text by the stubs; screenings store objects.
    assert isinstance(value, dict)
    return value


def compare_screenings(older: StoredScreening, newer: StoredScreening) -> ScreeningComparison:
    """What changed between two screenings of a case: the verdict, each dimension, the
    Palermo elements, the movement finding, and which answers differ."""
    before, after = _json_object(older.result), _json_object(newer.result)
    dimensions_before = {item["id"]: item["status"] for item in before["dimensions"]}
    dimensions_after = {item["id"]: item["status"] for item in after["dimensions"]}
    dimensions = {
        dimension: Change(dimensions_before.get(dimension), dimensions_after.get(dimension))
        for dimension in sorted(dimensions_before.keys() | dimensions_after.keys())
    }
    palermo = {
        element: Change(before["palermo"][element], after["palermo"][element])
        for element in ("act", "means", "purpose", "met")
    }
    return ScreeningComparison(
        older_id=older.pk,
        newer_id=newer.pk,
        ruleset=Change(
            {"version": older.ruleset_version, "catalogue_sha256": older.catalogue_sha256},
            {"version": newer.ruleset_version, "catalogue_sha256": newer.catalogue_sha256},
        ),
        verdict=Change(older.verdict, newer.verdict),
        trafficking_status_suggested=Change(
            before["htcds_trafficking_status"], after["htcds_trafficking_status"]
        ),
        movement=Change(before["movement"]["classification"], after["movement"]["classification"]),
        dimensions={key: change for key, change in dimensions.items() if change.changed},
        palermo={key: change for key, change in palermo.items() if change.changed},
        answers=_answer_changes(_json_object(older.answers), _json_object(newer.answers)),
    )


def screenings_of(case: Case) -> list[StoredScreening]:
    return list(StoredScreening.objects.filter(case=case).select_related("recorded_by"))


def screening_of(case: Case, screening_id: int) -> StoredScreening | None:
    return StoredScreening.objects.filter(case=case, pk=screening_id).first()


def latest_vulnerability(case: Case) -> VulnerabilityAssessment | None:
    return VulnerabilityAssessment.objects.filter(case=case).first()


def notes_of(case: Case) -> list[Note]:
    return list(Note.objects.filter(case=case).select_related("author"))


def support_item_of(case: Case, item_id: int) -> SupportItem | None:
    return SupportItem.objects.filter(case=case, pk=item_id).select_related("case").first()


def document_of(case: Case, document_id: int) -> Document | None:
    return Document.objects.filter(case=case, pk=document_id).select_related("case").first()


# ---- the case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePage:
    case: Case
    status_changes: list[StatusChange]
    consents: list[Consent]
    consent_state: dict[str, CurrentConsent]
    screenings: list[StoredScreening]
    """Without answers and results: those are read one screening at a time."""
    vulnerability: VulnerabilityAssessment | None
    support_items: list[SupportItem]
    notes: list[Note]
    documents: list[Document]
    rights_given: list[RightsInformation]
    deadlines: list[deadlines.Deadline]


def case_page(case: Case, *, today: date | None = None) -> CasePage:
    """Everything the case's tabs show, in ten queries."""
    loaded = (
        Case.objects.select_related("person", "owner", "supervisor", "pending_requested_by")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.select_related("changed_by", "approved_by"),
            ),
            "consents",
            Prefetch(
                "screenings",
                queryset=StoredScreening.objects.defer("answers", "result").select_related(
                    "recorded_by"
                ),
            ),
            "support_items",
            Prefetch("notes", queryset=Note.objects.select_related("author")),
            Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
            Prefetch("rights_given", queryset=RightsInformation.objects.select_related("given_by")),
        )
        .get(pk=case.pk)
    )
    consents = list(loaded.consents.all())
    return CasePage(
        case=loaded,
        status_changes=list(loaded.status_changes.all()),
        consents=consents,
        consent_state=_current_consents(consents),
        screenings=list(loaded.screenings.all()),
        vulnerability=latest_vulnerability(loaded),
        support_items=list(loaded.support_items.all()),
        notes=list(loaded.notes.all()),
        documents=list(loaded.documents.all()),
        rights_given=list(loaded.rights_given.all()),
        deadlines=case_deadlines(loaded, today=today or timezone.localdate()),
    )


# ---- trafficking events and assignments -----------------------------------------------------


def event_details(event: TraffickingEvent) -> dict[str, Any]:
    """An event's values as they are now: what a conflicting editor merges with."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "country": event.country,
        "city": event.city,
        "started_on": event.started_on,
        "ended_on": event.ended_on,
        "description": event.description,
        "version": event.version,
    }


EVENT_ORDER = (F("started_on").asc(nulls_last=True), "id")
"""Trafficking events earliest first, those without a start date last, on every database
(SQLite would put them first by default)."""


def events_of(case: Case) -> list[TraffickingEvent]:
    """The case's trafficking events in ``EVENT_ORDER``. One query."""
    return list(TraffickingEvent.objects.filter(case=case).order_by(*EVENT_ORDER))


def event_of(case: Case, event_id: int) -> TraffickingEvent | None:
    return TraffickingEvent.objects.filter(case=case, pk=event_id).select_related("case").first()


def assignment_changes_of(case: Case) -> list[AssignmentChange]:
    """Who held the case before and after each reassignment, newest first. One query."""
    return list(
        AssignmentChange.objects.filter(case=case).select_related(
            "from_owner", "to_owner", "from_supervisor", "to_supervisor", "changed_by"
        )
    )
