"""Every user-facing string is translated into Polish, Ukrainian and Russian."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ["pl", "uk", "ru"]


def catalogue(locale_dir: Path, language: str) -> polib.POFile:
    return polib.pofile(str(locale_dir / language / "LC_MESSAGES" / "django.po"))


def untranslated(po: polib.POFile) -> list[str]:
    return [entry.msgid for entry in po if not entry.obsolete and not entry.translated()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_is_complete(language: str) -> None:
    po = catalogue(settings.LOCALE_PATHS[0], language)
    assert len(po) > 100
    assert untranslated(po) == []


def test_every_string_in_the_code_has_a_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed to extract strings; .ci/run installs it")
        pytest.skip("GNU gettext is not installed: cannot extract strings from the code")
    # makemessages rewrites every locale folder below the working directory, so it runs in a
    # copy of the package: the committed catalogues stay as they are.
    package_copy = tmp_path / "waypoint"
    shutil.copytree(
        settings.PACKAGE_DIR, package_copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    locale_copy = package_copy / "locale"
    monkeypatch.setattr(settings, "LOCALE_PATHS", [locale_copy])
    monkeypatch.chdir(package_copy)
    call_command("makemessages", locale=LANGUAGES, no_obsolete=True, verbosity=0)
    missing = {language: untranslated(catalogue(locale_copy, language)) for language in LANGUAGES}
    assert missing == {language: [] for language in LANGUAGES}


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    broken = []
    for entry in catalogue(settings.LOCALE_PATHS[0], language):
        expected = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        broken += [
            entry.msgid
            for text in translations
            if text and set(PLACEHOLDER.findall(text)) != expected
        ]
    assert broken == []
