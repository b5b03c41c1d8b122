"""Reads for the return pages and endpoints, a bounded number of queries each.

The caller has asked the policy (or goes through a service that does); the lists here are
already limited to what the user may see.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum, TextChoices
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from waypoint.accounts.models import User
from waypoint.accounts.policy import OWN_RECORDS_ONLY, Permission, can
from waypoint.cases.models import Case, CaseStatus, Consent
from waypoint.domain import eligibility, reintegration
from waypoint.domain.anonymity import PublishedCell, suppress
from waypoint.domain.reintegration import Instrument, TrendFlag, TrendFlagKind
from waypoint.domain.return_lifecycle import (
    FINAL_STAGES,
    PRE_DEPARTURE_STAGES,
    ReturnStage,
    allowed_transitions,
)
from waypoint.returns import charts
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
from waypoint.returns.texts import in_page_language, page_language
from waypoint.returns.vocabularies import (
    PENDING_DOCUMENT_STATUSES,
    REQUIRED_TOPICS,
    AssistanceStatus,
    AttentionReason,
    CounsellingTopic,
    EligibilityRule,
    Outcome,
    RiskDecision,
    RiskLevel,
    Stage,
)

INSTRUMENT = "instrument_provisional_v1"
"""The packaged reintegration sustainability instrument new monitoring visits are scored with."""

DEFAULT_SUPPRESSION_K = 5
"""Small-cell threshold of the internal programme view, unless `AGGREGATE_SUPPRESSION_K` is set."""

CLOSED_CASE_STATUSES = (
    CaseStatus.CLOSED,
    CaseStatus.CLOSED_NOT_VICTIM,
    CaseStatus.CLOSED_REFERRED,
)
# Stages in which the person is still in the host country and the return can be prepared.
PREPARATION_STAGES = frozenset({*PRE_DEPARTURE_STAGES, ReturnStage.REJECTED})
MONITORING_STAGES = frozenset(
    {ReturnStage.ARRIVED, ReturnStage.REINTEGRATION, ReturnStage.MONITORING}
)
# Moves that are a decision on the application, taken by whoever approves case decisions.
DECISION_STAGES = frozenset({ReturnStage.APPROVED, ReturnStage.REJECTED})

# Colour, dash and marker per series, so that no reader depends on colour alone.
_SERIES_LOOK: dict[str, tuple[str, str, str]] = {
    "economic": ("#0b5cab", "", "square"),
    "social": ("#1d6b35", "8 4", "triangle"),
    "psychosocial": ("#a4161a", "2 3", "diamond"),
}
_COMPOSITE_LOOK = ("#1b1f24", "", "circle")


# ---- which returns --------------------------------------------------------------------------


def visible_returns(user: User) -> QuerySet[Return]:
    """The returns the policy lets the user see: those of a case worker's assigned cases, the
    organisation's for supervisors, none for roles without access to personal data."""
    if not can(user, Permission.VIEW_PERSONAL_DATA):
        return Return.objects.none()
    returns = Return.objects.filter(organisation_id=user.organisation_id)
    if user.role in OWN_RECORDS_ONLY:
        returns = returns.filter(Q(case__owner=user) | Q(case__supervisor=user))
    return returns


def return_or_none(return_id: int) -> Return | None:
    return (
        Return.objects.select_related(
            "case", "case__person", "case__owner", "case__supervisor", "organisation"
        )
        .filter(pk=return_id)
        .first()
    )


def case_by_code(user: User, code: str) -> Case | None:
    """A case of the user's organisation by its code; the policy decides on it afterwards."""
    return (
        Case.objects.select_related("person")
        .filter(organisation_id=user.organisation_id, code=code.strip().upper())
        .first()
    )


def case_or_none(case_id: int) -> Case | None:
    return Case.objects.select_related("person").filter(pk=case_id).first()


def assistance_consent_in_effect(case: Case) -> bool:
    """The newest consent to processing the person's data for assistance is given and stands."""
    newest = (
        Consent.objects.filter(case=case, scope=Consent.Scope.ASSISTANCE)
        .order_by("-recorded_on", "-pk")
        .first()
    )
    return newest is not None and newest.given and newest.withdrawn_at is None


