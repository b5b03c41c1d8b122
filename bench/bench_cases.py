"""Server time of the case pages at scale: the case list under several filters, a case, the due
view and the exact search by name and birth date.

    .venv/bin/python bench/bench_cases.py [--count N] [--requests R] [--postgres] [--reuse]
                                          [--selectors] [--analyze] [--budget SECONDS]

First it seeds a database of its own with `seed_cases` (N fictional cases, default 100,000):
`var/bench/cases.sqlite3`, or with `--postgres` a database named after DATABASE_URL's with
`_bench` appended, dropped and created here. It never touches the developer's database.
`--reuse` keeps a database seeded by an earlier run with the same count.

Then it signs in a supervisor and a case worker (forced login, second factor marked as passed
through django-otp), sends each page R times (default 200) through Django's test client and
prints the median and 95th percentile in milliseconds and the number of SQL queries per page.
`--selectors` adds rows for the selectors alone, without the view and template; a page still
running after `--budget` seconds (default 20) stops early (the "sent" column). It asserts
nothing: it is a benchmark. Targets: p95 under 100 ms at 100,000 cases on SQLite and at
1,000,000 on PostgreSQL.
"""

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
ORGANISATION = "Benchmark Organisation (fictional)"
WARM_UP = 5


@dataclass(frozen=True)
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int | None
    status: int | None
    requests: int


HEADER = f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'HTTP':>5} {'sent':>5}"


