"""The one sending path: real SMTP in tests, and a clear 503 when the server is down."""

from eip_site.extensions import db
from eip_site.people.models import User
from sqlalchemy import func, select

from .conftest import free_port

from .helpers import sign_in


def test_mail_arrives_over_smtp(app, mailbox):
    from eip_site.mail import send_mail

    with app.app_context():
        send_mail(to="a@school.example", subject="Hello ✓", body="Body text",
                  attachments=[("review.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    (message,) = mailbox.messages
    assert message["Subject"] == "Hello ✓" and message["To"] == "a@school.example"
    assert [p.get_filename() for p in message.iter_attachments()] == ["review.ics"]


def test_without_smtp_host_mail_goes_to_the_log(app, mailbox, caplog):
    from eip_site.mail import send_mail

    app.config["SMTP_HOST"] = ""
    try:
        with app.app_context(), caplog.at_level("INFO"):
            send_mail(to="b@school.example", subject="Logged", body="Only in the log")
    finally:
        app.config["SMTP_HOST"] = "127.0.0.1"
    assert mailbox.messages == [] and "Only in the log" in caplog.text


def test_a_dead_mail_server_is_a_clear_503_and_nothing_is_saved(app, client):
    sign_in(client, roles={"lead"})
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    try:
        response = client.post("/admin/users/new", data={"name": "New Person",
                                                        "email": "new@school.example"})
    finally:
        app.config["SMTP_PORT"] = port
    assert response.status_code == 503
    assert "could not be sent just now" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.email == "new@school.example")) == 0
