"""What a refused stale edit says, where it is said: a form drawn again keeps the person's
changes (and says how to get the latest version), a merge view shows the other version
below and lets them save again, and a button's refusal has no form to speak of."""

from __future__ import annotations

from eip_site.errors import STALE_MERGE_MESSAGE, STALE_MESSAGE, STALE_PAGE_MESSAGE
from eip_site.extensions import db
from eip_site.networks import meetings, minutes
from eip_site.networks.models import AgendaItem, Meeting

from .helpers import monday, sign_in, thursday


def _contradicts(text: str) -> bool:
    return "reload the page" in text.lower() and "still in the form" in text.lower()


def test_the_three_messages_never_contradict_themselves():
    for message in (STALE_MESSAGE, STALE_MERGE_MESSAGE, STALE_PAGE_MESSAGE):
        assert not _contradicts(message)
    assert "in the form" not in STALE_PAGE_MESSAGE


def test_a_form_without_their_version_keeps_yours_and_says_how_to_see_theirs(app, client,
                                                                             world):
    with app.app_context():
        version = str(db.session.get(Meeting, world["meeting"]).version)
    sign_in(client, world["leader"])
    url = f"/meetings/{world['meeting']}/edit"
    data = {"day": thursday(6).isoformat(), "start": "16:00", "end": "17:00",
            "school": str(world["school"]), "place": "Hall", "version": version}
    assert client.post(url, data=data).status_code == 303
    stale = client.post(url, data={**data, "place": "Library"})
    assert stale.status_code == 409
    assert "They are still in the form" in stale.text and 'value="Library"' in stale.text
    assert "Their version is shown below" not in stale.text


def test_a_merge_view_says_once_that_their_version_is_below(app, client, world):
    with app.app_context():
        item = db.session.get(AgendaItem, world["items"][0])
        version, item_id = str(item.version), item.id
    sign_in(client, world["leader"])
    url = f"/meetings/{world['meeting']}/items/{item_id}/edit"
    data = {"title": "Welcome", "kind": "information", "duration": "5", "version": version}
    assert client.post(url, data=data).status_code == 303
    stale = client.post(url, data={**data, "title": "Hello all"})
    assert stale.status_code == 409
    assert stale.text.count("Their version is shown below") == 1
    assert "check them and save again" in stale.text and not _contradicts(stale.text)
    assert 'value="Hello all"' in stale.text


def test_a_stale_button_has_no_form_to_speak_of(app, client, world):
    with app.app_context():
        meeting = world.get("meeting")
        meetings.publish_agenda(actor=world.get("leader"), meeting=meeting)
        meetings.mark_held(actor=world.get("leader"), meeting=meeting)
        action = minutes.add_action(actor=world.get("leader"), meeting=meeting,
                                    description="Visit", owner_id=world["member"],
                                    due_on=monday(3))
        db.session.commit()
        action_id, version = action.id, action.version
    sign_in(client, world["member"])
    assert client.post(f"/actions/{action_id}/status",
                       data={"status": "done", "version": version}).status_code == 303
    stale = client.post(f"/actions/{action_id}/status",
                        data={"status": "open", "version": version})
    assert stale.status_code == 409
    assert "Go back and open the page again" in stale.text and "in the form" not in stale.text


