"""`waypoint check_documents`: the document rows and the stored files are compared, what does
not match is reported by id alone (exit status 1), and orphan files past the grace period are
deleted on request, each deletion audited.

A row deleted in a test is deleted inside the test's own transaction, which never commits: its
file stays, as when the deletion after the commit fails or the process dies before it.
"""

import os
import sys
import time
import uuid
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.integration.test_cases_support import (
    PDF_BYTES,
    PERSON,
    Team,
    actions,
    actor_for,
    committed,
    make_team,
    open_case,
)
from waypoint.__main__ import main
from waypoint.accounts.models import Organisation, User
from waypoint.cases import documents, services
from waypoint.cases.models import Case, Document
from waypoint.people import storage

# The file's name names the person: neither may ever be printed.
GIVEN_NAMES, FAMILY_NAMES = str(PERSON["given_names"]), str(PERSON["family_names"])
FILENAME = f"{GIVEN_NAMES} {FAMILY_NAMES} passport.pdf"
PERSONAL_DATA = (GIVEN_NAMES, FAMILY_NAMES, FILENAME, "passport")
TWO_HOURS = 2 * 60 * 60


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def case(team: Team) -> Case:
    return open_case(team.case_worker, supervisor=team.supervisor)


def upload(team: Team, case: Case) -> Document:
    """A document whose upload is committed, and so has its file."""
    with committed():
        return services.upload_document(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            filename=FILENAME,
            content_type="application/pdf",
            content=PDF_BYTES,
        )


def orphaned(document: Document) -> Document:
    """Delete the row; the test's transaction never commits, so the file stays behind."""
    Document.objects.filter(pk=document.pk).delete()
    return document


def written_ago(document: Document, seconds: int) -> None:
    moment = time.time() - seconds
    os.utime(storage.path_for(document.storage_id), (moment, moment))


def check(*arguments: str) -> tuple[int, str]:
    """The exit status and everything printed, as `waypoint check_documents` would give them."""
    out = StringIO()
    try:
        call_command("check_documents", *arguments, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}{error}\n"
    return 0, out.getvalue()


def assert_no_personal_data(output: str) -> None:
    for value in PERSONAL_DATA:
        assert value not in output


# ---- reporting ------------------------------------------------------------------------------


def test_matching_rows_and_files_are_clean(team: Team, case: Case) -> None:
    upload(team, case)
    upload(team, case)
    status, output = check()
    assert status == 0
    assert output == "Checked 2 documents and 2 stored files: no problems found.\n"


@pytest.mark.django_db
def test_a_documents_folder_not_made_yet_is_clean(documents_dir: Path) -> None:
    status, output = check()
    assert status == 0
    assert "no problems found" in output
    assert not documents_dir.exists()


def test_a_document_whose_file_is_missing_is_reported(team: Team, case: Case) -> None:
    kept, lost = upload(team, case), upload(team, case)
    storage.delete(lost.storage_id)
    status, output = check()
    assert status == 1
    assert "Checked 2 documents and 1 stored file." in output
    assert f"Documents without a stored file: 1\n  document {lost.pk} of case {case.pk}\n" in (
        output
    )
    assert f"document {kept.pk} " not in output
    assert "Found 1 document without a stored file and 0 orphan stored files." in output
    assert_no_personal_data(output)


def test_a_file_without_its_row_is_reported(team: Team, case: Case) -> None:
    kept = upload(team, case)
    deleted = orphaned(upload(team, case))
    status, output = check()
    assert status == 1
    assert "Checked 1 document and 2 stored files." in output
    assert f"erased): 1\n  {deleted.storage_id}  no document\n" in output
    assert str(kept.storage_id) not in output
    assert "Found 0 documents without a stored file and 1 orphan stored file." in output
    assert_no_personal_data(output)
    # Only reported: without --delete-orphan-files nothing is deleted.
    assert storage.exists(deleted.storage_id)
    assert not actions("document.delete_orphan_file")


def test_an_erased_persons_documents_have_no_files_rightly(team: Team, case: Case) -> None:
    upload(team, case)
    with committed():
        documents.erase_person_data(
            actor_for(team.supervisor), team.supervisor, case, reason="duplicate"
        )
    assert Document.objects.count() == 1
    assert check() == (0, "Checked 1 document and 0 stored files: no problems found.\n")


