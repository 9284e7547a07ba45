"""The leader lets someone in from the join request's email, without signing in; the link
works while the request waits and says why when it no longer does."""

from __future__ import annotations

import re

from eip_site.extensions import db
from eip_site.networks import lifecycle
from eip_site.networks.models import NetworkMember


def _asked(app, world, mailbox):
    """Otto asks to join: the leader's email's text, and the request's key."""
    with app.app_context():
        lifecycle.ask_to_join(actor=world.get("outsider"), network=world.get("network"))
        db.session.commit()
        leader_email, key = world.get("leader").email, (world["network"], world["outsider"])
    (mail,) = [m for m in mailbox.to(leader_email) if "Otto Outsider asks to join" in m["Subject"]]
    return mail.get_body(("plain",)).get_content(), key


def test_the_leader_accepts_from_the_email_once(app, client, world, mailbox):
    text, key = _asked(app, world, mailbox)
    (link,) = re.findall(r"http://localhost(/networks/answer/\S+)", text)
    page = client.get(link)
    assert page.status_code == 200 and "Let Otto Outsider join Transitions" in page.text
    response = client.post(link)
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(NetworkMember, key).status == "member"
    again = client.get(link)
    assert again.status_code == 410 and "has been answered or withdrawn" in again.text
    assert client.get(link[:-4] + "abcd").status_code == 404


def test_the_leader_declines_from_the_email_with_a_reason(app, client, world, mailbox):
    from eip_site.notifications.models import DigestItem

    text, key = _asked(app, world, mailbox)
    assert "turn the request down" in text
    (link,) = re.findall(r"http://localhost(/networks/answer/\S+)", text)
    page = client.get(link)
    assert "Decline the request" in page.text and 'name="reason"' in page.text
    too_long = client.post(link, data={"answer": "decline", "reason": "x" * 1001})
    assert too_long.status_code == 422 and "1,000 characters" in too_long.text
    with app.app_context():
        assert db.session.get(NetworkMember, key).status == "requested"
    done = client.post(link, data={"answer": "decline", "reason": "Secondary only"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(NetworkMember, key) is None
        (told,) = db.session.scalars(db.select(DigestItem).filter_by(
            user_id=world["outsider"])).all()
        assert "Secondary only" in told.body
    assert client.get(link).status_code == 410
