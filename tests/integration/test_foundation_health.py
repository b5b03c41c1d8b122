"""The health check: for load balancers and monitoring, open to all, never cached."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client

from tests.conftest import PASSWORD, add_authenticator
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit.models import AuditEvent


class BrokenConnection:
    def cursor(self) -> Any:
        raise DatabaseError("connection refused")


class FailingQueryConnection:
    class _Cursor:
        def __enter__(self) -> "FailingQueryConnection._Cursor":
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def execute(self, sql: str) -> None:
            raise DatabaseError("server closed the connection unexpectedly")

    def cursor(self) -> "_Cursor":
        return self._Cursor()


def test_health_ok(client: Client, db: None) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("broken", [BrokenConnection, FailingQueryConnection])
def test_health_reports_an_unreachable_database(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch, broken: type
) -> None:
    monkeypatch.setattr("waypoint.web.views.connection", broken())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert "no-store" in response["Cache-Control"]


def test_health_answers_a_half_signed_in_user(
    client: Client, alpha: Organisation, make_user: Callable[..., User]
) -> None:
    user = make_user(alpha, Role.CASE_WORKER)
    add_authenticator(user)
    client.post("/account/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/").status_code == 302
    assert client.get("/health").status_code == 200


def test_health_answers_head_requests(client: Client, db: None) -> None:
    assert client.head("/health").status_code == 200
