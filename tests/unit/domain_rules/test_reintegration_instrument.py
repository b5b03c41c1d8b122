import copy
import json
from pathlib import Path
from typing import Any

import pytest

from waypoint.domain.reintegration import (
    InstrumentError,
    load_instrument,
    packaged_instruments,
    parse_instrument,
)
from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES

NAME = "instrument_provisional_v1"
PACKAGED = (
    Path(__file__).parents[3] / "waypoint" / "domain" / "reintegration" / "data" / f"{NAME}.json"
)


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PACKAGED.read_text("utf-8"))
    return copy.deepcopy(data)


def problems_of(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(InstrumentError) as raised:
        parse_instrument(data)
    return raised.value.problems


def test_the_packaged_instrument_is_provisional_and_complete() -> None:
    instrument = load_instrument(NAME)
    assert packaged_instruments() == (NAME,)
    assert instrument.provisional
    assert instrument.sources
    assert len(instrument.indicators) == 15
    assert [dimension.dimension_id for dimension in instrument.dimensions] == [
        "economic",
        "social",
        "psychosocial",
    ]
    for dimension in instrument.dimensions:
        assert sum(item.dimension == dimension.dimension_id for item in instrument.indicators) == 5
    for indicator in instrument.indicators:
        for language in SUPPORTED_LANGUAGES:
            assert indicator.question.in_language(language)
            for option in indicator.answers:
                assert option.label.in_language(language)
    assert [threshold.label_id for threshold in instrument.thresholds] == ["low", "medium", "high"]


def test_re_trafficking_risk_answers_are_marked() -> None:
    instrument = load_instrument(NAME)
    marked = {
        (indicator.indicator_id, option.answer_id)
        for indicator in instrument.indicators
        for option in indicator.answers
        if option.re_trafficking_risk
    }
    assert marked == {
        ("debt", "unpayable_or_owed_to_recruiter"),
        ("sense_of_safety", "threatened_by_exploiters"),
        ("wish_to_migrate_again", "yes_at_any_cost"),
    }


def test_load_by_name_is_cached() -> None:
    assert load_instrument(NAME) is load_instrument(NAME)


def test_load_from_a_path(tmp_path: Path) -> None:
    data = raw()
    data["version"] = "2"
    target = tmp_path / "official.json"
    target.write_text(json.dumps(data), "utf-8")
    assert load_instrument(target).version == "2"
    assert load_instrument(str(target)).version == "2"


def test_unknown_packaged_name() -> None:
    with pytest.raises(InstrumentError, match="no packaged instrument 'rss_official'; known: "):
        load_instrument("rss_official")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "cannot read"), ("[1, 2]", "must be a JSON object")],
)
def test_unreadable_files(tmp_path: Path, content: str | None, message: str) -> None:
    target = tmp_path / "instrument.json"
    if content is not None:
        target.write_text(content, "utf-8")
    with pytest.raises(InstrumentError, match=message):
        load_instrument(target)


def test_structural_errors_name_the_place() -> None:
    data = raw()
    del data["indicators"][0]["question"]["uk"]
    data["dimensions"][1]["weight"] = "heavy"
    problems = problems_of(data)
    assert "indicators.0.question.uk: Field required" in problems
    assert any(problem.startswith("dimensions.1.weight:") for problem in problems)


def test_every_problem_is_listed_at_once() -> None:
    data = raw()
    data["dimensions"][0]["weight"] = 0
    data["indicators"][0]["weight"] = -1
    data["indicators"][1]["answers"][0]["score"] = 1.5
    data["indicators"][2]["dimension"] = "spiritual"
    data["thresholds"][2]["min_score"] = 0.2
    problems = problems_of(data)
    assert problems == (
        "dimension 'economic': weight must be a finite number above 0, not 0.0",
        "indicator 'income_sources': weight must be a finite number above 0, not -1.0",
        "indicator 'debt' answer 'no_debt': score must be within [0, 1], not 1.5",
        "indicator 'food_security': dimension 'spiritual' is not defined",
        "thresholds: 'high' (0.2) must start above 'medium' (0.33); "
        "list them from lowest to highest",
    )
    with pytest.raises(InstrumentError, match=r"Invalid reintegration instrument:\n- dimension"):
        parse_instrument(data)


@pytest.mark.parametrize("weight", [float("nan"), float("inf")])
def test_weights_must_be_finite(weight: float) -> None:
    data = raw()
    data["indicators"][3]["weight"] = weight
    assert problems_of(data) == (
        f"indicator 'employment': weight must be a finite number above 0, not {weight}",
    )


def test_scores_must_be_within_bounds() -> None:
    data = raw()
    data["indicators"][0]["answers"][0]["score"] = -0.1
    assert problems_of(data) == (
        "indicator 'income_sources' answer 'none': score must be within [0, 1], not -0.1",
    )


def test_an_indicator_needs_two_scored_answers() -> None:
    data = raw()
    data["indicators"][0]["answers"] = data["indicators"][0]["answers"][:1]
    assert problems_of(data) == (
        "indicator 'income_sources': needs at least two answers with a score",
    )


def test_a_dimension_needs_an_indicator() -> None:
    data = raw()
    data["dimensions"].append({**data["dimensions"][0], "dimension_id": "spiritual"})
    assert problems_of(data) == ("dimension 'spiritual': has no indicator",)


def test_ids_must_be_unique() -> None:
    data = raw()
    data["dimensions"].append(data["dimensions"][0])
    data["indicators"].append(data["indicators"][0])
    data["indicators"][1]["answers"].append(data["indicators"][1]["answers"][0])
    data["thresholds"].append({**data["thresholds"][2], "min_score": 0.9})
    assert problems_of(data) == (
        "dimension id 'economic' is used more than once",
        "indicator id 'income_sources' is used more than once",
        "threshold id 'high' is used more than once",
        "indicator 'debt': answer id 'no_debt' is used more than once",
    )


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        ([], ("thresholds: at least one is needed",)),
        (
            [{"label_id": "low", "min_score": 0.1}],
            ("thresholds: the first must start at 0, not 0.1, so that every score gets a label",),
        ),
        (
            [{"label_id": "low", "min_score": 0}, {"label_id": "high", "min_score": 1.5}],
            ("thresholds: 'high' starts at 1.5, outside [0, 1]",),
        ),
    ],
)
def test_thresholds(thresholds: list[dict[str, Any]], expected: tuple[str, ...]) -> None:
    data = raw()
    label = data["thresholds"][0]["label"]
    data["thresholds"] = [{**threshold, "label": label} for threshold in thresholds]
    assert problems_of(data) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("min_answered_weight_share", 0, "min_answered_weight_share must be above 0"),
        ("min_answered_weight_share", 1.2, "min_answered_weight_share must be above 0"),
        ("trend", {"max_drop": 0}, "trend.max_drop must be above 0 and at most 1, not 0.0"),
    ],
)
def test_settings_ranges(key: str, value: object, expected: str) -> None:
    data = raw()
    data[key] = value
    (problem,) = problems_of(data)
    assert problem.startswith(expected)
