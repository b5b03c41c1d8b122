"""Writes to a person's identifying data: register, update with optimistic locking, erase.

The cases services call these after checking access to the case; each still asks the policy
for the organisation check, and writes its audit event in the same transaction. Audit details
name fields and counts, never values: the audit trail is kept in clear and cannot be erased.
"""

from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.accounts import policy
from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import Permission
from waypoint.audit import services as audit
from waypoint.people import storage
from waypoint.people.data import (
    DocumentType,
    IdentityDocument,
    PersonData,
    PersonDataError,
    person_data,
    validate_person_data,
)
from waypoint.people.fields import (
    EncryptedJSONField,
    EncryptedTextField,
    encrypted_fields_of,
    models_with_encrypted_fields,
)
from waypoint.people.indexes import digests_for
from waypoint.people.models import BlindIndex, Person

__all__ = [
    "DocumentType",
    "ErasureReason",
    "IdentityDocument",
    "PersonAlreadyErasedError",
    "PersonData",
    "PersonDataError",
    "PersonErasedError",
    "StaleVersionError",
    "erase_person",
    "person_data",
    "person_erased",
    "register_person",
    "update_person",
    "validate_person_data",
]

# Sent inside the erasing transaction (sender=Person, person=..., actor=...), for an app that
# keeps personal data the generic erasure cannot find (anything not an encrypted field reached
# by foreign keys from the person).
person_erased = Signal()

# A model keeping a file in `people.storage` names it by a UUID field with this name.
STORAGE_ID_FIELD = "storage_id"
# How far foreign keys are followed from a row to the person it belongs to
# (a return's stage change → return → case → person is three steps).
_ERASURE_DEPTH = 4


class StaleVersionError(Exception):
    """Someone saved the person since it was read; `current` is what is stored now."""

    def __init__(self, *, current: PersonData, current_version: int) -> None:
        self.current = current
        self.current_version = current_version
        super().__init__(
            f"The person was changed meanwhile (now at version {current_version}); "
            "review the current values and save again."
        )


class PersonErasedError(Exception):
    """The person's data was erased; there is nothing left to change."""


class PersonAlreadyErasedError(PersonErasedError):
    """Erasure was asked twice."""


class ErasureReason(models.TextChoices):
    # A fixed list on purpose: the reason goes into the audit trail, which is never erased, so
    # it must not be free text that could name the person.
    PERSON_REQUEST = "person_request", _("The person asked for erasure")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
    RETENTION_ENDED = "retention_ended", _("The retention period ended")
    UNLAWFUL = "unlawful", _("The data should not have been recorded")
    DUPLICATE = "duplicate", _("Duplicate record")
    AUTHORITY_ORDER = "authority_order", _("Order of a court or supervisory authority")


@transaction.atomic
def register_person(
    actor: audit.Actor, user: User, *, organisation: Organisation, data: PersonData
) -> Person:
    person = Person(organisation=organisation, created_by=user)
    policy.authorize(actor, user, Permission.VIEW_PERSONAL_DATA, person, object_type="person")
    data = _revalidated(data)
    for name, value in _stored_values(data).items():
        setattr(person, name, value)
    person.save()
    _rebuild_indexes(person, data)
    audit.record(
        actor,
        "person.register",
        object_type="person",
        object_id=person.pk,
        organisation_id=organisation.pk,
        details={"reference": person.reference, "fields": _filled_fields(data)},
    )
    return person


@transaction.atomic
def update_person(
    actor: audit.Actor, user: User, person: Person, *, data: PersonData, expected_version: int
) -> Person:
    """Replace the person's data, if nobody saved it since `expected_version` was read."""
    # The stored row, not the caller's copy, says which organisation the person belongs to.
    stored = Person.objects.get(pk=person.pk)
    policy.authorize(
        actor,
        user,
        Permission.VIEW_PERSONAL_DATA,
        stored,
        object_type="person",
        object_id=person.pk,
    )
    data = _revalidated(data)
    if stored.is_erased:
        raise PersonErasedError(_("This person's data was erased."))
    if stored.version != expected_version:
        raise StaleVersionError(current=person_data(stored), current_version=stored.version)
    # The condition on the version is the lock: of two concurrent saves, one updates no row.
    updated = Person.objects.filter(
        pk=person.pk, version=expected_version, erased_at__isnull=True
    ).update(**_stored_values(data), version=F("version") + 1, updated_at=timezone.now())
    if updated == 0:
        current = Person.objects.get(pk=person.pk)
        if current.is_erased:
            raise PersonErasedError(_("This person's data was erased."))
        raise StaleVersionError(current=person_data(current), current_version=current.version)
    person.refresh_from_db()
    _rebuild_indexes(person, data)
    audit.record(
        actor,
        "person.update",
        object_type="person",
        object_id=person.pk,
        organisation_id=person.organisation_id,
        details={
            "reference": person.reference,
            "fields": _changed_fields(person_data(stored), data),
            "version": person.version,
        },
    )
    return person