def row(result: Result) -> str:
    queries = result.queries if result.queries is not None else "-"
    status = result.status if result.status is not None else "-"
    return (
        f"{result.name:40} {result.median_ms:10.1f} {result.p95_ms:8.1f} "
        f"{queries:>8} {status:>5} {result.requests:>5}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_keyring() -> str:
    """The bench database's own keys, kept beside it so that --reuse can read it again."""
    path = BENCH_DIR / "field_keys.json"
    if not path.exists():
        key_id = "kbench" + secrets.token_hex(2)
        config = {
            "active": key_id,
            "keys": {key_id: base64.b64encode(secrets.token_bytes(32)).decode()},
            "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.write_text(json.dumps(config))
        path.chmod(0o600)
    return path.read_text()


def prepare_postgres(reuse: bool) -> str:
    """Point DATABASE_URL at `<name>_bench` on the same server, created afresh unless reused."""
    import psycopg

    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("--postgres needs DATABASE_URL (postgres://user@host:port/name).")
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "waypoint") + "_bench"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            server.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    return name


def prepare_environment(options: argparse.Namespace) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["WAYPOINT_DEBUG"] = "0"  # no query log: measure what production runs
    os.environ["WAYPOINT_FIELD_KEYS"] = bench_keyring()
    os.environ.setdefault("WAYPOINT_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["WAYPOINT_DOCUMENTS_DIR"] = str(BENCH_DIR / "documents")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    if options.postgres:
        return "PostgreSQL database " + prepare_postgres(options.reuse)
    os.environ.pop("DATABASE_URL", None)
    path = BENCH_DIR / "cases.sqlite3"
    if not options.reuse:
        for stale in BENCH_DIR.glob("cases.sqlite3*"):
            stale.unlink()
    os.environ["WAYPOINT_SQLITE_PATH"] = str(path)
    return f"SQLite {path.relative_to(ROOT)}"


def seed(count: int, seed_value: int, *, analyze: bool) -> Any:
    from django.core.management import call_command
    from django.db import connection

    from waypoint.accounts.models import Organisation
    from waypoint.cases.models import Case

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    have = Case.objects.filter(organisation=organisation).count() if organisation else 0
    if have >= count:
        print(f"Reusing {have:,} seeded cases.")
    else:
        organisation = seed_more(count - have, seed_value)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load, by the time anyone looks at the pages:
        # planner statistics, and the visibility map that lets counts skip the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif analyze:
        # SQLite keeps no planner statistics unless told (ANALYZE, or PRAGMA optimize).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return organisation


def seed_more(count: int, seed_value: int) -> Any:
    from waypoint.cases.management.commands.seed_cases import seed_cases

    def progress(done: int, seconds: float) -> None:
        if done % 100_000 == 0 or done == count:
            print(f"  seeded {done:,} cases, {done / seconds:,.0f} cases/s", flush=True)

    result = seed_cases(
        organisation_name=ORGANISATION, count=count, seed=seed_value, progress=progress
    )
    print(f"Seeded {result.created:,} cases in {result.seconds:.0f} s ({result.rate:,.0f}/s).")
    return result.organisation


def signed_in_client(user: Any) -> Any:
    """A test client whose session passed the password and the second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(name: str, requests: int, budget: float, send: Callable[[int], Any]) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(WARM_UP):
        send(number)
    with CaptureQueriesContext(connection) as captured:
        response = send(WARM_UP)
    # Counted now: every request through the client empties the query log it reads.
    queries = len(captured)
    status = getattr(response, "status_code", None)
    timings: list[float] = []
    deadline = time.perf_counter() + budget
    for number in range(requests):
        started = time.perf_counter()
        send(number)
        timings.append((time.perf_counter() - started) * 1000)
        if started > deadline:
            break  # a page this slow has made its point
    return Result(
        name,
        statistics.median(timings),
        percentile(timings, 0.95),
        queries,
        status,
        len(timings),
    )


def run(options: argparse.Namespace) -> list[Result]:
    from django.utils import timezone

    from waypoint.accounts.models import Role, User
    from waypoint.cases import selectors
    from waypoint.cases.models import Case
    from waypoint.people.models import Person

    organisation = seed(options.count, options.seed, analyze=options.analyze)
    supervisor = User.objects.get(organisation=organisation, role=Role.SUPERVISOR)
    worker = (
        User.objects.filter(organisation=organisation, role=Role.CASE_WORKER)
        .order_by("username")
        .first()
    )
    assert worker is not None
    as_supervisor, as_worker = signed_in_client(supervisor), signed_in_client(worker)
    case_ids = list(
        Case.objects.filter(organisation=organisation)
        .order_by("?")
        .values_list("id", flat=True)[: options.requests]
    )
    worker_case_ids = list(
        Case.objects.filter(owner=worker)
        .order_by("?")
        .values_list("id", flat=True)[: options.requests]
    )
    people = list(
        Person.objects.filter(organisation=organisation)
        .order_by("?")
        .only("given_names", "family_names", "birth_date")[: options.requests]
    )
    last_page = Case.objects.filter(organisation=organisation).count() // 25

    def page(client: Any, query: str) -> Callable[[int], Any]:
        return lambda number: client.get(f"/cases/{query}")

    def due_page(client: Any, query: str) -> Callable[[int], Any]:
        return lambda number: client.get(f"/due/{query}")

    def case_page(client: Any, ids: list[int]) -> Callable[[int], Any]:
        return lambda number: client.get(f"/cases/{ids[number % len(ids)]}/")

    def search(number: int) -> Any:
        person = people[number % len(people)]
        return as_supervisor.post(
            "/cases/search/",
            {
                "given_names": person.given_names,
                "family_names": person.family_names,
                "birth_date": person.birth_date,
            },
        )

    scenarios: list[tuple[str, Callable[[int], Any]]] = [
        ("list: all (supervisor)", page(as_supervisor, "")),
        ("list: status=assisted", page(as_supervisor, "?status=assisted")),
        ("list: status+owner", page(as_supervisor, f"?status=assisted&owner={worker.pk}")),
        ("list: deadline=overdue", page(as_supervisor, "?deadline=overdue")),
        ("list: deadline=due_soon", page(as_supervisor, "?deadline=due_soon")),
        ("list: exploitation=Servitude", page(as_supervisor, "?exploitation_type=Servitude")),
        (
            "list: status+exploitation",
            page(as_supervisor, "?status=assisted&exploitation_type=Servitude"),
        ),
        (
            "list: status+exploitation+due_soon",
            page(
                as_supervisor,
                "?status=presumed_victim&exploitation_type=SexualExploitation&deadline=due_soon",
            ),
        ),
        ("list: page 200", page(as_supervisor, "?page=200")),
        (f"list: last page ({last_page:,})", page(as_supervisor, f"?page={last_page}")),
        ("list: own cases (case worker)", page(as_worker, "")),
        ("case page (supervisor)", case_page(as_supervisor, case_ids)),
        ("case page (case worker)", case_page(as_worker, worker_case_ids)),
        ("due: mine (case worker)", due_page(as_worker, "")),
        ("due: organisation (supervisor)", due_page(as_supervisor, "?scope=organisation")),
        ("search: name + birth date", search),
    ]
    if options.selectors:
        today = timezone.localdate()
        verified_supervisor = User.objects.get(pk=supervisor.pk)
        verified_supervisor.is_verified = lambda: True  # type: ignore[attr-defined]
        verified_worker = User.objects.get(pk=worker.pk)
        verified_worker.is_verified = lambda: True  # type: ignore[attr-defined]
        scenarios += [
            (
                "selector: case_list all",
                lambda number: selectors.case_list(verified_supervisor, today=today),
            ),
            (
                "selector: due_list organisation",
                lambda number: selectors.due_list(
                    verified_supervisor, today=today, scope="organisation"
                ),
            ),
            (
                "selector: due_list mine (case worker)",
                lambda number: selectors.due_list(verified_worker, today=today),
            ),
            (
                "selector: search name + birth date",
                lambda number: selectors.search_by_name_and_birth_date(
                    verified_supervisor,
                    given_names=people[number % len(people)].given_names or "",
                    family_names=people[number % len(people)].family_names or "",
                    birth_date=date.fromisoformat(str(people[number % len(people)].birth_date)),
                ),
            ),
            (
                "selector: case_page",
                lambda number: selectors.case_page(
                    Case(pk=case_ids[number % len(case_ids)]), today=today
                ),
            ),
        ]
    print(HEADER)
    results = []
    for name, send in scenarios:
        try:
            results.append(measure(name, options.requests, options.budget, send))
        except Exception as error:  # a page that fails is reported, and the others still run
            print(f"{name:40} failed: {type(error).__name__}: {error}", flush=True)
        else:
            print(row(results[-1]), flush=True)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--selectors", action="store_true")
    parser.add_argument(
        "--analyze", action="store_true", help="Gather SQLite's planner statistics after seeding."
    )
    parser.add_argument(
        "--budget", type=float, default=20.0, help="Seconds after which a page stops being sent."
    )
    parser.add_argument("--seed", type=int, default=20_261_129)
    options = parser.parse_args(argv)

    where = prepare_environment(options)
    import django

    django.setup()
    print(f"{where}, {options.count:,} cases, {options.requests} requests per page")
    run(options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
