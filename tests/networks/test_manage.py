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
