"""Registering, updating and erasing people: validation, encryption at rest, locking, audit."""

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.audit.services import Actor
from waypoint.people import services
from waypoint.people.crypto import DecryptionError
from waypoint.people.models import BlindIndex, Gender, Person
from waypoint.people.services import (
    IdentityDocument,
    PersonData,
    PersonDataError,
    StaleVersionError,
    validate_person_data,
)

TODAY = date(2026, 6, 1)

RAW: dict[str, Any] = {
    "given_names": "  Olena ",
    "family_names": "Kovalenko",
    "other_names": ["Olena Kowalenko", "Alena Kovalenko"],
    "birth_date": "1998-03-14",
    "citizenships": ["ua", "PL"],
    "languages": ["uk", "rus", "ger", "rmy"],
    "phone": "600 100 200",
    "email": "olena@Example.ORG",
    "address": "ul. Fikcyjna 1\nWarszawa",
    "identity_documents": [
        {"type": "passport", "number": "FE 123456", "country": "ua", "expires_on": "2030-01-31"},
        {"type": "residence_card", "number": "RP-998877", "country": "PL", "expires_on": None},
    ],
    "gender": "Feminine",
    "nationality": "ua",
}


def verified(user: User) -> User:
    user.is_verified = lambda: True  # type: ignore[method-assign]  # as after the second factor
    return user


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.pk, username=user.username, organisation_id=user.organisation_id)


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


def valid(raw: dict[str, Any] | None = None, **changes: Any) -> PersonData:
    return validate_person_data({**(raw or RAW), **changes}, default_region="PL", today=TODAY)


def register(user: User, data: PersonData | None = None) -> Person:
    return services.register_person(
        actor_for(user), user, organisation=user.organisation, data=data or valid()
    )


def raw_row(person: Person) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Person._meta.db_table} WHERE id = %s", [person.pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


# --- Validation -------------------------------------------------------------------------------


def test_valid_input_is_normalised() -> None:
    data = valid()
    assert data.given_names == "Olena"
    assert data.birth_date == date(1998, 3, 14)
    assert data.citizenships == ["UA", "PL"]
    # ISO 639-1 and 639-2/B codes become the 639-2/T (= 639-3) code; 639-3-only codes are kept.
    assert data.languages == ["ukr", "rus", "deu", "rmy"]
    assert data.phone == "+48600100200"
    assert data.email == "olena@example.org"
    assert data.address == "ul. Fikcyjna 1\nWarszawa"
    assert data.identity_documents == [
        IdentityDocument("passport", "FE 123456", "UA", date(2030, 1, 31)),
        IdentityDocument("residence_card", "RP-998877", "PL", None),
    ]
    assert data.nationality == "UA"
    assert data.gender == Gender.FEMININE


def test_nothing_known_is_valid() -> None:
    data = validate_person_data({})
    assert data == PersonData()
    assert data.gender == Gender.UNKNOWN


