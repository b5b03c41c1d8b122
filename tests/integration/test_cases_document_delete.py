"""Deleting one document of a case: the service, the form on the documents tab and
`DELETE /api/v1/cases/{id}/documents/{did}`. Who may, what a document the case does not have
gets (404, once access to the case is checked), what reaches the audit trail, and when the
file goes: once the deletion is committed, never when it rolls back.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.http import Http404
from django.test import Client

from tests.integration.test_cases_support import (
    PDF_BYTES,
    RolledBack,
    actions,
    actor_for,
    bearer,
    committed,
    rolled_back,
)
from tests.integration.test_cases_views_support import (
    RECORDS,
    ROLES,
    World,
    assert_accessible,
    expected_access,
    form_data,
    make_world,
    messages_in,
    sign_in,
    text,
)
from waypoint.accounts.models import Organisation, User
from waypoint.accounts.policy import AccessDenied
from waypoint.audit.models import AuditEvent
from waypoint.cases import services
from waypoint.cases.models import Case, Document
from waypoint.people import storage

REFUSED_ROLES = ["org_admin", "data_analyst", "auditor", "trainee"]
CONFIRMED = "on"


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def upload(case: Case, filename: str = "statement.pdf") -> Document:
    """A document uploaded by the case's owner, with its file written as after a commit."""
    with committed():
        return services.upload_document(
            actor_for(case.owner),
            case.owner,
            case,
            filename=filename,
            content_type="application/pdf",
            content=PDF_BYTES,
        )


def delete(user: User, case: Case, document_id: int) -> None:
    services.delete_document(actor_for(user), user, case, document_id=document_id)


def has_file(document: Document) -> bool:
    return document.storage_id in set(storage.stored_ids())


def denials() -> int:
    return AuditEvent.objects.filter(action="permission.denied").count()


# ---- the service ----------------------------------------------------------------------------


def test_a_deleted_document_loses_its_row_then_its_file_and_is_audited(world: World) -> None:
    kept, deleted = upload(world.own, "kept.pdf"), upload(world.own, "deleted.pdf")
    worker = world.alpha.case_worker
    with committed():
        delete(worker, world.own, deleted.pk)
        assert list(Document.objects.all()) == [kept]
        # The file waits for the commit: a rollback would still find it.
        assert has_file(deleted)
    assert not has_file(deleted)
    assert storage.read(kept.storage_id) == PDF_BYTES
    [event] = actions("document.delete")
    assert (event.actor_id, event.object_type, event.object_id) == (
        worker.pk,
        "case",
        str(world.own.pk),
    )
    assert event.details == {"document_id": deleted.pk}


def test_the_supervisor_of_the_organisation_may_delete_too(world: World) -> None:
    document = upload(world.same)
    with committed():
        delete(world.alpha.supervisor, world.same, document.pk)
    assert not Document.objects.exists()
    assert not has_file(document)


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_roles_that_may_not_work_on_cases_are_refused(world: World, role: str) -> None:
    document = upload(world.own)
    with committed(), pytest.raises(AccessDenied):
        delete(world.alpha.by_role(role), world.own, document.pk)
    assert Document.objects.get() == document
    assert has_file(document)
    assert not actions("document.delete")


@pytest.mark.parametrize("who", ["colleague", "other_supervisor"])
def test_who_may_not_work_on_the_case_is_refused(world: World, who: str) -> None:
    """A case worker it is not assigned to, and another organisation's supervisor."""
    user = world.alpha.colleague if who == "colleague" else world.beta.supervisor
    document = upload(world.own)
    with committed(), pytest.raises(AccessDenied):
        delete(user, world.own, document.pk)
    assert has_file(Document.objects.get())


def test_a_document_the_case_does_not_have_is_not_found(world: World) -> None:
    of_a_colleague, of_another_organisation = upload(world.same), upload(world.other)
    supervisor = world.alpha.supervisor
    for document_id in (of_a_colleague.pk, of_another_organisation.pk, 999_999):
        with committed(), pytest.raises(Http404):
            delete(supervisor, world.own, document_id)
    assert Document.objects.count() == 2
    assert has_file(of_a_colleague)
    assert has_file(of_another_organisation)
    assert not actions("document.delete")


