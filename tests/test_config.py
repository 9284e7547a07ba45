import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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
    assert app.config["SMTP_PORT"] == 2525  # read as the type of the setting's default


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


PRODUCTION = {"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_text_settings_stay_text_whatever_they_hold(monkeypatch):
    monkeypatch.setenv("EIP_SECRET_KEY", "1" * 40)  # all digits: once decoded as a number
    monkeypatch.setenv("EIP_SMTP_PASSWORD", "12345678")
    monkeypatch.setenv("EIP_SMTP_USERNAME", "null")
    monkeypatch.setenv("EIP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EIP_MAIL_FROM", "[1, 2]")
    monkeypatch.setenv("EIP_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("EIP_RATELIMIT_ENABLED", "no")
    app = create_app(PRODUCTION)
    assert app.config["SECRET_KEY"] == "1" * 40 and app.config["SMTP_PASSWORD"] == "12345678"
    assert app.config["SMTP_USERNAME"] == "null" and app.config["MAIL_FROM"] == "[1, 2]"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["RATELIMIT_ENABLED"] is False


@pytest.mark.parametrize("variables, message", [
    ({"EIP_SECRET_KEY": "short"}, "EIP_SECRET_KEY must be set"),
    ({"EIP_ENV": "staging"}, "EIP_ENV must be one of"),
    ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database address"),
    ({"DATABASE_URL": "mysqlx://db/eip"}, "DATABASE_URL is not a database address"),
    ({"EIP_SMTP_PORT": "abc"}, "EIP_SMTP_PORT must be a whole number, not 'abc'"),
    ({"EIP_SMTP_PORT": "70000"}, "EIP_SMTP_PORT must be a port number"),
    ({"EIP_PROXY_COUNT": "one"}, "EIP_PROXY_COUNT must be a whole number"),
    ({"EIP_SESSION_COOKIE_SECURE": "maybe"}, "EIP_SESSION_COOKIE_SECURE must be true or false"),
    ({"EIP_SMTP_TLS": "tls"}, "EIP_SMTP_TLS must be starttls, ssl or none"),
    ({"EIP_SMTP_TLS": "ssl"}, "does not work on port 587"),
    ({"EIP_SMTP_HOST": "mail", "EIP_SMTP_USERNAME": "me"}, "go together"),
    ({"EIP_SMTP_USERNAME": "me", "EIP_SMTP_PASSWORD": "pw"}, "EIP_SMTP_HOST is not"),
    ({"EIP_MAX_UPLOAD_MB": "twenty"}, "EIP_MAX_UPLOAD_MB must be a whole number"),
    ({"EIP_MAX_UPLOAD_MB": "0"}, "EIP_MAX_UPLOAD_MB must be a number of megabytes from 1"),
    ({"EIP_RETENTION_AUDIT_YEARS": "0"}, "EIP_RETENTION_AUDIT_YEARS must be a whole number "
                                         "from 1 to 1200"),
    ({"EIP_RETENTION_HOUR": "24"}, "EIP_RETENTION_HOUR must be an hour from 0 to 23"),
])
def test_each_configuration_mistake_is_named(monkeypatch, variables, message):
    monkeypatch.setenv("EIP_SECRET_KEY", "k" * 40)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    config = dict(PRODUCTION)
    if "DATABASE_URL" in variables:
        del config["SQLALCHEMY_DATABASE_URI"]
    if "EIP_ENV" in variables:
        del config["ENV"]
    with pytest.raises(ConfigError, match=message):
        create_app(config)


def test_a_redis_throttle_store_needs_the_redis_package(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "redis" else real(name, *a))
    monkeypatch.setenv("EIP_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("EIP_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    with pytest.raises(ConfigError, match="the redis package is not installed"):
        create_app(PRODUCTION)


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "flask", "--app", "wsgi", "routes"],
    [str(Path(sys.executable).parent / "gunicorn"), "--bind", "127.0.0.1:0", "wsgi:app"],
])
def test_start_up_stops_with_one_line_and_status_2(command):
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EIP_", "SECRET_KEY"))}
    env["EIP_SMTP_PORT"] = "twenty-five"
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          timeout=60)
    lines = [line for line in done.stderr.splitlines() if "cannot start" in line]
    assert done.returncode == 2, done.stderr[-2000:]
    assert lines == ["EIP site cannot start: EIP_SMTP_PORT must be a whole number, "
                     "not 'twenty-five'."]
    assert "Traceback" not in done.stderr
