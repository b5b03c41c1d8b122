"""The batch path: JSON text in (parse_screening_json), compact UTF-8 JSON out (to_json_bytes).

Both must say exactly what the ordinary path says: json.loads + parse_screening_input, and
json.dumps of to_dict(). And no result may share a mutable object with another.
"""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from screening_helpers import screening_inputs

from waypoint.domain.screening import (
    Assessment,
    ScreeningInput,
    ScreeningInputError,
    assess,
    parse_screening_input,
    parse_screening_json,
)
from waypoint.domain.screening.vocabulary import LANGUAGES

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_INPUTS = [
    json.loads(path.read_text(encoding="utf-8"))["input"] for path in sorted(GOLDEN.glob("*.json"))
]


def dumped(assessment: Assessment) -> bytes:
    """What the batch command wrote before it had to_json_bytes."""
    text = json.dumps(assessment.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return text.encode()


@st.composite
def dated_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid input, the age given by two dates."""
    raw = draw(screening_inputs(age=st.none()))
    birth = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31)))
    recruited = draw(st.dates(min_value=birth, max_value=birth + timedelta(days=36_500)))
    raw["person"] = {"birth_date": birth.isoformat(), "recruitment_date": recruited.isoformat()}
    return raw


@settings(max_examples=400, deadline=None)
@given(st.one_of(screening_inputs(), dated_inputs()), st.sampled_from(LANGUAGES))
def test_the_json_bytes_are_json_dumps_of_the_dict(raw: dict[str, Any], language: str) -> None:
    assessment = assess(parse_screening_input(raw), language=language)
    assert assessment.to_json_bytes() == dumped(assessment)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("raw", GOLDEN_INPUTS)
def test_the_worked_examples_give_the_same_json_bytes(raw: dict[str, Any], language: str) -> None:
    assessment = assess(parse_screening_input(raw), language=language)
    assert assessment.to_json_bytes() == dumped(assessment)


@settings(max_examples=200, deadline=None)
@given(st.one_of(screening_inputs(), dated_inputs()))
def test_json_text_parses_to_the_same_input(raw: dict[str, Any]) -> None:
    assert parse_screening_json(json.dumps(raw)) == parse_screening_input(raw)
    assert parse_screening_json(json.dumps(raw, indent=2).encode()) == parse_screening_input(raw)


def outcome_of_the_ordinary_path(text: str) -> object:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return ("not JSON", error.msg, error.lineno, error.colno)
    try:
        return parse_screening_input(raw)
    except ScreeningInputError as error:
        return ("invalid", error.errors)


def outcome_of_the_batch_path(text: str) -> object:
    try:
        parsed: ScreeningInput = parse_screening_json(text)
    except json.JSONDecodeError as error:
        return ("not JSON", error.msg, error.lineno, error.colno)
    except ScreeningInputError as error:
        return ("invalid", error.errors)
    return parsed


@pytest.mark.parametrize(
    "text",
    [
        '{"jurisdiction": "PL"}',
        '  {"jurisdiction": "PL"}  \n',
        '{"jurisdiction": "P\\u004c"}',
        '{"jurisdiction": "XX", "jurisdiction": "PL"}',
        '{"jurisdiction": "PL", "jurisdiction": "XX"}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": 34.0}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": 3e1}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": NaN}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": Infinity}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": true}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": "34"}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": 1000000000000000000000}}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": 12, "age_at_recruitment": null}}',
        '{"jurisdiction": "PL", "person": {"birth_date": "2000-02-30", "recruitment_date": "2020-01-01"}}',  # noqa: E501
        '{"jurisdiction": "PL", "indicators": {"dr_wages_earnings": "yes", "dr_wages_earnings": "no"}}',  # noqa: E501
        '{"jurisdiction": "PL", "indicators": {"\\ud800": "yes"}}',
        '{"jurisdiction": "PL", "indicators": {"dr_wages_earnings": "YES"}}',
        '{"jurisdiction": "PL", "movement": {"crossed_border": 1}}',
        '{"jurisdiction": "PL", "movement": {"crossed_border": false, "entry": "regular"}}',
        '{"jurisdiction": "PL", "movement": null, "exploitation": null, "indicators": null}',
        '{"jurisdiction": "PL", "exploitation": ["labour", "labour"], "act": []}',
        '{"jurisdiction": "PL", "extra": 1, "extra": 2}',
        '{"jurisdiction": "PL"} x',
        '{"jurisdiction": "PL",}',
        "{'jurisdiction': 'PL'}",
        '\ufeff{"jurisdiction": "PL"}',
        '{"jurisdiction": "PL"}\x00',
        '{"jurisdiction": "PL\t"}',
        '{"jurisdiction": "PL", "person": {"age_at_recruitment": 012}}',
        "[1, 2]",
        "null",
        "",
    ],
)
def test_json_text_is_accepted_and_refused_as_decoded_json_is(text: str) -> None:
    assert outcome_of_the_batch_path(text) == outcome_of_the_ordinary_path(text)


def test_json_nested_too_deeply_fails_as_decoded_json_does() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(RecursionError):
        json.loads(text)
    with pytest.raises(RecursionError):
        parse_screening_json(text)


def every_container(value: object) -> list[dict[str, Any] | list[Any]]:
    found: list[dict[str, Any] | list[Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += every_container(item)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            found += every_container(item)
    return found


@settings(max_examples=60, deadline=None)
@given(screening_inputs(), screening_inputs(), st.sampled_from(LANGUAGES))
def test_no_result_shares_a_mutable_object_with_another(
    first_raw: dict[str, Any], second_raw: dict[str, Any], language: str
) -> None:
    first = assess(parse_screening_input(first_raw), language=language)
    second = assess(parse_screening_input(second_raw), language=language)
    before = (first.to_json_bytes(), second.to_json_bytes(), repr(first.explanation))
    for data in (first.to_dict(), second.to_dict()):
        for container in every_container(data):
            if isinstance(container, dict):
                for key in list(container):
                    container[key] = "changed"
            else:
                container.append("changed")
    assert (first.to_json_bytes(), second.to_json_bytes(), repr(first.explanation)) == before
    assert dumped(first) == before[0]
    assert dumped(second) == before[1]
