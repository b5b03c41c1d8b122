"""Exact search through blind indexes: what people mean as equal matches, nothing else does."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.services import Actor
from waypoint.people import services
from waypoint.people.crypto import DecryptionError, Keyring
from waypoint.people.models import Person
from waypoint.people.selectors import find_people

BORN = date(1998, 3, 14)


def verified(user: User) -> User:
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


def register(user: User, **raw: Any) -> Person:
    data = services.validate_person_data(raw, default_region=user.organisation.country)
    return services.register_person(
        Actor(user_id=user.pk), user, organisation=user.organisation, data=data
    )


@pytest.fixture
def olena(worker: User) -> Person:
    return register(
        worker,
        given_names="Olena Maria",
        family_names="Kovalenko-Nowak",
        other_names=["Алена Коваленко"],
        birth_date=BORN.isoformat(),
        phone="600 100 200",
        identity_documents=[{"type": "passport", "number": "FE 123-456", "country": "UA"}],
    )


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Olena Maria", "Kovalenko-Nowak"),
        ("OLENA  maria", "kovalenko nowak"),
        ("Olena", "Maria Kovalenko Nowak"),  # the names split differently
        ("Olena Maria Kovalenko-Nowak", None),
        ("Алена", "КОВАЛЕНКО"),  # another spelling on record
    ],
)
def test_name_and_birth_date(worker: User, olena: Person, given: str, family: str | None) -> None:
    found = find_people(
        worker.organisation_id, given_names=given, family_names=family, birth_date=BORN
    )
    assert list(found) == [olena]


def test_accents_and_unicode_forms(worker: User) -> None:
    person = register(
        worker, given_names="Zoë", family_names="Łukasiewicz", birth_date="2001-01-01"
    )
    found = find_people(
        worker.organisation_id,
        given_names="ZOE",
        family_names="lukasiewicz",
        birth_date=date(2001, 1, 1),
    )
    assert list(found) == [person]


@pytest.mark.parametrize(
    "criteria",
    [
        {"given_names": "Olena Maria", "family_names": "Kovalenko", "birth_date": BORN},
        {
            "given_names": "Olena Maria",
            "family_names": "Kovalenko-Nowak",
            "birth_date": date(1998, 3, 15),
        },
        {"document_number": "FE123457"},
        {"phone": "600 100 201"},
        {"phone": "+380 600 100 200"},
    ],
)
def test_near_misses_do_not_match(worker: User, olena: Person, criteria: dict[str, Any]) -> None:
    assert not find_people(worker.organisation_id, **criteria).exists()


@pytest.mark.parametrize("number", ["FE 123-456", "fe123456", " FE.123.456 "])
def test_document_number(worker: User, olena: Person, number: str) -> None:
    assert list(find_people(worker.organisation_id, document_number=number)) == [olena]


@pytest.mark.parametrize("phone", ["600100200", "+48 600 100 200", "0048600100200"])
def test_phone_in_any_usual_form(worker: User, olena: Person, phone: str) -> None:
    assert list(find_people(worker.organisation_id, phone=phone)) == [olena]


def test_every_criterion_must_match(worker: User, olena: Person) -> None:
    register(worker, given_names="Iryna", birth_date="1990-01-01", phone="+48 600 100 200")
    both = find_people(worker.organisation_id, phone="600100200", document_number="FE123456")
    assert list(both) == [olena]
    assert find_people(worker.organisation_id, phone="600100200").count() == 2
    assert not find_people(
        worker.organisation_id, phone="600100200", document_number="XX1"
    ).exists()


def test_other_organisations_people_never_match(
    worker: User, olena: Person, beta: Organisation, make_user: Callable[..., User]
) -> None:
    other = verified(make_user(beta, Role.CASE_WORKER))
    twin = register(
        other,
        given_names="Olena Maria",
        family_names="Kovalenko-Nowak",
        birth_date=BORN.isoformat(),
        phone="+48600100200",
    )
    assert list(find_people(worker.organisation_id, phone="+48600100200")) == [olena]
    assert list(find_people(beta.pk, phone="+48600100200")) == [twin]
    # The same values give unrelated digests in two organisations: a database copy does not
    # show who is known to both.
    alpha_digests = set(olena.blind_indexes.values_list("digest", flat=True))
    beta_digests = set(twin.blind_indexes.values_list("digest", flat=True))
    assert not alpha_digests & beta_digests


def test_a_name_needs_a_birth_date_and_the_reverse(worker: User) -> None:
    with pytest.raises(ValueError, match="give both"):
        find_people(worker.organisation_id, given_names="Olena", family_names="Kovalenko")
    with pytest.raises(ValueError, match="give both"):
        find_people(worker.organisation_id, birth_date=BORN)
    with pytest.raises(ValueError, match="Give a name"):
        find_people(worker.organisation_id)


def test_values_that_cannot_be_stored_match_nothing(worker: User, olena: Person) -> None:
    assert not find_people(worker.organisation_id, phone="not a phone").exists()
    assert not find_people(worker.organisation_id, document_number=" - ").exists()


def test_one_query_and_no_decryption(
    worker: User, olena: Person, django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise DecryptionError("the search decrypted a value")

    monkeypatch.setattr(Keyring, "decrypt", refuse)
    with django_assert_num_queries(1):
        references = list(
            find_people(
                worker.organisation_id,
                given_names="Olena Maria",
                family_names="Kovalenko-Nowak",
                birth_date=BORN,
                document_number="FE123456",
                phone="+48600100200",
            ).values_list("reference", flat=True)
        )
    assert references == [olena.reference]


def test_newest_first(worker: User) -> None:
    first = register(worker, phone="+48600100200")
    second = register(worker, phone="+48600100200")
    assert list(find_people(worker.organisation_id, phone="+48600100200")) == [second, first]


def test_query_count_with_a_national_phone_number(
    worker: User, olena: Person, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        assert len(find_people(worker.organisation_id, phone="600100200")) == 1
