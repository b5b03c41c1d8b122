"""Trafficking events (HTCDS hte_): where and when a person was recruited, moved and exploited.

The services that add, change and remove them; the section of the case summary; the endpoints
under `/api/v1/cases/{id}/events`. Who may, what wrong input gets (every problem at its field,
nothing saved), what a conflict gets, and what reaches the audit trail and the export.
"""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.integration.test_cases_support import actions, actor_for, bearer
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
from waypoint.cases import documents, services
from waypoint.cases.models import Case, TraffickingEvent
from waypoint.people import services as people_services

TODAY = date(2026, 11, 1)
RECRUITED = {
    "kind": "Recruitment",
    "country": "UA",
    "city": "Вигадане місто",
    "started_on": date(2025, 5, 1),
    "ended_on": date(2025, 5, 20),
    "description": "Met a 'modelling agent' online (fiction).",
}


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


def add_event(case: Case, user: User | None = None, **values: Any) -> TraffickingEvent:
    user = user or case.owner
    return services.add_trafficking_event(
        actor_for(user), user, case, **(RECRUITED | values), today=TODAY
    )


def raw_column(event: TraffickingEvent, column: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {TraffickingEvent._meta.db_table} WHERE id = %s", [event.pk]
        )
        return cursor.fetchone()[0]


# ---- the services ---------------------------------------------------------------------------


def test_an_event_is_recorded_with_its_place_encrypted_and_audited(world: World) -> None:
    event = add_event(world.own, country=" ua ")
    event.refresh_from_db()
    assert (event.kind, event.country, event.version) == ("Recruitment", "UA", 1)
    assert (event.city, event.started_on, event.ended_on) == (
        "Вигадане місто",
        date(2025, 5, 1),
        date(2025, 5, 20),
    )
    assert raw_column(event, "city").startswith("wpe1.")
    assert raw_column(event, "description").startswith("wpe1.")
    [added] = actions("trafficking_event.add")
    assert added.object_id == str(world.own.pk)
    assert added.details == {"event_id": event.pk, "kind": "Recruitment", "country": "UA"}
    assert "Вигадане" not in json.dumps(added.details, ensure_ascii=False)


def test_only_kind_and_country_are_needed(world: World) -> None:
    event = services.add_trafficking_event(
        actor_for(world.alpha.case_worker),
        world.alpha.case_worker,
        world.own,
        kind="Transit",
        country="DE",
        today=TODAY,
    )
    event.refresh_from_db()
    assert (event.city, event.started_on, event.ended_on, event.description) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"kind": "Smuggling"}, {"kind"}),
        ({"country": "ZZ"}, {"country"}),
        ({"country": "Ukraine"}, {"country"}),
        ({"country": ""}, {"country"}),
        ({"city": "x" * (services.MAX_PLACE_CHARS + 1)}, {"city"}),
        ({"description": "x" * (services.MAX_EVENT_DESCRIPTION_CHARS + 1)}, {"description"}),
        ({"started_on": TODAY + timedelta(days=1), "ended_on": None}, {"started_on"}),
        ({"ended_on": TODAY + timedelta(days=1)}, {"ended_on"}),
        ({"started_on": "01.05.2025"}, {"started_on"}),
        ({"started_on": date(2025, 5, 2), "ended_on": date(2025, 5, 1)}, {"ended_on"}),
        ({"kind": "", "country": "ZZ", "started_on": "soon"}, {"kind", "country", "started_on"}),
    ],
)
def test_wrong_values_are_refused_at_their_field_and_nothing_is_saved(
    world: World, values: dict[str, Any], expected: set[str]
) -> None:
    with pytest.raises(services.CaseInputError) as refused:
        add_event(world.own, **values)
    assert set(refused.value.errors) == expected
    assert not TraffickingEvent.objects.exists()
    assert not actions("trafficking_event.add")


