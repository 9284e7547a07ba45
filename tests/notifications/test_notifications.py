"""Notifications people control, against a real SMTP server on 127.0.0.1: choices per kind,
the signed unsubscribe link, digests, and reminders that go once however often cron runs."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from eip_site import clock
from eip_site.clock import utcnow
from eip_site.errors import DomainError
from eip_site.extensions import db
from eip_site.help_requests.services import send_help_request
from eip_site.networks import meetings, minutes
from eip_site.notifications import reminders, services
from eip_site.notifications.models import SentReminder
from eip_site.people.models import User

from .. import factories
from ..helpers import days, sign_in


def test_defaults_do_not_flood_and_choices_are_checked(ctx):
    user = factories.user()
    assert services.preferences(user) == {"review": "now", "help": "now", "agenda": "digest",
                                          "action": "digest", "skills": "now",
                                          "reminder": "now"}
    services.save_preferences(actor=user, modes={"help": "digest", "agenda": "none"})
    assert services.preferences(user)["help"] == "digest"
    with pytest.raises(DomainError):
        services.save_preferences(actor=user, modes={"help": "hourly"})


def test_each_email_carries_an_unsubscribe_link_that_works_without_signing_in(
        app, client, mailbox):
    with app.app_context():
        asker, helper = factories.user(), factories.user(name="Helen Helper")
        send_help_request(actor=asker, recipient=helper, message="Phonics?", needed_by=None)
        db.session.commit()
        helper_id = helper.id
    body = mailbox.messages[-1].get_body().get_content()
    link = re.search(r"To turn these off: (\S+)", body).group(1)
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200  # a page with a button: scanners do not unsubscribe
    with app.app_context():
        assert services.preferences(db.session.get(User, helper_id))["help"] == "now"
    done = client.post(path)
    assert done.status_code == 200 and b"Unsubscribed" in done.data
    assert client.get(path[:-3] + "xyz").status_code == 404  # a forged link
    mailbox.clear()
    with app.app_context():
        send_help_request(actor=factories.user(), message="Again?", needed_by=None,
                          recipient=db.session.get(User, helper_id))
        db.session.commit()
    assert mailbox.messages == []


def test_a_digest_collects_and_goes_once(app, mailbox):
    with app.app_context():
        helper = factories.user(name="Dee Digest")
        services.save_preferences(actor=helper, modes={"help": "digest"})
        for n in range(2):
            send_help_request(actor=factories.user(name=f"Asker {n}"), recipient=helper,
                              message="Could you help?", needed_by=None)
        db.session.commit()
        assert mailbox.messages == []
        assert services.send_digests() == 1
        assert services.send_digests() == 0
    [digest] = mailbox.messages
    assert digest["Subject"] == "Your daily digest: 2 updates"
    body = digest.get_body().get_content()
    # Each item one line, its subject and its link; not the whole email again.
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(lines) == 2 and all(re.fullmatch(r"- .+: http://localhost/\S+", line)
                                   for line in lines), lines
    assert "Could you help?" not in body
    # Grouped by kind, greeting once, each kind with its own unsubscribe link.
    assert body.count("Hello Dee") == 1 and body.count("=== Requests for help") == 1
    assert re.search(r"To stop emails about requests for help, and answers to yours: "
                     r"http://localhost/unsubscribe/\S+", body)


@pytest.fixture
def review_next_week(app):
    with app.app_context():
        host = factories.school(name="Host Primary")
        head = factories.user(roles={"head"}, school=host, name="Hana Head")
        team = (factories.user(name="Lou Lead"), factories.user(name="Ray Reviewer"))
        factories.review(host=host, team=team, state="confirmed", start=days(5))
        db.session.commit()
        return [head.email, *(u.email for u in team)]


def test_reminders_go_once_however_often_cron_runs(app, mailbox, review_next_week):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "Reminders: 3 emailed" in first.output
    assert sorted(m["To"] for m in mailbox.messages) == sorted(review_next_week)
    assert all(m["Subject"].startswith("Reminder: peer review of Host Primary")
               for m in mailbox.messages)
    mailbox.clear()
    second = runner.invoke(args=["send-reminders"])
    assert "Reminders: 0 emailed" in second.output and "3 sent before" in second.output
    assert mailbox.messages == []


def test_switching_reminders_off_stops_them(app, mailbox, review_next_week):
    with app.app_context():
        head = db.session.scalar(db.select(User).where(User.email == review_next_week[0]))
        services.save_preferences(actor=head, modes={"reminder": "none"})
        db.session.commit()
        counts = reminders.send_reminders(clock.today(), utcnow())
    assert counts["sent"] == 2 and counts["off"] == 1
    assert review_next_week[0] not in [m["To"] for m in mailbox.messages]


def test_actions_and_unanswered_requests_are_reminded(app, mailbox):

    with app.app_context():
        leader = factories.user(name="Lee Leader")
        network = factories.network(name="Transitions", leader=leader)
        meeting = factories.meeting(network, day=days(-10), state="held")
        minutes.add_action(actor=leader, meeting=meeting, description="Send the booklet",
                            owner_id=leader.id, due_on=days(-1))
        asker, busy = factories.user(name="Ash Asker"), factories.user(name="Bea Busy")
        request = send_help_request(actor=asker, recipient=busy, message="Help?",
                                    needed_by=None)
        request.created_at = utcnow() - timedelta(days=4)
        db.session.commit()
        mailbox.clear()
        emails = leader.email, busy.email
        reminders.send_reminders(clock.today(), utcnow())
        assert db.session.query(SentReminder).count() == 2
    subjects = {(m["To"], m["Subject"]) for m in mailbox.messages}
    # (and the leader's digest of the network's news, from the set-up)
    assert (emails[0], "Overdue: Send the booklet") in subjects
    assert (emails[1], "Ash Asker is waiting for your answer") in subjects


def test_the_profile_reminder_comes_in_september(app, mailbox):
    with app.app_context():
        email = factories.user(name="Stale Profile").email
        year = clock.today().year
        counts = reminders.send_reminders(date(year, 9, 8), datetime(year, 9, 8, 9))
        assert counts["sent"] == 1
        assert reminders.send_reminders(date(year, 10, 8), datetime(year, 10, 8, 9))["sent"] == 0
    assert mailbox.messages[0]["To"] == email
    assert mailbox.messages[0]["Subject"] == "Is your profile still correct?"


def test_the_settings_page(app, client):
    sign_in(client)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and b"Requests for help, and answers to yours" in page.data
    saved = client.post("/account/notifications", data={
        "review": "now", "help": "digest", "agenda": "none", "action": "digest",
        "skills": "none", "reminder": "now"})
    assert saved.status_code == 303
    assert b'id="help-digest" name="help" value="digest" checked' in client.get(
        "/account/notifications").data
    assert client.post("/account/notifications", data={"help": "weekly"}).status_code == 422


def test_agendas_and_actions_reach_members_as_they_chose(app, mailbox):
    from eip_site.notifications.models import DigestItem

    with app.app_context():
        leader, lead = factories.user(name="Lee Leader"), factories.user(roles={"lead"})
        keen, quiet = factories.user(name="Kim Keen"), factories.user(name="Quinn Quiet")
        services.save_preferences(actor=keen, modes={"agenda": "now", "action": "now"})
        services.save_preferences(actor=quiet, modes={"agenda": "none"})
        network = factories.network(name="Transitions", leader=leader, lead=lead,
                                    members=(keen, quiet))
        meeting = factories.meeting(network, day=days(7))
        mailbox.clear()
        db.session.query(DigestItem).delete()  # the set-up's news (joined, sponsored)
        meetings.publish_agenda(actor=leader, meeting=meeting)
        meetings.mark_held(actor=leader, meeting=meeting)
        minutes.add_action(actor=leader, meeting=meeting, description="Share the booklet",
                            owner_id=keen.id, due_on=days(14))
        db.session.commit()
        waiting = [(i.user_id, i.kind) for i in db.session.query(DigestItem)]
        ids = keen.id, quiet.id, lead.id, keen.email
    assert sorted(m["Subject"].split(":")[0] for m in mailbox.messages
                  if m["To"] == ids[3]) == ["Agenda published", "An action for you from Transitions"]
    assert waiting == [(ids[2], "agenda")]  # the critical friend, on the default digest


def test_the_worker_runs_the_reminders_once_a_day_at_the_hour_set(app, mailbox):
    from eip_site.clock import LONDON

    with app.app_context():
        factories.user(name="Stale Profile")
        db.session.commit()
        run = reminders.scheduled_reminders(7)
        year = clock.today().year
        at = lambda day, hour: datetime(year, 9, day, hour, tzinfo=LONDON).astimezone(  # noqa: E731
            timezone.utc).replace(tzinfo=None)
        assert run(at(8, 6)) is False  # before the hour
        assert run(at(8, 7)) is True and run(at(8, 15)) is False  # once that day
        assert run(at(9, 7)) is True  # and again the next
        assert reminders.scheduled_reminders(-1)(at(8, 12)) is False  # off
    assert [m["Subject"] for m in mailbox.messages] == ["Is your profile still correct?"]
