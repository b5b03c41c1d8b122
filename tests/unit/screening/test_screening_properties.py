"""Properties that must hold for every input."""

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from screening_helpers import (
    ALL_IDS,
    CATALOGUE,
    affecting,
    dimension_ids_of_role,
    run,
    screening_inputs,
    statuses,
)

MEANS_DIMENSIONS = set(dimension_ids_of_role("recruitment") + dimension_ids_of_role("destination"))
adults = st.integers(min_value=18, max_value=120)
children = st.integers(min_value=0, max_value=17)


@settings(max_examples=150, deadline=None)
@given(screening_inputs(), st.data())
def test_a_further_yes_never_takes_a_conclusion_back(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    changeable = [i for i in ALL_IDS if raw["indicators"].get(i, "unknown") != "yes"]
    indicator_id = data.draw(st.sampled_from(changeable))
    before = run(raw)
    after = run({**raw, "indicators": {**raw["indicators"], indicator_id: "yes"}})
    for dimension, status in statuses(before).items():
        if status == "positive":
            assert statuses(after)[dimension] == "positive"
    if before["ilo"]["verdict"] == "trafficked":
        assert after["ilo"]["verdict"] == "trafficked"
    assert (
        after["ilo"]["verdict"] != "not_trafficked" or before["ilo"]["verdict"] == "not_trafficked"
    )
    if before["palermo"]["met"]:
        assert after["palermo"]["met"] is True
    if before["htcds_trafficking_status"] == "PossibleVictimOfTrafficking":
        assert after["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"


@settings(max_examples=100, deadline=None)
@given(screening_inputs(age=adults))
def test_an_adult_with_no_means_never_meets_the_definition(raw: dict[str, Any]) -> None:
    for dimension in MEANS_DIMENSIONS:
        for member in CATALOGUE.indicator_sets["adult_labour"].in_dimension(dimension):
            raw["indicators"][member.id] = "no"
    result = run(raw)
    assert result["palermo"]["means"] == "absent"
    assert result["palermo"]["met"] is False
    assert result["ilo"]["verdict"] == "not_trafficked"


@settings(max_examples=100, deadline=None)
@given(
    screening_inputs(age=children),
    st.lists(st.sampled_from([a.id for a in CATALOGUE.acts]), min_size=1, max_size=5, unique=True),
)
def test_a_child_with_an_act_and_a_purpose_always_meets_it(
    raw: dict[str, Any], acts: list[str]
) -> None:
    raw["act"] = acts
    raw["indicators"] |= {"ex_excessive_hours": "yes", "ex_no_access_education": "yes"}
    result = run(raw)
    assert result["palermo"]["purpose"] == "present"
    assert result["palermo"]["met"] is True
    assert result["ilo"]["verdict"] == "trafficked"
    assert result["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"


@settings(max_examples=200, deadline=None)
@given(screening_inputs())
def test_not_trafficked_never_appears_while_a_question_could_change_it(raw: dict[str, Any]) -> None:
    result = run(raw)
    verdict = result["ilo"]["verdict"]
    assert (verdict == "undetermined") is bool(affecting(result, "ilo"))
    assert (result["palermo"]["met"] is None) is bool(affecting(result, "palermo"))
    assert (result["htcds_trafficking_status"] is None) is bool(affecting(result, "htcds"))
    classification = result["movement"]["classification"]
    assert (classification == "undetermined") is bool(affecting(result, "movement"))
    if result["htcds_trafficking_status"] == "NotAVictimOfTrafficking":
        assert verdict == "not_trafficked"
        assert result["palermo"]["met"] is False


def extreme(raw: dict[str, Any], answer: str, age: int | None) -> dict[str, Any]:
    """Every unanswered indicator, and an unknown act, turned to ``answer``."""
    filled = {**raw, "indicators": dict(raw["indicators"])}
    for indicator_id in ALL_IDS:
        if filled["indicators"].get(indicator_id, "unknown") in ("unknown", "declined"):
            filled["indicators"][indicator_id] = answer
    if "act" not in raw:
        filled["act"] = ["recruitment"] if answer == "yes" else []
    if age is not None:
        filled["person"] = {"age_at_recruitment": age}
    return filled


@settings(max_examples=150, deadline=None)
@given(screening_inputs())
def test_a_certain_conclusion_holds_for_every_way_of_answering_the_rest(
    raw: dict[str, Any],
) -> None:
    """The rules are monotone in the answers, so answering everything "yes" and everything "no"
    bound what any further answers could give."""
    result = run(raw)
    ages = [None] if "person" in raw else [30, 12]
    extremes = [run(extreme(raw, answer, age)) for answer in ("yes", "no") for age in ages]
    for key, value in (
        ("ilo", result["ilo"]["verdict"]),
        ("palermo", result["palermo"]["met"]),
        ("htcds", result["htcds_trafficking_status"]),
    ):
        values = {
            "ilo": [r["ilo"]["verdict"] for r in extremes],
            "palermo": [r["palermo"]["met"] for r in extremes],
            "htcds": [r["htcds_trafficking_status"] for r in extremes],
        }[key]
        if value in (None, "undetermined"):
            assert len(set(values)) > 1, key
        else:
            assert set(values) == {value}, key


@settings(max_examples=60, deadline=None)
@given(screening_inputs(), st.sampled_from(["en", "pl", "uk", "ru"]), st.randoms())
def test_the_result_is_deterministic(
    raw: dict[str, Any], language: str, shuffle: random.Random
) -> None:
    first = run(raw, language)
    assert run(raw, language) == first
    items = list(raw["indicators"].items())
    shuffle.shuffle(items)
    assert run({**raw, "indicators": dict(items)}, language) == first
    assert json.dumps(first, sort_keys=True) == json.dumps(run(raw, language), sort_keys=True)


@settings(max_examples=60, deadline=None)
@given(screening_inputs())
def test_every_conclusion_is_explained(raw: dict[str, Any]) -> None:
    result = run(raw)
    codes = [item["code"] for item in result["explanation"]]
    assert codes[0].startswith("set_")
    assert len([c for c in codes if c.startswith("dimension_")]) == 6
    assert any(c.startswith("ilo_") for c in codes)
    palermo = {"palermo_met", "palermo_not_met", "palermo_undetermined", "palermo_depends_on_age"}
    assert len(palermo & set(codes)) == 1
    assert any(c.startswith("movement_class_") for c in codes)
    assert any(c.startswith("legal_") for c in codes)
    assert any(c.startswith("htcds_") for c in codes)
    assert "not_formal_identification" in codes
    assert all(item["text"] and "{" not in item["text"] for item in result["explanation"])
    if result["ilo"]["verdict"] == "trafficked" and result["ilo"]["rule"] == "adult":
        assert result["ilo"]["recruitment_types"]