def user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ReturnRow:
    return_id: int
    code: str
    case_id: int
    case_code: str
    person_reference: str
    programme_id: str
    country_of_return: str
    stage: str
    stage_label: str
    stage_entered_on: date
    needs_attention_since: datetime | None


def return_list(user: User, *, stage: str | None = None) -> list[ReturnRow]:
    """The user's visible returns, those needing attention first. One query."""
    returns = visible_returns(user).select_related("case", "case__person")
    if stage:
        returns = returns.filter(stage=stage)
    ordered = returns.order_by("needs_attention_since", "-stage_entered_on", "-pk")
    rows = [_row(item) for item in ordered]
    return sorted(rows, key=lambda row: row.needs_attention_since is None)


def _row(item: Return) -> ReturnRow:
    return ReturnRow(
        return_id=item.pk,
        code=item.code,
        case_id=item.case_id,
        case_code=item.case.code,
        person_reference=item.case.person.reference,
        programme_id=item.programme_id,
        country_of_return=item.country_of_return,
        stage=item.stage,
        stage_label=str(Stage(item.stage).label),
        stage_entered_on=item.stage_entered_on,
        needs_attention_since=item.needs_attention_since,
    )


@dataclass(frozen=True)
class AttentionItem:
    return_id: int
    return_code: str
    case_id: int
    case_code: str
    owner_id: int
    since: datetime
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [str(AttentionReason(reason).label) for reason in self.reasons]


def returns_needing_attention(user: User) -> list[AttentionItem]:
    """Returns of the user's own cases (as owner or supervisor) whose monitoring showed a falling
    score or a re-trafficking risk that nobody has reviewed yet, oldest first. One query.

    For the due list: each item stays there until someone acknowledges it on the return.
    """
    found = (
        visible_returns(user)
        .filter(Q(case__owner=user) | Q(case__supervisor=user), needs_attention_since__isnull=False)
        .select_related("case")
        .order_by("needs_attention_since", "pk")
    )
    return [
        AttentionItem(
            return_id=item.pk,
            return_code=item.code,
            case_id=item.case_id,
            case_code=item.case.code,
            owner_id=item.case.owner_id,
            since=item.needs_attention_since,
            reasons=tuple(item.attention_reasons),
        )
        for item in found
        if item.needs_attention_since is not None
    ]


# ---- the parts of one return ----------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    """Required topics not yet covered in any session."""

    @property
    def informed(self) -> bool:
        return not self.missing


def counselling_coverage(sessions: Iterable[CounsellingSession]) -> Coverage:
    covered = {topic for session in sessions for topic in session.topics}
    return Coverage(
        covered=tuple(topic for topic in CounsellingTopic.values if topic in covered),
        missing=tuple(topic for topic in REQUIRED_TOPICS if topic not in covered),
    )


def sessions_of(return_: Return) -> list[CounsellingSession]:
    return list(CounsellingSession.objects.filter(return_record=return_))


def latest_eligibility(return_: Return) -> EligibilityCheck | None:
    return EligibilityCheck.objects.filter(return_record=return_).first()


def declarations_of(return_: Return) -> list[Declaration]:
    return list(Declaration.objects.filter(return_record=return_))


def signed_declaration(declarations: Iterable[Declaration]) -> Declaration | None:
    """The newest declaration the person signed and has not withdrawn."""
    return next((item for item in declarations if item.signed_on and not item.withdrawn_on), None)


def declaration_of(return_: Return, declaration_id: int) -> Declaration | None:
    return Declaration.objects.filter(return_record=return_, pk=declaration_id).first()


def risk_assessments_of(return_: Return) -> list[RiskAssessment]:
    return list(RiskAssessment.objects.filter(return_record=return_).select_related("decided_by"))


def risk_assessment_of(return_: Return, assessment_id: int) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(return_record=return_, pk=assessment_id).first()


