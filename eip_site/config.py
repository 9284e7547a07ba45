"""Settings. Every key can be overridden from the environment with an ``EIP_`` prefix
(``EIP_SMTP_PORT=2525``); ``DATABASE_URL`` and ``SECRET_KEY`` are read without it too."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# A key that only development and tests may use; production refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"


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

    # Throttling: storage must be shared (e.g. redis://) when several instances run.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
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
    # Absolute links in emails sent outside a request (CLI, reminders).
    BASE_URL = "http://127.0.0.1:5000"

    INVITE_VALID_DAYS = 7
    RESET_VALID_MINUTES = 60
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0


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


def environment_overrides() -> dict:
    out: dict = {}
    if os.environ.get("DATABASE_URL"):
        out["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        out["SECRET_KEY"] = os.environ["SECRET_KEY"]
    return out
