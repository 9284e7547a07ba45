"""Settings. Every key can be overridden from the environment with an ``EIP_`` prefix
(``EIP_SMTP_PORT=2525``); ``DATABASE_URL`` and ``SECRET_KEY`` are read without it too.
A value is read as the type of the setting's default: text stays text whatever it holds
(``EIP_SMTP_PASSWORD=12345678``), a number must be a whole number, a flag is true/false."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

PACKAGE = Path(__file__).resolve().parent
# templates/, static/ and migrations/ sit beside the package in a checkout (ROOT); `pip install`
# puts them inside it (setup.py), and the instance folder (the default SQLite file) in the venv.
CHECKOUT = (PACKAGE.parent / "pyproject.toml").is_file()
ROOT = PACKAGE.parent if CHECKOUT else PACKAGE
INSTANCE = PACKAGE.parent / "instance" if CHECKOUT else Path(sys.prefix) / "var" / "eip-site"
FOLDERS = ("templates", "static", "migrations")

# A key that only development and tests may use; production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """A setting the site cannot start with; the message names the variable."""


class Config:
    ENV = "production"
    SECRET_KEY = ""
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'eip.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "eip_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    REMEMBER_COOKIE_NAME = "eip_remember"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    # Papers and resources (eip_site/files): the largest file, in MB (its upload's request may
    # be this plus 1 MB, whatever MAX_CONTENT_LENGTH says), and where files are kept (empty:
    # instance/files; a shared volume when several instances run).
    MAX_UPLOAD_MB = 20
    FILES_DIR = ""
    # Longer web addresses get the site's 414 page; below gunicorn's limit_request_line (4094).
    MAX_URL_LENGTH = 3000

    # Throttling: counts in the site's database (eip_site/throttle.py), shared by every
    # worker and machine; redis:// also works.
    RATELIMIT_STORAGE_URI = "eip-database://"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_ENABLED = True
    LOGIN_LIMIT_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "20 per 15 minutes"
    RESET_LIMIT_ADDRESS = "5 per hour"

    # Mail. Without SMTP_HOST, messages are written to the log instead of sent.
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_TLS = "starttls"  # starttls | ssl | none
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_TIMEOUT = 10
    MAIL_FROM = "EIP site <no-reply@localhost>"
    # The outbox worker (`flask worker`): how often it looks for mail, how long a claimed
    # message is its own before another worker may take it, how long a temporary failure is
    # retried, and the London hour at which it runs `send-reminders` itself (-1: never; cron).
    MAIL_POLL_SECONDS = 5
    MAIL_LEASE_SECONDS = 600
    MAIL_RETRY_HOURS = 24
    REMINDERS_HOUR = -1
    # Retention (the privacy notice shows them): deactivated accounts are erased after
    # RETENTION_DEACTIVATED_MONTHS, unmet searches kept RETENTION_SEARCH_MISS_MONTHS, the
    # audit trail RETENTION_AUDIT_YEARS, review findings RETENTION_FINDINGS_YEARS after the
    # review closes, used and expired links, ended sessions, old throttle counts and sent
    # mail RETENTION_LINKS_DAYS. The worker applies them daily at RETENTION_HOUR (London;
    # -1: never, run `flask apply-retention` from cron).
    RETENTION_DEACTIVATED_MONTHS = 12
    RETENTION_SEARCH_MISS_MONTHS = 24
    RETENTION_AUDIT_YEARS = 6
    RETENTION_FINDINGS_YEARS = 3
    RETENTION_LINKS_DAYS = 7
    RETENTION_HOUR = 3
    # Absolute links in emails sent outside a request (CLI, reminders).
    BASE_URL = "http://127.0.0.1:5000"

    # The reviews' anonymised themes show a focus area only when reviews of at least this
    # many different schools contribute, so no area points at one school.
    REVIEW_THEMES_MIN_SCHOOLS = 3

    INVITE_VALID_DAYS = 7
    # How long a link in an email to take one step without signing in (confirm a review) works.
    LINK_VALID_DAYS = 14
    RESET_VALID_MINUTES = 60
    # Changing someone's roles or exporting the directory asks for the password (or a code)
    # again when the last one was entered longer ago than this.
    RECENT_AUTH_MINUTES = 10
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0
    LOG_FORMAT = "text"  # text | json: one line per request, with its id
    # Single sign-on: the names of the OpenID Connect providers, comma-separated; each has
    # EIP_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and optionally _LABEL, _TENANTS
    # (Entra ID), _HD (Google) and _REQUIRE_MFA (see oidc_providers and the README).
    OIDC_PROVIDERS = ""


class DevelopmentConfig(Config):
    ENV = "development"
    SECRET_KEY = DEV_SECRET_KEY
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(DevelopmentConfig):
    ENV = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def files_dir(config) -> Path:
    """The directory the site keeps uploaded files in."""
    return Path(config.get("FILES_DIR") or INSTANCE / "files")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _read(name: str, raw: str, default):
    """``raw`` as the type of ``default``; a ConfigError naming ``name`` if it is not one."""
    if isinstance(default, bool):
        if raw.strip().lower() in TRUE | FALSE:
            return raw.strip().lower() in TRUE
        raise ConfigError(f"{name} must be true or false, not {raw[:40]!r}.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw[:40]!r}.") from None
    if isinstance(default, (dict, list)):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, type(default)):
            raise ConfigError(f"{name} must be a JSON {type(default).__name__}.")
        return value
    return raw


def environment_overrides(defaults) -> dict:
    """Every ``EIP_`` variable (and ``DATABASE_URL``, ``SECRET_KEY``), read as the type of
    the setting it overrides in ``defaults`` (a mapping: Flask's and this module's)."""
    out: dict = {}
    if os.environ.get("DATABASE_URL"):
        out["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        out["SECRET_KEY"] = os.environ["SECRET_KEY"]
    for name, raw in sorted(os.environ.items()):
        if name.startswith("EIP_") and not name.startswith("EIP_TEST_"):
            out[name[4:]] = _read(name, raw, defaults.get(name[4:]))
    return out


def check_install() -> None:
    """An install without the folders the site reads says so, rather than failing later."""
    for name in FOLDERS:
        if not (ROOT / name).is_dir():
            raise ConfigError(f"The site is installed without its {name} folder ({ROOT / name}): "
                              "install it again with pip install . from the checkout.")


GOOGLE_ISSUER = "https://accounts.google.com"
ENTRA_HOST = "login.microsoftonline.com"
ENTRA_MULTI_TENANT = f"https://{ENTRA_HOST}/organizations/v2.0"
_OIDC_NAME = re.compile(r"^[a-z][a-z0-9]{0,19}$")


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider from the environment; ``kind`` is google, entra or oidc."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    kind: str
    tenants: tuple[str, ...] = ()
    hosted_domains: tuple[str, ...] = ()
    require_mfa: bool = False

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _words(value) -> tuple[str, ...]:
    return tuple(w.strip().lower() for w in str(value or "").split(",") if w.strip())


def oidc_providers(config) -> list[OidcProvider]:
    """The configured providers, in order; a ConfigError naming the variable on a mistake.
    Google and Entra ID are known by their issuer: ``google`` and ``entra`` need none (Entra:
    one tenant in _TENANTS means that tenant's issuer, otherwise any work or school tenant,
    limited to _TENANTS when it is set)."""
    out = []
    for name in _words(config.get("OIDC_PROVIDERS")):
        var = f"EIP_OIDC_{name.upper()}"
        if not _OIDC_NAME.match(name):
            raise ConfigError(f"EIP_OIDC_PROVIDERS: {name[:40]!r} is not a provider name "
                              "(letters and digits, starting with a letter, up to 20).")

        def get(key: str, name: str = name) -> str:
            return str(config.get(f"OIDC_{name.upper()}_{key}") or "").strip()

        tenants = _words(get("TENANTS"))
        issuer = get("ISSUER") or {"google": GOOGLE_ISSUER, "entra": (
            f"https://{ENTRA_HOST}/{tenants[0]}/v2.0" if len(tenants) == 1
            else ENTRA_MULTI_TENANT)}.get(name, "")
        if not issuer:
            raise ConfigError(f"{var}_ISSUER must be set: the provider's issuer address "
                              "(its discovery document is <issuer>/.well-known/openid-configuration).")
        parts = urlsplit(issuer)
        local = parts.hostname in ("127.0.0.1", "localhost")
        if parts.scheme != "https" and not (parts.scheme == "http" and local
                                            and config["ENV"] != "production"):
            raise ConfigError(f"{var}_ISSUER must be an https:// address, not {issuer[:60]!r}.")
        for key in ("CLIENT_ID", "CLIENT_SECRET"):
            if not get(key):
                raise ConfigError(f"{var}_{key} must be set (from the provider's app registration).")
        host = parts.hostname or ""
        kind = "google" if issuer.rstrip("/") == GOOGLE_ISSUER else (
            "entra" if host == ENTRA_HOST else "oidc")
        if tenants and kind != "entra":
            raise ConfigError(f"{var}_TENANTS is only for Microsoft Entra ID ({ENTRA_HOST}).")
        if get("HD") and kind != "google":
            raise ConfigError(f"{var}_HD is only for Google ({GOOGLE_ISSUER}).")
        require_mfa = get("REQUIRE_MFA").lower()
        if require_mfa not in TRUE | FALSE:
            raise ConfigError(f"{var}_REQUIRE_MFA must be true or false, not {require_mfa[:40]!r}.")
        out.append(OidcProvider(
            name=name, issuer=issuer.rstrip("/"), client_id=get("CLIENT_ID"),
            client_secret=get("CLIENT_SECRET"), kind=kind, tenants=tenants,
            label=get("LABEL") or {"google": "Google", "entra": "Microsoft"}.get(kind, name.title()),
            hosted_domains=_words(get("HD")), require_mfa=require_mfa in TRUE))
    return out


def check(config) -> None:
    """Refuse, in one line naming the variable, what the site cannot run with."""
    key = config.get("SECRET_KEY") or ""
    if config["ENV"] == "production" and (len(key) < 32 or key == DEV_SECRET_KEY):
        raise ConfigError(
            "EIP_SECRET_KEY must be set to a random value of at least 32 characters in "
            "production (e.g. python -c 'import secrets; print(secrets.token_hex(32))').")
    url = config["SQLALCHEMY_DATABASE_URI"]
    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise ConfigError(f"DATABASE_URL is not a database address the site can use: "
                          f"{url.split('@')[-1][:60]!r} (sqlite:///path or "
                          "postgresql://user:password@host/name).") from None
    storage = config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(("redis://", "rediss://")) and not importlib.util.find_spec("redis"):
        raise ConfigError("EIP_RATELIMIT_STORAGE_URI is a redis:// address but the redis "
                          "package is not installed: pip install '.[redis]'.")
    if config["SMTP_TLS"] not in ("starttls", "ssl", "none"):
        raise ConfigError(f"EIP_SMTP_TLS must be starttls, ssl or none, not "
                          f"{config['SMTP_TLS'][:40]!r}.")
    if not 0 < config["SMTP_PORT"] < 65536:
        raise ConfigError(f"EIP_SMTP_PORT must be a port number (1 to 65535), not "
                          f"{config['SMTP_PORT']}.")
    if bool(config["SMTP_USERNAME"]) != bool(config["SMTP_PASSWORD"]):
        raise ConfigError("EIP_SMTP_USERNAME and EIP_SMTP_PASSWORD go together: set both, "
                          "or neither.")
    if config["SMTP_USERNAME"] and not config["SMTP_HOST"]:
        raise ConfigError("EIP_SMTP_USERNAME is set but EIP_SMTP_HOST is not: set the SMTP "
                          "server, or remove the credentials.")
    if (config["SMTP_TLS"], config["SMTP_PORT"]) in (("ssl", 587), ("starttls", 465)):
        raise ConfigError(f"EIP_SMTP_TLS={config['SMTP_TLS']} does not work on port "
                          f"{config['SMTP_PORT']}: use ssl with 465, or starttls with 587.")
    if config["LOG_FORMAT"] not in ("text", "json"):
        raise ConfigError(f"EIP_LOG_FORMAT must be text or json, not {config['LOG_FORMAT'][:40]!r}.")
    if not 1 <= config.get("MAX_UPLOAD_MB", 20) <= 1024:
        raise ConfigError("EIP_MAX_UPLOAD_MB must be a number of megabytes from 1 to 1024.")
    for name in ("RETENTION_DEACTIVATED_MONTHS", "RETENTION_SEARCH_MISS_MONTHS",
                 "RETENTION_AUDIT_YEARS", "RETENTION_FINDINGS_YEARS", "RETENTION_LINKS_DAYS"):
        if not 1 <= config[name] <= 1200:
            raise ConfigError(f"EIP_{name} must be a whole number from 1 to 1200, not "
                              f"{config[name]}.")
    if not -1 <= config["RETENTION_HOUR"] <= 23:
        raise ConfigError(f"EIP_RETENTION_HOUR must be an hour from 0 to 23, or -1 for never, "
                          f"not {config['RETENTION_HOUR']}.")
    if config["RECENT_AUTH_MINUTES"] < 1:
        raise ConfigError("EIP_RECENT_AUTH_MINUTES must be 1 or more.")
    if config["PROXY_COUNT"] < 0:
        raise ConfigError("EIP_PROXY_COUNT must be 0 or more.")
    oidc_providers(config)
