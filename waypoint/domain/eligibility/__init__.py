"""Eligibility of a person for an assisted voluntary return and reintegration (AVRR) programme.

Each programme's conditions are data (``data/programmes.json``), as is every explanation shown to
people. Six rules are checked: nationality, country of return, migration status, voluntariness,
obligations that require the person's presence (a court summons, testimony), and the safeguards
for a child (a best-interests determination and the guardian's consent). Each rule passes, fails
or is unknown while a fact is missing. The overall result is ``not_eligible`` as soon as one rule
fails (no missing fact can change that), ``eligible`` when all pass, and ``undetermined``
otherwise. A failed presence obligation says "not yet", not "never": it passes once resolved.
Countries are ISO 3166-1 alpha-2 codes.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Annotated

from pydantic import Field, TypeAdapter

from waypoint.domain.rights.texts import LocalizedText

__all__ = [
    "BestInterests",
    "EligibilityResult",
    "Outcome",
    "PendingObligation",
    "Programme",
    "Reason",
    "ReturnApplication",
    "Rule",
    "RuleResult",
    "UnknownProgrammeError",
    "Verdict",
    "evaluate",
    "programme",
    "programmes",
]

_ALPHA_2 = re.compile(r"[A-Z]{2}")
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Rule(StrEnum):
    NATIONALITY = "nationality"
    COUNTRY_OF_RETURN = "country_of_return"
    MIGRATION_STATUS = "migration_status"
    VOLUNTARINESS = "voluntariness"
    PENDING_OBLIGATIONS = "pending_obligations"
    MINOR_SAFEGUARDS = "minor_safeguards"


class Reason(StrEnum):
    """Why a rule gave its outcome; each has an explanation in the data file."""

    NATIONALITY_UNKNOWN = "nationality_unknown"
    NATIONALITY_EXCLUDED = "nationality_excluded"
    NATIONALITY_NOT_COVERED = "nationality_not_covered"
    NATIONALITY_ELIGIBLE = "nationality_eligible"
    RETURN_COUNTRY_UNKNOWN = "return_country_unknown"
    RETURN_TO_HOST_COUNTRY = "return_to_host_country"
    RETURN_COUNTRY_NOT_COVERED = "return_country_not_covered"
    RETURN_COUNTRY_OF_NATIONALITY_OR_RESIDENCE = "return_country_of_nationality_or_residence"
    RETURN_COUNTRY_LINK_UNKNOWN = "return_country_link_unknown"
    RETURN_COUNTRY_NOT_LINKED = "return_country_not_linked"
    RETURN_COUNTRY_ACCEPTED = "return_country_accepted"
    MIGRATION_STATUS_UNKNOWN = "migration_status_unknown"
    MIGRATION_STATUS_ELIGIBLE = "migration_status_eligible"
    MIGRATION_STATUS_NOT_ELIGIBLE = "migration_status_not_eligible"
    VOLUNTARINESS_UNCONFIRMED = "voluntariness_unconfirmed"
    VOLUNTARY = "voluntary"
    NOT_VOLUNTARY = "not_voluntary"
    OBLIGATIONS_NOT_CHECKED = "obligations_not_checked"
    OBLIGATION_REQUIRES_PRESENCE = "obligation_requires_presence"
    OBLIGATION_PRESENCE_UNCLEAR = "obligation_presence_unclear"
    NO_OBLIGATION_REQUIRING_PRESENCE = "no_obligation_requiring_presence"
    AGE_UNKNOWN = "age_unknown"
    ADULT = "adult"
    MINORS_NOT_ACCEPTED = "minors_not_accepted"
    RETURN_NOT_IN_BEST_INTERESTS = "return_not_in_best_interests"
    GUARDIAN_CONSENT_REFUSED = "guardian_consent_refused"
    BEST_INTERESTS_PENDING = "best_interests_pending"
    GUARDIAN_CONSENT_PENDING = "guardian_consent_pending"
    MINOR_SAFEGUARDS_MET = "minor_safeguards_met"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


class BestInterests(StrEnum):
    """The conclusion of a child's best-interests determination about the return."""

    RETURN_IN_BEST_INTERESTS = "return_in_best_interests"
    RETURN_NOT_IN_BEST_INTERESTS = "return_not_in_best_interests"


@dataclass(frozen=True)
class PendingObligation:
    """Something that may keep the person in the host country, e.g. a summons as a witness."""

    description: str
    requires_presence: bool | None
    """``None`` while nobody has checked with the authority concerned."""
    resolved: bool = False
    """The authority agreed to the departure, or the obligation was fulfilled."""


