"""Every write to a return: one transaction each, the policy asked first, the audit event
written inside the transaction.

The policy is asked before the input is looked at, and again inside the transaction on the
return as stored (read and locked where the database can), because its case may have been
reassigned or its stage changed in between. A refusal is `policy.AccessDenied`: the interface's
403 handlers write it to the audit trail once the transaction has rolled back. Every problem
with the input is collected and reported at once, before anything is written. Audit details hold
codes, ids and field names only, never what a person said or wrote.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.accounts.models import User
from waypoint.accounts.policy import Permission, authorize
from waypoint.audit import services as audit
from waypoint.cases.models import Case
from waypoint.domain import eligibility, reintegration, return_lifecycle
from waypoint.domain.return_lifecycle import ReturnStage
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES
from waypoint.returns import selectors
from waypoint.returns.declaration import DeclarationFacts, declaration_content
from waypoint.returns.declaration import template as declaration_template
from waypoint.returns.iso import is_country, is_currency, is_language
from waypoint.returns.models import (
    AssistanceItem,
    CounsellingSession,
    Declaration,
    Disbursement,
    EligibilityCheck,
    MonitoringVisit,
    Return,
    RiskAssessment,
    StageChange,
    TravelDocument,
    TravelPlan,
)
from waypoint.returns.pdf import declaration_pdf
from waypoint.returns.vocabularies import (
    RISK_ORDER,
    USUAL_DIMENSION,
    AssistanceKind,
    AssistanceStatus,
    AttentionReason,
    BestInterests,
    CounsellingTopic,
    Dimension,
    Level,
    MigrationStatus,
    RiskArea,
    RiskDecision,
    RiskLevel,
    Stage,
    TravelDocumentKind,
    TravelDocumentStatus,
    VisitMode,
)

MAX_TEXT_CHARS = 10_000
MAX_REASON_CHARS = 5_000
MAX_NAME_CHARS = 200
MAX_BUDGET = Decimal("9999999999.99")
# Money may be paid towards these items: decided on and not cancelled.
PAYABLE_STATUSES = (
    AssistanceStatus.APPROVED,
    AssistanceStatus.IN_PROGRESS,
    AssistanceStatus.DELIVERED,
)


# ---- errors ---------------------------------------------------------------------------------


class ReturnError(Exception):
    """A request the return rules refuse. `errors` maps the path of each wrong field (dotted,
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
    def at(cls, path: str, message: str) -> "ReturnError":
        return cls({path: [message]})


class ReturnInputError(ReturnError):
    """A value is missing, malformed or not in its vocabulary."""


class ReturnRuleError(ReturnError):
    """The values are well formed but the return's workflow does not allow the request now."""


class _Errors:
    """Collects every problem of a request, so that all are reported at once."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.found.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.found:
            raise ReturnInputError(self.found)


# ---- shared steps ---------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _authorize(actor: audit.Actor, user: User, permission: Permission, return_: Return) -> None:
    authorize(actor, user, permission, return_, object_type="return", object_id=return_.pk)


def _locked(actor: audit.Actor, user: User, permission: Permission, return_: Return) -> Return:
    """The return as stored now, locked until the transaction ends, if the user still may."""
    fresh = (
        Return.objects.select_for_update(of=("self",))
        .select_related("case", "case__person", "organisation")
        .get(pk=return_.pk)
    )
    _authorize(actor, user, permission, fresh)
    return fresh


def _record(actor: audit.Actor, action: str, return_: Return, **details: Any) -> None:
    audit.record(
        actor,
        action,
        object_type="return",
        object_id=return_.pk,
        organisation_id=return_.organisation_id,
        details={"code": return_.code, **details},
    )


def _require_stage(return_: Return, stages: frozenset[ReturnStage], message: str) -> None:
    if return_.stage not in stages:
        raise ReturnRuleError.at("", message)


def _text(value: object, path: str, errors: _Errors, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, _("Must be text."))
        return ""
    text = value.strip()
    if required and not text:
        errors.add(path, _("This is required."))
    if len(text) > limit:
        errors.add(path, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _choice(value: object, choices: Sequence[str], path: str, errors: _Errors) -> str:
    if value not in choices:
        errors.add(
            path,
            _("Unknown value %(value)r; expected one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices)},
        )
        return ""
    return str(value)


def _past_or_today(value: date, path: str, errors: _Errors) -> None:
    if value > _today():
        errors.add(path, _("Must not be in the future."))


def _country(value: str, path: str, errors: _Errors) -> str:
    code = value.strip().upper()
    if not is_country(code):
        errors.add(path, _("Not an ISO 3166-1 alpha-2 country code: %(value)r.") % {"value": value})
    return code


def _optional_text(text: str) -> str | None:
    return text or None


# ---- viewing --------------------------------------------------------------------------------


def get_return_for_view(
    actor: audit.Actor, user: User, return_id: int, *, section: str = "overview"
) -> Return:
    """The return, if the user may see it; every view is audited with the part looked at."""
    found = selectors.return_or_none(return_id)
    if found is None:
        raise Http404
    _authorize(actor, user, Permission.VIEW_PERSONAL_DATA, found)
    with transaction.atomic():
        _record(actor, "return.view", found, section=section)
    return found


def declaration_for_download(
    actor: audit.Actor, user: User, return_: Return, declaration_id: int
) -> tuple[str, bytes]:
    """The declaration as a PDF, with its file name; the download is audited."""
    _authorize(actor, user, Permission.VIEW_PERSONAL_DATA, return_)
    declaration = selectors.declaration_of(return_, declaration_id)
    if declaration is None or not isinstance(declaration.content, dict) or not declaration.content:
        raise Http404
    pdf = declaration_pdf(declaration.content)
    with transaction.atomic():
        _record(
            actor,
            "return.declaration.download",
            return_,
            declaration_id=declaration.pk,
            language=declaration.language,
        )
    return f"{return_.code}-declaration-{declaration.pk}-{declaration.language}.pdf", pdf


def programme_overview(
    actor: audit.Actor, user: User, *, country: str, programme_id: str, today: date
) -> selectors.ProgrammeOverview:
    """The organisation's returns in aggregate; looking is audited like any other reading."""
    authorize(actor, user, Permission.VIEW_AGGREGATES, object_type="returns_programme")
    overview = selectors.programme_overview(
        user, country=country, programme_id=programme_id, today=today
    )
    with transaction.atomic():
        audit.record(
            actor,
            "returns.programme.view",
            object_type="returns_programme",
            details={
                "country": country,
                "programme_id": programme_id,
                "suppressed": overview.suppressed,
                "k": overview.k,
            },
        )
    return overview


# ---- starting a return ----------------------------------------------------------------------


def start_return(
    actor: audit.Actor,
    user: User,
    *,
    case: Case,
    programme_id: str,
    country_of_return: str,
    language: str,
    started_on: date,
) -> Return:
    """Open a return for the person of a case, in counselling."""
    authorize(actor, user, Permission.MANAGE_CASES, case, object_type="case", object_id=case.pk)
    errors = _Errors()
    try:
        programme = eligibility.programme(programme_id)
    except eligibility.UnknownProgrammeError:
        programme = None
        errors.add(
            "programme_id",
            _("Unknown programme; known: %(known)s.")
            % {"known": ", ".join(item.programme_id for item in eligibility.programmes())},
        )
    country = _country(country_of_return, "country_of_return", errors)
    if programme is not None and country == programme.host_country:
        errors.add("country_of_return", _("A return goes to another country than the host."))
    _choice(language, SUPPORTED_LANGUAGES, "language", errors)
    _past_or_today(started_on, "started_on", errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = (
            Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case.pk)
        )
        authorize(
            actor, user, Permission.MANAGE_CASES, fresh, object_type="case", object_id=case.pk
        )
        _check_case_allows_return(fresh)
        return_ = Return(
            organisation_id=fresh.organisation_id,
            case=fresh,
            programme_id=programme_id,
            country_of_return=country,
            language=language,
            stage=Stage.COUNSELLING,
            stage_entered_on=started_on,
            started_on=started_on,
            created_by=user,
        )
        try:
            with transaction.atomic():
                return_.save()
        except IntegrityError:
            raise ReturnRuleError.at(
                "case_id", _("The case already has a return in progress.")
            ) from None
        StageChange.objects.create(
            return_record=return_,
            from_stage="",
            to_stage=Stage.COUNSELLING,
            changed_on=started_on,
            changed_by=user,
        )
        _record(
            actor,
            "return.start",
            return_,
            case_id=fresh.pk,
            programme_id=programme_id,
            country_of_return=country,
        )
    return return_


def _check_case_allows_return(case: Case) -> None:
    if case.status in selectors.CLOSED_CASE_STATUSES:
        raise ReturnRuleError.at("case_id", _("The case is closed: reopen it first."))
    if case.person.is_erased:
        raise ReturnRuleError.at("case_id", _("The person's data was erased."))
    if not selectors.assistance_consent_in_effect(case):
        raise ReturnRuleError.at(
            "case_id",
            _(
                "Record the person's consent to the processing of their data for assistance "
                "before starting a return."
            ),
        )
    if Return.objects.filter(case=case).exclude(stage__in=_final_stage_values()).exists():
        raise ReturnRuleError.at("case_id", _("The case already has a return in progress."))


def _final_stage_values() -> list[str]:
    return [stage.value for stage in return_lifecycle.FINAL_STAGES]


# ---- counselling ----------------------------------------------------------------------------


def record_counselling_session(
    actor: audit.Actor,
    user: User,
    return_: Return,
    *,
    held_on: date,
    language: str,
    interpreter_used: bool,
    topics: Sequence[str],
    notes: str = "",
) -> CounsellingSession:
    """Record an information and counselling session and the topics it covered."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _past_or_today(held_on, "held_on", errors)
    if not is_language(language):
        errors.add(
            "language", _("Not an ISO 639-1 language code: %(value)r.") % {"value": language}
        )
    if not topics:
        errors.add("topics", _("Name at least one topic covered."))
    for position, topic in enumerate(topics):
        _choice(topic, CounsellingTopic.values, f"topics.{position}", errors)
    if len(set(topics)) != len(topics):
        errors.add("topics", _("Each topic is named once."))
    notes = _text(notes, "notes", errors, limit=MAX_TEXT_CHARS, required=False)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("Counselling is recorded before departure."),
        )
        session = CounsellingSession.objects.create(
            return_record=fresh,
            held_on=held_on,
            language=language,
            interpreter_used=interpreter_used,
            topics=[topic for topic in CounsellingTopic.values if topic in topics],
            notes=_optional_text(notes),
            counsellor=user,
        )
        _record(
            actor,
            "return.counselling.record",
            fresh,
            session_id=session.pk,
            topics=session.topics,
            language=language,
            interpreter_used=interpreter_used,
        )
    return session


# ---- eligibility ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    description: str
    requires_presence: bool | None
    resolved: bool = False


@dataclass(frozen=True)
class EligibilityFacts:
    """What is known about the applicant; `None` means not yet known. Voluntariness is not
    asked: it is confirmed by a signed declaration that was not withdrawn."""

    nationality: str | None = None
    residence_rights: Sequence[str] = ()
    migration_status: str | None = None
    obligations: Sequence[Obligation] | None = None
    """`None` until someone has checked; empty when checked and there are none."""
    is_minor: bool | None = None
    best_interests: str | None = None
    guardian_consent: bool | None = None


def record_eligibility_check(
    actor: audit.Actor, user: User, return_: Return, *, facts: EligibilityFacts
) -> EligibilityCheck:
    """Evaluate the return against its programme's rules and keep the facts and the answer."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    nationality = _country(facts.nationality, "nationality", errors) if facts.nationality else None
    residence = [
        _country(code, f"residence_rights.{position}", errors)
        for position, code in enumerate(facts.residence_rights)
    ]
    status = (
        _choice(facts.migration_status, MigrationStatus.values, "migration_status", errors)
        if facts.migration_status
        else None
    )
    best_interests = (
        _choice(facts.best_interests, BestInterests.values, "best_interests", errors)
        if facts.best_interests
        else None
    )
    obligations = None
    if facts.obligations is not None:
        obligations = [
            eligibility.PendingObligation(
                description=_text(
                    item.description,
                    f"obligations.{position}.description",
                    errors,
                    limit=MAX_REASON_CHARS,
                    required=True,
                ),
                requires_presence=item.requires_presence,
                resolved=item.resolved,
            )
            for position, item in enumerate(facts.obligations)
        ]
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("Eligibility is checked before departure."),
        )
        voluntary = True if selectors.signed_declaration(selectors.declarations_of(fresh)) else None
        application = eligibility.ReturnApplication(
            nationality=nationality,
            country_of_return=fresh.country_of_return,
            residence_rights=tuple(residence),
            migration_status=status,
            voluntary=voluntary,
            pending_obligations=None if obligations is None else tuple(obligations),
            is_minor=facts.is_minor,
            best_interests=eligibility.BestInterests(best_interests) if best_interests else None,
            guardian_consent=facts.guardian_consent,
        )
        result = eligibility.evaluate(application, eligibility.programme(fresh.programme_id))
        # Encrypted JSON: the values are Python objects, not the text the column stores.
        encrypted: dict[str, Any] = {
            "facts": {
                "nationality": nationality,
                "residence_rights": residence,
                "migration_status": status,
                "voluntary": voluntary,
                "obligations": None
                if obligations is None
                else [
                    {
                        "description": item.description,
                        "requires_presence": item.requires_presence,
                        "resolved": item.resolved,
                    }
                    for item in obligations
                ],
                "is_minor": facts.is_minor,
                "best_interests": best_interests,
                "guardian_consent": facts.guardian_consent,
            },
            "rules": [
                {
                    "rule": str(rule.rule),
                    "outcome": str(rule.outcome),
                    "reason": str(rule.reason),
                    "explanation": {
                        language: rule.explanation.in_language(language)
                        for language in SUPPORTED_LANGUAGES
                    },
                }
                for rule in result.rules
            ],
        }
        check = EligibilityCheck.objects.create(
            return_record=fresh,
            programme_id=fresh.programme_id,
            **encrypted,
            verdict=str(result.verdict),
            provisional=result.provisional,
            checked_by=user,
        )
        _record(
            actor,
            "return.eligibility.check",
            fresh,
            check_id=check.pk,
            programme_id=fresh.programme_id,
            verdict=check.verdict,
        )
    return check


