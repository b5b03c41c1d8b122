"""`waypoint keys`: rotation moves every stored value and file to a new key while readers keep
working; retiring a key is possible only once nothing uses it."""

import json
import stat
from collections import Counter
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent
from waypoint.audit.services import Actor
from waypoint.cases.models import Case, Document, Note, StoredScreening
from waypoint.local_secrets import new_field_keyring
from waypoint.people import crypto, rotation, services, storage
from waypoint.people.crypto import Keyring, key_id_of, keyring
from waypoint.people.fields import encrypted_fields_of, models_with_encrypted_fields
from waypoint.people.models import Person

NAMES = ["Olena", "Iryna", "Mariam", "Nadia", "Ewa"]


def verified(user: User) -> User:
    user.is_verified = lambda: True  # type: ignore[method-assign]
    return user


@pytest.fixture
def key_file(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = new_field_keyring()
    path = tmp_path / "keys" / "field_keys.json"
    path.parent.mkdir()
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    monkeypatch.delenv(crypto.KEYS_ENV, raising=False)
    monkeypatch.setenv(crypto.KEYS_FILE_ENV, str(path))
    settings.FIELD_ENCRYPTION_KEYRING = config
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return path


@pytest.fixture
def records(key_file: Path, alpha: Organisation, make_user: Callable[..., User]) -> list[Case]:
    """People, cases, notes, screenings and document files, all under the first key."""
    user = verified(make_user(alpha, Role.SUPERVISOR))
    cases = []
    for name in NAMES:
        data = services.validate_person_data(
            {
                "given_names": name,
                "birth_date": "1990-01-02",
                "phone": "+48600100200",
                "languages": ["uk"],
            }
        )
        person = services.register_person(
            Actor(user_id=user.pk), user, organisation=alpha, data=data
        )
        case = Case.objects.create(
            organisation=alpha, person=person, owner=user, opened_on=date(2026, 1, 1)
        )
        Note.objects.create(case=case, body=f"Note about {name}", author=user)
        StoredScreening.objects.create(
            case=case,
            answers={"name": name},
            result={"verdict": "likely"},
            verdict="likely",
            ruleset_version="1",
            catalogue_sha256="0" * 64,
            recorded_by=user,
        )
        document = Document.objects.create(
            case=case,
            filename=f"{name}.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=user,
        )
        storage.store(document.storage_id, f"scan of {name}".encode())
        cases.append(case)
    return cases


def stored_key_ids() -> Counter[str]:
    """Key ids of every encrypted value in the database, read with plain SQL."""
    found: Counter[str] = Counter()
    for model, fields in models_with_encrypted_fields():
        for field in fields:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {field.column} FROM {model._meta.db_table} "
                    f"WHERE {field.column} IS NOT NULL"
                )
                found.update(key_id_of(value) or "(clear)" for (value,) in cursor.fetchall())
    return found


def file_key_ids() -> Counter[str]:
    return Counter(storage.key_id(storage_id) for storage_id in storage.stored_ids())


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def assert_everything_reads(cases: list[Case]) -> None:
    for name, case in zip(NAMES, cases, strict=True):
        person = Person.objects.get(pk=case.person_id)
        assert (person.given_names, person.phone, person.languages) == (
            name,
            "+48600100200",
            ["ukr"],
        )
        assert Note.objects.get(case=case).body == f"Note about {name}"
        assert StoredScreening.objects.get(case=case).answers == {"name": name}
        document = Document.objects.get(case=case)
        assert document.filename == f"{name}.pdf"
        assert storage.read(document.storage_id) == f"scan of {name}".encode()


def test_rotation_moves_every_value_and_file_to_a_new_key(
    records: list[Case], key_file: Path
) -> None:
    old = keyring().active_id
    before = stored_key_ids()
    assert set(before) == {old}
    assert set(file_key_ids()) == {old}

    output = keys("rotate", "--batch-size", "2")

    config = json.loads(key_file.read_text())
    new = config["active"]
    assert new != old
    assert set(config["keys"]) == {old, new}
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert keyring().active_id == new
    assert stored_key_ids() == Counter({new: sum(before.values())})
    assert file_key_ids() == Counter({new: len(NAMES)})
    assert_everything_reads(records)
    assert f"Added key {new}; it is now active (was {old})." in output
    assert f"Done: {sum(before.values())} values and {len(NAMES)} files re-encrypted." in output
    assert "people_person: 20 values re-encrypted" in output  # 5 people × 4 fields
    [rotated] = AuditEvent.objects.filter(action="keys.rotate")
    assert rotated.details == {"key": new, "previous_key": old}
    [reencrypted] = AuditEvent.objects.filter(action="keys.reencrypt")
    assert reencrypted.details["values"] == sum(before.values())

    keys("retire", old)
    assert set(json.loads(key_file.read_text())["keys"]) == {new}
    assert AuditEvent.objects.filter(action="keys.retire", details__key=old).count() == 1
    assert_everything_reads(records)


