"""The input contract: what is accepted, every error with its JSON path; the output's shape."""

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import TypeAdapter
from screening_helpers import run, screening_inputs

from waypoint.domain.screening import ScreeningInputError, parse_screening_input
from waypoint.domain.screening.contract import (
    AssessmentDict,
    input_json_schema,
    json_path,
    output_json_schema,
)

DOCS = Path(__file__).resolve().parents[3] / "docs"
REGENERATE = os.environ.get("REGENERATE_GOLDEN") == "1"


def errors_of(raw: object) -> list[dict[str, str]]:
    with pytest.raises(ScreeningInputError) as caught:
        parse_screening_input(raw)
    return caught.value.errors


def test_only_the_jurisdiction_is_required() -> None:
    parsed = parse_screening_input({"jurisdiction": "INT"})
    assert parsed.person is None
    assert parsed.exploitation == ()
    assert parsed.indicators == {}
    assert parsed.act is None
    assert parsed.movement.crossed_border is None


def test_a_full_input_is_accepted() -> None:
    parsed = parse_screening_input(
        {
            "jurisdiction": "PL",
            "person": {"birth_date": "2008-05-01", "recruitment_date": "2024-04-30"},
            "exploitation": ["labour", "begging"],
            "indicators": {"ex_excessive_hours": "yes", "cd_debt_bondage": "declined"},
            "movement": {"crossed_border": True, "entry": "irregular", "paid_for_movement": True},
            "act": [],
        }
    )
    assert parsed.person is not None
    assert parsed.person.age == 15
    assert parsed.person.birth_date == date(2008, 5, 1)
    assert parsed.act == ()


@pytest.mark.parametrize(
    ("birth", "recruited", "age"),
    [
        ("2000-03-01", "2018-02-28", 17),
        ("2000-03-01", "2018-03-01", 18),
        ("2000-01-01", "2000-01-01", 0),
    ],
)
def test_the_age_counts_full_years(birth: str, recruited: str, age: int) -> None:
    parsed = parse_screening_input(
        {"jurisdiction": "EU", "person": {"birth_date": birth, "recruitment_date": recruited}}
    )
    assert parsed.person is not None
    assert parsed.person.age == age


def test_an_empty_person_means_the_age_is_unknown() -> None:
    parsed = parse_screening_input({"jurisdiction": "EU", "person": {}})
    assert parsed.person is not None
    assert parsed.person.age is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], [{"path": "$", "message": "must be an object"}]),
        ({}, [{"path": "$.jurisdiction", "message": "is required"}]),
        (
            {"jurisdiction": "DE"},
            [{"path": "$.jurisdiction", "message": "must be 'INT', 'EU' or 'PL'"}],
        ),
        (
            {"jurisdiction": "PL", "indicators": {"foo": "yes"}},
            [
                {
                    "path": "$.indicators.foo",
                    "message": "unknown indicator id 'foo' (not in the catalogue)",
                }
            ],
        ),
        (
            {"jurisdiction": "PL", "indicators": {"odd key": "yes"}},
            [
                {
                    "path": "$.indicators['odd key']",
                    "message": "unknown indicator id 'odd key' (not in the catalogue)",
                }
            ],
        ),
        (
            {
                "jurisdiction": "PL",
                "person": {"birth_date": "2010-05-02", "recruitment_date": "2010-05-01"},
            },
            [{"path": "$.person.birth_date", "message": "must not be after recruitment_date"}],
        ),
        (
            {"jurisdiction": "PL", "person": {"birth_date": "2010-05-02"}},
            [
                {
                    "path": "$.person.recruitment_date",
                    "message": "is required when birth_date is given",
                }
            ],
        ),
        (
            {"jurisdiction": "PL", "person": {"age_at_recruitment": 121}},
            [
                {
                    "path": "$.person.age_at_recruitment",
                    "message": "must be less than or equal to 120",
                }
            ],
        ),
        (
            {"jurisdiction": "PL", "person": {"age_at_recruitment": -1}},
            [
                {
                    "path": "$.person.age_at_recruitment",
                    "message": "must be greater than or equal to 0",
                }
            ],
        ),
        (
            {"jurisdiction": "PL", "person": {"age_at_recruitment": "16"}},
            [{"path": "$.person.age_at_recruitment", "message": "must be a whole number"}],
        ),
        (
            {
                "jurisdiction": "PL",
                "person": {"age_at_recruitment": 16, "birth_date": "2000-01-01"},
            },
            [
                {
                    "path": "$.person",
                    "message": "give either age_at_recruitment or birth_date with "
                    "recruitment_date, not both",
                }
            ],
        ),
        (
            {
                "jurisdiction": "PL",
                "person": {"birth_date": "1900-01-01", "recruitment_date": "2021-01-02"},
            },
            [{"path": "$.person.birth_date", "message": "gives an age at recruitment over 120"}],
        ),
        (
            {"jurisdiction": "PL", "movement": {"crossed_border": False, "entry": "regular"}},
            [
                {
                    "path": "$.movement.entry",
                    "message": "must be null when crossed_border is false",
                }
            ],
        ),
        (
            {"jurisdiction": "PL", "movement": {"paid_for_movement": "yes"}},
            [{"path": "$.movement.paid_for_movement", "message": "must be true, false or null"}],
        ),
        (
            {"jurisdiction": "PL", "act": ["recruitment", "recruitment"]},
            [{"path": "$.act", "message": "lists recruitment more than once"}],
        ),
        (
            {"jurisdiction": "PL", "exploitation": "labour"},
            [{"path": "$.exploitation", "message": "must be a list"}],
        ),
        (
            {"jurisdiction": "PL", "language": "pl"},
            [{"path": "$.language", "message": "unknown key 'language' is not allowed"}],
        ),
    ],
)
def test_errors_name_the_path_and_say_what_is_wrong(
    raw: object, expected: list[dict[str, str]]
) -> None:
    assert errors_of(raw) == expected


