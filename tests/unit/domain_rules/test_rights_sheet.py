import pytest
from pydantic import TypeAdapter, ValidationError

from waypoint.domain.rights import (
    SUPPORTED_LANGUAGES,
    JurisdictionRights,
    Topic,
    UnsupportedJurisdictionError,
    UnsupportedLanguageError,
    rights_sheet,
    supported_jurisdictions,
    supported_languages,
)


def test_supported_jurisdictions_and_languages() -> None:
    assert supported_jurisdictions() == ("EU_COE", "PL")
    assert supported_languages() == ("en", "pl", "uk", "ru") == SUPPORTED_LANGUAGES


@pytest.mark.parametrize("jurisdiction", ["PL", "EU_COE"])
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_sheet_has_every_topic(jurisdiction: str, language: str) -> None:
    sheet = rights_sheet(jurisdiction, language)
    assert (sheet.jurisdiction, sheet.language) == (jurisdiction, language)
    assert [item.topic for item in sheet.items] == list(Topic)
    assert all((sheet.title, sheet.intro, sheet.catalogue_version))
    for item in sheet.items:
        assert all((item.title, item.body, item.legal_references))


def test_sheets_are_in_the_asked_language() -> None:
    assert rights_sheet("PL", "en").items[1].body.startswith("If the Police, the Border Guard")
    assert rights_sheet("PL", "pl").items[1].body.startswith("Jeżeli Policja, Straż Graniczna")
    assert rights_sheet("PL", "uk").items[1].title.startswith("Час на відновлення")
    assert rights_sheet("EU_COE", "ru").items[0].title == (
        "Помощь не зависит от сотрудничества с полицией"
    )


def test_the_polish_certificate_and_permit_are_stated() -> None:
    sheet = rights_sheet("PL", "en")
    by_topic = {item.topic: item for item in sheet.items}
    certificate = by_topic[Topic.REFLECTION_PERIOD]
    assert "3 months, or 4 months for a child" in certificate.body
    assert certificate.legal_references == (
        "Ustawa o cudzoziemcach (Act on Foreigners, 2013) Art. 170–172",
    )
    assert not certificate.provisional
    permit = by_topic[Topic.RESIDENCE_PERMIT]
    assert "at least 6 months and at most 3 years" in permit.body


def test_the_european_reflection_period_and_unconditional_assistance() -> None:
    by_topic = {item.topic: item for item in rights_sheet("EU_COE", "en").items}
    assert "at least 30 days" in by_topic[Topic.REFLECTION_PERIOD].body
    assert "CETS 197 Art. 13" in by_topic[Topic.REFLECTION_PERIOD].legal_references
    assert "must not depend" in by_topic[Topic.ASSISTANCE_NOT_CONDITIONAL].body


def test_a_sheet_with_unconfirmed_entries_says_so() -> None:
    sheet = rights_sheet("PL", "en")
    assert sheet.provisional
    assert any(not item.provisional for item in sheet.items)


def test_unknown_jurisdiction() -> None:
    with pytest.raises(UnsupportedJurisdictionError, match="supported: EU_COE, PL") as raised:
        rights_sheet("DE", "en")
    assert raised.value.jurisdiction == "DE"


def test_unknown_language() -> None:
    with pytest.raises(UnsupportedLanguageError, match="supported: en, pl, uk, ru") as raised:
        rights_sheet("PL", "de")
    assert raised.value.language == "de"


def test_a_jurisdiction_must_cover_every_topic_once() -> None:
    text = {"en": "x", "pl": "x", "uk": "x", "ru": "x"}
    right = {
        "topic": "legal_aid",
        "title": text,
        "body": text,
        "legal_references": [],
        "provisional": True,
        "sources": [],
    }
    data = {"name": text, "title": text, "intro": text, "rights": [right, right]}
    with pytest.raises(ValidationError, match="every topic exactly once"):
        TypeAdapter(JurisdictionRights).validate_python(data)
