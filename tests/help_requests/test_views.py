"""Ask for help over HTTP: the form, the lists, the buttons, with and without htmx."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from eip_site.clock import utcnow
from eip_site.directory.models import HelpRequest
from eip_site.extensions import db
from eip_site.help_requests import queries
from eip_site.people.models import User

from .. import factories
from ..helpers import days, page_queries, sign_in
from ..helpers import fragment as fragment_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def recipient(app, vocab):
    with app.app_context():
        user = factories.user(name="Rita Recipient", job_title="Phonics lead")
        factories.user_skill(user, vocab["Phonics"], "train")
        db.session.commit()
        return user.id


def requests(app) -> list[HelpRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)))
        db.session.expunge_all()
        return rows


def make_request(app, sender_id: int, recipient_id: int, **kwargs) -> int:
    with app.app_context():
        request_id = factories.help_request(sender_id, recipient_id, **kwargs).id
        db.session.commit()
        return request_id


def version_of(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).version


# --- The form -----------------------------------------------------------------------------

def test_the_form_names_the_person_and_offers_their_skills(client, recipient, vocab):
    sign_in(client)
    response = client.get(f"/people/{recipient}/help")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count("<h1") == 1 and "<title>Ask Rita Recipient for help –" in body
    assert 'for="message"' in body and 'type="date"' in body and 'name="needed_by"' in body
    assert f'<option value="{vocab["Phonics"]}">Phonics (can lead training)</option>' in body


def test_sending_a_request_emails_the_recipient_and_lists_it_for_both(app, client, recipient,
                                                                        vocab, mailbox):
    sender = sign_in(client)
    needed_by = days(10).isoformat()
    response = client.post(f"/people/{recipient}/help", data={
        "message": "Could I visit to see your phonics groups?", "needed_by": needed_by,
        "skill": vocab["Phonics"]})
    assert response.status_code == 303 and response.headers["Location"] == "/help/?box=sent"
    [row] = requests(app)
    assert (row.from_user_id, row.to_user_id, row.skill_id, row.needed_by.isoformat()) == (
        sender, recipient, vocab["Phonics"], needed_by)
    with app.app_context():
        recipient_email = db.session.get(User, recipient).email
    assert "/help/" in mailbox.to(recipient_email)[0].get_content()

    sent = client.get("/help/?box=sent").get_data(as_text=True)
    assert "Your request has been sent" in sent
    assert "Could I visit to see your phonics groups?" in sent
    assert "Waiting for an answer" in sent and ">Accept<" not in sent and ">Mark done<" in sent

    sign_in(client, recipient)
    received = client.get("/help/").get_data(as_text=True)
    assert "Asked of me (1 waiting)" in received
    assert ">Accept<" in received and ">Decline<" in received


def test_an_htmx_submit_navigates_with_hx_redirect(app, client, recipient):
    sign_in(client)
    response = client.post(f"/people/{recipient}/help", data={"message": "Help"}, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/help/?box=sent"
    assert len(requests(app)) == 1


@pytest.mark.parametrize("changes, message", [
    ({"message": ""}, "Enter what you need help with."),
    ({"message": "x" * 10000}, "2,000 characters or fewer"),
    ({"message": "tab\x07bell"}, "control characters"),
    ({"needed_by": days(-1).isoformat()}, "today or in the future"),
    ({"needed_by": "31/02/2030"}, "Enter a real date"),
    ({"needed_by": "next tuesday 🌈"}, "Enter a real date"),
    ({"needed_by": "99999-01-01"}, "Enter a real date"),
    ({"skill": "999999"}, "Choose a skill from the list."),
])
def test_bad_input_is_a_422_beside_the_field_and_saves_nothing(app, client, recipient,
                                                                 mailbox, changes, message):
    sign_in(client)
    response = client.post(f"/people/{recipient}/help",
                           data={"message": "Help please", "needed_by": "", **changes})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and "There is a problem" in body and "<title>Error:" in body
    assert re.search(r'class="error-message" id="\w+-error"', body)
    assert requests(app) == [] and mailbox.messages == []


def test_html_and_emoji_are_stored_as_typed_and_shown_escaped(app, client, recipient):
    sender = sign_in(client)
    message = "<script>alert('x')</script> Ysgol 🌈 Łódź"
    assert client.post(f"/people/{recipient}/help", data={"message": message}).status_code == 303
    assert requests(app)[0].message == message
    body = client.get("/help/?box=sent").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ysgol 🌈 Łódź" in body
    assert sender


def test_who_cannot_be_asked(app, client):
    me = sign_in(client)
    assert client.get(f"/people/{me}/help").status_code == 422
    assert client.post(f"/people/{me}/help", data={"message": "Me"}).status_code == 422
    assert client.get("/people/999999/help").status_code == 404
    with app.app_context():
        gone = factories.user(active=False).id
        db.session.commit()
    response = client.post(f"/people/{gone}/help", data={"message": "Hello"})
    assert response.status_code == 422 and "deactivated" in response.get_data(as_text=True)
    assert requests(app) == []


# --- Answering ----------------------------------------------------------------------------

def test_the_recipient_accepts_without_javascript(app, client, recipient, mailbox):
    with app.app_context():
        sender = factories.user(name="Sam Sender")
        sender_id, sender_email = sender.id, sender.email
        db.session.commit()
    request_id = make_request(app, sender_id, recipient)
    sign_in(client, recipient)
    response = client.post(f"/help/{request_id}/status",
                           data={"status": "accepted", "version": version_of(app, request_id)})
    assert response.status_code == 303 and response.headers["Location"] == "/help/?box=received"
    assert requests(app)[0].status == "accepted"
    assert mailbox.to(sender_email)[0]["Subject"].startswith("Rita Recipient has accepted")
    page = client.get("/help/").get_data(as_text=True)
    assert "Request accepted." in page and "Cannot help now" in page


def test_an_htmx_answer_swaps_the_row_and_announces_it(app, client, recipient):
    with app.app_context():
        sender_id = factories.user().id
        db.session.commit()
    request_id = make_request(app, sender_id, recipient)
    sign_in(client, recipient)
    response = client.post(f"/help/{request_id}/status", headers=HTMX,
                           data={"status": "declined", "version": version_of(app, request_id)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="help-{request_id}">')
    assert "Declined" in body and 'hx-swap-oob="innerHTML"' in body and "Request declined." in body
    assert "<html" not in body


def test_a_stale_or_forbidden_answer_changes_nothing(app, client, recipient):
    with app.app_context():
        sender_id = factories.user().id
        db.session.commit()
    request_id = make_request(app, sender_id, recipient)
    old = version_of(app, request_id)
    sign_in(client, sender_id)
    refused = client.post(f"/help/{request_id}/status", data={"status": "accepted", "version": old})
    assert refused.status_code == 422 and "Only Rita Recipient" in refused.get_data(as_text=True)
    assert client.post(f"/help/{request_id}/status",
                       data={"status": "done", "version": old}).status_code == 303
    sign_in(client, recipient)
    stale = client.post(f"/help/{request_id}/status", headers=HTMX,
                        data={"status": "accepted", "version": old})
    assert stale.status_code == 409 and stale.headers["HX-Retarget"] == "#flash"
    assert "Someone else changed this" in stale.get_data(as_text=True)
    for bad in ({"status": "open"}, {"status": "<script>"}, {"status": ""}, {},
                {"status": "accepted", "version": "🌈"}):
        assert client.post(f"/help/{request_id}/status", data=bad).status_code == 422
    assert requests(app)[0].status == "done"


def test_someone_elses_request_is_not_found(app, client, recipient):
    with app.app_context():
        sender_id = factories.user().id
        db.session.commit()
    request_id = make_request(app, sender_id, recipient)
    sign_in(client)
    assert client.post(f"/help/{request_id}/status", data={"status": "done"}).status_code == 404
    assert client.post("/help/999999/status", data={"status": "done"}).status_code == 404
    assert "Please help" not in client.get("/help/").get_data(as_text=True)
    assert requests(app)[0].status == "open"


# --- The list -----------------------------------------------------------------------------

def test_the_list_pages_and_answers_htmx_with_its_fragment(app, client, recipient):
    with app.app_context():
        sender_id = factories.user().id
        db.session.commit()
    for n in range(queries.PER_PAGE + 3):
        make_request(app, sender_id, recipient, message=f"Request number {n}")
    sign_in(client, recipient)
    first = client.get("/help/").get_data(as_text=True)
    assert first.count("<h1") == 1 and "<title>Requests for help –" in first
    assert "Page 1 of 2" in first and first.count('<tr id="help-') == queries.PER_PAGE
    fragment = client.get("/help/?page=2", headers=HTMX)
    title, body = fragment_of(fragment)
    assert title.startswith("Requests for help – ")
    assert body.startswith('<div id="help-requests">') and "<html" not in body
    assert body.count('<tr id="help-') == 3
    assert fragment.headers["Vary"] == "HX-Request" or "HX-Request" in fragment.headers["Vary"]
    for odd in ("?page=-1", "?page=abc", "?page=99999999999999999999", "?box=<script>"):
        assert client.get(f"/help/{odd}").status_code == 200


def test_leads_see_cross_school_numbers_by_term_and_staff_do_not(app, client, recipient):
    with app.app_context():
        sender_id = factories.user().id
        db.session.commit()
    make_request(app, sender_id, recipient, cross_school=True, created_at=utcnow(),
                 answered_at=utcnow(), status="accepted")
    make_request(app, sender_id, recipient, cross_school=True, created_at=utcnow())
    sign_in(client)
    assert "Requests between schools" not in client.get("/help/").get_data(as_text=True)
    sign_in(client, roles={"lead"})
    body = client.get("/help/").get_data(as_text=True)
    assert "Requests between schools, by term" in body
    with app.app_context():
        this_term = queries.term_stats()[0]
    assert this_term.name in body
    assert re.search(r'<td class="numeric">2</td>\s*<td class="numeric">1 \(50%\)</td>', body)


def test_the_list_runs_a_fixed_number_of_queries(app, client, recipient):
    lead = sign_in(client, roles={"lead"})

    def queries_for(path):
        return page_queries(app, client, path)

    with app.app_context():
        others = [factories.user().id for _ in range(2)]
        db.session.commit()
    make_request(app, others[0], lead, cross_school=True)
    small = queries_for("/help/")
    with app.app_context():
        others += [factories.user().id for _ in range(8)]
        db.session.commit()
    for n, other in enumerate(others * 2):
        make_request(app, other, lead, message=f"More {n}", cross_school=True)
        make_request(app, lead, other, message=f"Mine {n}")
    assert queries_for("/help/") == small
    assert queries_for("/help/?box=sent") == small
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 41


def test_a_name_with_a_line_break_cannot_start_an_email_header(app, client, recipient, mailbox):
    """A name saved before line breaks were refused (or written by a script) is cleaned in
    the email; the forms refuse one now."""
    sender = sign_in(client, name="Sam Sender")
    with app.app_context():
        db.session.get(User, sender).name = "Sam\r\nBcc: victim@example.com\r\nSender"
        db.session.commit()
        recipient_email = db.session.get(User, recipient).email
    response = client.post(f"/people/{recipient}/help", data={
        "message": "Could I visit?", "needed_by": days(10).isoformat()})
    assert response.status_code == 303
    [mail] = mailbox.to(recipient_email)
    assert mail["Subject"].startswith("Sam Bcc: victim@example.com Sender has asked you")
    assert mail["Bcc"] is None and not mailbox.to("victim@example.com")

    sign_in(client, roles={"lead"})
    refused = client.post(f"/admin/users/{sender}", data={
        "name": "Sam\r\nBcc: x@example.com", "email": "sam@school.example"})
    assert refused.status_code == 422
    assert "Remove the hidden control characters" in refused.get_data(as_text=True)


@pytest.mark.parametrize("mode, said", [
    ("now", "We have emailed Rita Recipient."),
    ("digest", "Rita Recipient gets these emails in a daily digest"),
    ("none", "Rita Recipient has chosen not to get these emails; they will see it on their "
             "home page."),
])
def test_the_page_says_we_emailed_only_when_an_email_was_queued(app, client, recipient, mode,
                                                                said):
    from eip_site.notifications.models import Preference
    from eip_site.outbox import OutboxMessage

    with app.app_context():
        db.session.add(Preference(user_id=recipient, kind="help", mode=mode))
        db.session.commit()
    sign_in(client)
    client.post(f"/people/{recipient}/help", data={"message": "A visit, please"})
    assert said in client.get("/help/?box=sent").get_data(as_text=True)
    with app.app_context():
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == (1 if mode == "now" else 0)
