"""Per-jurisdiction conclusion: which provision, and whether the form of exploitation is listed."""

from typing import Any

import pytest
from screening_helpers import run

from waypoint.domain.screening import get_catalogue
from waypoint.domain.screening.legal import conclusion, form_coverage, form_listed

MET = {
    "person": {"age_at_recruitment": 24},
    "act": ["recruitment"],
    "indicators": {
        "cr_threat_violence": "yes",
        "cr_violence_on_family": "yes",
        "cr_isolation_confinement_surveillance": "yes",
        "cd_violence_on_victim": "yes",
        "cd_isolation_confinement_surveillance": "yes",
        "ex_excessive_hours": "yes",
        "ex_bad_living_conditions": "yes",
    },
}


def legal_of(jurisdiction: str, forms: list[str], **extra: Any) -> dict[str, Any]:
    result = run({"jurisdiction": jurisdiction, "exploitation": forms, **MET, **extra})
    return dict(result["legal"])


@pytest.mark.parametrize(
    ("jurisdiction", "listed"),
    [("EU", True), ("INT", False), ("PL", False)],
)
def test_forced_marriage_is_listed_only_in_eu_law(jurisdiction: str, listed: bool) -> None:
    legal = legal_of(jurisdiction, ["forced_marriage"])
    form = legal["forms"][0]
    assert form["form"] == "forced_marriage"
    assert form["listed"] is listed
    if listed:
        assert legal["conclusion"] == "definition_met"
        assert form["wording"] == "the exploitation of forced marriage"
    else:
        assert legal["conclusion"] == "needs_legal_assessment"
        assert "for a lawyer to assess" in form["note"]


def test_forced_marriage_in_poland_may_fall_under_other_degrading_exploitation() -> None:
    note = legal_of("PL", ["forced_marriage"])["forms"][0]["note"]
    assert "other forms of exploitation degrading human dignity" in note
    assert "slavery/servitude" in note


def test_begging_is_explicit_in_polish_law_but_not_in_the_protocol() -> None:
    assert legal_of("PL", ["begging"])["forms"][0]["wording"] == "begging"
    international = legal_of("INT", ["begging"])
    assert international["forms"][0]["listed"] is False
    assert "forced labour or services" in international["forms"][0]["note"]


def test_one_listed_form_is_enough() -> None:
    legal = legal_of("PL", ["forced_marriage", "sexual"])
    assert legal["form_listed"] is True
    assert legal["conclusion"] == "definition_met"


def test_no_form_recorded_is_said_plainly() -> None:
    legal = legal_of("INT", [])
    assert legal["form_listed"] is None
    assert legal["conclusion"] == "definition_met"
    assert legal["notes"][0]["code"] == "legal_definition_met_form_unrecorded"


def test_polish_provisions_and_means_references() -> None:
    legal = legal_of("PL", ["labour"])
    assert [p["reference"] for p in legal["provisions"]] == [
        "Kodeks karny, art. 115 § 22",
        "Kodeks karny, art. 189a § 1–2",
    ]
    assert legal["means"] == [
        {"means": "force_threat_or_coercion", "reference": "art. 115 § 22 pkt 1"}
    ]
    codes = [note["code"] for note in legal["notes"]]
    assert "pl_duty_to_report" in codes
    assert "pl_certificate" in codes


def test_conclusions() -> None:
    assert conclusion(None, True) == "undetermined"
    assert conclusion(False, True) == "definition_not_met"
    assert conclusion(True, False) == "needs_legal_assessment"
    assert conclusion(True, None) == "definition_met"


def test_form_coverage_uses_the_jurisdictions_instruments() -> None:
    catalogue = get_catalogue()
    eu = catalogue.jurisdictions["EU"]
    coverage = form_coverage(catalogue, eu, ("criminal_activities", "other"))
    assert coverage[0].recognition is not None
    assert coverage[0].recognition.to_check
    assert coverage[1].recognition is None
    assert form_listed(coverage) is True
    assert form_listed(()) is None


def test_facts_to_check_make_the_result_provisional() -> None:
    result = run({"jurisdiction": "EU", "exploitation": ["begging"], **MET})
    reasons = [
        r["text"] for r in result["provisional_reasons"] if r["code"] == "legal_fact_to_check"
    ]
    assert any(
        reason.startswith("Forced begging: forced labour or services, including begging")
        for reason in reasons
    )
    assert any(reason.startswith("Directive 2011/36/EU, Art. 2(4)–(5)") for reason in reasons)
