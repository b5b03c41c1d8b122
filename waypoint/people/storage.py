"""Encrypted files on disk, named by a random UUID and bound to it.

Each file is `wpe1.<key id>.` followed by the AES-GCM nonce and ciphertext of the content, with
`document:<uuid>` as associated data: a file renamed to another document's id does not open.
Writes go to a private temporary file that is then renamed into place, so a reader never sees
half a file. Re-encryption (key rotation) and deletion take the directory lock, so a file
deleted during a rotation is never written back.

The files follow the rows that name them: a file is written once its row is committed
(`store_after_commit`) and deleted once the deletion or erasure of its row is committed
(`delete_after_commit`), so that a transaction that fails or rolls back writes no file and
deletes none. A crash between the commit and the file's write or deletion can still leave a
row without its file or a file without its row: `waypoint check_documents` finds both.
"""

import fcntl
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.db import transaction

from waypoint.people.crypto import MAX_KEY_ID_LENGTH, PREFIX, key_id_of, keyring

_logger = logging.getLogger(__name__)
_LOCK_NAME = ".lock"
_TEMPORARY_PREFIX = ".incoming-"
_HEADER_BYTES = len(PREFIX) + MAX_KEY_ID_LENGTH + 2


class DocumentMissingError(FileNotFoundError):
    """No stored file has this id (never stored, or deleted)."""


@dataclass(frozen=True)
class StoredFile:
    storage_id: UUID
    modified_at: datetime
    """When the file was last written (stored, or re-encrypted by a key rotation)."""


def documents_dir() -> Path:
    return Path(getattr(settings, "DOCUMENTS_DIR", settings.VAR_DIR / "documents"))


def context_for(storage_id: UUID) -> str:
    return f"document:{_checked(storage_id)}"


def path_for(storage_id: UUID) -> Path:
    return documents_dir() / str(_checked(storage_id))


def store(storage_id: UUID, content: bytes) -> None:
    """Encrypt and write a new file; an id already in use is refused, never overwritten."""
    sealed = keyring().encrypt_bytes(content, context=context_for(storage_id))
    _write(path_for(storage_id), sealed, replace=False)


def store_after_commit(storage_id: UUID, content: bytes, *, undo: Callable[[], None]) -> None:
    """Write a new file once the current transaction commits (at once outside a transaction),
    so that a transaction that fails or rolls back leaves no file. Should the write fail then,
    `undo` removes what the transaction committed (the row naming the file) before the error is
    raised."""

    def write() -> None:
        try:
            store(storage_id, content)
        except Exception:
            undo()
            raise

    transaction.on_commit(write)


def read(storage_id: UUID) -> bytes:
    try:
        sealed = path_for(storage_id).read_bytes()
    except FileNotFoundError:
        raise DocumentMissingError(f"no stored document {storage_id}") from None
    return keyring().decrypt_bytes(sealed, context=context_for(storage_id))


def delete(storage_id: UUID) -> bool:
    """Remove the file; True if there was one. Deleting twice is harmless."""
    path = path_for(storage_id)
    with _directory_lock():
        try:
            path.unlink()
        except FileNotFoundError:
            return False
    _sync_directory(path.parent)
    return True


def delete_after_commit(storage_ids: Iterable[UUID]) -> None:
    """Delete the files once the current transaction commits (at once outside a transaction);
    if it rolls back, they stay with the rows that still name them. A file that cannot be
    deleted then is logged rather than raised: the transaction has committed already."""
    for storage_id in storage_ids:
        transaction.on_commit(partial(_delete_or_log, storage_id))


def _delete_or_log(storage_id: UUID) -> None:
    try:
        delete(storage_id)
    except OSError:
        _logger.exception("The stored document %s could not be deleted", storage_id)


def key_id(storage_id: UUID) -> str:
    """The id of the key a stored file is encrypted with."""
    try:
        with path_for(storage_id).open("rb") as handle:
            return key_id_of(handle.read(_HEADER_BYTES))
    except FileNotFoundError:
        raise DocumentMissingError(f"no stored document {storage_id}") from None


def stored_ids() -> Iterator[UUID]:
    """Every stored file's id, in a stable order (key rotation resumes in the same order)."""
    directory = documents_dir()
    if not directory.is_dir():
        return
    for name in sorted(os.listdir(directory)):
        try:
            storage_id = UUID(name)
        except ValueError:
            continue  # the lock file and temporary files
        if str(storage_id) == name:
            yield storage_id


def stored_files() -> Iterator[StoredFile]:
    """Every stored file's id and last write, in the order of `stored_ids`; a file deleted
    while they are listed is left out."""
    for storage_id in stored_ids():
        try:
            modified = path_for(storage_id).stat().st_mtime
        except FileNotFoundError:
            continue
        yield StoredFile(storage_id, datetime.fromtimestamp(modified, tz=UTC))


def exists(storage_id: UUID) -> bool:
    return path_for(storage_id).is_file()


def reencrypt(storage_id: UUID) -> bool:
    """Move a file to the active key; False if it already uses it or has gone meanwhile."""
    current = keyring()
    path = path_for(storage_id)
    context = context_for(storage_id)
    with _directory_lock():
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            return False
        if key_id_of(sealed) == current.active_id:
            return False
        content = current.decrypt_bytes(sealed, context=context)
        _write(path, current.encrypt_bytes(content, context=context), replace=True)
    return True


def _checked(storage_id: UUID) -> UUID:
    # Only a real UUID becomes a file name: nothing from outside can reach another path.
    if not isinstance(storage_id, UUID):
        raise TypeError(f"storage ids are UUIDs, not {type(storage_id).__name__}")
    return storage_id


def _write(path: Path, data: bytes, *, replace: bool) -> None:
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=_TEMPORARY_PREFIX)
    try:
        with os.fdopen(descriptor, "wb") as handle:  # mkstemp creates it 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            # A hard link fails if the name exists, where a rename would silently replace it.
            os.link(temporary, path)
            os.unlink(temporary)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _directory_lock() -> Iterator[None]:
    directory = documents_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
