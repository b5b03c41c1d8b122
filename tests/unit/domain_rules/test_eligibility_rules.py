from dataclasses import replace

import pytest
from pydantic import TypeAdapter, ValidationError

from waypoint.domain.eligibility import (
    BestInterests,
    Catalogue,
    Outcome,
    PendingObligation,
    Programme,
    Reason,
    ReturnApplication,
    Rule,
    UnknownProgrammeError,
    Verdict,
    evaluate,
    programme,
    programmes,
)
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES

AVRR = programme("pl_avrr_third_country_nationals")
VICTIMS = programme("pl_safe_return_victims")

COMPLETE = ReturnApplication(
    nationality="UA",
    country_of_return="UA",
    migration_status="irregular_stay",
    voluntary=True,
    pending_obligations=(),
    is_minor=False,
)


def outcome(application: ReturnApplication, rule: Rule, chosen: Programme = AVRR) -> Reason:
    result = evaluate(application, chosen)
    (found,) = [item for item in result.rules if item.rule == rule]
    return found.reason


def test_a_complete_eligible_application() -> None:
    result = evaluate(COMPLETE, AVRR)
    assert result.verdict == Verdict.ELIGIBLE
    assert [item.rule for item in result.rules] == list(Rule)
    assert all(item.outcome == Outcome.PASSED for item in result.rules)
    assert result.failed() == result.unknown() == ()
    assert result.provisional
    assert result.programme_id == "pl_avrr_third_country_nationals"


def test_nothing_known_is_undetermined() -> None:
    result = evaluate(ReturnApplication(), AVRR)
    assert result.verdict == Verdict.UNDETERMINED
    assert len(result.unknown()) == len(Rule)


def test_one_failure_decides_even_with_unknowns() -> None:
    result = evaluate(ReturnApplication(voluntary=False), AVRR)
    assert result.verdict == Verdict.NOT_ELIGIBLE
    assert [item.reason for item in result.failed()] == [Reason.NOT_VOLUNTARY]


def test_an_unknown_keeps_a_passing_application_undetermined() -> None:
    result = evaluate(replace(COMPLETE, pending_obligations=None), AVRR)
    assert result.verdict == Verdict.UNDETERMINED
    assert [item.reason for item in result.unknown()] == [Reason.OBLIGATIONS_NOT_CHECKED]


@pytest.mark.parametrize(
    ("nationality", "chosen", "reason"),
    [
        (None, AVRR, Reason.NATIONALITY_UNKNOWN),
        ("DE", AVRR, Reason.NATIONALITY_EXCLUDED),
        ("PL", AVRR, Reason.NATIONALITY_EXCLUDED),
        ("UA", AVRR, Reason.NATIONALITY_ELIGIBLE),
        ("DE", VICTIMS, Reason.NATIONALITY_ELIGIBLE),
    ],
)
def test_nationality(nationality: str | None, chosen: Programme, reason: Reason) -> None:
    application = replace(COMPLETE, nationality=nationality)
    assert outcome(application, Rule.NATIONALITY, chosen) == reason


def test_a_programme_listing_nationalities_covers_only_those() -> None:
    listed = replace(AVRR, eligible_nationalities=("VN", "UA"))
    assert outcome(COMPLETE, Rule.NATIONALITY, listed) == Reason.NATIONALITY_ELIGIBLE
    other = replace(COMPLETE, nationality="GE", country_of_return="GE")
    assert outcome(other, Rule.NATIONALITY, listed) == Reason.NATIONALITY_NOT_COVERED


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"country_of_return": None}, Reason.RETURN_COUNTRY_UNKNOWN),
        ({"country_of_return": "PL"}, Reason.RETURN_TO_HOST_COUNTRY),
        ({"country_of_return": "GE"}, Reason.RETURN_COUNTRY_NOT_LINKED),
        (
            {"country_of_return": "GE", "residence_rights": ("GE",)},
            Reason.RETURN_COUNTRY_OF_NATIONALITY_OR_RESIDENCE,
        ),
        ({"country_of_return": "GE", "nationality": None}, Reason.RETURN_COUNTRY_LINK_UNKNOWN),
        ({}, Reason.RETURN_COUNTRY_OF_NATIONALITY_OR_RESIDENCE),
    ],
)
def test_country_of_return(changes: dict[str, object], reason: Reason) -> None:
    application = replace(COMPLETE, **changes)  # type: ignore[arg-type]
    assert outcome(application, Rule.COUNTRY_OF_RETURN) == reason


