import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waypoint.domain.reintegration import (
    Instrument,
    Score,
    TrendFlag,
    TrendFlagKind,
    label,
    load_instrument,
    score,
    trend,
)

INSTRUMENT = load_instrument("instrument_provisional_v1")
BEST = {
    indicator.indicator_id: max(
        (option for option in indicator.answers if option.score is not None),
        key=lambda option: option.score or 0.0,
    ).answer_id
    for indicator in INSTRUMENT.indicators
}
WORST = {
    indicator.indicator_id: min(
        (option for option in indicator.answers if option.score is not None),
        key=lambda option: option.score or 0.0,
    ).answer_id
    for indicator in INSTRUMENT.indicators
}


def test_best_and_worst_answers_span_the_scale() -> None:
    best, worst = score(BEST, INSTRUMENT), score(WORST, INSTRUMENT)
    assert best.composite == 1.0
    assert worst.composite == 0.0
    assert all(dimension.score == 1.0 for dimension in best.dimensions)
    assert best.re_trafficking_risks == ()
    assert worst.re_trafficking_risks == ("debt", "sense_of_safety", "wish_to_migrate_again")
    assert best.instrument_id == INSTRUMENT.instrument_id
    assert best.instrument_version == "1"
    assert best.provisional


def test_dimension_score_is_the_weighted_mean_of_answers() -> None:
    answers = BEST | {"income_sources": "one", "debt": "struggling"}
    result = score(answers, INSTRUMENT)
    assert math.isclose(result.dimension("economic").score or 0, (0.5 + 0.33 + 3) / 5)
    assert result.dimension("social").score == 1.0
    assert math.isclose(result.composite or 0, ((0.5 + 0.33 + 3) / 5 + 2) / 3)


def test_not_applicable_answers_are_left_out() -> None:
    answers = BEST | {
        "children_education": "no_school_age_children",
        "housing": "temporary_housing",
    }
    social = score(answers, INSTRUMENT).dimension("social")
    assert social.not_applicable == ("children_education",)
    assert social.missing == ()
    assert math.isclose(social.score or 0, (0.5 + 3) / 4)


def test_missing_answers_are_reported_and_do_not_count_as_zero() -> None:
    answers = {key: value for key, value in BEST.items() if key not in {"housing", "debt"}}
    result = score(answers, INSTRUMENT)
    assert result.missing == ("debt", "housing")
    assert result.dimension("economic").score == 1.0
    assert result.composite == 1.0


def test_a_dimension_with_too_few_answers_has_no_score_and_no_composite() -> None:
    social = [item.indicator_id for item in INSTRUMENT.indicators if item.dimension == "social"]
    answers = {key: value for key, value in BEST.items() if key not in social[:3]}
    result = score(answers, INSTRUMENT)
    assert result.dimension("social").score is None
    assert result.dimension("social").answered == tuple(social[3:])
    assert result.composite is None


def test_coverage_is_measured_against_applicable_indicators() -> None:
    answers = {
        key: value for key, value in BEST.items() if key not in {"housing", "identity_documents"}
    }
    answers["children_education"] = "no_school_age_children"
    # Two of four applicable indicators answered: 50 % is below the 60 % needed.
    assert score(answers, INSTRUMENT).dimension("social").score is None


def test_a_dimension_with_only_not_applicable_answers_has_no_score() -> None:
    economic_only = {"employment": "not_seeking_work"}
    result = score(economic_only, INSTRUMENT)
    assert result.dimension("economic").score is None
    assert result.not_applicable == ("employment",)


def test_unknown_indicators_and_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="no indicator 'luck'"):
        score({"luck": "good"}, INSTRUMENT)
    with pytest.raises(ValueError, match="no answer 'rich'; known: none, one, two_or_more"):
        score({"income_sources": "rich"}, INSTRUMENT)
    with pytest.raises(ValueError, match="no dimension 'spiritual'"):
        score(BEST, INSTRUMENT).dimension("spiritual")


@pytest.mark.parametrize(
    ("value", "label_id"),
    [
        (0.0, "low"),
        (0.3299, "low"),
        (0.33, "medium"),
        (0.659, "medium"),
        (0.66, "high"),
        (1.0, "high"),
    ],
)
def test_labels(value: float, label_id: str) -> None:
    threshold = label(value, INSTRUMENT)
    assert threshold.label_id == label_id
    assert threshold.label.en.endswith("reintegration sustainability")


@pytest.mark.parametrize("value", [-0.01, 1.01, float("nan")])
def test_label_needs_a_score_in_bounds(value: float) -> None:
    with pytest.raises(ValueError, match="within"):
        label(value, INSTRUMENT)


def test_trend_flags_falls_larger_than_the_configured_drop() -> None:
    first = score(BEST, INSTRUMENT)
    small_fall = score(BEST | {"income_sources": "one"}, INSTRUMENT)  # economic 1.0 -> 0.9
    big_fall = score(BEST | {"income_sources": "none", "food_security": "sometimes"}, INSTRUMENT)
    assert trend([first, small_fall], INSTRUMENT) == ()
    flags = trend([first, small_fall, big_fall], INSTRUMENT)
    assert flags == (
        TrendFlag(
            TrendFlagKind.DIMENSION_FELL,
            2,
            dimension_id="economic",
            previous=small_fall.dimension("economic").score,
            current=big_fall.dimension("economic").score,
        ),
    )


