"""The audit trail: hash chain, append-only at both layers, tamper detection and the UI."""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from tests.conftest import PASSWORD
from waypoint.accounts import services as account_services
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit import selectors
from waypoint.audit import services as audit
from waypoint.audit.models import AppendOnlyError, AuditEvent, ChainHead, Outcome
from waypoint.audit.selectors import verify_chain

triggers = import_module("waypoint.audit.migrations.0002_append_only_triggers")
TABLE = AuditEvent._meta.db_table


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def record_many(count: int, organisation: Organisation | None = None) -> list[AuditEvent]:
    organisation_id = organisation.pk if organisation else None
    actor = audit.Actor(username="writer", organisation_id=organisation_id)
    return [audit.record(actor, f"test.event_{n}", details={"n": n}) for n in range(count)]


@pytest.fixture
def no_triggers(db: None) -> Iterator[None]:
    """Lift the append-only triggers, as an attacker with database access could."""
    drop = {"sqlite": triggers.SQLITE_DROP, "postgresql": triggers.POSTGRES_DROP}
    create = {"sqlite": triggers.SQLITE_CREATE, "postgresql": triggers.POSTGRES_CREATE}
    with connection.cursor() as cursor:
        for statement in drop[connection.vendor]:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in create[connection.vendor]:
            cursor.execute(statement)


def test_events_are_chained(db: None) -> None:
    first, second, third = record_many(3)
    assert first.previous_hash == audit.GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    for event in AuditEvent.objects.all():
        assert event.entry_hash == audit.entry_hash(event.previous_hash, audit.hashed_fields(event))
    head = ChainHead.objects.get()
    assert head.last_event_id == third.pk
    assert head.last_hash == third.entry_hash


def test_chain_spans_real_requests(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client.post("/account/login/", {"username": user.username, "password": "wrong-password"})
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    client.post("/account/logout/")
    events = list(AuditEvent.objects.order_by("id"))
    assert [event.action for event in events] == ["login.failed", "login.password", "logout"]
    assert events[1].previous_hash == events[0].entry_hash
    assert events[2].previous_hash == events[1].entry_hash
    assert verify() == "Audit trail intact: 3 entries verified.\n"


def test_verify_empty_trail(db: None) -> None:
    assert verify() == "Audit trail intact: 0 entries verified.\n"


def test_verify_intact_trail(db: None) -> None:
    record_many(5)
    assert verify() == "Audit trail intact: 5 entries verified.\n"


def test_verify_handles_more_than_one_batch(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    original = selectors._events_in_order
    monkeypatch.setattr(selectors, "_events_in_order", lambda: original(batch_size=2))
    record_many(5)
    assert verify_chain().verified == 5


def test_model_refuses_change_and_delete(db: None) -> None:
    [event] = record_many(1)
    assert str(event) == f"#{event.pk} test.event_0 by writer"
    assert str(ChainHead.objects.get()) == f"audit chain head at #{event.pk}"
    event.action = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get().action == "test.event_0"


def test_database_refuses_raw_update(db: None) -> None:
    [event] = record_many(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["forged", event.pk])
    assert AuditEvent.objects.get().action == "test.event_0"


def test_database_refuses_raw_delete(db: None) -> None:
    record_many(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 2


def test_queryset_update_and_delete_are_refused_by_the_database(db: None) -> None:
    record_many(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(action="forged").count() == 0
    assert AuditEvent.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_database_refuses_truncate(db: None) -> None:
    record_many(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 1


def test_altered_entry_is_named(no_triggers: None) -> None:
    events = record_many(4)
    altered = events[1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["forged", altered.pk])
    with pytest.raises(CommandError) as error:
        verify()
    message = str(error.value)
    assert f"entry {altered.pk}:" in message
    assert "altered" in message
    assert "1 entries before it verified" in message


def test_altered_details_are_detected(no_triggers: None) -> None:
    events = record_many(3)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET details = %s WHERE id = %s", ['{"n": 99}', events[2].pk]
        )
    report = verify_chain()
    assert report.broken_at == events[2].pk
    assert "altered" in report.problem


def test_rehashed_entry_is_caught_by_the_next_link(no_triggers: None) -> None:
    """Rewriting an entry and its own hash still breaks the following entry's link."""
    events = record_many(3)
    target = AuditEvent.objects.get(pk=events[0].pk)
    target.action = "forged"
    forged_hash = audit.entry_hash(target.previous_hash, audit.hashed_fields(target))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET action = %s, entry_hash = %s WHERE id = %s",
            ["forged", forged_hash, target.pk],
        )
    report = verify_chain()
    assert report.broken_at == events[1].pk
    assert "removed or altered" in report.problem


def test_deleted_middle_entry_names_the_next_entry(no_triggers: None) -> None:
    events = record_many(5)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])
    with pytest.raises(CommandError) as error:
        verify()
    message = str(error.value)
    assert f"entry {events[3].pk}:" in message
    assert "removed or altered" in message
    assert "2 entries before it verified" in message


def test_deleted_last_entry_is_reported_as_head_mismatch(no_triggers: None) -> None:
    events = record_many(3)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError) as error:
        verify()
    message = str(error.value)
    assert f"entry {events[-1].pk}:" in message
    assert "newest entries were removed" in message
    assert "2 entries before it verified" in message