def test_programmes_may_limit_and_free_the_country_of_return() -> None:
    limited = replace(AVRR, return_countries=("VN",))
    assert outcome(COMPLETE, Rule.COUNTRY_OF_RETURN, limited) == Reason.RETURN_COUNTRY_NOT_COVERED
    free = replace(AVRR, return_only_to_nationality_or_residence=False)
    third_country = replace(COMPLETE, country_of_return="GE")
    assert outcome(third_country, Rule.COUNTRY_OF_RETURN, free) == Reason.RETURN_COUNTRY_ACCEPTED


@pytest.mark.parametrize(
    ("status", "chosen", "reason"),
    [
        (None, AVRR, Reason.MIGRATION_STATUS_UNKNOWN),
        ("asylum_rejected", AVRR, Reason.MIGRATION_STATUS_ELIGIBLE),
        ("irregular_stay", VICTIMS, Reason.MIGRATION_STATUS_NOT_ELIGIBLE),
        ("presumed_or_identified_victim", VICTIMS, Reason.MIGRATION_STATUS_ELIGIBLE),
    ],
)
def test_migration_status(status: str | None, chosen: Programme, reason: Reason) -> None:
    assert (
        outcome(replace(COMPLETE, migration_status=status), Rule.MIGRATION_STATUS, chosen) == reason
    )


def test_the_status_is_named_in_the_explanation() -> None:
    result = evaluate(replace(COMPLETE, migration_status="irregular_stay"), VICTIMS)
    (status,) = [item for item in result.rules if item.rule == Rule.MIGRATION_STATUS]
    assert (
        status.explanation.en
        == "The programme does not accept people with this status: irregular stay."
    )
    assert status.explanation.pl.endswith("nielegalny pobyt.")


def test_an_unknown_migration_status_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown migration status 'tourist'"):
        evaluate(replace(COMPLETE, migration_status="tourist"), AVRR)


@pytest.mark.parametrize(
    ("voluntary", "reason"),
    [
        (None, Reason.VOLUNTARINESS_UNCONFIRMED),
        (True, Reason.VOLUNTARY),
        (False, Reason.NOT_VOLUNTARY),
    ],
)
def test_voluntariness(voluntary: bool | None, reason: Reason) -> None:
    assert outcome(replace(COMPLETE, voluntary=voluntary), Rule.VOLUNTARINESS) == reason


WITNESS = PendingObligation("Witness summons, District Court", requires_presence=True)
UNCLEAR = PendingObligation("Labour court claim", requires_presence=None)
NO_PRESENCE = PendingObligation("Civil claim via a lawyer", requires_presence=False)


@pytest.mark.parametrize(
    ("obligations", "reason"),
    [
        (None, Reason.OBLIGATIONS_NOT_CHECKED),
        ((), Reason.NO_OBLIGATION_REQUIRING_PRESENCE),
        ((NO_PRESENCE,), Reason.NO_OBLIGATION_REQUIRING_PRESENCE),
        ((UNCLEAR, WITNESS), Reason.OBLIGATION_REQUIRES_PRESENCE),
        ((UNCLEAR,), Reason.OBLIGATION_PRESENCE_UNCLEAR),
        ((replace(WITNESS, resolved=True),), Reason.NO_OBLIGATION_REQUIRING_PRESENCE),
        ((replace(UNCLEAR, resolved=True),), Reason.NO_OBLIGATION_REQUIRING_PRESENCE),
    ],
)
def test_pending_obligations(
    obligations: tuple[PendingObligation, ...] | None, reason: Reason
) -> None:
    application = replace(COMPLETE, pending_obligations=obligations)
    assert outcome(application, Rule.PENDING_OBLIGATIONS) == reason


def test_the_blocking_obligation_is_named() -> None:
    result = evaluate(replace(COMPLETE, pending_obligations=(WITNESS,)), AVRR)
    (failed,) = result.failed()
    assert "Witness summons, District Court" in failed.explanation.uk
    assert result.verdict == Verdict.NOT_ELIGIBLE


CHILD = replace(COMPLETE, is_minor=True)


