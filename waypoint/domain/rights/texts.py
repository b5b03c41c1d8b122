"""Texts for people, in every language the product speaks.

Every domain package that shows words to a person (a right, a question, a label) keeps them in its
data files as one object per text with an entry for each supported language, and reads them
through :class:`LocalizedText`, so a missing translation fails when the data file is loaded.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "pl", "uk", "ru")

NonEmptyText = Annotated[str, Field(min_length=1)]


class UnsupportedLanguageError(ValueError):
    """A text was asked for in a language the product has no translation for."""

    def __init__(self, language: str) -> None:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        super().__init__(f"Unsupported language {language!r}; supported: {supported}.")
        self.language = language


def check_language(language: str) -> str:
    """Return ``language`` if it is supported, else raise :class:`UnsupportedLanguageError`."""
    if language not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageError(language)
    return language


@dataclass(frozen=True)
class LocalizedText:
    """One text in English, Polish, Ukrainian and Russian (ISO 639-1 codes)."""

    en: NonEmptyText
    pl: NonEmptyText
    uk: NonEmptyText
    ru: NonEmptyText

    def in_language(self, language: str) -> str:
        return str(getattr(self, check_language(language)))

    def format(self, **values: object) -> "LocalizedText":
        """Fill ``{name}`` placeholders in every language; a :class:`LocalizedText` value fills
        each language with its own translation."""
        return LocalizedText(
            **{
                language: self.in_language(language).format(
                    **{
                        name: value.in_language(language)
                        if isinstance(value, LocalizedText)
                        else value
                        for name, value in values.items()
                    }
                )
                for language in SUPPORTED_LANGUAGES
            }
        )

    @staticmethod
    def join(texts: Sequence["LocalizedText"], separator: str) -> "LocalizedText":
        """Join texts language by language."""
        return LocalizedText(
            **{
                language: separator.join(text.in_language(language) for text in texts)
                for language in SUPPORTED_LANGUAGES
            }
        )
