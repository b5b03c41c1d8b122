"""The catalogue is data: complete, faithful to the reference list, versioned and fingerprinted."""

import copy
import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from waypoint.domain.screening import get_catalogue
from waypoint.domain.screening.catalogue import (
    DATA_FILES,
    CatalogueError,
    build_catalogue,
    canonical_sha256,
    load_raw_data,
)
from waypoint.domain.screening.vocabulary import LANGUAGES

REFERENCE_CSV = Path(__file__).resolve().parents[4] / "shared" / "reference" / "ilo-indicators.csv"


def test_the_catalogue_is_loaded_once() -> None:
    assert get_catalogue() is get_catalogue()


def test_four_sets_six_dimensions_in_order() -> None:
    catalogue = get_catalogue()
    assert set(catalogue.indicator_sets) == {
        "adult_labour",
        "child_labour",
        "adult_sexual",
        "child_sexual",
    }
    assert [dimension.id for dimension in catalogue.dimensions] == [
        "deceptive_recruitment",
        "coercive_recruitment",
        "abuse_of_vulnerability_recruitment",
        "exploitative_conditions",
        "coercion_at_destination",
        "abuse_of_vulnerability_destination",
    ]


def test_adult_labour_counts_match_the_official_counts() -> None:
    adult = get_catalogue().indicator_sets["adult_labour"]
    counts = Counter(member.dimension for member in adult.members)
    assert [counts[d.id] for d in get_catalogue().dimensions] == [10, 10, 16, 9, 15, 7]


def test_the_child_set_drops_two_raises_eight_and_has_no_weak_tier() -> None:
    catalogue = get_catalogue()
    adult = {m.id: m.strength for m in catalogue.indicator_sets["adult_labour"].members}
    child = {m.id: m.strength for m in catalogue.indicator_sets["child_labour"].members}
    assert set(adult) - set(child) == {"ex_no_social_protection", "vr_false_info_law_authorities"}
    assert sum(child[i] == "strong" != adult[i] for i in child) == 8
    assert "weak" not in child.values()


def test_sexual_sets_reuse_the_labour_lists_and_are_provisional() -> None:
    sets = get_catalogue().indicator_sets
    for age in ("adult", "child"):
        sexual = sets[f"{age}_sexual"]
        assert sexual.members == sets[f"{age}_labour"].members
        assert sexual.provisional is not None
        assert sexual.provisional.code == "sexual_set_uses_labour_list"
        assert sets[f"{age}_labour"].provisional is None


@pytest.mark.skipif(not REFERENCE_CSV.exists(), reason="the shared reference is not beside main")
def test_ids_dimensions_strengths_and_provenance_follow_the_reference_list() -> None:
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    catalogue = get_catalogue()
    ours = {
        (set_id, member.id): (member.dimension, member.strength, member.provenance)
        for set_id in ("adult_labour", "child_labour")
        for member in catalogue.indicator_sets[set_id].members
    }
    reference = {
        (row["set"], row["id"]): (row["dimension"], row["strength"], row["provenance"])
        for row in rows
    }
    assert ours == reference
    for row in rows:
        assert catalogue.indicators[row["id"]].source_label == row["label_en"]


def test_every_indicator_has_every_wording_in_every_language() -> None:
    for indicator in get_catalogue().indicators.values():
        for text in (indicator.label, indicator.question, indicator.plain):
            assert set(text) == set(LANGUAGES)
            assert all(value.strip() for value in text.values())


def test_questions_in_each_language_are_distinct() -> None:
    """A copy-paste slip would give two indicators the same question."""
    for language in LANGUAGES:
        questions = [i.question[language] for i in get_catalogue().indicators.values()]
        assert len(set(questions)) == len(questions)


def test_secondary_and_unconfirmed_facts_are_marked_provisional() -> None:
    catalogue = get_catalogue()
    assert catalogue.provenance["secondary"] is not None
    assert catalogue.provenance["secondary-strength-disputed"] is not None
    assert catalogue.rules["child_rule"].provenance == "unconfirmed"
    assert {rule.provenance for rule in catalogue.rules.values()} <= {"secondary", "unconfirmed"}