# ---- the declaration ------------------------------------------------------------------------


def generate_declaration(
    actor: audit.Actor, user: User, return_: Return, *, language: str
) -> Declaration:
    """Write the voluntary return declaration in the person's language, to print and sign.
    Only an informed decision can be declared: counselling must have covered every required
    topic first."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _choice(language, SUPPORTED_LANGUAGES, "language", errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("A declaration is made before departure."),
        )
        sessions = selectors.sessions_of(fresh)
        _require_informed(sessions, "language")
        person = fresh.case.person
        if person.is_erased:
            raise ReturnRuleError.at("", _("The person's data was erased."))
        content = declaration_content(
            DeclarationFacts(
                name=" ".join(part for part in (person.given_names, person.family_names) if part),
                birth_date=person.birth_date or "",
                nationality=person.nationality,
                country_of_return=fresh.country_of_return,
                organisation=fresh.organisation.name,
                programme_id=fresh.programme_id,
                counselling_dates=[session.held_on for session in sessions],
                reference=fresh.code,
            ),
            language,
        )
        encrypted: dict[str, Any] = {"content": content}
        declaration = Declaration.objects.create(
            return_record=fresh,
            language=language,
            **encrypted,
            template_version=declaration_template().version,
            generated_by=user,
        )
        _record(
            actor,
            "return.declaration.generate",
            fresh,
            declaration_id=declaration.pk,
            language=language,
        )
    return declaration


def _require_informed(sessions: Sequence[CounsellingSession], path: str) -> None:
    coverage = selectors.counselling_coverage(sessions)
    if not coverage.informed:
        missing = ", ".join(str(CounsellingTopic(topic).label) for topic in coverage.missing)
        raise ReturnRuleError.at(
            path,
            _("Counselling has not yet covered: %(topics)s.") % {"topics": missing},
        )


def record_declaration_signed(
    actor: audit.Actor, user: User, declaration: Declaration, *, signed_on: date
) -> Declaration:
    """Record the day the person signed the declaration."""
    return_ = declaration.return_record
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _past_or_today(signed_on, "signed_on", errors)
    if signed_on < timezone.localdate(declaration.generated_at):
        errors.add("signed_on", _("Must not be before the declaration was written."))
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("A declaration is signed before departure."),
        )
        stored = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if stored.signed_on is not None:
            raise ReturnRuleError.at("signed_on", _("The signature is already recorded."))
        if stored.withdrawn_on is not None:
            raise ReturnRuleError.at("signed_on", _("This declaration was withdrawn."))
        stored.signed_on = signed_on
        stored.signature_recorded_by = user
        stored.save(update_fields=["signed_on", "signature_recorded_by"])
        _record(actor, "return.declaration.sign", fresh, declaration_id=stored.pk)
    return stored


# ---- risk -----------------------------------------------------------------------------------


def record_risk_assessment(
    actor: audit.Actor,
    user: User,
    return_: Return,
    *,
    assessed_on: date,
    levels: Mapping[str, str],
    details: Mapping[str, str],
    mitigation: str = "",
) -> RiskAssessment:
    """Assess the risks of returning to the country of return, one level per area. A high risk
    anywhere makes the return high-risk, which blocks departure until a supervisor decides."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _past_or_today(assessed_on, "assessed_on", errors)
    chosen = {}
    for area in RiskArea.values:
        if area not in levels:
            errors.add(area, _("This is required."))
        else:
            chosen[area] = _choice(levels[area], RiskLevel.values, area, errors)
    for area in details:
        if area not in RiskArea.values:
            errors.add(f"details.{area}", _("Unknown risk area."))
    written = {
        area: _text(
            details.get(area, ""), f"details.{area}", errors, limit=MAX_TEXT_CHARS, required=False
        )
        for area in RiskArea.values
    }
    mitigation = _text(mitigation, "mitigation", errors, limit=MAX_TEXT_CHARS, required=False)
    errors.raise_if_any()
    overall = max(chosen.values(), key=RISK_ORDER.index)
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("The risk of return is assessed before departure."),
        )
        encrypted: dict[str, Any] = {
            "details": {area: text for area, text in written.items() if text}
        }
        assessment = RiskAssessment.objects.create(
            return_record=fresh,
            assessed_on=assessed_on,
            re_trafficking=chosen[RiskArea.RE_TRAFFICKING],
            perpetrator_threat=chosen[RiskArea.PERPETRATOR_THREAT],
            family_situation=chosen[RiskArea.FAMILY_SITUATION],
            health_needs=chosen[RiskArea.HEALTH_NEEDS],
            overall=overall,
            **encrypted,
            mitigation=_optional_text(mitigation),
            assessed_by=user,
        )
        _record(
            actor,
            "return.risk.assess",
            fresh,
            assessment_id=assessment.pk,
            levels=chosen,
            overall=overall,
        )
    return assessment


