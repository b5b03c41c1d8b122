import pytest

from waypoint.domain.rights.texts import (
    LocalizedText,
    UnsupportedLanguageError,
    check_language,
)

GREETING = LocalizedText(
    en="Hello {name}", pl="Cześć {name}", uk="Привіт {name}", ru="Привет {name}"
)


def test_in_language() -> None:
    assert GREETING.in_language("uk") == "Привіт {name}"
    with pytest.raises(UnsupportedLanguageError):
        GREETING.in_language("fr")


def test_check_language() -> None:
    assert check_language("ru") == "ru"
    with pytest.raises(UnsupportedLanguageError, match="'EN'"):
        check_language("EN")


def test_format_with_plain_values() -> None:
    assert GREETING.format(name="Ola").pl == "Cześć Ola"


def test_format_with_localized_values_uses_each_translation() -> None:
    friend = LocalizedText(en="friend", pl="przyjacielu", uk="друже", ru="друг")
    greeting = GREETING.format(name=friend)
    assert greeting == LocalizedText(
        en="Hello friend", pl="Cześć przyjacielu", uk="Привіт друже", ru="Привет друг"
    )


def test_join() -> None:
    one = LocalizedText(en="a", pl="b", uk="c", ru="d")
    two = LocalizedText(en="1", pl="2", uk="3", ru="4")
    assert LocalizedText.join([one, two], "; ") == LocalizedText(
        en="a; 1", pl="b; 2", uk="c; 3", ru="d; 4"
    )
