"""A person's identifying data as the services accept it: parsed, checked and normalised.

Codes follow HTCDS 2.0: countries are ISO 3166-1 alpha-2 (plus XK for Kosovo, which every
register in the region uses although ISO has not assigned it); languages are stored as the ISO
639-3 three-letter identifier, which is the ISO 639-2/T code for every language 639-2 has and
also names the many languages it lacks (Vlax Romani `rmy`). Two-letter ISO 639-1 codes and
639-2/B codes (`ger`, `fre`) are accepted on input and converted. Phone numbers are stored in
E.164.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.people.models import Gender, Person

MAX_NAME_LENGTH = 200
MAX_OTHER_NAMES = 20
MAX_ADDRESS_LENGTH = 1000
MAX_EMAIL_LENGTH = 254
MAX_DOCUMENT_NUMBER_LENGTH = 64
MAX_IDENTITY_DOCUMENTS = 20
MAX_CODES = 20
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Countries people come from that ISO 3166-1 has not (yet) assigned a code to.
EXTRA_COUNTRY_CODES = frozenset({"XK"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_CARD = "residence_card", _("Residence card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    OTHER = "other", _("Other document")


@dataclass(frozen=True)
class IdentityDocument:
    type: str
    number: str
    country: str
    expires_on: date | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "type": self.type,
            "number": self.number,
            "country": self.country,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }


@dataclass(frozen=True)
class PersonData:
    """Everything known about a person; empty strings and lists mean "not known"."""

    given_names: str = ""
    family_names: str = ""
    other_names: list[str] = field(default_factory=list)
    birth_date: date | None = None
    citizenships: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    address: str = ""
    identity_documents: list[IdentityDocument] = field(default_factory=list)
    gender: str = Gender.UNKNOWN
    nationality: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values, accepted back by `validate_person_data`."""
        return {
            "given_names": self.given_names,
            "family_names": self.family_names,
            "other_names": list(self.other_names),
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "citizenships": list(self.citizenships),
            "languages": list(self.languages),
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "identity_documents": [document.as_dict() for document in self.identity_documents],
            "gender": self.gender,
            "nationality": self.nationality,
        }


FIELDS = tuple(PersonData.__dataclass_fields__)