def decide_on_risk(
    actor: audit.Actor,
    user: User,
    assessment: RiskAssessment,
    *,
    decision: str,
    reason: str,
) -> RiskAssessment:
    """A supervisor's decision on a high-risk return: departure may proceed, or may not."""
    return_ = assessment.return_record
    _authorize(actor, user, Permission.APPROVE_CASE_DECISIONS, return_)
    errors = _Errors()
    _choice(decision, RiskDecision.values, "decision", errors)
    reason = _text(reason, "reason", errors, limit=MAX_REASON_CHARS, required=True)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.APPROVE_CASE_DECISIONS, return_)
        _require_stage(
            fresh,
            selectors.PREPARATION_STAGES,
            _("Decisions on the risk of return are taken before departure."),
        )
        assessments = selectors.risk_assessments_of(fresh)
        if assessments[0].pk != assessment.pk:
            raise ReturnRuleError.at("", _("A newer risk assessment was recorded: decide on it."))
        stored = assessments[0]
        if stored.overall != RiskLevel.HIGH:
            raise ReturnRuleError.at(
                "decision", _("Only a high risk needs a supervisor's decision.")
            )
        stored.decision = decision
        stored.decision_reason = reason
        stored.decided_by = user
        stored.decided_at = timezone.now()
        stored.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        _record(actor, "return.risk.decide", fresh, assessment_id=stored.pk, decision=decision)
    return stored


