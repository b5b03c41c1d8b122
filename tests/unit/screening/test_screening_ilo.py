"""ILO/EC rules: the dimension rule with three-valued honesty, the adult and child verdicts."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from screening_helpers import answer_all, ids_of, run, statuses

from waypoint.domain.screening.ilo import (
    child_rule,
    combination_rule,
    evaluate_dimension,
    evaluate_packed,
    rule_clause,
    tier_weight,
)

STRONG, MEDIUM, WEAK = 1, 2, 4  # bits of DimensionOutcome.relevant_tiers / decisive_tiers


@pytest.mark.parametrize(
    ("strong", "medium", "weak", "clause"),
    [
        (2, 0, 0, "two_strong"),
        (1, 1, 0, "strong_and_other"),
        (1, 0, 1, "strong_and_other"),
        (0, 3, 0, "three_medium"),
        (0, 2, 1, "two_medium_one_weak"),
        (1, 0, 0, None),
        (0, 2, 0, None),
        (0, 1, 3, None),
        (0, 0, 3, None),
        (0, 0, 0, None),
    ],
)
def test_the_dimension_rule(strong: int, medium: int, weak: int, clause: str | None) -> None:
    assert rule_clause(strong, medium, weak) == clause


def test_positive_when_the_yes_answers_already_meet_the_rule() -> None:
    outcome = evaluate_dimension((1, 1, 0), (5, 5, 5))
    assert outcome.status is True
    assert outcome.clause == "strong_and_other"
    assert outcome.relevant_tiers == 0


def test_negative_only_when_every_unanswered_yes_could_not_meet_the_rule() -> None:
    assert evaluate_dimension((0, 1, 0), (0, 0, 3)).status is False
    assert evaluate_dimension((0, 0, 0), (0, 2, 0)).status is False
    assert evaluate_dimension((0, 1, 0), (0, 1, 0)).status is False
    assert evaluate_dimension((0, 1, 0), (0, 2, 0)).status is None


def test_undetermined_names_the_strengths_that_could_still_flip_it() -> None:
    outcome = evaluate_dimension((0, 1, 0), (1, 1, 1))
    assert outcome.status is None
    assert outcome.relevant_tiers == STRONG | MEDIUM | WEAK
    # One more strong, or one more medium and a weak, would be needed; none suffices alone
    # except the strong (1 strong + 1 medium).
    assert outcome.decisive_tiers == STRONG


def test_a_second_weak_indicator_can_never_matter() -> None:
    outcome = evaluate_dimension((0, 0, 1), (1, 0, 1))
    assert outcome.status is None
    assert outcome.relevant_tiers == STRONG
    assert outcome.decisive_tiers == STRONG


@given(
    st.tuples(*[st.integers(0, 5)] * 3),
    st.tuples(*[st.integers(0, 5)] * 3),
)
def test_the_three_values_match_brute_force(
    yes: tuple[int, int, int], open_: tuple[int, int, int]
) -> None:
    completions = [
        rule_clause(yes[0] + s, yes[1] + m, yes[2] + w) is not None
        for s, m, w in itertools.product(*(range(n + 1) for n in open_))
    ]
    outcome = evaluate_dimension(yes, open_)
    expected = True if all(completions) else (False if not any(completions) else None)
    assert outcome.status is expected
    for tier in range(3):
        if not open_[tier]:
            assert not outcome.relevant_tiers >> tier & 1
            continue
        others = list(open_)
        others[tier] -= 1
        flips = any(
            rule_clause(yes[0] + s, yes[1] + m, yes[2] + w) is None
            and rule_clause(
                yes[0] + s + (tier == 0), yes[1] + m + (tier == 1), yes[2] + w + (tier == 2)
            )
            is not None
            for s, m, w in itertools.product(*(range(n + 1) for n in others))
        )
        assert bool(outcome.relevant_tiers >> tier & 1) is flips


def test_packed_counts_give_the_same_outcome() -> None:
    yes = 1 * tier_weight(0) + 2 * tier_weight(1)
    unanswered = 3 * tier_weight(1) + 1 * tier_weight(2)
    assert evaluate_packed(yes, unanswered) == evaluate_dimension((1, 2, 0), (0, 3, 1))


@pytest.mark.parametrize(
    ("recruitment", "exploitation", "destination", "verdict"),
    [
        (True, True, True, True),
        (True, True, False, False),
        (False, True, True, False),
        (True, False, True, False),
    ],
)
def test_the_adult_combination_rule(
    recruitment: bool, exploitation: bool, destination: bool, verdict: bool
) -> None:
    assert combination_rule(recruitment, exploitation, destination) is verdict


def test_the_child_rule_needs_no_means() -> None:
    assert child_rule(True, True) is True
    assert child_rule(True, False) is False
    assert child_rule(False, True) is False


def test_an_adult_case_names_the_recruitment_types_found() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "indicators": {
                "dr_nature_job_location_employer": "yes",
                "dr_wages_earnings": "yes",
                "vr_illegal_status": "yes",
                "vr_economic_reasons": "yes",
                "vr_lack_information": "yes",
                "ex_excessive_hours": "yes",
                "ex_low_or_no_salary": "yes",
                "vd_dependency_on_exploiters": "yes",
                "vd_unknown_area": "yes",
                "vd_economic_reasons": "yes",
            },
        }
    )
    assert result["ilo"] == {
        "verdict": "trafficked",
        "rule": "adult",
        "recruitment_types": ["deception", "abuse_of_vulnerability"],
    }
    assert "recruitment through deception, abuse of vulnerability" in " ".join(
        item["text"] for item in result["explanation"]
    )


def test_an_adult_without_exploitative_conditions_is_not_trafficked_by_the_ilo_rule() -> None:
    answers = answer_all("adult_labour", ["exploitative_conditions"], "no")
    answers |= {"cd_debt_bondage": "yes", "cd_violence_on_victim": "yes"}
    result = run(
        {"jurisdiction": "INT", "person": {"age_at_recruitment": 40}, "indicators": answers}
    )
    assert statuses(result)["exploitative_conditions"] == "negative"
    assert result["ilo"]["verdict"] == "not_trafficked"


def test_the_child_set_raises_strengths() -> None:
    answers = {"cd_threat_violence": "yes", "cd_under_strong_influence": "yes"}
    adult = run(
        {"jurisdiction": "INT", "person": {"age_at_recruitment": 20}, "indicators": answers}
    )
    child = run(
        {"jurisdiction": "INT", "person": {"age_at_recruitment": 15}, "indicators": answers}
    )
    assert statuses(adult)["coercion_at_destination"] == "undetermined"
    assert statuses(child)["coercion_at_destination"] == "positive"
    assert "ex_no_social_protection" in ids_of("adult_labour", "exploitative_conditions")