def test_forms_of_exploitation_and_the_instruments_that_recognise_them() -> None:
    forms = get_catalogue().exploitation_forms
    assert list(forms) == [
        "labour",
        "sexual",
        "begging",
        "criminal_activities",
        "forced_marriage",
        "illegal_adoption",
        "surrogacy",
        "organ_removal",
        "servitude",
        "other",
    ]

    def recognising(form: str) -> set[str]:
        return {recognition.instrument for recognition in forms[form].recognised_by}

    for added in ("forced_marriage", "illegal_adoption", "surrogacy"):
        assert recognising(added) == {"eu_directive_2024_1712"}
    assert "pl_criminal_code" in recognising("begging")
    assert "palermo_protocol" not in recognising("begging")
    assert recognising("other") == set()


def test_every_jurisdiction_has_provisions_and_a_note_for_each_unlisted_form() -> None:
    catalogue = get_catalogue()
    assert set(catalogue.jurisdictions) == {"INT", "EU", "PL"}
    pl = catalogue.jurisdictions["PL"]
    assert [p.reference for p in pl.provisions] == [
        "Kodeks karny, art. 115 § 22",
        "Kodeks karny, art. 189a § 1–2",
    ]
    note = pl.unlisted_form_notes["forced_marriage"]["en"]
    assert "other forms of exploitation degrading human dignity" in note
    assert "for a lawyer to assess" in note


def test_the_sha256_is_the_canonical_hash_of_all_data_files() -> None:
    raw = load_raw_data()
    assert set(raw) == set(DATA_FILES)
    assert get_catalogue().sha256 == canonical_sha256(raw)
    assert len(get_catalogue().sha256) == 64


def test_the_hash_ignores_key_order_and_formatting() -> None:
    raw = load_raw_data()
    reordered = {name: json.loads(json.dumps(raw[name], sort_keys=True)) for name in reversed(raw)}
    assert canonical_sha256(reordered) == canonical_sha256(raw)


def test_the_hash_changes_when_any_data_changes() -> None:
    raw = load_raw_data()
    changed = copy.deepcopy(raw)
    catalogue_file = changed["catalogue.json"]
    assert isinstance(catalogue_file, dict)
    catalogue_file["indicators"]["ex_hazardous_work"]["question"]["pl"] += " "
    assert canonical_sha256(changed) != canonical_sha256(raw)
    assert build_catalogue(changed).sha256 != get_catalogue().sha256


def test_a_missing_translation_is_refused() -> None:
    raw = copy.deepcopy(load_raw_data())
    catalogue_file = raw["catalogue.json"]
    assert isinstance(catalogue_file, dict)
    del catalogue_file["indicators"]["ex_hazardous_work"]["plain"]["uk"]
    with pytest.raises(CatalogueError, match="missing language"):
        build_catalogue(raw)


def test_evidence_for_an_unknown_indicator_is_refused() -> None:
    raw = copy.deepcopy(load_raw_data())
    palermo = raw["palermo.json"]
    assert isinstance(palermo, dict)
    palermo["means"][0]["evidenced_by"].append("ex_not_an_indicator")
    with pytest.raises(CatalogueError, match="ex_not_an_indicator"):
        build_catalogue(raw)


def test_an_unlisted_form_without_a_note_is_refused() -> None:
    raw = copy.deepcopy(load_raw_data())
    legal = raw["legal.json"]
    assert isinstance(legal, dict)
    del legal["jurisdictions"][2]["unlisted_form_notes"]["forced_marriage"]
    with pytest.raises(CatalogueError, match="no note for unlisted form forced_marriage"):
        build_catalogue(raw)


def test_indicators_by_dimension_for_the_guided_interview() -> None:
    grouped = get_catalogue().indicators_by_dimension("child_labour")
    assert next(dimension.id for dimension, _ in grouped) == "deceptive_recruitment"
    assert sum(len(members) for _, members in grouped) == 65
    exploitative = {d.id: m for d, m in grouped}["exploitative_conditions"]
    assert next(m.id for m in exploitative) == "ex_excessive_hours"


def test_interview_questions_exist_in_every_language() -> None:
    catalogue = get_catalogue()
    assert [q.id for q in catalogue.movement_questions] == [
        "crossed_border",
        "entry",
        "consented_to_movement",
        "paid_for_movement",
        "free_to_leave_after_arrival",
        "relationship_ended_on_arrival",
    ]
    for question in (*catalogue.movement_questions, catalogue.act_question):
        assert set(question.question) == set(question.plain) == set(LANGUAGES)
    assert [act.id for act in catalogue.acts] == [
        "recruitment",
        "transportation",
        "transfer",
        "harbouring",
        "receipt",
    ]
