"""The outbox: mail is written with the change that causes it and sent by the worker over real
SMTP (aiosmtpd on 127.0.0.1), through a server that is down, slow, refusing or deferring."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from eip_site.clock import utcnow
from eip_site.extensions import db
from eip_site.mail import send_mail
from eip_site.outbox import OutboxMessage, send_due
from eip_site.people.models import User

from . import factories
from .conftest import free_port
from .helpers import sign_in
from .moved_clock import flask_command


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue(n: int = 1, **kw) -> list[str]:
    """Queue ``n`` messages and commit, as a request would; their Message-IDs."""
    ids = [send_mail(to=f"p{i}@school.example", subject=f"Hello {i}", body="Body text",
                     **kw)["Message-ID"] for i in range(n)]
    db.session.commit()
    return ids


class Scripted:
    """An SMTP server whose replies to DATA are scripted: each call takes the next reply
    (the last one repeats); ``delay`` seconds before each."""

    def __init__(self, *replies: str, delay: float = 0):
        self.replies, self.delay, self.arrived = list(replies), delay, []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply.startswith("250"):
            self.arrived.append(message_from_bytes(envelope.content, policy=policy.default))
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def scripted(app):
    """Point the app at a scripted server for one test: ``scripted(*replies, delay=0)``."""
    started, port = [], app.config["SMTP_PORT"]

    def start(*replies, delay=0):
        handler = Scripted(*replies, delay=delay)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        app.config["SMTP_PORT"] = controller.port
        return handler

    yield start
    app.config["SMTP_PORT"] = port
    for controller in started:
        controller.stop()


def later(minutes: float):
    return utcnow() + timedelta(minutes=minutes)


def test_mail_is_sent_once_its_change_commits(ctx, mailbox):
    send_mail(to="a@school.example", subject="Hello ✓", body="Body text",
              attachments=[("review.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    assert mailbox.arrived == [] and len(outbox()) == 1  # queued, not sent
    db.session.commit()
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    (message,) = mailbox.arrived
    assert message["Subject"] == "Hello ✓" and message["To"] == "a@school.example"
    assert [p.get_filename() for p in message.iter_attachments()] == ["review.ics"]
    (row,) = outbox()
    assert row.state == "sent" and row.sent_at is not None
    assert message["Message-ID"] == row.message_id  # the id it was given when queued
    assert send_due()["sent"] == 0  # once


def test_a_rolled_back_action_sends_nothing(app, client, mailbox):
    sign_in(client, roles={"lead"})
    with app.app_context():
        factories.user(email="taken@school.example")
        db.session.commit()
    # The account is refused (the email is taken) after validation: nothing saved or queued.
    response = client.post("/admin/users/new", data={"name": "Same Again",
                                                    "email": "taken@school.example"})
    assert response.status_code == 422
    with app.app_context():
        assert outbox() == [] and send_due()["sent"] == 0
    assert mailbox.arrived == []


def test_an_action_answers_while_the_mail_server_is_down_and_the_mail_follows(app, client,
                                                                               mailbox):
    sign_in(client, roles={"lead"})
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    try:
        response = client.post("/admin/users/new", data={"name": "New Person",
                                                        "email": "new@school.example"})
        assert response.status_code == 303
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(User)
                                     .where(User.email == "new@school.example")) == 1
            assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
            (row,) = outbox()
            assert row.state == "waiting" and "Connection" in row.last_error
            assert row.next_attempt_at > utcnow()  # backed off
    finally:
        app.config["SMTP_PORT"] = port
    with app.app_context():
        assert send_due()["sent"] == 0  # not due yet
        assert send_due(later(2)) == {"sent": 1, "retry": 0, "failed": 0}
    (message,) = mailbox.arrived
    assert message["To"] == "new@school.example"


def test_a_server_down_then_back_delivers_every_message_once(app, ctx, mailbox):
    ids = queue(5)
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()
    try:
        assert send_due() == {"sent": 0, "retry": 5, "failed": 0}
        assert send_due(later(1.5)) == {"sent": 0, "retry": 5, "failed": 0}
        # Backoff doubles: after the second failure the next try is two minutes on.
        assert all(later(3.4) < row.next_attempt_at <= later(3.6) for row in outbox())
    finally:
        app.config["SMTP_PORT"] = port
    assert send_due(later(5)) == {"sent": 5, "retry": 0, "failed": 0}
    assert send_due(later(60))["sent"] == 0
    assert sorted(m["Message-ID"] for m in mailbox.arrived) == sorted(ids)


def test_a_451_is_tried_again_and_then_delivered(ctx, scripted):
    server = scripted("451 4.3.0 Try again later", "250 OK")
    (message_id,) = queue(1)
    assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
    (row,) = outbox()
    assert row.state == "waiting" and row.last_error.startswith("451")
    assert send_due(later(2)) == {"sent": 1, "retry": 0, "failed": 0}
    assert [m["Message-ID"] for m in server.arrived] == [message_id]
    assert row.attempts == 2 and row.last_error is None


def test_a_550_fails_at_once_and_is_not_tried_again(ctx, scripted):
    server = scripted("250 OK")
    send_mail(to="nobody@school.example", subject="Lost", body="Body")
    queue(1)
    assert send_due() == {"sent": 1, "retry": 0, "failed": 1}
    refused, sent = outbox()
    assert refused.state == "failed" and refused.last_error.startswith("550")
    assert sent.state == "sent"  # the connection carried on past the refused address
    assert send_due(later(60 * 48)) == {"sent": 0, "retry": 0, "failed": 0}
    assert refused.attempts == 1 and len(server.arrived) == 1

    scripted("554 5.6.0 Message refused")
    queue(1)
    assert send_due()["failed"] == 1


def test_temporary_failures_are_retried_for_a_day_then_marked_failed(app, ctx, scripted):
    scripted("421 4.7.0 Busy")
    queue(1)
    (row,) = outbox()
    assert send_due()["retry"] == 1
    assert send_due(later(60 * 23)) == {"sent": 0, "retry": 1, "failed": 0}
    assert send_due(later(60 * 25)) == {"sent": 0, "retry": 0, "failed": 1}
    assert row.state == "failed" and row.last_error.startswith("Gave up after 3 attempts: 421")


def test_without_smtp_host_mail_goes_to_the_log(app, ctx, mailbox, caplog):
    queue(1)
    app.config["SMTP_HOST"] = ""
    try:
        with caplog.at_level("INFO"):
            assert send_due()["sent"] == 1
    finally:
        app.config["SMTP_HOST"] = "127.0.0.1"
    assert mailbox.arrived == [] and "Body text" in caplog.text and "To: p0@school.example" \
        in caplog.text


def _cli_env(app) -> dict[str, str]:
    return {**os.environ, "EIP_ENV": "testing",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "EIP_SMTP_HOST": "127.0.0.1", "EIP_SMTP_PORT": str(app.config["SMTP_PORT"]),
            "EIP_SMTP_TLS": "none", "EIP_MAIL_LEASE_SECONDS": "600"}


def test_a_worker_killed_mid_batch_loses_nothing(app, ctx, scripted):
    server = scripted("250 OK", delay=0.3)
    ids = queue(6)
    worker = subprocess.Popen(flask_command("send-mail", "--once"), env=_cli_env(app),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(server.arrived) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    got = len(server.arrived)
    assert 2 <= got < 6, "the worker was to be killed mid-batch"
    db.session.expire_all()
    # The rest are the dead worker's until its lease ends, then anyone's.
    assert send_due()["sent"] == 0
    counts = send_due(later(11))
    arrived = [m["Message-ID"] for m in server.arrived]
    assert set(arrived) == set(ids)  # nothing lost
    # At most the one in flight when it died arrives twice, with the same Message-ID.
    assert len(arrived) - len(ids) <= 1 and counts["failed"] == 0
    assert all(row.state == "sent" for row in outbox())


def test_the_send_mail_command_drains_the_queue(app, ctx, mailbox):
    ids = queue(3)
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and "Mail: 3 sent, 0 to try again, 0 failed." in result.output
    assert sorted(m["Message-ID"] for m in mailbox.arrived) == sorted(ids)


@pytest.mark.skipif(not os.environ.get("EIP_TEST_DATABASE_URL"),
                    reason="several workers need PostgreSQL (SQLite: the one worker)")
def test_two_workers_on_postgresql_send_each_message_once(app, ctx, scripted):
    server = scripted("250 OK", delay=0.02)
    ids = queue(40)
    errors = []

    def work():
        try:
            with app.app_context():
                send_due()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    arrived = [m["Message-ID"] for m in server.arrived]
    assert errors == [] and sorted(arrived) == sorted(ids)  # each once
    db.session.expire_all()
    assert {row.state for row in outbox()} == {"sent"}


def test_user_text_never_starts_a_header_line(ctx, mailbox):
    send_mail(to="a@school.example", subject="Help from Eve\r\nBcc: all@school.example",
              body="Body")
    db.session.commit()
    send_due()
    (message,) = mailbox.arrived
    assert message["Bcc"] is None
    assert message["Subject"] == "Help from Eve Bcc: all@school.example"


def test_the_worker_sends_on_each_pass_and_survives_a_failing_one(app, ctx, mailbox,
                                                                   monkeypatch, caplog):
    from eip_site import outbox as outbox_module

    ids = queue(2)
    passes = []

    def tick():
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database away")  # logged; the worker carries on

    outbox_module.run_worker(0, stop=lambda: len(passes) >= 2, tick=tick)
    assert len(passes) == 2 and "The mail worker's pass failed" in caplog.text
    assert sorted(m["Message-ID"] for m in mailbox.arrived) == sorted(ids)
