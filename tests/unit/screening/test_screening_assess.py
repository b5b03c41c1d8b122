"""The assessment as a whole: set choice, HTCDS suggestion, explanation, languages, views."""

import pytest
from pydantic import TypeAdapter
from screening_helpers import answer_all, run

from waypoint.domain.screening import (
    RULESET_VERSION,
    Assessment,
    assess,
    get_catalogue,
    parse_screening_input,
)

DECEIVED_AND_EXPLOITED = {
    "dr_nature_job_location_employer": "yes",
    "dr_wages_earnings": "yes",
    "ex_excessive_hours": "yes",
    "ex_low_or_no_salary": "yes",
    "cd_confiscation_documents": "yes",
    "cd_debt_bondage": "yes",
}


def codes(result: dict[str, object] | object) -> list[str]:
    assert isinstance(result, dict)
    return [item["code"] for item in result["explanation"]]


@pytest.mark.parametrize(
    ("age", "forms", "indicator_set", "child"),
    [
        (30, ["labour"], "adult_labour", False),
        (17, ["labour"], "child_labour", True),
        (18, ["begging"], "adult_labour", False),
        (30, ["sexual", "labour"], "adult_sexual", False),
        (12, ["sexual"], "child_sexual", True),
    ],
)
def test_the_indicator_set_follows_age_and_exploitation(
    age: int, forms: list[str], indicator_set: str, child: bool
) -> None:
    result = run(
        {"jurisdiction": "INT", "person": {"age_at_recruitment": age}, "exploitation": forms}
    )
    assert result["indicator_set"] == indicator_set
    assert result["indicator_sets_considered"] == [indicator_set]
    assert result["child"] is child


def test_an_unknown_age_applies_both_sets() -> None:
    result = run({"jurisdiction": "INT", "exploitation": ["sexual"]})
    assert result["indicator_set"] is None
    assert result["indicator_sets_considered"] == ["adult_sexual", "child_sexual"]
    assert result["child"] is None
    assert result["ilo"]["rule"] == "adult_and_child"
    assert result["palermo"]["means_required"] is None
    assert result["next_questions"][0]["id"] == "person.age_at_recruitment"


def test_an_unknown_age_does_not_matter_when_both_rules_agree() -> None:
    answers = answer_all("adult_labour", ["exploitative_conditions"], "no")
    result = run({"jurisdiction": "INT", "act": ["recruitment"], "indicators": answers})
    assert result["ilo"]["verdict"] == "not_trafficked"
    assert result["palermo"]["met"] is False
    assert "person.age_at_recruitment" not in [q["id"] for q in result["next_questions"]]
    assert "ilo_agreed_across_ages" in codes(result)


def test_an_unknown_age_decides_when_only_the_child_rule_is_met() -> None:
    answers = DECEIVED_AND_EXPLOITED | answer_all(
        "adult_labour", ["coercion_at_destination", "abuse_of_vulnerability_destination"], "no"
    )
    result = run({"jurisdiction": "INT", "act": ["recruitment"], "indicators": answers})
    assert result["ilo"]["verdict"] == "undetermined"
    assert "ilo_depends_on_age" in codes(result)
    assert result["next_questions"][0]["id"] == "person.age_at_recruitment"
    assert result["next_questions"][0]["affects"] == ["ilo"]
    assert result["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"


def test_htcds_status_is_possible_when_either_test_is_positive() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "act": ["recruitment"],
            "indicators": DECEIVED_AND_EXPLOITED,
        }
    )
    assert result["ilo"]["verdict"] == "trafficked"
    assert result["palermo"]["met"] is True
    assert result["htcds_trafficking_status"] == "PossibleVictimOfTrafficking"
    assert "htcds_possible" in codes(result)


def test_htcds_status_is_not_a_victim_only_when_both_tests_are_certainly_negative() -> None:
    answers = answer_all("adult_labour", ["exploitative_conditions"], "no")
    undecided_palermo = run(
        {"jurisdiction": "INT", "person": {"age_at_recruitment": 30}, "indicators": answers}
    )
    assert undecided_palermo["ilo"]["verdict"] == "not_trafficked"
    assert undecided_palermo["palermo"]["met"] is False
    assert undecided_palermo["htcds_trafficking_status"] == "NotAVictimOfTrafficking"
    open_palermo = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "exploitation": ["organ_removal"],
            "indicators": answers,
        }
    )
    assert open_palermo["palermo"]["met"] is None
    assert open_palermo["htcds_trafficking_status"] is None
    assert "htcds_none" in codes(open_palermo)


def test_the_result_never_claims_formal_identification() -> None:
    for language in ("en", "pl", "uk", "ru"):
        result = run({"jurisdiction": "PL"}, language)
        assert "not_formal_identification" in codes(result)
    english = run({"jurisdiction": "PL"})
    texts = {item["code"]: item["text"] for item in english["explanation"]}
    assert "not a formal identification" in texts["not_formal_identification"]


def test_texts_come_in_the_requested_language() -> None:
    raw = {
        "jurisdiction": "PL",
        "person": {"age_at_recruitment": 30},
        "indicators": DECEIVED_AND_EXPLOITED,
    }
    english, polish = run(raw, "en"), run(raw, "pl")
    assert codes(english) == codes(polish)
    assert english["explanation"][0]["text"] != polish["explanation"][0]["text"]
    assert polish["dimensions"][0]["label"] == "Rekrutacja przez oszustwo"
    ukrainian = run(raw, "uk")
    assert ukrainian["dimensions"][3]["label"] == "Експлуататорські умови"
    assert run(raw, "ru")["dimensions"][4]["label"] == "Принуждение в месте назначения"


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        assess(parse_screening_input({"jurisdiction": "PL"}), language="de")


