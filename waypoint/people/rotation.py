"""Key rotation: add a key, move every encrypted value and file to it, retire the old one.

Re-encryption works through raw SQL on every encrypted column the app registry knows of, in
batches that each commit on their own, so the service keeps running: every reader accepts any key
of the keyring meanwhile. A value is replaced only if it is still the one that was read (the
application may have saved a new one since), so nothing written meanwhile is lost; values already
under the active key are skipped, so a run that stopped half-way is simply run again.
"""

import base64
import fcntl
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction

from waypoint.audit import services as audit
from waypoint.people import storage
from waypoint.people.crypto import (
    KEYS_ENV,
    MAX_KEY_ID_LENGTH,
    PREFIX,
    DecryptionError,
    Keyring,
    key_id_of,
    keyring,
    keyring_file,
    new_key,
    new_key_id,
    reload_keyring,
)
from waypoint.people.fields import EncryptedTextField, models_with_encrypted_fields

NOT_ENCRYPTED = "(not encrypted)"
DEFAULT_BATCH_SIZE = 500
_PREFIX_CHARACTERS = len(PREFIX) + MAX_KEY_ID_LENGTH + 2

Progress = Callable[[str], None]


class KeyringFileError(Exception):
    """The key file cannot be changed as asked."""


class KeyInUseError(KeyringFileError):
    """The key still encrypts values or files, or is the active key."""


@dataclass
class ReencryptionReport:
    values: Counter[str] = field(default_factory=Counter)  # "table.column" → values moved
    files: int = 0
    changed_meanwhile: int = 0
    unreadable: list[str] = field(default_factory=list)  # where, never what

    @property
    def total_values(self) -> int:
        return sum(self.values.values())


@dataclass
class KeyUsage:
    values: Counter[str] = field(default_factory=Counter)  # key id → values
    files: Counter[str] = field(default_factory=Counter)  # key id → files

    def uses(self, key_id: str) -> int:
        return self.values[key_id] + self.files[key_id]

    def key_ids(self) -> list[str]:
        return sorted(set(self.values) | set(self.files))


# --- The key file -----------------------------------------------------------------------------


def writable_keyring_file() -> Path:
    path = keyring_file()
    if path is None:
        raise KeyringFileError(
            f"The keys come from the {KEYS_ENV} environment variable, which Waypoint cannot "
            "change. To rotate: add a new key to its 'keys' (32 random bytes, base64) and restart "
            "every process; then make it 'active' and restart again; then run "
            "`waypoint keys reencrypt`. Remove the old key once `waypoint keys status` shows "
            "nothing uses it."
        )
    return path


@contextmanager
def _locked(path: Path) -> Iterator[dict[str, Any]]:
    """The key file's JSON, with an exclusive lock held so that two commands cannot lose a key
    by writing over each other."""
    lock_path = path.with_name(path.name + ".lock")
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            config = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise KeyringFileError(f"Cannot read the key file {path}: {error}") from error
        Keyring.from_config(config)
        yield config
    finally:
        os.close(descriptor)


