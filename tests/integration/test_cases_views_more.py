"""More forms of the case pages: correcting the person's data, recording the trafficking status
a person decided (beside the screening's suggestion), and assessing a stored screening again
with the current rules. Who may post each, what wrong input and a conflict get, and what is
saved."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_cases_support import (
    PERSON,
    SCREENING,
    actor_for,
    consent_to_interview,
)
from tests.integration.test_cases_views_support import (
    RECORDS,
    ROLES,
    World,
    assert_accessible,
    expected_access,
    form_data,
    make_world,
    sign_in,
    text,
    version_of,
)
from waypoint.accounts.models import Organisation, User
from waypoint.audit.models import AuditEvent
from waypoint.cases import services
from waypoint.cases.models import Case, StoredScreening
from waypoint.domain.screening import RULESET_VERSION, get_catalogue
from waypoint.people import services as people_services
from waypoint.people.models import Person


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def person_url(case: Case) -> str:
    return f"/cases/{case.pk}/person/"


def status_url(case: Case) -> str:
    return f"/cases/{case.pk}/trafficking-status/"


def rescreen_url(case: Case, screening: StoredScreening | int) -> str:
    screening_id = screening if isinstance(screening, int) else screening.pk
    return f"/cases/{case.pk}/screening/{screening_id}/rescreen/"


def person_post(case: Case, **changes: Any) -> dict[str, Any]:
    """The person form as the summary offers it for the opened case, with some changes."""
    person = Person.objects.get(pk=case.person_id)
    values: dict[str, Any] = {
        "version": str(person.version),
        "given_names": PERSON["given_names"],
        "family_names": PERSON["family_names"],
        "other_names": "",
        "birth_date": PERSON["birth_date"],
        "gender": PERSON["gender"],
        "nationality": PERSON["nationality"],
        "citizenships": [],
        "languages": ["ukr"],
        "other_languages": "",
        "phone": "",
        "email": "",
        "address": "",
    }
    data: dict[str, Any] = {}
    for name, value in (values | changes).items():
        data[f"person-{name}"] = value
        if name != "version":
            data[f"initial-person-{name}"] = values[name]
    return data


def status_post(case: Case, **changes: Any) -> dict[str, Any]:
    values = {
        "version": version_of(case),
        "trafficking_status": "ActualVictimOfTrafficking",
        "trafficking_status_decided_by": "Police",
    } | changes
    return {f"trafficking-{name}": value for name, value in values.items()}


def stored_screening(case: Case, answers: dict[str, Any] = SCREENING) -> StoredScreening:
    """A screening saved into the case by its owner, with the person's consent."""
    consent_to_interview(case, case.owner)
    return services.save_screening(actor_for(case.owner), case.owner, case, raw_input=answers)


def every_indicator_present() -> dict[str, Any]:
    """Answers with which the engine suggests the person may be a victim."""
    return SCREENING | {"indicators": dict.fromkeys(get_catalogue().indicators, "yes")}


# ---- who may post ---------------------------------------------------------------------------


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_three_forms_are_for_the_case_worker_and_the_supervisors(
    world: World, role: str, record: str
) -> None:
    case = world.case(record)
    screening = stored_screening(case)
    client = sign_in(world.alpha.by_role(role))
    allowed = expected_access(role, record) == 200
    expected = 302 if allowed else 403
    response = client.post(person_url(case), person_post(case, family_names="Kowalenko"))
    assert response.status_code == expected, text(response.content)[:2000]
    response = client.post(status_url(case), status_post(case))
    assert response.status_code == expected, text(response.content)[:2000]
    response = client.post(rescreen_url(case, screening))
    assert response.status_code == expected
    # Wrong input does not turn a refusal into a form error either.
    for url in (person_url(case), status_url(case)):
        assert client.post(url, {"person-version": "x"}).status_code == (400 if allowed else 403)

    person = Person.objects.get(pk=case.person_id)
    assert person.family_names == ("Kowalenko" if allowed else "Kovalenko")
    case.refresh_from_db()
    assert case.trafficking_status == ("ActualVictimOfTrafficking" if allowed else "")
    assert StoredScreening.objects.filter(case=case).count() == (2 if allowed else 1)
    if not allowed:
        denied = AuditEvent.objects.filter(action="permission.denied", object_id=str(case.pk))
        assert denied.count() == 5