# ---- travel ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TravelDetails:
    planned_departure_on: date | None = None
    itinerary: str = ""
    escort_needed: bool = False
    escort_details: str = ""
    medical_needs: str = ""
    receiving_partner: str = ""
    receiving_partner_contact: str = ""


def save_travel_plan(
    actor: audit.Actor, user: User, return_: Return, *, details: TravelDetails
) -> TravelPlan:
    """Write the travel plan: itinerary, escort and medical needs, the receiving partner."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    itinerary = _text(details.itinerary, "itinerary", errors, limit=MAX_TEXT_CHARS, required=False)
    escort = _text(
        details.escort_details, "escort_details", errors, limit=MAX_TEXT_CHARS, required=False
    )
    if details.escort_needed and not escort:
        errors.add("escort_details", _("Say who escorts the person, or why an escort is needed."))
    medical = _text(
        details.medical_needs, "medical_needs", errors, limit=MAX_TEXT_CHARS, required=False
    )
    partner = _text(
        details.receiving_partner, "receiving_partner", errors, limit=MAX_NAME_CHARS, required=False
    )
    contact = _text(
        details.receiving_partner_contact,
        "receiving_partner_contact",
        errors,
        limit=MAX_REASON_CHARS,
        required=False,
    )
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            frozenset(return_lifecycle.PRE_DEPARTURE_STAGES),
            _("Travel is planned before departure."),
        )
        plan = TravelPlan.objects.filter(return_record=fresh).first() or TravelPlan(
            return_record=fresh
        )
        plan.planned_departure_on = details.planned_departure_on
        plan.itinerary = _optional_text(itinerary)
        plan.escort_needed = details.escort_needed
        plan.escort_details = _optional_text(escort)
        plan.medical_needs = _optional_text(medical)
        plan.receiving_partner = partner
        plan.receiving_partner_contact = _optional_text(contact)
        plan.save()
        _record(
            actor,
            "return.travel.save",
            fresh,
            planned_departure_on=str(details.planned_departure_on or ""),
            escort_needed=details.escort_needed,
            has_medical_needs=bool(medical),
        )
    return plan


@dataclass(frozen=True)
class DocumentDetails:
    status: str
    requested_on: date | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    notes: str = ""


def _document_errors(details: DocumentDetails, errors: _Errors) -> str:
    _choice(details.status, TravelDocumentStatus.values, "status", errors)
    for name in ("requested_on", "issued_on"):
        value = getattr(details, name)
        if value is not None:
            _past_or_today(value, name, errors)
    if details.status == TravelDocumentStatus.ISSUED and details.issued_on is None:
        errors.add("issued_on", _("Give the date the document was issued."))
    if details.status == TravelDocumentStatus.REQUESTED and details.requested_on is None:
        errors.add("requested_on", _("Give the date the document was requested."))
    if details.issued_on and details.valid_until and details.valid_until < details.issued_on:
        errors.add("valid_until", _("Must not be before the date of issue."))
    return _text(details.notes, "notes", errors, limit=MAX_TEXT_CHARS, required=False)


def record_travel_document(
    actor: audit.Actor, user: User, return_: Return, *, kind: str, details: DocumentDetails
) -> TravelDocument:
    """Track a travel document the person needs, and where its request stands."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _choice(kind, TravelDocumentKind.values, "kind", errors)
    notes = _document_errors(details, errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            frozenset(return_lifecycle.PRE_DEPARTURE_STAGES),
            _("Travel documents are arranged before departure."),
        )
        document = TravelDocument.objects.create(
            return_record=fresh,
            kind=kind,
            status=details.status,
            requested_on=details.requested_on,
            issued_on=details.issued_on,
            valid_until=details.valid_until,
            notes=_optional_text(notes),
        )
        _record(
            actor,
            "return.travel_document.record",
            fresh,
            document_id=document.pk,
            kind=kind,
            status=details.status,
        )
    return document