@dataclass(frozen=True)
class ReturnApplication:
    """What is known about the applicant; ``None`` means not yet known."""

    nationality: str | None = None
    country_of_return: str | None = None
    residence_rights: tuple[str, ...] = ()
    """Countries other than the nationality where the person has the right to live."""
    migration_status: str | None = None
    voluntary: bool | None = None
    """A free and informed decision to return, confirmed in counselling."""
    pending_obligations: tuple[PendingObligation, ...] | None = None
    """``None`` until someone has checked; an empty tuple when checked and there are none."""
    is_minor: bool | None = None
    best_interests: BestInterests | None = None
    """``None`` until a best-interests determination has concluded."""
    guardian_consent: bool | None = None

    def __post_init__(self) -> None:
        codes = [self.nationality, self.country_of_return, *self.residence_rights]
        for code in codes:
            if code is not None and not _ALPHA_2.fullmatch(code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


@dataclass(frozen=True)
class Programme:
    programme_id: str
    name: LocalizedText
    host_country: CountryCode
    eligible_migration_statuses: tuple[str, ...]
    provisional: bool
    sources: tuple[str, ...]
    eligible_nationalities: tuple[CountryCode, ...] | None = None
    """``None``: every nationality not excluded."""
    excluded_nationalities: tuple[CountryCode, ...] = ()
    return_countries: tuple[CountryCode, ...] | None = None
    """``None``: every country other than the host country."""
    return_only_to_nationality_or_residence: bool = True
    minors_accepted: bool = True


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    outcome: Outcome
    reason: Reason
    explanation: LocalizedText


@dataclass(frozen=True)
class EligibilityResult:
    programme_id: str
    verdict: Verdict
    rules: tuple[RuleResult, ...]
    provisional: bool

    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.rules if result.outcome == Outcome.FAILED)

    def unknown(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.rules if result.outcome == Outcome.UNKNOWN)


class UnknownProgrammeError(ValueError):
    def __init__(self, programme_id: str) -> None:
        known = ", ".join(item.programme_id for item in programmes())
        super().__init__(f"No AVRR programme {programme_id!r}; known: {known}.")


@dataclass(frozen=True)
class Catalogue:
    version: str
    migration_statuses: dict[str, LocalizedText]
    explanations: dict[Reason, LocalizedText]
    programmes: tuple[Programme, ...]

    def __post_init__(self) -> None:
        missing = sorted(set(Reason) - self.explanations.keys())
        if missing:
            raise ValueError(f"programmes.json has no explanation for: {', '.join(missing)}.")
        for item in self.programmes:
            unknown = sorted(set(item.eligible_migration_statuses) - self.migration_statuses.keys())
            if unknown:
                raise ValueError(
                    f"Programme {item.programme_id!r} names unknown migration statuses: "
                    f"{', '.join(unknown)}."
                )


@cache
def _catalogue() -> Catalogue:
    text = files(__package__).joinpath("data", "programmes.json").read_text("utf-8")
    return TypeAdapter(Catalogue).validate_json(text)


def programmes() -> tuple[Programme, ...]:
    return _catalogue().programmes


def programme(programme_id: str) -> Programme:
    for item in programmes():
        if item.programme_id == programme_id:
            return item
    raise UnknownProgrammeError(programme_id)


def evaluate(application: ReturnApplication, programme: Programme) -> EligibilityResult:
    catalogue = _catalogue()
    status = application.migration_status
    if status is not None and status not in catalogue.migration_statuses:
        known = ", ".join(sorted(catalogue.migration_statuses))
        raise ValueError(f"Unknown migration status {status!r}; known: {known}.")
    results = tuple(_Evaluation(application, programme, catalogue).results())
    outcomes = {result.outcome for result in results}
    if Outcome.FAILED in outcomes:
        verdict = Verdict.NOT_ELIGIBLE
    elif Outcome.UNKNOWN in outcomes:
        verdict = Verdict.UNDETERMINED
    else:
        verdict = Verdict.ELIGIBLE
    return EligibilityResult(programme.programme_id, verdict, results, programme.provisional)