@pytest.mark.parametrize(
    ("changes", "reason", "result"),
    [
        ({"is_minor": None}, Reason.AGE_UNKNOWN, Outcome.UNKNOWN),
        ({"is_minor": False}, Reason.ADULT, Outcome.PASSED),
        ({}, Reason.BEST_INTERESTS_PENDING, Outcome.UNKNOWN),
        (
            {"best_interests": BestInterests.RETURN_IN_BEST_INTERESTS},
            Reason.GUARDIAN_CONSENT_PENDING,
            Outcome.UNKNOWN,
        ),
        (
            {
                "best_interests": BestInterests.RETURN_NOT_IN_BEST_INTERESTS,
                "guardian_consent": True,
            },
            Reason.RETURN_NOT_IN_BEST_INTERESTS,
            Outcome.FAILED,
        ),
        ({"guardian_consent": False}, Reason.GUARDIAN_CONSENT_REFUSED, Outcome.FAILED),
        (
            {"best_interests": BestInterests.RETURN_IN_BEST_INTERESTS, "guardian_consent": True},
            Reason.MINOR_SAFEGUARDS_MET,
            Outcome.PASSED,
        ),
    ],
)
def test_minor_safeguards(changes: dict[str, object], reason: Reason, result: Outcome) -> None:
    evaluation = evaluate(replace(CHILD, **changes), AVRR)  # type: ignore[arg-type]
    (found,) = [item for item in evaluation.rules if item.rule == Rule.MINOR_SAFEGUARDS]
    assert (found.reason, found.outcome) == (reason, result)


def test_a_programme_for_adults_refuses_children() -> None:
    adults_only = replace(AVRR, minors_accepted=False)
    assert outcome(CHILD, Rule.MINOR_SAFEGUARDS, adults_only) == Reason.MINORS_NOT_ACCEPTED


def test_a_child_with_every_safeguard_is_eligible() -> None:
    child = replace(
        CHILD, best_interests=BestInterests.RETURN_IN_BEST_INTERESTS, guardian_consent=True
    )
    assert evaluate(child, AVRR).verdict == Verdict.ELIGIBLE


@pytest.mark.parametrize(
    "changes",
    [{"nationality": "ua"}, {"country_of_return": "UKR"}, {"residence_rights": ("U1",)}],
)
def test_countries_must_be_alpha_2(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        ReturnApplication(**changes)  # type: ignore[arg-type]


def test_every_explanation_exists_in_every_language() -> None:
    result = evaluate(ReturnApplication(), AVRR)
    for item in result.rules:
        for language in SUPPORTED_LANGUAGES:
            assert item.explanation.in_language(language)


def test_programme_lookup() -> None:
    assert [item.programme_id for item in programmes()] == [
        "pl_avrr_third_country_nationals",
        "pl_safe_return_victims",
    ]
    assert all(item.provisional and item.sources for item in programmes())
    with pytest.raises(UnknownProgrammeError, match="known: pl_avrr_third_country_nationals"):
        programme("nowhere")


def text() -> dict[str, str]:
    return {"en": "x", "pl": "x", "uk": "x", "ru": "x"}


def programme_data(**changes: object) -> dict[str, object]:
    return {
        "programme_id": "p",
        "name": text(),
        "host_country": "PL",
        "eligible_migration_statuses": ["irregular_stay"],
        "provisional": True,
        "sources": [],
        **changes,
    }


def catalogue_data(**changes: object) -> dict[str, object]:
    return {
        "version": "x",
        "migration_statuses": {"irregular_stay": text()},
        "explanations": {reason.value: text() for reason in Reason},
        "programmes": [programme_data()],
        **changes,
    }


def test_a_valid_catalogue_loads() -> None:
    catalogue = TypeAdapter(Catalogue).validate_python(catalogue_data())
    assert catalogue.programmes[0].host_country == "PL"


def test_a_catalogue_missing_an_explanation_is_refused() -> None:
    with pytest.raises(ValidationError, match="no explanation for: voluntary"):
        TypeAdapter(Catalogue).validate_python(
            catalogue_data(explanations={r.value: text() for r in Reason if r != Reason.VOLUNTARY})
        )


def test_a_programme_with_an_unknown_status_is_refused() -> None:
    data = catalogue_data(programmes=[programme_data(eligible_migration_statuses=["tourist"])])
    with pytest.raises(ValidationError, match="unknown migration statuses: tourist"):
        TypeAdapter(Catalogue).validate_python(data)


def test_a_programme_with_a_bad_country_code_is_refused() -> None:
    data = catalogue_data(programmes=[programme_data(host_country="POL")])
    with pytest.raises(ValidationError, match="host_country"):
        TypeAdapter(Catalogue).validate_python(data)


def test_a_translation_cannot_be_empty() -> None:
    data = catalogue_data(migration_statuses={"irregular_stay": {**text(), "ru": ""}})
    with pytest.raises(ValidationError, match="at least 1 character"):
        TypeAdapter(Catalogue).validate_python(data)