@transaction.atomic
def erase_person(actor: audit.Actor, user: User, person: Person, *, reason: str) -> Person:
    """Destroy the person's identifying data and everything encrypted in their cases.

    What is left is a tombstone: the reference, gender, nationality and dates, and the cases
    with their codes, statuses and coded fields, so that statistics do not change.
    """
    policy.authorize(
        actor,
        user,
        Permission.VIEW_PERSONAL_DATA,
        # Nothing is decrypted: a person whose values no key opens any more can still be erased.
        Person.objects.only("organisation_id").get(pk=person.pk),
        object_type="person",
        object_id=person.pk,
    )
    if reason not in ErasureReason.values:
        raise ValueError(f"reason must be one of {', '.join(ErasureReason.values)}")
    now = timezone.now()
    erased = Person.objects.filter(pk=person.pk, erased_at__isnull=True).update(
        **_erased_values(Person), erased_at=now, updated_at=now, version=F("version") + 1
    )
    if erased == 0:
        raise PersonAlreadyErasedError(_("This person's data was already erased."))
    BlindIndex.objects.filter(person_id=person.pk).delete()
    erased_rows, storage_ids = _erase_belongings(person)
    person_erased.send(sender=Person, person=person, actor=actor)
    audit.record(
        actor,
        "person.erase",
        object_type="person",
        object_id=person.pk,
        organisation_id=person.organisation_id,
        details={
            "reference": person.reference,
            "reason": reason,
            "rows": erased_rows,
            "files": len(storage_ids),
        },
    )
    # The files go once the erasure is committed: should it roll back, the rows that still
    # name them keep them.
    storage.delete_after_commit(storage_ids)
    person.refresh_from_db()
    return person


# --- Helpers ----------------------------------------------------------------------------------


def _revalidated(data: PersonData) -> PersonData:
    # A PersonData can be built by hand; nothing unchecked reaches the database.
    if not isinstance(data, PersonData):
        raise TypeError("data must be a PersonData (see validate_person_data)")
    return validate_person_data(data.as_dict())


def _stored_values(data: PersonData) -> dict[str, Any]:
    # Unknown values are NULL rather than an encrypted empty value: a ciphertext's length shows
    # whether it is empty anyway.
    return {
        "given_names": data.given_names or None,
        "family_names": data.family_names or None,
        "other_names": data.other_names or None,
        "birth_date": data.birth_date.isoformat() if data.birth_date else None,
        "citizenships": data.citizenships or None,
        "languages": data.languages or None,
        "phone": data.phone or None,
        "email": data.email or None,
        "address": data.address or None,
        "identity_documents": [document.as_dict() for document in data.identity_documents] or None,
        "gender": data.gender,
        "nationality": data.nationality,
    }


def _filled_fields(data: PersonData) -> list[str]:
    return [name for name, value in data.as_dict().items() if value not in (None, "", [])]


def _changed_fields(before: PersonData, after: PersonData) -> list[str]:
    old, new = before.as_dict(), after.as_dict()
    return [name for name in new if old[name] != new[name]]


def _rebuild_indexes(person: Person, data: PersonData) -> None:
    BlindIndex.objects.filter(person_id=person.pk).delete()
    BlindIndex.objects.bulk_create(
        BlindIndex(
            person_id=person.pk, organisation_id=person.organisation_id, kind=kind, digest=digest
        )
        for kind, digest in sorted(digests_for(person.organisation_id, data))
    )


def _erased_value(field: EncryptedTextField) -> Any:
    if field.null:
        return None
    # A column that cannot be NULL gets an empty value, still encrypted like any other.
    return {} if isinstance(field, EncryptedJSONField) else ""


def _erased_values(model: type[models.Model]) -> dict[str, Any]:
    return {field.attname: _erased_value(field) for field in encrypted_fields_of(model)}


def _paths_to_person(model: type[models.Model], depth: int) -> list[str]:
    """Lookups from `model` to the Person it belongs to, following foreign keys only."""
    paths = []
    for field in model._meta.concrete_fields:
        target = field.related_model if field.many_to_one or field.one_to_one else None
        if not isinstance(target, type):
            continue
        if target is Person:
            paths.append(field.name)
        elif depth > 1:
            paths.extend(f"{field.name}__{rest}" for rest in _paths_to_person(target, depth - 1))
    return paths


def _erase_belongings(person: Person) -> tuple[dict[str, int], list[Any]]:
    """Empty every encrypted field of every row that belongs to the person (their cases' notes,
    documents, screenings, events...), found through the app registry; return the row counts
    per table and the ids of the stored files to delete."""
    rows: dict[str, int] = {}
    storage_ids: list[Any] = []
    for model, _fields in models_with_encrypted_fields():
        if model is Person:
            continue
        paths = _paths_to_person(model, _ERASURE_DEPTH)
        if not paths:
            continue
        belonging = Q()
        for path in paths:
            belonging |= Q(**{path: person})
        queryset = model._base_manager.filter(belonging)
        if any(field.name == STORAGE_ID_FIELD for field in model._meta.concrete_fields):
            storage_ids.extend(queryset.values_list(STORAGE_ID_FIELD, flat=True))
        if count := queryset.update(**_erased_values(model)):
            rows[model._meta.label_lower] = count
    return rows, storage_ids