def update_travel_document(
    actor: audit.Actor, user: User, document: TravelDocument, *, details: DocumentDetails
) -> TravelDocument:
    return_ = document.return_record
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    notes = _document_errors(details, errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            frozenset(return_lifecycle.PRE_DEPARTURE_STAGES),
            _("Travel documents are arranged before departure."),
        )
        stored = TravelDocument.objects.select_for_update().get(pk=document.pk)
        previous = stored.status
        stored.status = details.status
        stored.requested_on = details.requested_on
        stored.issued_on = details.issued_on
        stored.valid_until = details.valid_until
        stored.notes = _optional_text(notes)
        stored.save()
        _record(
            actor,
            "return.travel_document.update",
            fresh,
            document_id=stored.pk,
            from_status=previous,
            status=stored.status,
        )
    return stored


# ---- moving between stages ------------------------------------------------------------------


def change_stage(
    actor: audit.Actor,
    user: User,
    return_: Return,
    *,
    to_stage: str,
    expected_stage: str,
    on: date,
    reason: str = "",
) -> Return:
    """Move the return to its next stage, if the workflow and the facts recorded allow it.

    Approving or rejecting the application is a supervisor's decision. Withdrawal (the person
    changed their mind) and cancellation (the organisation stopped) are possible at any stage
    before departure; withdrawal also withdraws the signed declaration. Departure and arrival
    are confirmed on the travel plan.
    """
    permission = (
        Permission.APPROVE_CASE_DECISIONS
        if to_stage in selectors.DECISION_STAGES
        else Permission.MANAGE_CASES
    )
    _authorize(actor, user, permission, return_)
    errors = _Errors()
    target = _choice(to_stage, Stage.values, "to_stage", errors)
    reason = _text(reason, "reason", errors, limit=MAX_REASON_CHARS, required=False)
    _past_or_today(on, "on", errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, permission, return_)
        if fresh.stage != expected_stage:
            raise ReturnRuleError.at(
                "expected_stage",
                _("The return moved to %(stage)s meanwhile; review it and try again.")
                % {"stage": Stage(fresh.stage).label},
            )
        if on < fresh.stage_entered_on:
            raise ReturnInputError.at("on", _("Must not be before the current stage began."))
        if target == Stage.CANCELLED and not reason:
            raise ReturnInputError.at("reason", _("Say why the organisation cancels the return."))
        assessments = selectors.risk_assessments_of(fresh)
        try:
            return_lifecycle.check_transition(
                ReturnStage(fresh.stage),
                ReturnStage(target),
                high_risk_unresolved=selectors.high_risk_unresolved(assessments),
                rejection_reason=reason or None,
            )
        except return_lifecycle.RejectionReasonRequiredError:
            raise ReturnInputError.at(
                "reason", _("Say why the application is rejected, so the person can be told.")
            ) from None
        except return_lifecycle.DepartureBlockedError:
            raise ReturnRuleError.at(
                "to_stage",
                _(
                    "The return is rated high-risk and no supervisor has decided that departure "
                    "may proceed."
                ),
            ) from None
        except return_lifecycle.InvalidReturnTransitionError:
            raise ReturnRuleError.at(
                "to_stage",
                _("A return at %(from)s cannot move to %(to)s.")
                % {"from": Stage(fresh.stage).label, "to": Stage(target).label},
            ) from None
        _check_preconditions(fresh, ReturnStage(target), assessments)
        _apply_stage_effects(fresh, ReturnStage(target), on, user)
        previous = fresh.stage
        fresh.stage = target
        fresh.stage_entered_on = on
        if target == Stage.REJECTED:
            fresh.rejection_reason = reason
        if target in {Stage.WITHDRAWN, Stage.CANCELLED}:
            fresh.stop_reason = _optional_text(reason)
        fresh.save()
        StageChange.objects.create(
            return_record=fresh,
            from_stage=previous,
            to_stage=target,
            reason=_optional_text(reason),
            changed_on=on,
            changed_by=user,
        )
        _record(actor, "return.stage_change", fresh, from_stage=previous, to_stage=target)
    return fresh