def test_another_organisations_case_is_refused_and_nothing_changes(world: World) -> None:
    case = world.other
    screening = stored_screening(case)
    client = sign_in(world.alpha.supervisor)
    assert client.post(person_url(case), person_post(case, phone="+48601234567")).status_code == (
        403
    )
    assert client.post(status_url(case), status_post(case)).status_code == 403
    assert client.post(rescreen_url(case, screening)).status_code == 403
    assert client.post(rescreen_url(case, 999999)).status_code == 403
    person = Person.objects.get(pk=case.person_id)
    assert (person.version, person.phone) == (1, None)
    case.refresh_from_db()
    assert case.trafficking_status == ""
    assert StoredScreening.objects.filter(case=case).count() == 1


def test_only_posts_are_accepted(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    screening = stored_screening(world.own)
    for url in (person_url(world.own), status_url(world.own), rescreen_url(world.own, screening)):
        assert client.get(url).status_code == 405, url


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    client.handler.enforce_csrf_checks = True
    response = client.post(person_url(world.own), person_post(world.own, family_names="X"))
    assert response.status_code == 403
    assert Person.objects.get(pk=world.own.person_id).version == 1


# ---- the person's data ----------------------------------------------------------------------


def test_the_form_holds_the_decrypted_values_and_the_persons_version(world: World) -> None:
    worker = world.alpha.case_worker
    services.update_person_details(
        actor_for(worker),
        worker,
        world.own,
        data=PERSON | {"languages": ["uk", "rmy"], "other_names": ["Олена Коваленко"]},
        expected_version=1,
    )
    page = sign_in(worker).get(f"/cases/{world.own.pk}/").content.decode()
    assert_accessible(page)
    data = form_data(page, person_url(world.own))
    assert data["person-version"] == ["2"]
    assert data["person-given_names"] == ["Olena"]
    assert data["person-other_names"] == ["Олена Коваленко"]
    assert data["person-birth_date"] == ["1994-03-12"]
    assert data["person-nationality"] == ["UA"]
    assert data["person-languages"] == ["ukr"]
    assert data["person-other_languages"] == ["rmy"]
    assert data["person-gender"] == ["Feminine"]


def test_the_person_is_corrected_the_documents_kept_and_the_change_audited(
    world: World,
) -> None:
    worker = world.alpha.case_worker
    passport = {"type": "passport", "number": "FA 123456", "country": "UA", "expires_on": None}
    services.update_person_details(
        actor_for(worker),
        worker,
        world.own,
        data=PERSON | {"identity_documents": [passport]},
        expected_version=1,
    )
    client = sign_in(worker)
    url = person_url(world.own)
    data = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    data["person-family_names"] = ["Kowalenko"]
    data["person-phone"] = ["+48 601 234 567"]
    data["person-other_languages"] = ["rmy"]
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    page = text(response.content)
    assert "The person's data was saved." in page
    assert "Olena Kowalenko" in page
    person = Person.objects.get(pk=world.own.person_id)
    assert person.version == 3
    assert person.family_names == "Kowalenko"
    assert person.phone == "+48601234567"
    assert person.languages == ["ukr", "rmy"]
    assert person.identity_documents == [passport]
    event = AuditEvent.objects.filter(action="person.update").latest("id")
    assert event.object_id == str(person.pk)
    assert sorted(event.details["fields"]) == ["family_names", "languages", "phone"]
    assert "Kowalenko" not in str(event.details)


def test_unchanged_person_data_saves_nothing(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    url = person_url(world.own)
    data = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    response = client.post(url, data, follow=True)
    assert "Nothing was changed." in text(response.content)
    assert Person.objects.get(pk=world.own.person_id).version == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12"}, "phone", "This is not a valid phone number."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"birth_date": "2999-01-01"}, "birth_date", "The date of birth cannot be in the future."),
        ({"birth_date": "12.03.1994"}, "birth_date", "Enter a date as YYYY-MM-DD."),
        ({"citizenships": ["ZZ"]}, "citizenships", "Choose countries from the list."),
        ({"other_languages": "klingon"}, "other_languages", "is not an ISO 639 language code"),
        ({"gender": "robot"}, "gender", "Select a valid choice."),
        ({"given_names": "a" * 201}, "given_names", "at most 200 characters"),
        ({"version": "abc"}, "version", "Enter a whole number."),
    ],
)
def test_wrong_person_data_is_explained_at_its_field_and_nothing_is_saved(
    world: World, changes: dict[str, Any], field: str, message: str
) -> None:
    response = sign_in(world.alpha.case_worker).post(
        person_url(world.own), person_post(world.own, family_names="Kowalenko", **changes)
    )
    assert response.status_code == 400
    page = text(response.content)
    assert "This could not be saved" in page
    assert message in page
    if field != "version":  # a hidden field's error is shown in the summary
        errors = page.split(f'id="id_person-{field}_error"', 1)[1].split("</ul>", 1)[0]
        assert message in errors
    # The form keeps what was typed, open to correct.
    assert form_data(response.content.decode(), person_url(world.own))["person-family_names"] == [
        "Kowalenko"
    ]
    person = Person.objects.get(pk=world.own.person_id)
    assert (person.version, person.family_names) == (1, "Kovalenko")
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_a_person_changed_meanwhile_shows_both_values_and_reapplies_mine(world: World) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    client = sign_in(worker)
    url = person_url(world.own)
    mine = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    assert mine["person-version"] == ["1"]
    # Meanwhile the supervisor records the person's phone.
    services.update_person_details(
        actor_for(supervisor),
        supervisor,
        world.own,
        data=PERSON | {"phone": "+48601234567"},
        expected_version=1,
    )
    mine["person-family_names"] = ["Kowalenko"]
    response = client.post(url, mine)
    assert response.status_code == 409
    page = text(response.content)
    assert_accessible(response.content.decode())
    assert "Someone else changed this case while you were editing" in page
    conflict = page[
        page.index('id="conflict"') : page.index("</table>", page.index('id="conflict"'))
    ]
    assert "<td>Kowalenko</td>" in conflict
    assert "<td>Kovalenko</td>" in conflict
    assert "<td>+48601234567</td>" in conflict
    merged = form_data(response.content.decode(), url)
    assert merged["person-version"] == ["2"]
    assert merged["person-family_names"] == ["Kowalenko"]
    assert merged["person-phone"] == ["+48601234567"]  # theirs: not changed by me
    assert Person.objects.get(pk=world.own.person_id).family_names == "Kovalenko"

    assert client.post(url, merged).status_code == 302
    person = Person.objects.get(pk=world.own.person_id)
    assert (person.version, person.family_names, person.phone) == (
        3,
        "Kowalenko",
        "+48601234567",
    )