def test_the_future_is_counted_from_the_day_given(world: World) -> None:
    add_event(world.own, started_on=TODAY, ended_on=TODAY)
    with pytest.raises(services.CaseInputError):
        services.add_trafficking_event(
            actor_for(world.alpha.case_worker),
            world.alpha.case_worker,
            world.own,
            kind="Exploitation",
            country="PL",
            started_on=TODAY,
            today=TODAY - timedelta(days=1),
        )


def test_an_event_is_changed_field_by_field_with_its_version(world: World) -> None:
    worker = world.alpha.case_worker
    event = add_event(world.own)
    changed = services.update_trafficking_event(
        actor_for(worker),
        worker,
        event,
        expected_version=1,
        today=TODAY,
        country="PL",
        ended_on=None,
    )
    assert (changed.country, changed.ended_on, changed.version) == ("PL", None, 2)
    assert changed.city == "Вигадане місто"
    [updated] = actions("trafficking_event.update")
    assert updated.details == {"event_id": event.pk, "fields": ["country", "ended_on"]}


def test_a_change_made_on_an_old_version_is_refused_with_the_current_values(
    world: World,
) -> None:
    worker, supervisor = world.alpha.case_worker, world.alpha.supervisor
    event = add_event(world.own)
    services.update_trafficking_event(
        actor_for(supervisor), supervisor, event, expected_version=1, today=TODAY, city="Lviv"
    )
    with pytest.raises(services.StaleVersionError) as stale:
        services.update_trafficking_event(
            actor_for(worker), worker, event, expected_version=1, today=TODAY, country="PL"
        )
    assert stale.value.version == 2
    assert stale.value.current["city"] == "Lviv"
    assert TraffickingEvent.objects.get(pk=event.pk).country == "UA"
    assert len(actions("trafficking_event.update")) == 1


def test_a_change_is_checked_as_a_whole(world: World) -> None:
    worker = world.alpha.case_worker
    event = add_event(world.own)
    with pytest.raises(services.CaseInputError) as refused:
        services.update_trafficking_event(
            actor_for(worker),
            worker,
            event,
            expected_version=1,
            today=TODAY,
            started_on=date(2025, 6, 1),
        )
    assert set(refused.value.errors) == {"ended_on"}
    with pytest.raises(services.CaseInputError) as unknown:
        services.update_trafficking_event(
            actor_for(worker), worker, event, expected_version=1, today=TODAY, place="Lviv"
        )
    assert set(unknown.value.errors) == {"place"}
    assert TraffickingEvent.objects.get(pk=event.pk).version == 1


def test_an_event_is_removed_only_as_it_was_read(world: World) -> None:
    worker = world.alpha.case_worker
    event = add_event(world.own)
    services.update_trafficking_event(
        actor_for(worker), worker, event, expected_version=1, today=TODAY, city="Lviv"
    )
    with pytest.raises(services.StaleVersionError):
        services.remove_trafficking_event(actor_for(worker), worker, event, expected_version=1)
    assert TraffickingEvent.objects.filter(pk=event.pk).exists()
    services.remove_trafficking_event(actor_for(worker), worker, event, expected_version=2)
    assert not TraffickingEvent.objects.filter(pk=event.pk).exists()
    [removed] = actions("trafficking_event.remove")
    assert removed.details == {"event_id": event.pk, "kind": "Recruitment"}
    with pytest.raises(Http404):
        services.remove_trafficking_event(actor_for(worker), worker, event, expected_version=2)


@pytest.mark.parametrize("role", ["org_admin", "data_analyst", "auditor", "trainee"])
def test_roles_without_case_access_cannot_record_events(world: World, role: str) -> None:
    user = world.alpha.by_role(role)
    with pytest.raises(AccessDenied):
        add_event(world.own, user)
    event = add_event(world.own)
    with pytest.raises(AccessDenied):
        services.update_trafficking_event(
            actor_for(user), user, event, expected_version=1, today=TODAY, city="x"
        )
    with pytest.raises(AccessDenied):
        services.remove_trafficking_event(actor_for(user), user, event, expected_version=1)
    assert TraffickingEvent.objects.get().version == 1


