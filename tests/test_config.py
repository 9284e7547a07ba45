import sqlite3

import pytest
from sqlalchemy import text

from eip_site import ConfigError, create_app
from eip_site.config import normalise_database_url
from eip_site.extensions import db


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.delenv("EIP_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="EIP_SECRET_KEY must be set"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(ConfigError):
        create_app({"ENV": "production", "SECRET_KEY": "dev-only-not-secret",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_a_secret_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("EIP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EIP_SMTP_PORT", "2525")
    app = create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SMTP_PORT"] == 2525  # EIP_ values are parsed as JSON where they can be


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="EIP_ENV"):
        create_app({"ENV": "staging"})


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    assert isinstance(sqlite3.sqlite_version, str)