def _write(path: Path, config: dict[str, Any]) -> None:
    Keyring.from_config(config)  # never write a file that would not load
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp creates it 0600
            handle.write(json.dumps(config, indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def add_active_key(actor: audit.Actor) -> tuple[str, str]:
    """Add a new random key to the key file and make it active; return (new id, previous id)."""
    path = writable_keyring_file()
    with _locked(path) as config:
        previous = str(config["active"])
        key_id = new_key_id(set(config["keys"]))
        config["keys"][key_id] = base64.b64encode(new_key()).decode()
        config["active"] = key_id
        _write(path, config)
    if reload_keyring().active_id != key_id:
        raise KeyringFileError(
            f"Key {key_id} was added to {path}, but this process does not use that file "
            "(its keyring has a different index key). Nothing was re-encrypted."
        )
    with transaction.atomic():
        audit.record(actor, "keys.rotate", details={"key": key_id, "previous_key": previous})
    return key_id, previous


def retire_key(actor: audit.Actor, key_id: str, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
    """Remove a key from the key file, once nothing is encrypted with it any more."""
    path = keyring_file()
    if path is None:
        raise KeyringFileError(
            f"The keys come from the {KEYS_ENV} environment variable: remove the key there "
            "yourself once `waypoint keys status` shows nothing uses it."
        )
    with _locked(path) as config:
        if key_id not in config["keys"]:
            raise KeyringFileError(f"There is no key {key_id!r} in {path}.")
        if key_id == config["active"]:
            raise KeyInUseError(
                f"Key {key_id} is the active key: run `waypoint keys rotate` first."
            )
        usage = key_usage(batch_size=batch_size)
        if usage.uses(key_id):
            raise KeyInUseError(
                f"Key {key_id} still encrypts {usage.values[key_id]} values and "
                f"{usage.files[key_id]} files: run `waypoint keys reencrypt` first."
            )
        del config["keys"][key_id]
        _write(path, config)
    reload_keyring()
    with transaction.atomic():
        audit.record(actor, "keys.retire", details={"key": key_id})


# --- Re-encryption ----------------------------------------------------------------------------


def reencrypt_all(
    *, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None
) -> ReencryptionReport:
    """Move every encrypted value and stored file to the active key."""
    report = ReencryptionReport()
    for model, fields in models_with_encrypted_fields():
        reencrypt_table(model, fields, report, batch_size=batch_size)
        if progress is not None:
            moved = sum(report.values[f"{model._meta.db_table}.{f.column}"] for f in fields)
            progress(f"{model._meta.db_table}: {moved} values re-encrypted")
    for storage_id in storage.stored_ids():
        try:
            report.files += storage.reencrypt(storage_id)
        except DecryptionError as error:
            report.unreadable.append(f"document file {storage_id}: {error}")
    if progress is not None:
        progress(f"document files: {report.files} re-encrypted")
    return report


def reencrypt_table(
    model: type[models.Model],
    fields: list[EncryptedTextField],
    report: ReencryptionReport,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> None:
    table, pk, columns = _quoted_names(model, fields)
    last_pk: Any = None
    while True:
        with transaction.atomic():
            current = keyring()  # per batch: a rotation running meanwhile changes it
            active_prefix = f"{PREFIX}.{current.active_id}."
            width = len(active_prefix)
            # Only rows with a value under another key; the width is ours, not user input.
            needs_work = " OR ".join(f"substr({column}, 1, {width}) <> %s" for column in columns)
            params: list[Any] = [active_prefix] * len(columns)
            after = ""
            if last_pk is not None:
                after = f" AND {pk} > %s"
                params.append(last_pk)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608
                    f"WHERE ({needs_work}){after} ORDER BY {pk} LIMIT {int(batch_size)}",
                    params,
                )
                rows = cursor.fetchall()
                for row in rows:
                    for field, column, stored in zip(fields, columns, row[1:], strict=True):
                        _reencrypt_value(
                            cursor, current, report, table, pk, row[0], field, column, stored
                        )
        if len(rows) < batch_size:
            return
        last_pk = rows[-1][0]


def _quoted_names(
    model: type[models.Model], fields: list[EncryptedTextField]
) -> tuple[str, str, list[str]]:
    """The table, primary key and encrypted columns, quoted for raw SQL."""
    quote = connection.ops.quote_name
    primary_key = model._meta.pk
    assert primary_key is not None
    return (
        quote(model._meta.db_table),
        quote(str(primary_key.column)),
        [quote(str(field.column)) for field in fields],
    )


def _reencrypt_value(
    cursor: Any,
    current: Keyring,
    report: ReencryptionReport,
    table: str,
    pk: str,
    row_pk: Any,
    field: EncryptedTextField,
    column: str,
    stored: str | None,
) -> None:
    if not stored or key_id_of(stored) == current.active_id:
        return
    where = f"{field.model._meta.db_table}.{field.column}"
    try:
        plaintext = current.decrypt(stored, context=field.context())
    except DecryptionError as error:
        report.unreadable.append(f"{where} of row {row_pk}: {error}")
        return
    cursor.execute(
        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
        [current.encrypt(plaintext, context=field.context()), row_pk, stored],
    )
    if cursor.rowcount == 1:
        report.values[where] += 1
    else:
        report.changed_meanwhile += 1


# --- Which key encrypts what ------------------------------------------------------------------


def key_usage(*, batch_size: int = DEFAULT_BATCH_SIZE) -> KeyUsage:
    """How many stored values and files each key id encrypts (reading only their prefixes)."""
    usage = KeyUsage()
    for model, fields in models_with_encrypted_fields():
        table, pk, columns = _quoted_names(model, fields)
        prefixes = ", ".join(f"substr({column}, 1, {_PREFIX_CHARACTERS})" for column in columns)
        last_pk: Any = None
        while True:
            after, params = ("", []) if last_pk is None else (f"WHERE {pk} > %s", [last_pk])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {prefixes} FROM {table} {after} "  # noqa: S608
                    f"ORDER BY {pk} LIMIT {int(batch_size)}",
                    params,
                )
                rows = cursor.fetchall()
            for row in rows:
                for stored in row[1:]:
                    if stored:
                        usage.values[key_id_of(stored) or NOT_ENCRYPTED] += 1
            if len(rows) < batch_size:
                break
            last_pk = rows[-1][0]
    for storage_id in storage.stored_ids():
        try:
            usage.files[storage.key_id(storage_id) or NOT_ENCRYPTED] += 1
        except storage.DocumentMissingError:
            continue  # deleted while we counted
    return usage