def test_an_erased_person_is_not_offered_for_correction(world: World) -> None:
    supervisor = world.alpha.supervisor
    people_services.erase_person(
        actor_for(supervisor), supervisor, world.own.person, reason="person_request"
    )
    client = sign_in(world.alpha.case_worker)
    page = client.get(f"/cases/{world.own.pk}/").content.decode()
    assert person_url(world.own) not in page
    response = client.post(person_url(world.own), person_post(world.own, family_names="X"))
    assert response.status_code == 400
    assert "This person's data was erased." in text(response.content)
    assert Person.objects.get(pk=world.own.person_id).family_names in (None, "")


# ---- the trafficking status -----------------------------------------------------------------


def test_the_status_is_recorded_beside_the_screenings_suggestion(world: World) -> None:
    worker = world.alpha.case_worker
    client = sign_in(worker)
    summary = f"/cases/{world.own.pk}/"
    page = text(client.get(summary).content)
    assert "Not recorded yet" in page
    assert "there is no suggestion; a person decides" in page
    stored_screening(world.own, every_indicator_present())
    page = client.get(summary).content.decode()
    assert_accessible(page)
    suggestion = text(page.split('id="screening-suggestion">', 1)[1].split("</p>", 1)[0])
    assert "suggests: Possible victim of trafficking; a person decides." in suggestion

    data = form_data(page, status_url(world.own))
    assert data["trafficking-version"] == [version_of(world.own)]
    assert "trafficking-trafficking_status" not in data  # nothing is chosen for the person
    data["trafficking-trafficking_status"] = ["ActualVictimOfTrafficking"]
    data["trafficking-trafficking_status_decided_by"] = ["CourtOrProsecution"]
    response = client.post(status_url(world.own), data, follow=True)
    page = text(response.content)
    assert "The trafficking status was recorded." in page
    assert "Victim of trafficking (formally identified)" in page
    assert "Court or prosecution" in page
    world.own.refresh_from_db()
    assert world.own.trafficking_status == "ActualVictimOfTrafficking"
    assert world.own.trafficking_status_decided_by == "CourtOrProsecution"
    assert AuditEvent.objects.filter(
        action="case.trafficking_status", object_id=str(world.own.pk)
    ).exists()


