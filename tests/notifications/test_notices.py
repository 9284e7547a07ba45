"""The notice table (eip_site/notifications/notices.py) walked: every event in it, made to
happen through the services, tells exactly the people its row names; every event the code
tells of is in the table; docs/notices.md is the table rendered."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from eip_site.extensions import db
from eip_site.notifications import notices
from eip_site.notifications.models import Preference
from eip_site.notifications.notices import NOTICES

from .. import factories
from ..helpers import monday

ROOT = Path(__file__).resolve().parents[2]


def ids(*people):
    return {p.id for p in people}


# --- Peer reviews ------------------------------------------------------------------------------

def _booked(w):
    from eip_site.reviews import services

    review = services.create_review(
        actor=w.get("champion"), host_school=w.get("host"), focus="How well is reading taught?",
        focus_area="curriculum", start_date=monday(), days=2)
    db.session.flush()
    return review


def _staffed(w):
    from eip_site.reviews import services

    review = _booked(w)
    r = w.get("reviewers")
    services.set_team(actor=w.get("champion"), review=review, lead=r[0], reviewers=r[1:3])
    return review


def _team(w):
    return w.get("reviewers")[:3]


def review_booked(w):
    _booked(w)
    return ids(w.get("head"))


def review_team_proposed(w):
    from eip_site.reviews import services

    review = _booked(w)
    yield
    r = w.get("reviewers")
    services.set_team(actor=w.get("champion"), review=review, lead=r[0], reviewers=r[1:3])
    return ids(*_team(w), w.get("head"))


def review_confirmed(w):
    from eip_site.reviews import services

    review = _staffed(w)
    yield
    services.transition(actor=w.get("head"), review=review, to="confirmed")
    return ids(w.get("champion"), *_team(w), w.get("lead"))


def review_declined(w):
    from eip_site.reviews import services

    review = _staffed(w)
    yield
    services.transition(actor=w.get("head"), review=review, to="planned",
                        note="Our Ofsted window")
    return ids(w.get("champion"), *_team(w), w.get("lead"))


def review_rescheduled(w):
    from eip_site.reviews import services

    review = _staffed(w)
    yield
    services.reschedule(actor=w.get("champion"), review=review, start_date=monday(6), days=1,
                        reason="Ofsted visit")
    return ids(*_team(w), w.get("head"))  # the booker moved it: not told of their own act


def review_cancelled(w):
    from eip_site.reviews import services

    review = _staffed(w)
    yield
    services.cancel(actor=w.get("lead"), review=review, reason="The school is closing")
    return ids(w.get("champion"), *_team(w), w.get("head"))


def _shared(w):
    from eip_site.reviews import services

    review = _staffed(w)
    for to in ("confirmed", "data_shared"):
        services.transition(actor=w.get("head"), review=review, to=to)
    return review


def review_findings(w):
    from eip_site.reviews import services

    review = _shared(w)
    yield
    services.record_findings(actor=w.get("reviewers")[0], review=review, went_well="Calm",
                             to_develop="", summary="Strong", safeguarding=False)
    return ids(w.get("head"))


def review_safeguarding(w):
    from eip_site.reviews import services

    review = _shared(w)
    db.session.merge(Preference(user_id=w["head"], kind="review", mode="none"))
    yield
    services.record_findings(actor=w.get("reviewers")[0], review=review, went_well="Calm",
                             to_develop="", summary="Strong", safeguarding=True)
    return ids(w.get("head"))  # even though the head turned review emails off


def review_workshop_booked(w):
    from eip_site.reviews import services

    review = _staffed(w)
    review.state, review.summary = "feedback", "Done"
    db.session.flush()
    yield
    services.book_workshop(actor=w.get("lead"), review=review, facilitator=w.get("champion"),
                           workshop_date=monday(8) + timedelta(days=1), impact_date=None)
    return ids(w.get("champion"), w.get("head"))


# --- Networks ----------------------------------------------------------------------------------

def network_proposed(w):
    from eip_site.networks import lifecycle

    lead, other_lead = w.get("lead"), factories.user(roles={"lead"}, school=None)
    lifecycle.propose_network(actor=w.get("outsider"), name="Oracy", purpose="Talk")
    return ids(lead, other_lead)


def network_decided(w):
    from eip_site.networks import lifecycle

    network = lifecycle.propose_network(actor=w.get("outsider"), name="Oracy", purpose="Talk")
    w.get("lead")
    yield
    lifecycle.decide_proposal(actor=w.get("lead"), network=network, sponsor=False,
                              comment="Joins Transitions")
    return ids(w.get("outsider"))


def network_join_requested(w):
    from eip_site.networks import lifecycle

    lifecycle.ask_to_join(actor=w.get("outsider"), network=w.get("network"))
    return ids(w.get("leader"))


def network_join_accepted(w):
    from eip_site.networks import lifecycle

    lifecycle.ask_to_join(actor=w.get("outsider"), network=w.get("network"))
    yield
    lifecycle.accept_member(actor=w.get("leader"), network=w.get("network"),
                            user_id=w["outsider"])
    return ids(w.get("outsider"))


def network_join_declined(w):
    from eip_site.networks import lifecycle

    lifecycle.ask_to_join(actor=w.get("outsider"), network=w.get("network"))
    yield
    lifecycle.decline_member(actor=w.get("leader"), network=w.get("network"),
                             user_id=w["outsider"], reason="Primary colleagues only")
    return ids(w.get("outsider"))


def network_member_removed(w):
    from eip_site.networks import lifecycle

    lifecycle.remove_member(actor=w.get("leader"), network=w.get("network"),
                            user_id=w["member"], reason="Moved school")
    return ids(w.get("member"))


def network_member_left(w):
    from eip_site.networks import lifecycle

    lifecycle.leave_network(actor=w.get("member"), network=w.get("network"))
    return ids(w.get("leader"))


def _network_changed(w, **changes):
    from eip_site.networks import lifecycle

    n = w.get("network")
    values = {"name": n.name, "purpose": n.purpose, "priority": n.priority,
              "is_open": n.is_open, "leader_id": n.leader_id,
              "critical_friend_id": n.critical_friend_id, "version": n.version}
    lifecycle.update_network(actor=w.get("leader"), network=n, **{**values, **changes})


def network_friend_named(w):
    head = factories.user(roles={"head"}, name="Hana Head")
    yield
    _network_changed(w, critical_friend_id=head.id)
    return ids(head)


def network_handed_over(w):
    _network_changed(w, leader_id=w["member"])
    return ids(w.get("member"))


def _proposed_item(w):
    from eip_site.networks import agenda

    return agenda.add_item(actor=w.get("member"), meeting=w.get("meeting"), title="Reading")


def agenda_item_proposed(w):
    _proposed_item(w)
    return ids(w.get("leader"))


def agenda_item_accepted(w):
    from eip_site.networks import agenda

    item = _proposed_item(w)
    yield
    agenda.accept_item(actor=w.get("leader"), item=item)
    return ids(w.get("member"))


def agenda_item_declined(w):
    from eip_site.networks import agenda

    item = _proposed_item(w)
    yield
    agenda.decline_item(actor=w.get("leader"), item=item, reason="Covered last time")
    return ids(w.get("member"))


def _members(w):
    return ids(w.get("friend"), w.get("member"))  # the leader acts


def agenda_published(w):
    from eip_site.networks import meetings

    meetings.publish_agenda(actor=w.get("leader"), meeting=w.get("meeting"))
    return _members(w)


def meeting_moved(w):
    from eip_site.networks import meetings

    meeting = w.get("meeting")
    meetings.publish_agenda(actor=w.get("leader"), meeting=meeting)
    yield
    meetings.update_meeting(actor=w.get("leader"), meeting=meeting,
                            day=meeting.starts_at.date() + timedelta(days=7),
                            start=meeting.starts_at.time(), end=meeting.ends_at.time(),
                            school_id=meeting.school_id, place=meeting.place,
                            online_link=meeting.online_link)
    return _members(w)


def minutes_approved(w):
    from eip_site.networks import meetings

    meeting = w.get("meeting")
    meeting.state = "minutes_drafted"
    db.session.flush()
    meetings.approve_minutes(actor=w.get("leader"), meeting=meeting)
    return _members(w)


def minutes_draft_sent(w):
    from eip_site.networks import meetings

    meeting = w.get("meeting")
    meeting.state = "minutes_drafted"
    db.session.flush()
    meetings.send_draft_minutes(actor=w.get("leader"), meeting=meeting)
    return _members(w)


def meeting_cancelled(w):
    from eip_site.networks import meetings

    meeting = w.get("meeting")
    meetings.publish_agenda(actor=w.get("leader"), meeting=meeting)
    yield
    meetings.cancel_meeting(actor=w.get("leader"), meeting=meeting)
    return _members(w)


def action_assigned(w):
    from eip_site.networks import minutes

    meeting = w.get("meeting")
    meeting.state = "held"
    db.session.flush()
    minutes.add_action(actor=w.get("leader"), meeting=meeting, description="Visit Year 6",
                       owner_id=w["member"], due_on=monday(3))
    return ids(w.get("member"))


# --- Directory and accounts ----------------------------------------------------------------------

def help_requested(w):
    from eip_site.help_requests import services

    services.send_help_request(actor=w.get("teacher"), recipient=w.get("head"),
                               message="A visit?", needed_by=None, skill=None)
    return ids(w.get("head"))


def help_answered(w):
    from eip_site.help_requests import services

    row = services.send_help_request(actor=w.get("teacher"), recipient=w.get("head"),
                                     message="A visit?", needed_by=None, skill=None)
    yield
    services.respond(actor=w.get("head"), request=row, status="accepted", version=row.version)
    return ids(w.get("teacher"))


def profile_changed(w):
    """A head changes a colleague's profile (one notice); an import changes two people's
    rows in several fields (one notice each, not one a field); the head's own row is not
    told of."""
    from eip_site.directory import services
    from eip_site.staff_import import services as imports
    from eip_site.staff_import import spreadsheets
    from eip_site.staff_import.preview import preview_import

    head = w.get("head")
    teacher = factories.user(school=head.school, name="Tia Teacher", email="tia@host.example")
    other = factories.user(school=head.school, name="Ora Other", email="ora@host.example")
    services.save_profile(actor=head, user=teacher, job_title="Head of Year 6", bio="",
                          phases=[], subjects="", show_email=False, offers=[],
                          hours_per_term=0, offers_paused=False, qualifications=[])
    rows = "email,name,job_title,hours_per_term\n" + "\n".join(
        f"{p.email},{p.name} Jones,Deputy,{n}" for n, p in ((3, teacher), (4, other)))
    table = spreadsheets.read_table("staff.csv", rows.encode())
    imports.apply_import(actor=head, preview=preview_import(actor=head, table=table,
                                                            school_id=head.school_id))
    return ids(teacher, other)


def _category():
    from eip_site.directory.models import SkillCategory

    return db.session.scalar(db.select(SkillCategory.id)) or factories.skill().category_id


def skill_suggested(w):
    from eip_site.directory import services

    services.suggest_skill(actor=w.get("teacher"), name="Chess club", category_id=_category())
    return ids(w.get("lead"))


def skill_decided(w):
    from eip_site.directory import services

    skill = services.suggest_skill(actor=w.get("teacher"), name="Chess club",
                                   category_id=_category())
    yield
    services.reject_skill(actor=w.get("lead"), skill=skill, reason="Too narrow")
    return ids(w.get("teacher"))


def account_invited(w):
    from eip_site.people import services

    person = services.create_user(actor=w.get("lead"), name="New Person",
                                  email="new@school.example", school_id=None)
    return ids(person)


def account_reset(w):
    from eip_site.auth import services

    services.request_reset(email=w.get("teacher").email)
    return ids(w.get("teacher"))


def account_mfa_reset(w):
    from eip_site.auth import totp

    totp.enrol_with(w.get("head"), totp.demo_secret("head@example"))
    admin = factories.user(roles={"admin"})
    yield
    totp.reset(user=w.get("head"), actor=admin)
    return ids(w.get("head"))


# --- Reminders: the daily run (send-reminders), one feature's at a time ---------------------

def _remind(source, today=None):
    """``send_reminders`` with only ``source``'s reminders (the others would tell the world)."""
    from flask import current_app

    from eip_site.clock import today as today_, utcnow
    from eip_site.notifications import reminders

    sources = current_app.extensions["eip_reminders"]
    current_app.extensions["eip_reminders"] = [source]
    try:
        reminders.send_reminders(today or today_(), utcnow())
    finally:
        current_app.extensions["eip_reminders"] = sources