def test_dates_must_be_written_as_iso_dates() -> None:
    errors = errors_of(
        {
            "jurisdiction": "EU",
            "person": {"birth_date": "1/2/2000", "recruitment_date": "2020-02-30"},
        }
    )
    assert errors == [
        {"path": "$.person.birth_date", "message": "must be a date written as YYYY-MM-DD"},
        {"path": "$.person.recruitment_date", "message": "is not a valid calendar date"},
    ]


def test_every_error_is_reported_at_once() -> None:
    errors = errors_of(
        {
            "jurisdiction": "XX",
            "indicators": {"nope": "yes", "ex_hazardous_work": "maybe"},
            "exploitation": ["dancing"],
            "extra": 1,
        }
    )
    assert [error["path"] for error in errors] == [
        "$.jurisdiction",
        "$.exploitation[0]",
        "$.indicators.nope",
        "$.indicators.ex_hazardous_work",
        "$.extra",
    ]


def test_the_error_message_lists_every_problem() -> None:
    with pytest.raises(ScreeningInputError, match=r"\$\.jurisdiction: is required"):
        parse_screening_input({"indicators": {}})


@pytest.mark.parametrize(
    ("location", "path"),
    [((), "$"), (("a", 0, "b"), "$.a[0].b"), (("indicators", "x y"), "$.indicators['x y']")],
)
def test_json_paths(location: tuple[str | int, ...], path: str) -> None:
    assert json_path(location) == path


def _check_schema_file(name: str, schema: dict[str, Any]) -> None:
    path = DOCS / name
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"regenerate {name}: REGENERATE_GOLDEN=1"


def test_the_committed_input_schema_is_what_the_models_generate() -> None:
    _check_schema_file("screening-input.schema.json", input_json_schema())


def test_the_committed_output_schema_is_what_the_models_generate() -> None:
    _check_schema_file("screening-output.schema.json", output_json_schema())


STRICT_OUTPUT = TypeAdapter(AssessmentDict)


@settings(max_examples=60, deadline=None)
@given(screening_inputs())
def test_every_result_follows_the_output_schema(raw: dict[str, Any]) -> None:
    result = run(raw)
    assert STRICT_OUTPUT.validate_python(result, strict=True) == result
    assert list(result) == list(AssessmentDict.__annotations__)
    assert json.loads(json.dumps(result)) == result


def test_extra_keys_in_a_result_would_be_refused() -> None:
    result = dict(run({"jurisdiction": "INT"}))
    result["unexpected"] = True
    with pytest.raises(ValueError, match="unexpected"):
        STRICT_OUTPUT.validate_python(result, strict=True)
