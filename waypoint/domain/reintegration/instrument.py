"""A reintegration sustainability instrument: questions, answer scores, weights and thresholds.

An instrument is a versioned data file so that the official IOM Reintegration Sustainability
Survey can replace the provisional one shipped here without touching code. Packaged instruments
live in ``data/``; :func:`load_instrument` also reads one from a file path.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from waypoint.domain.rights.texts import LocalizedText

MIN_SCORED_ANSWERS = 2
"""An indicator with a single scored answer cannot tell one visit from another."""


class InstrumentError(ValueError):
    """An instrument file is malformed; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Invalid reintegration instrument:\n- " + "\n- ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class AnswerOption:
    answer_id: str
    label: LocalizedText
    score: float | None
    """In [0, 1]; ``None`` marks "not applicable" (e.g. no school-age children)."""
    re_trafficking_risk: bool = False


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    dimension: str
    weight: float
    question: LocalizedText
    answers: tuple[AnswerOption, ...]

    def answer(self, answer_id: str) -> AnswerOption:
        for option in self.answers:
            if option.answer_id == answer_id:
                return option
        known = ", ".join(option.answer_id for option in self.answers)
        raise ValueError(
            f"Indicator {self.indicator_id!r} has no answer {answer_id!r}; known: {known}."
        )


@dataclass(frozen=True)
class Dimension:
    dimension_id: str
    weight: float
    label: LocalizedText


@dataclass(frozen=True)
class Threshold:
    """Scores from ``min_score`` up to the next threshold's ``min_score`` get this label."""

    label_id: str
    min_score: float
    label: LocalizedText


@dataclass(frozen=True)
class TrendSettings:
    max_drop: float
    """A fall of more than this between two visits is flagged."""


@dataclass(frozen=True)
class Instrument:
    instrument_id: str
    version: str
    provisional: bool
    sources: tuple[str, ...]
    title: LocalizedText
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    min_answered_weight_share: float
    """A dimension is scored only if answers cover at least this share of its applicable
    indicators' weight."""
    thresholds: tuple[Threshold, ...]
    trend: TrendSettings

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.indicator_id == indicator_id:
                return indicator
        raise ValueError(f"Instrument {self.instrument_id!r} has no indicator {indicator_id!r}.")


def parse_instrument(data: Mapping[str, object]) -> Instrument:
    """Build and validate an instrument from its parsed JSON."""
    try:
        instrument = TypeAdapter(Instrument).validate_python(data)
    except ValidationError as error:
        raise InstrumentError(
            [
                f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
                for detail in error.errors()
            ]
        ) from error
    validate_instrument(instrument)
    return instrument


def validate_instrument(instrument: Instrument) -> None:
    """Raise :class:`InstrumentError` listing every rule the instrument breaks."""
    problems = [
        *_duplicates("dimension", [item.dimension_id for item in instrument.dimensions]),
        *_duplicates("indicator", [item.indicator_id for item in instrument.indicators]),
        *_duplicates("threshold", [item.label_id for item in instrument.thresholds]),
    ]
    for dimension in instrument.dimensions:
        if not _positive(dimension.weight):
            problems.append(
                f"dimension {dimension.dimension_id!r}: weight must be a finite number above 0, "
                f"not {dimension.weight}"
            )
        if not any(item.dimension == dimension.dimension_id for item in instrument.indicators):
            problems.append(f"dimension {dimension.dimension_id!r}: has no indicator")
    dimension_ids = {dimension.dimension_id for dimension in instrument.dimensions}
    for indicator in instrument.indicators:
        problems.extend(_indicator_problems(indicator, dimension_ids))
    problems.extend(_threshold_problems(instrument.thresholds))
    if not 0 < instrument.min_answered_weight_share <= 1:
        problems.append(
            "min_answered_weight_share must be above 0 and at most 1, "
            f"not {instrument.min_answered_weight_share}"
        )
    if not 0 < instrument.trend.max_drop <= 1:
        problems.append(
            f"trend.max_drop must be above 0 and at most 1, not {instrument.trend.max_drop}"
        )
    if problems:
        raise InstrumentError(problems)


def _positive(weight: float) -> bool:
    return weight > 0 and math.isfinite(weight)


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    return [
        f"{kind} id {item!r} is used more than once"
        for item in sorted(set(ids))
        if ids.count(item) > 1
    ]


def _indicator_problems(indicator: Indicator, dimension_ids: set[str]) -> list[str]:
    name = f"indicator {indicator.indicator_id!r}"
    problems = []
    if indicator.dimension not in dimension_ids:
        problems.append(f"{name}: dimension {indicator.dimension!r} is not defined")
    if not _positive(indicator.weight):
        problems.append(f"{name}: weight must be a finite number above 0, not {indicator.weight}")
    scored = [option for option in indicator.answers if option.score is not None]
    if len(scored) < MIN_SCORED_ANSWERS:
        problems.append(f"{name}: needs at least two answers with a score")
    for option in scored:
        if not 0 <= (option.score or 0) <= 1:
            problems.append(
                f"{name} answer {option.answer_id!r}: score must be within [0, 1], "
                f"not {option.score}"
            )
    problems.extend(
        f"{name}: {problem}"
        for problem in _duplicates("answer", [option.answer_id for option in indicator.answers])
    )
    return problems


def _threshold_problems(thresholds: tuple[Threshold, ...]) -> list[str]:
    if not thresholds:
        return ["thresholds: at least one is needed"]
    problems = []
    if thresholds[0].min_score != 0:
        problems.append(
            f"thresholds: the first must start at 0, not {thresholds[0].min_score}, "
            "so that every score gets a label"
        )
    for lower, higher in pairwise(thresholds):
        if not lower.min_score < higher.min_score:
            problems.append(
                f"thresholds: {higher.label_id!r} ({higher.min_score}) must start above "
                f"{lower.label_id!r} ({lower.min_score}); list them from lowest to highest"
            )
    problems.extend(
        f"thresholds: {item.label_id!r} starts at {item.min_score}, outside [0, 1]"
        for item in thresholds
        if not 0 <= item.min_score <= 1
    )
    return problems


def packaged_instruments() -> tuple[str, ...]:
    """Names of the instruments shipped in ``data/``."""
    folder = files(__package__).joinpath("data")
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in folder.iterdir()
            if entry.name.endswith(".json")
        )
    )


@cache
def _packaged(name: str) -> Instrument:
    text = files(__package__).joinpath("data", f"{name}.json").read_text("utf-8")
    return parse_instrument(json.loads(text))


def load_instrument(path_or_name: str | Path) -> Instrument:
    """Load a packaged instrument by name (``"instrument_provisional_v1"``), or a file by path.

    A :class:`~pathlib.Path` is always read as a file; a string is a packaged name unless it
    contains a path separator or ends in ``.json``.
    """
    if isinstance(path_or_name, str) and not (
        "/" in path_or_name or "\\" in path_or_name or path_or_name.endswith(".json")
    ):
        if path_or_name not in packaged_instruments():
            known = ", ".join(packaged_instruments())
            raise InstrumentError([f"no packaged instrument {path_or_name!r}; known: {known}"])
        return _packaged(path_or_name)
    path = Path(path_or_name)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InstrumentError([f"cannot read {path}: {error}"]) from error
    if not isinstance(data, dict):
        raise InstrumentError([f"{path}: the top level must be a JSON object"])
    return parse_instrument(data)
