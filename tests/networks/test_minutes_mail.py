"""Minutes that reach everyone: the draft and the approved minutes go to the members as an
email with the minutes in its body and a tagged PDF attached; agenda and minutes download
as PDF, with a title and text that can be read."""

from __future__ import annotations

import io

from pypdf import PdfReader

from eip_site.extensions import db
from eip_site.networks import meetings, minutes

from ..helpers import sign_in


def _held_with_minutes(app, world) -> int:
    with app.app_context():
        leader, meeting = world.get("leader"), world.get("meeting")
        meetings.publish_agenda(actor=leader, meeting=meeting)
        meetings.mark_held(actor=leader, meeting=meeting)
        minutes.save_minutes(actor=leader, item=meeting.items[0],
                             text="Everyone welcomed; **Mo** sent apologies.")
        minutes.add_decision(actor=leader, meeting=meeting, text="Share the Year 6 writing.")
        db.session.commit()
        return meeting.id


def _pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def test_approved_minutes_arrive_by_email_with_a_pdf_that_opens(app, client, world, mailbox):
    meeting_id = _held_with_minutes(app, world)
    sign_in(client, world["leader"])
    sent = client.post(f"/meetings/{meeting_id}/state", data={"step": "send_draft"})
    assert sent.status_code == 303
    with app.app_context():
        email = world.get("member").email
    (draft,) = [m for m in mailbox.to(email) if m["Subject"].startswith("Draft minutes")]
    assert "Share the Year 6 writing." in draft.get_body(("plain",)).get_content()
    assert client.post(f"/meetings/{meeting_id}/state",
                       data={"step": "approve"}).status_code == 303
    (mail,) = [m for m in mailbox.to(email) if m["Subject"].startswith("Minutes approved")]
    body = mail.get_body(("plain",)).get_content()
    assert "Everyone welcomed; **Mo** sent apologies." in body
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().startswith("minutes-transitions-")
    reader = _pdf(attachment.get_content())
    assert reader.metadata.title.startswith("Minutes: Transitions, ")
    text = reader.pages[0].extract_text()
    assert "Share the Year 6 writing." in text and "Minutes by item" in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: headings and tables
    # Approved minutes cannot be sent again as a draft.
    again = client.post(f"/meetings/{meeting_id}/state", data={"step": "send_draft"})
    assert again.status_code == 422


def test_agenda_and_minutes_download_as_pdf(app, client, world):
    meeting_id = world["meeting"]
    sign_in(client, world["member"])
    agenda = client.get(f"/meetings/{meeting_id}/agenda.pdf")
    assert agenda.status_code == 200 and agenda.mimetype == "application/pdf"
    reader = _pdf(agenda.data)
    assert reader.metadata.title.startswith("Agenda: Transitions, ")
    assert "Welcome and apologies" in reader.pages[0].extract_text()
    # The minutes only once the meeting is held (members), and never to outsiders.
    assert client.get(f"/meetings/{meeting_id}/minutes.pdf").status_code == 403
    _held_with_minutes(app, world)
    assert "Everyone welcomed" in _pdf(client.get(
        f"/meetings/{meeting_id}/minutes.pdf").data).pages[0].extract_text()
    sign_in(client, world["outsider"])
    assert client.get(f"/meetings/{meeting_id}/agenda.pdf").status_code in (403, 404)
