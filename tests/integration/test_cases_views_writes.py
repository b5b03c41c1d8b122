"""Every form of the case pages: what it saves, who may post it, and what wrong or hostile
input gets instead (an error that says what is wrong, never a 500, nothing saved)."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from tests.integration.test_cases_support import (
    PDF_BYTES,
    SCREENING,
    actor_for,
    committed,
    consent_to_interview,
)
from tests.integration.test_cases_views_support import (
    RECORDS,
    ROLES,
    World,
    expected_access,
    form_data,
    make_world,
    sign_in,
    text,
    version_of,
)
from tests.integration.test_screening_views import walk_to
from waypoint.accounts.models import Organisation, User
from waypoint.cases import services
from waypoint.cases.models import (
    Case,
    Consent,
    Document,
    Note,
    RightsInformation,
    StoredScreening,
    SupportItem,
    VulnerabilityAssessment,
)
from waypoint.people.models import Person


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def today() -> str:
    return date.today().isoformat()


# ---- who may write --------------------------------------------------------------------------


def _writes(case: Case, item: SupportItem, document: Document) -> list[tuple[str, Any]]:
    """Each form of a case with valid values, in an order that works on a fresh case."""
    base = f"/cases/{case.pk}"
    return [
        (
            f"{base}/consent/",
            {
                "scope": "interview",
                "given": "yes",
                "explained_in_language": "ukr",
                "recorded_on": today(),
            },
        ),
        (
            f"{base}/screening/save/",
            {"screening_input": json.dumps(SCREENING), "case_code": case.code},
        ),
        (
            f"{base}/assessment/",
            {"age-direction": "risk", "age-severity": "high", "age-note": ""},
        ),
        (f"{base}/plan/", {"kind": "Health", "status": "planned", "due_on": today()}),
        (
            f"{base}/plan/{item.pk}/",
            {
                f"item-{item.pk}-version": "1",
                f"item-{item.pk}-kind": "Legal",
                f"item-{item.pk}-status": "in_progress",
            },
        ),
        (f"{base}/rights/", {"language": "uk", "given_on": today()}),
        (f"{base}/documents/", {"file": SimpleUploadedFile("b.pdf", PDF_BYTES, "application/pdf")}),
        (f"{base}/history/notes/", {"body": "Called the shelter."}),
        (
            f"{base}/details/",
            lambda: {
                "version": version_of(case),
                "jurisdiction": "PL",
                "age_when_trafficked": "19",
            },
        ),
        (f"{base}/consent/withdraw/", {"scope": "interview"}),
        (
            f"{base}/history/status/",
            lambda: {"version": version_of(case), "to_status": "presumed_victim", "reason": ""},
        ),
    ]


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_every_form_of_a_case_is_for_its_case_worker_and_the_supervisors(
    world: World, role: str, record: str
) -> None:
    case = world.case(record)
    preparer = case.owner
    item = services.add_support_item(actor_for(preparer), preparer, case, kind="Legal")
    with committed():
        document = services.upload_document(
            actor_for(preparer),
            preparer,
            case,
            filename="a.pdf",
            content_type="application/pdf",
            content=PDF_BYTES,
        )
    client = sign_in(world.alpha.by_role(role))
    allowed = expected_access(role, record) == 200
    for url, data in _writes(case, item, document):
        response = client.post(url, data() if callable(data) else data)
        assert response.status_code == (302 if allowed else 403), (url, response.content[:3000])
    downloads = [
        client.get(f"/cases/{case.pk}/documents/{document.pk}/"),
        client.get(f"/cases/{case.pk}/rights/sheet/?language=uk"),
        client.post(f"/cases/{case.pk}/export/", {"format": "json"}),
    ]
    for response in downloads:
        assert response.status_code == (200 if allowed else 403)
    counts = (
        Consent.objects.filter(case=case).count(),
        StoredScreening.objects.filter(case=case).count(),
        VulnerabilityAssessment.objects.filter(case=case).count(),
        SupportItem.objects.filter(case=case).count(),
        RightsInformation.objects.filter(case=case).count(),
        Document.objects.filter(case=case).count(),
        Note.objects.filter(case=case).count(),
    )
    assert counts == ((1, 1, 1, 2, 1, 2, 1) if allowed else (0, 0, 0, 1, 0, 1, 0))
    case.refresh_from_db()
    assert case.status == ("presumed_victim" if allowed else "screening")


@pytest.mark.parametrize("role", ROLES)
def test_only_a_supervisor_decides_a_closure_request(world: World, role: str) -> None:
    worker = world.alpha.case_worker
    services.change_status(
        actor_for(worker),
        worker,
        world.own,
        to_status="closed",
        reason="Moved away.",
        expected_version=1,
    )
    client = sign_in(world.alpha.by_role(role))
    response = client.post(f"/cases/{world.own.pk}/history/decision/", {"decision": "approve"})
    assert response.status_code == (302 if role == "supervisor" else 403)
    world.own.refresh_from_db()
    assert world.own.status == ("closed" if role == "supervisor" else "screening")


@pytest.mark.parametrize("role", ROLES)
def test_only_a_supervisor_erases_a_person(world: World, role: str) -> None:
    client = sign_in(world.alpha.by_role(role))
    url = f"/cases/{world.own.pk}/erase/"
    allowed = role == "supervisor"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(
        url, {"reason": "person_request", "case_code": world.own.code, "confirm": "on"}
    )
    assert response.status_code == (302 if allowed else 403)
    person = Person.objects.get(pk=world.own.person_id)
    assert person.is_erased is allowed


def test_another_organisations_case_is_refused_for_every_form(world: World) -> None:
    case = world.other
    preparer = world.beta.case_worker
    item = services.add_support_item(actor_for(preparer), preparer, case, kind="Legal")
    document = services.upload_document(
        actor_for(preparer),
        preparer,
        case,
        filename="a.pdf",
        content_type="application/pdf",
        content=PDF_BYTES,
    )
    client = sign_in(world.alpha.supervisor)
    for url, data in _writes(case, item, document):
        assert client.post(url, data() if callable(data) else data).status_code == 403, url
        # Wrong input does not turn a refusal into a form error either.
        assert client.post(url, {"version": "x"}).status_code == 403, url
    assert client.post(f"/cases/{case.pk}/erase/", {}).status_code == 403
    assert client.post(f"/cases/{case.pk}/history/decision/", {}).status_code == 403


# ---- registering a person and opening a case ------------------------------------------------

VALID_PERSON = {
    "given_names": "Олена",
    "family_names": "Коваленко",
    "other_names": "Olena Kovalenko\nOlena K.",
    "birth_date": "1994-03-12",
    "gender": "Feminine",
    "nationality": "UA",
    "citizenships": ["UA", "PL"],
    "languages": ["ukr", "rus"],
    "other_languages": "rmy",
    "phone": "+48 601 234 567",
    "email": "olena@example.org",
    "address": "ul. Przykładowa 1\nWarszawa",
    "documents-TOTAL_FORMS": "2",
    "documents-INITIAL_FORMS": "0",
    "documents-MIN_NUM_FORMS": "0",
    "documents-MAX_NUM_FORMS": "20",
    "documents-0-type": "passport",
    "documents-0-number": "FA 123456",
    "documents-0-country": "UA",
    "documents-0-expires_on": "2030-01-01",
    "documents-1-type": "",
    "documents-1-number": "",
    "documents-1-country": "",
    "documents-1-expires_on": "",
    "jurisdiction": "PL",
    "opened_on": "2026-10-01",
}


def test_a_case_worker_registers_a_person_and_opens_a_case(world: World) -> None:
    worker = world.alpha.case_worker
    client = sign_in(worker)
    response = client.post(
        "/cases/new/",
        VALID_PERSON | {"owner": str(worker.pk), "supervisor": str(world.alpha.supervisor.pk)},
    )
    assert response.status_code == 302, text(response.content)
    case = Case.objects.latest("pk")
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.owner == worker
    assert case.supervisor == world.alpha.supervisor
    person = case.person
    assert (person.given_names, person.family_names) == ("Олена", "Коваленко")
    assert person.other_names == ["Olena Kovalenko", "Olena K."]
    assert person.citizenships == ["UA", "PL"]
    assert person.languages == ["ukr", "rus", "rmy"]
    assert person.phone == "+48601234567"
    assert person.identity_documents == [
        {"type": "passport", "number": "FA 123456", "country": "UA", "expires_on": "2030-01-01"}
    ]
    summary = text(client.get(response["Location"]).content)
    assert f"Case {case.code} was opened." in summary
    assert "Олена Коваленко" in summary


def test_the_form_offers_one_document_row_and_adds_more_without_saving(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    page = client.get("/cases/new/").content.decode()
    assert page.count("<legend>Document ") == 1
    response = client.post("/cases/new/", VALID_PERSON | {"add_document": "1"})
    assert response.status_code == 200
    assert response.content.decode().count("<legend>Document ") == 3
    assert Case.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"phone": "12"}, ["This is not a valid phone number."]),
        ({"email": "not-an-email"}, ["Enter a valid email address."]),
        ({"birth_date": "2999-01-01"}, ["The date of birth cannot be in the future."]),
        ({"birth_date": "12.03.1994"}, ["Enter a date as YYYY-MM-DD."]),
        ({"citizenships": ["ZZ"]}, ["Choose countries from the list."]),
        ({"other_languages": "klingon"}, ["is not an ISO 639 language code"]),
        ({"gender": "robot"}, ["Select a valid choice."]),
        ({"documents-0-type": ""}, ["Choose one of: passport"]),
        ({"documents-0-country": ""}, ["Give the issuing country"]),
        ({"jurisdiction": "XX"}, ["Select a valid choice."]),
        ({"opened_on": "2999-01-01"}, ["Must not be in the future."]),
        ({"owner": "999999"}, ["Select a valid choice."]),
        ({"documents-TOTAL_FORMS": "x"}, ["ManagementForm data is missing or has been tampered"]),
        ({"given_names": "a" * 201}, ["Ensure this value has at most 200 characters"]),
    ],
)
def test_wrong_person_data_is_explained_and_nothing_is_saved(
    world: World, changes: dict[str, Any], messages: list[str]
) -> None:
    worker = world.alpha.case_worker
    people, cases = Person.objects.count(), Case.objects.count()
    response = sign_in(worker).post(
        "/cases/new/", VALID_PERSON | {"owner": str(worker.pk)} | changes
    )
    assert response.status_code == 400
    page = text(response.content)
    assert "Nothing was saved" in page
    for message in messages:
        assert message in page
    assert (Person.objects.count(), Case.objects.count()) == (people, cases)


def test_a_case_worker_cannot_give_a_new_case_to_a_colleague(world: World) -> None:
    worker = world.alpha.case_worker
    client = sign_in(worker)
    page = client.get("/cases/new/").content.decode()
    assert (
        f'value="{world.alpha.colleague.pk}"'
        not in page.split('name="owner"')[1].split("</select>")[0]
    )
    response = client.post("/cases/new/", VALID_PERSON | {"owner": str(world.alpha.colleague.pk)})
    assert response.status_code == 400
    assert "Select a valid choice." in text(response.content)


def test_a_supervisor_opens_a_case_for_a_case_worker(world: World) -> None:
    response = sign_in(world.alpha.supervisor).post(
        "/cases/new/", VALID_PERSON | {"owner": str(world.alpha.colleague.pk)}
    )
    assert response.status_code == 302
    assert Case.objects.latest("pk").owner == world.alpha.colleague


def test_an_empty_post_opens_nothing(world: World) -> None:
    response = sign_in(world.alpha.case_worker).post("/cases/new/", {})
    assert response.status_code == 400
    assert Case.objects.count() == 3


# ---- hostile and wrong input on a case ------------------------------------------------------


def _case_forms(case: Case) -> list[str]:
    base = f"/cases/{case.pk}"
    return [
        f"{base}/details/",
        f"{base}/export/",
        f"{base}/screening/save/",
        f"{base}/assessment/",
        f"{base}/plan/",
        f"{base}/consent/",
        f"{base}/consent/withdraw/",
        f"{base}/rights/",
        f"{base}/documents/",
        f"{base}/history/notes/",
        f"{base}/history/status/",
        f"{base}/history/decision/",
        f"{base}/erase/",
    ]


def test_empty_posts_are_explained_on_every_form(world: World) -> None:
    client = sign_in(world.alpha.supervisor)
    for url in _case_forms(world.own):
        response = client.post(url, {})
        assert response.status_code == 400, url
        assert 'class="errorlist' in response.content.decode(), url


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("details/", {"version": "abc"}, "Enter a whole number."),
        ("details/", {"version": "1", "age_when_trafficked": "-5"}, "greater than or equal to 0"),
        ("details/", {"version": "1", "exploitation_types": ["Piracy"]}, "Choose from the list."),
        (
            "details/",
            {
                "version": "1",
                "jurisdiction": "PL",
                "reasonable_grounds_followed_up_on": "2026-01-01",
            },
            "Must not be before the date it follows up.",
        ),
        ("details/", {"version": "1", "reasonable_grounds_on": "2026-02-30"}, "YYYY-MM-DD"),
        ("plan/", {"kind": "Spaceship", "status": "planned"}, "Select a valid choice."),
        (
            "plan/",
            {
                "kind": "Legal",
                "status": "planned",
                "starts_on": "2026-05-02",
                "due_on": "2026-05-01",
            },
            "Must not be before the start date.",
        ),
        ("consent/", {"scope": "everything", "given": "yes"}, "Select a valid choice."),
        (
            "consent/",
            {
                "scope": "sharing",
                "given": "yes",
                "explained_in_language": "ukr",
                "recorded_on": "2026-10-01",
            },
            "Name the organisation the data may be shared with.",
        ),
        (
            "consent/",
            {
                "scope": "interview",
                "given": "yes",
                "explained_in_language": "ukr",
                "recorded_on": "2999-10-01",
            },
            "Must not be in the future.",
        ),
        ("consent/withdraw/", {"scope": "statistics"}, "No consent of this scope is in effect."),
        ("consent/withdraw/", {"scope": "sharing", "shared_with": "x"}, "Enter a whole number."),
        ("rights/", {"language": "xx", "given_on": "2026-10-01"}, "Select a valid choice."),
        ("rights/", {"language": "uk", "given_on": "2999-10-01"}, "Must not be in the future."),
        ("history/notes/", {"body": "   "}, "Write the note before saving it."),
        ("history/status/", {"version": "1", "to_status": "identified"}, "Select a valid choice"),
        ("history/status/", {"version": "1", "to_status": "closed"}, "Say why the case is being"),
        ("history/decision/", {"decision": "approve"}, "There is no closure request to decide."),
        ("screening/save/", {"screening_input": "{not json"}, "did not arrive whole"),
        ("screening/save/", {"screening_input": "[]", "case_code": "C-AAAAAAAA"}, "not for this"),
        ("screening/save/", {"screening_input": "{}"}, "consent to the interview"),
        ("assessment/", {"age-direction": "risk"}, "Choose how severe it is."),
        ("assessment/", {"age-severity": "high"}, "Say whether it is a risk or protective."),
        ("assessment/", {"age-direction": "sideways", "age-severity": "high"}, "valid choice"),
        ("export/", {"format": "xml"}, "Select a valid choice."),
        (
            "erase/",
            {"reason": "person_request", "case_code": "C-WRONG", "confirm": "on"},
            "This is not the code of this case.",
        ),
        ("erase/", {"reason": "boredom"}, "Tick the box to confirm the erasure."),
    ],
)
def test_wrong_values_are_explained_and_nothing_is_saved(
    world: World, path: str, data: dict[str, Any], message: str
) -> None:
    client = sign_in(world.alpha.supervisor)
    response = client.post(f"/cases/{world.own.pk}/{path}", data)
    assert response.status_code == 400, text(response.content)
    assert message in text(response.content)
    world.own.refresh_from_db()
    assert world.own.version == 1
    assert not Note.objects.exists()
    assert not Consent.objects.exists()


def test_unknown_records_of_a_case_are_404_and_only_after_access_is_checked(
    world: World,
) -> None:
    foreign_item = services.add_support_item(
        actor_for(world.alpha.colleague), world.alpha.colleague, world.same, kind="Legal"
    )
    worker = sign_in(world.alpha.case_worker)
    base = f"/cases/{world.own.pk}"
    assert worker.post(f"{base}/plan/999999/", {}).status_code == 404
    assert worker.post(f"{base}/plan/{foreign_item.pk}/", {}).status_code == 404
    assert worker.get(f"{base}/documents/999999/").status_code == 404
    other = f"/cases/{world.same.pk}"
    assert worker.post(f"{other}/plan/999999/", {}).status_code == 403
    assert worker.get(f"{other}/documents/999999/").status_code == 403
    assert worker.post("/cases/999999/history/notes/", {"body": "x"}).status_code == 404


def test_methods_that_are_not_offered_are_refused(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    base = f"/cases/{world.own.pk}"
    for url in (f"{base}/details/", f"{base}/history/notes/", f"{base}/export/"):
        assert client.get(url).status_code == 405, url
    for url in (f"{base}/", f"{base}/history/", "/due/"):
        assert client.post(url, {}).status_code == 405, url


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/cases/{world.own.pk}/history/notes/", {"body": "x"})
    assert response.status_code == 403
    assert not Note.objects.exists()


# ---- editing with optimistic locking --------------------------------------------------------


def test_an_edit_on_an_old_version_shows_both_values_and_reapplies_mine(world: World) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    client = sign_in(worker)
    url = f"/cases/{world.own.pk}/details/"
    mine = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    assert mine["version"] == ["1"]
    # Meanwhile the supervisor records other details.
    services.update_case_details(
        actor_for(supervisor),
        supervisor,
        world.own,
        expected_version=1,
        exploitation_types=["ForcedLabour"],
        age_when_trafficked=17,
    )
    mine["exploitation_types"] = ["SexualExploitation"]
    mine["relationship_to_trafficker"] = ["Familial"]
    response = client.post(url, mine)
    assert response.status_code == 409
    page = text(response.content)
    assert "Someone else changed this case while you were editing" in page
    conflict = page[
        page.index('id="conflict"') : page.index("</table>", page.index('id="conflict"'))
    ]
    assert "<td>Sexual exploitation</td>" in conflict
    assert "<td>Forced labour</td>" in conflict
    assert "<td>Family member</td>" in conflict
    assert "<td>17</td>" in conflict
    merged = form_data(response.content.decode(), url)
    assert merged["version"] == ["2"]
    assert merged["exploitation_types"] == ["SexualExploitation"]
    assert merged["relationship_to_trafficker"] == ["Familial"]
    assert merged["age_when_trafficked"] == ["17"]  # theirs: not changed by me
    world.own.refresh_from_db()
    assert world.own.exploitation_types == ["ForcedLabour"]

    response = client.post(url, merged)
    assert response.status_code == 302
    world.own.refresh_from_db()
    assert world.own.version == 3
    assert world.own.exploitation_types == ["SexualExploitation"]
    assert world.own.relationship_to_trafficker == "Familial"
    assert world.own.age_when_trafficked == 17


def test_saving_unchanged_details_changes_nothing(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    url = f"/cases/{world.own.pk}/details/"
    data = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    response = client.post(url, data, follow=True)
    assert "Nothing was changed." in text(response.content)
    world.own.refresh_from_db()
    assert world.own.version == 1


def test_a_support_item_edited_meanwhile_is_merged_too(world: World) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    item = services.add_support_item(actor_for(worker), worker, world.own, kind="Legal")
    client = sign_in(worker)
    url = f"/cases/{world.own.pk}/plan/{item.pk}/"
    mine = form_data(client.get(f"/cases/{world.own.pk}/plan/").content.decode(), url)
    services.update_support_item(
        actor_for(supervisor), supervisor, item, expected_version=1, provider="Legal clinic"
    )
    mine[f"item-{item.pk}-status"] = ["done"]
    response = client.post(url, mine)
    assert response.status_code == 409
    page = text(response.content)
    assert "Someone else changed this case while you were editing" in page
    assert "<td>Legal clinic</td>" in page
    merged = form_data(response.content.decode(), url)
    assert merged[f"item-{item.pk}-provider"] == ["Legal clinic"]
    assert merged[f"item-{item.pk}-status"] == ["done"]
    assert client.post(url, merged).status_code == 302
    item.refresh_from_db()
    assert (item.provider, item.status, item.version) == ("Legal clinic", "done", 3)


def test_overdue_support_items_are_highlighted(world: World) -> None:
    worker = world.alpha.case_worker
    services.add_support_item(
        actor_for(worker), worker, world.own, kind="Legal", due_on=date.today() - timedelta(days=3)
    )
    services.add_support_item(
        actor_for(worker),
        worker,
        world.own,
        kind="Health",
        due_on=date.today() + timedelta(days=60),
    )
    page = sign_in(worker).get(f"/cases/{world.own.pk}/plan/").content.decode()
    assert page.count('class="is-overdue"') == 1
    assert '<span class="badge badge-overdue">Overdue</span>' in page


# ---- status: closure requested, decided, reopened ------------------------------------------


def test_a_closure_request_waits_for_a_supervisor_who_approves_or_rejects(world: World) -> None:
    worker = sign_in(world.alpha.case_worker)
    history = f"/cases/{world.own.pk}/history/"
    page = worker.get(history).content.decode()
    assert "Closed (a supervisor decides)" in text(page)
    assert 'value="identified"' not in page  # not a move the workflow allows from screening
    response = worker.post(
        f"/cases/{world.own.pk}/history/status/",
        {"version": "1", "to_status": "closed", "reason": "The person moved abroad."},
        follow=True,
    )
    page = text(response.content)
    assert "Your request to close the case waits for a supervisor's decision." in page
    assert "The request waits for a supervisor's decision." in page

    supervisor = sign_in(world.alpha.supervisor)
    rejected = supervisor.post(f"/cases/{world.own.pk}/history/decision/", {"decision": "reject"})
    assert rejected.status_code == 400
    assert "This field is required." in text(rejected.content)
    response = supervisor.post(
        f"/cases/{world.own.pk}/history/decision/", {"decision": "approve"}, follow=True
    )
    page = text(response.content)
    assert '<span class="badge badge-status" id="case-status">Closed</span>' in page
    assert "The person moved abroad." in page

    reopened = worker.post(
        f"/cases/{world.own.pk}/history/status/",
        {"version": version_of(world.own), "to_status": "screening", "reason": "Came back."},
    )
    assert reopened.status_code == 302
    world.own.refresh_from_db()
    assert world.own.status == "screening"


def test_a_status_change_on_an_old_version_says_someone_else_changed_it(world: World) -> None:
    response = sign_in(world.alpha.case_worker).post(
        f"/cases/{world.own.pk}/history/status/",
        {"version": "7", "to_status": "presumed_victim"},
    )
    assert response.status_code == 409
    assert "Someone else changed this case while you were editing" in text(response.content)


# ---- screening, consent, rights, documents, export ------------------------------------------


def test_a_screening_is_compared_with_another(world: World) -> None:
    worker = world.alpha.case_worker
    consent_to_interview(world.own, worker)
    older = services.save_screening(actor_for(worker), worker, world.own, raw_input=SCREENING)
    changed = SCREENING | {"indicators": {"dr_nature_job_location_employer": "no"}}
    newer = services.save_screening(actor_for(worker), worker, world.own, raw_input=changed)
    client = sign_in(worker)
    page = text(client.get(f"/cases/{world.own.pk}/screening/").content)
    assert "Compare two screenings" in page
    response = client.get(
        f"/cases/{world.own.pk}/screening/compare/?older={older.pk}&newer={newer.pk}"
    )
    assert response.status_code == 200
    page = text(response.content)
    assert "What changed" in page
    assert "indicators.dr_nature_job_location_employer" in page
    bad = client.get(f"/cases/{world.own.pk}/screening/compare/?older=x&newer=999999")
    assert bad.status_code == 400
    assert "Select a valid choice" in text(bad.content)


def test_the_screening_link_needs_consent_to_the_interview(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    url = f"/cases/{world.own.pk}/screening/"
    assert "Record the consent first" in text(client.get(url).content)
    consent_to_interview(world.own, world.alpha.case_worker)
    page = text(client.get(url).content)
    assert f"/screening/?case={world.own.pk}&case_code={world.own.code}" in page


def test_a_failed_save_keeps_the_answers_to_save_again(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    url = f"/cases/{world.own.pk}/screening/save/"
    answers = json.dumps(SCREENING)
    response = client.post(url, {"screening_input": answers, "case_code": world.own.code})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Record the person&#x27;s consent to the interview" in page
    retry = form_data(page, url)
    assert json.loads(retry["screening_input"][0]) == SCREENING
    consent_to_interview(world.own, world.alpha.case_worker)
    assert client.post(url, retry).status_code == 302
    assert StoredScreening.objects.filter(case=world.own).count() == 1


def test_consent_is_recorded_and_withdrawn(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    base = f"/cases/{world.own.pk}/consent/"
    response = client.post(
        base,
        {
            "scope": "sharing",
            "given": "yes",
            "shared_with": str(world.beta.organisation.pk),
            "explained_in_language": "ukr",
            "recorded_on": "2026-10-01",
        },
        follow=True,
    )
    page = text(response.content)
    assert "The consent was recorded." in page
    assert "Given, in effect" in page
    assert world.beta.organisation.name in page
    withdraw = form_data(response.content.decode(), f"{base}withdraw/")
    assert withdraw == {"scope": ["sharing"], "shared_with": [str(world.beta.organisation.pk)]}
    page = text(client.post(f"{base}withdraw/", withdraw, follow=True).content)
    assert "The consent was withdrawn" in page
    assert "Withdrawn on" in page


def test_the_rights_sheet_downloads_and_its_giving_is_recorded(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    response = client.get(f"/cases/{world.own.pk}/rights/sheet/?language=uk")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    bad = client.get(f"/cases/{world.own.pk}/rights/sheet/?language=xx")
    assert bad.status_code == 400
    response = client.post(
        f"/cases/{world.own.pk}/rights/", {"language": "uk", "given_on": "2026-10-02"}, follow=True
    )
    page = text(response.content)
    assert "It was recorded that the person was given the rights sheet." in page
    assert "2026-10-02" in page


def test_documents_upload_list_and_download(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    url = f"/cases/{world.own.pk}/documents/"
    upload = SimpleUploadedFile("statement.pdf", PDF_BYTES, "application/pdf")
    with committed():
        page = text(client.post(url, {"file": upload}, follow=True).content)
    assert "The document was uploaded." in page
    assert "statement.pdf" in page
    document = Document.objects.get()
    response = client.get(f"{url}{document.pk}/")
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert 'filename="statement.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "x.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/x-msdos-program"
            ),
            "This kind of file is not accepted",
        ),
        (SimpleUploadedFile("empty.pdf", b"", "application/pdf"), "The file is empty."),
        (SimpleUploadedFile("a.png", PDF_BYTES, "image/png"), "but its content is application/pdf"),
        (None, "Choose a file to upload."),
    ],
)
def test_a_refused_upload_says_why(world: World, upload: Any, message: str) -> None:
    client = sign_in(world.alpha.case_worker)
    data = {"file": upload} if upload is not None else {}
    response = client.post(f"/cases/{world.own.pk}/documents/", data)
    assert response.status_code == 400
    assert message in text(response.content)
    assert not Document.objects.exists()


def test_a_file_over_the_limit_says_the_limit(world: World, settings: Settings) -> None:
    settings.MAX_DOCUMENT_BYTES = 20
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES, "application/pdf")
    response = sign_in(world.alpha.case_worker).post(
        f"/cases/{world.own.pk}/documents/", {"file": upload}
    )
    assert response.status_code == 400
    assert "larger than the limit of 20 bytes" in text(response.content)


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("json", "application/json"), ("pdf", "application/pdf")]
)
def test_the_person_data_is_exported(world: World, fmt: str, content_type: str) -> None:
    response = sign_in(world.alpha.case_worker).post(
        f"/cases/{world.own.pk}/export/", {"format": fmt}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment")
    if fmt == "json":
        assert "Olena" in response.content.decode()


def test_erasure_asks_for_confirmation_then_leaves_a_tombstone(world: World) -> None:
    client = sign_in(world.alpha.supervisor)
    url = f"/cases/{world.own.pk}/erase/"
    page = text(client.get(url).content)
    assert "This cannot be undone." in page
    response = client.post(
        url,
        {"reason": "person_request", "case_code": world.own.code.lower(), "confirm": "on"},
        follow=True,
    )
    page = text(response.content)
    assert "The person's data was erased." in page
    assert "identifying data was erased on" in page
    assert "Olena" not in page
    assert "already erased" in text(client.get(url).content)
    export = client.post(f"/cases/{world.own.pk}/export/", {"format": "json"})
    assert export.status_code == 400
    assert "This person's data was erased." in text(export.content)


def test_a_vulnerability_assessment_is_recorded_and_summarised(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    response = client.post(
        f"/cases/{world.own.pk}/assessment/",
        {
            "age-direction": "risk",
            "age-severity": "high",
            "age-note": "Was 17.",
            "education_and_skills-direction": "protective",
            "education_and_skills-severity": "medium",
        },
        follow=True,
    )
    page = text(response.content)
    assert "The vulnerability assessment was recorded." in page
    assert "Was 17." in page
    assessment = VulnerabilityAssessment.objects.get()
    assert [factor["factor_id"] for factor in assessment.factors] == ["age", "education_and_skills"]
    form = form_data(response.content.decode(), f"/cases/{world.own.pk}/assessment/")
    assert form["age-direction"] == ["risk"]
    assert form["age-severity"] == ["high"]


def test_a_note_is_added_to_the_history(world: World) -> None:
    client: Client = sign_in(world.alpha.case_worker)
    page = text(
        client.post(
            f"/cases/{world.own.pk}/history/notes/", {"body": "Met at the shelter."}, follow=True
        ).content
    )
    assert "The note was added." in page
    assert "Met at the shelter." in page


# ---- the guided interview, started from a case ----------------------------------------------


def test_an_interview_started_from_a_case_is_saved_into_it(world: World) -> None:
    worker = world.alpha.case_worker
    consent_to_interview(world.own, worker)
    client = sign_in(worker)
    page = walk_to(client, "outcome", case=str(world.own.pk), case_code=world.own.code)
    assert f"Save into case {world.own.code}" in page
    url = f"/cases/{world.own.pk}/screening/save/"
    data = form_data(page, url)
    assert data["case_code"] == [world.own.code]
    response = client.post(url, data, follow=True)
    page = text(response.content)
    assert f"The screening was saved into case {world.own.code}." in page
    stored = StoredScreening.objects.get(case=world.own)
    assert stored.answers["jurisdiction"] == "PL"
    assert stored.answers["act"] == ["recruitment", "transportation"]
    assert stored.ruleset_version in page


def test_an_interview_not_started_from_a_case_offers_no_saving(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    page = walk_to(client, "outcome")
    assert "Save into" not in page
    page = walk_to(client, "outcome", case="12ab", case_code="C-1")
    assert "Save into" not in page
    # A code that is not a case code is not shown; the case page checks the id on saving.
    page = walk_to(client, "outcome", case=str(world.own.pk), case_code="<b>")
    assert "Save into the case" in page
    assert "&lt;b&gt;" not in page


def test_a_signed_out_interview_never_offers_to_save(world: World, client: Client) -> None:
    page = walk_to(client, "outcome", case=str(world.own.pk), case_code=world.own.code)
    assert "Save into" not in page


FIELDS = [
    "version", "to_status", "reason", "decision", "note", "body", "scope", "given", "shared_with",
    "explained_in_language", "recorded_on", "language", "given_on", "kind", "provider", "status",
    "starts_on", "due_on", "notes", "format", "screening_input", "case_code", "confirm", "older",
    "newer", "owner", "supervisor", "jurisdiction", "opened_on", "page", "deadline", "birth_date",
    "given_names", "family_names", "citizenships", "languages", "other_languages", "gender",
    "nationality", "phone", "email", "identity_documents", "exploitation_types",
    "age_when_trafficked", "residence_permit_months", "initial-version", "initial-jurisdiction",
    "age-direction", "age-severity", "documents-TOTAL_FORMS", "documents-INITIAL_FORMS",
    "documents-0-type", "documents-0-expires_on", "item-1-version", "add_document", "file",
]  # fmt: skip
JUNK = ["\x00", "9" * 40, "²", "-1", "", "null", "[]", '{"a": 1}', "ä" * 5000, "2026-02-30"]


@pytest.mark.parametrize("junk", JUNK)
def test_hostile_values_never_break_a_page(world: World, junk: str) -> None:
    item = services.add_support_item(
        actor_for(world.alpha.case_worker), world.alpha.case_worker, world.own, kind="Legal"
    )
    client = sign_in(world.alpha.supervisor)
    data = {name: [junk, junk] for name in FIELDS}
    base = f"/cases/{world.own.pk}"
    posts = [*_case_forms(world.own), f"{base}/plan/{item.pk}/", "/cases/new/", "/cases/search/"]
    for url in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400, 409), (url, response.status_code)
    gets = ["/cases/", "/due/", f"{base}/screening/compare/", f"{base}/rights/sheet/"]
    for url in gets:
        response = client.get(url, data)
        assert response.status_code in (200, 400), (url, response.status_code)