def test_an_undetermined_screening_suggests_no_status(world: World) -> None:
    stored_screening(world.own, {"jurisdiction": "PL"})
    page = text(sign_in(world.alpha.case_worker).get(f"/cases/{world.own.pk}/").content)
    assert "suggests no status: its result is undetermined; a person decides." in page


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"trafficking_status": "", "trafficking_status_decided_by": ""},
            [
                "Choose the status that was decided.",
                "Choose the type of organisation that decided it.",
            ],
        ),
        ({"trafficking_status": "Certain"}, ["Select a valid choice."]),
        ({"trafficking_status_decided_by": "Neighbour"}, ["Select a valid choice."]),
        ({"version": "0"}, ["greater than or equal to 1"]),
    ],
)
def test_a_wrong_status_is_explained_and_nothing_is_saved(
    world: World, changes: dict[str, Any], messages: list[str]
) -> None:
    response = sign_in(world.alpha.supervisor).post(
        status_url(world.own), status_post(world.own, **changes)
    )
    assert response.status_code == 400
    page = text(response.content)
    for message in messages:
        assert message in page
    world.own.refresh_from_db()
    assert (world.own.version, world.own.trafficking_status) == (1, "")


def test_a_status_recorded_meanwhile_is_merged(world: World) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    client = sign_in(worker)
    url = status_url(world.own)
    mine = form_data(client.get(f"/cases/{world.own.pk}/").content.decode(), url)
    services.record_trafficking_status(
        actor_for(supervisor),
        supervisor,
        world.own,
        status="PossibleVictimOfTrafficking",
        decided_by="Police",
        expected_version=1,
    )
    mine["trafficking-trafficking_status"] = ["ActualVictimOfTrafficking"]
    mine["trafficking-trafficking_status_decided_by"] = ["Police"]
    response = client.post(url, mine)
    assert response.status_code == 409
    page = text(response.content)
    assert_accessible(response.content.decode())
    assert "Someone else changed this case while you were editing" in page
    conflict = page[
        page.index('id="conflict"') : page.index("</table>", page.index('id="conflict"'))
    ]
    assert "<td>Victim of trafficking (formally identified)</td>" in conflict
    assert "<td>Possible victim of trafficking</td>" in conflict
    merged = form_data(response.content.decode(), url)
    assert merged["trafficking-version"] == ["2"]
    assert merged["trafficking-trafficking_status"] == ["ActualVictimOfTrafficking"]
    world.own.refresh_from_db()
    assert world.own.trafficking_status == "PossibleVictimOfTrafficking"

    assert client.post(url, merged).status_code == 302
    world.own.refresh_from_db()
    assert world.own.version == 3
    assert world.own.trafficking_status == "ActualVictimOfTrafficking"