def test_a_key_in_use_cannot_be_retired(records: list[Case], key_file: Path) -> None:
    old = keyring().active_id
    new, _previous = rotation.add_active_key(Actor(username="test"))
    with pytest.raises(CommandError, match=f"Key {old} still encrypts 40 values and 5 files"):
        keys("retire", old)
    with pytest.raises(CommandError, match=f"Key {new} is the active key"):
        keys("retire", new)
    with pytest.raises(CommandError, match="There is no key 'k-none'"):
        keys("retire", "k-none")
    with pytest.raises(CommandError, match="Give a KEY_ID"):
        keys("retire")
    assert set(json.loads(key_file.read_text())["keys"]) == {old, new}
    assert not AuditEvent.objects.filter(action="keys.retire").exists()


def test_readers_work_during_a_half_done_rotation(
    records: list[Case], key_file: Path, settings: Any
) -> None:
    old = keyring().active_id
    new, _previous = rotation.add_active_key(Actor(username="test"))
    # The rotation has moved people to the new key but not yet the cases' records.
    rotation.reencrypt_table(Person, encrypted_fields_of(Person), rotation.ReencryptionReport())
    assert stored_key_ids()[new] == 20
    assert stored_key_ids()[old] == 20

    # A reader that was given the keyring with both keys (say, another server) reads both.
    settings.FIELD_ENCRYPTION_KEYRING = json.loads(key_file.read_text())
    assert set(keyring().keys) == {old, new}
    assert_everything_reads(records)

    # A reader that still holds only the old key cannot read what was moved: that is why a
    # key is made readable everywhere before it is used (see docs/data-protection.md).
    only_old = Keyring(old, {old: keyring().keys[old]}, keyring().index_key)
    [given_names] = [f for f in encrypted_fields_of(Person) if f.name == "given_names"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT given_names FROM {Person._meta.db_table} LIMIT 1")
        (stored,) = cursor.fetchone()
    with pytest.raises(crypto.DecryptionError, match="unknown key id"):
        only_old.decrypt(stored, context=given_names.context())

    # Resuming finishes the job.
    keys("reencrypt")
    assert set(stored_key_ids()) == {new}


def test_reencryption_is_idempotent(records: list[Case], key_file: Path) -> None:
    keys("rotate")
    second = keys("reencrypt")
    assert "Done: 0 values and 0 files re-encrypted." in second


def test_a_value_saved_meanwhile_is_not_overwritten(
    records: list[Case], key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rotation.add_active_key(Actor(username="test"))
    note = Note.objects.get(case=records[0])
    original_decrypt = Keyring.decrypt
    saved = []

    def decrypt_while_someone_saves(self: Keyring, token: str, *, context: str) -> bytes:
        plaintext = original_decrypt(self, token, context=context)
        if context == "cases_note.body" and not saved:
            Note.objects.filter(pk=note.pk).update(body="Corrected while rotating")
            saved.append(True)
        return plaintext

    monkeypatch.setattr(Keyring, "decrypt", decrypt_while_someone_saves)
    report = rotation.reencrypt_all()
    monkeypatch.undo()
    assert report.changed_meanwhile == 1
    assert Note.objects.get(pk=note.pk).body == "Corrected while rotating"
    assert set(stored_key_ids()) == {keyring().active_id}


def test_unreadable_values_are_reported_and_skipped(records: list[Case], key_file: Path) -> None:
    note = Note.objects.get(case=records[0])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Note._meta.db_table} SET body = %s WHERE id = %s",
            ["wpe1.kgone.AAAA", note.pk],
        )
    with pytest.raises(CommandError) as raised:
        keys("rotate")
    assert f"cases_note.body of row {note.pk}: unknown key id 'kgone'" in str(raised.value)
    assert stored_key_ids()[keyring().active_id] == 39


def test_status_counts_values_and_files_per_key(records: list[Case], key_file: Path) -> None:
    old = keyring().active_id
    rotation.add_active_key(Actor(username="test"))
    new = keyring().active_id
    rotation.reencrypt_table(Note, encrypted_fields_of(Note), rotation.ReencryptionReport())
    lines = keys("status").splitlines()
    assert lines[0].split() == ["key", "values", "files"]
    assert f"{old:20} {35:>10} {5:>8}" in lines
    assert f"{new:20} {5:>10} {0:>8}  (active)" in lines


def test_keys_from_the_environment_are_not_rotated_but_reencrypted(
    records: list[Case], key_file: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = json.loads(key_file.read_text())
    monkeypatch.setenv(crypto.KEYS_ENV, json.dumps(config))
    with pytest.raises(CommandError, match="waypoint keys reencrypt"):
        keys("rotate")
    with pytest.raises(CommandError, match="remove the key there yourself"):
        keys("retire", config["active"])

    # The operator adds a key to the variable, makes it active and restarts.
    old = config["active"]
    config["keys"]["k2"] = "A" * 43 + "="
    config["active"] = "k2"
    monkeypatch.setenv(crypto.KEYS_ENV, json.dumps(config))
    settings.FIELD_ENCRYPTION_KEYRING = config
    assert keyring().active_id == "k2"
    keys("reencrypt")
    assert set(stored_key_ids()) == {"k2"}
    assert set(file_key_ids()) == {"k2"}
    assert old in keys("status")
    assert_everything_reads(records)


def test_rotate_refuses_a_file_this_process_does_not_use(
    records: list[Case], key_file: Path, settings: Any
) -> None:
    settings.FIELD_ENCRYPTION_KEYRING = new_field_keyring()  # a keyring from elsewhere
    with pytest.raises(CommandError, match="does not use that file"):
        keys("rotate")
