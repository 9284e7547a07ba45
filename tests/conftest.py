"""Fixtures: one app per run, a clean database per test, a real SMTP server on 127.0.0.1.

Set EIP_TEST_DATABASE_URL to run the whole suite on PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import nullcontext
from datetime import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import has_app_context
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eip_site import clock, create_app
from eip_site.config import normalise_database_url
from eip_site.extensions import db, limiter

from . import factories, helpers
from .moved_clock import MOVED_BY, move_clock

# --- The clock: EIP_TEST_CLOCK moves it (tests/moved_clock.py) ---------------------------

def pytest_configure(config):
    move_clock()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What arrived at the test SMTP server, as parsed messages. Reading ``messages`` (or
    ``to``) first runs the mail worker's pass over the outbox (``deliver``), as the running
    worker would have by then; ``arrived`` is what came without running it."""

    def __init__(self):
        self.arrived = []
        self.deliver = None
        self._lock = threading.Lock()

    @property
    def messages(self):
        if self.deliver is not None:
            self.deliver()
        return self.arrived

    def clear(self):
        """Forget every message sent so far, queued ones too."""
        self.messages.clear()

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]


class Receiver:
    """The aiosmtpd handler (apart from the Mailbox: aiosmtpd reads its handler's attributes,
    and reading ``messages`` would run the worker from the server's thread)."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.mailbox._lock:
            self.mailbox.arrived.append(message_from_bytes(envelope.content,
                                                           policy=policy.default))
        return "250 Message accepted"


def deliver_outbox(app) -> None:
    """The worker's pass: in the test's own app context (a service test) or in a new one."""
    from eip_site.outbox import send_due

    if has_app_context():
        send_due()
    else:
        with app.app_context():
            send_due()


@pytest.fixture(scope="session")
def smtp():
    mailbox = Mailbox()
    controller = Controller(Receiver(mailbox), hostname="127.0.0.1", port=free_port())
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
        "FILES_DIR": str(tmp_path_factory.mktemp("files")),
    })
    with app.app_context():
        reset_schema()
    smtp[1].deliver = lambda: deliver_outbox(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def spare_databases(tmp_path):
    """Two empty databases of the suite's kind: the site's, and one to restore into."""
    url = os.environ.get("EIP_TEST_DATABASE_URL")
    if not url:
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("site", "restored")]
        return
    server = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    names = [f"eip_backup_{uuid.uuid4().hex[:8]}_{n}" for n in ("site", "restored")]
    with server.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(normalise_database_url(url))
    yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    with server.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                                    if server.dialect.server_version_info >= (13,)
                                    else f'DROP DATABASE IF EXISTS "{name}"'))
    server.dispose()


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
    with app.app_context():
        limiter.reset()
    smtp[1].arrived.clear()
    yield


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID provider (tests/oidc/provider.mjs) for the test client's callback."""
    from .oidc.server import running

    with running(["http://localhost/login/sso/local/callback"]) as provider:
        yield provider


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


# --- The world the feature tests share ------------------------------------------------------

