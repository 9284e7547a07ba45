"""A sponsored network with a leader, critical friend, a member from another school, and an
outsider; and a meeting on the standard template."""

from __future__ import annotations

from datetime import date, time

import pytest

from eip_site.extensions import db
from eip_site.networks import lifecycle, meetings
from eip_site.people.models import User

from .. import factories


class World:
    def __init__(self):
        self.school = factories.school(name="Oakfield Primary School")
        self.other_school = factories.school(name="Kingsmere Academy")
        self.leader = factories.user(school_obj=self.school, name="Lena Leader")
        self.friend = factories.user(roles={"head"}, school_obj=self.other_school,
                                     name="Fran Friend")
        self.member = factories.user(school_obj=self.other_school, name="Mo Member")
        self.outsider = factories.user(name="Otto Outsider")
        self.lead = factories.user(roles={"lead"}, no_school=True, name="Lee Lead")
        self.network = lifecycle.propose_network(
            actor=self.leader, name="Transitions", purpose="Smooth moves from Year 6 to 7.",
            priority="Transition", planned_work="Shared Year 6 projects.")
        lifecycle.decide_proposal(actor=self.lead, network=self.network, sponsor=True,
                                  comment="Yes.", critical_friend_id=self.friend.id)
        lifecycle.ask_to_join(actor=self.member, network=self.network)
        lifecycle.accept_member(actor=self.leader, network=self.network,
                                user_id=self.member.id)
        self.meeting = meetings.create_meeting(
            actor=self.leader, network=self.network, day=date(2026, 12, 3),
            start=time(16, 0), end=time(17, 15), school_id=self.school.id)
        db.session.commit()
        self.ids = {k: v.id for k, v in vars(self).items() if hasattr(v, "id")}

    def get(self, name):
        return db.session.get(type(getattr(self, name)), self.ids[name])


@pytest.fixture
def world(ctx):
    return World()


def user(ctx, user_id) -> User:
    return db.session.get(User, user_id)
