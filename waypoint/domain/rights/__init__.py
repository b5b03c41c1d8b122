"""Information on a presumed victim's rights, per jurisdiction and language.

The catalogue (``data/catalogue.json``) holds, for Poland (``PL``) and for the common European
minimum (``EU_COE``: EU directives and the Council of Europe Convention, CETS 197), one entry per
topic: assistance not conditional on cooperation, the reflection period, the residence permit,
non-punishment, legal aid, compensation and voluntary return. Each entry has a title and a body in
every supported language, its legal references, a ``provisional`` flag and its sources.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from pydantic import TypeAdapter

from waypoint.domain.rights.texts import (
    SUPPORTED_LANGUAGES,
    LocalizedText,
    UnsupportedLanguageError,
    check_language,
)

__all__ = [
    "SUPPORTED_LANGUAGES",
    "RightsItem",
    "RightsSheet",
    "Topic",
    "UnsupportedJurisdictionError",
    "UnsupportedLanguageError",
    "rights_sheet",
    "supported_jurisdictions",
    "supported_languages",
]


class Topic(StrEnum):
    ASSISTANCE_NOT_CONDITIONAL = "assistance_not_conditional"
    REFLECTION_PERIOD = "reflection_period"
    RESIDENCE_PERMIT = "residence_permit"
    NON_PUNISHMENT = "non_punishment"
    LEGAL_AID = "legal_aid"
    COMPENSATION = "compensation"
    VOLUNTARY_RETURN = "voluntary_return"


@dataclass(frozen=True)
class RightsItem:
    topic: Topic
    title: str
    body: str
    legal_references: tuple[str, ...]
    provisional: bool


@dataclass(frozen=True)
class RightsSheet:
    jurisdiction: str
    language: str
    title: str
    intro: str
    items: tuple[RightsItem, ...]
    provisional: bool
    """At least one item rests on a reference not yet confirmed by an expert."""
    catalogue_version: str


class UnsupportedJurisdictionError(ValueError):
    def __init__(self, jurisdiction: str) -> None:
        supported = ", ".join(supported_jurisdictions())
        super().__init__(
            f"No rights information for jurisdiction {jurisdiction!r}; supported: {supported}."
        )
        self.jurisdiction = jurisdiction


@dataclass(frozen=True)
class Right:
    topic: Topic
    title: LocalizedText
    body: LocalizedText
    legal_references: tuple[str, ...]
    provisional: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class JurisdictionRights:
    name: LocalizedText
    title: LocalizedText
    intro: LocalizedText
    rights: tuple[Right, ...]

    def __post_init__(self) -> None:
        topics = [right.topic for right in self.rights]
        if sorted(topics) != sorted(Topic):
            raise ValueError(
                f"Each jurisdiction needs every topic exactly once: {', '.join(Topic)}."
            )


@dataclass(frozen=True)
class Catalogue:
    version: str
    jurisdictions: dict[str, JurisdictionRights]


@cache
def _catalogue() -> Catalogue:
    text = files(__package__).joinpath("data", "catalogue.json").read_text("utf-8")
    return TypeAdapter(Catalogue).validate_json(text)


def supported_jurisdictions() -> tuple[str, ...]:
    return tuple(sorted(_catalogue().jurisdictions))


def supported_languages() -> tuple[str, ...]:
    return SUPPORTED_LANGUAGES


def rights_sheet(jurisdiction: str, language: str) -> RightsSheet:
    catalogue = _catalogue()
    if jurisdiction not in catalogue.jurisdictions:
        raise UnsupportedJurisdictionError(jurisdiction)
    check_language(language)
    entry = catalogue.jurisdictions[jurisdiction]
    items = tuple(
        RightsItem(
            topic=right.topic,
            title=right.title.in_language(language),
            body=right.body.in_language(language),
            legal_references=right.legal_references,
            provisional=right.provisional,
        )
        for right in entry.rights
    )
    return RightsSheet(
        jurisdiction=jurisdiction,
        language=language,
        title=entry.title.in_language(language),
        intro=entry.intro.in_language(language),
        items=items,
        provisional=any(item.provisional for item in items),
        catalogue_version=catalogue.version,
    )
