"""Shared builders and hypothesis strategies for the screening engine's tests."""

from typing import Any

from hypothesis import strategies as st

from waypoint.domain.screening import AssessmentDict, assess, get_catalogue, parse_screening_input

CATALOGUE = get_catalogue()
ALL_IDS: list[str] = list(CATALOGUE.indicators)
FORMS = list(CATALOGUE.exploitation_forms)
ACTS = [act.id for act in CATALOGUE.acts]
ANSWERS = ("yes", "no", "unknown", "declined")


def ids_of(set_id: str, dimension_id: str) -> list[str]:
    return [member.id for member in CATALOGUE.indicator_sets[set_id].in_dimension(dimension_id)]


def dimension_ids_of_role(role: str) -> list[str]:
    return [dimension.id for dimension in CATALOGUE.dimensions if dimension.role == role]


def answer_all(set_id: str, dimension_ids: list[str], answer: str) -> dict[str, str]:
    return {i: answer for d in dimension_ids for i in ids_of(set_id, d)}


def run(raw: dict[str, Any], language: str = "en") -> AssessmentDict:
    return assess(parse_screening_input(raw), language=language).to_dict()


def statuses(result: AssessmentDict) -> dict[str, str]:
    return {dimension["id"]: dimension["status"] for dimension in result["dimensions"]}


def question_ids(result: AssessmentDict) -> list[str]:
    return [question["id"] for question in result["next_questions"]]


def affecting(result: AssessmentDict, outcome: str) -> list[str]:
    return [q["id"] for q in result["next_questions"] if outcome in q["affects"]]


ages = st.one_of(st.none(), st.integers(min_value=0, max_value=120))
any_answer = st.sampled_from(ANSWERS)


@st.composite
def screening_inputs(
    draw: st.DrawFn,
    *,
    age: st.SearchStrategy[int | None] = ages,
    answers: st.SearchStrategy[str] = any_answer,
) -> dict[str, Any]:
    """Any valid input, answers drawn from the whole catalogue."""
    raw: dict[str, Any] = {"jurisdiction": draw(st.sampled_from(["INT", "EU", "PL"]))}
    chosen_age = draw(age)
    if chosen_age is not None:
        raw["person"] = {"age_at_recruitment": chosen_age}
    raw["exploitation"] = draw(st.lists(st.sampled_from(FORMS), max_size=3, unique=True))
    answered = draw(st.lists(st.sampled_from(ALL_IDS), unique=True, max_size=len(ALL_IDS)))
    raw["indicators"] = {indicator_id: draw(answers) for indicator_id in answered}
    crossed = draw(st.sampled_from([True, False, None]))
    facts = st.sampled_from([True, False, None])
    raw["movement"] = {
        "crossed_border": crossed,
        "entry": None
        if crossed is False
        else draw(st.sampled_from(["regular", "irregular", None])),
        "consented_to_movement": draw(facts),
        "paid_for_movement": draw(facts),
        "free_to_leave_after_arrival": draw(facts),
        "relationship_ended_on_arrival": draw(facts),
    }
    act = draw(st.one_of(st.none(), st.lists(st.sampled_from(ACTS), unique=True, max_size=3)))
    if act is not None:
        raw["act"] = act
    return raw
