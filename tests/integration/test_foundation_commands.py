"""Management commands: demo, compile_translations, flush, and the `waypoint` entry point."""

import re
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from pytest_django import Settings

from waypoint.__main__ import main
from waypoint.accounts.models import Organisation, Role, User
from waypoint.audit import services as audit
from waypoint.audit.models import AuditEvent
from waypoint.cases.models import Case


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_documents(settings: Settings, tmp_path: Path) -> Path:
    # `waypoint demo` loads fictional cases, one with a document: keep its file out of var/.
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return settings.DOCUMENTS_DIR


def demo_logins(output: str) -> dict[str, str]:
    return dict(re.findall(r"\s((?:przystan|harbour)-[a-z-]+)\s+(\S+)\s*$", output, re.M))


@pytest.mark.usefixtures("demo_documents")
def test_demo_refuses_without_debug(db: None, settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Demo data is for development machines"):
        run("demo")
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


@pytest.mark.usefixtures("demo_documents")
def test_demo_creates_two_organisations_with_every_role(db: None, settings: Settings) -> None:
    settings.DEBUG = True
    output = run("demo")
    assert Organisation.objects.count() == 2
    assert User.objects.count() == 12
    for organisation in Organisation.objects.all():
        assert "(fictional)" in organisation.name
        roles = sorted(organisation.users.values_list("role", flat=True))
        assert roles == sorted(role.value for role in Role)
    logins = demo_logins(output)
    assert len(logins) == 12
    assert "przystan-case-worker" in logins
    assert "harbour-org-admin" in logins
    for username, password in logins.items():
        user = User.objects.get(username=username)
        assert user.check_password(password), username
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    assert "set up an authenticator app" in output
    for organisation in Organisation.objects.all():
        assert f"{organisation.name}: " in output
        assert organisation.cases.exists()


@pytest.mark.usefixtures("demo_documents")
def test_demo_is_idempotent_and_renews_passwords(db: None, settings: Settings) -> None:
    settings.DEBUG = True
    first = demo_logins(run("demo"))
    ids = set(User.objects.values_list("id", flat=True))
    cases = set(Case.objects.values_list("id", flat=True))
    second = demo_logins(run("demo"))
    assert set(Case.objects.values_list("id", flat=True)) == cases
    assert User.objects.count() == 12
    assert Organisation.objects.count() == 2
    assert set(User.objects.values_list("id", flat=True)) == ids
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)
    user = User.objects.get(username="przystan-trainee")
    assert not user.check_password(first["przystan-trainee"])
    assert user.check_password(second["przystan-trainee"])


@pytest.mark.usefixtures("demo_documents")
def test_demo_allow_production_flag(db: None, settings: Settings) -> None:
    settings.DEBUG = False
    run("demo", "--allow-production")
    assert User.objects.count() == 12


@pytest.mark.usefixtures("demo_documents")
def test_demo_users_can_sign_in(client: Client, db: None, settings: Settings) -> None:
    settings.DEBUG = True
    logins = demo_logins(run("demo"))
    response = client.post(
        "/account/login/",
        {"username": "harbour-trainee", "password": logins["harbour-trainee"]},
    )
    assert response.status_code == 302
    assert authenticate(
        response.wsgi_request, username="harbour-trainee", password=logins["harbour-trainee"]
    )


def test_compile_translations_runs(db: None) -> None:
    output = run("compile_translations")
    assert re.fullmatch(r"Compiled \d+ catalogue\(s\)\.\n", output)


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: pl\\n"

msgid "Sign in"
msgstr "Zaloguj się"
"""


def test_compile_translations_compiles_changed_catalogues(
    tmp_path: Path, settings: Settings
) -> None:
    po_path = tmp_path / "pl" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text(PO, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    assert run("compile_translations") == "Compiled 1 catalogue(s).\n"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists()
    assert "Zaloguj się".encode() in mo_path.read_bytes()
    # Up to date: nothing to do the second time.
    assert run("compile_translations") == "Compiled 0 catalogue(s).\n"


def test_compile_translations_reports_a_broken_catalogue(
    tmp_path: Path, settings: Settings
) -> None:
    po_path = tmp_path / "uk" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text('msgid "unterminated\nmsgstr', encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match=r"django\.po"):
        run("compile_translations")


def test_waypoint_entry_point_runs_check(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/waypoint", "check"])
    main()
    assert "System check identified no issues" in capsys.readouterr().out


def test_waypoint_entry_point_reports_unknown_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["waypoint", "no-such-command"])
    with pytest.raises(SystemExit):
        main()
    assert "Unknown command: 'no-such-command'" in capsys.readouterr().err


def test_audit_command_requires_an_operation(db: None) -> None:
    with pytest.raises(CommandError):
        run("audit")
    with pytest.raises(CommandError):
        run("audit", "rewrite")


@pytest.mark.django_db(transaction=True)
def test_flush_lifts_and_restores_the_append_only_triggers() -> None:
    audit.record(audit.Actor(username="someone"), "test.before_flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = audit.record(audit.Actor(username="someone"), "test.after_flush")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert run("audit", "verify") == "Audit trail intact: 1 entries verified.\n"
