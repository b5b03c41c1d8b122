"""Palermo element test: act, means, purpose; the child rule and the consent rule."""

import pytest
from screening_helpers import answer_all, dimension_ids_of_role, run

from waypoint.domain.screening import get_catalogue
from waypoint.domain.screening.palermo import (
    act_status,
    consent_irrelevant,
    elements_met,
    means,
    purpose,
    purpose_evident_from_forms,
    purposes_found,
)

MEANS_DIMENSIONS = dimension_ids_of_role("recruitment") + dimension_ids_of_role("destination")
DECEPTION = {"dr_nature_job_location_employer": "yes", "dr_wages_earnings": "yes"}
EXPLOITATION = {"ex_excessive_hours": "yes", "ex_low_or_no_salary": "yes"}


def test_acts_recorded_missing_or_none() -> None:
    assert act_status(None) is None
    assert act_status(()) is False
    assert act_status(("harbouring",)) is True


@pytest.mark.parametrize(
    ("act", "means", "purpose", "child", "met"),
    [
        (True, True, True, False, True),
        (True, False, True, False, False),
        (True, False, True, True, True),
        (False, True, True, False, False),
        (True, True, False, True, False),
    ],
)
def test_elements_met(act: bool, means: bool, purpose: bool, child: bool, met: bool) -> None:
    assert elements_met(act, means, purpose, child=child) is met


def test_consent_is_irrelevant_once_means_are_used_and_always_for_a_child() -> None:
    assert consent_irrelevant(False, True) is True
    assert consent_irrelevant(True, False) is True
    assert consent_irrelevant(False, False) is False
    assert consent_irrelevant(None, False) is None
    assert consent_irrelevant(False, None) is None


def test_some_forms_show_the_purpose_by_themselves() -> None:
    catalogue = get_catalogue()
    assert purpose_evident_from_forms(catalogue, ("organ_removal",))
    assert purpose_evident_from_forms(catalogue, ("labour", "forced_marriage"))
    assert not purpose_evident_from_forms(catalogue, ("labour", "begging"))
    assert purpose(False, True) is True
    assert purpose(False, False) is False
    assert means(False, True) is True


def test_purposes_found_follow_the_data() -> None:
    catalogue = get_catalogue()
    assert purposes_found(catalogue, ("begging", "sexual"), ()) == (
        "sexual_exploitation",
        "forced_labour_or_services",
    )
    assert purposes_found(catalogue, (), {"ex_excessive_hours"}) == ("forced_labour_or_services",)


def test_means_found_name_the_evidence_in_positive_dimensions() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "indicators": DECEPTION | {"cd_debt_bondage": "yes", "cd_violence_on_victim": "yes"},
        }
    )
    assert result["palermo"]["means_found"] == ["force_threat_or_coercion", "fraud_or_deception"]


def test_an_adult_without_means_does_not_meet_the_definition() -> None:
    answers = answer_all("adult_labour", MEANS_DIMENSIONS, "no") | EXPLOITATION
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 25},
            "act": ["recruitment"],
            "indicators": answers,
        }
    )
    palermo = result["palermo"]
    assert (palermo["act"], palermo["means"], palermo["purpose"]) == (
        "present",
        "absent",
        "present",
    )
    assert palermo["met"] is False
    assert palermo["consent_irrelevant"] is False
    assert "Palermo definition: not met: means absent." in [
        e["text"] for e in result["explanation"]
    ]


def test_a_child_meets_the_definition_with_an_act_and_a_purpose() -> None:
    answers = answer_all("child_labour", MEANS_DIMENSIONS, "no") | EXPLOITATION
    result = run(
        {
            "jurisdiction": "PL",
            "person": {"age_at_recruitment": 16},
            "act": ["receipt"],
            "indicators": answers,
        }
    )
    palermo = result["palermo"]
    assert palermo["means"] == "absent"
    assert palermo["means_required"] is False
    assert palermo["met"] is True
    assert palermo["consent_irrelevant"] is True
    assert result["legal"]["minor_rule_applied"] is True
    assert result["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"


def test_organ_removal_shows_the_purpose_without_labour_indicators() -> None:
    result = run(
        {
            "jurisdiction": "EU",
            "person": {"age_at_recruitment": 33},
            "exploitation": ["organ_removal"],
            "act": ["recruitment", "transportation"],
            "indicators": DECEPTION,
        }
    )
    assert result["palermo"]["purpose"] == "present"
    assert result["palermo"]["purposes_found"] == ["organ_removal"]
    assert result["palermo"]["met"] is True
    assert result["palermo"]["means_found"] == ["fraud_or_deception"]


def test_unknown_act_leaves_the_definition_open() -> None:
    result = run(
        {
            "jurisdiction": "EU",
            "person": {"age_at_recruitment": 33},
            "indicators": DECEPTION | EXPLOITATION,
        }
    )
    assert result["palermo"]["act"] == "unknown"
    assert result["palermo"]["met"] is None
    assert result["next_questions"][0]["id"] == "act"