def review_reminder(w):
    from eip_site.reviews.services import notices as review_notices

    review = _staffed(w)
    yield
    _remind(review_notices.reminders, today=review.start_date - timedelta(days=5))
    return ids(*_team(w), w.get("head"))


def action_due(w):
    from eip_site.networks import minutes

    meeting = w.get("meeting")
    meeting.state = "held"
    db.session.flush()
    minutes.add_action(actor=w.get("leader"), meeting=meeting, description="Visit Year 6",
                       owner_id=w["member"], due_on=monday(0) - timedelta(days=1))
    yield
    _remind(minutes.reminders)
    return ids(w.get("member"))


def help_waiting(w):
    from eip_site.clock import utcnow
    from eip_site.help_requests import services

    factories.help_request(w.get("teacher"), w.get("head"),
                           created_at=utcnow() - timedelta(days=4))
    db.session.flush()
    yield
    _remind(services.reminders)
    return ids(w.get("head"))


def profile_check(w):
    from datetime import date

    from sqlalchemy import select

    from eip_site.clock import today, utcnow
    from eip_site.directory import services
    from eip_site.directory.models import Profile
    from eip_site.people.models import Partnership, User

    # Everyone's profile is confirmed but the teacher's, which is a year old.
    for person in db.session.scalars(select(User)):
        db.session.merge(Profile(user_id=person.id, confirmed_at=utcnow()))
    db.session.flush()
    db.session.get(Profile, w["teacher"]).confirmed_at = utcnow() - timedelta(days=400)
    db.session.flush()
    yield
    start = date(today().year, Partnership.current().year_start_month, 1)
    _remind(services.reminders, today=start)
    return ids(w.get("teacher"))


