"""Legal and case-work deadlines of a protection case, per jurisdiction.

The periods, references and reminder windows live in ``data/rules.json``; this module knows which
fact of the case each kind of deadline counts from. The due date is the last day of a period
(see :mod:`waypoint.domain.deadlines.dates` for how days and months are counted).

Kinds: the Polish presumed-victim certificate (Act on Foreigners Art. 170-172), the Council of
Europe reflection period (CETS 197 Art. 13; in Poland the certificate is that period), a victim's
residence permit (Poland: Act on Foreigners Art. 176) and the follow-up of support-plan items.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Annotated

from pydantic import Field, TypeAdapter

from waypoint.domain.deadlines.dates import MonthEndRule, add_months, add_period, is_minor_on
from waypoint.domain.rights.texts import LocalizedText

__all__ = [
    "AgeBasis",
    "CaseFacts",
    "Deadline",
    "DeadlineKind",
    "DeadlineStatus",
    "FactsError",
    "Milestone",
    "ResidencePermit",
    "SupportPlanItem",
    "UnknownJurisdictionError",
    "deadlines",
    "due_soon_or_overdue",
    "supported_jurisdictions",
]

NonNegative = Annotated[int, Field(ge=0)]


class DeadlineKind(StrEnum):
    PRESUMED_VICTIM_CERTIFICATE = "presumed_victim_certificate"
    REFLECTION_PERIOD = "reflection_period"
    RESIDENCE_PERMIT = "residence_permit"
    SUPPORT_PLAN_ITEM = "support_plan_item"


class DeadlineStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"


class AgeBasis(StrEnum):
    """Which age the length of an age-dependent period was taken for."""

    ADULT = "adult"
    MINOR = "minor"
    UNKNOWN_ADULT_PERIOD_USED = "unknown_adult_period_used"
    """No birth date: the shorter adult period is shown so that no expiry is missed."""


@dataclass(frozen=True)
class Milestone:
    """An event that starts a period, and the day its follow-up was done (a decision, an
    application, a referral), if it was."""

    on: date
    followed_up_on: date | None = None


@dataclass(frozen=True)
class ResidencePermit:
    issued_on: date
    duration_months: int
    renewal_applied_on: date | None = None


@dataclass(frozen=True)
class SupportPlanItem:
    item_id: str
    due_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class CaseFacts:
    birth_date: date | None = None
    presumed_victim_certificate: Milestone | None = None
    """Issue of the certificate of presumption of being a victim (PL Act on Foreigners Art. 170)."""
    reasonable_grounds: Milestone | None = None
    """The day reasonable grounds to believe the person is a victim were established."""
    residence_permit: ResidencePermit | None = None
    support_plan_items: tuple[SupportPlanItem, ...] = ()


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_on: date
    status: DeadlineStatus
    label: LocalizedText
    legal_reference: str | None
    provisional: bool
    """The period, reference or window rests on a fact not yet confirmed by an expert."""
    subject: str | None = None
    """The support-plan item the deadline belongs to."""
    age_basis: AgeBasis | None = None


class UnknownJurisdictionError(ValueError):
    def __init__(self, jurisdiction: str) -> None:
        supported = ", ".join(supported_jurisdictions())
        super().__init__(
            f"No deadline rules for jurisdiction {jurisdiction!r}; supported: {supported}."
        )


class FactsError(ValueError):
    """The case facts contradict the jurisdiction's rules."""


@dataclass(frozen=True)
class Period:
    months: NonNegative = 0
    days: NonNegative = 0

    def __post_init__(self) -> None:
        if self.months == 0 and self.days == 0:
            raise ValueError("A period needs a number of months or days.")


@dataclass(frozen=True)
class Sourced:
    provisional: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PeriodRule(Sourced):
    legal_reference: str
    period: Period
    period_for_minor: Period | None = None
    due_soon_window_days: NonNegative | None = None


@dataclass(frozen=True)
class ResidencePermitRule(Sourced):
    legal_reference: str
    reminder_window_days: NonNegative
    """How long before expiry a renewal is flagged as due soon."""
    min_months: NonNegative | None = None
    max_months: NonNegative | None = None


@dataclass(frozen=True)
class FollowUpRule(Sourced):
    due_soon_window_days: NonNegative | None = None


@dataclass(frozen=True)
class MonthEndSetting(Sourced):
    rule: MonthEndRule


@dataclass(frozen=True)
class JurisdictionRules:
    name: LocalizedText
    month_end: MonthEndSetting
    due_soon_window_days: NonNegative
    support_plan_item: FollowUpRule
    presumed_victim_certificate: PeriodRule | None = None
    reflection_period: PeriodRule | None = None
    residence_permit: ResidencePermitRule | None = None


@dataclass(frozen=True)
class RuleBook:
    version: str
    labels: dict[DeadlineKind, LocalizedText]
    jurisdictions: dict[str, JurisdictionRules]

    def __post_init__(self) -> None:
        missing = sorted(set(DeadlineKind) - self.labels.keys())
        if missing:
            raise ValueError(f"rules.json has no label for: {', '.join(missing)}.")


