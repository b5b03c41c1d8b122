"""Next questions: exactly the unanswered items that could change an outcome, decisive first."""

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from screening_helpers import CATALOGUE, answer_all, question_ids, run

from waypoint.domain.screening.next_questions import OutcomeModel

OUTCOMES = ("ilo", "palermo", "htcds", "movement")
ADULT_ORDER_CASE: dict[str, Any] = {
    "jurisdiction": "INT",
    "person": {"age_at_recruitment": 30},
    "indicators": {
        **answer_all(
            "adult_labour",
            ["coercive_recruitment", "abuse_of_vulnerability_recruitment"],
            "no",
        ),
        **answer_all("adult_labour", ["abuse_of_vulnerability_destination"], "no"),
        "dr_wages_earnings": "yes",
        "ex_excessive_hours": "yes",
        "ex_low_or_no_salary": "yes",
        "cd_withholding_wages": "yes",
        "cd_forced_to_lie": "declined",
    },
}


def test_the_decisiveness_order() -> None:
    result = run(ADULT_ORDER_CASE)
    ids = question_ids(result)
    # The act settles an element on its own.
    assert ids[0] == "act"
    # A "yes" to any of these alone makes its dimension positive (1 strong + 1 medium), strong
    # indicators first, dimensions in catalogue order.
    assert ids[1:6] == [
        "dr_nature_job_location_employer",
        "cd_confiscation_documents",
        "cd_debt_bondage",
        "cd_isolation_confinement_surveillance",
        "cd_violence_on_victim",
    ]
    # Then the others, medium before weak.
    assert ids[6] == "dr_conditions_of_work"
    assert ids.index("dr_education_opportunities") > ids.index("cd_threat_violence")
    # Then the movement facts, and last the question the person declined.
    movement = [i for i in ids if i.startswith("movement.")]
    assert movement == [
        "movement.crossed_border",
        "movement.entry",
        "movement.consented_to_movement",
        "movement.paid_for_movement",
    ]
    assert ids.index(movement[-1]) == len(ids) - 2
    assert ids[-1] == "cd_forced_to_lie"
    assert result["next_questions"][-1]["previously_declined"] is True
    kinds = {q["id"]: q["kind"] for q in result["next_questions"]}
    assert (kinds["act"], kinds["cd_debt_bondage"], kinds["movement.entry"]) == (
        "act",
        "indicator",
        "movement",
    )


def test_questions_come_with_the_interviewers_wording_in_the_language() -> None:
    question = run(ADULT_ORDER_CASE, "pl")["next_questions"][1]
    wording = CATALOGUE.indicators["dr_nature_job_location_employer"].question["pl"]
    assert question["question"] == wording


def test_the_age_comes_first_when_unknown_and_it_matters() -> None:
    raw = {**ADULT_ORDER_CASE}
    del raw["person"]
    result = run(raw)
    assert question_ids(result)[:2] == ["person.age_at_recruitment", "act"]
    assert result["next_questions"][0]["kind"] == "person"


def test_nothing_is_asked_once_everything_is_decided() -> None:
    result = run(
        {
            "jurisdiction": "INT",
            "person": {"age_at_recruitment": 30},
            "act": ["recruitment"],
            "indicators": answer_all("adult_labour", ["exploitative_conditions"], "no"),
            "movement": {"crossed_border": False},
        }
    )
    assert result["next_questions"] == []
    assert result["ilo"]["verdict"] == "not_trafficked"
    assert "no_questions_remaining" in [item["code"] for item in result["explanation"]]


# ---- exactness against brute force -----------------------------------------------------------


@st.composite
def nearly_answered(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], list[str], bool]:
    """An input with at most seven open items: indicators, maybe the act, maybe two facts."""
    age = draw(st.sampled_from([12, 30]))
    sexual = draw(st.booleans())
    set_id = f"{'child' if age < 18 else 'adult'}_{'sexual' if sexual else 'labour'}"
    members = [member.id for member in CATALOGUE.indicator_sets[set_id].members]
    answers = {i: draw(st.sampled_from(["yes", "no", "no", "no"])) for i in members}
    open_ids = draw(st.lists(st.sampled_from(members), unique=True, min_size=1, max_size=4))
    for indicator_id in open_ids:
        answers[indicator_id] = draw(st.sampled_from(["unknown", "declined"]))
    forms = draw(
        st.sampled_from([[], ["labour"], ["organ_removal"], ["begging", "forced_marriage"]])
    )
    raw: dict[str, Any] = {
        "jurisdiction": draw(st.sampled_from(["INT", "EU", "PL"])),
        "person": {"age_at_recruitment": age},
        "exploitation": [*forms, *(["sexual"] if sexual else [])],
        "indicators": answers,
        "movement": {
            "crossed_border": True,
            "entry": draw(st.sampled_from(["regular", "irregular"])),
        },
    }
    open_facts = draw(
        st.lists(
            st.sampled_from(["consented_to_movement", "paid_for_movement"]), unique=True, max_size=2
        )
    )
    for fact in ("consented_to_movement", "paid_for_movement"):
        if fact not in open_facts:
            raw["movement"][fact] = draw(st.booleans())
    act_open = draw(st.booleans())
    if not act_open:
        raw["act"] = draw(st.sampled_from([[], ["recruitment"]]))
    return raw, open_ids, open_facts, act_open