def _check_preconditions(
    return_: Return, target: ReturnStage, assessments: Sequence[RiskAssessment]
) -> None:
    """What must be recorded before the return may enter the stage; all problems at once."""
    problems: list[str] = []
    if target == ReturnStage.APPLICATION:
        coverage = selectors.counselling_coverage(selectors.sessions_of(return_))
        if not coverage.informed:
            missing = ", ".join(str(CounsellingTopic(topic).label) for topic in coverage.missing)
            problems.append(_("Counselling has not yet covered: %(topics)s.") % {"topics": missing})
    elif target == ReturnStage.APPROVED:
        if selectors.signed_declaration(selectors.declarations_of(return_)) is None:
            problems.append(_("No signed voluntary return declaration is recorded."))
        check = selectors.latest_eligibility(return_)
        if check is None or check.verdict != eligibility.Verdict.ELIGIBLE:
            problems.append(_("The latest eligibility check does not find the person eligible."))
    elif target == ReturnStage.TRAVEL_ARRANGED:
        if not assessments:
            problems.append(_("No risk assessment is recorded."))
        plan = selectors.travel_plan_of(return_)
        if plan is None or plan.planned_departure_on is None:
            problems.append(_("The travel plan has no departure date."))
        if plan is None or not plan.receiving_partner:
            problems.append(_("The travel plan names no receiving partner organisation."))
    elif target == ReturnStage.DEPARTED:
        pending = selectors.pending_documents(selectors.travel_documents_of(return_))
        if pending:
            names = ", ".join(str(TravelDocumentKind(item.kind).label) for item in pending)
            problems.append(_("Travel documents not issued: %(documents)s.") % {"documents": names})
    elif target == ReturnStage.REINTEGRATION:
        items = AssistanceItem.objects.filter(return_record=return_).exclude(
            status=AssistanceStatus.CANCELLED
        )
        if not items.exists():
            problems.append(_("The reintegration plan has no assistance item."))
    if problems:
        raise ReturnRuleError({"to_stage": problems})