def test_deleted_whole_trail_is_reported(no_triggers: None) -> None:
    record_many(3)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    with pytest.raises(CommandError, match="newest entries were removed"):
        verify()


def test_ipv4_mapped_ipv6_client_address_keeps_the_chain_intact(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    """A dual-stack server sees IPv4 clients as ::ffff:a.b.c.d; that is no tampering."""
    user = make_user(alpha, Role.TRAINEE)
    client.post(
        "/account/login/",
        {"username": user.username, "password": "wrong-password"},
        REMOTE_ADDR="::ffff:192.0.2.10",
    )
    assert AuditEvent.objects.get().ip_address is not None
    assert verify() == "Audit trail intact: 1 entries verified.\n"


def test_ipv6_client_address_keeps_the_chain_intact(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.TRAINEE)
    client.post(
        "/account/login/",
        {"username": user.username, "password": "wrong-password"},
        REMOTE_ADDR="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    assert AuditEvent.objects.get().ip_address == "2001:db8::1"
    assert verify() == "Audit trail intact: 1 entries verified.\n"


def test_unusual_details_keep_the_chain_intact(db: None) -> None:
    audit.record(
        audit.Actor(username="Ołena Шевченко", user_agent="Mozilla/5.0 ✓"),
        "test.unicode",
        object_id=12345,
        details={"text": "żółć — «тест»", "nested": {"list": [1, 2.5, None, True]}, "n": 10**12},
    )
    assert verify() == "Audit trail intact: 1 entries verified.\n"


def test_invalid_ip_address_is_stored_as_none(db: None) -> None:
    assert audit.normalised_ip("not-an-ip") is None
    assert audit.normalised_ip(None) is None
    assert audit.normalised_ip("192.0.2.1") == "192.0.2.1"


# --- the auditor's page -------------------------------------------------------------------


@pytest.fixture
def auditor_client(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> Client:
    return signed_in(make_user(alpha, Role.AUDITOR))


def rows(response: object) -> int:
    return response.content.decode().count('<span class="badge badge-')  # type: ignore[attr-defined]


def actions_on(response: object) -> list[str]:
    return re.findall(r'<td class="mono">([a-z_.0-9]+)</td>', response.content.decode())  # type: ignore[attr-defined]


def test_auditor_filters_by_actor_action_outcome_and_date(
    auditor_client: Client, alpha: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = audit.Actor(username="anna", organisation_id=alpha.pk)
    piotr = audit.Actor(username="piotr", organisation_id=alpha.pk)
    long_ago = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    with monkeypatch.context() as patch:
        patch.setattr(audit.timezone, "now", lambda: long_ago)
        audit.record(anna, "case.old_view")
    audit.record(anna, "case.view")
    audit.record(piotr, "case.view", outcome=Outcome.DENIED)
    audit.record(piotr, "user.create")

    response = auditor_client.get("/audit/", {"actor": "ANNA"})
    assert response.status_code == 200
    assert sorted(actions_on(response)) == ["case.old_view", "case.view"]

    response = auditor_client.get("/audit/", {"action": "case."})
    assert sorted(actions_on(response)) == ["case.old_view", "case.view", "case.view"]

    response = auditor_client.get("/audit/", {"outcome": "denied"})
    assert actions_on(response) == ["case.view"]

    response = auditor_client.get("/audit/", {"date_to": "2024-01-31"})
    assert actions_on(response) == ["case.old_view"]

    today = timezone.localdate().isoformat()
    response = auditor_client.get("/audit/", {"actor": "anna", "date_from": today})
    assert actions_on(response) == ["case.view"]

    audit.record(piotr, "user.update", object_type="user", object_id=77)
    response = auditor_client.get("/audit/", {"object_type": "user", "object_id": "77"})
    assert actions_on(response) == ["user.update"]

    response = auditor_client.get("/audit/", {"actor": "nobody"})
    assert rows(response) == 0
    assert "No events match." in response.content.decode()


def test_auditor_page_paginates(
    auditor_client: Client,
    alpha: Organisation,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    record_many(60, alpha)
    total = AuditEvent.objects.filter(organisation_id=alpha.pk).count()
    with django_assert_max_num_queries(12):
        first = auditor_client.get("/audit/", {"action": "test."})
    assert rows(first) == 50
    page = first.content.decode()
    assert "Page 1 of 2" in page
    assert "action=test.&amp;page=2" in page
    assert actions_on(first)[0] == "test.event_59"
    second = auditor_client.get("/audit/", {"action": "test.", "page": "2"})
    assert rows(second) == 10
    assert "Page 2 of 2" in second.content.decode()
    # Nonsense page numbers fall back to a real page rather than failing.
    assert auditor_client.get("/audit/", {"page": "abc"}).status_code == 200
    assert auditor_client.get("/audit/", {"page": "99999"}).status_code == 200
    assert total > 60


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not-a-date"},
        {"date_to": "2024-13-45"},
        {"outcome": "maybe"},
        {"actor": "a" * 500},
    ],
)
def test_invalid_filter_is_a_400_with_an_error(
    auditor_client: Client, query: dict[str, str]
) -> None:
    response = auditor_client.get("/audit/", query)
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_audit_page_escapes_what_attackers_type(
    alpha: Organisation, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    audit.record(
        audit.Actor(username="<img src=x onerror=alert(2)>", organisation_id=alpha.pk),
        "test.xss",
        object_type="<b>",
        details={"note": "<script>alert(3)</script>"},
    )
    page = signed_in(make_user(alpha, Role.AUDITOR)).get("/audit/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_api_audit_events_filter_and_paginate(
    alpha: Organisation, make_user: Callable[..., User]
) -> None:
    auditor = make_user(alpha, Role.AUDITOR)
    auditor.is_verified = lambda: True  # type: ignore[method-assign]
    secret = account_services.issue_api_token(audit.Actor(), auditor, name="t", days=5).secret
    record_many(7, alpha)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = Client().get(
        "/api/v1/audit/events", {"action": "test.", "limit": 3, "offset": 2}, **headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [item["action"] for item in body["items"]] == [
        "test.event_4",
        "test.event_3",
        "test.event_2",
    ]
    assert set(body["items"][0]) == {
        "id",
        "created_at",
        "actor_username",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "ip_address",
        "details",
        "entry_hash",
    }
    bad = Client().get("/api/v1/audit/events", {"date_from": "nope"}, **headers)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "The input is not valid."
    assert bad.json()["errors"][0]["path"] == "$.date_from"
