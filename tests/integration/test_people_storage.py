"""Encrypted document files: private, bound to their id, written atomically."""

import os
import stat
import uuid
from pathlib import Path

import pytest

from waypoint.people import storage
from waypoint.people.crypto import DecryptionError, keyring

CONTENT = b"%PDF-1.7 statement of Olena Kovalenko " + os.urandom(4096)


def test_store_and_read(documents_dir: Path) -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, CONTENT)
    path = documents_dir / str(storage_id)
    on_disk = path.read_bytes()
    assert b"Olena" not in on_disk
    assert on_disk.startswith(f"wpe1.{keyring().active_id}.".encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(documents_dir.stat().st_mode) == 0o700
    assert storage.read(storage_id) == CONTENT
    assert storage.key_id(storage_id) == keyring().active_id
    assert list(storage.stored_ids()) == [storage_id]
    assert sorted(os.listdir(documents_dir)) == [str(storage_id)]  # no temporary file left


def test_an_id_is_never_overwritten() -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, b"first")
    with pytest.raises(FileExistsError):
        storage.store(storage_id, b"second")
    assert storage.read(storage_id) == b"first"


def test_a_file_under_another_id_does_not_open(documents_dir: Path) -> None:
    original, impostor = uuid.uuid4(), uuid.uuid4()
    storage.store(original, CONTENT)
    (documents_dir / str(impostor)).write_bytes((documents_dir / str(original)).read_bytes())
    with pytest.raises(DecryptionError):
        storage.read(impostor)


def test_a_tampered_file_does_not_open(documents_dir: Path) -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, CONTENT)
    path = documents_dir / str(storage_id)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(DecryptionError):
        storage.read(storage_id)


def test_delete() -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, CONTENT)
    assert storage.delete(storage_id) is True
    assert storage.delete(storage_id) is False
    with pytest.raises(storage.DocumentMissingError):
        storage.read(storage_id)
    with pytest.raises(storage.DocumentMissingError):
        storage.key_id(storage_id)


def test_only_uuids_name_files() -> None:
    with pytest.raises(TypeError):
        storage.read("../../etc/passwd")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        storage.store(str(uuid.uuid4()), b"x")  # type: ignore[arg-type]


def test_a_failed_write_leaves_nothing(
    documents_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(fd: int) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        storage.store(uuid.uuid4(), CONTENT)
    monkeypatch.undo()
    assert [name for name in os.listdir(documents_dir) if name != ".lock"] == []


def test_stored_ids_ignore_other_files(documents_dir: Path) -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, b"x")
    (documents_dir / ".incoming-abc").write_bytes(b"half")
    (documents_dir / str(storage_id).upper()).write_bytes(b"odd")
    (documents_dir / "notes.txt").write_bytes(b"?")
    assert list(storage.stored_ids()) == [storage_id]


def test_an_empty_file_is_stored_too() -> None:
    storage_id = uuid.uuid4()
    storage.store(storage_id, b"")
    assert storage.read(storage_id) == b""