def high_risk_unresolved(assessments: Sequence[RiskAssessment]) -> bool:
    """The newest assessment rates the return high-risk and no supervisor let it proceed."""
    if not assessments:
        return False
    latest = assessments[0]
    return latest.overall == RiskLevel.HIGH and latest.decision != RiskDecision.PROCEED


def travel_plan_of(return_: Return) -> TravelPlan | None:
    return TravelPlan.objects.filter(return_record=return_).first()


def travel_documents_of(return_: Return) -> list[TravelDocument]:
    return list(TravelDocument.objects.filter(return_record=return_))


def travel_document_of(return_: Return, document_id: int) -> TravelDocument | None:
    return TravelDocument.objects.filter(return_record=return_, pk=document_id).first()


def pending_documents(documents: Iterable[TravelDocument]) -> list[TravelDocument]:
    return [item for item in documents if item.status in PENDING_DOCUMENT_STATUSES]


def assistance_items_of(return_: Return) -> list[AssistanceItem]:
    return list(
        AssistanceItem.objects.filter(return_record=return_).prefetch_related("disbursements")
    )


def assistance_item_of(return_: Return, item_id: int) -> AssistanceItem | None:
    return AssistanceItem.objects.filter(return_record=return_, pk=item_id).first()


def disbursed(item: AssistanceItem) -> Decimal:
    return sum((payment.amount for payment in item.disbursements.all()), Decimal("0.00"))


@dataclass(frozen=True)
class CurrencyTotal:
    """Money in one currency: amounts in different currencies are never added together."""

    currency: str
    budget: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.disbursed


def budget_totals(items: Iterable[AssistanceItem]) -> list[CurrencyTotal]:
    """The plan's budget and payments per currency; cancelled items count only what was paid."""
    budgets: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    paid: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for item in items:
        paid_for_item = disbursed(item)
        budgets[item.currency] += (
            paid_for_item if item.status == AssistanceStatus.CANCELLED else item.budget
        )
        paid[item.currency] += paid_for_item
    return [
        CurrencyTotal(currency, budgets[currency], paid[currency]) for currency in sorted(budgets)
    ]


def stage_changes_of(return_: Return) -> list[StageChange]:
    return list(StageChange.objects.filter(return_record=return_).select_related("changed_by"))


def visits_of(return_: Return) -> list[MonitoringVisit]:
    return list(MonitoringVisit.objects.filter(return_record=return_))


# ---- scores over visits ---------------------------------------------------------------------


def current_instrument() -> Instrument:
    return reintegration.load_instrument(INSTRUMENT)


@cache
def instrument_for(instrument_id: str, version: str) -> Instrument | None:
    """The packaged instrument a visit was scored with, found by its id and version."""
    for name in reintegration.packaged_instruments():
        instrument = reintegration.load_instrument(name)
        if (instrument.instrument_id, instrument.version) == (instrument_id, version):
            return instrument
    return None


@dataclass(frozen=True)
class ScoredVisit:
    visit: MonitoringVisit
    number: int
    composite: float | None
    dimensions: tuple[tuple[str, float | None], ...]
    label: str
    flags: tuple[str, ...]
    """What the visit showed that calls for attention, in words."""


@dataclass(frozen=True)
class ScoreHistory:
    visits: tuple[ScoredVisit, ...]
    dimension_labels: tuple[tuple[str, str], ...]
    provisional: bool
    chart: SafeString | None


def trend_flags(visits: Sequence[MonitoringVisit]) -> dict[int, list[TrendFlag]]:
    """The domain's trend flags per visit (by position), comparing visits scored with the same
    instrument; each visit is scored again from its stored answers."""
    flags: dict[int, list[TrendFlag]] = defaultdict(list)
    by_instrument: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, visit in enumerate(visits):
        by_instrument[(visit.instrument_id, visit.instrument_version)].append(position)
    for (instrument_id, version), positions in by_instrument.items():
        instrument = instrument_for(instrument_id, version)
        if instrument is None:
            continue
        scores = [
            reintegration.score(_valid_answers(visits[position].answers, instrument), instrument)
            for position in positions
        ]
        for flag in reintegration.trend(scores, instrument):
            flags[positions[flag.visit]].append(flag)
    return flags


