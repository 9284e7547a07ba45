"""One rule for "overdue": open and due before today, on every page that shows an action."""

from __future__ import annotations

from eip_site.extensions import db
from eip_site.networks import meetings, minutes
from eip_site.networks.models import Action

from ..factories import meeting as new_meeting
from ..helpers import days, sign_in


def test_an_action_due_in_five_days_is_open_on_the_agenda_and_the_network_page(app, client,
                                                                                world):
    with app.app_context():
        leader, network, first = world.get("leader"), world.get("network"), world.get("meeting")
        meetings.publish_agenda(actor=leader, meeting=first)
        meetings.mark_held(actor=leader, meeting=first)
        action = minutes.add_action(actor=leader, meeting=first, description="Swap plans",
                                    owner_id=leader.id, due_on=days(5))
        later = new_meeting(network, day=days(60))
        db.session.commit()
        later_id, action_id = later.id, action.id
        assert not db.session.get(Action, action_id).overdue
    sign_in(client, world["leader"])
    agenda = client.get(f"/meetings/{later_id}").get_data(as_text=True)
    assert "Swap plans" in agenda and "Overdue" not in agenda
    page = client.get(f"/networks/{world['network']}").get_data(as_text=True)
    assert "Swap plans" in page and "Overdue" not in page
    with app.app_context():
        db.session.get(Action, action_id).due_on = days(-1)
        db.session.commit()
    for url in (f"/meetings/{later_id}", f"/networks/{world['network']}"):
        assert "Overdue" in client.get(url).get_data(as_text=True)
