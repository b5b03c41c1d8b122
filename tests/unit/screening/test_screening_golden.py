"""Worked examples (docs/screening.md): each file in golden/ holds an input and its full result.

The expected results were reviewed against the law as the domain reference describes it. After a
deliberate change, rewrite them with REGENERATE_GOLDEN=1 and review the diff before committing.
"""

import json
import os
from pathlib import Path
from typing import Any

import pytest
from screening_helpers import run

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.json"))
REGENERATE = os.environ.get("REGENERATE_GOLDEN") == "1"


def test_there_are_worked_examples() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("path", CASES, ids=[case.stem for case in CASES])
def test_golden(path: Path) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    result = run(case["input"], case["language"])
    if REGENERATE:
        case["expected"] = result
        path.write_text(json.dumps(case, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert result == case["expected"], f"{path.name} changed: regenerate with REGENERATE_GOLDEN=1"


def test_the_documentation_shows_every_example() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "screening.md").read_text("utf-8")
    for path in CASES:
        assert f"golden/{path.name}" in docs