def test_a_file_the_erasure_left_behind_is_an_orphan(team: Team, case: Case) -> None:
    document = upload(team, case)
    # The erasure is committed but its files' deletion, after the commit, never happened.
    documents.erase_person_data(
        actor_for(team.supervisor), team.supervisor, case, reason="duplicate"
    )
    written_ago(document, TWO_HOURS)
    status, output = check("--delete-orphan-files")
    assert status == 1
    assert (
        f"  {document.storage_id}  document {document.pk} of case {case.pk}, person erased\n"
        in output
    )
    assert not storage.exists(document.storage_id)
    [event] = actions("document.delete_orphan_file")
    assert event.organisation_id == case.organisation_id
    assert event.details["reason"] == "person_erased"
    assert event.details["document_id"] == document.pk
    assert event.details["case_id"] == case.pk
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_row_and_file_both_gone_is_clean(team: Team, case: Case) -> None:
    document = upload(team, case)
    with committed():
        orphaned(document)
    assert check() == (0, "Checked 0 documents and 0 stored files: no problems found.\n")


# ---- deleting orphan files ------------------------------------------------------------------


def test_only_orphan_files_past_the_grace_period_are_deleted(team: Team, case: Case) -> None:
    kept = upload(team, case)
    old_orphan = orphaned(upload(team, case))
    young_orphan = orphaned(upload(team, case))
    for document in (kept, old_orphan):
        written_ago(document, TWO_HOURS)
    written_ago(young_orphan, 30 * 60)

    status, output = check("--delete-orphan-files")

    assert status == 1
    assert storage.exists(kept.storage_id)
    assert not storage.exists(old_orphan.storage_id)
    assert storage.exists(young_orphan.storage_id)
    assert f"Deleted, older than 60 minutes (audited): 1\n  {old_orphan.storage_id}\n" in output
    assert f"Kept, written in the last 60 minutes: 1\n  {young_orphan.storage_id}\n" in output
    [event] = actions("document.delete_orphan_file")
    assert event.actor_username == "waypoint check_documents"
    assert event.object_type == "document_file"
    assert event.object_id == str(old_orphan.storage_id)
    assert event.details["reason"] == "no_document"
    assert "document_id" not in event.details
    assert_no_personal_data(output)
    assert_no_personal_data(str(event.details))
    assert list(Document.objects.all()) == [kept]


def test_the_grace_period_can_be_shortened(team: Team, case: Case) -> None:
    upload(team, case)
    orphan = orphaned(upload(team, case))
    written_ago(orphan, 30 * 60)
    status, output = check("--delete-orphan-files", "--older-than-minutes", "20")
    assert status == 1
    assert f"Deleted, older than 20 minutes (audited): 1\n  {orphan.storage_id}\n" in output
    assert not storage.exists(orphan.storage_id)
    # What was deleted is no longer found.
    assert check() == (0, "Checked 1 document and 1 stored file: no problems found.\n")


def test_nothing_is_deleted_when_no_row_names_any_file(
    team: Team, case: Case, documents_dir: Path
) -> None:
    # As with the wrong DATABASE_URL: every file looks like an orphan.
    orphans = [orphaned(upload(team, case)), orphaned(upload(team, case))]
    for document in orphans:
        written_ago(document, TWO_HOURS)
    status, output = check("--delete-orphan-files")
    assert status == 1
    assert "Deleted nothing: no document names any of the stored files" in output
    assert all(storage.exists(document.storage_id) for document in orphans)
    assert not actions("document.delete_orphan_file")


def test_a_file_that_cannot_be_deleted_is_reported_and_not_audited(
    team: Team, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(team, case)
    orphan = orphaned(upload(team, case))
    written_ago(orphan, TWO_HOURS)

    def refused(storage_id: uuid.UUID) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storage, "delete", refused)
    status, output = check("--delete-orphan-files")
    assert status == 1
    assert f"Could not delete: 1\n  {orphan.storage_id}  Permission denied\n" in output
    assert not actions("document.delete_orphan_file")


def test_the_grace_period_needs_the_deletion_and_a_minute_at_least(db: None) -> None:
    with pytest.raises(CommandError, match="goes with --delete-orphan-files only"):
        call_command("check_documents", "--older-than-minutes", "5")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("check_documents", "--delete-orphan-files", "--older-than-minutes", "0")


# ---- the exit status ------------------------------------------------------------------------


def test_the_waypoint_command_exits_with_1_on_a_problem(
    team: Team, case: Case, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    orphaned(upload(team, case))
    monkeypatch.setattr(sys, "argv", ["waypoint", "check_documents"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert "1 orphan stored file." in printed.err
    assert_no_personal_data(printed.out + printed.err)


def test_the_waypoint_command_exits_with_0_when_clean(
    team: Team, case: Case, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    upload(team, case)
    monkeypatch.setattr(sys, "argv", ["waypoint", "check_documents"])
    main()  # no SystemExit: status 0
    assert "no problems found" in capsys.readouterr().out