def test_an_unassigned_case_worker_and_another_organisation_are_refused(world: World) -> None:
    for user in (world.alpha.colleague, world.beta.supervisor):
        with pytest.raises(AccessDenied):
            add_event(world.own, user)
    assert not TraffickingEvent.objects.exists()


def test_events_are_exported_with_the_persons_data_and_erased_with_it(world: World) -> None:
    supervisor = world.alpha.supervisor
    add_event(world.own)
    _name, _type, content = documents.export_person_data(
        actor_for(supervisor), supervisor, world.own, fmt="json"
    )
    [case] = json.loads(content)["cases"]
    [event] = case["trafficking_events"]
    assert (event["kind"], event["country"], event["city"]) == (
        "Recruitment",
        "UA",
        "Вигадане місто",
    )
    assert event["started_on"] == "2025-05-01"
    people_services.erase_person(
        actor_for(supervisor), supervisor, world.own.person, reason="person_request"
    )
    erased = TraffickingEvent.objects.get()
    assert (erased.city, erased.description) == (None, None)
    assert (erased.kind, erased.country) == ("Recruitment", "UA")


# ---- the summary of a case ------------------------------------------------------------------


def events_url(case: Case) -> str:
    return f"/cases/{case.pk}/events/"


def event_url(event: TraffickingEvent) -> str:
    return f"/cases/{event.case_id}/events/{event.pk}/"


def removal_url(event: TraffickingEvent) -> str:
    return f"{event_url(event)}remove/"


def edit_url(event: TraffickingEvent) -> str:
    return f"{event_url(event)}edit/"


HTMX = {"HTTP_HX_REQUEST": "true"}


