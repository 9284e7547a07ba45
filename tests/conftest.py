"""Fixtures: one app per run, a clean database per test, a real SMTP server on 127.0.0.1.

Set EIP_TEST_DATABASE_URL to run the whole suite on PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from eip_site import create_app
from eip_site.extensions import db, limiter

from . import factories


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What arrived at the test SMTP server, as parsed messages."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def clear(self):
        with self._lock:
            self.messages.clear()

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


def database_url(tmp_path_factory) -> str:
    return os.environ.get("EIP_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp):
    controller, _ = smtp
    app = create_app({
        "ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_TLS": "none",
        "BASE_URL": "http://localhost",
    })
    with app.app_context():
        reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


def reset_schema() -> None:
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()


def truncate_all() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean(request, app, smtp):
    """Every test but the browser journeys starts from empty tables, throttles and mailbox."""
    if request.node.get_closest_marker("e2e") is None:
        with app.app_context():
            truncate_all()
    limiter.reset()
    smtp[1].clear()
    yield


@pytest.fixture
def mailbox(smtp) -> Mailbox:
    return smtp[1]


@pytest.fixture
def ctx(app):
    """An app context for service tests (view tests must not hold one: g would leak)."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(app, client):
    """login_as("head") creates a user with that role and signs the test client in."""

    def _login(role_or_user_id="staff", **kwargs):
        with app.app_context():
            if isinstance(role_or_user_id, int):
                user = db.session.get(factories.User, role_or_user_id)
            else:
                roles = set() if role_or_user_id == "staff" else {role_or_user_id}
                user = factories.user(roles=roles, **kwargs)
            cookie_id, user_id = user.get_id(), user.id
        with client.session_transaction() as session:
            session["_user_id"] = cookie_id
            session["_fresh"] = True
        return user_id

    return _login


def pytest_report_header(config):
    url = os.environ.get("EIP_TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + url.rsplit('@', 1)[-1] if url else 'SQLite (temporary file)'}"
