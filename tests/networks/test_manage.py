"""A network after it starts: its leader and the leads change it (name, purpose, critical
friend, leader), join requests are declined with a reason, members are removed or leave,
and recorded decisions and actions are corrected or removed. Services, then pages."""

from __future__ import annotations

import pytest

from eip_site.errors import DomainError, Forbidden, StaleEdit
from eip_site.extensions import db
from eip_site.networks import lifecycle, meetings, minutes, overview, permissions
from eip_site.networks.models import Action, Decision, NetworkMember

from .. import factories
from ..helpers import monday, sign_in


def _edit(network, actor, **changes):
    values = {"name": network.name, "purpose": network.purpose, "priority": network.priority,
              "is_open": network.is_open, "leader_id": network.leader_id,
              "critical_friend_id": network.critical_friend_id, "version": network.version}
    return lifecycle.update_network(actor=actor, network=network, **{**values, **changes})


def _held(world):
    meeting = world.get("meeting")
    meetings.publish_agenda(actor=world.get("leader"), meeting=meeting)
    meetings.mark_held(actor=world.get("leader"), meeting=meeting)
    return meeting


def _approve(leader, meeting):
    meeting.state = "minutes_drafted"
    meetings.approve_minutes(actor=leader, meeting=meeting)


# --- Changing a network ----------------------------------------------------------------------

def test_the_leader_names_a_critical_friend_chosen_later(ctx, world):
    leader, lead = world.get("leader"), world.get("lead")
    network = lifecycle.propose_network(actor=leader, name="Oracy", purpose="Talk")
    lifecycle.decide_proposal(actor=lead, network=network, sponsor=True, comment="")
    assert network.critical_friend_id is None
    assert network in overview.without_critical_friend(*_term())
    head = factories.user(roles={"head"}, name="Hana Head")
    _edit(network, leader, critical_friend_id=head.id, purpose="Talk for writing")
    assert network.critical_friend_id == head.id and network.purpose == "Talk for writing"
    assert permissions.can_edit(head, network)


def _term():
    from datetime import datetime

    from eip_site import clock
    start, end, _ = overview.term_bounds(clock.today())
    return datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())


def test_only_the_leader_or_a_lead_changes_a_network_and_versions_are_checked(ctx, world):
    network = world.get("network")
    for person in (world.get("friend"), world.get("member")):
        with pytest.raises(Forbidden):
            _edit(network, person, purpose="Mine now")
    version = network.version
    _edit(network, world.get("lead"), purpose="Sharper")
    with pytest.raises(StaleEdit):
        _edit(network, world.get("leader"), purpose="Older", version=version)


@pytest.mark.parametrize("changes,field", [
    ({"name": ""}, "name"), ({"purpose": "x" * 6000}, "purpose"),
    ({"critical_friend_id": 10**6}, "critical_friend")])
def test_bad_changes_are_refused_beside_their_field(ctx, world, changes, field):
    with pytest.raises(DomainError) as error:
        _edit(world.get("network"), world.get("leader"), **changes)
    assert error.value.field == field


def test_names_stay_unique_and_the_friend_is_not_the_leader(ctx, world):
    network = world.get("network")
    lifecycle.propose_network(actor=world.get("member"), name="Behaviour", purpose="x")
    with pytest.raises(DomainError) as error:
        _edit(network, world.get("leader"), name="behaviour")
    assert error.value.field == "name"
    with pytest.raises(DomainError) as error:
        _edit(network, world.get("leader"), critical_friend_id=world["leader"])
    assert error.value.field == "critical_friend"


def test_the_leader_hands_over_to_a_member_and_stays_a_member(ctx, world):
    network, leader, member = world.get("network"), world.get("leader"), world.get("member")
    with pytest.raises(DomainError) as error:
        _edit(network, leader, leader_id=world["outsider"])
    assert error.value.field == "leader"
    _edit(network, leader, leader_id=member.id)
    assert network.leader_id == member.id
    assert permissions.is_member(leader, network)
    assert not permissions.can_edit(leader, network)


# --- Join requests, removing and leaving ---------------------------------------------------------

def test_a_join_request_is_declined_with_a_reason_and_may_be_made_again(ctx, world):
    network, outsider = world.get("network"), world.get("outsider")
    lifecycle.ask_to_join(actor=outsider, network=network)
    with pytest.raises(Forbidden):
        lifecycle.decline_member(actor=world.get("member"), network=network,
                                 user_id=outsider.id, reason="")
    lifecycle.decline_member(actor=world.get("leader"), network=network, user_id=outsider.id,
                             reason="Secondary colleagues only this year")
    assert db.session.get(NetworkMember, (network.id, outsider.id)) is None
    with pytest.raises(DomainError):  # nothing left to decline
        lifecycle.decline_member(actor=world.get("leader"), network=network,
                                 user_id=outsider.id, reason="")
    lifecycle.ask_to_join(actor=outsider, network=network)


