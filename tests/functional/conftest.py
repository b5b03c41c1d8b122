"""Browser tests in Debian's Chromium, driven by Playwright against a live test server."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in the test thread; the test code itself only
# touches the database between browser steps, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WAYPOINT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-gpu",
            "--no-first-run",
        ],
    }


class OneRequestAtATimeServer(WSGIServer):
    """The live server, answering one request at a time. With SQLite in memory its threads
    would share one database connection, and two requests at once (an htmx update while a
    button is clicked) could break each other's queries."""

    def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
        # The server's own thread already uses the test's connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)

    def close_request(self, request: Any) -> None:
        # As the threaded server does: a connection left open would keep PostgreSQL from
        # dropping the test database (SQLite's in-memory one is never closed).
        connections.close_all()
        super().close_request(request)


@pytest.fixture(scope="session", autouse=True)
def _live_server_answers_one_request_at_a_time() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneRequestAtATimeServer)
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/functional/" in str(item.fspath):
            item.add_marker(pytest.mark.functional)
