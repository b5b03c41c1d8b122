"""Erasure destroys a person's data and everything encrypted in their cases, and leaves a
tombstone that keeps statistics unchanged."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from tests.integration.test_cases_support import RolledBack, rolled_back
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.audit.services import Actor
from waypoint.cases.models import (
    Case,
    CaseStatus,
    Document,
    Note,
    StatusChange,
    StoredScreening,
    SupportItem,
    TraffickingEvent,
    TraffickingStatus,
    VulnerabilityAssessment,
)
from waypoint.people import services, storage
from waypoint.people.fields import models_with_encrypted_fields
from waypoint.people.models import BlindIndex, Person
from waypoint.people.selectors import find_people
from waypoint.people.services import ErasureReason, PersonAlreadyErasedError, PersonErasedError

RAW: dict[str, Any] = {
    "given_names": "Olena",
    "family_names": "Kovalenko",
    "birth_date": "1998-03-14",
    "phone": "+48600100200",
    "email": "olena@example.org",
    "identity_documents": [{"type": "passport", "number": "FE123456", "country": "UA"}],
    "gender": "Feminine",
    "nationality": "UA",
}
SECRETS = (
    "Olena",
    "Kovalenko",
    "1998-03-14",
    "600100200",
    "FE123456",
    "bruised",
    "Gdańsk",
    "statement.pdf",
    "worked 16 hours",
)


def verified(user: User) -> User:
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.pk, username=user.username, organisation_id=user.organisation_id)


@pytest.fixture
def supervisor(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.SUPERVISOR))


def person_with_a_case(user: User, given_names: str = "Olena") -> tuple[Person, Case, Document]:
    data = services.validate_person_data({**RAW, "given_names": given_names})
    person = services.register_person(
        actor_for(user), user, organisation=user.organisation, data=data
    )
    case = Case.objects.create(
        organisation=user.organisation,
        person=person,
        owner=user,
        opened_on=date(2026, 5, 1),
        status=CaseStatus.IDENTIFIED,
        trafficking_status=TraffickingStatus.ACTUAL,
        exploitation_types=["ForcedLabour"],
        age_when_trafficked=24,
        closure_reason="moved to Gdańsk",
    )
    Note.objects.create(case=case, body="She was bruised and worked 16 hours a day.", author=user)
    StatusChange.objects.create(
        case=case,
        from_status="screening",
        to_status="identified",
        reason="bruised",
        changed_by=user,
    )
    TraffickingEvent.objects.create(
        case=case, kind="Exploitation", country="PL", city="Gdańsk", description="worked 16 hours"
    )
    StoredScreening.objects.create(
        case=case,
        answers={"q1": "worked 16 hours"},
        result={"verdict": "likely"},
        verdict="likely",
        ruleset_version="1",
        catalogue_sha256="0" * 64,
        recorded_by=user,
    )
    VulnerabilityAssessment.objects.create(
        case=case, factors=["bruised"], summary={"level": "high"}, assessed_by=user
    )
    SupportItem.objects.create(case=case, kind="Health", notes="bruised")
    document = Document.objects.create(
        case=case,
        filename="statement.pdf",
        content_type="application/pdf",
        size=9,
        sha256="1" * 64,
        uploaded_by=user,
    )
    storage.store(document.storage_id, b"%PDF-1.7 Olena")
    return person, case, document


def every_decrypted_value_of(case: Case) -> str:
    """Everything encrypted that belongs to the case and its person, decrypted, as one text."""
    values = []
    for model, fields in models_with_encrypted_fields():
        if model is Person:
            rows = model.objects.filter(pk=case.person_id)
        elif model is Case:
            rows = model.objects.filter(pk=case.pk)
        elif any(field.name == "case" for field in model._meta.concrete_fields):
            rows = model.objects.filter(case=case)
        else:
            continue
        values.extend(getattr(row, field.attname) for row in rows for field in fields)
    return json.dumps(values, ensure_ascii=False, default=str)


def test_erasure_destroys_personal_data_and_keeps_a_tombstone(
    supervisor: User, documents_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    person, case, document = person_with_a_case(supervisor)
    before = every_decrypted_value_of(case)
    assert all(secret in before for secret in SECRETS)

    with django_capture_on_commit_callbacks(execute=True):
        erased = services.erase_person(
            actor_for(supervisor), supervisor, person, reason=ErasureReason.PERSON_REQUEST
        )

    after = every_decrypted_value_of(case)
    assert not [secret for secret in SECRETS if secret in after]
    assert erased.is_erased
    assert erased.version == 2
    tombstone = Person.objects.get(pk=person.pk)
    assert (tombstone.reference, tombstone.gender, tombstone.nationality) == (
        person.reference,
        "Feminine",
        "UA",
    )
    assert tombstone.display_name() == "—"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT given_names, phone, identity_documents FROM {Person._meta.db_table} "
            "WHERE id = %s",
            [person.pk],
        )
        assert cursor.fetchone() == (None, None, None)
    assert not BlindIndex.objects.filter(person=person).exists()

    # Non-null columns hold an encrypted empty value; nullable ones are NULL.
    assert Note.objects.get(case=case).body == ""
    assert Document.objects.get(pk=document.pk).filename == ""
    assert StoredScreening.objects.get(case=case).answers == {}
    assert TraffickingEvent.objects.get(case=case).description is None
    with pytest.raises(storage.DocumentMissingError):
        storage.read(document.storage_id)
    assert not (documents_dir / str(document.storage_id)).exists()

    # What statistics count is untouched.
    case.refresh_from_db()
    assert (
        case.code,
        case.status,
        case.trafficking_status,
        case.exploitation_types,
        case.age_when_trafficked,
    ) == (
        case.code,
        CaseStatus.IDENTIFIED,
        TraffickingStatus.ACTUAL,
        ["ForcedLabour"],
        24,
    )
    assert TraffickingEvent.objects.get(case=case).country == "PL"


def test_erasure_is_audited_with_a_coded_reason(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    services.erase_person(actor_for(supervisor), supervisor, person, reason="retention_ended")
    [event] = AuditEvent.objects.filter(action="person.erase")
    assert event.object_id == str(person.pk)
    assert event.details["reason"] == "retention_ended"
    assert event.details["files"] == 1
    assert event.details["rows"]["cases.note"] == 1
    assert event.details["rows"]["cases.case"] == 1
    assert not [secret for secret in SECRETS if secret in json.dumps(event.details)]


def test_free_text_reasons_are_refused(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    with pytest.raises(ValueError, match="reason must be one of"):
        services.erase_person(
            actor_for(supervisor), supervisor, person, reason="Olena asked on the phone"
        )
    assert not Person.objects.get(pk=person.pk).is_erased


def test_a_second_erasure_is_a_clear_error(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    with pytest.raises(PersonAlreadyErasedError, match="already erased"):
        services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    assert AuditEvent.objects.filter(action="person.erase").count() == 1


def test_an_erased_person_cannot_be_updated_or_found(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    with pytest.raises(PersonErasedError):
        services.update_person(
            actor_for(supervisor),
            supervisor,
            person,
            data=services.validate_person_data(RAW),
            expected_version=2,
        )
    assert not find_people(supervisor.organisation_id, phone="+48600100200").exists()


def test_other_people_are_untouched(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    other, other_case, other_document = person_with_a_case(supervisor, given_names="Iryna")
    services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    assert "Iryna" in every_decrypted_value_of(other_case)
    assert "bruised" in every_decrypted_value_of(other_case)
    assert storage.read(other_document.storage_id) == b"%PDF-1.7 Olena"
    assert list(find_people(supervisor.organisation_id, phone="+48600100200")) == [other]


def test_another_organisation_cannot_erase(
    supervisor: User, beta: Organisation, make_user: Callable[..., User]
) -> None:
    person, _case, document = person_with_a_case(supervisor)
    stranger = verified(make_user(beta, Role.SUPERVISOR))
    with pytest.raises(PermissionDenied):
        services.erase_person(actor_for(stranger), stranger, person, reason="duplicate")
    assert not Person.objects.get(pk=person.pk).is_erased
    assert storage.read(document.storage_id) == b"%PDF-1.7 Olena"


def test_apps_are_told_inside_the_transaction(supervisor: User) -> None:
    person, _case, _document = person_with_a_case(supervisor)
    told: list[Person] = []

    def receiver(sender: type[Person], person: Person, actor: Actor, **kwargs: Any) -> None:
        told.append(person)

    services.person_erased.connect(receiver)
    try:
        services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    finally:
        services.person_erased.disconnect(receiver)
    assert told == [person]


def test_files_go_once_the_erasure_is_committed(
    supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    person, _case, document = person_with_a_case(supervisor)
    with django_capture_on_commit_callbacks() as after_commit:
        services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    assert storage.read(document.storage_id) == b"%PDF-1.7 Olena"
    for callback in after_commit:
        callback()
    with pytest.raises(storage.DocumentMissingError):
        storage.read(document.storage_id)


def test_an_erasure_rolled_back_keeps_the_files(
    supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    person, case, document = person_with_a_case(supervisor)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RolledBack):
        rolled_back(
            lambda: services.erase_person(
                actor_for(supervisor), supervisor, person, reason="duplicate"
            )
        )
    assert not Person.objects.get(pk=person.pk).is_erased
    assert Note.objects.get(case=case).body.startswith("She was")
    assert storage.read(document.storage_id) == b"%PDF-1.7 Olena"


def test_a_file_that_cannot_be_deleted_after_the_erasure_is_logged(
    supervisor: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    person, _case, document = person_with_a_case(supervisor)

    def broken_delete(storage_id: Any) -> bool:
        raise OSError("disk gone")

    monkeypatch.setattr(storage, "delete", broken_delete)
    with django_capture_on_commit_callbacks(execute=True):
        services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    # The erasure has committed: it stands, and the file left behind is named in the log.
    assert Person.objects.get(pk=person.pk).is_erased
    assert str(document.storage_id) in caplog.text
    assert "disk gone" in caplog.text


def test_erasure_needs_no_decryption(supervisor: User) -> None:
    """Data that no key opens any more (a lost key, a damaged value) can still be erased."""
    person, case, _document = person_with_a_case(supervisor)
    lost = "wpe1.klost.AAAA"
    person_table, note_table = Person._meta.db_table, Note._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {person_table} SET given_names = %s WHERE id = %s", [lost, person.pk]
        )
        cursor.execute(f"UPDATE {note_table} SET body = %s WHERE case_id = %s", [lost, case.pk])
    services.erase_person(actor_for(supervisor), supervisor, person, reason="duplicate")
    assert Person.objects.get(pk=person.pk).given_names is None
    assert Note.objects.get(case=case).body == ""
