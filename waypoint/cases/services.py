"""Every write to a protection case: one transaction each, the policy asked first (on the
case as stored, read inside the transaction), the audit event written inside the transaction.

A refusal is `policy.AccessDenied`: the interface's 403 handlers write it to the audit trail
once the transaction has rolled back. Audit details hold codes and field names only, never what
a person said or wrote.
"""

import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import Organisation, Role, User
from waypoint.accounts.policy import Permission, authorize, can
from waypoint.audit import services as audit
from waypoint.audit.models import Outcome
from waypoint.cases import selectors
from waypoint.cases.models import (
    AssignmentChange,
    Case,
    CaseExploitation,
    CaseStatus,
    Consent,
    DecisionOrganisation,
    Document,
    Note,
    Relationship,
    RightsInformation,
    StatusChange,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    TraffickingStatus,
    VulnerabilityAssessment,
)
from waypoint.cases.vocabularies import (
    ControlMethod,
    ExploitationType,
    PerpetratorRole,
    RecruitmentMethod,
    SexualExploitationType,
    clean_value,
    industry_section,
)
from waypoint.domain import case_lifecycle, deadlines, rights, vulnerability
from waypoint.domain.case_lifecycle import CaseState
from waypoint.domain.screening import (
    RULESET_VERSION,
    ScreeningInputError,
    assess,
    parse_screening_input,
)
from waypoint.people import services as people_services
from waypoint.people import storage
from waypoint.people.data import country_code
from waypoint.people.models import Person

_logger = logging.getLogger(__name__)

MAX_NOTE_CHARS = 20_000
MAX_REASON_CHARS = 5_000
MAX_FILENAME_CHARS = 255
DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_AGE = 120
MAX_PLACE_CHARS = 200
MAX_EVENT_DESCRIPTION_CHARS = 5_000
# Who may hold a case: its owner works on it, its supervisor oversees it.
OWNER_ROLES: tuple[str, ...] = (Role.CASE_WORKER, Role.SUPERVISOR)
SUPERVISOR_ROLES: tuple[str, ...] = (Role.SUPERVISOR,)


# ---- errors ---------------------------------------------------------------------------------


class CaseError(Exception):
    """A request the case rules refuse. `errors` maps the path of each wrong field (dotted,
    '' for the request as a whole) to messages people can read."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {path: list(messages) for path, messages in errors.items()}
        super().__init__(
            "; ".join(
                f"{path or 'request'}: {message}"
                for path, messages in self.errors.items()
                for message in messages
            )
        )

    @classmethod
    def at(cls, path: str, message: str) -> "CaseError":
        return cls({path: [message]})


class CaseInputError(CaseError):
    """A value is missing, malformed or not in its vocabulary."""


class CaseRuleError(CaseError):
    """The values are well formed but the case workflow does not allow the request now."""


class ConsentRequiredError(CaseRuleError):
    """The person's consent for this use of their data is not in effect."""


class StaleVersionError(Exception):
    """Someone saved the record after it was read: `current` holds its values now, to merge."""

    def __init__(self, *, current: dict[str, Any], version: int) -> None:
        super().__init__(_("This record was changed by someone else; review the current values."))
        self.current = current
        self.version = version


class _Errors:
    """Collects every problem of a request, so that all are reported at once."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.found:
            raise CaseInputError(self.found)


# ---- shared steps ---------------------------------------------------------------------------


def _case_for(actor: audit.Actor, user: User, permission: Permission, case: Case) -> Case:
    """The case as stored now, if the policy lets the user act on it. Read inside the
    service's transaction, so that a reassignment made meanwhile counts."""
    fresh = Case.objects.select_related("person").get(pk=case.pk)
    authorize(actor, user, permission, fresh, object_type="case", object_id=case.pk)
    return fresh


def _today() -> date:
    return timezone.localdate()


def _update_case(case: Case, expected_version: int, values: dict[str, Any]) -> Case:
    """Write `values` only if nobody saved the case since `expected_version` was read."""
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    current = Case.objects.select_related("person").get(pk=case.pk)
    if not updated:
        raise StaleVersionError(current=selectors.case_details(current), version=current.version)
    return current


def _check_version(case: Case, expected_version: int) -> None:
    if case.version != expected_version:
        raise StaleVersionError(current=selectors.case_details(case), version=case.version)


def _deadline_dates(case: Case) -> dict[str, date | None]:
    """The stored summary of the case's deadlines: the nearest one not met, and the first day
    on which any of them is due soon. A closed case has none to act on."""
    if case.status in selectors.CLOSED_STATUSES:
        return {"next_deadline_on": None, "deadline_alert_on": None}
    try:
        found = selectors.case_deadlines(case, today=_today())
    except deadlines.FactsError as error:
        raise CaseInputError.at("residence_permit_months", str(error)) from None
    open_deadlines = [item for item in found if item.status != deadlines.DeadlineStatus.MET]
    return {
        "next_deadline_on": min((item.due_on for item in open_deadlines), default=None),
        "deadline_alert_on": min(
            (selectors.alert_date(case.jurisdiction, item) for item in open_deadlines),
            default=None,
        ),
    }