def test_a_removed_members_open_actions_stay_and_are_flagged(ctx, world):
    network, member, leader = world.get("network"), world.get("member"), world.get("leader")
    meeting = _held(world)
    action = minutes.add_action(actor=leader, meeting=meeting, description="Visit Year 6",
                                owner_id=member.id, due_on=monday(3))
    with pytest.raises(Forbidden):
        lifecycle.remove_member(actor=world.get("outsider"), network=network,
                                user_id=member.id)
    with pytest.raises(DomainError):  # the leader and friend are not removed as members
        lifecycle.remove_member(actor=world.get("lead"), network=network,
                                user_id=world["friend"])
    left = lifecycle.remove_member(actor=leader, network=network, user_id=member.id)
    assert [a.id for a in left] == [action.id]
    assert not permissions.is_member(member, network)
    assert db.session.get(Action, action.id).owner_id == member.id  # kept, to reassign


def test_a_member_leaves_but_the_leader_must_hand_over_first(ctx, world):
    network = world.get("network")
    lifecycle.leave_network(actor=world.get("member"), network=network)
    assert not permissions.is_member(world.get("member"), network)
    with pytest.raises(DomainError) as error:
        lifecycle.leave_network(actor=world.get("leader"), network=network)
    assert "hand" in error.value.message.lower()
    with pytest.raises(DomainError):
        lifecycle.leave_network(actor=world.get("outsider"), network=network)


# --- Decisions and actions, corrected or removed -------------------------------------------------

def test_the_leader_corrects_and_removes_a_decision_while_the_minutes_are_open(ctx, world):
    leader, meeting = world.get("leader"), _held(world)
    decision = minutes.add_decision(actor=leader, meeting=meeting, text="Meet termly")
    version = decision.version
    minutes.update_decision(actor=leader, decision=decision, text="Meet half-termly",
                            item_id=None, version=version)
    assert decision.text == "Meet half-termly"
    with pytest.raises(StaleEdit):
        minutes.update_decision(actor=leader, decision=decision, text="Again", item_id=None,
                                version=version)
    with pytest.raises(Forbidden):
        minutes.remove_decision(actor=world.get("member"), decision=decision)
    minutes.remove_decision(actor=leader, decision=decision, version=decision.version)
    assert db.session.get(Decision, decision.id) is None


def test_approved_minutes_keep_their_decisions(ctx, world):
    leader, meeting = world.get("leader"), _held(world)
    decision = minutes.add_decision(actor=leader, meeting=meeting, text="Meet termly")
    _approve(leader, meeting)
    with pytest.raises(DomainError):
        minutes.update_decision(actor=leader, decision=decision, text="x", item_id=None)
    with pytest.raises(DomainError):
        minutes.remove_decision(actor=leader, decision=decision)


def test_an_open_action_is_reassigned_any_time_and_removed_while_minutes_are_open(ctx, world):
    leader, meeting, member = world.get("leader"), _held(world), world.get("member")
    action = minutes.add_action(actor=leader, meeting=meeting, description="Visit",
                                owner_id=member.id, due_on=monday(3))
    _approve(leader, meeting)
    minutes.update_action(actor=leader, action=action, description="Visit Year 6",
                          owner_id=world["friend"], due_on=monday(5), version=action.version)
    assert (action.owner_id, action.description) == (world["friend"], "Visit Year 6")
    with pytest.raises(DomainError) as error:
        minutes.update_action(actor=leader, action=action, description="Visit",
                              owner_id=world["outsider"], due_on=monday(5))
    assert error.value.field == "owner"
    with pytest.raises(Forbidden):  # an owner marks it done; the leader changes it
        minutes.update_action(actor=member, action=action, description="Mine",
                              owner_id=member.id, due_on=monday(5))
    with pytest.raises(DomainError):  # approved minutes: the action stays on record
        minutes.remove_action(actor=leader, action=action)


def test_an_action_is_removed_before_approval(ctx, world):
    leader, meeting = world.get("leader"), _held(world)
    action = minutes.add_action(actor=leader, meeting=meeting, description="Visit",
                                owner_id=world["member"], due_on=monday(3))
    minutes.remove_action(actor=leader, action=action, version=action.version)
    assert db.session.get(Action, action.id) is None


# --- Pages ----------------------------------------------------------------------------------