@cache
def rule_book() -> RuleBook:
    text = files(__package__).joinpath("data", "rules.json").read_text("utf-8")
    return TypeAdapter(RuleBook).validate_json(text)


def supported_jurisdictions() -> tuple[str, ...]:
    return tuple(sorted(rule_book().jurisdictions))


def deadlines(facts: CaseFacts, jurisdiction: str, *, today: date) -> list[Deadline]:
    """Every deadline the case facts give rise to under the jurisdiction, earliest first."""
    book = rule_book()
    if jurisdiction not in book.jurisdictions:
        raise UnknownJurisdictionError(jurisdiction)
    found = _Calculator(book, book.jurisdictions[jurisdiction], today).for_facts(facts)
    return sorted(
        found, key=lambda deadline: (deadline.due_on, deadline.kind, deadline.subject or "")
    )


def due_soon_or_overdue(facts: CaseFacts, jurisdiction: str, *, today: date) -> list[Deadline]:
    """The deadlines that need action: due soon or overdue."""
    return [
        deadline
        for deadline in deadlines(facts, jurisdiction, today=today)
        if deadline.status in (DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE)
    ]


@dataclass(frozen=True)
class _Calculator:
    book: RuleBook
    rules: JurisdictionRules
    today: date

    def for_facts(self, facts: CaseFacts) -> Iterator[Deadline]:
        rules = self.rules
        if rules.presumed_victim_certificate and facts.presumed_victim_certificate:
            yield self._period(
                DeadlineKind.PRESUMED_VICTIM_CERTIFICATE,
                rules.presumed_victim_certificate,
                facts.presumed_victim_certificate,
                facts.birth_date,
            )
        if rules.reflection_period and facts.reasonable_grounds:
            yield self._period(
                DeadlineKind.REFLECTION_PERIOD,
                rules.reflection_period,
                facts.reasonable_grounds,
                facts.birth_date,
            )
        if rules.residence_permit and facts.residence_permit:
            yield self._residence_permit(rules.residence_permit, facts.residence_permit)
        for item in facts.support_plan_items:
            yield self._deadline(
                DeadlineKind.SUPPORT_PLAN_ITEM,
                rules.support_plan_item,
                item.due_on,
                done=item.completed_on is not None,
                window_days=rules.support_plan_item.due_soon_window_days,
                legal_reference=None,
                counted_in_months=False,
                subject=item.item_id,
            )

    def _period(
        self, kind: DeadlineKind, rule: PeriodRule, start: Milestone, birth_date: date | None
    ) -> Deadline:
        age_basis = None
        period = rule.period
        if rule.period_for_minor is not None:
            if birth_date is None:
                age_basis = AgeBasis.UNKNOWN_ADULT_PERIOD_USED
            elif is_minor_on(birth_date, start.on, self.rules.month_end.rule):
                age_basis, period = AgeBasis.MINOR, rule.period_for_minor
            else:
                age_basis = AgeBasis.ADULT
        due_on = add_period(
            start.on, months=period.months, days=period.days, rule=self.rules.month_end.rule
        )
        return self._deadline(
            kind,
            rule,
            due_on,
            done=start.followed_up_on is not None,
            window_days=rule.due_soon_window_days,
            legal_reference=rule.legal_reference,
            counted_in_months=period.months > 0,
            age_basis=age_basis,
        )

    def _residence_permit(self, rule: ResidencePermitRule, permit: ResidencePermit) -> Deadline:
        too_short = rule.min_months is not None and permit.duration_months < rule.min_months
        too_long = rule.max_months is not None and permit.duration_months > rule.max_months
        if too_short or too_long:
            raise FactsError(
                f"A residence permit of {permit.duration_months} months is outside the range "
                f"{rule.min_months or 0} to {rule.max_months or 'unlimited'} months "
                f"of {rule.legal_reference}."
            )
        due_on = add_months(permit.issued_on, permit.duration_months, self.rules.month_end.rule)
        return self._deadline(
            DeadlineKind.RESIDENCE_PERMIT,
            rule,
            due_on,
            done=permit.renewal_applied_on is not None,
            window_days=rule.reminder_window_days,
            legal_reference=rule.legal_reference,
            counted_in_months=True,
        )

    def _deadline(
        self,
        kind: DeadlineKind,
        rule: Sourced,
        due_on: date,
        *,
        done: bool,
        window_days: int | None,
        legal_reference: str | None,
        counted_in_months: bool,
        subject: str | None = None,
        age_basis: AgeBasis | None = None,
    ) -> Deadline:
        window = self.rules.due_soon_window_days if window_days is None else window_days
        days_left = (due_on - self.today).days
        if done:
            status = DeadlineStatus.MET
        elif days_left < 0:
            status = DeadlineStatus.OVERDUE
        elif days_left <= window:
            status = DeadlineStatus.DUE_SOON
        else:
            status = DeadlineStatus.UPCOMING
        return Deadline(
            kind=kind,
            due_on=due_on,
            status=status,
            label=self.book.labels[kind],
            legal_reference=legal_reference,
            provisional=rule.provisional
            or (counted_in_months and self.rules.month_end.provisional),
            subject=subject,
            age_basis=age_basis,
        )