def _apply_stage_effects(return_: Return, target: ReturnStage, on: date, user: User) -> None:
    if target == ReturnStage.DEPARTED:
        TravelPlan.objects.filter(return_record=return_).update(departure_confirmed_on=on)
    elif target == ReturnStage.ARRIVED:
        TravelPlan.objects.filter(return_record=return_).update(arrival_confirmed_on=on)
    elif target == ReturnStage.WITHDRAWN:
        Declaration.objects.filter(
            return_record=return_, signed_on__isnull=False, withdrawn_on__isnull=True
        ).update(withdrawn_on=on)


# ---- the reintegration plan -----------------------------------------------------------------


@dataclass(frozen=True)
class AssistanceDetails:
    kind: str
    level: str
    budget: Decimal | str
    currency: str
    dimension: str = ""
    """Empty: the dimension this kind of assistance usually serves."""
    partner: str = ""
    description: str = ""
    status: str = AssistanceStatus.PLANNED


def _amount(value: object, path: str, errors: _Errors, *, positive: bool) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.add(path, _("Must be an amount of money, like 1250.00."))
        return Decimal("0")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        errors.add(path, _("Must be an amount with at most two decimal places."))
    elif amount < 0 or (positive and amount == 0):
        errors.add(path, _("Must be more than zero.") if positive else _("Must not be negative."))
    elif amount > MAX_BUDGET:
        errors.add(path, _("Must be at most %(limit)s.") % {"limit": MAX_BUDGET})
    return amount