@dataclass(frozen=True)
class _Evaluation:
    application: ReturnApplication
    programme: Programme
    catalogue: Catalogue

    def results(self) -> Iterator[RuleResult]:
        yield self._nationality()
        yield self._country_of_return()
        yield self._migration_status()
        yield self._voluntariness()
        yield self._pending_obligations()
        yield self._minor_safeguards()

    def _result(
        self, rule: Rule, outcome: Outcome, reason: Reason, **values: str | LocalizedText
    ) -> RuleResult:
        explanation = self.catalogue.explanations[reason].format(**values)
        return RuleResult(rule, outcome, reason, explanation)

    def _nationality(self) -> RuleResult:
        nationality, programme = self.application.nationality, self.programme
        rule = Rule.NATIONALITY
        if nationality is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.NATIONALITY_UNKNOWN)
        if nationality in programme.excluded_nationalities:
            return self._result(
                rule, Outcome.FAILED, Reason.NATIONALITY_EXCLUDED, nationality=nationality
            )
        listed = programme.eligible_nationalities
        if listed is not None and nationality not in listed:
            return self._result(
                rule, Outcome.FAILED, Reason.NATIONALITY_NOT_COVERED, nationality=nationality
            )
        return self._result(
            rule, Outcome.PASSED, Reason.NATIONALITY_ELIGIBLE, nationality=nationality
        )

    def _country_of_return(self) -> RuleResult:
        application, programme = self.application, self.programme
        country, rule = application.country_of_return, Rule.COUNTRY_OF_RETURN
        if country is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.RETURN_COUNTRY_UNKNOWN)
        if country == programme.host_country:
            return self._result(
                rule, Outcome.FAILED, Reason.RETURN_TO_HOST_COUNTRY, country=country
            )
        if programme.return_countries is not None and country not in programme.return_countries:
            return self._result(
                rule, Outcome.FAILED, Reason.RETURN_COUNTRY_NOT_COVERED, country=country
            )
        if programme.return_only_to_nationality_or_residence:
            if country == application.nationality or country in application.residence_rights:
                return self._result(
                    rule,
                    Outcome.PASSED,
                    Reason.RETURN_COUNTRY_OF_NATIONALITY_OR_RESIDENCE,
                    country=country,
                )
            if application.nationality is None:
                return self._result(
                    rule, Outcome.UNKNOWN, Reason.RETURN_COUNTRY_LINK_UNKNOWN, country=country
                )
            return self._result(
                rule, Outcome.FAILED, Reason.RETURN_COUNTRY_NOT_LINKED, country=country
            )
        return self._result(rule, Outcome.PASSED, Reason.RETURN_COUNTRY_ACCEPTED, country=country)

    def _migration_status(self) -> RuleResult:
        status, rule = self.application.migration_status, Rule.MIGRATION_STATUS
        if status is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.MIGRATION_STATUS_UNKNOWN)
        label = self.catalogue.migration_statuses[status]
        if status in self.programme.eligible_migration_statuses:
            return self._result(
                rule, Outcome.PASSED, Reason.MIGRATION_STATUS_ELIGIBLE, status=label
            )
        return self._result(
            rule, Outcome.FAILED, Reason.MIGRATION_STATUS_NOT_ELIGIBLE, status=label
        )

    def _voluntariness(self) -> RuleResult:
        voluntary, rule = self.application.voluntary, Rule.VOLUNTARINESS
        if voluntary is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.VOLUNTARINESS_UNCONFIRMED)
        if voluntary:
            return self._result(rule, Outcome.PASSED, Reason.VOLUNTARY)
        return self._result(rule, Outcome.FAILED, Reason.NOT_VOLUNTARY)

    def _pending_obligations(self) -> RuleResult:
        obligations, rule = self.application.pending_obligations, Rule.PENDING_OBLIGATIONS
        if obligations is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.OBLIGATIONS_NOT_CHECKED)
        open_obligations = [item for item in obligations if not item.resolved]
        for item in open_obligations:
            if item.requires_presence:
                return self._result(
                    rule,
                    Outcome.FAILED,
                    Reason.OBLIGATION_REQUIRES_PRESENCE,
                    description=item.description,
                )
        for item in open_obligations:
            if item.requires_presence is None:
                return self._result(
                    rule,
                    Outcome.UNKNOWN,
                    Reason.OBLIGATION_PRESENCE_UNCLEAR,
                    description=item.description,
                )
        return self._result(rule, Outcome.PASSED, Reason.NO_OBLIGATION_REQUIRING_PRESENCE)

    def _minor_safeguards(self) -> RuleResult:
        application, rule = self.application, Rule.MINOR_SAFEGUARDS
        if application.is_minor is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.AGE_UNKNOWN)
        if not application.is_minor:
            return self._result(rule, Outcome.PASSED, Reason.ADULT)
        if not self.programme.minors_accepted:
            return self._result(rule, Outcome.FAILED, Reason.MINORS_NOT_ACCEPTED)
        if application.best_interests == BestInterests.RETURN_NOT_IN_BEST_INTERESTS:
            return self._result(rule, Outcome.FAILED, Reason.RETURN_NOT_IN_BEST_INTERESTS)
        if application.guardian_consent is False:
            return self._result(rule, Outcome.FAILED, Reason.GUARDIAN_CONSENT_REFUSED)
        if application.best_interests is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.BEST_INTERESTS_PENDING)
        if application.guardian_consent is None:
            return self._result(rule, Outcome.UNKNOWN, Reason.GUARDIAN_CONSENT_PENDING)
        return self._result(rule, Outcome.PASSED, Reason.MINOR_SAFEGUARDS_MET)
