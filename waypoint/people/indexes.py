"""What each blind index is computed from, shared by the writes that build them and the search.

Digests are scoped to the organisation: the same person registered by two organisations gets
unrelated digests, so a copy of the database does not reveal who is known to both.
"""

import re
from datetime import date

import phonenumbers

from waypoint.people.crypto import keyring, normalise
from waypoint.people.data import PersonData
from waypoint.people.models import BlindIndex

Kind = BlindIndex.Kind
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def _digest(organisation_id: int, kind: str, value: str) -> str:
    return keyring().blind_index(f"{kind}:{organisation_id}", value)


def name_and_birth_date_digest(organisation_id: int, full_name: str, birth_date: date) -> str:
    # Given and family names are joined: people split their names differently across papers.
    return _digest(
        organisation_id,
        Kind.NAME_AND_BIRTH_DATE,
        f"{normalise(full_name)}|{birth_date.isoformat()}",
    )


def full_name(given_names: str, family_names: str) -> str:
    return f"{given_names} {family_names}".strip()


def document_number_digest(organisation_id: int, number: str) -> str | None:
    # "AB 123-456" and "ab123456" are the same document number.
    key = _NOT_LETTER_OR_DIGIT.sub("", normalise(number))
    return _digest(organisation_id, Kind.DOCUMENT_NUMBER, key) if key else None


def phone_digest(organisation_id: int, e164: str) -> str:
    return _digest(organisation_id, Kind.PHONE, e164)


def phone_as_e164(text: str, default_region: str | None) -> str | None:
    """The E.164 form of a number typed in a search box, or None if it cannot be one."""
    try:
        number = phonenumbers.parse(text, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def digests_for(organisation_id: int, data: PersonData) -> set[tuple[str, str]]:
    """Every (kind, digest) a person with this data is found by."""
    found: set[tuple[str, str]] = set()
    name = full_name(data.given_names, data.family_names)
    if data.birth_date is not None:
        for spelling in [name, *data.other_names]:
            if spelling:
                digest = name_and_birth_date_digest(organisation_id, spelling, data.birth_date)
                found.add((Kind.NAME_AND_BIRTH_DATE, digest))
    for document in data.identity_documents:
        if digest_or_none := document_number_digest(organisation_id, document.number):
            found.add((Kind.DOCUMENT_NUMBER, digest_or_none))
    if data.phone:
        found.add((Kind.PHONE, phone_digest(organisation_id, data.phone)))
    return found