def add_assistance_item(
    actor: audit.Actor, user: User, return_: Return, *, details: AssistanceDetails
) -> AssistanceItem:
    """Add an item to the reintegration plan, with its budget in an ISO 4217 currency."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _choice(details.kind, AssistanceKind.values, "kind", errors)
    dimension = details.dimension or USUAL_DIMENSION.get(details.kind, "")
    _choice(dimension, Dimension.values, "dimension", errors)
    _choice(details.level, Level.values, "level", errors)
    _choice(details.status, AssistanceStatus.values, "status", errors)
    budget = _amount(details.budget, "budget", errors, positive=False)
    currency = details.currency.strip().upper()
    if not is_currency(currency):
        errors.add("currency", _("Not an ISO 4217 currency code: %(value)r.") % {"value": currency})
    partner = _text(details.partner, "partner", errors, limit=MAX_NAME_CHARS, required=False)
    description = _text(
        details.description, "description", errors, limit=MAX_TEXT_CHARS, required=False
    )
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_open(fresh)
        item = AssistanceItem.objects.create(
            return_record=fresh,
            kind=details.kind,
            dimension=dimension,
            level=details.level,
            description=_optional_text(description),
            partner=partner,
            budget=budget,
            currency=currency,
            status=details.status,
            created_by=user,
        )
        _record(
            actor,
            "return.assistance.add",
            fresh,
            item_id=item.pk,
            kind=item.kind,
            dimension=item.dimension,
            level=item.level,
            currency=currency,
        )
    return item


def _require_open(return_: Return) -> None:
    if return_.stage in return_lifecycle.FINAL_STAGES:
        raise ReturnRuleError.at("", _("The return is closed."))


def update_assistance_status(
    actor: audit.Actor, user: User, item: AssistanceItem, *, status: str
) -> AssistanceItem:
    return_ = item.return_record
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    _choice(status, AssistanceStatus.values, "status", errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_open(fresh)
        stored = AssistanceItem.objects.select_for_update().get(pk=item.pk)
        previous = stored.status
        stored.status = status
        stored.save(update_fields=["status"])
        _record(
            actor,
            "return.assistance.update",
            fresh,
            item_id=stored.pk,
            from_status=previous,
            status=status,
        )
    return stored


def record_disbursement(
    actor: audit.Actor, user: User, item: AssistanceItem, *, amount: Decimal | str, paid_on: date
) -> Disbursement:
    """Record a payment from an item's budget, in the item's currency, never beyond it."""
    return_ = item.return_record
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    errors = _Errors()
    value = _amount(amount, "amount", errors, positive=True)
    _past_or_today(paid_on, "paid_on", errors)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_open(fresh)
        stored = AssistanceItem.objects.select_for_update().get(pk=item.pk)
        if stored.status not in PAYABLE_STATUSES:
            raise ReturnRuleError.at(
                "amount", _("Payments are made only for approved items that are not cancelled.")
            )
        paid = Disbursement.objects.filter(item=stored).aggregate(total=Sum("amount"))["total"]
        remaining = stored.budget - (paid or Decimal("0"))
        if value > remaining:
            raise ReturnRuleError.at(
                "amount",
                _("Only %(remaining)s %(currency)s of the budget remains.")
                % {"remaining": remaining, "currency": stored.currency},
            )
        payment = Disbursement.objects.create(
            item=stored, return_record=fresh, amount=value, paid_on=paid_on, recorded_by=user
        )
        _record(
            actor,
            "return.disbursement.record",
            fresh,
            item_id=stored.pk,
            disbursement_id=payment.pk,
        )
    return payment


# ---- monitoring -----------------------------------------------------------------------------


def record_monitoring_visit(
    actor: audit.Actor,
    user: User,
    return_: Return,
    *,
    visited_on: date,
    mode: str,
    answers: Mapping[str, str],
    notes: str = "",
) -> MonitoringVisit:
    """Score a monitoring visit with the reintegration sustainability instrument (provisional).

    When the visit shows a score falling by more than the instrument allows, or an answer that
    signals a risk of re-trafficking, the return is flagged for its case worker's due list
    until someone reviews it.
    """
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    instrument = selectors.current_instrument()
    errors = _Errors()
    _past_or_today(visited_on, "visited_on", errors)
    _choice(mode, VisitMode.values, "mode", errors)
    if not answers:
        errors.add("answers", _("Give at least one answer."))
    for indicator_id, answer_id in answers.items():
        try:
            instrument.indicator(indicator_id).answer(answer_id)
        except ValueError:
            errors.add(f"answers.{indicator_id}", _("Not a question or answer of the instrument."))
    notes = _text(notes, "notes", errors, limit=MAX_TEXT_CHARS, required=False)
    errors.raise_if_any()
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        _require_stage(
            fresh,
            selectors.MONITORING_STAGES,
            _("Monitoring visits are recorded after arrival, until the return is completed."),
        )
        plan = selectors.travel_plan_of(fresh)
        if plan and plan.arrival_confirmed_on and visited_on < plan.arrival_confirmed_on:
            raise ReturnInputError.at("visited_on", _("Must not be before the arrival."))
        result = reintegration.score(answers, instrument)
        encrypted: dict[str, Any] = {"answers": dict(answers)}
        visit = MonitoringVisit.objects.create(
            return_record=fresh,
            visited_on=visited_on,
            mode=mode,
            instrument_id=instrument.instrument_id,
            instrument_version=instrument.version,
            **encrypted,
            notes=_optional_text(notes),
            composite=result.composite,
            dimension_scores={item.dimension_id: item.score for item in result.dimensions},
            label_id=reintegration.label(result.composite, instrument).label_id
            if result.composite is not None
            else "",
            re_trafficking_risk=bool(result.re_trafficking_risks),
            provisional=result.provisional,
            visited_by=user,
        )
        _record(
            actor,
            "return.monitoring.record",
            fresh,
            visit_id=visit.pk,
            instrument_id=visit.instrument_id,
            instrument_version=visit.instrument_version,
        )
        _flag_if_worrying(actor, fresh, visit)
    return visit


def _flag_if_worrying(actor: audit.Actor, return_: Return, visit: MonitoringVisit) -> None:
    visits = selectors.visits_of(return_)
    position = next(index for index, item in enumerate(visits) if item.pk == visit.pk)
    flags = selectors.trend_flags(visits)
    # A visit recorded late may change how the next one compares with it.
    found = [*flags.get(position, []), *flags.get(position + 1, [])]
    reasons = selectors.attention_reasons(found)
    if not reasons:
        return
    merged = [
        reason
        for reason in AttentionReason.values
        if reason in {*return_.attention_reasons, *reasons}
    ]
    return_.needs_attention_since = return_.needs_attention_since or timezone.now()
    return_.attention_reasons = merged
    return_.save(update_fields=["needs_attention_since", "attention_reasons", "updated_at"])
    _record(actor, "return.attention.flag", return_, visit_id=visit.pk, reasons=reasons)


def acknowledge_attention(actor: audit.Actor, user: User, return_: Return) -> Return:
    """The case worker has reviewed what monitoring flagged: take the return off the due list."""
    _authorize(actor, user, Permission.MANAGE_CASES, return_)
    with transaction.atomic():
        fresh = _locked(actor, user, Permission.MANAGE_CASES, return_)
        if fresh.needs_attention_since is None:
            raise ReturnRuleError.at("", _("Nothing is waiting for review."))
        reasons = list(fresh.attention_reasons)
        fresh.needs_attention_since = None
        fresh.attention_reasons = []
        fresh.save(update_fields=["needs_attention_since", "attention_reasons", "updated_at"])
        _record(actor, "return.attention.acknowledge", fresh, reasons=reasons)
    return fresh
