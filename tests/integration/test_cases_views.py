"""The case pages at /cases/: who may open each one, what the list and the case show (and
never show), the navigation, and a bounded number of queries however many cases there are."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.integration.test_cases_support import (
    PDF_BYTES,
    PERSON,
    SCREENING,
    actor_for,
    consent_to_interview,
    open_case,
)
from tests.integration.test_cases_views_support import (
    RECORDS,
    ROLES,
    World,
    assert_accessible,
    expected_access,
    make_world,
    sign_in,
    tab_urls,
    text,
)
from waypoint.accounts.models import Organisation, User
from waypoint.audit.models import AuditEvent
from waypoint.cases import services
from waypoint.cases.models import Case, CaseStatus


@pytest.fixture
def world(alpha: Organisation, beta: Organisation, make_user: Callable[..., User]) -> World:
    return make_world(alpha, beta, make_user)


# ---- who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_due_view_and_opening_are_for_those_who_hold_cases(
    world: World, role: str
) -> None:
    client = sign_in(world.alpha.by_role(role))
    allowed = 200 if role in ("case_worker", "supervisor") else 403
    for url in ("/cases/", "/due/", "/cases/new/"):
        response = client.get(url)
        assert response.status_code == allowed, url
    response = client.post(
        "/cases/search/",
        {"given_names": "Olena", "family_names": "Kovalenko", "birth_date": "1994-03-12"},
    )
    assert response.status_code == allowed
    organisation_due = client.get("/due/?scope=organisation")
    assert organisation_due.status_code == (200 if role == "supervisor" else 403)


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("role", ROLES)
def test_every_tab_of_a_case_is_for_its_case_worker_and_the_supervisors(
    world: World, role: str, record: str
) -> None:
    client = sign_in(world.alpha.by_role(role))
    case = world.case(record)
    expected = expected_access(role, record)
    for tab, url in tab_urls(case).items():
        response = client.get(url)
        assert response.status_code == expected, (tab, response.status_code)
        if expected == 403:
            assert "Access refused" in text(response.content)
    refusals = AuditEvent.objects.filter(action="permission.denied", object_id=str(case.pk))
    assert refusals.count() == (len(tab_urls(case)) if expected == 403 else 0)
    # No screening to compare: a form error for those who may see the case, else a refusal.
    compare = client.get(f"/cases/{case.pk}/screening/compare/?older=1&newer=1")
    assert compare.status_code == (400 if expected == 200 else 403)


def test_a_refusal_shows_the_refusal_page_and_is_audited(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    response = client.get(f"/cases/{world.other.pk}/")
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="permission.denied")
    assert denied.actor_username == world.alpha.case_worker.username
    assert denied.object_type == "case"


def test_a_case_that_does_not_exist_is_404(world: World) -> None:
    client = sign_in(world.alpha.supervisor)
    for url in tab_urls(Case(pk=987654)).values():
        assert client.get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: World, client: Client) -> None:
    for url in ("/cases/", "/cases/new/", "/due/", *tab_urls(world.own).values()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


def test_every_view_of_a_tab_is_audited_with_the_tab(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    for tab, url in tab_urls(world.own).items():
        client.get(url)
        assert AuditEvent.objects.filter(
            action="case.view", object_id=str(world.own.pk), details__section=tab
        ).exists(), tab


# ---- what the pages show --------------------------------------------------------------------


def test_the_name_appears_on_the_summary_only(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    summary = text(client.get(f"/cases/{world.own.pk}/").content)
    assert "Olena Kovalenko" in summary
    assert "1994-03-12" in summary
    assert "Ukraine" in summary
    assert "Ukrainian" in summary
    for tab, url in tab_urls(world.own).items():
        if tab != "summary":
            assert "Olena" not in text(client.get(url).content), tab
    for url in ("/cases/", "/due/"):
        assert "Olena" not in text(client.get(url).content), url


def test_the_tabs_are_links_with_the_current_one_marked(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    for tab, url in tab_urls(world.own).items():
        page = client.get(url).content.decode()
        assert f'<a href="{url}" aria-current="page">' in page, tab
        assert page.count('aria-current="page"') == 1
        assert f"Case {world.own.code}" in page


@pytest.mark.parametrize("tab", list(tab_urls(Case(pk=1))))
def test_every_tab_has_labels_legends_and_no_inline_code(world: World, tab: str) -> None:
    user = world.alpha.case_worker
    consent_to_interview(world.own, user)
    services.save_screening(actor_for(user), user, world.own, raw_input=SCREENING)
    services.save_screening(actor_for(user), user, world.own, raw_input=SCREENING)
    services.add_support_item(actor_for(user), user, world.own, kind="Legal")
    services.upload_document(
        actor_for(user),
        user,
        world.own,
        filename="a.pdf",
        content_type="application/pdf",
        content=PDF_BYTES,
    )
    services.add_note(actor_for(user), user, world.own, body="First meeting.")
    client = sign_in(user)
    page = client.get(tab_urls(world.own)[tab]).content.decode()
    assert_accessible(page)


def test_the_other_pages_have_labels_legends_and_no_inline_code(world: World) -> None:
    client = sign_in(world.alpha.supervisor)
    for url in ("/cases/", "/cases/new/", "/due/", f"/cases/{world.own.pk}/erase/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_accessible(response.content.decode())


def test_the_list_shows_codes_statuses_owners_and_deadlines_never_names(
    world: World,
) -> None:
    services.update_case_details(
        actor_for(world.alpha.case_worker),
        world.alpha.case_worker,
        world.own,
        expected_version=1,
        presumption_certificate_issued_on=date(2026, 1, 10),
    )
    client = sign_in(world.alpha.supervisor)
    page = text(client.get("/cases/").content)
    assert world.own.code in page
    assert world.same.code in page
    assert world.other.code not in page
    assert "Screening" in page
    assert world.alpha.case_worker.username in page
    world.own.refresh_from_db()
    assert world.own.next_deadline_on is not None
    assert world.own.next_deadline_on.isoformat() in page
    assert "Olena" not in page
    assert "Kovalenko" not in page


def test_a_case_worker_lists_only_their_own_cases(world: World) -> None:
    page = text(sign_in(world.alpha.case_worker).get("/cases/").content)
    assert world.own.code in page
    assert world.same.code not in page


def test_the_list_filters_by_status_owner_deadline_and_exploitation(world: World) -> None:
    worker = world.alpha.case_worker
    services.update_case_details(
        actor_for(worker),
        worker,
        world.own,
        expected_version=1,
        exploitation_types=["ForcedLabour"],
        presumption_certificate_issued_on=date(2020, 1, 10),
    )
    client = sign_in(world.alpha.supervisor)

    def codes(query: str) -> set[str]:
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200, query
        page = text(response.content)
        return {code for code in (world.own.code, world.same.code) if code in page}

    assert codes("exploitation_type=ForcedLabour") == {world.own.code}
    assert codes("deadline=overdue") == {world.own.code}
    assert codes("deadline=due_soon") == set()
    assert codes(f"owner={world.alpha.colleague.pk}") == {world.same.code}
    assert codes("status=screening") == {world.own.code, world.same.code}
    assert codes("status=closed") == set()


@pytest.mark.parametrize(
    "query",
    ["status=nope", "owner=abc", "owner=999999", "deadline=tomorrow", "page=0", "page=x"],
)
def test_wrong_filters_are_explained_not_a_crash(world: World, query: str) -> None:
    response = sign_in(world.alpha.supervisor).get(f"/cases/?{query}")
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_the_list_pages_through_many_cases(world: World) -> None:
    for _ in range(30):
        open_case(world.alpha.case_worker)
    client = sign_in(world.alpha.case_worker)
    first = text(client.get("/cases/").content)
    assert "31 cases" in first
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    second = text(client.get("/cases/?page=2").content)
    assert "Page 2 of 2" in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_search_by_name_and_birth_date_shows_codes_only(world: World) -> None:
    client = sign_in(world.alpha.case_worker)
    response = client.post(
        "/cases/search/",
        {"given_names": "Olena", "family_names": "Kovalenko", "birth_date": "1994-03-12"},
    )
    assert response.status_code == 200
    page = text(response.content)
    assert "1 case found" in page
    assert world.own.code in page
    assert world.same.code not in page  # the same person, but someone else's case
    assert "<td>Olena" not in page
    assert AuditEvent.objects.filter(action="case.search").count() == 1
    assert client.get("/cases/search/").status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"given_names": "Olena"}, "Give the date of birth: names are searched only together"),
        ({"birth_date": "1994-03-12"}, "Give the given names, the family names or both."),
        ({"given_names": "Olena", "birth_date": "12/03/1994"}, "Enter a date as YYYY-MM-DD."),
    ],
)
def test_a_search_without_what_it_needs_says_so(
    world: World, data: dict[str, str], message: str
) -> None:
    response = sign_in(world.alpha.case_worker).post("/cases/search/", data)
    assert response.status_code == 400
    assert message in text(response.content)


def test_the_due_view_lists_mine_and_for_supervisors_the_organisation(world: World) -> None:
    worker, colleague = world.alpha.case_worker, world.alpha.colleague
    soon = date.today() + timedelta(days=2)
    services.add_support_item(actor_for(worker), worker, world.own, kind="Legal", due_on=soon)
    services.add_support_item(
        actor_for(colleague), colleague, world.same, kind="Health", due_on=soon
    )
    mine = text(sign_in(worker).get("/due/").content)
    assert world.own.code in mine
    assert world.same.code not in mine
    assert "Due soon" in mine
    supervisor = sign_in(world.alpha.supervisor)
    organisation = text(supervisor.get("/due/?scope=organisation").content)
    assert world.own.code in organisation
    assert world.same.code in organisation
    assert 'aria-current="page">The whole organisation' in organisation


def test_the_navigation_and_dashboard_offer_cases_to_those_who_hold_them(world: World) -> None:
    worker = world.alpha.case_worker
    soon = date.today() + timedelta(days=1)
    services.add_support_item(actor_for(worker), worker, world.own, kind="Legal", due_on=soon)
    dashboard = text(sign_in(worker).get("/").content)
    assert '<a href="/cases/">Cases</a>' in dashboard
    assert '<a href="/due/">Due</a>' in dashboard
    assert "1 of your cases has a deadline due soon or overdue." in dashboard
    for role in ("trainee", "data_analyst", "auditor", "org_admin"):
        page = text(sign_in(world.alpha.by_role(role)).get("/").content)
        assert '<a href="/cases/">' not in page, role
        assert "due soon or overdue" not in page, role


# ---- bounded queries ------------------------------------------------------------------------


def test_the_list_takes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for _ in range(35):
        open_case(world.alpha.case_worker, supervisor=world.alpha.supervisor)
    client = sign_in(world.alpha.supervisor)
    with django_assert_max_num_queries(12):
        response = client.get("/cases/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get("/due/?scope=organisation")
    assert response.status_code == 200


@pytest.mark.parametrize("tab", list(tab_urls(Case(pk=1))))
def test_a_full_case_takes_a_bounded_number_of_queries(
    world: World, tab: str, django_assert_max_num_queries: Any
) -> None:
    worker = world.alpha.case_worker
    actor = actor_for(worker)
    case = world.own
    consent_to_interview(case, worker)
    for index in range(32):
        services.add_note(actor, worker, case, body=f"Note {index}")
        services.add_support_item(
            actor, worker, case, kind="Legal", due_on=date(2026, 1, 1) + timedelta(days=index)
        )
        services.record_rights_information(
            actor, worker, case, language="uk", given_on=date(2026, 10, 2)
        )
    for _ in range(5):
        services.save_screening(actor, worker, case, raw_input=SCREENING)
        services.upload_document(
            actor,
            worker,
            case,
            filename="a.pdf",
            content_type="application/pdf",
            content=PDF_BYTES,
        )
    case.refresh_from_db()
    services.change_status(
        actor, worker, case, to_status="presumed_victim", reason="", expected_version=case.version
    )
    client = sign_in(worker)
    with django_assert_max_num_queries(27):
        response = client.get(tab_urls(case)[tab])
    assert response.status_code == 200


def test_statuses_use_the_case_vocabulary(world: World) -> None:
    page = text(sign_in(world.alpha.case_worker).get(f"/cases/{world.own.pk}/history/").content)
    assert str(CaseStatus.SCREENING.label) in page
    assert "Presumed victim" in page
    assert PERSON["given_names"] not in page
