"""Erasing a leaver: a confirmation page naming what goes, refused while they are booked or
lead a network, and every page that showed them still renders without their name."""

from __future__ import annotations

from sqlalchemy import func, select

from eip_site.audit import AuditEntry
from eip_site.directory.models import HelpRequest, Offer, Profile, UserSkill
from eip_site.extensions import db
from eip_site.networks.models import Action, Attendance, MinutesRevision
from eip_site.notifications.models import Preference
from eip_site.people.models import User, UserSession
from eip_site.reviews.models import ReviewMember

from .. import factories
from ..helpers import days, sign_in

NAME = "Mo Member"


def _leaver_everywhere(app, world, vocab):
    """Mo Member (Kingsmere Academy) on a past review team, at a held meeting with an action
    and minutes, with skills, an offer, a profile, settings and a request for help."""
    with app.app_context():
        mo = world.get("member")
        meeting = factories.meeting(world.get("network"), day=days(-7), state="held")
        item = meeting.items[1]
        factories.profile(mo, bio="Transition lead")
        factories.user_skill(mo, vocab["Phonics"])
        factories.offer(mo)
        db.session.add(Preference(user_id=mo.id, kind="help", mode="none"))
        reviewers = world.get("reviewers")[:2]
        review = factories.review(host=world["host"], state="closed",
                                  start=days(-60), team=[mo, *reviewers])
        db.session.add_all([
            Attendance(meeting_id=meeting.id, user_id=mo.id, status="present"),
            MinutesRevision(item_id=item.id, text="Mo's earlier minutes", saved_by_id=mo.id),
            Action(network_id=meeting.network_id, meeting_id=meeting.id,
                   description="Share the Year 6 projects", owner_id=mo.id, due_on=days(7))])
        factories.help_request(mo, world.get("leader"), message="Mo asks for help")
        db.session.commit()
        return mo.id, review.id, meeting.id


def test_a_lead_erases_a_leaver_and_every_page_still_renders(app, client, world, vocab):
    mo_id, review_id, meeting_id = _leaver_everywhere(app, world, vocab)
    sign_in(client, mo_id)
    lead = sign_in(client, world["lead"])
    page = client.get(f"/admin/users/{mo_id}/erase")
    assert page.status_code == 200
    assert "Former member (Kingsmere Academy)" in page.text
    assert "Skills" in page.text and "Actions keep their history" in page.text
    refused = client.post(f"/admin/users/{mo_id}/erase", data={})
    assert refused.status_code == 422 and "cannot be undone" in refused.text
    with app.app_context():
        assert db.session.get(User, mo_id).name == NAME
    done = client.post(f"/admin/users/{mo_id}/erase", data={"understood": "y"})
    assert done.status_code == 303
    with app.app_context():
        mo = db.session.get(User, mo_id)
        assert mo.name == "Former member (Kingsmere Academy)"
        assert mo.email.endswith("@erased.invalid") and not mo.active
        assert mo.password_hash is None and mo.erased_at is not None
        for model in (UserSkill, Offer, Profile, UserSession, Preference):
            assert not db.session.scalar(select(func.count()).select_from(model).where(
                model.user_id == mo_id)), model
        assert db.session.scalar(select(func.count()).select_from(ReviewMember).where(
            ReviewMember.review_id == review_id)) == 3
        assert db.session.scalar(select(Action.owner_id)) == mo_id
        assert db.session.scalar(select(HelpRequest.message)).startswith("(Removed")
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.kind == "account.erased")).one()
        assert (entry.actor_id, entry.subject_id) == (lead, mo_id)
        assert NAME not in entry.summary
    pages = ["/directory/?q=Mo", f"/people/{mo_id}", f"/reviews/{review_id}",
             f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/minutes",
             f"/networks/{world['network']}",
             "/admin/users", "/admin/audit", "/"]
    for signed_in in (world["lead"], world["leader"]):
        sign_in(client, signed_in)
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 403, 404), (path, response.status_code)
            assert NAME not in response.text, path
    assert "Former member (Kingsmere Academy)" in client.get(f"/reviews/{review_id}").text
    held = client.get(f"/meetings/{meeting_id}/minutes").text
    assert "Share the Year 6 projects" in held and "Former member (Kingsmere Academy)" in held
    assert "Mo asks for help" not in client.get("/directory/help").text


def test_refused_while_booked_or_leading_a_network_naming_each(app, client, world):
    with app.app_context():
        leader = world.get("leader")
        review = factories.review(host=world["host"], state="confirmed",
                                  team=[leader, *world.get("reviewers")[:2]])
        db.session.commit()
        leader_id, review_id = leader.id, review.id
    sign_in(client, world["lead"])
    page = client.get(f"/admin/users/{leader_id}/erase")
    assert "Reassign these first" in page.text
    assert f'href="/reviews/{review_id}"' in page.text
    assert f'href="/networks/{world["network"]}"' in page.text
    assert "Leading the network Transitions" in page.text
    assert client.post(f"/admin/users/{leader_id}/erase",
                       data={"understood": "y"}).status_code == 422
    with app.app_context():
        assert db.session.get(User, leader_id).name == "Lena Leader"


def test_only_leads_and_admins_erase_and_never_themselves(app, client):
    with app.app_context():
        person = factories.user()
        db.session.commit()
        person_id = person.id
    sign_in(client, roles={"head"})
    assert client.get(f"/admin/users/{person_id}/erase").status_code == 403
    me = sign_in(client, roles={"lead"})
    assert client.get(f"/admin/users/{me}/erase").status_code == 403
