"""Measuring whether a return lasts: a reintegration sustainability instrument and its scoring.

The shipped instrument (``data/instrument_provisional_v1.json``) is provisional: the official
IOM Reintegration Sustainability Survey's wording, scores, weights and thresholds were not found.
See :mod:`.instrument` for the file format and its validation, :mod:`.scoring` for how a visit is
scored and how missing answers are handled.
"""

from waypoint.domain.reintegration.instrument import (
    AnswerOption,
    Dimension,
    Indicator,
    Instrument,
    InstrumentError,
    Threshold,
    TrendSettings,
    load_instrument,
    packaged_instruments,
    parse_instrument,
    validate_instrument,
)
from waypoint.domain.reintegration.scoring import (
    DimensionScore,
    Score,
    TrendFlag,
    TrendFlagKind,
    label,
    score,
    trend,
)

__all__ = [
    "AnswerOption",
    "Dimension",
    "DimensionScore",
    "Indicator",
    "Instrument",
    "InstrumentError",
    "Score",
    "Threshold",
    "TrendFlag",
    "TrendFlagKind",
    "TrendSettings",
    "label",
    "load_instrument",
    "packaged_instruments",
    "parse_instrument",
    "score",
    "trend",
    "validate_instrument",
]
