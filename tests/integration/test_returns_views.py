"""The return pages: who may see and change what, every view audited, errors shown whole, and
nothing inline that the content security policy would refuse."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from tests.conftest import PASSWORD
from tests.integration.test_returns_support import (
    ALL_GOOD_ANSWERS,
    WORSE_ANSWERS,
    actor_for,
    days_ago,
    events,
    make_case,
    signed_in_client,
    start,
    verified,
    walk_to,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.returns import services
from waypoint.returns.models import CounsellingSession, Return, StageChange

SECTIONS = ["", "counselling/", "eligibility/", "declaration/", "risk/", "travel/", "plan/",
            "monitoring/"]  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Scene:
    worker: User
    supervisor: User
    record: Return

    def urls(self) -> dict[str, list[str]]:
        base = f"/returns/{self.record.pk}/"
        declaration = self.record.declarations.get()
        assessment = self.record.risk_assessments.get()
        document = self.record.travel_documents.get()
        item = self.record.assistance_items.get()
        return {
            "get": [base + section for section in SECTIONS]
            + [f"{base}declaration/{declaration.pk}/pdf/"],
            "post": [
                base + "stage/",
                base + "attention/",
                base + "counselling/",
                base + "eligibility/",
                base + "declaration/",
                f"{base}declaration/{declaration.pk}/signed/",
                base + "risk/",
                f"{base}risk/{assessment.pk}/decision/",
                base + "travel/",
                base + "travel/documents/",
                f"{base}travel/documents/{document.pk}/",
                base + "plan/",
                f"{base}plan/{item.pk}/",
                f"{base}plan/{item.pk}/payments/",
                base + "monitoring/",
            ],
        }


@pytest.fixture
def scene(alpha: Organisation, make_user: Callable[..., User]) -> Scene:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    supervisor = verified(make_user(alpha, Role.SUPERVISOR))
    record = walk_to("monitoring", worker, supervisor, start(worker, make_case(worker, supervisor)))
    for answers, days in ((ALL_GOOD_ANSWERS, 20), (WORSE_ANSWERS, 10)):
        services.record_monitoring_visit(
            actor_for(worker), worker, record, visited_on=days_ago(days), mode="phone",
            answers=answers,
        )  # fmt: skip
    return Scene(worker, supervisor, Return.objects.get(pk=record.pk))


def test_the_assigned_case_worker_sees_every_page_and_each_view_is_audited(scene: Scene) -> None:
    client = signed_in_client(scene.worker)
    for section in SECTIONS:
        response = client.get(f"/returns/{scene.record.pk}/{section}")
        assert response.status_code == 200, section
        page = response.content.decode()
        assert scene.record.code in page
        assert "Olena Kovalenko" in page
    views = events("return.view")
    assert [event.details["section"] for event in views] == [
        "overview", "counselling", "eligibility", "declaration", "risk", "travel", "plan",
        "monitoring",
    ]  # fmt: skip
    assert all(event.actor_id == scene.worker.pk for event in views)
    assert all(event.object_id == str(scene.record.pk) for event in views)


def test_pages_carry_no_inline_style_or_script(scene: Scene) -> None:
    client = signed_in_client(scene.supervisor)
    for section in [*SECTIONS, "../", "../new/", "../programme/"]:
        page = client.get(f"/returns/{scene.record.pk}/{section}").content.decode()
        assert not re.search(r"\sstyle=", page), section
        assert "<style" not in page, section
        for script in re.findall(r"<script[^>]*>", page):
            assert "src=" in script, section
        assert not re.search(r"\son[a-z]+=", page), section


def test_the_monitoring_page_shows_the_chart_and_a_table_of_the_same_numbers(
    scene: Scene,
) -> None:
    page = signed_in_client(scene.worker).get(f"/returns/{scene.record.pk}/monitoring/")
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group()
    assert "Reintegration sustainability scores over the monitoring visits (provisional)" in html
    assert html.count("<circle") >= 2
    table = html[html.index("<caption>The same scores as the chart") :]
    assert "0.98" in table
    assert "0.69" in table
    assert "Overall score fell from 0.98 to 0.69" in table
    assert "Provisional" in html
    assert "Monitoring needs your attention." in html


@pytest.mark.parametrize(
    "role", [Role.TRAINEE, Role.AUDITOR, Role.ORG_ADMIN, Role.DATA_ANALYST, "colleague", "beta"]
)
def test_everyone_else_is_refused_every_page_and_every_write_and_it_is_audited(
    scene: Scene, role: str, alpha: Organisation, beta: Organisation,
    make_user: Callable[..., User],
) -> None:  # fmt: skip
    if role == "colleague":
        user = make_user(alpha, Role.CASE_WORKER, username="colleague")
    elif role == "beta":
        user = make_user(beta, Role.SUPERVISOR, username="beta-supervisor")
    else:
        user = make_user(alpha, role)
    client = signed_in_client(user)
    urls = scene.urls()
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url, {}).status_code == 403, url
    denied = events("permission.denied")
    assert len(denied) == len(urls["get"]) + len(urls["post"])
    assert {event.actor_id for event in denied} == {user.pk}
    assert not events("return.view")
    assert CounsellingSession.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in_and_unknown_returns_are_404(
    scene: Scene, client: Client
) -> None:
    response = client.get(f"/returns/{scene.record.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    signed = signed_in_client(scene.worker)
    assert signed.get("/returns/999999/").status_code == 404
    assert signed.post("/returns/999999/counselling/", {}).status_code == 404


def test_wrong_input_shows_every_error_and_saves_nothing(scene: Scene) -> None:
    client = signed_in_client(scene.worker)
    response = client.post(
        f"/returns/{scene.record.pk}/monitoring/",
        {"visited_on": "2020-13-40", "mode": "telepathy", "answer_debt": "no_idea"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Visited on: Enter a valid date." in page
    assert "How: Select a valid choice." in page
    assert scene.record.monitoring_visits.count() == 2

    response = client.post(
        f"/returns/{scene.record.pk}/monitoring/",
        {"visited_on": days_ago(1).isoformat(), "mode": "phone"},
    )
    assert response.status_code == 400
    assert "Give at least one answer." in response.content.decode()


def test_a_case_worker_moves_the_stage_but_only_a_supervisor_approves(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    supervisor = verified(make_user(alpha, Role.SUPERVISOR))
    record = walk_to(
        "application", worker, supervisor, start(worker, make_case(worker, supervisor))
    )
    client = signed_in_client(worker)
    overview = client.get(f"/returns/{record.pk}/").content.decode()
    assert 'value="withdrawn"' in overview
    assert 'value="approved"' not in overview
    response = client.post(
        f"/returns/{record.pk}/stage/",
        {"to_stage": "approved", "expected_stage": "application", "on": days_ago(0).isoformat()},
    )
    assert response.status_code == 403
    assert events("permission.denied")[-1].details == {"permission": "approve_case_decisions"}

    response = client.post(
        f"/returns/{record.pk}/stage/",
        {"to_stage": "withdrawn", "expected_stage": "application", "on": days_ago(0).isoformat(),
         "reason": "She found work here."},
    )  # fmt: skip
    assert response.status_code == 302
    assert Return.objects.get(pk=record.pk).stage == "withdrawn"
    assert StageChange.objects.filter(to_stage="withdrawn").get().reason == "She found work here."


def test_a_refused_move_explains_why_on_the_page(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    record = start(worker, make_case(worker))
    response = signed_in_client(worker).post(
        f"/returns/{record.pk}/stage/",
        {"to_stage": "application", "expected_stage": "counselling", "on": days_ago(0)},
    )
    assert response.status_code == 400
    assert "Counselling has not yet covered" in response.content.decode()
    assert Return.objects.get(pk=record.pk).stage == "counselling"


def test_starting_a_return_from_a_case_code(
    alpha: Organisation, beta: Organisation, make_user: Callable[..., User]
) -> None:
    worker = make_user(alpha, Role.CASE_WORKER)
    case = make_case(worker)
    other = make_case(make_user(beta, Role.CASE_WORKER))
    client = signed_in_client(worker)
    form = {"programme_id": "pl_safe_return_victims", "country_of_return": "UA",
            "language": "uk", "started_on": days_ago(0).isoformat()}  # fmt: skip
    response = client.post("/returns/new/", {**form, "case_code": other.code})
    assert response.status_code == 400
    assert "No case of your organisation has this code." in response.content.decode()
    response = client.post("/returns/new/", {**form, "case_code": case.code.lower()})
    assert response.status_code == 302
    created = Return.objects.get()
    assert response["Location"] == f"/returns/{created.pk}/"
    assert created.case == case
    [started] = events("return.start")
    assert started.details["country_of_return"] == "UA"
    listing = client.get("/returns/").content.decode()
    assert created.code in listing
    assert case.person.reference in listing


def test_the_declaration_pdf_download_is_audited(scene: Scene) -> None:
    declaration = scene.record.declarations.get()
    response = signed_in_client(scene.worker).get(
        f"/returns/{scene.record.pk}/declaration/{declaration.pk}/pdf/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    [download] = events("return.declaration.download")
    assert download.details["declaration_id"] == declaration.pk


def test_the_programme_view_is_for_aggregate_roles_and_suppressed_for_analysts(
    scene: Scene, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    supervisor_page = signed_in_client(scene.supervisor).get("/returns/programme/")
    assert supervisor_page.status_code == 200
    assert "small-cell suppression" not in supervisor_page.content.decode()
    analyst = signed_in_client(make_user(alpha, Role.DATA_ANALYST))
    page = analyst.get("/returns/programme/").content.decode()
    assert "small-cell suppression, k = 5" in page
    assert "withheld" in page
    assert "Olena" not in page
    partial = analyst.get("/returns/programme/?country=UA", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'id="programme-results"' in partial.content.decode()
    assert signed_in_client(scene.worker).get("/returns/programme/").status_code == 403
    assert [event.details["suppressed"] for event in events("returns.programme.view")] == [
        False, True, True,
    ]  # fmt: skip


def test_the_small_forms_in_the_tables_save_or_say_what_is_wrong(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    worker = verified(make_user(alpha, Role.CASE_WORKER))
    supervisor = verified(make_user(alpha, Role.SUPERVISOR))
    record = start(worker, make_case(worker, supervisor))
    walk_to("approved", worker, supervisor, record)
    client, boss = signed_in_client(worker), signed_in_client(supervisor)
    base = f"/returns/{record.pk}/"

    response = client.post(base + "eligibility/", {
        "nationality": "UA", "migration_status": "presumed_or_identified_victim",
        "obligations": "one", "obligation_description": "Witness at the trial in May",
        "obligation_requires_presence": "yes", "is_minor": "no",
    })  # fmt: skip
    assert response.status_code == 302
    assert record.eligibility_checks.first().verdict == "not_eligible"

    response = client.post(base + "risk/", {
        "assessed_on": days_ago(0).isoformat(), "re_trafficking": "high",
        "perpetrator_threat": "low", "family_situation": "low", "health_needs": "low",
        "re_trafficking_details": "He still owes the recruiter.",
    })  # fmt: skip
    assert response.status_code == 302
    assessment = record.risk_assessments.get()
    assert "Departure is blocked." in client.get(base).content.decode()
    decision = {"decision": "proceed", "reason": "Escort arranged."}
    assert client.post(f"{base}risk/{assessment.pk}/decision/", decision).status_code == 403
    assert boss.post(f"{base}risk/{assessment.pk}/decision/", decision).status_code == 302
    assert "Departure is blocked." not in client.get(base).content.decode()

    assert client.post(base + "travel/documents/", {
        "kind": "transit_visa", "status": "requested", "requested_on": days_ago(2).isoformat(),
    }).status_code == 302  # fmt: skip
    document = record.travel_documents.get()
    response = client.post(f"{base}travel/documents/{document.pk}/", {"status": "issued"})
    assert response.status_code == 400
    assert "Issued on: Give the date the document was issued." in response.content.decode()
    response = client.post(f"{base}travel/documents/{document.pk}/", {
        "status": "issued", "issued_on": days_ago(1).isoformat(),
    })  # fmt: skip
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "issued"

    assert client.post(base + "plan/", {
        "kind": "housing_support", "level": "individual", "budget": "600", "currency": "UAH",
        "status": "planned",
    }).status_code == 302  # fmt: skip
    item = record.assistance_items.get()
    assert item.dimension == "social"
    payment = {"amount": "100", "paid_on": days_ago(0).isoformat()}
    response = client.post(f"{base}plan/{item.pk}/payments/", payment)
    assert response.status_code == 400
    assert "Payments are made only for approved items" in response.content.decode()
    assert client.post(f"{base}plan/{item.pk}/", {"status": "approved"}).status_code == 302
    assert client.post(f"{base}plan/{item.pk}/payments/", payment).status_code == 302
    assert "100.00 UAH" in client.get(base + "plan/").content.decode()
    assert client.post(f"{base}plan/999999/payments/", payment).status_code == 404

    response = client.post(base + "attention/")
    assert response.status_code == 302
    assert "Nothing is waiting for review." in client.get(base).content.decode()


def test_a_password_without_the_second_factor_reaches_no_return(scene: Scene) -> None:
    client = Client()
    client.post("/account/login/", {"username": scene.worker.username, "password": PASSWORD})
    for url in (f"/returns/{scene.record.pk}/", "/returns/", "/returns/programme/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/two-factor/")


def test_a_page_takes_the_same_number_of_queries_however_much_is_recorded(
    scene: Scene, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client = signed_in_client(scene.worker)
    url = f"/returns/{scene.record.pk}/plan/"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for number in range(3):
        item = services.add_assistance_item(
            actor_for(scene.worker), scene.worker, scene.record,
            details=services.AssistanceDetails(kind="school_fees", level="individual",
                                               budget="100", currency="EUR", status="approved"),
        )  # fmt: skip
        services.record_disbursement(
            actor_for(scene.worker), scene.worker, item, amount=str(10 + number),
            paid_on=days_ago(0),
        )  # fmt: skip
        services.record_monitoring_visit(
            actor_for(scene.worker), scene.worker, scene.record, visited_on=days_ago(0),
            mode="phone", answers=ALL_GOOD_ANSWERS,
        )  # fmt: skip
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(f"/returns/{scene.record.pk}/monitoring/").status_code == 200
