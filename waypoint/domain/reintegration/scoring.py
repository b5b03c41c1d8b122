"""Scoring a monitoring visit, labelling a score, and flagging worrying trends across visits.

How a visit is scored:

- An indicator's score is the score of the chosen answer, in [0, 1].
- A dimension's score is the weighted mean of its answered indicators; weights are normalised
  over the indicators actually answered, so scaling every weight by the same factor changes
  nothing.
- "Not applicable" answers (score ``None``, e.g. no school-age children) leave the indicator out.
  A skipped indicator is *missing*. A dimension whose answers cover less than the instrument's
  ``min_answered_weight_share`` of its applicable weight gets no score (``None``) rather than a
  score resting on a few answers.
- The composite is the weighted mean of the dimension scores, and only exists when every
  dimension has one. Missing and not-applicable indicators are listed in the result.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from waypoint.domain.reintegration.instrument import AnswerOption, Instrument, Threshold

# Scores are sums of floats; a fall this much above ``max_drop`` is rounding, not a fall.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class DimensionScore:
    dimension_id: str
    score: float | None
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    not_applicable: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    instrument_id: str
    instrument_version: str
    dimensions: tuple[DimensionScore, ...]
    composite: float | None
    re_trafficking_risks: tuple[str, ...]
    """Indicators whose answer signals a risk of being trafficked again."""
    provisional: bool

    def dimension(self, dimension_id: str) -> DimensionScore:
        for dimension in self.dimensions:
            if dimension.dimension_id == dimension_id:
                return dimension
        raise ValueError(f"The score has no dimension {dimension_id!r}.")

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(item for dimension in self.dimensions for item in dimension.missing)

    @property
    def not_applicable(self) -> tuple[str, ...]:
        return tuple(item for dimension in self.dimensions for item in dimension.not_applicable)


def score(answers: Mapping[str, str], instrument: Instrument) -> Score:
    """Score one visit: ``answers`` maps indicator ids to the chosen answer ids."""
    chosen = {
        indicator_id: instrument.indicator(indicator_id).answer(answer_id)
        for indicator_id, answer_id in answers.items()
    }
    dimensions = tuple(
        _dimension_score(dimension.dimension_id, chosen, instrument)
        for dimension in instrument.dimensions
    )
    composite = None
    if all(dimension.score is not None for dimension in dimensions):
        composite = _weighted_mean(
            [
                (definition.weight, dimension.score or 0.0)
                for definition, dimension in zip(instrument.dimensions, dimensions, strict=True)
            ]
        )
    return Score(
        instrument_id=instrument.instrument_id,
        instrument_version=instrument.version,
        dimensions=dimensions,
        composite=composite,
        re_trafficking_risks=tuple(
            indicator.indicator_id
            for indicator in instrument.indicators
            if indicator.indicator_id in chosen
            and chosen[indicator.indicator_id].re_trafficking_risk
        ),
        provisional=instrument.provisional,
    )


def _dimension_score(
    dimension_id: str, chosen: Mapping[str, AnswerOption], instrument: Instrument
) -> DimensionScore:
    answered: list[tuple[float, float]] = []
    answered_ids, missing, not_applicable = [], [], []
    applicable_weight = 0.0
    for indicator in instrument.indicators:
        if indicator.dimension != dimension_id:
            continue
        option = chosen.get(indicator.indicator_id)
        if option is not None and option.score is None:
            not_applicable.append(indicator.indicator_id)
            continue
        applicable_weight += indicator.weight
        if option is None:
            missing.append(indicator.indicator_id)
        else:
            answered.append((indicator.weight, option.score or 0.0))
            answered_ids.append(indicator.indicator_id)
    answered_weight = math.fsum(weight for weight, _ in answered)
    covered = bool(answered) and (
        answered_weight >= instrument.min_answered_weight_share * applicable_weight - _TOLERANCE
    )
    return DimensionScore(
        dimension_id=dimension_id,
        score=_weighted_mean(answered) if covered else None,
        answered=tuple(answered_ids),
        missing=tuple(missing),
        not_applicable=tuple(not_applicable),
    )


def _weighted_mean(pairs: Sequence[tuple[float, float]]) -> float:
    total_weight = math.fsum(weight for weight, _ in pairs)
    mean = math.fsum(weight * value for weight, value in pairs) / total_weight
    # Rounding in the division may step a hair outside [0, 1].
    return min(1.0, max(0.0, mean))


def label(value: float, instrument: Instrument) -> Threshold:
    """The label of the highest threshold the score reaches."""
    if not 0 <= value <= 1:
        raise ValueError(f"A score lies within [0, 1]; {value} does not.")
    reached = [item for item in instrument.thresholds if item.min_score <= value]
    return reached[-1]


class TrendFlagKind(StrEnum):
    DIMENSION_FELL = "dimension_fell"
    COMPOSITE_FELL = "composite_fell"
    RE_TRAFFICKING_RISK = "re_trafficking_risk"


@dataclass(frozen=True)
class TrendFlag:
    kind: TrendFlagKind
    visit: int
    """Index of the visit in the sequence given to :func:`trend`."""
    dimension_id: str | None = None
    indicator_id: str | None = None
    previous: float | None = None
    current: float | None = None


def trend(scores_over_visits: Sequence[Score], instrument: Instrument) -> tuple[TrendFlag, ...]:
    """Flags for the visits (in the order they took place) that call for attention.

    A dimension or the composite is flagged when it falls by more than the instrument's
    ``trend.max_drop`` since the previous visit (both visits need a score); every visit with an
    answer that signals a risk of being trafficked again is flagged, once per such answer.
    """
    foreign = {(item.instrument_id, item.instrument_version) for item in scores_over_visits} - {
        (instrument.instrument_id, instrument.version)
    }
    if foreign:
        raise ValueError(
            "Scores from different instruments cannot be compared: "
            f"{sorted(foreign)} against {instrument.instrument_id} v{instrument.version}."
        )
    flags: list[TrendFlag] = []
    max_drop = instrument.trend.max_drop
    for visit, current in enumerate(scores_over_visits):
        if visit > 0:
            previous = scores_over_visits[visit - 1]
            for before, after in zip(previous.dimensions, current.dimensions, strict=True):
                if _fell(before.score, after.score, max_drop):
                    flags.append(
                        TrendFlag(
                            TrendFlagKind.DIMENSION_FELL,
                            visit,
                            dimension_id=after.dimension_id,
                            previous=before.score,
                            current=after.score,
                        )
                    )
            if _fell(previous.composite, current.composite, max_drop):
                flags.append(
                    TrendFlag(
                        TrendFlagKind.COMPOSITE_FELL,
                        visit,
                        previous=previous.composite,
                        current=current.composite,
                    )
                )
        flags.extend(
            TrendFlag(TrendFlagKind.RE_TRAFFICKING_RISK, visit, indicator_id=indicator_id)
            for indicator_id in current.re_trafficking_risks
        )
    return tuple(flags)


def _fell(before: float | None, after: float | None, max_drop: float) -> bool:
    return before is not None and after is not None and before - after > max_drop + _TOLERANCE