def test_a_document_deleted_meanwhile_is_not_found(world: World) -> None:
    document = upload(world.own)
    delete(world.alpha.supervisor, world.own, document.pk)
    with pytest.raises(Http404):
        delete(world.alpha.case_worker, world.own, document.pk)
    assert len(actions("document.delete")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_deletion_that_rolls_back_keeps_the_row_and_the_file(world: World) -> None:
    document = upload(world.own)
    with pytest.raises(RolledBack):
        rolled_back(lambda: delete(world.alpha.case_worker, world.own, document.pk))
    assert Document.objects.get() == document
    assert storage.read(document.storage_id) == PDF_BYTES
    assert not actions("document.delete")


@pytest.mark.django_db(transaction=True)
def test_a_deletion_whose_commit_fails_keeps_the_row_and_the_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = upload(world.own)

    def refused_commit() -> Any:
        raise OperationalError("the database refused the commit")

    monkeypatch.setattr(connection, "commit", refused_commit)
    with pytest.raises(OperationalError):
        delete(world.alpha.case_worker, world.own, document.pk)
    monkeypatch.undo()
    assert Document.objects.get() == document
    assert storage.read(document.storage_id) == PDF_BYTES
    assert not actions("document.delete")


# ---- the documents tab ----------------------------------------------------------------------


def tab_url(case: Case) -> str:
    return f"/cases/{case.pk}/documents/"


def deletion_url(case: Case, document_id: int) -> str:
    return f"/cases/{case.pk}/documents/{document_id}/delete/"


def confirmed(document_id: int) -> dict[str, str]:
    return {f"delete-{document_id}-confirm": CONFIRMED}


def test_a_document_is_deleted_from_the_documents_tab_once_confirmed(world: World) -> None:
    document = upload(world.own)
    client = sign_in(world.alpha.case_worker)
    url = deletion_url(world.own, document.pk)
    page = client.get(tab_url(world.own)).content.decode()
    assert_accessible(page)
    assert "Delete “statement.pdf”" in text(page)
    # The confirmation is not ticked for the user.
    assert form_data(page, url) == {}
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400
    page = unconfirmed.content.decode()
    assert_accessible(page)
    assert "Tick the box to confirm the deletion." in text(page)
    assert Document.objects.get() == document
    with committed():
        response = client.post(url, confirmed(document.pk), follow=True)
    assert response.redirect_chain == [(tab_url(world.own), 302)]
    page = text(response.content)
    assert "The document was deleted." in messages_in(page)
    assert "No documents yet." in page
    assert not Document.objects.exists()
    assert not has_file(document)
    [event] = actions("document.delete")
    assert event.actor_id == world.alpha.case_worker.pk


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_deletion_form_is_for_the_case_worker_and_the_supervisors(
    world: World, role: str, record: str
) -> None:
    case = world.case(record)
    document = upload(case)
    client = sign_in(world.alpha.by_role(role))
    allowed = expected_access(role, record) == 200
    before = denials()
    url = deletion_url(case, document.pk)
    # Wrong input does not turn a refusal into a form error.
    assert client.post(url, {}).status_code == (400 if allowed else 403)
    with committed():
        assert client.post(url, confirmed(document.pk)).status_code == (302 if allowed else 403)
    assert Document.objects.filter(pk=document.pk).exists() is not allowed
    assert has_file(document) is not allowed
    assert denials() - before == (0 if allowed else 2)


def test_a_document_of_another_case_or_an_unknown_one_is_not_found(world: World) -> None:
    of_a_colleague, of_another_organisation = upload(world.same), upload(world.other)
    client = sign_in(world.alpha.case_worker)
    for document_id in (of_a_colleague.pk, of_another_organisation.pk, 999_999):
        response = client.post(deletion_url(world.own, document_id), confirmed(document_id))
        assert response.status_code == 404, document_id
    assert Document.objects.count() == 2
    # Whoever may not see the case learns nothing from a 404.
    stranger = sign_in(world.beta.supervisor)
    response = stranger.post(deletion_url(world.own, 999_999), confirmed(999_999))
    assert response.status_code == 403


def test_only_posts_are_accepted(world: World) -> None:
    document = upload(world.own)
    client = sign_in(world.alpha.case_worker)
    assert client.get(deletion_url(world.own, document.pk)).status_code == 405
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    document = upload(world.own)
    client = sign_in(world.alpha.case_worker)
    client.handler.enforce_csrf_checks = True
    response = client.post(deletion_url(world.own, document.pk), confirmed(document.pk))
    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
    assert has_file(document)


# ---- the API --------------------------------------------------------------------------------


def api_url(case: Case, document_id: int) -> str:
    return f"/api/v1/cases/{case.pk}/documents/{document_id}"


def test_a_document_is_deleted_through_the_api(world: World) -> None:
    document = upload(world.own)
    client, headers = Client(), bearer(world.alpha.case_worker)
    with committed():
        response = client.delete(api_url(world.own, document.pk), **headers)
        assert has_file(document)
    assert response.status_code == 204
    assert response.content == b""
    assert not Document.objects.exists()
    assert not has_file(document)
    [event] = actions("document.delete")
    assert event.details == {"document_id": document.pk}
    again = client.delete(api_url(world.own, document.pk), **headers)
    assert (again.status_code, again.json()) == (404, {"detail": "Not found."})


def test_the_api_answers_404_for_a_document_the_case_does_not_have(world: World) -> None:
    of_a_colleague, of_another_organisation = upload(world.same), upload(world.other)
    client, headers = Client(), bearer(world.alpha.supervisor)
    for document_id in (of_a_colleague.pk, of_another_organisation.pk, 999_999):
        response = client.delete(api_url(world.own, document_id), **headers)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert Document.objects.count() == 2
    assert not actions("document.delete")


def test_the_api_refuses_who_may_not_work_on_the_case_and_audits_it(world: World) -> None:
    document = upload(world.own)
    client = Client()
    for user in (world.alpha.data_analyst, world.alpha.colleague, world.beta.supervisor):
        before = denials()
        response = client.delete(api_url(world.own, document.pk), **bearer(user))
        assert response.status_code == 403, user.username
        assert response.json() == {"detail": "You do not have permission to do this."}
        assert denials() - before == 1
    # Nor does a document the case does not have tell them anything.
    response = client.delete(api_url(world.own, 999_999), **bearer(world.beta.supervisor))
    assert response.status_code == 403
    assert Document.objects.get() == document
    assert has_file(document)
