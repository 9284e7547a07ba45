"""Settings. Every key can be overridden from the environment with an ``EIP_`` prefix
(``EIP_SMTP_PORT=2525``); ``DATABASE_URL`` and ``SECRET_KEY`` are read without it too.
A value is read as the type of the setting's default: text stays text whatever it holds
(``EIP_SMTP_PASSWORD=12345678``), a number must be a whole number, a flag is true/false."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

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
    if config["RECENT_AUTH_MINUTES"] < 1:
        raise ConfigError("EIP_RECENT_AUTH_MINUTES must be 1 or more.")
    if config["PROXY_COUNT"] < 0:
        raise ConfigError("EIP_PROXY_COUNT must be 0 or more.")