def test_every_result_records_the_ruleset() -> None:
    result = run({"jurisdiction": "EU"})
    catalogue = get_catalogue()
    assert result["ruleset"] == {
        "version": RULESET_VERSION,
        "catalogue_version": catalogue.version,
        "catalogue_sha256": catalogue.sha256,
    }


def test_a_sexual_exploitation_result_says_it_used_the_labour_list() -> None:
    result = run(
        {"jurisdiction": "EU", "person": {"age_at_recruitment": 20}, "exploitation": ["sexual"]}
    )
    assert result["provisional"] is True
    assert "sexual_set_uses_labour_list" in [r["code"] for r in result["provisional_reasons"]]


def test_every_result_is_provisional_while_the_list_is_secondary() -> None:
    result = run({"jurisdiction": "INT", "person": {"age_at_recruitment": 40}})
    reasons = [r["code"] for r in result["provisional_reasons"]]
    assert result["provisional"] is True
    assert reasons[:3] == [
        "indicator_list_secondary",
        "dimension_rule_secondary",
        "combination_rule_secondary",
    ]


def test_a_disputed_strength_is_flagged_only_when_it_was_answered_yes() -> None:
    adult = {"jurisdiction": "INT", "person": {"age_at_recruitment": 40}}
    quiet = run({**adult, "indicators": {"vr_difficulties_in_past": "no"}})
    flagged = run({**adult, "indicators": {"vr_difficulties_in_past": "yes"}})
    assert "indicator_strength_disputed" not in [r["code"] for r in quiet["provisional_reasons"]]
    assert "indicator_strength_disputed" in [r["code"] for r in flagged["provisional_reasons"]]


def test_answers_outside_the_set_are_reported_not_used() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 12},
            "indicators": {"ex_no_social_protection": "yes"},
        }
    )
    assert codes(result)[1] == "answers_outside_set"
    assert "ex_no_social_protection" not in result["dimensions"][3]["contributing"]


def test_positive_dimensions_name_their_indicators_and_the_rule_met() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "indicators": DECEIVED_AND_EXPLOITED,
        }
    )
    coercion = result["dimensions"][4]
    assert coercion["status"] == "positive"
    assert coercion["rule_met"] == "two_strong"
    assert coercion["contributing"] == ["cd_confiscation_documents", "cd_debt_bondage"]
    assert "cd_violence_on_victim" in coercion["unanswered"]
    texts = [item["text"] for item in result["explanation"]]
    assert (
        "Coercion at destination: positive (at least 2 strong indicators): Confiscation of "
        "documents (at destination); Debt bondage (at destination)."
    ) in texts


def test_the_typed_views_match_the_json_form() -> None:
    assessment = assess(
        parse_screening_input(
            {
                "jurisdiction": "PL",
                "person": {"age_at_recruitment": 30},
                "exploitation": ["forced_marriage"],
                "act": ["recruitment"],
                "indicators": DECEIVED_AND_EXPLOITED,
            }
        ),
        language="uk",
    )
    data = assessment.to_dict()
    assert assessment.language == data["language"]
    assert assessment.jurisdiction == "PL"
    assert assessment.indicator_set == data["indicator_set"]
    assert list(assessment.indicator_sets_considered) == data["indicator_sets_considered"]
    assert assessment.age_at_recruitment == 30
    assert assessment.child is False
    assert list(assessment.exploitation) == data["exploitation"]
    assert [d.status for d in assessment.dimensions] == [d["status"] for d in data["dimensions"]]
    assert assessment.ilo.verdict == data["ilo"]["verdict"]
    assert assessment.palermo.met is data["palermo"]["met"]
    assert assessment.movement.classification == data["movement"]["classification"]
    assert assessment.legal.conclusion == data["legal"]["conclusion"]
    assert [f.note for f in assessment.legal.forms] == [f["note"] for f in data["legal"]["forms"]]
    assert [p.reference for p in assessment.legal.provisions] == [
        p["reference"] for p in data["legal"]["provisions"]
    ]
    assert [m.means for m in assessment.legal.means] == [m["means"] for m in data["legal"]["means"]]
    assert assessment.htcds_trafficking_status == data["htcds_trafficking_status"]
    assert [q.id for q in assessment.next_questions] == [q["id"] for q in data["next_questions"]]
    assert [e.text for e in assessment.explanation] == [e["text"] for e in data["explanation"]]
    assert assessment.provisional is data["provisional"]
    assert [r.code for r in assessment.provisional_reasons] == [
        r["code"] for r in data["provisional_reasons"]
    ]
    assert assessment.ruleset.version == RULESET_VERSION
    assert [r.code for r in assessment.movement.reasons] == [
        r["code"] for r in data["movement"]["reasons"]
    ]


def test_to_dict_gives_a_new_dict_each_time() -> None:
    assessment = assess(parse_screening_input({"jurisdiction": "EU"}))
    first = assessment.to_dict()
    first["explanation"].clear()
    assert assessment.to_dict()["explanation"]
    assert assessment.explanation


def test_pydantic_code_takes_an_assessment_as_its_json_form() -> None:
    assessment = assess(parse_screening_input({"jurisdiction": "EU"}))
    adapter = TypeAdapter(Assessment)
    assert adapter.validate_python(assessment) is assessment
    assert adapter.dump_python(assessment) == assessment.to_dict()
    schema = adapter.json_schema(mode="serialization")
    assert schema["title"] == "AssessmentDict"
    assert "dimensions" in schema["properties"]