def event_forms(client: Client, event: TraffickingEvent) -> str:
    """The event's forms as htmx fetches them when its "Edit" link is clicked."""
    response = client.get(edit_url(event), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def past(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


NEW_EVENT = {
    "kind": "Exploitation",
    "country": "PL",
    "city": "Fikcyjne Miasto",
    "started_on": past(300),
    "ended_on": past(20),
    "description": "Flat rented by the exploiters (fiction).",
}


def test_the_summary_lists_the_events_read_only_each_with_an_edit_link(world: World) -> None:
    recruited = add_event(world.own, started_on=date(2025, 5, 1))
    moved = add_event(
        world.own, kind="Transit", country="DE", city="", started_on=None, ended_on=None
    )
    exploited = add_event(
        world.own, kind="Exploitation", country="PL", started_on=date(2025, 6, 1), ended_on=None
    )
    response = sign_in(world.alpha.case_worker).get(f"/cases/{world.own.pk}/")
    assert response.status_code == 200
    page = text(response.content)
    assert_accessible(response.content.decode())
    assert "Trafficking events (HTCDS)" in page
    # Earliest first, an event without a date last.
    rows = [page.index(f'<tr id="event-{event.pk}">') for event in (recruited, exploited, moved)]
    assert rows == sorted(rows)
    first_row = page[rows[0] : page.index("</tr>", rows[0])]
    assert "<td>Ukraine</td>" in first_row
    assert "<td>Вигадане місто</td>" in first_row
    assert "<td>2025-05-01</td>" in first_row
    assert events_url(world.own) in page
    for event in (recruited, moved, exploited):
        row = page[page.index(f'<tr id="event-{event.pk}">') :]
        row = row[: row.index("</tr>")]
        assert f'href="{edit_url(event)}#event-{event.pk}-edit"' in row
        assert f'hx-get="{edit_url(event)}" hx-target="#event-{event.pk}-edit"' in row
        assert f'<tr id="event-{event.pk}-edit" data-edit-region hidden></tr>' in page
        assert f'action="{event_url(event)}"' not in page
        assert removal_url(event) not in page


def summary(client: Client, case: Case) -> tuple[str, int]:
    """The summary page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_summary_renders_no_event_form_and_its_queries_do_not_grow_with_the_events(
    world: World,
) -> None:
    client = sign_in(world.alpha.case_worker)
    add_event(world.own)
    one_page, one_query_count = summary(client, world.own)
    for index in range(24):
        add_event(world.own, kind="Transit", country="DE", city=f"Place {index}")
    page, query_count = summary(client, world.own)
    assert query_count == one_query_count
    assert page.count("Edit</a>") == 25
    # Only the form that records a new event: no change or removal form, no list of countries
    # per event.
    assert page.count("<form") == one_page.count("<form")
    assert page.count("<select") == one_page.count("<select")
    assert 'name="event-' not in page
    assert 'name="remove-' not in page


def test_the_edit_link_fetches_the_events_forms_with_its_current_values(world: World) -> None:
    event = add_event(world.own)
    other = add_event(world.own, kind="Transit", country="DE")
    supervisor = world.alpha.supervisor
    services.update_trafficking_event(
        actor_for(supervisor), supervisor, event, expected_version=1, today=TODAY, city="Lviv"
    )
    client = sign_in(world.alpha.case_worker)
    response = client.get(edit_url(event), **HTMX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith(f'<tr id="event-{event.pk}-edit" data-edit-region>')
    assert_accessible(fragment)
    current = {
        "kind": "Recruitment",
        "country": "UA",
        "city": "Lviv",
        "started_on": "2025-05-01",
        "ended_on": "2025-05-20",
        "description": "Met a 'modelling agent' online (fiction).",
    }
    mine = form_data(fragment, event_url(event))
    assert mine == {f"event-{event.pk}-version": ["2"]} | {
        f"{prefix}event-{event.pk}-{name}": [value]
        for name, value in current.items()
        for prefix in ("", "initial-")
    }
    assert form_data(fragment, removal_url(event)) == {f"remove-{event.pk}-version": ["2"]}
    assert f'href="/cases/{world.own.pk}/#event-{event.pk}"' in fragment
    assert f'data-close-edit="event-{event.pk}-edit-link"' in fragment
    assert f"event-{other.pk}-" not in fragment
    assert event_url(other) not in fragment
    [viewed] = actions("case.view")
    assert (viewed.object_id, viewed.details) == (str(world.own.pk), {"section": "events"})


def test_the_edit_fragment_reads_the_case_once(world: World) -> None:
    event = add_event(world.own)
    client = sign_in(world.alpha.case_worker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit_url(event), **HTMX)
    assert response.status_code == 200
    case_table = Case._meta.db_table
    case_reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and f'FROM "{case_table}"' in query["sql"]
    ]
    assert len(case_reads) == 1, case_reads


def test_without_javascript_the_edit_link_opens_the_summary_with_that_events_forms(
    world: World,
) -> None:
    event = add_event(world.own)
    other = add_event(world.own, kind="Transit", country="DE")
    client = sign_in(world.alpha.case_worker)
    response = client.get(edit_url(event))
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    page = response.content.decode()
    assert_accessible(page)
    assert "Trafficking events (HTCDS)" in text(page)
    assert form_data(page, event_url(event))[f"event-{event.pk}-country"] == ["UA"]
    assert form_data(page, removal_url(event)) == {f"remove-{event.pk}-version": ["1"]}
    assert f'<tr id="event-{other.pk}-edit" data-edit-region hidden></tr>' in page
    assert event_url(other) + '"' not in page
    assert [viewed.details for viewed in actions("case.view")] == [{"section": "summary"}]


@pytest.mark.parametrize("role", ["org_admin", "data_analyst", "auditor", "trainee"])
def test_roles_without_case_access_see_no_events(world: World, role: str) -> None:
    event = add_event(world.own)
    client = sign_in(world.alpha.by_role(role))
    for response in (
        client.get(f"/cases/{world.own.pk}/"),
        client.get(edit_url(event)),
        client.get(edit_url(event), **HTMX),
    ):
        assert response.status_code == 403
        assert "Вигадане" not in text(response.content)


def test_an_event_is_recorded_from_the_summary(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    response = client.post(events_url(world.own), NEW_EVENT, follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{world.own.pk}/"
    page = text(response.content)
    assert "The event was recorded." in messages_in(page)
    assert "Fikcyjne Miasto" in page
    event = TraffickingEvent.objects.get()
    assert (event.kind, event.country, event.started_on.isoformat()) == (
        "Exploitation",
        "PL",
        NEW_EVENT["started_on"],
    )
    assert actions("trafficking_event.add")[0].actor_id == world.alpha.case_worker.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"started_on": (date.today() + timedelta(days=1)).isoformat()}, "started_on", "future"),
        ({"ended_on": past(400)}, "ended_on", "Must not be before the start date."),
        ({"country": "ZZ"}, "country", "Choose a country from the list."),
        ({"kind": "Smuggling"}, "kind", "Select a valid choice."),
        ({"started_on": "1.5.2025"}, "started_on", "Enter a date as YYYY-MM-DD."),
        ({"country": ""}, "country", "This field is required."),
    ],
)
def test_a_wrong_event_is_explained_at_its_field_and_nothing_is_saved(
    world: World, changes: dict[str, str], field: str, message: str
) -> None:
    response = sign_in(world.alpha.case_worker).post(events_url(world.own), NEW_EVENT | changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert_accessible(page)
    assert message in text(page)
    # The form stays open, with what was typed.
    assert form_data(page, events_url(world.own))["city"] == ["Fikcyjne Miasto"]
    assert 'id="id_' + field in page
    assert not TraffickingEvent.objects.exists()


def test_an_event_is_changed_with_the_form_its_edit_link_fetches(world: World) -> None:
    event = add_event(world.own)
    client = sign_in(world.alpha.case_worker)
    url = event_url(event)
    mine = form_data(event_forms(client, event), url)
    assert mine[f"event-{event.pk}-version"] == ["1"]
    assert mine[f"event-{event.pk}-country"] == ["UA"]
    mine[f"event-{event.pk}-city"] = ["Lviv"]
    response = client.post(url, mine, follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{world.own.pk}/"
    assert "The event was saved." in messages_in(text(response.content))
    event.refresh_from_db()
    assert (event.city, event.version) == ("Lviv", 2)
    assert actions("trafficking_event.update")[0].details["fields"] == ["city"]
    # The same form posted again changes nothing.
    mine = form_data(event_forms(client, event), url)
    response = client.post(url, mine, follow=True)
    assert "Nothing was changed." in messages_in(text(response.content))
    assert TraffickingEvent.objects.get().version == 2


def test_a_wrong_change_shows_that_events_form_with_the_errors_and_what_was_posted(
    world: World,
) -> None:
    event = add_event(world.own)
    other = add_event(world.own, kind="Transit", country="DE")
    client = sign_in(world.alpha.case_worker)
    url = event_url(event)
    mine = form_data(event_forms(client, event), url)
    mine[f"event-{event.pk}-ended_on"] = ["2025-04-01"]
    mine[f"event-{event.pk}-city"] = ["Lviv"]
    response = client.post(url, mine)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Must not be before the start date." in text(page)
    assert_accessible(page)
    shown = form_data(page, url)
    assert shown[f"event-{event.pk}-ended_on"] == ["2025-04-01"]
    assert shown[f"event-{event.pk}-city"] == ["Lviv"]
    assert f'<tr id="event-{other.pk}-edit" data-edit-region hidden></tr>' in page
    assert TraffickingEvent.objects.get(pk=event.pk).ended_on == date(2025, 5, 20)


def test_an_event_changed_meanwhile_shows_both_values_and_reapplies_mine(world: World) -> None:
    event = add_event(world.own)
    supervisor = world.alpha.supervisor
    client = sign_in(world.alpha.case_worker)
    url = event_url(event)
    mine = form_data(event_forms(client, event), url)
    services.update_trafficking_event(
        actor_for(supervisor), supervisor, event, expected_version=1, today=TODAY, city="Lviv"
    )
    mine[f"event-{event.pk}-country"] = ["PL"]
    response = client.post(url, mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert_accessible(page)
    conflict = text(page[page.index('id="conflict"') :])
    assert "Someone else changed this case while you were editing" in conflict
    assert "Lviv" in conflict
    assert "Save again with my changes" in text(page)
    merged = form_data(page, url)
    assert merged[f"event-{event.pk}-version"] == ["2"]
    assert merged[f"event-{event.pk}-country"] == ["PL"]
    assert merged[f"event-{event.pk}-city"] == ["Lviv"]
    assert form_data(page, removal_url(event)) == {f"remove-{event.pk}-version": ["2"]}
    assert client.post(url, merged).status_code == 302
    event.refresh_from_db()
    assert (event.country, event.city, event.version) == ("PL", "Lviv", 3)


def test_an_event_is_removed_from_its_form_unless_changed_meanwhile(world: World) -> None:
    event = add_event(world.own)
    supervisor = world.alpha.supervisor
    client = sign_in(world.alpha.case_worker)
    url = removal_url(event)
    mine = form_data(event_forms(client, event), url)
    assert mine == {f"remove-{event.pk}-version": ["1"]}
    services.update_trafficking_event(
        actor_for(supervisor), supervisor, event, expected_version=1, today=TODAY, city="Lviv"
    )
    response = client.post(url, mine)
    assert response.status_code == 409
    assert "so it was not removed" in text(response.content)
    assert TraffickingEvent.objects.filter(pk=event.pk).exists()
    # The event's forms are open again, as it is now.
    page = response.content.decode()
    mine = form_data(page, url)
    assert mine == {f"remove-{event.pk}-version": ["2"]}
    assert form_data(page, event_url(event))[f"event-{event.pk}-city"] == ["Lviv"]
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert form_data(refused.content.decode(), url) == {f"remove-{event.pk}-version": [""]}
    assert "This field is required." in text(refused.content)
    response = client.post(url, mine, follow=True)
    assert "The event was removed." in messages_in(text(response.content))
    assert not TraffickingEvent.objects.exists()
    assert "No events recorded yet." in text(response.content)


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_event_forms_are_for_the_case_worker_and_the_supervisors(
    world: World, role: str, record: str
) -> None:
    case = world.case(record)
    event = add_event(case)
    client = sign_in(world.alpha.by_role(role))
    allowed = expected_access(role, record) == 200
    denied_before = AuditEvent.objects.filter(action="permission.denied").count()
    assert client.get(edit_url(event), **HTMX).status_code == (200 if allowed else 403)
    assert client.get(edit_url(event)).status_code == (200 if allowed else 403)
    # Wrong input does not turn a refusal into a form error.
    assert client.post(events_url(case), {"kind": "x"}).status_code == (400 if allowed else 403)
    assert client.post(events_url(case), NEW_EVENT).status_code == (302 if allowed else 403)
    change = {f"event-{event.pk}-version": "1", f"event-{event.pk}-city": "Lviv"}
    change |= {f"event-{event.pk}-{name}": value for name, value in NEW_EVENT.items()}
    assert client.post(event_url(event), change).status_code == (302 if allowed else 403)
    removal = {f"remove-{event.pk}-version": "2"}
    assert client.post(removal_url(event), removal).status_code == (302 if allowed else 403)
    left = TraffickingEvent.objects.filter(case=case)
    assert [item.kind for item in left] == (["Exploitation"] if allowed else ["Recruitment"])
    denied = AuditEvent.objects.filter(action="permission.denied").count() - denied_before
    assert denied == (0 if allowed else 6)


def test_an_event_of_another_case_is_not_found(world: World) -> None:
    elsewhere = add_event(world.same)
    client = sign_in(world.alpha.case_worker)
    wrong = f"/cases/{world.own.pk}/events/{elsewhere.pk}/"
    assert client.post(wrong, {}).status_code == 404
    assert client.post(f"{wrong}remove/", {}).status_code == 404
    assert client.get(f"{wrong}edit/").status_code == 404
    assert client.get(f"{wrong}edit/", **HTMX).status_code == 404
    missing = f"/cases/{world.own.pk}/events/999999/"
    assert client.get(f"{missing}edit/", **HTMX).status_code == 404
    assert client.get("/cases/999999/events/1/edit/", **HTMX).status_code == 404
    assert not actions("case.view")
    # Whoever may not see the case learns nothing from a 404.
    stranger = sign_in(world.beta.supervisor)
    assert stranger.post(missing, {}).status_code == 403
    assert stranger.get(f"{missing}edit/", **HTMX).status_code == 403
    assert stranger.get(f"{wrong}edit/").status_code == 403


def test_each_view_accepts_only_its_method(world: World) -> None:
    event = add_event(world.own)
    client = sign_in(world.alpha.case_worker)
    for url in (events_url(world.own), event_url(event), removal_url(event)):
        assert client.get(url).status_code == 405
    assert client.post(edit_url(event), {}).status_code == 405


JUNK = ["\x00", "9" * 40, "²", "-1", "", "null", "[]", "ä" * 5000, "2026-02-30"]


@pytest.mark.parametrize("junk", JUNK)
def test_hostile_values_never_break_the_event_forms(world: World, junk: str) -> None:
    event = add_event(world.own)
    client = sign_in(world.alpha.supervisor)
    names = ["version", "kind", "country", "city", "started_on", "ended_on", "description"]
    new = dict.fromkeys(names, junk)
    change = {
        f"{prefix}event-{event.pk}-{name}": junk for name in names for prefix in ("", "initial-")
    }
    removal = {f"remove-{event.pk}-version": junk}
    for url, data in (
        (events_url(world.own), new),
        (event_url(event), change),
        (removal_url(event), removal),
    ):
        response = client.post(url, data)
        assert response.status_code in (302, 400, 409), (url, response.status_code)
    junk_request = {"HTTP_HX_REQUEST": junk.encode("unicode_escape").decode("ascii")}
    for url in (edit_url(event), f"{edit_url(event)}?edit_event={junk}"):
        assert client.get(url, **junk_request).status_code == 200
    for event_id in (junk, "9" * 40, "-1"):
        response = client.get(f"/cases/{world.own.pk}/events/{event_id}/edit/", **HTMX)
        assert response.status_code == 404


# ---- the API --------------------------------------------------------------------------------


class Api:
    def __init__(self, user: User) -> None:
        self.client = Client()
        self.headers = bearer(user)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if body is None:
            return getattr(self.client, method)(path, **self.headers)
        return getattr(self.client, method)(
            path, data=json.dumps(body), content_type="application/json", **self.headers
        )


def problems(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {error["path"]: error["message"] for error in response.json()["errors"]}


def api_events(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/events"


API_EVENT = {
    "kind": "Recruitment",
    "country": "UA",
    "city": "Вигадане місто",
    "started_on": "2025-05-01",
    "ended_on": "2025-05-20",
    "description": "Met a 'modelling agent' online (fiction).",
}


def test_events_through_the_api(world: World) -> None:
    api = Api(world.alpha.case_worker)
    path = api_events(world.own)
    created = api.call("post", path, API_EVENT)
    assert created.status_code == 201, created.content
    event = created.json()
    assert event == {**API_EVENT, "id": event["id"], "version": 1}
    changed = api.call("patch", f"{path}/{event['id']}", {"version": 1, "city": "Lviv"})
    assert changed.status_code == 200
    assert (changed.json()["city"], changed.json()["version"]) == ("Lviv", 2)
    listed = api.call("get", path)
    assert [item["city"] for item in listed.json()] == ["Lviv"]
    assert actions("case.view")[-1].details == {"section": "events"}
    whole = api.call("get", f"/api/v1/cases/{world.own.pk}")
    assert [item["id"] for item in whole.json()["events"]] == [event["id"]]
    stale = api.call("delete", f"{path}/{event['id']}?version=1")
    assert stale.status_code == 409
    assert (stale.json()["version"], stale.json()["current"]["city"]) == (2, "Lviv")
    removed = api.call("delete", f"{path}/{event['id']}?version=2")
    assert removed.status_code == 204
    assert not TraffickingEvent.objects.exists()
    assert api.call("delete", f"{path}/{event['id']}?version=2").status_code == 404
    trail = AuditEvent.objects.filter(action__startswith="trafficking_event.").order_by("id")
    assert [event.action for event in trail] == [
        "trafficking_event.add",
        "trafficking_event.update",
        "trafficking_event.remove",
    ]


def test_wrong_events_get_422_with_each_path_and_nothing_is_saved(world: World) -> None:
    api = Api(world.alpha.case_worker)
    path = api_events(world.own)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    found = problems(api.call("post", path, API_EVENT | {"country": "ZZ", "started_on": tomorrow}))
    assert set(found) == {"$.country", "$.started_on"}
    assert "ISO 3166-1" in found["$.country"]
    assert problems(api.call("post", path, API_EVENT | {"ended_on": "2025-04-01"})) == {
        "$.ended_on": "Must not be before the start date."
    }
    assert set(problems(api.call("post", path, API_EVENT | {"kind": "Smuggling"}))) == {"$.kind"}
    assert set(problems(api.call("post", path, API_EVENT | {"started_on": "May 2025"}))) == {
        "$.started_on"
    }
    assert set(problems(api.call("post", path, {"kind": "Transit"}))) == {"$.country"}
    assert not TraffickingEvent.objects.exists()
    event = add_event(world.own)
    item = f"{path}/{event.pk}"
    assert set(problems(api.call("patch", item, {"city": "Lviv"}))) == {"$.version"}
    assert set(problems(api.call("patch", item, {"version": 1, "country": None}))) == {"$.country"}
    assert set(problems(api.call("delete", item))) == {"$.version"}
    assert TraffickingEvent.objects.get().version == 1
    assert api.call("patch", f"{path}/999999", {"version": 1}).status_code == 404


def test_a_misspelt_key_is_refused_rather_than_dropped(world: World) -> None:
    api = Api(world.alpha.case_worker)
    path = api_events(world.own)
    found = problems(api.call("post", path, API_EVENT | {"start_date": "2025-05-01"}))
    assert set(found) == {"$.start_date"}
    assert not TraffickingEvent.objects.exists()
    event = add_event(world.own)
    found = problems(api.call("patch", f"{path}/{event.pk}", {"version": 1, "town": "Lviv"}))
    assert set(found) == {"$.town"}
    assert TraffickingEvent.objects.get().version == 1


def test_an_api_change_on_an_old_version_is_409_with_the_current_values(world: World) -> None:
    event = add_event(world.own)
    supervisor = world.alpha.supervisor
    services.update_trafficking_event(
        actor_for(supervisor), supervisor, event, expected_version=1, today=TODAY, city="Lviv"
    )
    response = Api(world.alpha.case_worker).call(
        "patch", f"{api_events(world.own)}/{event.pk}", {"version": 1, "country": "PL"}
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["version"], body["current"]["city"], body["current"]["country"]) == (
        2,
        "Lviv",
        "UA",
    )
    assert TraffickingEvent.objects.get().country == "UA"
