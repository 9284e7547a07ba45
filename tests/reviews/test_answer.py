"""The host head confirms or declines from the email's signed link, without signing in; the
link works once, expires, and says why when it no longer works."""

from __future__ import annotations

import re

from eip_site.extensions import db
from eip_site.reviews import services
from eip_site.reviews.models import Review

from ..helpers import monday


def _staffed(app, world, mailbox):
    with app.app_context():
        review = services.create_review(
            actor=world.get("champion"), host_school=world.get("host"), focus="Reading",
            focus_area="curriculum", start_date=monday(), days=2)
        r = world.get("reviewers")
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=r[1:3])
        db.session.commit()
        review_id, head_email, reviewer_email = review.id, world.get("head").email, r[1].email
    (mail,) = [m for m in mailbox.to(head_email) if "Team proposed" in m["Subject"]]
    body = mail.get_body(("plain",)).get_content()
    (link,) = re.findall(r"http://localhost(/reviews/answer/\S+)", body)
    assert not re.findall(r"/reviews/answer/", mailbox.to(reviewer_email)[0]
                          .get_body(("plain",)).get_content())  # only the head's has one
    assert mail["List-Unsubscribe"].startswith("<http://localhost/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return review_id, link


def _state(app, review_id):
    with app.app_context():
        return db.session.get(Review, review_id).state


def test_the_head_confirms_from_the_email_once(app, client, world, mailbox):
    review_id, link = _staffed(app, world, mailbox)
    page = client.get(link)
    assert page.status_code == 200 and "Confirm or decline the review" in page.text
    assert "Hugh Head" in page.text
    response = client.post(link, data={"answer": "confirm"})
    assert response.status_code == 303 and _state(app, review_id) == "confirmed"
    assert "is now: confirmed" in client.get(response.headers["Location"]).text
    again = client.get(link)
    assert again.status_code == 410 and "has been answered or has changed" in again.text
    assert client.post(link, data={"answer": "decline", "note": "x"}).status_code == 410
    assert _state(app, review_id) == "confirmed"


def test_declining_needs_a_reason_and_tells_the_booker(app, client, world, mailbox):
    review_id, link = _staffed(app, world, mailbox)
    refused = client.post(link, data={"answer": "decline", "note": ""})
    assert refused.status_code == 422 and 'aria-describedby="note-error"' in refused.text
    assert _state(app, review_id) == "proposed"
    mailbox.clear()
    assert client.post(link, data={"answer": "decline", "note": "Ofsted is due"}) \
        .status_code == 303
    assert _state(app, review_id) == "planned"
    with app.app_context():
        booker = world.get("champion").email
    [told] = [m for m in mailbox.to(booker) if "Declined by the host" in m["Subject"]]
    assert "Reason: Ofsted is due" in told.get_body(("plain",)).get_content()


def test_an_expired_or_forged_link_explains_itself(app, client, world, mailbox):
    _review_id, link = _staffed(app, world, mailbox)
    app.config["LINK_VALID_DAYS"] = -1
    try:
        expired = client.get(link)
    finally:
        app.config["LINK_VALID_DAYS"] = 14
    assert expired.status_code == 410 and "has expired" in expired.text
    forged = client.get(link[:-3] + "abc")
    assert forged.status_code == 404 and "This link is not valid" in forged.text


def test_one_click_unsubscribe_works_without_a_form_token(app, client, world, mailbox):
    """RFC 8058: the mail program POSTs to the List-Unsubscribe address, with no CSRF token."""
    from eip_site.notifications.services import preferences

    _review_id, _link = _staffed(app, world, mailbox)
    with app.app_context():
        head_email = world.get("head").email
    (mail,) = [m for m in mailbox.to(head_email) if "Team" in m["Subject"]]
    url = mail["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    with app.app_context():
        assert preferences(world.get("head"))["review"] == "none"