def _valid_answers(answers: Any, instrument: Instrument) -> dict[str, str]:
    # Erasure leaves an empty object behind; an answer the instrument no longer knows is skipped.
    known = {
        indicator.indicator_id: {option.answer_id for option in indicator.answers}
        for indicator in instrument.indicators
    }
    if not isinstance(answers, dict):
        return {}
    return {
        key: value
        for key, value in answers.items()
        if key in known and isinstance(value, str) and value in known[key]
    }


def attention_reasons(flags: Iterable[TrendFlag]) -> list[str]:
    kinds = {
        TrendFlagKind.COMPOSITE_FELL: AttentionReason.COMPOSITE_FELL,
        TrendFlagKind.DIMENSION_FELL: AttentionReason.DIMENSION_FELL,
        TrendFlagKind.RE_TRAFFICKING_RISK: AttentionReason.RE_TRAFFICKING_RISK,
    }
    found = {kinds[flag.kind].value for flag in flags}
    return [reason for reason in AttentionReason.values if reason in found]


def _flag_text(flag: TrendFlag, instrument: Instrument | None) -> str:
    if flag.kind == TrendFlagKind.RE_TRAFFICKING_RISK:
        question = flag.indicator_id or ""
        if instrument is not None and flag.indicator_id:
            question = in_page_language(instrument.indicator(flag.indicator_id).question)
        return _("Re-trafficking risk: %(question)s") % {"question": question}
    if flag.kind == TrendFlagKind.COMPOSITE_FELL:
        name = _("Overall score")
    else:
        name = _dimension_label(instrument, flag.dimension_id or "")
    return _("%(name)s fell from %(previous).2f to %(current).2f") % {
        "name": name,
        "previous": flag.previous or 0.0,
        "current": flag.current or 0.0,
    }


def _dimension_label(instrument: Instrument | None, dimension_id: str) -> str:
    if instrument is not None:
        for dimension in instrument.dimensions:
            if dimension.dimension_id == dimension_id:
                return in_page_language(dimension.label)
    return dimension_id


def score_history(visits: Sequence[MonitoringVisit], *, chart_id: str) -> ScoreHistory:
    """Each visit's scores (per dimension and composite), what they flag, and a chart."""
    instrument = current_instrument()
    dimension_ids = [dimension.dimension_id for dimension in instrument.dimensions]
    flags = trend_flags(visits)
    scored = []
    for number, visit in enumerate(visits, start=1):
        visit_instrument = instrument_for(visit.instrument_id, visit.instrument_version)
        label = ""
        if visit.composite is not None and visit_instrument is not None:
            label = in_page_language(reintegration.label(visit.composite, visit_instrument).label)
        scored.append(
            ScoredVisit(
                visit=visit,
                number=number,
                composite=visit.composite,
                dimensions=tuple(
                    (dimension_id, visit.dimension_scores.get(dimension_id))
                    for dimension_id in dimension_ids
                ),
                label=label,
                flags=tuple(
                    _flag_text(flag, visit_instrument) for flag in flags.get(number - 1, [])
                ),
            )
        )
    dimension_labels = tuple(
        (dimension.dimension_id, in_page_language(dimension.label))
        for dimension in instrument.dimensions
    )
    return ScoreHistory(
        visits=tuple(scored),
        dimension_labels=dimension_labels,
        provisional=instrument.provisional or any(visit.provisional for visit in visits),
        chart=_score_chart(scored, dimension_labels, instrument, chart_id) if scored else None,
    )


