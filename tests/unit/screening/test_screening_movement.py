"""Smuggling, trafficking, both, neither, or not yet known."""

import pytest
from screening_helpers import answer_all, run

from waypoint.domain.screening import parse_screening_input
from waypoint.domain.screening.movement import (
    classify,
    control_continued,
    fact_reason_codes,
    smuggling_facts,
)

SMUGGLED = {
    "crossed_border": True,
    "entry": "irregular",
    "consented_to_movement": True,
    "paid_for_movement": True,
}


@pytest.mark.parametrize(
    ("trafficking", "smuggling", "classification"),
    [
        (True, True, "smuggled_then_trafficked"),
        (True, False, "trafficking"),
        (False, True, "smuggling"),
        (False, False, "neither"),
        (None, True, "undetermined"),
        (True, None, "undetermined"),
    ],
)
def test_classification(
    trafficking: bool | None, smuggling: bool | None, classification: str
) -> None:
    assert classify(trafficking, smuggling) == classification


def test_smuggling_facts() -> None:
    facts = parse_screening_input({"jurisdiction": "INT", "movement": SMUGGLED}).movement
    assert smuggling_facts(facts).present is True
    regular = parse_screening_input(
        {"jurisdiction": "INT", "movement": {**SMUGGLED, "entry": "regular"}}
    ).movement
    assert smuggling_facts(regular).present is False
    domestic = parse_screening_input(
        {"jurisdiction": "INT", "movement": {"crossed_border": False}}
    ).movement
    assert smuggling_facts(domestic).present is False
    assert smuggling_facts(domestic).open_facts == ()


def test_only_facts_that_could_still_matter_are_open() -> None:
    facts = parse_screening_input(
        {"jurisdiction": "INT", "movement": {"crossed_border": True, "paid_for_movement": True}}
    ).movement
    result = smuggling_facts(facts)
    assert result.present is None
    assert result.open_facts == ("entry", "consented_to_movement")


def test_reasons_name_the_known_facts_in_order() -> None:
    facts = parse_screening_input(
        {
            "jurisdiction": "INT",
            "movement": {
                **SMUGGLED,
                "free_to_leave_after_arrival": False,
                "relationship_ended_on_arrival": False,
            },
        }
    ).movement
    assert fact_reason_codes(facts) == (
        "movement_irregular_entry",
        "movement_consented",
        "movement_paid",
        "movement_not_free_to_leave",
        "movement_relationship_continued",
    )
    assert control_continued(facts)


def test_a_domestic_case_without_trafficking_is_neither() -> None:
    result = run(
        {
            "jurisdiction": "PL",
            "person": {"age_at_recruitment": 30},
            "act": [],
            "movement": {"crossed_border": False},
        }
    )
    assert result["palermo"]["met"] is False
    assert result["movement"]["smuggling_facts"] == "absent"
    assert result["movement"]["classification"] in ("neither", "undetermined")
    assert result["movement"]["reasons"][0]["code"] == "movement_no_border"


def test_control_after_arrival_that_contradicts_the_indicators_is_flagged() -> None:
    result = run(
        {
            "jurisdiction": "EU",
            "person": {"age_at_recruitment": 30},
            "act": [],
            "movement": {**SMUGGLED, "free_to_leave_after_arrival": False},
            "indicators": answer_all("adult_labour", ["exploitative_conditions"], "no"),
        }
    )
    codes = [reason["code"] for reason in result["movement"]["reasons"]]
    assert result["movement"]["classification"] == "smuggling"
    assert "movement_control_conflict" in codes
