"""The one settings module: every deployment difference comes from the environment.

Secrets are read from an environment variable or from a file named by `<NAME>_FILE`
(default under `var/`), so that containers and systemd credentials both work and nothing
secret is ever committed.
"""

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WAYPOINT_VAR_DIR", BASE_DIR / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_secret(name: str, default_file: Path) -> str:
    if value := os.environ.get(name):
        return value
    path = Path(os.environ.get(f"{name}_FILE", default_file))
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"{name} is not set and {path} does not exist. Set {name} or {name}_FILE, "
            "or run `make run` once on a development machine to create local secrets."
        ) from None


LOCKOUT_FIELDS = {"username", "ip_address"}


def lockout_parameters(spec: str) -> list[str | list[str]]:
    """What a run of failed sign-ins locks, as django-axes expects it.

    `spec` is comma-separated; each item is `username`, `ip_address` or `username+ip_address`
    (the pair: only that account from that address). The default locks an account from every
    address and an address for every account; offices whose staff share one public address can
    choose `username,username+ip_address` so that one person's typos lock nobody else.
    """
    parameters: list[str | list[str]] = []
    for item in (part.strip() for part in spec.split(",")):
        fields = [field.strip() for field in item.split("+")]
        if not item or not set(fields) <= LOCKOUT_FIELDS or len(set(fields)) != len(fields):
            raise ImproperlyConfigured(
                f"WAYPOINT_LOCKOUT_BY: {item!r} is not one of username, ip_address or "
                "username+ip_address"
            )
        parameters.append(fields[0] if len(fields) == 1 else fields)
    return parameters


def database_from_url(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "waypoint",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": "test_" + (unquote(parts.path.lstrip("/")) or "waypoint")},
    }


DEBUG = env_flag("WAYPOINT_DEBUG")
SECRET_KEY = read_secret("WAYPOINT_SECRET_KEY", VAR_DIR / "secret_key")
FIELD_ENCRYPTION_KEYRING = json.loads(
    read_secret("WAYPOINT_FIELD_KEYS", VAR_DIR / "field_keys.json")
)
ALLOWED_HOSTS = env_list("WAYPOINT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SERVED_OVER_HTTPS = env_flag("WAYPOINT_HTTPS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "waypoint.accounts",
    "waypoint.audit",
    "waypoint.web",
    "waypoint.screening",
    "waypoint.people",
    "waypoint.cases",
    "waypoint.returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "waypoint.web.middleware.ApiJsonErrorsMiddleware",
    "waypoint.web.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "waypoint.web.middleware.HtmxRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waypoint.web.middleware.InvalidSessionMiddleware",
    "waypoint.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "waypoint.urls"
WSGI_APPLICATION = "waypoint.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waypoint.web.context_processors.navigation",
            ],
        },
    },
]

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(os.environ.get("WAYPOINT_SQLITE_PATH", VAR_DIR / "waypoint.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "waypoint",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(os.environ.get("WAYPOINT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("WAYPOINT_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = lockout_parameters(
    os.environ.get("WAYPOINT_LOCKOUT_BY", "username,ip_address")
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("WAYPOINT_PROXY_COUNT", "0"))
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Waypoint"
OTP_TOTP_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

# Inactivity expiry: every request pushes the expiry forward, so an idle session dies.
SESSION_COOKIE_AGE = int(os.environ.get("WAYPOINT_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SERVED_OVER_HTTPS
SESSION_COOKIE_NAME = "waypoint_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "waypoint.web.views.csrf_failure"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SERVED_OVER_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("WAYPOINT_CSRF_TRUSTED_ORIGINS", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = SERVED_OVER_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SERVED_OVER_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SERVED_OVER_HTTPS
if SERVED_OVER_HTTPS and env_flag("WAYPOINT_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Anything larger is refused before the body is read (see RequestSizeLimitMiddleware).
MAX_REQUEST_BYTES = int(os.environ.get("WAYPOINT_MAX_REQUEST_BYTES", str(12 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Case documents are stored encrypted under random names here (see waypoint.people.storage).
DOCUMENTS_DIR = Path(os.environ.get("WAYPOINT_DOCUMENTS_DIR", VAR_DIR / "documents"))
MAX_DOCUMENT_BYTES = int(os.environ.get("WAYPOINT_MAX_DOCUMENT_BYTES", str(10 * 1024 * 1024)))

# Internal aggregate views hide any figure about fewer people than this (published
# statistics use the CTDC threshold, 11).
AGGREGATE_SUPPRESSION_K = int(os.environ.get("WAYPOINT_AGGREGATE_SUPPRESSION_K", "5"))

API_TOKEN_MAX_DAYS = 365
SCREENING_API_RATE = os.environ.get("WAYPOINT_SCREENING_API_RATE", "120/min")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("pl", "Polski"),
    ("uk", "Українська"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("WAYPOINT_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only for `waypoint collectstatic` behind a separate web server; WhiteNoise needs none.
STATIC_ROOT = os.environ.get("WAYPOINT_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by WhiteNoise straight from the packages, so that a deployment
# needs no separate web server and no collect step.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WAYPOINT_LOG_LEVEL", "WARNING")},
}