def _score_chart(
    visits: Sequence[ScoredVisit],
    dimension_labels: Sequence[tuple[str, str]],
    instrument: Instrument,
    chart_id: str,
) -> SafeString:
    series = [
        charts.LineSeries(
            name=label,
            values=[dict(visit.dimensions).get(dimension_id) for visit in visits],
            colour=_SERIES_LOOK.get(dimension_id, _COMPOSITE_LOOK)[0],
            dash=_SERIES_LOOK.get(dimension_id, _COMPOSITE_LOOK)[1],
            marker=_SERIES_LOOK.get(dimension_id, _COMPOSITE_LOOK)[2],
        )
        for dimension_id, label in dimension_labels
    ]
    series.append(
        charts.LineSeries(
            name=_("Overall (composite)"),
            values=[visit.composite for visit in visits],
            colour=_COMPOSITE_LOOK[0],
            dash=_COMPOSITE_LOOK[1],
            marker=_COMPOSITE_LOOK[2],
            emphasis=True,
        )
    )
    return charts.line_chart(
        chart_id=chart_id,
        title=_("Reintegration sustainability scores over the monitoring visits (provisional)"),
        description=_(
            "Scores from 0 to 1 per dimension and overall, one point per visit; the table "
            "below gives the same numbers."
        ),
        x_labels=[
            _("Visit %(number)s") % {"number": visit.number}
            + f"\n{visit.visit.visited_on.isoformat()}"
            for visit in visits
        ],
        series=series,
        guides=[
            charts.Guide(threshold.min_score, in_page_language(threshold.label))
            for threshold in instrument.thresholds
            if threshold.min_score > 0
        ],
    )


# ---- the page of one return -----------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    stage: str
    label: str
    needs_reason: bool
    is_decision: bool


@dataclass(frozen=True)
class RuleLine:
    rule: str
    rule_label: str
    outcome: str
    outcome_label: str
    explanation: str


@dataclass(frozen=True)
class ItemLine:
    item: AssistanceItem
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.item.budget - self.disbursed


@dataclass(frozen=True)
class ReturnPage:
    record: Return
    programme_name: str
    programme_provisional: bool
    stage_label: str
    days_in_stage: int
    moves: tuple[Move, ...]
    stage_changes: tuple[StageChange, ...]
    sessions: tuple[CounsellingSession, ...]
    coverage: Coverage
    eligibility: EligibilityCheck | None
    eligibility_rules: tuple[RuleLine, ...]
    declarations: tuple[Declaration, ...]
    signed_declaration: Declaration | None
    unsigned_declaration: Declaration | None
    risk_assessments: tuple[RiskAssessment, ...]
    departure_blocked: bool
    travel: TravelPlan | None
    documents: tuple[TravelDocument, ...]
    pending_documents: tuple[TravelDocument, ...]
    items: tuple[ItemLine, ...]
    totals: tuple[CurrencyTotal, ...]
    history: ScoreHistory
    attention_reasons: tuple[str, ...]

    @property
    def preparing(self) -> bool:
        return self.record.stage in PREPARATION_STAGES

    @property
    def before_departure(self) -> bool:
        return self.record.stage in PRE_DEPARTURE_STAGES

    @property
    def monitoring(self) -> bool:
        return self.record.stage in MONITORING_STAGES

    @property
    def open(self) -> bool:
        return self.record.stage not in FINAL_STAGES


def programme_name(programme_id: str) -> str:
    try:
        return in_page_language(eligibility.programme(programme_id).name)
    except eligibility.UnknownProgrammeError:
        return programme_id


def moves_for(user: User, return_: Return) -> tuple[Move, ...]:
    """The stages the user may move the return to now."""
    if not can(user, Permission.MANAGE_CASES, return_):
        return ()
    may_decide = can(user, Permission.APPROVE_CASE_DECISIONS, return_)
    return tuple(
        Move(
            stage=stage.value,
            label=str(Stage(stage.value).label),
            needs_reason=stage in {ReturnStage.REJECTED, ReturnStage.CANCELLED},
            is_decision=stage in DECISION_STAGES,
        )
        for stage in allowed_transitions(ReturnStage(return_.stage))
        if may_decide or stage not in DECISION_STAGES
    )


def eligibility_lines(check: EligibilityCheck | None) -> tuple[RuleLine, ...]:
    # Erasure leaves an empty object where the rules were.
    if check is None or not isinstance(check.rules, list):
        return ()
    language = page_language()
    return tuple(
        RuleLine(
            rule=line["rule"],
            rule_label=_label(EligibilityRule, line["rule"]),
            outcome=line["outcome"],
            outcome_label=_label(Outcome, line["outcome"]),
            explanation=line["explanation"].get(language, ""),
        )
        for line in check.rules
    )