# ---- assessing a stored screening again -----------------------------------------------------


def test_a_stored_screening_is_assessed_again_and_compared(world: World) -> None:
    worker = world.alpha.case_worker
    old = stored_screening(world.own)
    # As if it had been assessed with the rules of an earlier release.
    StoredScreening.objects.filter(pk=old.pk).update(ruleset_version="0.9.0")
    client = sign_in(worker)
    page = client.get(f"/cases/{world.own.pk}/screening/").content.decode()
    assert_accessible(page)
    assert page.count("/rescreen/") == 1
    assert f'action="{rescreen_url(world.own, old)}"' in page

    response = client.post(rescreen_url(world.own, old))
    assert response.status_code == 302
    new = StoredScreening.objects.filter(case=world.own).latest("id")
    assert new.pk != old.pk
    assert response["Location"] == (
        f"/cases/{world.own.pk}/screening/compare/?older={old.pk}&newer={new.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert_accessible(page)
    shown = text(page)
    assert "The screening was assessed again with the current rules" in shown
    assert "What changed" in shown
    assert f'<td class="mono">0.9.0</td><td class="mono">{RULESET_VERSION}</td>' in shown
    assert "The answers are the same." in shown
    old.refresh_from_db()
    assert old.ruleset_version == "0.9.0"  # the stored screening is kept as it was
    event = AuditEvent.objects.get(action="screening.rescreen")
    assert event.details["from_screening_id"] == old.pk


def test_assessing_again_needs_consent_to_the_interview(world: World) -> None:
    worker = world.alpha.case_worker
    old = stored_screening(world.own)
    services.withdraw_consent(actor_for(worker), worker, world.own, scope="interview")
    client = sign_in(worker)
    page = text(client.get(f"/cases/{world.own.pk}/screening/").content)
    assert "/rescreen/" not in page
    assert "only with the person's consent to the interview" in page
    response = client.post(rescreen_url(world.own, old))
    assert response.status_code == 400
    page = text(response.content)
    assert "The screening was not assessed again" in page
    assert "consent to the interview" in page
    assert StoredScreening.objects.filter(case=world.own).count() == 1


def test_a_screening_of_another_case_or_none_is_404(world: World) -> None:
    own = stored_screening(world.own)
    client = sign_in(world.alpha.supervisor)
    assert client.post(rescreen_url(world.own, 999999)).status_code == 404
    # A screening of another case is not found through this one.
    assert client.post(rescreen_url(world.same, own)).status_code == 404
    assert client.post("/cases/999999/screening/1/rescreen/").status_code == 404
    assert StoredScreening.objects.count() == 1


# ---- hostile input --------------------------------------------------------------------------

NAMES = [
    "version", "given_names", "family_names", "other_names", "birth_date", "gender",
    "nationality", "citizenships", "languages", "other_languages", "phone", "email", "address",
    "trafficking_status", "trafficking_status_decided_by",
]  # fmt: skip
JUNK = ["\x00", "9" * 40, "²", "-1", "", "null", "[]", '{"a": 1}', "ä" * 5000, "2026-02-30"]


@pytest.mark.parametrize("junk", JUNK)
def test_hostile_values_never_break_a_page(world: World, junk: str) -> None:
    client = sign_in(world.alpha.supervisor)
    data: dict[str, Any] = {}
    for name in NAMES:
        for prefix in ("person-", "initial-person-", "trafficking-", "initial-trafficking-"):
            data[f"{prefix}{name}"] = [junk, junk]
    for url in (person_url(world.own), status_url(world.own)):
        response = client.post(url, data)
        assert response.status_code in (302, 400, 409), (url, response.status_code)