def _network_form(world, **changes):
    return {"name": "Transitions", "purpose": "Moves.", "priority": "", "is_open": "",
            "leader": str(world["leader"]), "critical_friend": str(world["friend"]),
            **changes}


def _version(app, model, row_id):
    with app.app_context():
        return str(db.session.get(model, row_id).version)


def test_the_edit_page_names_a_friend_and_refuses_the_stale_and_the_wrong(app, client, world):
    from eip_site.networks.models import Network

    url = f"/networks/{world['network']}/edit"
    sign_in(client, world["member"])
    assert client.get(url).status_code == 403
    sign_in(client, world["leader"])
    page = client.get(url)
    assert page.status_code == 200 and "Change Transitions" in page.text
    assert "Fran Friend" in page.text and "Not yet named" in page.text
    version = _version(app, Network, world["network"])
    bad = client.post(url, data=_network_form(world, name="", version=version))
    assert bad.status_code == 422 and "Enter the network" in bad.text
    head = sign_in(client, roles={"head"}, name="Hana Head")
    sign_in(client, world["leader"])
    ok = client.post(url, data=_network_form(world, purpose="Year 6 to 7",
                                             critical_friend=str(head), version=version))
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.get(Network, world["network"]).critical_friend_id == head
    stale = client.post(url, data=_network_form(world, purpose="Mine", version=version))
    assert stale.status_code == 409
    assert "Their version is shown below" in stale.text and "Year 6 to 7" in stale.text
    assert "Mine</textarea>" in stale.text
    assert "reload the page" not in stale.text.lower()


def test_network_page_offers_change_decline_remove_and_leave(client, world):
    sign_in(client, world["outsider"])
    client.post(f"/networks/{world['network']}/join")
    sign_in(client, world["leader"])
    page = client.get(f"/networks/{world['network']}").text
    base = f"/networks/{world['network']}"
    assert f'href="{base}/edit"' in page
    assert f'href="{base}/members/{world["outsider"]}/decline"' in page
    assert f'href="{base}/members/{world["member"]}/remove"' in page
    sign_in(client, world["member"])
    assert f'href="{base}/leave"' in client.get(base).text


def test_declining_a_request_asks_for_a_reason_and_tells_the_person(app, client, world,
                                                                    mailbox):
    from eip_site.notifications.models import Preference

    sign_in(client, world["outsider"])
    client.post(f"/networks/{world['network']}/join")
    with app.app_context():
        db.session.add(Preference(user_id=world["outsider"], kind="agenda", mode="now"))
        db.session.commit()
    url = f"/networks/{world['network']}/members/{world['outsider']}/decline"
    sign_in(client, world["member"])
    assert client.get(url).status_code == 403
    sign_in(client, world["leader"])
    page = client.get(url)
    assert page.status_code == 200 and "Decline Otto Outsider" in page.text
    assert 'name="reason"' in page.text
    bad = client.post(url, data={"reason": "x" * 2000})
    assert bad.status_code == 422 and "1,000 characters" in bad.text
    done = client.post(url, data={"reason": "Primary colleagues only"}, follow_redirects=True)
    assert "We have emailed Otto Outsider" in done.text
    with app.app_context():
        assert db.session.get(NetworkMember, (world["network"], world["outsider"])) is None
        email = world.get("outsider").email
    (mail,) = mailbox.to(email)
    assert "Primary colleagues only" in mail.get_body(("plain",)).get_content()
    assert client.post(url, data={"reason": ""}).status_code == 422  # answered already


def test_removing_a_member_confirms_and_flags_their_actions(app, client, world):
    with app.app_context():
        meeting = _held(world)
        minutes.add_action(actor=world.get("leader"), meeting=meeting,
                           description="Visit Year 6", owner_id=world["member"],
                           due_on=monday(3))
        db.session.commit()
    url = f"/networks/{world['network']}/members/{world['member']}/remove"
    sign_in(client, world["leader"])
    page = client.get(url)
    assert page.status_code == 200 and "Remove Mo Member" in page.text
    assert "Visit Year 6" in page.text  # the open action is named before removing
    done = client.post(url, data={"reason": ""}, follow_redirects=True)
    assert done.status_code == 200 and "Visit Year 6" in done.text
    assert "Needs a new owner" in done.text
    with app.app_context():
        assert not permissions.is_member(world.get("member"), world.get("network"))