def _label(choices: type[TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def return_page(user: User, return_: Return, *, today: date) -> ReturnPage:
    """Everything recorded in a return, for its pages and its API answer. Ten queries."""
    sessions = sessions_of(return_)
    declarations = declarations_of(return_)
    assessments = risk_assessments_of(return_)
    documents = travel_documents_of(return_)
    items = assistance_items_of(return_)
    check = latest_eligibility(return_)
    programme = _programme_or_none(return_.programme_id)
    return ReturnPage(
        record=return_,
        programme_name=programme_name(return_.programme_id),
        programme_provisional=programme.provisional if programme else True,
        stage_label=str(Stage(return_.stage).label),
        days_in_stage=(today - return_.stage_entered_on).days,
        moves=moves_for(user, return_),
        stage_changes=tuple(stage_changes_of(return_)),
        sessions=tuple(sessions),
        coverage=counselling_coverage(sessions),
        eligibility=check,
        eligibility_rules=eligibility_lines(check),
        declarations=tuple(declarations),
        signed_declaration=signed_declaration(declarations),
        unsigned_declaration=next(
            (item for item in declarations if not item.signed_on and not item.withdrawn_on), None
        ),
        risk_assessments=tuple(assessments),
        departure_blocked=high_risk_unresolved(assessments),
        travel=travel_plan_of(return_),
        documents=tuple(documents),
        pending_documents=tuple(pending_documents(documents)),
        items=tuple(ItemLine(item, disbursed(item)) for item in items),
        totals=tuple(budget_totals(items)),
        history=score_history(visits_of(return_), chart_id=f"scores-{return_.code}"),
        attention_reasons=tuple(
            str(AttentionReason(reason).label)
            for reason in return_.attention_reasons
            if reason in AttentionReason.values
        ),
    )


def _programme_or_none(programme_id: str) -> eligibility.Programme | None:
    try:
        return eligibility.programme(programme_id)
    except eligibility.UnknownProgrammeError:
        return None


# ---- the programme view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A published number; `withheld` when small-cell suppression hides it."""

    value: int | float | Decimal | None
    withheld: bool = False


@dataclass(frozen=True)
class StageFigure:
    stage: str
    label: str
    count: Figure
    median_days: Figure


@dataclass(frozen=True)
class LabelFigure:
    label_id: str
    label: str
    count: Figure


@dataclass(frozen=True)
class MedianFigure:
    key: str
    label: str
    median: Figure


@dataclass(frozen=True)
class BudgetFigure:
    programme_id: str
    programme_name: str
    currency: str
    budget: Figure
    disbursed: Figure


@dataclass(frozen=True)
class ProgrammeOverview:
    suppressed: bool
    k: int
    country: str
    programme_id: str
    total: Figure
    stages: tuple[StageFigure, ...]
    withdrawn: Figure
    completed: Figure
    completed_labels: tuple[LabelFigure, ...]
    completed_medians: tuple[MedianFigure, ...]
    budgets: tuple[BudgetFigure, ...]
    provisional: bool
    stage_chart: SafeString
    days_chart: SafeString
    scores_chart: SafeString


def suppression_k() -> int:
    return int(getattr(settings, "AGGREGATE_SUPPRESSION_K", DEFAULT_SUPPRESSION_K))


def needs_suppression(user: User) -> bool:
    """Whoever may not see the people behind the figures sees them with small cells withheld."""
    return not can(user, Permission.VIEW_PERSONAL_DATA)


def programme_overview(
    user: User, *, country: str = "", programme_id: str = "", today: date
) -> ProgrammeOverview:
    """The organisation's returns in aggregate: how many at each stage and for how long, how
    many withdrawn, and the latest reintegration scores of completed returns. Five queries."""
    returns = Return.objects.filter(organisation_id=user.organisation_id)
    if country:
        returns = returns.filter(country_of_return=country)
    if programme_id:
        returns = returns.filter(programme_id=programme_id)
    rows = list(returns.values_list("pk", "stage"))
    stage_of = dict(rows)
    suppressed, k = needs_suppression(user), suppression_k()
    counts = dict.fromkeys(Stage.values, 0)
    for stage in stage_of.values():
        counts[stage] += 1
    published, total = _published_counts(counts, suppressed=suppressed, k=k)
    stays = _stays(returns, stage_of, today=today)
    stages = tuple(
        StageFigure(
            stage=stage,
            label=str(Stage(stage).label),
            count=published[stage],
            median_days=_median(stays.get(stage, []), k if suppressed else 1),
        )
        for stage in Stage.values
    )
    completed_ids = [pk for pk, stage in rows if stage == Stage.COMPLETED]
    labels, medians = _completed_scores(completed_ids, suppressed=suppressed, k=k)
    budgets = _budgets(returns, suppressed=suppressed, k=k)
    by_stage = {figure.stage: figure for figure in stages}
    return ProgrammeOverview(
        suppressed=suppressed,
        k=k,
        country=country,
        programme_id=programme_id,
        total=total,
        stages=stages,
        withdrawn=by_stage[Stage.WITHDRAWN].count,
        completed=by_stage[Stage.COMPLETED].count,
        completed_labels=labels,
        completed_medians=medians,
        budgets=budgets,
        provisional=current_instrument().provisional,
        stage_chart=charts.bar_chart(
            chart_id="chart-stages",
            title=_("Returns at each stage"),
            description=_("Number of returns now at each stage; the table gives the same numbers."),
            bars=[_count_bar(figure.label, figure.count) for figure in stages],
        ),
        days_chart=charts.bar_chart(
            chart_id="chart-days",
            title=_("Median days at each stage"),
            description=_(
                "Median number of days returns stayed at each stage, counting a stay still "
                "running up to today; the table gives the same numbers."
            ),
            bars=[
                _count_bar(figure.label, figure.median_days)
                for figure in stages
                if figure.stage not in FINAL_STAGES
            ],
            colour="#1d6b35",
        ),
        scores_chart=charts.bar_chart(
            chart_id="chart-scores",
            title=_("Completed returns by reintegration sustainability (provisional)"),
            description=_(
                "Number of completed returns by the label of their last monitoring score; the "
                "table gives the same numbers."
            ),
            bars=[_count_bar(figure.label, figure.count) for figure in labels],
            colour="#7a4b00",
        ),
    )


def _published_counts(
    counts: dict[str, int], *, suppressed: bool, k: int
) -> tuple[dict[str, Figure], Figure]:
    """Each count and their total, through small-cell suppression when `suppressed`."""
    if not suppressed:
        return {key: Figure(value) for key, value in counts.items()}, Figure(sum(counts.values()))
    result = suppress([((key,), value) for key, value in counts.items()], k)
    return {str(cell.key[0]): _figure(cell) for cell in result.cells}, _figure(result.grand_total)


def _figure(cell: PublishedCell) -> Figure:
    return Figure(cell.count, withheld=cell.count is None)


def _median(values: Sequence[int | float], minimum: int) -> Figure:
    if not values:
        return Figure(None)
    if len(values) < minimum:
        return Figure(None, withheld=True)
    return Figure(round(statistics.median(values), 2))


def _count_bar(label: str, figure: Figure) -> charts.Bar:
    if figure.withheld:
        return charts.Bar(label, None, _("withheld"))
    if figure.value is None:
        return charts.Bar(label, None, "—")
    value = float(figure.value)
    return charts.Bar(label, value, f"{value:g}")


def _stays(
    returns: QuerySet[Return], stage_of: dict[int, str], *, today: date
) -> dict[str, list[int]]:
    """Days each return spent in each stage it went through; a stay still running counts up
    to today, and the final stages (completed, withdrawn, cancelled) have no length."""
    changes = (
        StageChange.objects.filter(return_record__in=returns)
        .order_by("return_record_id", "changed_on", "pk")
        .values_list("return_record_id", "to_stage", "changed_on")
    )
    by_return: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for return_id, to_stage, changed_on in changes:
        by_return[return_id].append((to_stage, changed_on))
    stays: dict[str, list[int]] = defaultdict(list)
    for return_id, history in by_return.items():
        if return_id not in stage_of:
            continue
        for position, (stage, started) in enumerate(history):
            if stage in FINAL_STAGES:
                continue
            ended = history[position + 1][1] if position + 1 < len(history) else today
            stays[stage].append(max(0, (ended - started).days))
    return stays


def _completed_scores(
    completed_ids: Sequence[int], *, suppressed: bool, k: int
) -> tuple[tuple[LabelFigure, ...], tuple[MedianFigure, ...]]:
    instrument = current_instrument()
    latest: dict[int, tuple[float | None, dict[str, Any], str]] = {}
    visits = (
        MonitoringVisit.objects.filter(return_record_id__in=completed_ids)
        .order_by("return_record_id", "visited_on", "pk")
        .values_list("return_record_id", "composite", "dimension_scores", "label_id")
    )
    for return_id, composite, dimension_scores, label_id in visits:
        latest[return_id] = (composite, dimension_scores or {}, label_id)
    label_counts = {threshold.label_id: 0 for threshold in instrument.thresholds}
    for _composite, _dimensions, label_id in latest.values():
        if label_id in label_counts:
            label_counts[label_id] += 1
    published, _total = _published_counts(label_counts, suppressed=suppressed, k=k)
    labels = tuple(
        LabelFigure(
            label_id=threshold.label_id,
            label=in_page_language(threshold.label),
            count=published[threshold.label_id],
        )
        for threshold in instrument.thresholds
    )
    minimum = k if suppressed else 1
    medians = [
        MedianFigure(
            key=dimension.dimension_id,
            label=in_page_language(dimension.label),
            median=_median(
                [
                    value
                    for _composite, scores, _label in latest.values()
                    if (value := scores.get(dimension.dimension_id)) is not None
                ],
                minimum,
            ),
        )
        for dimension in instrument.dimensions
    ]
    medians.append(
        MedianFigure(
            key="composite",
            label=_("Overall (composite)"),
            median=_median(
                [composite for composite, _s, _l in latest.values() if composite is not None],
                minimum,
            ),
        )
    )
    return labels, tuple(medians)


def _budgets(returns: QuerySet[Return], *, suppressed: bool, k: int) -> tuple[BudgetFigure, ...]:
    """Budget and payments per programme and currency; never summed across currencies."""
    planned = (
        AssistanceItem.objects.filter(return_record__in=returns)
        .exclude(status=AssistanceStatus.CANCELLED)
        .values("return_record__programme_id", "currency")
        .annotate(total=Sum("budget"))
    )
    paid = (
        Disbursement.objects.filter(return_record__in=returns)
        .values("return_record__programme_id", "item__currency")
        .annotate(total=Sum("amount"))
    )
    contributors = (
        AssistanceItem.objects.filter(return_record__in=returns)
        .values_list("return_record__programme_id", "currency", "return_record_id")
        .distinct()
    )
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for programme, currency, return_id in contributors:
        people[(programme, currency)].add(return_id)
    budget = {
        (row["return_record__programme_id"], row["currency"]): row["total"] for row in planned
    }
    payments = {
        (row["return_record__programme_id"], row["item__currency"]): row["total"] for row in paid
    }
    figures = []
    for key in sorted(set(budget) | set(payments)):
        hidden = suppressed and len(people[key]) < k
        figures.append(
            BudgetFigure(
                programme_id=key[0],
                programme_name=programme_name(key[0]),
                currency=key[1],
                budget=Figure(None, True) if hidden else Figure(_money(budget.get(key))),
                disbursed=Figure(None, True) if hidden else Figure(_money(payments.get(key))),
            )
        )
    return tuple(figures)


def _money(value: Decimal | None) -> Decimal:
    return value or Decimal("0.00")
