"""`waypoint screen`: one input or a JSON Lines batch, clear errors with JSON paths, exit 2."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waypoint.domain.screening import assess, get_catalogue, parse_screening_input


def situation(**changes: Any) -> dict[str, Any]:
    """An adult recruited by deception into forced labour, answers in the adult labour set."""
    members = get_catalogue().indicator_sets["adult_labour"].members
    raw: dict[str, Any] = {
        "jurisdiction": "PL",
        "person": {"age_at_recruitment": 34},
        "exploitation": ["labour"],
        "act": ["recruitment", "transportation"],
        "indicators": {member.id: "yes" for member in members[::3]},
        "movement": {"crossed_border": True, "entry": "regular"},
    }
    raw.update(changes)
    return raw


def screen(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("screen", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def screen_failing(*args: str) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("screen", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), raised.value


def write(tmp_path: Path, text: str, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_prints_the_assessment_as_indented_json(tmp_path: Path) -> None:
    raw = situation()
    out, err = screen(write(tmp_path, json.dumps(raw)))
    assert err == ""
    assert out.startswith('{\n  "language": "en",')
    assert json.loads(out) == assess(parse_screening_input(raw)).to_dict()


def test_language_option_selects_the_explanation_language(tmp_path: Path) -> None:
    out, _ = screen(write(tmp_path, json.dumps(situation())), "--language", "uk")
    result = json.loads(out)
    assert result["language"] == "uk"
    assert result == assess(parse_screening_input(situation()), language="uk").to_dict()
    # Written as UTF-8 text, not as \u escapes.
    assert result["explanation"][0]["text"] in out


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'de'"):
        screen(write(tmp_path, json.dumps(situation())), "--language", "de")


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", StringIO(json.dumps(situation(jurisdiction="EU"))))
    out, _ = screen("-")
    assert json.loads(out)["jurisdiction"] == "EU"


def test_invalid_input_names_every_wrong_field_and_exits_2(tmp_path: Path) -> None:
    raw = situation(jurisdiction="DE", indicators={"no_such_indicator": "yes"})
    raw["movement"] = {"crossed_border": "perhaps"}
    out, err, error = screen_failing(write(tmp_path, json.dumps(raw)))
    assert error.returncode == 2
    assert out == ""
    lines = err.splitlines()
    assert any(line.startswith("$.jurisdiction: ") for line in lines)
    assert any(line.startswith("$.indicators.no_such_indicator: ") for line in lines)
    assert any(line.startswith("$.movement.crossed_border: ") for line in lines)


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    _, err, error = screen_failing(write(tmp_path, '{\n  "jurisdiction": "PL",\n  oops\n}'))
    assert error.returncode == 2
    assert "invalid JSON at line 3, column 3" in err


def test_a_json_array_is_not_an_input(tmp_path: Path) -> None:
    _, err, error = screen_failing(write(tmp_path, "[1, 2]"))
    assert error.returncode == 2
    assert err.startswith("$: ")


def test_missing_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read") as raised:
        screen(str(tmp_path / "absent.json"))
    assert raised.value.returncode == 2


def test_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"jurisdiction": "PL", "x": "ł"}'.encode("utf-16"))
    with pytest.raises(CommandError, match="not UTF-8") as raised:
        screen(str(path))
    assert raised.value.returncode == 2


def test_batch_writes_one_compact_result_per_line(tmp_path: Path) -> None:
    inputs = [situation(), situation(jurisdiction="INT", person={})]
    path = write(tmp_path, "\n".join(json.dumps(raw) for raw in inputs) + "\n", "in.jsonl")
    out, err = screen("--batch", path, "--language", "pl")
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 2
    assert ": " not in lines[0][:40]  # compact separators
    assert [json.loads(line) for line in lines] == [
        assess(parse_screening_input(raw), language="pl").to_dict() for raw in inputs
    ]


def compact(raw: dict[str, Any], language: str) -> str:
    """A result line as the batch command wrote it before it spliced prepared JSON text."""
    result = assess(parse_screening_input(raw), language=language).to_dict()
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))


def varied_inputs() -> list[dict[str, Any]]:
    return [
        situation(),
        situation(jurisdiction="INT", person={}),
        situation(jurisdiction="EU", exploitation=["sexual", "forced_marriage"], act=[]),
        situation(person={"birth_date": "2009-05-01", "recruitment_date": "2024-01-31"}),
        {"jurisdiction": "PL"},
    ]


@pytest.mark.parametrize("language", ["en", "pl", "uk", "ru"])
def test_batch_lines_are_the_compact_json_of_each_result(tmp_path: Path, language: str) -> None:
    inputs = varied_inputs()
    path = write(tmp_path, "\n".join(json.dumps(raw) for raw in inputs) + "\n", "in.jsonl")
    out, _ = screen("--batch", path, "--language", language)
    assert out == "".join(compact(raw, language) + "\n" for raw in inputs)


def test_batch_reports_bad_lines_by_number_and_assesses_the_rest(tmp_path: Path) -> None:
    lines = [
        json.dumps(situation()),
        "",
        json.dumps(situation(indicators={"x": "yes"})),
        "   ",
        '{"jurisdiction": ',
        json.dumps(situation(jurisdiction="EU")),
        json.dumps(situation(jurisdiction="INT", indicators={"dr_wages_earnings": "maybe"})),
    ]
    out, err, error = screen_failing("--batch", write(tmp_path, "\n".join(lines), "in.jsonl"))
    assert error.returncode == 2
    assert "3 line(s) were not assessed" in str(error)
    assert [json.loads(line)["jurisdiction"] for line in out.splitlines()] == ["PL", "EU"]
    problems = err.splitlines()
    assert problems[0].startswith("line 3: $.indicators.x: unknown indicator id 'x'")
    assert problems[1].startswith("line 5: invalid JSON at column 18: Expecting value")
    assert problems[2].startswith("line 7: $.indicators.dr_wages_earnings: ")


def test_batch_streams_each_result_before_reading_the_next_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = StringIO()
    seen_before_each_read: list[int] = []

    class WatchedInput(StringIO):
        def __iter__(self) -> Iterator[str]:
            for line in [json.dumps(situation())] * 3:
                seen_before_each_read.append(len(out.getvalue().splitlines()))
                yield line + "\n"

    monkeypatch.setattr(sys, "stdin", WatchedInput())
    call_command("screen", "--batch", "-", stdout=out, stderr=StringIO())
    assert seen_before_each_read == [0, 1, 2]


def run_cli(*args: str, stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A database path that cannot exist: the command must not touch the database.
    env = {**os.environ, "WAYPOINT_SQLITE_PATH": str(tmp_path / "missing" / "none.sqlite3")}
    return subprocess.run(
        [sys.executable, "-m", "waypoint", "screen", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_command_line_exit_status_and_no_database(tmp_path: Path) -> None:
    good = run_cli("-", "--language", "ru", stdin=json.dumps(situation()), tmp_path=tmp_path)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["language"] == "ru"

    bad = run_cli("-", stdin='{"jurisdiction": "XX"}', tmp_path=tmp_path)
    assert bad.returncode == 2
    assert "$.jurisdiction: " in bad.stderr
    assert bad.stdout == ""

    batch = run_cli(
        "--batch", "-", stdin=json.dumps(situation()) + "\nnot json\n", tmp_path=tmp_path
    )
    assert batch.returncode == 2
    assert len(batch.stdout.splitlines()) == 1
    assert "line 2: invalid JSON at column 1" in batch.stderr


def test_command_line_batch_writes_the_same_bytes(tmp_path: Path) -> None:
    inputs = varied_inputs()
    batch = run_cli(
        "--batch",
        "-",
        "--language",
        "uk",
        stdin="".join(json.dumps(raw) + "\n" for raw in inputs),
        tmp_path=tmp_path,
    )
    assert batch.returncode == 0, batch.stderr
    assert batch.stdout == "".join(compact(raw, "uk") + "\n" for raw in inputs)