def test_every_mistake_is_reported_by_field() -> None:
    raw = {
        "given_names": 42,
        "other_names": "not a list",
        "birth_date": "14.03.1998",
        "citizenships": ["UA", "ZZ", "POL"],
        "languages": ["xx", "klingon"],
        "phone": "12",
        "email": "olena@",
        "identity_documents": [
            {"type": "visa", "number": " ", "country": "Ukraine", "expires_on": "2030-02-30"},
            "FE123456",
            {"type": "passport", "number": "X1", "country": "UA", "colour": "blue"},
        ],
        "gender": "F",
        "nationality": "Ukrainian",
        "shoe_size": 38,
    }
    with pytest.raises(PersonDataError) as raised:
        validate_person_data(raw, default_region="PL", today=TODAY)
    errors = raised.value.errors
    assert set(errors) == {
        "given_names",
        "other_names",
        "birth_date",
        "citizenships[1]",
        "citizenships[2]",
        "languages[0]",
        "languages[1]",
        "phone",
        "email",
        "identity_documents[0].type",
        "identity_documents[0].number",
        "identity_documents[0].country",
        "identity_documents[0].expires_on",
        "identity_documents[1]",
        "identity_documents[2].colour",
        "gender",
        "nationality",
        "shoe_size",
    }
    assert errors["birth_date"] == ["Enter a real date as YYYY-MM-DD."]
    assert errors["citizenships[1]"] == ["'ZZ' is not an ISO 3166-1 two-letter country code."]
    assert errors["shoe_size"] == ["Unknown field."]
    assert "identity_documents[0].number" in str(raised.value)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"birth_date": "2026-06-02"}, "birth_date", "cannot be in the future"),
        ({"birth_date": "1899-12-31"}, "birth_date", "before 1900"),
        ({"given_names": "x" * 201}, "given_names", "At most 200 characters"),
        ({"address": "a\x00b"}, "address", "control characters"),
        ({"citizenships": ["PL"] * 21}, "citizenships", "At most 20 entries"),
        ({"phone": "+48 123"}, "phone", "not a valid phone number"),
    ],
)
def test_limits(raw: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(PersonDataError) as raised:
        validate_person_data(raw, default_region="PL", today=TODAY)
    assert message in " ".join(raised.value.errors[field])


def test_a_phone_without_country_code_needs_the_organisations_country() -> None:
    with pytest.raises(PersonDataError) as raised:
        validate_person_data({"phone": "600 100 200"})
    assert raised.value.errors["phone"] == ["Enter the number with its country code, like +48 …"]
    assert validate_person_data({"phone": "+380 44 123 4567"}).phone == "+380441234567"


def test_kosovo_and_duplicates() -> None:
    data = validate_person_data({"citizenships": ["XK", "xk", "RS"], "languages": ["sq", "sqi"]})
    assert data.citizenships == ["XK", "RS"]
    assert data.languages == ["sqi"]


def test_data_round_trips_through_as_dict() -> None:
    data = valid()
    assert validate_person_data(json.loads(json.dumps(data.as_dict()))) == data


# --- Register ---------------------------------------------------------------------------------


def test_register_encrypts_every_identifying_field(worker: User) -> None:
    person = register(worker)
    row = raw_row(person)
    for column in (
        "given_names",
        "family_names",
        "other_names",
        "birth_date",
        "citizenships",
        "languages",
        "phone",
        "email",
        "address",
        "identity_documents",
    ):
        assert row[column].startswith("wpe1."), column
    dump = json.dumps(row, default=str)
    for secret in ("Olena", "Kovalenko", "1998", "600100200", "FE 123456", "Fikcyjna", "ukr"):
        assert secret not in dump
    # What statistics need stays in clear.
    assert row["gender"] == "Feminine"
    assert row["nationality"] == "UA"

    stored = Person.objects.get(pk=person.pk)
    assert services.person_data(stored) == valid()
    assert stored.version == 1
    assert stored.created_by == worker


def test_register_builds_the_blind_indexes(worker: User) -> None:
    person = register(worker)
    kinds = sorted(BlindIndex.objects.filter(person=person).values_list("kind", flat=True))
    # Name + date of birth for the name and both other spellings, two documents, one phone.
    assert kinds == ["document_number"] * 2 + ["name_birth_date"] * 3 + ["phone"]


def test_register_is_audited_without_personal_data(worker: User) -> None:
    person = register(worker)
    [event] = AuditEvent.objects.filter(action="person.register")
    assert event.object_id == str(person.pk)
    assert event.actor_id == worker.pk
    assert event.organisation_id == worker.organisation_id
    assert event.details["reference"] == person.reference
    assert "given_names" in event.details["fields"]
    assert "Olena" not in json.dumps(event.details)


@pytest.mark.parametrize("role", [Role.DATA_ANALYST, Role.ORG_ADMIN, Role.TRAINEE, Role.AUDITOR])
def test_roles_without_personal_data_cannot_register(
    alpha: Organisation, make_user: Callable[..., User], role: Role
) -> None:
    user = verified(make_user(alpha, role))
    with pytest.raises(PermissionDenied):
        register(user)
    assert not Person.objects.exists()


def test_a_second_factor_is_required(alpha: Organisation, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        register(make_user(alpha, Role.CASE_WORKER))
    assert not Person.objects.exists()


def test_cannot_register_into_another_organisation(worker: User, beta: Organisation) -> None:
    with pytest.raises(PermissionDenied):
        services.register_person(actor_for(worker), worker, organisation=beta, data=valid())
    assert not Person.objects.exists()


def test_hand_built_data_is_checked_again(worker: User) -> None:
    with pytest.raises(PersonDataError) as raised:
        register(worker, PersonData(citizenships=["Atlantis"], phone="600100200"))
    assert set(raised.value.errors) == {"citizenships[0]", "phone"}
    assert not Person.objects.exists()


# --- Update -----------------------------------------------------------------------------------


def test_update_replaces_values_indexes_and_version(worker: User) -> None:
    person = register(worker)
    changed = valid(phone="+48 601 999 888", identity_documents=[], other_names=[])
    updated = services.update_person(
        actor_for(worker), worker, person, data=changed, expected_version=1
    )
    assert updated.version == 2
    assert person.version == 2  # the caller's instance is refreshed too
    assert services.person_data(Person.objects.get(pk=person.pk)) == changed
    kinds = sorted(BlindIndex.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == ["name_birth_date", "phone"]
    [event] = AuditEvent.objects.filter(action="person.update")
    assert event.details["fields"] == ["other_names", "phone", "identity_documents"]
    assert event.details["version"] == 2
    assert "601" not in json.dumps(event.details)


def test_a_stale_update_is_refused_with_the_current_values(worker: User) -> None:
    person = register(worker)
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    services.update_person(
        actor_for(worker), worker, first, data=valid(given_names="Alena"), expected_version=1
    )
    with pytest.raises(StaleVersionError) as raised:
        services.update_person(
            actor_for(worker),
            worker,
            second,
            data=valid(given_names="Helena"),
            expected_version=1,
        )
    assert raised.value.current_version == 2
    assert raised.value.current.given_names == "Alena"
    stored = Person.objects.get(pk=person.pk)
    assert (stored.given_names, stored.version) == ("Alena", 2)
    assert AuditEvent.objects.filter(action="person.update").count() == 1


def test_the_version_condition_is_the_lock(worker: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if another save lands between the read and the write, the write updates nothing."""
    person = register(worker)
    original_get = Person.objects.get

    def get_then_race(*args: Any, **kwargs: Any) -> Person:
        found = original_get(*args, **kwargs)
        Person.objects.filter(pk=person.pk).update(version=5)
        monkeypatch.setattr(Person.objects, "get", original_get)
        return found

    monkeypatch.setattr(Person.objects, "get", get_then_race)
    with pytest.raises(StaleVersionError) as raised:
        services.update_person(
            actor_for(worker), worker, person, data=valid(given_names="X"), expected_version=1
        )
    assert raised.value.current_version == 5
    assert Person.objects.get(pk=person.pk).given_names == "Olena"


def test_cannot_update_another_organisations_person(
    worker: User, beta: Organisation, make_user: Callable[..., User]
) -> None:
    other = verified(make_user(beta, Role.SUPERVISOR))
    person = register(other)
    with pytest.raises(PermissionDenied):
        services.update_person(
            actor_for(worker), worker, person, data=valid(given_names="X"), expected_version=1
        )
    assert Person.objects.get(pk=person.pk).given_names == "Olena"


def test_a_value_moved_to_another_column_does_not_decrypt(worker: User) -> None:
    person = register(worker)
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET family_names = given_names WHERE id = %s", [person.pk])
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


def test_encrypted_fields_cannot_be_filtered_on(worker: User) -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Person.objects.filter(given_names="Olena"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__startswith="+48"))
    assert Person.objects.filter(email__isnull=True).count() == 0
