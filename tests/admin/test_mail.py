"""The admin's view of the outbox: waiting, sent and failed, with the reason and a retry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eip_site.clock import utcnow
from eip_site.extensions import db
from eip_site.mail import send_mail
from eip_site.outbox import OutboxMessage, send_due

from ..helpers import sign_in


def _queue(app, *addresses):
    with app.app_context():
        for address in addresses:
            send_mail(to=address, subject=f"About {address}", body="Body")
        db.session.commit()


def _row(app, to) -> OutboxMessage:
    with app.app_context():
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == to))


def test_the_mail_page_shows_each_state_with_the_reason_and_retries(app, client, mailbox):
    sign_in(client, roles={"admin"})
    _queue(app, "sent@school.example", "nobody@school.example")
    with app.app_context():
        send_due()
    assert _row(app, "sent@school.example").state == "sent"
    # The test server takes every address: make the second one fail as a 550 would.
    with app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.to == "nobody@school.example"))
        row.state, row.last_error = "failed", "550 5.1.1 No such user here"
        send_mail(to="later@school.example", subject="Waiting one", body="Body")
        db.session.commit()
    page = client.get("/admin/mail")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Waiting: 1" in body and "Sent: 1" in body and "Failed: 1" in body
    assert "550 5.1.1 No such user here" in body and "later@school.example" in body

    home = client.get("/").get_data(as_text=True)
    assert "1 email is failing to send: see why" in home

    failed = _row(app, "nobody@school.example")
    response = client.post(f"/admin/mail/{failed.id}/retry")
    assert response.status_code == 303
    assert _row(app, "nobody@school.example").state == "waiting"
    assert "will be tried again" in client.get("/admin/mail").get_data(as_text=True)
    with app.app_context():
        send_due(utcnow() + timedelta(seconds=1))
    assert _row(app, "nobody@school.example").state == "sent"
    assert "failing to send" not in client.get("/").get_data(as_text=True)

    sent = _row(app, "sent@school.example")
    assert client.post(f"/admin/mail/{sent.id}/retry").status_code == 422
    assert client.post("/admin/mail/999999/retry").status_code == 404


def test_only_admins_see_the_mail(app, client):
    sign_in(client, roles={"lead"})
    assert client.get("/admin/mail").status_code == 403