class PersonDataError(ValueError):
    """The data was refused; `errors` maps each field (or JSON path) to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(value)}" for key, value in errors.items()))


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.by_field.setdefault(key, []).append(message)


def validate_person_data(
    raw: Mapping[str, Any], *, default_region: str | None = None, today: date | None = None
) -> PersonData:
    """Check and normalise raw input (a form's or an API's); raise PersonDataError if wrong.

    `default_region` (the organisation's country) is how phone numbers written without a
    country code are read.
    """
    errors = _Errors()
    for key in raw:
        if key not in FIELDS:
            errors.add(str(key), str(_("Unknown field.")))
    today = today or timezone.localdate()
    data = PersonData(
        given_names=_text(raw, "given_names", MAX_NAME_LENGTH, errors),
        family_names=_text(raw, "family_names", MAX_NAME_LENGTH, errors),
        other_names=_other_names(raw, errors),
        birth_date=_birth_date(raw, today, errors),
        citizenships=_codes(raw, "citizenships", country_code, errors),
        languages=_codes(raw, "languages", _language, errors),
        phone=_phone(raw, default_region, errors),
        email=_email(raw, errors),
        address=_text(raw, "address", MAX_ADDRESS_LENGTH, errors, multiline=True),
        identity_documents=_identity_documents(raw, errors),
        gender=_gender(raw, errors),
        nationality=_nationality(raw, errors),
    )
    if errors.by_field:
        raise PersonDataError(errors.by_field)
    return data


def person_data(person: Person) -> PersonData:
    """The decrypted values of a stored person, in the form the services accept."""
    documents: list[dict[str, Any]] = person.identity_documents or []  # type: ignore[assignment]
    return PersonData(
        given_names=person.given_names or "",
        family_names=person.family_names or "",
        other_names=list(person.other_names or []),
        birth_date=date.fromisoformat(person.birth_date) if person.birth_date else None,
        citizenships=list(person.citizenships or []),
        languages=list(person.languages or []),
        phone=person.phone or "",
        email=person.email or "",
        address=person.address or "",
        identity_documents=[
            IdentityDocument(
                type=document["type"],
                number=document["number"],
                country=document["country"],
                expires_on=date.fromisoformat(document["expires_on"])
                if document.get("expires_on")
                else None,
            )
            for document in documents
        ],
        gender=person.gender,
        nationality=person.nationality,
    )


# --- One function per kind of value -----------------------------------------------------------


def _clean_text(value: Any, key: str, max_length: int, errors: _Errors, multiline: bool) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(key, str(_("Must be text.")))
        return ""
    if multiline:
        text = "\n".join(" ".join(line.split()) for line in value.strip().splitlines())
    else:
        text = " ".join(value.split())
    if len(text) > max_length:
        errors.add(key, str(_("At most %(count)d characters.") % {"count": max_length}))
    if any(ord(char) < 32 and char != "\n" for char in text):
        errors.add(key, str(_("Must not contain control characters.")))
    return text


def _text(
    raw: Mapping[str, Any], key: str, max_length: int, errors: _Errors, *, multiline: bool = False
) -> str:
    return _clean_text(raw.get(key), key, max_length, errors, multiline)


def _list(raw: Mapping[str, Any], key: str, max_items: int, errors: _Errors) -> Sequence[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        errors.add(key, str(_("Must be a list.")))
        return []
    if len(value) > max_items:
        errors.add(key, str(_("At most %(count)d entries.") % {"count": max_items}))
        return []
    return value


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _other_names(raw: Mapping[str, Any], errors: _Errors) -> list[str]:
    names = [
        _clean_text(value, f"other_names[{position}]", MAX_NAME_LENGTH, errors, False)
        for position, value in enumerate(_list(raw, "other_names", MAX_OTHER_NAMES, errors))
    ]
    return _unique(names)


def _parse_date(value: Any, key: str, errors: _Errors) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(key, str(_("Enter a real date as YYYY-MM-DD.")))
    return None


def _birth_date(raw: Mapping[str, Any], today: date, errors: _Errors) -> date | None:
    born = _parse_date(raw.get("birth_date"), "birth_date", errors)
    if born is not None and born > today:
        errors.add("birth_date", str(_("The date of birth cannot be in the future.")))
    if born is not None and born < EARLIEST_BIRTH_DATE:
        errors.add("birth_date", str(_("The date of birth is before 1900.")))
    return born


def country_code(value: Any) -> str | None:
    """The ISO 3166-1 alpha-2 code (or Kosovo's XK) that `value` writes, upper-cased; None if it
    names no country."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    if code in EXTRA_COUNTRY_CODES:
        return code
    if len(code) != 2 or not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        return None
    return code


def _language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().lower()
    if not code.isascii() or not code.isalpha():
        return None
    if len(code) == 2:
        language = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        language = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(
            bibliographic=code
        )
    else:
        language = None
    return str(language.alpha_3) if language is not None else None


_CODE_MESSAGES = {
    "citizenships": _("%(value)r is not an ISO 3166-1 two-letter country code."),
    "languages": _("%(value)r is not an ISO 639 language code (two or three letters)."),
}


def _codes(raw: Mapping[str, Any], key: str, parse: Any, errors: _Errors) -> list[str]:
    codes = []
    for position, value in enumerate(_list(raw, key, MAX_CODES, errors)):
        code = parse(value)
        if code is None:
            errors.add(f"{key}[{position}]", str(_CODE_MESSAGES[key] % {"value": value}))
        else:
            codes.append(code)
    return _unique(codes)


def _nationality(raw: Mapping[str, Any], errors: _Errors) -> str:
    value = raw.get("nationality")
    if value is None or value == "":
        return ""
    code = country_code(value)
    if code is None:
        errors.add("nationality", str(_CODE_MESSAGES["citizenships"] % {"value": value}))
        return ""
    return code


def _phone(raw: Mapping[str, Any], default_region: str | None, errors: _Errors) -> str:
    text = _text(raw, "phone", 64, errors)
    if not text:
        return ""
    region = default_region.upper() if default_region else None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        errors.add("phone", str(_("Enter the number with its country code, like +48 …")))
        return ""
    if not phonenumbers.is_valid_number(number):
        errors.add("phone", str(_("This is not a valid phone number.")))
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email(raw: Mapping[str, Any], errors: _Errors) -> str:
    text = _text(raw, "email", MAX_EMAIL_LENGTH, errors)
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        errors.add("email", str(_("Enter a valid email address.")))
        return ""
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _gender(raw: Mapping[str, Any], errors: _Errors) -> str:
    value = raw.get("gender")
    if value is None or value == "":
        return Gender.UNKNOWN
    if value not in Gender.values:
        errors.add(
            "gender", str(_("Choose one of: %(choices)s.") % {"choices": ", ".join(Gender.values)})
        )
        return Gender.UNKNOWN
    return str(value)


_DOCUMENT_KEYS = frozenset({"type", "number", "country", "expires_on"})


def _identity_documents(raw: Mapping[str, Any], errors: _Errors) -> list[IdentityDocument]:
    documents = []
    entries = _list(raw, "identity_documents", MAX_IDENTITY_DOCUMENTS, errors)
    for position, entry in enumerate(entries):
        path = f"identity_documents[{position}]"
        if not isinstance(entry, Mapping):
            errors.add(path, str(_("Must be an object with type, number, country, expires_on.")))
            continue
        for key in entry:
            if key not in _DOCUMENT_KEYS:
                errors.add(f"{path}.{key}", str(_("Unknown field.")))
        kind = entry.get("type")
        if kind not in DocumentType.values:
            errors.add(
                f"{path}.type",
                str(_("Choose one of: %(choices)s.") % {"choices": ", ".join(DocumentType.values)}),
            )
        number = _clean_text(
            entry.get("number"), f"{path}.number", MAX_DOCUMENT_NUMBER_LENGTH, errors, False
        )
        if not number:
            errors.add(f"{path}.number", str(_("The document number is required.")))
        country = country_code(entry.get("country"))
        if country is None:
            errors.add(
                f"{path}.country",
                str(_("Give the issuing country as an ISO 3166-1 two-letter code.")),
            )
        expires_on = _parse_date(entry.get("expires_on"), f"{path}.expires_on", errors)
        if kind in DocumentType.values and number and country is not None:
            documents.append(IdentityDocument(str(kind), number, country, expires_on))
    return list(dict.fromkeys(documents))