def _refresh_deadline_dates(case: Case) -> None:
    # Derived values: they do not bump the version, so they never cause an edit conflict.
    values = _deadline_dates(case)
    Case.objects.filter(pk=case.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(case, name, value)


def _text(value: object, path: str, errors: _Errors, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, _("Must be text."))
        return ""
    text = value.strip()
    if required and not text:
        errors.add(path, _("This field is required."))
    if len(text) > limit:
        errors.add(path, _("Must be at most %(limit)d characters.") % {"limit": limit})
    return text


def _date(value: object, path: str, errors: _Errors) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(path, _("Must be a date written as YYYY-MM-DD."))
    return None


def _choice(value: object, choices: Sequence[str], path: str, errors: _Errors) -> str:
    cleaned = clean_value(value) if isinstance(value, str) else value
    if cleaned not in choices:
        errors.add(
            path,
            _("%(value)r is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices)},
        )
        return ""
    return str(cleaned)


def _jurisdiction(value: str, path: str, errors: _Errors) -> str:
    supported = selectors.supported_jurisdictions()
    if value not in supported:
        errors.add(
            path,
            _("Unknown jurisdiction %(value)r; supported: %(choices)s.")
            % {"value": value, "choices": ", ".join(supported)},
        )
    return value


# ---- opening and editing a case -------------------------------------------------------------


def _check_assignee(
    user: User, assignee: User | None, roles: Sequence[str], path: str, errors: _Errors
) -> None:
    if assignee is None:
        return
    if assignee.organisation_id != user.organisation_id or not assignee.is_active:
        errors.add(path, _("Must be an active member of your organisation."))
    elif assignee.role not in roles:
        errors.add(
            path,
            _("Must have one of the roles: %(roles)s.")
            % {"roles": ", ".join(str(Role(role).label) for role in roles)},
        )


def _validated_person(
    user: User, raw: Mapping[str, Any] | people_services.PersonData, errors: _Errors
) -> people_services.PersonData | None:
    if isinstance(raw, people_services.PersonData):
        return raw
    try:
        return people_services.validate_person_data(raw, default_region=user.organisation.country)
    except people_services.PersonDataError as error:
        for field, messages in error.errors.items():
            for message in messages:
                errors.add(f"person.{field}", message)
    return None


@transaction.atomic
def open_case(
    actor: audit.Actor,
    user: User,
    *,
    person_data: Mapping[str, Any] | people_services.PersonData,
    owner: User,
    supervisor: User | None = None,
    jurisdiction: str,
    opened_on: date,
) -> Case:
    """Register the person and open their case in screening, both or neither."""
    authorize(actor, user, Permission.MANAGE_CASES, object_type="case")
    errors = _Errors()
    data = _validated_person(user, person_data, errors)
    _check_assignee(user, owner, OWNER_ROLES, "owner", errors)
    _check_assignee(user, supervisor, SUPERVISOR_ROLES, "supervisor", errors)
    _jurisdiction(jurisdiction, "jurisdiction", errors)
    if opened_on > _today():
        errors.add("opened_on", _("Must not be in the future."))
    errors.raise_if_any()
    assert data is not None
    case = Case(
        organisation_id=user.organisation_id,
        owner=owner,
        supervisor=supervisor,
        jurisdiction=jurisdiction,
        opened_on=opened_on,
        status=CaseStatus.SCREENING,
    )
    # A case worker may open only a case assigned to them: they could not see any other.
    authorize(actor, user, Permission.MANAGE_CASES, case, object_type="case")
    case.person = people_services.register_person(
        actor, user, organisation=user.organisation, data=data
    )
    case.save()
    audit.record(
        actor,
        "case.open",
        object_type="case",
        object_id=case.pk,
        details={"code": case.code, "owner_id": case.owner_id},
    )
    return case


_LIST_VOCABULARIES: dict[str, Sequence[str]] = {
    "recruitment_methods": RecruitmentMethod.values,
    "control_methods": ControlMethod.values,
    "exploitation_types": ExploitationType.values,
    "sexual_exploitation_types": SexualExploitationType.values,
    "perpetrator_roles": PerpetratorRole.values,
}
_DATE_FIELDS = (
    "presumption_certificate_issued_on",
    "presumption_certificate_followed_up_on",
    "reasonable_grounds_on",
    "reasonable_grounds_followed_up_on",
    "residence_permit_issued_on",
    "residence_permit_renewal_applied_on",
)
# A follow-up cannot come before the event it follows.
_FOLLOW_UPS = (
    ("presumption_certificate_followed_up_on", "presumption_certificate_issued_on"),
    ("reasonable_grounds_followed_up_on", "reasonable_grounds_on"),
    ("residence_permit_renewal_applied_on", "residence_permit_issued_on"),
)
DETAIL_FIELDS: tuple[str, ...] = (
    *_LIST_VOCABULARIES,
    "forced_labour_industry",
    "relationship_to_trafficker",
    "age_when_trafficked",
    *_DATE_FIELDS,
    "residence_permit_months",
    "jurisdiction",
)


def _unique_values(value: object, choices: Sequence[str], path: str, errors: _Errors) -> list[str]:
    if not isinstance(value, list | tuple):
        errors.add(path, _("Must be a list."))
        return []
    cleaned: list[str] = []
    for index, item in enumerate(value):
        choice = _choice(item, choices, f"{path}[{index}]", errors)
        if choice and choice not in cleaned:
            cleaned.append(choice)
    return cleaned


def _whole_number(value: object, path: str, errors: _Errors, *, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(
            path, _("Must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return None
    return value


def _validated_details(fields: Mapping[str, object]) -> dict[str, Any]:
    errors = _Errors()
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in _LIST_VOCABULARIES:
            values[name] = _unique_values(value, _LIST_VOCABULARIES[name], name, errors)
        elif name == "forced_labour_industry":
            section = industry_section(value) if isinstance(value, str) else ""
            if value not in ("", None) and not section:
                errors.add(name, _("Must be an ISIC Rev.4 section letter from A to U."))
            values[name] = section
        elif name == "relationship_to_trafficker":
            values[name] = _choice(value, Relationship.values, name, errors) if value else ""
        elif name == "age_when_trafficked":
            values[name] = _whole_number(value, name, errors, low=0, high=MAX_AGE)
        elif name == "residence_permit_months":
            values[name] = _whole_number(value, name, errors, low=1, high=120)
        elif name in _DATE_FIELDS:
            values[name] = _date(value, name, errors)
        elif name == "jurisdiction":
            values[name] = _jurisdiction(str(value), name, errors)
        else:
            errors.add(name, _("Unknown field."))
    errors.raise_if_any()
    return values


def _check_fact_order(case: Case) -> None:
    errors = _Errors()
    for follow_up, start in _FOLLOW_UPS:
        done, started = getattr(case, follow_up), getattr(case, start)
        if done is not None and (started is None or done < started):
            errors.add(follow_up, _("Must not be before the date it follows up."))
    if (case.residence_permit_issued_on is None) != (case.residence_permit_months is None):
        errors.add(
            "residence_permit_months",
            _("Give the residence permit's issue date and its length in months together."),
        )
    errors.raise_if_any()


@transaction.atomic
def update_case_details(
    actor: audit.Actor, user: User, case: Case, *, expected_version: int, **htcds_fields: object
) -> Case:
    """Change the HTCDS details and deadline facts of a case (only the fields given)."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    changes = _validated_details(htcds_fields)
    _check_version(fresh, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _check_fact_order(fresh)
    updated = _update_case(fresh, expected_version, {**changes, **_deadline_dates(fresh)})
    if "exploitation_types" in changes:
        _sync_exploitation_rows(updated)
    audit.record(
        actor,
        "case.update",
        object_type="case",
        object_id=case.pk,
        details={"fields": sorted(changes)},
    )
    return updated


def _sync_exploitation_rows(case: Case) -> None:
    wanted = set(case.exploitation_types)
    rows = CaseExploitation.objects.filter(case=case)
    rows.exclude(exploitation_type__in=wanted).delete()
    present = set(rows.values_list("exploitation_type", flat=True))
    CaseExploitation.objects.bulk_create(
        CaseExploitation(case=case, organisation_id=case.organisation_id, exploitation_type=kind)
        for kind in sorted(wanted - present)
    )


@transaction.atomic
def update_person_details(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    data: Mapping[str, Any],
    expected_version: int,
) -> Person:
    """Correct the person's data from their case; the birth date moves the deadlines."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    person_data = _validated_person(user, data, errors)
    errors.raise_if_any()
    assert person_data is not None
    try:
        person = people_services.update_person(
            actor, user, fresh.person, data=person_data, expected_version=expected_version
        )
    except people_services.PersonErasedError as error:
        raise CaseRuleError.at("person", str(error)) from None
    fresh.person = person
    _refresh_deadline_dates(fresh)
    return person


def _staff_member(user_id: object, path: str, errors: _Errors) -> User | None:
    found = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if found is None:
        errors.add(path, _("No such user in your organisation."))
    return found


@transaction.atomic
def reassign_case(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    owner_id: int,
    supervisor_id: int | None,
    expected_version: int,
) -> Case:
    """Hand the case to another owner, supervisor or both, members of its organisation who may
    hold it. The change is kept in the case's history (`AssignmentChange`) and audited."""
    fresh = _case_for(actor, user, Permission.ASSIGN_CASES, case)
    errors = _Errors()
    owner = _staff_member(owner_id, "owner_id", errors)
    supervisor = (
        _staff_member(supervisor_id, "supervisor_id", errors) if supervisor_id is not None else None
    )
    _check_assignee(user, owner, OWNER_ROLES, "owner_id", errors)
    _check_assignee(user, supervisor, SUPERVISOR_ROLES, "supervisor_id", errors)
    errors.raise_if_any()
    assert owner is not None
    _check_version(fresh, expected_version)
    if (owner.pk, supervisor_id) == (fresh.owner_id, fresh.supervisor_id):
        raise CaseRuleError.at("owner_id", _("The case is held by them already."))
    change = AssignmentChange(
        case=fresh,
        from_owner_id=fresh.owner_id,
        to_owner=owner,
        from_supervisor_id=fresh.supervisor_id,
        to_supervisor=supervisor,
        changed_by=user,
    )
    updated = _update_case(fresh, expected_version, {"owner": owner, "supervisor": supervisor})
    change.save()
    audit.record(
        actor,
        "case.reassign",
        object_type="case",
        object_id=case.pk,
        details={
            "from_owner_id": change.from_owner_id,
            "to_owner_id": owner.pk,
            "from_supervisor_id": change.from_supervisor_id,
            "to_supervisor_id": supervisor_id,
        },
    )
    return updated


# ---- status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusOutcome:
    case: Case
    applied: bool
    """False when the change waits for a supervisor's decision."""


def _state(value: str, path: str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise CaseInputError.at(
            path,
            _("%(value)r is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(CaseState)},
        ) from None


def _apply_status(
    actor: audit.Actor,
    case: Case,
    to_state: CaseState,
    *,
    reason: str,
    changed_by: User | int,
    approved_by: User | None,
    expected_version: int,
) -> Case:
    closing = to_state in case_lifecycle.CLOSED_STATES
    from_status = case.status
    case.status = to_state
    values: dict[str, Any] = {
        "status": to_state.value,
        "pending_status": "",
        "pending_reason": None,
        "pending_requested_by": None,
        "closed_on": _today() if closing else None,
        "closure_reason": reason if closing else None,
        **_deadline_dates(case),
    }
    updated = _update_case(case, expected_version, values)
    changed_by_id = changed_by if isinstance(changed_by, int) else changed_by.pk
    StatusChange.objects.create(
        case=updated,
        from_status=from_status,
        to_status=to_state.value,
        reason=reason or None,
        changed_by_id=changed_by_id,
        approved_by=approved_by,
    )
    audit.record(
        actor,
        "case.status_change",
        object_type="case",
        object_id=case.pk,
        details={
            "from": from_status,
            "to": to_state.value,
            "approved_by": approved_by.pk if approved_by else None,
        },
    )
    return updated


@transaction.atomic
def change_status(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    to_status: str,
    reason: str,
    expected_version: int,
) -> StatusOutcome:
    """Move the case on. Closing needs a supervisor: a supervisor's closing applies at once, a
    case worker's becomes a request that waits for a supervisor's decision."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    to_state = _state(to_status, "to_status")
    errors = _Errors()
    reason = _text(reason, "reason", errors, limit=MAX_REASON_CHARS, required=False)
    errors.raise_if_any()
    _check_version(fresh, expected_version)
    if fresh.pending_status:
        raise CaseRuleError.at(
            "to_status", _("A closure request is waiting for a supervisor's decision.")
        )
    from_state = CaseState(fresh.status)
    if case_lifecycle.requires_supervisor_approval(from_state, to_state) and not reason:
        raise CaseInputError.at("reason", _("Say why the case is being closed."))
    approver = can(user, Permission.APPROVE_CASE_DECISIONS, fresh)
    try:
        case_lifecycle.check_transition(from_state, to_state, approved_by_supervisor=approver)
    except case_lifecycle.SupervisorApprovalRequiredError:
        requested = _update_case(
            fresh,
            expected_version,
            {
                "pending_status": to_state.value,
                "pending_reason": reason,
                "pending_requested_by": user,
            },
        )
        audit.record(
            actor,
            "case.closure_requested",
            object_type="case",
            object_id=case.pk,
            details={"from": from_state.value, "to": to_state.value},
        )
        return StatusOutcome(requested, applied=False)
    except case_lifecycle.InvalidTransitionError as error:
        raise CaseRuleError.at("to_status", str(error)) from None
    approved_by = (
        user if case_lifecycle.requires_supervisor_approval(from_state, to_state) else None
    )
    updated = _apply_status(
        actor,
        fresh,
        to_state,
        reason=reason,
        changed_by=user,
        approved_by=approved_by,
        expected_version=expected_version,
    )
    return StatusOutcome(updated, applied=True)


@transaction.atomic
def decide_pending_status(
    actor: audit.Actor, supervisor: User, case: Case, *, approve: bool, note: str
) -> Case:
    """Approve or reject a case worker's closure request. A rejection must say why; the note
    is kept with the case's notes."""
    fresh = _case_for(actor, supervisor, Permission.APPROVE_CASE_DECISIONS, case)
    errors = _Errors()
    note = _text(note, "note", errors, limit=MAX_NOTE_CHARS, required=not approve)
    errors.raise_if_any()
    if not fresh.pending_status:
        raise CaseRuleError.at("", _("There is no closure request to decide."))
    to_state = CaseState(fresh.pending_status)
    if approve:
        try:
            case_lifecycle.check_transition(
                CaseState(fresh.status), to_state, approved_by_supervisor=True
            )
        except case_lifecycle.TransitionError as error:
            raise CaseRuleError.at("", str(error)) from None
        audit.record(
            actor,
            "case.closure_approved",
            object_type="case",
            object_id=case.pk,
            details={"to": to_state.value},
        )
        assert fresh.pending_requested_by_id is not None
        updated = _apply_status(
            actor,
            fresh,
            to_state,
            reason=fresh.pending_reason or "",
            changed_by=fresh.pending_requested_by_id,
            approved_by=supervisor,
            expected_version=fresh.version,
        )
    else:
        updated = _update_case(
            fresh,
            fresh.version,
            {"pending_status": "", "pending_reason": None, "pending_requested_by": None},
        )
        audit.record(
            actor,
            "case.closure_rejected",
            object_type="case",
            object_id=case.pk,
            details={"to": to_state.value},
        )
    if note:
        Note.objects.create(case=updated, body=note, author=supervisor)
    return updated


@transaction.atomic
def record_trafficking_status(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    status: str,
    decided_by: str,
    expected_version: int,
) -> Case:
    """Record the HTCDS trafficking status a person or body decided; a screening only
    suggests one."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    values = {
        "trafficking_status": _choice(status, TraffickingStatus.values, "status", errors),
        "trafficking_status_decided_by": _choice(
            decided_by, DecisionOrganisation.values, "decided_by", errors
        ),
    }
    errors.raise_if_any()
    _check_version(fresh, expected_version)
    updated = _update_case(fresh, expected_version, values)
    audit.record(
        actor,
        "case.trafficking_status",
        object_type="case",
        object_id=case.pk,
        details={"fields": sorted(values)},
    )
    return updated


# ---- consent --------------------------------------------------------------------------------

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@transaction.atomic
def record_consent(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    scope: str,
    given: bool,
    explained_in_language: str,
    recorded_on: date,
    shared_with: Organisation | None = None,
) -> Consent:
    """Record that the person gave or refused consent for one use of their data. The newest
    record of a scope is the one in effect."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    scope = _choice(scope, Consent.Scope.values, "scope", errors)
    if not isinstance(given, bool):
        errors.add("given", _("Must be true or false."))
    if not isinstance(explained_in_language, str) or not _LANGUAGE_CODE.fullmatch(
        explained_in_language
    ):
        errors.add("explained_in_language", _("Must be an ISO 639 language code, e.g. 'uk'."))
    if recorded_on > _today():
        errors.add("recorded_on", _("Must not be in the future."))
    if scope == Consent.Scope.SHARING:
        if shared_with is None:
            errors.add("shared_with", _("Name the organisation the data may be shared with."))
        elif shared_with.pk == case.organisation_id:
            errors.add("shared_with", _("Must be another organisation."))
    elif shared_with is not None:
        errors.add("shared_with", _("Only consent to sharing names an organisation."))
    errors.raise_if_any()
    consent = Consent.objects.create(
        case=fresh,
        scope=scope,
        shared_with=shared_with,
        given=given,
        explained_in_language=explained_in_language,
        recorded_on=recorded_on,
        recorded_by=user,
    )
    audit.record(
        actor,
        "consent.record",
        object_type="case",
        object_id=case.pk,
        details={"scope": scope, "given": given, "consent_id": consent.pk},
    )
    return consent


@transaction.atomic
def withdraw_consent(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    scope: str,
    shared_with: Organisation | None = None,
) -> int:
    """Withdraw consent in effect for a scope, at once; returns how many records it ended."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    scope = _choice(scope, Consent.Scope.values, "scope", errors)
    if scope == Consent.Scope.SHARING and shared_with is None:
        errors.add("shared_with", _("Name the organisation whose sharing consent ends."))
    errors.raise_if_any()
    in_effect = Consent.objects.filter(
        case=fresh, scope=scope, given=True, withdrawn_at__isnull=True
    )
    if scope == Consent.Scope.SHARING:
        in_effect = in_effect.filter(shared_with=shared_with)
    withdrawn = in_effect.update(withdrawn_at=timezone.now(), withdrawn_by=user)
    if not withdrawn:
        raise CaseRuleError.at("scope", _("No consent of this scope is in effect."))
    audit.record(
        actor,
        "consent.withdraw",
        object_type="case",
        object_id=case.pk,
        details={"scope": scope},
    )
    return withdrawn


def _require_interview_consent(case: Case) -> None:
    current = selectors.consent_state(case).get(Consent.Scope.INTERVIEW)
    if current is None or not current.in_effect:
        raise ConsentRequiredError.at(
            "",
            _(
                "Record the person's consent to the interview before saving a screening "
                "into the case."
            ),
        )


# ---- screenings and assessments -------------------------------------------------------------


def _input_errors(error: ScreeningInputError) -> CaseInputError:
    found: dict[str, list[str]] = {}
    for item in error.errors:
        path = item["path"].removeprefix("$").removeprefix(".")
        found.setdefault(path, []).append(item["message"])
    return CaseInputError(found)


def _store_screening(case: Case, user: User, answers: object, language: str) -> StoredScreening:
    try:
        screening_input = parse_screening_input(answers)
    except ScreeningInputError as error:
        raise _input_errors(error) from None
    result = assess(screening_input, language=language).to_dict()
    # Passed as a plain dict: the type stubs see encrypted JSON fields as text.
    encrypted: dict[str, Any] = {
        # The validated input in JSON form, so that it can be assessed again later.
        "answers": screening_input.model_dump(mode="json", exclude_unset=True),
        "result": result,
    }
    return StoredScreening.objects.create(
        case=case,
        verdict=result["ilo"]["verdict"],
        ruleset_version=RULESET_VERSION,
        catalogue_sha256=result["ruleset"]["catalogue_sha256"],
        recorded_by=user,
        **encrypted,
    )


@transaction.atomic
def save_screening(
    actor: audit.Actor, user: User, case: Case, *, raw_input: object, language: str = "en"
) -> StoredScreening:
    """Assess a screening interview with the engine and keep input and result in the case."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    _require_interview_consent(fresh)
    screening = _store_screening(fresh, user, raw_input, language)
    audit.record(
        actor,
        "screening.save",
        object_type="case",
        object_id=case.pk,
        details={"screening_id": screening.pk, "ruleset_version": RULESET_VERSION},
    )
    return screening


@transaction.atomic
def rescreen_with_current_rules(
    actor: audit.Actor, user: User, screening: StoredScreening, *, language: str = "en"
) -> StoredScreening:
    """Assess a stored interview again with today's rules, as a new screening of the case."""
    case = screening.case
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    _require_interview_consent(fresh)
    try:
        again = _store_screening(fresh, user, screening.answers, language)
    except CaseInputError as error:
        raise CaseRuleError(
            {
                path: [_("The stored answers no longer fit the current rules: %s") % message]
                for path, messages in error.errors.items()
                for message in messages
            }
        ) from None
    audit.record(
        actor,
        "screening.rescreen",
        object_type="case",
        object_id=case.pk,
        details={
            "screening_id": again.pk,
            "from_screening_id": screening.pk,
            "ruleset_version": RULESET_VERSION,
        },
    )
    return again


def _recorded_factors(factors: object, errors: _Errors) -> list[vulnerability.RecordedFactor]:
    if not isinstance(factors, list | tuple):
        errors.add("factors", _("Must be a list."))
        return []
    known = {factor.factor_id for factor in vulnerability.catalogue().factors}
    recorded: list[vulnerability.RecordedFactor] = []
    seen: set[str] = set()
    for index, raw in enumerate(factors):
        path = f"factors[{index}]"
        if not isinstance(raw, Mapping):
            errors.add(path, _("Must be an object."))
            continue
        factor_id = raw.get("factor_id")
        if factor_id not in known:
            errors.add(f"{path}.factor_id", _("Unknown vulnerability factor."))
        elif factor_id in seen:
            errors.add(f"{path}.factor_id", _("This factor is recorded more than once."))
        seen.add(str(factor_id))
        direction = _choice(
            raw.get("direction"), list(vulnerability.Direction), f"{path}.direction", errors
        )
        severity = _choice(
            raw.get("severity"), list(vulnerability.Severity), f"{path}.severity", errors
        )
        note = _text(raw.get("note"), f"{path}.note", errors, limit=2000, required=False)
        if direction and severity and factor_id in known:
            recorded.append(
                vulnerability.RecordedFactor(
                    factor_id=str(factor_id),
                    direction=vulnerability.Direction(direction),
                    severity=vulnerability.Severity(severity),
                    note=note,
                )
            )
    return recorded


def _summary_data(summary: vulnerability.VulnerabilitySummary) -> dict[str, Any]:
    return {
        "levels": [
            {
                "level": level.level.value,
                "risk_count": level.risk_count,
                "protective_count": level.protective_count,
                "risk_weight": level.risk_weight,
                "protective_weight": level.protective_weight,
                "net_balance": level.net_balance,
            }
            for level in summary.levels
        ],
        "net_balance": summary.net_balance,
        "levels_where_risks_outweigh": [
            level.value for level in summary.levels_where_risks_outweigh()
        ],
        "highest_severity": summary.highest_severity.value if summary.highest_severity else None,
        "highest_severity_risks": [item.factor_id for item in summary.highest_severity_risks],
        "text": {
            language: summary.text.in_language(language)
            for language in rights.supported_languages()
        },
        "catalogue_version": summary.catalogue_version,
        "provisional": summary.provisional,
    }


@transaction.atomic
def record_vulnerability_assessment(
    actor: audit.Actor, user: User, case: Case, *, factors: object
) -> VulnerabilityAssessment:
    """Record risk and protective factors (IOM DoMV) and keep their summary; it decides
    nothing."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    recorded = _recorded_factors(factors, errors)
    errors.raise_if_any()
    summary = vulnerability.summarise(vulnerability.Assessment(factors=tuple(recorded)))
    # Passed as a plain dict: the type stubs see encrypted JSON fields as text.
    encrypted: dict[str, Any] = {
        "factors": [
            {
                "factor_id": item.factor_id,
                "direction": item.direction.value,
                "severity": item.severity.value,
                "note": item.note,
            }
            for item in recorded
        ],
        "summary": _summary_data(summary),
    }
    assessment = VulnerabilityAssessment.objects.create(case=fresh, assessed_by=user, **encrypted)
    audit.record(
        actor,
        "vulnerability.record",
        object_type="case",
        object_id=case.pk,
        details={"assessment_id": assessment.pk, "factors": len(recorded)},
    )
    return assessment


# ---- support plan ---------------------------------------------------------------------------

SUPPORT_ITEM_FIELDS = ("kind", "provider", "status", "starts_on", "due_on", "notes")


def _validated_support_item(fields: Mapping[str, object]) -> dict[str, Any]:
    errors = _Errors()
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "kind":
            values[name] = _choice(value, SupportItem.Kind.values, name, errors)
        elif name == "status":
            values[name] = _choice(value, SupportItem.Status.values, name, errors)
        elif name == "provider":
            values[name] = _text(value, name, errors, limit=200, required=False)
        elif name == "notes":
            values[name] = _text(value, name, errors, limit=MAX_NOTE_CHARS, required=False) or None
        elif name in ("starts_on", "due_on"):
            values[name] = _date(value, name, errors)
        else:
            errors.add(name, _("Unknown field."))
    errors.raise_if_any()
    return values


def _check_item_dates(item: SupportItem) -> None:
    if item.starts_on and item.due_on and item.due_on < item.starts_on:
        raise CaseInputError.at("due_on", _("Must not be before the start date."))


@transaction.atomic
def add_support_item(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    kind: str,
    provider: str = "",
    status: str = SupportItem.Status.PLANNED,
    starts_on: date | None = None,
    due_on: date | None = None,
    notes: str = "",
) -> SupportItem:
    """Add a need and the support planned for it; its due date joins the case deadlines."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    values = _validated_support_item(
        {
            "kind": kind,
            "provider": provider,
            "status": status,
            "starts_on": starts_on,
            "due_on": due_on,
            "notes": notes,
        }
    )
    item = SupportItem(**values)
    _check_item_dates(item)
    item.case = fresh
    item.save()
    _refresh_deadline_dates(fresh)
    audit.record(
        actor,
        "support_item.add",
        object_type="case",
        object_id=case.pk,
        details={"support_item_id": item.pk, "kind": item.kind, "status": item.status},
    )
    return item


@transaction.atomic
def update_support_item(
    actor: audit.Actor,
    user: User,
    item: SupportItem,
    *,
    expected_version: int,
    **changes: object,
) -> SupportItem:
    """Change a support-plan item (only the fields given), if nobody saved it meanwhile."""
    case = item.case
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    values = _validated_support_item(changes)
    current = SupportItem.objects.get(pk=item.pk, case=fresh)
    for name, value in values.items():
        setattr(current, name, value)
    _check_item_dates(current)
    updated = SupportItem.objects.filter(pk=item.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    current = SupportItem.objects.get(pk=item.pk)
    if not updated:
        raise StaleVersionError(
            current=selectors.support_item_details(current), version=current.version
        )
    _refresh_deadline_dates(fresh)
    audit.record(
        actor,
        "support_item.update",
        object_type="case",
        object_id=case.pk,
        details={"support_item_id": item.pk, "fields": sorted(values)},
    )
    return current


# ---- trafficking events (HTCDS hte_) --------------------------------------------------------


def _validated_event(fields: Mapping[str, object], *, today: date) -> dict[str, Any]:
    errors = _Errors()
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "kind":
            values[name] = _choice(value, TraffickingEvent.Kind.values, name, errors)
        elif name == "country":
            code = country_code(value)
            if value in (None, ""):
                errors.add(name, _("This field is required."))
            elif code is None:
                errors.add(
                    name,
                    _("%(value)r is not an ISO 3166-1 two-letter country code.") % {"value": value},
                )
            values[name] = code or ""
        elif name == "city":
            values[name] = _text(value, name, errors, limit=MAX_PLACE_CHARS, required=False) or None
        elif name == "description":
            values[name] = (
                _text(value, name, errors, limit=MAX_EVENT_DESCRIPTION_CHARS, required=False)
                or None
            )
        elif name in ("started_on", "ended_on"):
            day = _date(value, name, errors)
            if day is not None and day > today:
                errors.add(name, _("Must not be in the future."))
            values[name] = day
        else:
            errors.add(name, _("Unknown field."))
    errors.raise_if_any()
    return values


def _check_event_dates(event: TraffickingEvent) -> None:
    if event.started_on and event.ended_on and event.ended_on < event.started_on:
        raise CaseInputError.at("ended_on", _("Must not be before the start date."))


def _event_in(case: Case, event: TraffickingEvent) -> TraffickingEvent:
    """The event as stored now; gone meanwhile, it is not found."""
    current = TraffickingEvent.objects.filter(pk=event.pk, case=case).first()
    if current is None:
        raise Http404
    return current


@transaction.atomic
def add_trafficking_event(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    kind: str,
    country: str,
    city: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    description: str = "",
    today: date,
) -> TraffickingEvent:
    """Record where and when the person was recruited, moved or exploited (HTCDS hte_);
    the dates are not after `today` and the end not before the start."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    values = _validated_event(
        {
            "kind": kind,
            "country": country,
            "city": city,
            "started_on": started_on,
            "ended_on": ended_on,
            "description": description,
        },
        today=today,
    )
    event = TraffickingEvent(case=fresh, **values)
    _check_event_dates(event)
    event.save()
    audit.record(
        actor,
        "trafficking_event.add",
        object_type="case",
        object_id=case.pk,
        details={"event_id": event.pk, "kind": event.kind, "country": event.country},
    )
    return event


@transaction.atomic
def update_trafficking_event(
    actor: audit.Actor,
    user: User,
    event: TraffickingEvent,
    *,
    expected_version: int,
    today: date,
    **changes: object,
) -> TraffickingEvent:
    """Change a trafficking event (only the fields given), if nobody saved it meanwhile."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, event.case)
    values = _validated_event(changes, today=today)
    current = _event_in(fresh, event)
    for name, value in values.items():
        setattr(current, name, value)
    _check_event_dates(current)
    updated = TraffickingEvent.objects.filter(pk=event.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    current = TraffickingEvent.objects.get(pk=event.pk)
    if not updated:
        raise StaleVersionError(current=selectors.event_details(current), version=current.version)
    audit.record(
        actor,
        "trafficking_event.update",
        object_type="case",
        object_id=fresh.pk,
        details={"event_id": event.pk, "fields": sorted(values)},
    )
    return current


@transaction.atomic
def remove_trafficking_event(
    actor: audit.Actor, user: User, event: TraffickingEvent, *, expected_version: int
) -> None:
    """Remove a trafficking event recorded by mistake, if nobody changed it meanwhile."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, event.case)
    current = _event_in(fresh, event)
    # The version is the condition: of a removal and a concurrent change, only one happens.
    removed, _by_model = TraffickingEvent.objects.filter(
        pk=event.pk, version=expected_version
    ).delete()
    if not removed:
        current = TraffickingEvent.objects.get(pk=event.pk)
        raise StaleVersionError(current=selectors.event_details(current), version=current.version)
    audit.record(
        actor,
        "trafficking_event.remove",
        object_type="case",
        object_id=fresh.pk,
        details={"event_id": event.pk, "kind": current.kind},
    )


# ---- notes, documents, rights ---------------------------------------------------------------


@transaction.atomic
def add_note(actor: audit.Actor, user: User, case: Case, *, body: str) -> Note:
    """Add a note to the case; its text is encrypted at rest."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    body = _text(body, "body", errors, limit=MAX_NOTE_CHARS, required=True)
    errors.raise_if_any()
    note = Note.objects.create(case=fresh, body=body, author=user)
    audit.record(
        actor, "note.add", object_type="case", object_id=case.pk, details={"note_id": note.pk}
    )
    return note


PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
PLAIN_TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED_DOCUMENT_TYPES: tuple[str, ...] = (PDF, PNG, JPEG, PLAIN_TEXT, DOCX, ODT)
# Declared types that say nothing about the content: the sniffed type is used instead.
_UNSPECIFIC_TYPES = ("", "application/octet-stream")
_TYPE_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG}
# Control characters other than tab, line feed, form feed and carriage return.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _zip_document_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            # OpenDocument puts an uncompressed "mimetype" entry first, naming the type.
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError):
        return None
    return None


def sniff_content_type(content: bytes) -> str | None:
    """The allowed type the bytes themselves show, from their magic numbers; None otherwise."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_document_type(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _BINARY_CONTROLS.search(text) else PLAIN_TEXT


def _safe_filename(filename: str, errors: _Errors) -> str:
    # Only the last part of a path, without control characters, is kept.
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    if not name or name in (".", ".."):
        errors.add("filename", _("Give the file a name."))
    elif len(name) > MAX_FILENAME_CHARS:
        errors.add(
            "filename",
            _("Must be at most %(limit)d characters.") % {"limit": MAX_FILENAME_CHARS},
        )
    return name


def _checked_document_type(declared: str, content: bytes, errors: _Errors) -> str:
    sniffed = sniff_content_type(content)
    declared = declared.split(";")[0].strip().lower()
    declared = _TYPE_ALIASES.get(declared, declared)
    if sniffed is None:
        errors.add(
            "content",
            _(
                "This kind of file is not accepted: upload a PDF, PNG, JPEG, plain text, "
                "DOCX or ODT document."
            ),
        )
        return ""
    if declared not in _UNSPECIFIC_TYPES and declared != sniffed:
        errors.add(
            "content_type",
            _("The file was sent as %(declared)s but its content is %(sniffed)s.")
            % {"declared": declared, "sniffed": sniffed},
        )
    return sniffed


@transaction.atomic
def upload_document(
    actor: audit.Actor,
    user: User,
    case: Case,
    *,
    filename: str,
    content_type: str,
    content: bytes,
) -> Document:
    """Keep a document with the case, encrypted on disk, if its content is an allowed type.
    The file is written once the transaction commits."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    name = _safe_filename(filename, errors)
    limit = getattr(settings, "MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES)
    if not content:
        errors.add("content", _("The file is empty."))
    elif len(content) > limit:
        errors.add(
            "content",
            _("The file is larger than the limit of %(limit)d bytes.") % {"limit": limit},
        )
    sniffed = _checked_document_type(content_type, content, errors) if content else ""
    errors.raise_if_any()
    document = Document.objects.create(
        case=fresh,
        filename=name,
        content_type=sniffed,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    audit.record(
        actor,
        "document.upload",
        object_type="case",
        object_id=case.pk,
        details={"document_id": document.pk, "content_type": sniffed, "size": len(content)},
    )
    # Written once the row is committed: a transaction that fails leaves no file behind.
    storage.store_after_commit(
        document.storage_id, content, undo=partial(_discard_unstored_document, actor, document)
    )
    return document


@transaction.atomic
def _discard_unstored_document(actor: audit.Actor, document: Document) -> None:
    """The upload was committed but its file could not be written: the row goes too, so that
    no document is listed without its file."""
    Document.objects.filter(pk=document.pk).delete()
    audit.record(
        actor,
        "document.discard",
        object_type="case",
        object_id=document.case_id,
        details={"document_id": document.pk},
    )


@transaction.atomic
def delete_document(actor: audit.Actor, user: User, case: Case, *, document_id: int) -> None:
    """Delete a document of the case, say one uploaded by mistake. Its file goes once the
    deletion is committed (`delete_document_file`); a document the case does not have, or no
    longer has, is not found."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    deleted, _by_model = Document.objects.filter(case=fresh, pk=document_id).delete()
    if not deleted:
        raise Http404
    audit.record(
        actor,
        "document.delete",
        object_type="case",
        object_id=fresh.pk,
        details={"document_id": document_id},
    )


def delete_document_file(sender: object, *, instance: Document, **kwargs: object) -> None:
    """`post_delete` receiver: whatever deletes a document's row (on its own or with its case),
    the file goes once that is committed, and stays if it rolls back."""
    storage.delete_after_commit([instance.storage_id])


@transaction.atomic
def document_content(
    actor: audit.Actor, user: User, document: Document
) -> tuple[str, str, bytes] | None:
    """The document's name, type and bytes, or None when its file is gone from storage (a crash
    between the row's commit and the file's write can cause that); every download, and every
    missing file, is in the audit trail."""
    _case_for(actor, user, Permission.VIEW_PERSONAL_DATA, document.case)
    try:
        content = storage.read(document.storage_id)
    except storage.DocumentMissingError:
        _logger.error("Document %s of case %s has no stored file", document.pk, document.case_id)
        audit.record(
            actor,
            "document.download",
            outcome=Outcome.FAILURE,
            object_type="case",
            object_id=document.case_id,
            details={"document_id": document.pk, "reason": "file_missing"},
        )
        return None
    audit.record(
        actor,
        "document.download",
        object_type="case",
        object_id=document.case_id,
        details={"document_id": document.pk},
    )
    return document.filename, document.content_type, content


@transaction.atomic
def record_rights_information(
    actor: audit.Actor, user: User, case: Case, *, language: str, given_on: date
) -> RightsInformation:
    """Record that the person was given the rights sheet of the case's jurisdiction."""
    fresh = _case_for(actor, user, Permission.MANAGE_CASES, case)
    errors = _Errors()
    if given_on > _today():
        errors.add("given_on", _("Must not be in the future."))
    try:
        sheet = rights.rights_sheet(fresh.jurisdiction, language)
    except rights.UnsupportedLanguageError as error:
        errors.add("language", str(error))
    except rights.UnsupportedJurisdictionError as error:
        errors.add("jurisdiction", str(error))
    errors.raise_if_any()
    given = RightsInformation.objects.create(
        case=fresh,
        jurisdiction=sheet.jurisdiction,
        language=sheet.language,
        catalogue_version=sheet.catalogue_version,
        given_on=given_on,
        given_by=user,
    )
    audit.record(
        actor,
        "rights.record",
        object_type="case",
        object_id=case.pk,
        details={"language": language, "catalogue_version": sheet.catalogue_version},
    )
    return given


# ---- viewing --------------------------------------------------------------------------------


@transaction.atomic
def get_case_for_view(
    actor: audit.Actor, user: User, case_id: int, *, section: str = "case"
) -> Case:
    """The case, if the user may see it; every view of a personal record is audited, with the
    part of the case that was looked at."""
    case = selectors.case_or_none(case_id)
    if case is None:
        raise Http404
    record_case_view(actor, user, case, section=section)
    return case


@transaction.atomic(savepoint=False)
def record_case_view(actor: audit.Actor, user: User, case: Case, *, section: str) -> None:
    """Refuses whoever may not see the case, and audits the view of one of its parts: for a
    view that has loaded the case already. Inside another service's transaction it adds no
    savepoint: a refusal undoes the whole of that service."""
    authorize(
        actor, user, Permission.VIEW_PERSONAL_DATA, case, object_type="case", object_id=case.pk
    )
    audit.record(
        actor, "case.view", object_type="case", object_id=case.pk, details={"section": section}
    )


@transaction.atomic
def search_cases(
    actor: audit.Actor, user: User, *, given_names: str, family_names: str, birth_date: date
) -> list[selectors.CaseRow]:
    """The user's cases of people with this name and birth date. The search is audited; what
    was searched for is not written down."""
    authorize(actor, user, Permission.VIEW_PERSONAL_DATA, object_type="case")
    if not (given_names.strip() or family_names.strip()):
        raise CaseInputError.at("given_names", _("Give the given names, the family names or both."))
    found = selectors.search_by_name_and_birth_date(
        user, given_names=given_names, family_names=family_names, birth_date=birth_date
    )
    audit.record(actor, "case.search", object_type="case", details={"found": len(found)})
    return found
