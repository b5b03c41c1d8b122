"""The voluntary return declaration: its wording in the person's language, filled from the case.

The wording lives in ``data/declaration.json``, one text per entry in every supported language
(a missing translation fails when the file loads). It is a provisional template awaiting legal
review, and says nothing the person was not told in counselling.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import TypeAdapter

from waypoint.domain import eligibility
from waypoint.domain.rights.texts import LocalizedText, check_language
from waypoint.returns.iso import country_name


@dataclass(frozen=True)
class DeclarationTemplate:
    version: str
    provisional: bool
    sources: tuple[str, ...]
    title: LocalizedText
    decision: LocalizedText
    informed: LocalizedText
    withdrawal: LocalizedText
    not_known: LocalizedText
    reference: LocalizedText
    place_and_date: LocalizedText
    signature: LocalizedText


@cache
def template() -> DeclarationTemplate:
    text = files(__package__).joinpath("data", "declaration.json").read_text("utf-8")
    return TypeAdapter(DeclarationTemplate).validate_json(text)


@dataclass(frozen=True)
class DeclarationFacts:
    name: str
    birth_date: str
    nationality: str
    country_of_return: str
    organisation: str
    programme_id: str
    counselling_dates: Sequence[date]
    reference: str


def declaration_content(facts: DeclarationFacts, language: str) -> dict[str, Any]:
    """The declaration as stored and printed: a title, paragraphs and the signature labels."""
    check_language(language)
    wording = template()
    not_known = wording.not_known.in_language(language)
    values = {
        "name": facts.name or not_known,
        "birth_date": facts.birth_date or not_known,
        "nationality": country_name(facts.nationality, language)
        if facts.nationality
        else not_known,
        "country": country_name(facts.country_of_return, language),
        "organisation": facts.organisation,
        "programme": eligibility.programme(facts.programme_id).name.in_language(language),
        "sessions": ", ".join(day.isoformat() for day in facts.counselling_dates) or not_known,
    }
    return {
        "language": language,
        "title": wording.title.in_language(language),
        "paragraphs": [
            wording.decision.format(**values).in_language(language),
            wording.informed.format(**values).in_language(language),
            wording.withdrawal.in_language(language),
        ],
        "reference": f"{wording.reference.in_language(language)}: {facts.reference}",
        "place_and_date": wording.place_and_date.in_language(language),
        "signature": wording.signature.in_language(language),
    }