def outcomes_of(raw: dict[str, Any]) -> dict[str, object]:
    result = run(raw)
    return {
        "ilo": result["ilo"]["verdict"],
        "palermo": result["palermo"]["met"],
        "htcds": result["htcds_trafficking_status"],
        "movement": result["movement"]["classification"],
    }


def complete(
    raw: dict[str, Any],
    open_ids: list[str],
    open_facts: list[str],
    act_open: bool,
    values: tuple[bool, ...],
) -> dict[str, Any]:
    filled = {**raw, "indicators": dict(raw["indicators"]), "movement": dict(raw["movement"])}
    position = 0
    for indicator_id in open_ids:
        filled["indicators"][indicator_id] = "yes" if values[position] else "no"
        position += 1
    for fact in open_facts:
        filled["movement"][fact] = values[position]
        position += 1
    if act_open:
        filled["act"] = ["recruitment"] if values[position] else []
    return filled


@settings(max_examples=30, deadline=None)
@given(nearly_answered())
def test_next_questions_are_exactly_the_items_that_can_change_an_outcome(
    case: tuple[dict[str, Any], list[str], list[str], bool],
) -> None:
    raw, open_ids, open_facts, act_open = case
    names = [
        *open_ids,
        *(f"movement.{fact}" for fact in open_facts),
        *(["act"] if act_open else []),
    ]
    table = {
        values: outcomes_of(complete(raw, open_ids, open_facts, act_open, values))
        for values in itertools.product((False, True), repeat=len(names))
    }
    expected: dict[str, list[str]] = {}
    for position, name in enumerate(names):
        changed = {
            outcome
            for values, outcomes in table.items()
            if not values[position]
            for outcome in OUTCOMES
            if outcomes[outcome]
            != table[(*values[:position], True, *values[position + 1 :])][outcome]
        }
        if changed:
            expected[name] = [outcome for outcome in OUTCOMES if outcome in changed]
    result = run(raw)
    assert {q["id"]: q["affects"] for q in result["next_questions"]} == expected
    # And each outcome is certain exactly when every completion agrees on it.
    certain = {
        "ilo": result["ilo"]["verdict"] != "undetermined",
        "palermo": result["palermo"]["met"] is not None,
        "htcds": result["htcds_trafficking_status"] is not None,
        "movement": result["movement"]["classification"] != "undetermined",
    }
    for outcome in OUTCOMES:
        assert certain[outcome] is (len({str(o[outcome]) for o in table.values()}) == 1)


def test_the_outcome_model_is_exact_for_every_state_of_the_leaves() -> None:
    """Every combination of dimension statuses and act (3^7), adult and child, with and without
    a form that shows the purpose: certain values and dependencies match brute force."""
    roles = tuple(dimension.role for dimension in CATALOGUE.dimensions)
    model = OutcomeModel(roles)

    def outcomes(leaves: tuple[bool, ...], child: bool, evident: bool) -> tuple[bool, bool, bool]:
        recruitment = any(v for v, r in zip(leaves, roles, strict=False) if r == "recruitment")
        exploitation = all(v for v, r in zip(leaves, roles, strict=False) if r == "exploitation")
        destination = any(v for v, r in zip(leaves, roles, strict=False) if r == "destination")
        act = leaves[-1]
        ilo = act and exploitation if child else recruitment and exploitation and destination
        purpose = exploitation or evident
        met = act and purpose if child else act and (recruitment or destination) and purpose
        return ilo, met, ilo or met

    for child, evident in itertools.product((False, True), repeat=2):
        for leaves in itertools.product((False, True, None), repeat=len(roles) + 1):
            open_leaves = [i for i, v in enumerate(leaves) if v is None]
            table = {}
            for values in itertools.product((False, True), repeat=len(open_leaves)):
                filled = list(leaves)
                for i, value in zip(open_leaves, values, strict=True):
                    filled[i] = value
                table[values] = outcomes(tuple(filled), child, evident)
            result = model.evaluate(child=child, leaves=leaves, purpose_evident=evident)
            for k, value in enumerate((result.ilo, result.palermo, result.trafficking)):
                seen = {row[k] for row in table.values()}
                assert value == (seen.pop() if len(seen) == 1 else None)
            for position, leaf in enumerate(open_leaves):
                changed = 0
                for values, row in table.items():
                    if not values[position]:
                        flipped = table[(*values[:position], True, *values[position + 1 :])]
                        changed |= sum(1 << k for k in range(3) if row[k] != flipped[k])
                expected = (changed & 1) | (changed & 2) | (12 if changed & 4 else 0)
                assert result.affects[leaf] == expected
