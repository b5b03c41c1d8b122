"""`waypoint check_documents [--delete-orphan-files [--older-than-minutes N]]`: do the document
rows and the stored files still match?

A document's file is written once its row is committed and deleted once the row's deletion is
committed, so a crash in between can leave a row without its file or a file without its row.
This reports both by ids alone (documents, cases, stored files), never a name, and exits with
status 1 when it found either, for cron or monitoring. See docs/cases.md.
"""

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waypoint.audit.services import Actor
from waypoint.cases.documents import DocumentFilesReport, OrphanFile, check_document_files

ACTOR = Actor(username="waypoint check_documents")
DEFAULT_GRACE_MINUTES = 60


class Command(BaseCommand):
    help = (
        "Compare the document rows with the stored files: report documents whose file is "
        "missing and stored files no document needs, by id only; exit with 1 if there are any. "
        "`--delete-orphan-files` deletes those files (each deletion audited), if older than "
        "`--older-than-minutes`; rows are never deleted."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--delete-orphan-files",
            action="store_true",
            help="Delete the stored files no document needs, once older than the grace period.",
        )
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=None,
            help=(
                "The grace period: orphan files written more recently are kept "
                f"(default {DEFAULT_GRACE_MINUTES})."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        delete = options["delete_orphan_files"]
        minutes = options["older_than_minutes"]
        if minutes is not None and not delete:
            raise CommandError("--older-than-minutes goes with --delete-orphan-files only.")
        minutes = DEFAULT_GRACE_MINUTES if minutes is None else minutes
        if minutes < 1:
            raise CommandError("--older-than-minutes must be at least 1.")
        report = check_document_files(
            ACTOR, delete_orphans_older_than=timedelta(minutes=minutes) if delete else None
        )
        checked = (
            f"Checked {_amount(report.documents, 'document')} "
            f"and {_amount(report.files, 'stored file')}"
        )
        if report.clean:
            self.stdout.write(f"{checked}: no problems found.")
            return
        self.stdout.write(f"{checked}.")
        self._report(report, minutes)
        raise CommandError(
            f"Found {_amount(len(report.documents_without_file), 'document')} without "
            f"a stored file and {_amount(len(report.orphan_files), 'orphan stored file')}."
        )

    def _report(self, report: DocumentFilesReport, minutes: int) -> None:
        if report.documents_without_file:
            self.stdout.write(
                f"Documents without a stored file: {len(report.documents_without_file)}"
            )
            for row in report.documents_without_file:
                self.stdout.write(f"  document {row.document_id} of case {row.case_id}")
        if report.orphan_files:
            self.stdout.write(
                "Orphan stored files (no document names them, or their document's person was "
                f"erased): {len(report.orphan_files)}"
            )
            for orphan in report.orphan_files:
                self.stdout.write(f"  {orphan.storage_id}  {_origin(orphan)}")
        if report.deletion_refused:
            self.stdout.write(
                "Deleted nothing: no document names any of the stored files, as when the "
                "database (DATABASE_URL) or the documents folder (WAYPOINT_DOCUMENTS_DIR) is "
                "the wrong one. If the files really are orphans, delete them by hand."
            )
        self._files(f"Deleted, older than {minutes} minutes (audited)", report.deleted)
        self._files(f"Kept, written in the last {minutes} minutes", report.too_recent)
        if report.not_deleted:
            self.stdout.write(f"Could not delete: {len(report.not_deleted)}")
            for orphan, error in report.not_deleted:
                self.stdout.write(f"  {orphan.storage_id}  {error}")

    def _files(self, heading: str, orphans: list[OrphanFile]) -> None:
        if orphans:
            self.stdout.write(f"{heading}: {len(orphans)}")
            for orphan in orphans:
                self.stdout.write(f"  {orphan.storage_id}")


def _origin(orphan: OrphanFile) -> str:
    document = orphan.erased_document
    if document is None:
        return "no document"
    return f"document {document.document_id} of case {document.case_id}, person erased"


def _amount(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