def test_a_fall_of_exactly_the_configured_drop_is_not_flagged() -> None:
    strict = replace(INSTRUMENT, trend=replace(INSTRUMENT.trend, max_drop=0.1))
    first = score(BEST, strict)
    second = score(BEST | {"income_sources": "one"}, strict)
    assert trend([first, second], strict) == ()


def test_trend_flags_a_composite_fall_and_risk_answers() -> None:
    first = score(BEST, INSTRUMENT)
    second = score(WORST, INSTRUMENT)
    flags = trend([first, second], INSTRUMENT)
    kinds = [flag.kind for flag in flags]
    assert kinds.count(TrendFlagKind.DIMENSION_FELL) == 3
    assert TrendFlag(TrendFlagKind.COMPOSITE_FELL, 1, previous=1.0, current=0.0) in flags
    risks = [flag.indicator_id for flag in flags if flag.kind == TrendFlagKind.RE_TRAFFICKING_RISK]
    assert risks == ["debt", "sense_of_safety", "wish_to_migrate_again"]


def test_a_risk_answer_is_flagged_at_the_first_visit_too() -> None:
    visit = score(BEST | {"sense_of_safety": "threatened_by_exploiters"}, INSTRUMENT)
    assert trend([visit], INSTRUMENT) == (
        TrendFlag(TrendFlagKind.RE_TRAFFICKING_RISK, 0, indicator_id="sense_of_safety"),
    )


def test_trend_skips_comparisons_without_a_score() -> None:
    partial = score({"income_sources": "none"}, INSTRUMENT)
    assert trend([score(BEST, INSTRUMENT), partial], INSTRUMENT) == ()
    assert trend([], INSTRUMENT) == ()


def test_trend_refuses_scores_from_another_instrument() -> None:
    other = replace(score(BEST, INSTRUMENT), instrument_version="2")
    with pytest.raises(ValueError, match="different instruments"):
        trend([score(BEST, INSTRUMENT), other], INSTRUMENT)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, str]:
    answers = {}
    for indicator in INSTRUMENT.indicators:
        if draw(st.booleans()) or draw(st.booleans()):
            answers[indicator.indicator_id] = draw(
                st.sampled_from([option.answer_id for option in indicator.answers])
            )
    return answers


weights = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)


@st.composite
def reweighted(draw: st.DrawFn) -> Instrument:
    return replace(
        INSTRUMENT,
        dimensions=tuple(
            replace(dimension, weight=draw(weights)) for dimension in INSTRUMENT.dimensions
        ),
        indicators=tuple(
            replace(indicator, weight=draw(weights)) for indicator in INSTRUMENT.indicators
        ),
    )


def all_values(result: Score) -> list[float | None]:
    return [result.composite, *(dimension.score for dimension in result.dimensions)]


@given(answers=answer_sets(), instrument=reweighted())
def test_scores_stay_within_bounds(answers: dict[str, str], instrument: Instrument) -> None:
    for value in all_values(score(answers, instrument)):
        assert value is None or 0.0 <= value <= 1.0


@given(
    answers=answer_sets(),
    instrument=reweighted(),
    factor=st.floats(min_value=0.01, max_value=1000),
    dimension_factor=st.floats(min_value=0.01, max_value=1000),
)
def test_scaling_all_weights_changes_nothing(
    answers: dict[str, str], instrument: Instrument, factor: float, dimension_factor: float
) -> None:
    scaled = replace(
        instrument,
        dimensions=tuple(
            replace(item, weight=item.weight * dimension_factor) for item in instrument.dimensions
        ),
        indicators=tuple(
            replace(item, weight=item.weight * factor) for item in instrument.indicators
        ),
    )
    for before, after in zip(
        all_values(score(answers, instrument)), all_values(score(answers, scaled)), strict=True
    ):
        assert (before is None) == (after is None)
        if before is not None and after is not None:
            assert math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-12)


@given(answers=answer_sets(), instrument=reweighted(), data=st.data())
def test_a_better_answer_never_lowers_a_score(
    answers: dict[str, str], instrument: Instrument, data: st.DataObject
) -> None:
    indicator = data.draw(st.sampled_from(instrument.indicators))
    scored = sorted(
        (option for option in indicator.answers if option.score is not None),
        key=lambda option: option.score or 0.0,
    )
    lower, higher = data.draw(
        st.tuples(st.integers(0, len(scored) - 1), st.integers(0, len(scored) - 1)).map(sorted)
    )
    worse = score(answers | {indicator.indicator_id: scored[lower].answer_id}, instrument)
    better = score(answers | {indicator.indicator_id: scored[higher].answer_id}, instrument)
    for before, after in zip(all_values(worse), all_values(better), strict=True):
        assert (before is None) == (after is None)
        if before is not None and after is not None:
            assert after >= before - 1e-12
