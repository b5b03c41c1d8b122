"""Settings helpers: the database URL, secrets from the environment or files, local secrets."""

import base64
import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from waypoint.local_secrets import ensure_local_secrets
from waypoint.settings import (
    database_from_url,
    env_flag,
    env_list,
    lockout_parameters,
    read_secret,
)


def test_database_url_full() -> None:
    config = database_from_url(
        "postgres://way%40user:p%40ss%3Aw%2Frd%25@DB.example.org:6543/way%20point"
        "?sslmode=verify-full&connect_timeout=5"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["USER"] == "way@user"
    assert config["PASSWORD"] == "p@ss:w/rd%"
    assert config["HOST"] == "db.example.org"
    assert config["PORT"] == "6543"
    assert config["NAME"] == "way point"
    assert config["OPTIONS"] == {"sslmode": "verify-full", "connect_timeout": "5"}
    assert config["TEST"] == {"NAME": "test_way point"}
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["CONN_MAX_AGE"] == 60


def test_database_url_minimal() -> None:
    config = database_from_url("postgresql://localhost")
    assert config["NAME"] == "waypoint"
    assert config["USER"] == ""
    assert config["PASSWORD"] == ""
    assert config["HOST"] == "localhost"
    assert config["PORT"] == ""
    assert config["OPTIONS"] == {}
    assert config["TEST"] == {"NAME": "test_waypoint"}


def test_database_url_the_ci_uses() -> None:
    config = database_from_url("postgres://postgres@127.0.0.1:5432/waypoint")
    assert (config["USER"], config["HOST"], config["PORT"], config["NAME"]) == (
        "postgres",
        "127.0.0.1",
        "5432",
        "waypoint",
    )
    assert config["PASSWORD"] == ""


@pytest.mark.parametrize(
    "url", ["mysql://root:pw@localhost/waypoint", "sqlite:///var/db.sqlite3", "waypoint", ""]
)
def test_database_url_other_databases_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a postgres:// URL"):
        database_from_url(url)


def test_read_secret_prefers_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("WAYPOINT_TEST_SECRET", "from-env")
    monkeypatch.setenv("WAYPOINT_TEST_SECRET_FILE", str(secret_file))
    assert read_secret("WAYPOINT_TEST_SECRET", tmp_path / "default") == "from-env"


def test_read_secret_reads_the_named_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_file = tmp_path / "mounted"
    secret_file.write_text("  from-file\n")
    monkeypatch.delenv("WAYPOINT_TEST_SECRET", raising=False)
    monkeypatch.setenv("WAYPOINT_TEST_SECRET_FILE", str(secret_file))
    assert read_secret("WAYPOINT_TEST_SECRET", tmp_path / "default") == "from-file"


def test_read_secret_falls_back_to_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "default"
    default.write_text("default-secret")
    monkeypatch.delenv("WAYPOINT_TEST_SECRET", raising=False)
    monkeypatch.delenv("WAYPOINT_TEST_SECRET_FILE", raising=False)
    assert read_secret("WAYPOINT_TEST_SECRET", default) == "default-secret"


def test_read_secret_explains_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAYPOINT_TEST_SECRET", raising=False)
    monkeypatch.delenv("WAYPOINT_TEST_SECRET_FILE", raising=False)
    missing = tmp_path / "nothing-here"
    with pytest.raises(ImproperlyConfigured) as error:
        read_secret("WAYPOINT_TEST_SECRET", missing)
    message = str(error.value)
    assert "WAYPOINT_TEST_SECRET is not set" in message
    assert str(missing) in message
    assert "WAYPOINT_TEST_SECRET_FILE" in message
    assert "make run" in message


def test_env_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("no", False),
        ("", False),
    ]:
        monkeypatch.setenv("WAYPOINT_TEST_FLAG", value)
        assert env_flag("WAYPOINT_TEST_FLAG") is expected, value
    monkeypatch.delenv("WAYPOINT_TEST_FLAG")
    assert env_flag("WAYPOINT_TEST_FLAG", default=True) is True
    monkeypatch.setenv("WAYPOINT_TEST_LIST", " a.example, ,b.example ,")
    assert env_list("WAYPOINT_TEST_LIST", "x") == ["a.example", "b.example"]
    monkeypatch.delenv("WAYPOINT_TEST_LIST")
    assert env_list("WAYPOINT_TEST_LIST", "x,y") == ["x", "y"]


def test_local_secrets_are_private_and_never_overwritten(tmp_path: Path) -> None:
    directory = tmp_path / "var"
    created = ensure_local_secrets(directory)
    secret_key = directory / "secret_key"
    keyring_path = directory / "field_keys.json"
    assert created == [secret_key, keyring_path]
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert len(secret_key.read_text()) >= 50
    keyring = json.loads(keyring_path.read_text())
    assert keyring["active"] in keyring["keys"]
    assert len(base64.b64decode(keyring["keys"][keyring["active"]])) == 32
    assert len(base64.b64decode(keyring["index_key"])) == 32

    before = (secret_key.read_text(), keyring_path.read_text())
    assert ensure_local_secrets(directory) == []
    assert (secret_key.read_text(), keyring_path.read_text()) == before


def test_local_secrets_fill_in_only_what_is_missing(tmp_path: Path) -> None:
    tmp_path.joinpath("secret_key").write_text("kept")
    assert ensure_local_secrets(tmp_path) == [tmp_path / "field_keys.json"]
    assert tmp_path.joinpath("secret_key").read_text() == "kept"


def test_two_local_secret_directories_differ(tmp_path: Path) -> None:
    ensure_local_secrets(tmp_path / "one")
    ensure_local_secrets(tmp_path / "two")
    assert (tmp_path / "one/secret_key").read_text() != (tmp_path / "two/secret_key").read_text()


def test_security_settings_as_deployed() -> None:
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.CSRF_FAILURE_VIEW == "waypoint.web.views.csrf_failure"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.MAX_REQUEST_BYTES
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTH_USER_MODEL == "accounts.User"
    min_length = next(
        validator["OPTIONS"]["min_length"]
        for validator in settings.AUTH_PASSWORD_VALIDATORS
        if validator["NAME"].endswith("MinimumLengthValidator")
    )
    assert min_length >= 12
    assert settings.MIDDLEWARE.index("waypoint.web.middleware.RequestSizeLimitMiddleware") < (
        settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    )
    assert settings.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") < (
        settings.MIDDLEWARE.index("waypoint.accounts.middleware.TwoFactorRequiredMiddleware")
    )


def test_lockout_parameters_default_locks_account_and_address() -> None:
    assert lockout_parameters("username,ip_address") == ["username", "ip_address"]


def test_lockout_parameters_pairs_for_shared_office_addresses() -> None:
    assert lockout_parameters(" username , username+ip_address ") == [
        "username",
        ["username", "ip_address"],
    ]


@pytest.mark.parametrize(
    "spec", ["", "username,", "user_agent", "username+username", "ip_address+password"]
)
def test_lockout_parameters_refuse_unknown_fields(spec: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="WAYPOINT_LOCKOUT_BY"):
        lockout_parameters(spec)
