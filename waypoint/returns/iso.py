"""Countries (ISO 3166-1), languages (ISO 639-1) and currencies (ISO 4217) through pycountry,
with their names in the language of the page or of the person."""

import gettext
from functools import cache

import pycountry

# The codes for funds, precious metals and testing are not money a person is paid in.
_NOT_MONEY = {
    "XAG",
    "XAU",
    "XBA",
    "XBB",
    "XBC",
    "XBD",
    "XDR",
    "XPD",
    "XPT",
    "XSU",
    "XTS",
    "XUA",
    "XXX",
    "BOV",
    "CHE",
    "CHW",
    "CLF",
    "COU",
    "MXV",
    "USN",
    "UYI",
    "UYW",
}


@cache
def _translation(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return _translation("iso3166-1", language).gettext(country.name)


@cache
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (
                (country.alpha_2, country_name(country.alpha_2, language))
                for country in pycountry.countries
            ),
            key=lambda choice: choice[1].casefold(),
        )
    )


def is_language(code: str) -> bool:
    return len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None


def language_name(code: str, language: str) -> str:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    if found is None:
        return code
    return _translation("iso639-3", language).gettext(found.name)


@cache
def language_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (
                (item.alpha_2, language_name(item.alpha_2, language))
                for item in pycountry.languages
                if hasattr(item, "alpha_2")
            ),
            key=lambda choice: choice[1].casefold(),
        )
    )


def is_currency(code: str) -> bool:
    return (
        len(code) == 3
        and code not in _NOT_MONEY
        and pycountry.currencies.get(alpha_3=code) is not None
    )


@cache
def currency_choices(language: str) -> tuple[tuple[str, str], ...]:
    translation = _translation("iso4217", language)
    return tuple(
        (item.alpha_3, f"{item.alpha_3} · {translation.gettext(item.name)}")
        for item in sorted(pycountry.currencies, key=lambda item: item.alpha_3)
        if item.alpha_3 not in _NOT_MONEY
    )
