"""The review rules, without HTTP: who may book, the team rules, double booking, the
lifecycle, confidentiality of findings, the workshop, rescheduling and cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eip_site.errors import DomainError, StaleEdit
from eip_site.extensions import db
from eip_site.reviews import ics, permissions, services
from eip_site.reviews.models import Booking, HostDay, ReviewEvent

from .. import factories
from ..helpers import days, monday


def book(w, *, start=None, days=2, actor=None, host=None, **kwargs):
    review = services.create_review(
        actor=actor or w.get("champion"), host_school=host or w.get("host"),
        focus="To what extent is reading taught well?", focus_area="curriculum",
        start_date=start or monday(), days=days, **kwargs)
    db.session.flush()
    return review


def staffed(w, **kwargs):
    review = book(w, **kwargs)
    reviewers = w.get("reviewers")
    services.set_team(actor=w.get("champion"), review=review, lead=reviewers[0],
                      reviewers=reviewers[1:3])
    db.session.commit()
    return review


# --- Booking -------------------------------------------------------------------------------

def test_only_champions_and_leads_book(ctx, world):
    with pytest.raises(DomainError, match="champions and cluster leads"):
        book(world, actor=world.get("teacher"))
    assert book(world, actor=world.get("lead")).state == "planned"


def test_dates_are_checked(ctx, world):
    with pytest.raises(DomainError, match="today or later") as error:
        book(world, start=days(-1))
    assert error.value.field == "start_date"
    with pytest.raises(DomainError, match="1, 2 or 3 days"):
        book(world, days=4)
    with pytest.raises(DomainError, match="two years"):
        book(world, start=days(800))


def test_a_closed_day_is_a_warning_that_a_reason_overrides(ctx, world):
    start = monday()
    factories.closure(world["host"], name="INSET day", start=start)
    db.session.commit()
    with pytest.raises(DomainError, match=r"closed on .*\(INSET day\)") as error:
        book(world, start=start)
    assert error.value.field == "closed_reason"
    db.session.rollback()
    review = book(world, start=start, closed_reason="The INSET is on peer review")
    assert review.closed_day_reason == "The INSET is on peer review"
    with pytest.raises(DomainError, match="Saturday"):
        book(world, start=start + timedelta(days=5), host=world.get("ash"))


def test_a_school_never_hosts_two_reviews_on_the_same_day(ctx, world):
    book(world, start=monday(), days=3)
    with pytest.raises(DomainError, match="already hosts a review on"):
        book(world, start=monday() + timedelta(days=2))


# --- The team --------------------------------------------------------------------------------

def test_a_proposed_team_is_booked_on_every_day_and_emailed(ctx, world, mailbox):
    r = world.get("reviewers")
    review = staffed(world, days=2)
    assert review.state == "proposed"
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 6
    sent = {m["To"] for m in mailbox.messages}
    assert sent == {*(r.email for r in r[:3]), world.get("head").email}
    attachment = next(mailbox.to(r[0].email)[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"


@pytest.mark.parametrize("who, message", [
    ("insider", "works at Host Primary: nobody reviews their own school"),
    ("teacher", "not a trained peer reviewer or improvement champion"),
])
def test_the_team_rules(ctx, world, who, message):
    r = world.get("reviewers")
    review = book(world)
    with pytest.raises(DomainError, match=message):
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=[r[1], world.get(who)])


def test_team_size_is_two_to_four_besides_the_lead(ctx, world):
    r = world.get("reviewers")
    review = book(world)
    with pytest.raises(DomainError, match="2 to 4 reviewers"):
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=[r[1]])
    with pytest.raises(DomainError, match="Choose the lead reviewer"):
        services.set_team(actor=world.get("champion"), review=review, lead=None,
                          reviewers=r[1:])


def test_nobody_is_booked_twice_on_one_day_and_the_message_names_the_clash(ctx, world):
    r = world.get("reviewers")
    staffed(world, start=monday(), days=2)
    other = book(world, host=factories.school(name="Cedar"),
                 start=monday() + timedelta(days=1), days=1)
    with pytest.raises(DomainError) as error:
        services.set_team(actor=world.get("champion"), review=other, lead=r[3],
                          reviewers=[r[2], r[0]])
    assert "Rosa Reviewer is already booked on" in error.value.message
    assert "for the review of Host Primary" in error.value.message


def test_the_unique_key_refuses_a_double_booking_that_skips_the_check(ctx, world):
    review = staffed(world)
    with pytest.raises(Exception):
        factories.booking(world["reviewers"][0], review.start_date, review)
    db.session.rollback()


def test_a_clash_the_check_missed_is_refused_by_the_key_and_named(ctx, world, monkeypatch):
    """As when another request books the same person the same moment: the unique key
    refuses the rows, only they are undone, and the message still names the clash."""
    from eip_site.reviews.services import booking

    r = world.get("reviewers")
    staffed(world, start=monday(), days=1)
    other = book(world, host=factories.school(name="Cedar"), start=monday(), days=1)
    checks = []

    def missed_at_first(user, days, review_id):
        checks.append(user)
        return None if len(checks) <= 3 else real(user, days, review_id)

    real = booking.booking_clash
    monkeypatch.setattr(booking, "booking_clash", missed_at_first)
    with pytest.raises(DomainError) as error:
        services.set_team(actor=world.get("champion"), review=other, lead=r[3],
                          reviewers=[r[2], r[0]])
    assert "Rosa Reviewer is already booked on" in error.value.message
    assert error.value.field == "reviewers"
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 3  # the first team's


def test_marked_unavailable_days_are_respected(ctx, world):
    r = world.get("reviewers")
    start = monday()
    services.set_unavailable(actor=r[2], day=start + timedelta(days=1), available=False)
    review = book(world, start=start)
    with pytest.raises(DomainError, match="Rosa Reviewer has said they are not available"):
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=[r[1], r[2]])


# --- The lifecycle -----------------------------------------------------------------------------

def test_only_the_host_head_confirms_and_every_step_is_in_the_history(ctx, world,
                                                                       monkeypatch):
    r = world.get("reviewers")
    review = staffed(world)
    monkeypatch.setattr(permissions, "today", lambda: review.end_date)  # the last review day
    for outsider in (world.get("other_head"), world.get("teacher"), world.get("champion")):
        with pytest.raises(DomainError, match="not open to you"):
            services.transition(actor=outsider, review=review, to="confirmed")
    services.transition(actor=world.get("head"), review=review, to="confirmed")
    services.transition(actor=world.get("champion"), review=review, to="data_shared")
    services.transition(actor=r[0], review=review, to="reviewed")
    with pytest.raises(DomainError, match="Record the findings"):
        services.transition(actor=r[0], review=review, to="feedback")
    db.session.flush()
    steps = db.session.execute(select(ReviewEvent.from_state, ReviewEvent.to_state)
                               .where(ReviewEvent.review_id == review.id)
                               .order_by(ReviewEvent.id)).all()
    assert [tuple(s) for s in steps] == [
        ("planned", "planned"), ("planned", "proposed"), ("proposed", "confirmed"),
        ("confirmed", "data_shared"), ("data_shared", "reviewed")]


def test_declining_needs_a_reason_and_releases_the_team(ctx, world):
    review = staffed(world)
    with pytest.raises(DomainError, match="Enter the reason"):
        services.transition(actor=world.get("head"), review=review, to="planned")
    services.transition(actor=world.get("head"), review=review, to="planned",
                        note="Those days clash with our SATs week")
    db.session.flush()
    assert review.members == []
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_stale_form_is_refused(ctx, world):
    review = staffed(world)
    with pytest.raises(StaleEdit):
        services.transition(actor=world.get("head"), review=review, to="confirmed",
                            version=review.version - 1)


def test_findings_are_confidential_and_a_safeguarding_flag_emails_the_head(ctx, world, mailbox):
    r = world.get("reviewers")
    review = staffed(world)
    for to, actor in (("confirmed", "head"), ("data_shared", "head")):
        services.transition(actor=world.get(actor), review=review, to=to)
    assert permissions.can_see_findings(world.get("head"), review)
    assert permissions.can_see_findings(r[1], review)
    assert permissions.can_see_findings(world.get("lead"), review)
    assert not permissions.can_see_findings(world.get("teacher"), review)
    assert not permissions.can_see_findings(world.get("other_head"), review)
    assert not permissions.can_see_findings(world.get("champion"), review)
    with pytest.raises(DomainError, match="lead reviewer"):
        services.record_findings(actor=r[1], review=review, went_well="", summary="x",
                                 to_develop="", safeguarding=False)
    mailbox.clear()
    services.record_findings(actor=r[0], review=review, went_well="Calm corridors",
                             to_develop="- Questioning\n- Reading at home\n",
                             summary="Strong", safeguarding=True)
    assert review.areas == ["Questioning", "Reading at home"]
    assert [m["To"] for m in mailbox.messages] == [world.get("head").email]
    assert "Safeguarding concern" in mailbox.messages[0]["Subject"]
    assert "Calm corridors" not in mailbox.messages[0].get_body().get_content()


def test_the_workshop_is_facilitated_by_a_champion_not_on_the_team(ctx, world):
    r, lead, champion = world.get("reviewers"), world.get("lead"), world.get("champion")
    review = staffed(world)
    review.state, review.summary = "feedback", "Done"
    db.session.flush()
    on_team = r[1]
    on_team.set_roles({"champion"})
    with pytest.raises(DomainError, match="was on the review team"):
        services.book_workshop(actor=lead, review=review, facilitator=on_team,
                               workshop_date=review.end_date + timedelta(days=14),
                               impact_date=None)
    with pytest.raises(DomainError, match="after the review days"):
        services.book_workshop(actor=lead, review=review, facilitator=champion,
                               workshop_date=review.start_date, impact_date=None)
    services.book_workshop(actor=lead, review=review, facilitator=champion,
                           workshop_date=monday(8) + timedelta(days=1),
                           impact_date=monday(20) + timedelta(days=1))
    assert review.state == "workshop_booked"
    # The facilitator is now busy that day: no review may take them.
    assert services.booking.booking_clash(champion, [monday(8) + timedelta(days=1)], None)


def test_reschedule_moves_the_bookings_and_asks_the_host_again(ctx, world):
    review = staffed(world)
    services.transition(actor=world.get("head"), review=review, to="confirmed")
    services.reschedule(actor=world.get("champion"), review=review, start_date=monday(6),
                        days=1, reason="Ofsted visit")
    db.session.flush()
    assert review.state == "proposed"
    assert set(db.session.scalars(select(Booking.day))) == {monday(6)}
    assert set(db.session.scalars(select(HostDay.day))) == {monday(6)}


def test_cancelling_frees_everyone_and_the_calendar_says_cancelled(ctx, world):
    review = staffed(world)
    sequence = review.sequence
    with pytest.raises(DomainError, match="You cannot cancel"):
        services.cancel(actor=world.get("teacher"), review=review, reason="no")
    services.cancel(actor=world.get("head"), review=review, reason="Building work")
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert db.session.scalar(select(func.count()).select_from(HostDay)) == 0
    cal = Calendar.from_ical(ics.review_calendar(review).to_ical())
    assert str(cal["method"]) == "CANCEL"
    event = cal.walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] > sequence


def test_the_ics_keeps_its_uid_and_raises_its_sequence(ctx, world):
    review = staffed(world, days=2)
    first = Calendar.from_ical(ics.review_calendar(review).to_ical()).walk("VEVENT")[0]
    assert first.decoded("dtstart") == review.start_date
    assert first.decoded("dtend") == review.start_date + timedelta(days=2)  # exclusive end
    services.transition(actor=world.get("head"), review=review, to="confirmed")
    second = Calendar.from_ical(ics.review_calendar(review).to_ical()).walk("VEVENT")[0]
    assert second["uid"] == first["uid"]
    assert second["sequence"] > first["sequence"]
    assert str(second["status"]) == "CONFIRMED"


# --- The team picker, remembered under the reviewers stamp (data_version) -------------------

def _picker(review) -> dict[str, str]:
    from eip_site.reviews import queries
    shown, _total = queries.candidates(review)
    return {c.name: c.status for c in shown}


def test_the_team_picker_sees_every_change_to_who_can_review(ctx, world):
    r = world.get("reviewers")
    from eip_site.directory.models import Skill

    review = book(world)
    picker = _picker(review)
    assert picker["Rosa Reviewer"] == "free" and "Tom Teacher" not in picker
    assert "Ian Insider" not in picker  # from the host school

    # A day off, a booking elsewhere on the same days, a new qualification, a move.
    services.set_unavailable(actor=r[2], day=review.start_date, available=False)
    db.session.commit()
    assert _picker(review)["Rosa Reviewer"] == "unavailable"
    other = book(world, host=world.get("birch"), start=review.start_date)
    services.set_team(actor=world.get("champion"), review=other, lead=r[0],
                      reviewers=[r[1], world.get("insider")])
    db.session.commit()
    assert _picker(review)["Rita Reviewer"] == "booked"
    factories.qualification(world["teacher"])
    db.session.commit()
    assert _picker(review)["Tom Teacher"] == "free"
    world.get("teacher").school = world.get("host")
    db.session.commit()
    assert "Tom Teacher" not in _picker(review)

    # Strengths in the focus area rank a candidate first among the free.
    skill = db.session.scalar(select(Skill).where(Skill.category.has(slug="curriculum")))
    factories.user_skill(world["reviewers"][3], skill, "train")
    db.session.commit()
    from eip_site.reviews import queries
    assert queries.candidates(review)[0][0].name == "Ravi Reviewer"

    # Asked again with nothing changed: only the stamp is read.
    from sqlalchemy import event
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert queries.candidates(review)[0][0].name == "Ravi Reviewer"
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and "data_version" in seen[0]


def test_a_declining_host_cancels_the_released_teams_calendar_events(ctx, world, mailbox):
    """The team released by a decline get a METHOD:CANCEL for the review days; the booker,
    still planning it, gets the review as it now stands."""
    r = world.get("reviewers")
    review = staffed(world, days=2)
    services.transition(actor=world.get("head"), review=review, to="planned",
                        note="Our Ofsted window")
    db.session.commit()

    def calendar_of(person):
        (mail,) = [m for m in mailbox.to(person.email) if "Declined" in m["Subject"]]
        (attachment,) = mail.iter_attachments()
        return attachment.get_content().decode() if isinstance(
            attachment.get_content(), bytes) else attachment.get_content()

    for member in r[:3]:
        text = calendar_of(member)
        assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text
    assert "METHOD:CANCEL" not in calendar_of(world.get("champion"))
