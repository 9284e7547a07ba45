"""Members answer before a meeting: on its page, or from the agenda email's one-step link;
the leader sees who is coming by school, the agenda's welcome item lists the apologies and
the attendance starts from the answers."""

from __future__ import annotations

import re
from datetime import timedelta

from eip_site import clock
from eip_site.extensions import db
from eip_site.networks import meetings
from eip_site.networks.models import Meeting, MeetingAnswer

from .. import factories
from ..helpers import queries_during, sign_in


def _publish(app, world) -> None:
    with app.app_context():
        meetings.publish_agenda(actor=world.get("leader"), meeting=world.get("meeting"))
        db.session.commit()


def _link(mailbox, email: str, which: str) -> str:
    (mail,) = [m for m in mailbox.to(email) if m["Subject"].startswith("Agenda published")]
    text = mail.get_body(("plain",)).get_content()
    (link,) = re.findall(rf"{which}: http://localhost(/meetings/answer/\S+)", text)
    return link


def test_a_member_sends_apologies_from_the_email_link(app, client, world, mailbox):
    meeting_id, member = world["meeting"], world["member"]
    with app.app_context():  # Mo reads his agenda emails at once
        from eip_site.notifications.services import save_preferences
        save_preferences(actor=world.get("member"), modes={"agenda": "now"})
        db.session.commit()
    _publish(app, world)
    link = _link(mailbox, _email(app, world, "member"), "Apologies")
    page = client.get(link)
    assert page.status_code == 200 and "Send apologies: Transitions" in page.text
    response = client.post(link, data={"answer": "apologies", "note": "Year 6 trip"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(MeetingAnswer, (meeting_id, member))
        assert (row.answer, row.note) == ("apologies", "Year 6 trip")
    again = client.get(link)
    assert again.status_code == 200 and "is already <strong>Apologies</strong>" in again.text
    # The leader sees them on the agenda, by school, and in the attendance.
    sign_in(client, world["leader"])
    agenda = client.get(f"/meetings/{meeting_id}")
    assert "Apologies: Mo Member (Kingsmere Academy)." in agenda.text
    assert "Mo Member (“Year 6 trip”)" in agenda.text
    with app.app_context():
        meetings.mark_held(actor=world.get("leader"), meeting=world.get("meeting"))
        db.session.commit()
    minutes = client.get(f"/meetings/{meeting_id}/minutes")
    assert re.search(rf'id="attendance-{member}-apologies" name="attendance-{member}" '
                     r'value="apologies" checked', minutes.text)
    # Once the meeting has started the link explains itself.
    assert client.get(link).status_code == 410


def _email(app, world, name: str) -> str:
    with app.app_context():
        return world.get(name).email


def test_a_tampered_or_expired_link_says_so(app, client, world, mailbox, monkeypatch):
    _publish(app, world)
    with app.app_context():
        from eip_site import links
        from eip_site.networks.answers import ANSWER_LINK
        token = links.make(ANSWER_LINK, world["meeting"], world["member"], 1)
    assert client.get(f"/meetings/answer/{token[:-3]}abc").status_code == 404
    monkeypatch.setitem(app.config, "LINK_VALID_DAYS", -1)
    expired = client.get(f"/meetings/answer/{token}")
    assert expired.status_code == 410 and "has expired" in expired.text


def test_answers_change_on_the_page_until_the_meeting_starts(app, client, world):
    meeting_id = world["meeting"]
    sign_in(client, world["member"])
    bad = client.post(f"/meetings/{meeting_id}/answer", data={"note": "x" * 301})
    assert bad.status_code == 422 and "Choose whether you will be there" in bad.text
    assert client.post(f"/meetings/{meeting_id}/answer",
                       data={"answer": "coming"}).status_code == 303
    assert client.post(f"/meetings/{meeting_id}/answer",
                       data={"answer": "apologies"}).status_code == 303
    page = client.get(f"/meetings/{meeting_id}")
    assert "You answered <strong>Apologies</strong>" in page.text
    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        m.starts_at = clock.utcnow() - timedelta(minutes=5)
        db.session.commit()
    late = client.post(f"/meetings/{meeting_id}/answer", data={"answer": "coming"})
    assert late.status_code == 422 and "The meeting has started" in late.text
    sign_in(client, world["outsider"])
    assert client.post(f"/meetings/{meeting_id}/answer",
                       data={"answer": "coming"}).status_code in (403, 404)


def test_the_meeting_page_costs_the_same_with_more_members_and_answers(app, client, world):
    meeting_id = world["meeting"]
    sign_in(client, world["leader"])
    client.get(f"/meetings/{meeting_id}")
    few = queries_during(app, lambda: client.get(f"/meetings/{meeting_id}"))
    with app.app_context():
        network = world.get("network")
        for n in range(12):
            person = factories.user(school=factories.school(name=f"School {n}"))
            factories.network_member(network, person)
            db.session.add(MeetingAnswer(meeting_id=meeting_id, user_id=person.id,
                                         answer="coming" if n % 2 else "apologies"))
        db.session.commit()
    client.get(f"/meetings/{meeting_id}")
    many = queries_during(app, lambda: client.get(f"/meetings/{meeting_id}"))
    assert many == few
