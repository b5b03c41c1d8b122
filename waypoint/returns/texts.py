"""The domain's texts (stage labels, programme names, questions) in the language of the page."""

from django.utils import translation

from waypoint.domain.rights.texts import SUPPORTED_LANGUAGES, LocalizedText


def page_language() -> str:
    """The active language if the domain's data speaks it, else English."""
    language = (translation.get_language() or "en")[:2]
    return language if language in SUPPORTED_LANGUAGES else "en"


def in_page_language(text: LocalizedText) -> str:
    return text.in_language(page_language())
