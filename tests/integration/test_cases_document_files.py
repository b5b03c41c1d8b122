"""A document's file follows its row: it is written once the upload is committed and deleted
once the deletion or erasure of its row is committed. A transaction that fails (in the service,
at the commit, or a caller's transaction around it) leaves no file without its row and takes no
file from a row that stays.

Most tests here commit for real (`transaction=True`): the other tests run inside a transaction
that never commits, which is exactly what must not keep a file.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from tests.integration.test_cases_support import (
    PDF_BYTES,
    RolledBack,
    Team,
    actions,
    actor_for,
    bearer,
    committed,
    make_team,
    open_case,
    rolled_back,
)
from waypoint.accounts.models import Organisation, User
from waypoint.audit.models import AuditEvent, Outcome
from waypoint.cases import documents, services
from waypoint.cases.models import Case, Document
from waypoint.people import storage


@pytest.fixture
def team(alpha: Organisation, make_user: Callable[..., User]) -> Team:
    return make_team(alpha, make_user)


@pytest.fixture
def case(team: Team) -> Case:
    return open_case(team.case_worker, supervisor=team.supervisor)


def upload(team: Team, case: Case) -> Document:
    return services.upload_document(
        actor_for(team.case_worker),
        team.case_worker,
        case,
        filename="statement.pdf",
        content_type="application/pdf",
        content=PDF_BYTES,
    )


def stored_files() -> list[UUID]:
    return list(storage.stored_ids())


def files_on_disk(directory: Path) -> list[str]:
    """Everything in the documents directory but its lock file: temporary files count too."""
    if not directory.exists():
        return []
    return sorted(path.name for path in directory.iterdir() if path.name != ".lock")


# ---- uploading ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_upload_that_commits_has_its_file(team: Team, case: Case) -> None:
    document = upload(team, case)
    assert stored_files() == [document.storage_id]
    _name, _type, content = services.document_content(
        actor_for(team.case_worker), team.case_worker, document
    )
    assert content == PDF_BYTES


@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_commit_fails_leaves_no_file(
    team: Team, case: Case, documents_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database refuses the commit (a serialisation failure, a full disk, a lost
    # connection): Django rolls the transaction back and raises.
    def refused_commit() -> None:
        raise OperationalError("the database refused the commit")

    monkeypatch.setattr(connection, "commit", refused_commit)
    with pytest.raises(OperationalError):
        upload(team, case)
    monkeypatch.undo()
    assert not Document.objects.exists()
    assert not actions("document.upload")
    assert files_on_disk(documents_dir) == []


@pytest.mark.django_db(transaction=True)
def test_an_upload_inside_a_transaction_that_rolls_back_leaves_no_file(
    team: Team, case: Case, documents_dir: Path
) -> None:
    with pytest.raises(RolledBack):
        rolled_back(lambda: upload(team, case))
    assert not Document.objects.exists()
    assert files_on_disk(documents_dir) == []
    # The same in a savepoint whose transaction goes on and commits.
    with transaction.atomic():
        kept = upload(team, case)
        with pytest.raises(RolledBack):
            rolled_back(lambda: upload(team, case))
    assert list(Document.objects.all()) == [kept]
    assert files_on_disk(documents_dir) == [str(kept.storage_id)]


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_leaves_nothing(team: Team, case: Case, documents_dir: Path) -> None:
    with pytest.raises(services.CaseInputError):
        services.upload_document(
            actor_for(team.case_worker),
            team.case_worker,
            case,
            filename="a.exe",
            content_type="application/pdf",
            content=b"MZ\x90\x00",
        )
    assert not Document.objects.exists()
    assert files_on_disk(documents_dir) == []


@pytest.mark.django_db(transaction=True)
def test_a_file_that_cannot_be_written_after_the_commit_takes_its_row_with_it(
    team: Team, case: Case, documents_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(storage_id: UUID, content: bytes) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(storage, "store", full_disk)
    with pytest.raises(OSError, match="No space left"):
        upload(team, case)
    # The row was committed first, then removed again: no document is listed without its file.
    assert not Document.objects.exists()
    [uploaded] = actions("document.upload")
    [discarded] = actions("document.discard")
    assert discarded.details == {"document_id": uploaded.details["document_id"]}
    assert discarded.object_id == str(case.pk)
    assert files_on_disk(documents_dir) == []


def test_inside_a_transaction_the_file_waits_for_the_commit(team: Team, case: Case) -> None:
    with committed():
        document = upload(team, case)
        assert stored_files() == []
    assert stored_files() == [document.storage_id]


# ---- deleting -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_deleted_document_loses_its_file_once_that_is_committed(team: Team, case: Case) -> None:
    kept, deleted = upload(team, case), upload(team, case)
    with pytest.raises(RolledBack):
        rolled_back(Document.objects.filter(pk=kept.pk).delete)
    with transaction.atomic():
        Document.objects.filter(pk=deleted.pk).delete()
        assert deleted.storage_id in stored_files()
    assert stored_files() == [kept.storage_id]
    assert storage.read(kept.storage_id) == PDF_BYTES


@pytest.mark.django_db(transaction=True)
def test_the_files_of_a_case_deleted_with_its_rows_go_too(
    team: Team, case: Case, documents_dir: Path
) -> None:
    upload(team, case)
    Case.objects.filter(pk=case.pk).delete()
    assert files_on_disk(documents_dir) == []


# ---- erasing --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_erasure_from_the_case_removes_the_files_once_committed(
    team: Team, case: Case, documents_dir: Path
) -> None:
    document = upload(team, case)
    supervisor = team.supervisor
    with pytest.raises(RolledBack):
        rolled_back(
            lambda: documents.erase_person_data(
                actor_for(supervisor), supervisor, case, reason="duplicate"
            )
        )
    assert storage.read(document.storage_id) == PDF_BYTES
    documents.erase_person_data(actor_for(supervisor), supervisor, case, reason="duplicate")
    assert files_on_disk(documents_dir) == []
    assert Document.objects.get().sha256 == ""


@pytest.mark.django_db(transaction=True)
def test_an_erasure_whose_commit_fails_keeps_the_files(
    team: Team, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = upload(team, case)
    supervisor = team.supervisor

    def refused_commit() -> Any:
        raise OperationalError("the database refused the commit")

    monkeypatch.setattr(connection, "commit", refused_commit)
    with pytest.raises(OperationalError):
        documents.erase_person_data(actor_for(supervisor), supervisor, case, reason="duplicate")
    monkeypatch.undo()
    assert not Case.objects.get(pk=case.pk).person.is_erased
    assert storage.read(document.storage_id) == PDF_BYTES


# ---- a row whose file is gone ---------------------------------------------------------------


@pytest.fixture
def lost_file(team: Team, case: Case) -> Document:
    """A document whose file vanished after the commit (say, a crash before it was written)."""
    with committed():
        document = upload(team, case)
    storage.delete(document.storage_id)
    return document


def failed_downloads(document: Document) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="document.download", outcome=Outcome.FAILURE, object_id=str(document.case_id)
        )
    )


def test_a_lost_file_is_a_clear_404_page_and_audited(
    team: Team, case: Case, lost_file: Document, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(team.case_worker)
    response = client.get(f"/cases/{case.pk}/documents/{lost_file.pk}/")
    assert response.status_code == 404
    assert "missing from storage" in response.content.decode()
    [event] = failed_downloads(lost_file)
    assert event.details == {"document_id": lost_file.pk, "reason": "file_missing"}


def test_a_lost_file_is_a_clear_404_in_the_api(
    team: Team, case: Case, lost_file: Document, client: Client
) -> None:
    response = client.get(
        f"/api/v1/cases/{case.pk}/documents/{lost_file.pk}", **bearer(team.case_worker)
    )
    assert response.status_code == 404
    assert "missing from storage" in response.json()["detail"]
    assert len(failed_downloads(lost_file)) == 1


def test_a_lost_file_is_still_refused_first_to_those_who_may_not_see_the_case(
    team: Team, case: Case, lost_file: Document, client: Client
) -> None:
    response = client.get(
        f"/api/v1/cases/{case.pk}/documents/{lost_file.pk}", **bearer(team.data_analyst)
    )
    assert response.status_code == 403
    assert not failed_downloads(lost_file)
