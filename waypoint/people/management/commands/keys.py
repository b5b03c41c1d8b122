"""`waypoint keys rotate|reencrypt|status|retire KEY_ID`: field-encryption key management.

See docs/data-protection.md for the procedure. Every step can be run again: re-encryption
skips what is already under the active key, and retiring checks that nothing uses the key.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.services import Actor, record
from waypoint.people.crypto import keyring
from waypoint.people.rotation import (
    DEFAULT_BATCH_SIZE,
    NOT_ENCRYPTED,
    KeyringFileError,
    ReencryptionReport,
    add_active_key,
    key_usage,
    reencrypt_all,
    retire_key,
)

ACTOR = Actor(username="waypoint keys")


class Command(BaseCommand):
    help = (
        "Field-encryption keys. `rotate` adds a new active key and re-encrypts everything with "
        "it; `reencrypt` only re-encrypts (after the active key was changed by hand); `status` "
        "counts values and files per key; `retire KEY_ID` removes a key nothing uses any more."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("operation", choices=["rotate", "reencrypt", "status", "retire"])
        parser.add_argument("key_id", nargs="?", help="The key to retire.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Rows per transaction while re-encrypting (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if (operation == "retire") != bool(options["key_id"]):
            raise CommandError("Give a KEY_ID to `retire`, and only to `retire`.")
        try:
            if operation == "rotate":
                key_id, previous = add_active_key(ACTOR)
                self.stdout.write(f"Added key {key_id}; it is now active (was {previous}).")
                self._reencrypt(batch_size)
            elif operation == "reencrypt":
                self._reencrypt(batch_size)
            elif operation == "status":
                self._status(batch_size)
            else:
                retire_key(ACTOR, options["key_id"], batch_size=batch_size)
                self.stdout.write(f"Key {options['key_id']} retired.")
        except KeyringFileError as error:
            raise CommandError(str(error)) from error

    def _reencrypt(self, batch_size: int) -> None:
        active = keyring().active_id
        self.stdout.write(f"Re-encrypting with key {active}…")
        report = reencrypt_all(batch_size=batch_size, progress=self.stdout.write)
        record(ACTOR, "keys.reencrypt", details=self._summary(active, report))
        self.stdout.write(
            f"Done: {report.total_values} values and {report.files} files re-encrypted."
        )
        if report.changed_meanwhile:
            self.stdout.write(
                f"{report.changed_meanwhile} values were saved by someone else meanwhile; "
                "run `waypoint keys reencrypt` again to check them."
            )
        if report.unreadable:
            raise CommandError(
                f"{len(report.unreadable)} values or files could not be decrypted with any key "
                "of the keyring and were left as they are:\n  " + "\n  ".join(report.unreadable)
            )

    def _summary(self, active: str, report: ReencryptionReport) -> dict[str, Any]:
        return {
            "key": active,
            "values": report.total_values,
            "files": report.files,
            "changed_meanwhile": report.changed_meanwhile,
            "unreadable": len(report.unreadable),
        }

    def _status(self, batch_size: int) -> None:
        current = keyring()
        usage = key_usage(batch_size=batch_size)
        self.stdout.write(f"{'key':20} {'values':>10} {'files':>8}")
        for key_id in sorted(set(current.keys) | set(usage.key_ids())):
            if key_id == current.active_id:
                note = "  (active)"
            elif key_id == NOT_ENCRYPTED or key_id in current.keys:
                note = ""
            else:
                note = "  (NOT IN THE KEYRING: these cannot be read)"
            self.stdout.write(
                f"{key_id:20} {usage.values[key_id]:>10} {usage.files[key_id]:>8}{note}"
            )