def test_leaving_asks_first_and_the_leader_is_told_to_hand_over(app, client, world):
    url = f"/networks/{world['network']}/leave"
    sign_in(client, world["leader"])
    page = client.get(url)
    assert page.status_code == 200 and "hand the network over" in page.text
    assert client.post(url).status_code == 422
    sign_in(client, world["member"])
    assert "Leave Transitions" in client.get(url).text
    assert client.post(url).status_code == 303
    with app.app_context():
        assert not permissions.is_member(world.get("member"), world.get("network"))


def test_a_decision_and_an_action_are_edited_and_removed_from_the_minutes(app, client, world):
    with app.app_context():
        meeting = _held(world)
        decision = minutes.add_decision(actor=world.get("leader"), meeting=meeting,
                                        text="Meet termly")
        action = minutes.add_action(actor=world.get("leader"), meeting=meeting,
                                    description="Visit", owner_id=world["member"],
                                    due_on=monday(3))
        db.session.commit()
        ids = (meeting.id, decision.id, action.id)
    meeting_id, decision_id, action_id = ids
    sign_in(client, world["leader"])
    page = client.get(f"/meetings/{meeting_id}/minutes").text
    assert f'href="/decisions/{decision_id}/edit"' in page
    assert f'href="/actions/{action_id}/edit"' in page
    version = _version(app, Decision, decision_id)
    saved = client.post(f"/decisions/{decision_id}/edit",
                        data={"text": "Meet half-termly", "item": "", "version": version})
    assert saved.status_code == 303
    stale = client.post(f"/decisions/{decision_id}/edit",
                        data={"text": "Meet weekly", "item": "", "version": version})
    assert stale.status_code == 409 and "Meet half-termly" in stale.text
    assert "Their version is shown below" in stale.text
    sign_in(client, world["member"])
    assert client.get(f"/decisions/{decision_id}/edit").status_code == 403
    sign_in(client, world["leader"])
    confirm = client.get(f"/decisions/{decision_id}/remove")
    assert confirm.status_code == 200 and "Meet half-termly" in confirm.text
    assert client.post(f"/decisions/{decision_id}/remove").status_code == 303
    edited = client.post(f"/actions/{action_id}/edit", data={
        "description": "Visit Year 6", "owner": str(world["friend"]),
        "due_on": monday(5).isoformat(), "version": _version(app, Action, action_id)})
    assert edited.status_code == 303
    bad = client.post(f"/actions/{action_id}/edit", data={
        "description": "", "owner": str(world["friend"]), "due_on": "",
        "version": _version(app, Action, action_id)})
    assert bad.status_code == 422
    assert client.get(f"/actions/{action_id}/remove").status_code == 200
    assert client.post(f"/actions/{action_id}/remove").status_code == 303
    with app.app_context():
        assert db.session.get(Action, action_id) is None
        assert db.session.get(Decision, decision_id) is None


# --- A proposed agenda item, declined with a reason ---------------------------------------------

def test_the_leader_declines_a_proposed_item_with_a_reason(app, client, world):
    from eip_site.networks import agenda
    from eip_site.networks.models import AgendaItem
    from eip_site.notifications.models import DigestItem

    with app.app_context():
        item = agenda.add_item(actor=world.get("member"), meeting=world.get("meeting"),
                               title="Phones in class")
        db.session.commit()
        item_id = item.id
    url = f"/meetings/{world['meeting']}/items/{item_id}/decline"
    sign_in(client, world["leader"])
    assert f'href="{url}"' in client.get(f"/meetings/{world['meeting']}").text
    page = client.get(url)
    assert page.status_code == 200 and "Phones in class" in page.text
    assert 'name="reason"' in page.text
    sign_in(client, world["member"])
    assert client.post(url, data={"reason": "No"}).status_code == 403
    sign_in(client, world["leader"])
    assert client.post(url, data={"reason": "Covered at the last meeting"}).status_code == 303
    with app.app_context():
        assert db.session.get(AgendaItem, item_id) is None
        (told,) = db.session.scalars(db.select(DigestItem).filter_by(
            user_id=world["member"], subject="Your agenda item “Phones in class” was not "
            "taken onto the agenda")).all()
        assert "Covered at the last meeting" in told.body


def test_the_roll_up_links_a_network_without_a_friend_to_where_one_is_named(app, client,
                                                                            world):
    with app.app_context():
        network = lifecycle.propose_network(actor=world.get("leader"), name="Oracy",
                                            purpose="Talk")
        lifecycle.decide_proposal(actor=world.get("lead"), network=network, sponsor=True,
                                  comment="")
        db.session.commit()
        network_id = network.id
    sign_in(client, world["lead"])
    page = client.get("/networks/overview").text
    assert f'href="/networks/{network_id}/edit#critical_friend"' in page
    assert client.get(f"/networks/{network_id}/edit").status_code == 200
