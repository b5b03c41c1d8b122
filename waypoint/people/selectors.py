"""Finding people by exact values, through blind indexes only: the table is never decrypted.

The caller has checked that the user may see the organisation's people.
"""

from datetime import date

from django.db.models import QuerySet

from waypoint.accounts.models import Organisation
from waypoint.people.indexes import (
    Kind,
    document_number_digest,
    full_name,
    name_and_birth_date_digest,
    phone_as_e164,
    phone_digest,
)
from waypoint.people.models import BlindIndex, Person


def find_people(
    organisation_id: int,
    *,
    given_names: str | None = None,
    family_names: str | None = None,
    birth_date: date | None = None,
    document_number: str | None = None,
    phone: str | None = None,
) -> QuerySet[Person]:
    """The organisation's (not erased) people matching every criterion given, newest first.

    A name is searched together with a date of birth, never alone: names repeat too often to
    identify anyone, and a name-only index would be a list of who is known. Either part of the
    name may be left out. One query (two when a phone number without its country code needs
    the organisation's country).
    """
    criteria: list[tuple[str, str]] = []
    name = full_name(given_names or "", family_names or "")
    if name or birth_date is not None:
        if not name or birth_date is None:
            raise ValueError("A name is searched together with a date of birth: give both.")
        digest = name_and_birth_date_digest(organisation_id, name, birth_date)
        criteria.append((Kind.NAME_AND_BIRTH_DATE, digest))
    if document_number is not None:
        number_digest = document_number_digest(organisation_id, document_number)
        if number_digest is None:
            return Person.objects.none()
        criteria.append((Kind.DOCUMENT_NUMBER, number_digest))
    if phone is not None:
        e164 = phone_as_e164(phone, _country_of(organisation_id) if "+" not in phone else None)
        if e164 is None:
            return Person.objects.none()
        criteria.append((Kind.PHONE, phone_digest(organisation_id, e164)))
    if not criteria:
        raise ValueError("Give a name and date of birth, a document number or a phone number.")
    people = Person.objects.filter(organisation_id=organisation_id, erased_at__isnull=True)
    for kind, digest in criteria:
        matching = BlindIndex.objects.filter(
            organisation_id=organisation_id, kind=kind, digest=digest
        ).values("person_id")
        people = people.filter(pk__in=matching)
    return people.order_by("-created_at", "-pk")


def _country_of(organisation_id: int) -> str | None:
    return Organisation.objects.filter(pk=organisation_id).values_list("country", flat=True).first()
