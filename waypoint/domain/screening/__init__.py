"""Identification engine: screens a person's situation against the ILO/EC indicators, the
Palermo definition and the chosen jurisdiction's law, honestly about what is still unknown.

Plain Python and pydantic only; the catalogue (indicators, questions, legal texts, explanation
templates) is data in ``data/``. See docs/screening.md.
"""

from waypoint.domain.screening.assess import RULESET_VERSION, Assessment, assess
from waypoint.domain.screening.catalogue import Catalogue, get_catalogue
from waypoint.domain.screening.contract import (
    AssessmentDict,
    ScreeningInput,
    ScreeningInputError,
    parse_screening_input,
    parse_screening_json,
)

__all__ = [
    "RULESET_VERSION",
    "Assessment",
    "AssessmentDict",
    "Catalogue",
    "ScreeningInput",
    "ScreeningInputError",
    "assess",
    "get_catalogue",
    "parse_screening_input",
    "parse_screening_json",
]