def _scenario(event: str):
    return globals()[event.replace(".", "_")]


@pytest.mark.parametrize("event", list(NOTICES))
def test_each_event_tells_exactly_the_people_its_row_names(ctx, world, event, monkeypatch):
    """A scenario may ``yield`` once: what it does before is set-up (and may tell others)."""
    scenario = _scenario(event)
    told = []
    monkeypatch.setattr(notices, "RECORD", told)
    for part in ("lead", "network", "head"):  # the world is built first, telling as it goes
        world.get(part)
    told.clear()
    steps = scenario(world)
    if hasattr(steps, "send"):  # a generator: set up, then the event
        next(steps)
        told.clear()
        try:
            next(steps)
        except StopIteration as done:
            expected = done.value
    else:
        expected = steps
    assert {user_id for e, user_id, _mode in told if e == event} == expected
    assert {e for e, _user, _mode in told} == {event}, "the event told of others too"
    if NOTICES[event].always or NOTICES[event].at_once:  # the digest and "off" do not hold it
        assert {mode for _e, _user, mode in told} == {"now"}


def test_every_event_the_code_tells_of_is_in_the_table():
    """Scans the code for the events it tells (``tell("…"``, ``tell_host("…"`` and the review
    notices' OPENINGS): an event missing from the table fails here, before it fails at run
    time, and a row nothing tells of fails too."""
    source = "\n".join(p.read_text() for p in (ROOT / "eip_site").rglob("*.py"))
    used = set()
    for first, second in re.findall(
            r'\btell(?:_host)?\(\s*"([\w.]+)"(?: if \w+ else "([\w.]+)")?', source):
        used |= {first, second} - {""}
    used |= set(re.findall(r'\bevent="([\w.]+)"', source))  # reminders (Reminder(…, event=))
    (openings,) = re.findall(r"OPENINGS = \{(.*?)\}", source, re.S)
    used |= set(re.findall(r'"(review\.\w+)"', openings))
    assert used - set(NOTICES) == set(), "events told of that the table lacks"
    assert set(NOTICES) - used == set(), "rows of the table that nothing tells of"


def test_docs_notices_md_is_the_table():
    assert (ROOT / "docs" / "notices.md").read_text() == notices.render_markdown(), \
        "run: python -c 'from eip_site.notifications.notices import render_markdown as r; " \
        "print(r(), end=\"\")' > docs/notices.md"


def test_every_always_event_fits_the_outbox_kind_column():
    """An ``always`` notice is queued with its event as the outbox row's kind: PostgreSQL
    refuses a longer one (SQLite keeps it), so the mail would not be sent."""
    from eip_site.outbox import OutboxMessage

    width = OutboxMessage.__table__.c.kind.type.length
    assert [e for e, n in NOTICES.items() if n.always and len(e) > width] == []