class World:
    """The partnership the feature tests share, built a part at a time: a part is made, and
    committed, the first time a test names something in it, so a test pays only for the
    parts it uses (and should name what it needs before it changes anything else).

    ``world["leader"]`` is an id (for URLs and forms); ``world.get("leader")`` the row, in
    this app context's session. Names that hold several (``reviewers``, ``items``) give lists.

    lead      Lee Lead, a cluster lead with no school.
    network   Lena Leader (Oakfield Primary School, ``school``) leads Transitions, sponsored by
              the lead with Fran Friend (head at Kingsmere Academy, ``other_school``) as its
              critical friend; Mo Member (Kingsmere) has joined; Otto Outsider (a school of
              his own) has not. ``meeting``: its draft meeting, a Thursday four weeks ahead,
              16:00 to 17:15 at Oakfield, on the standard agenda (``items``).
    reviews   Three schools, Host Primary (``host``), Ash and Birch; Cara Champion (Ash),
              Hugh Head (head of Host), ``other_head`` (of Ash), Tom Teacher (Birch, not
              trained); trained ``reviewers`` Rita and Raj Reviewer (Ash), Rosa and Ravi
              Reviewer (Birch); Ian Insider, trained, at Host. The default skills.
    """

    def __init__(self, app):
        self._app = app
        self._ids: dict = {}
        self._models: dict = {}

    def __getitem__(self, name: str):
        if name not in self._ids:
            self._make(PARTS[name])
        return self._ids[name]

    def get(self, name: str):
        ids, model = self[name], self._models[name]
        if isinstance(ids, list):
            return [db.session.get(model, i) for i in ids]
        return db.session.get(model, ids)

    def _make(self, part) -> None:
        # A service test builds in its own session; a view test in a context of its own.
        with nullcontext() if has_app_context() else self._app.app_context():
            self._keep(part(self))
            db.session.commit()

    def _keep(self, rows: dict) -> None:
        for name, row in rows.items():
            self._models[name] = type(row[0] if isinstance(row, list) else row)
            self._ids[name] = [r.id for r in row] if isinstance(row, list) else row.id


PARTS = {}


def part(*names):
    def register(build):
        PARTS.update(dict.fromkeys(names, build))
        return build
    return register


@part("lead")
def _lead(world) -> dict:
    return {"lead": factories.user(roles={"lead"}, school=None, name="Lee Lead")}


@part("school", "other_school", "leader", "friend", "member", "outsider", "network",
      "meeting", "items")
def _network(world) -> dict:
    school = factories.school(name="Oakfield Primary School")
    other_school = factories.school(name="Kingsmere Academy")
    leader = factories.user(school=school, name="Lena Leader")
    friend = factories.user(roles={"head"}, school=other_school, name="Fran Friend")
    member = factories.user(school=other_school, name="Mo Member")
    network = factories.network(
        name="Transitions", purpose="Smooth moves from Year 6 to 7.", priority="Transition",
        planned_work="Shared Year 6 projects.", leader=leader, lead=world.get("lead"),
        critical_friend=friend, members=[member])
    meeting = factories.meeting(network, day=helpers.thursday(4), start=time(16),
                                end=time(17, 15), school_id=school.id)
    return {"school": school, "other_school": other_school, "leader": leader,
            "friend": friend, "member": member,
            "outsider": factories.user(name="Otto Outsider"), "network": network,
            "meeting": meeting, "items": list(meeting.items)}


@part("host", "ash", "birch", "champion", "head", "other_head", "teacher", "reviewers",
      "insider")
def _reviews(world) -> dict:
    factories.vocabulary()
    host, ash, birch = (factories.school(name=n) for n in ("Host Primary", "Ash", "Birch"))
    return {
        "host": host, "ash": ash, "birch": birch,
        "champion": factories.user(roles={"champion"}, school=ash, name="Cara Champion"),
        "head": factories.user(roles={"head"}, school=host, name="Hugh Head"),
        "other_head": factories.user(roles={"head"}, school=ash),
        "teacher": factories.user(school=birch, name="Tom Teacher"),
        "reviewers": [factories.reviewer(school=s, name=n) for s, n in (
            (ash, "Rita Reviewer"), (ash, "Raj Reviewer"), (birch, "Rosa Reviewer"),
            (birch, "Ravi Reviewer"))],
        "insider": factories.reviewer(school=host, name="Ian Insider"),
    }


@pytest.fixture
def world(app) -> World:
    return World(app)


def pytest_report_header(config):
    url = os.environ.get("EIP_TEST_DATABASE_URL")
    database = "PostgreSQL " + url.rsplit("@", 1)[-1] if url else "SQLite (temporary file)"
    moved = f", clock moved to {clock.to_london(clock.utcnow()):%A %-d %B %Y %H:%M}" \
        if MOVED_BY is not None else ""
    return f"database: {database}{moved}"


@pytest.fixture
def vocab(app) -> dict[str, int]:
    """The default skills, installed and committed: {skill name: id}."""
    with app.app_context():
        skills = factories.vocabulary()
        db.session.commit()
        return skills
