"""A review's days are the host's school days (17.12): weekends, holidays, the gaps between
terms and the school's closures are skipped, the days are kept as rows, and the .ics, the
month grid and the clash checks use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eip_site.errors import DomainError
from eip_site.extensions import db
from eip_site.reviews import ics, services
from eip_site.reviews.models import Booking, HostDay, ReviewDay
from eip_site.reviews.scheduling import ClosedSpan, school_days, term_gaps

from .. import factories
from ..helpers import monday, sign_in, thursday
from .test_services import book


def test_three_school_days_from_a_thursday_are_thursday_friday_and_monday():
    thu = thursday()
    assert school_days(thu, 3, [], 1) == [thu, thu + timedelta(days=1), thu + timedelta(days=4)]
    bank_holiday = [ClosedSpan("Bank holiday", thu + timedelta(days=4), thu + timedelta(days=4),
                               None)]
    assert school_days(thu, 3, bank_holiday, 1)[-1] == thu + timedelta(days=5)
    own_inset = [ClosedSpan("INSET day", thu + timedelta(days=1), thu + timedelta(days=1), 7)]
    assert school_days(thu, 2, own_inset, 7) == [thu, thu + timedelta(days=4)]
    assert school_days(thu, 2, own_inset, 8) == [thu, thu + timedelta(days=1)]  # not theirs


def test_the_days_between_terms_are_holidays():
    mon = monday()
    autumn = ("Autumn", mon - timedelta(weeks=10), mon + timedelta(days=4))
    spring = ("Spring", mon + timedelta(weeks=2), mon + timedelta(weeks=12))
    gap, = term_gaps([spring, autumn])
    assert (gap.name, gap.start, gap.end) == ("Holiday after Autumn", mon + timedelta(days=5),
                                              mon + timedelta(weeks=2, days=-1))
    # Friday, the last day of term: the next school day is after the holiday, too far.
    assert school_days(mon + timedelta(days=4), 2, [gap], 1) == [mon + timedelta(days=4)]


def test_a_thursday_review_of_three_days_holds_thursday_friday_and_monday(ctx, world):
    thu = thursday()
    want = [thu, thu + timedelta(days=1), thu + timedelta(days=4)]
    r = world.get("reviewers")
    review = book(world, start=thu, days=3)
    services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                      reviewers=r[1:3])
    db.session.commit()
    assert db.session.scalars(select(ReviewDay.day).where(ReviewDay.review_id == review.id)
                              .order_by(ReviewDay.day)).all() == want
    assert (review.start_date, review.end_date, review.days) == (thu, want[-1], 3)
    assert sorted(db.session.scalars(select(HostDay.day))) == want
    assert sorted(set(db.session.scalars(select(Booking.day)))) == want
    # Someone off on the Saturday between is free for it; someone off on the Monday is not.
    other = factories.user(roles={"champion"}, school=world["ash"], name="Sam Saturday")
    services.set_unavailable(actor=other, day=thu + timedelta(days=2), available=False)
    services.set_unavailable(actor=r[3], day=want[-1], available=False)
    with pytest.raises(DomainError, match="not available on Mon"):
        services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                          reviewers=[r[1], r[3]])
    db.session.rollback()
    review = db.session.get(type(review), review.id)
    services.set_team(actor=world.get("champion"), review=review, lead=r[0],
                      reviewers=[r[1], other])
    # The calendar: one event for Thursday and Friday, one for Monday.
    events = [(e.decoded("dtstart"), e.decoded("dtend"), str(e["uid"]).split("@")[0])
              for e in Calendar.from_ical(ics.review_calendar(review).to_ical()).walk("VEVENT")]
    assert events == [(thu, thu + timedelta(days=2), f"review-{review.id}-review"),
                      (want[-1], want[-1] + timedelta(days=1), f"review-{review.id}-review-2")]


def test_a_review_is_not_split_across_a_holiday(ctx, world):
    fri = monday() + timedelta(days=4)
    factories.closure(None, name="Half term", kind="holiday", start=fri + timedelta(days=3),
                      end=fri + timedelta(days=7))
    db.session.commit()
    with pytest.raises(DomainError, match="open on only 1 of the days") as error:
        book(world, start=fri, days=2)
    assert error.value.field == "start_date"


def test_the_month_grid_shows_each_review_day_and_the_holidays(app, client, world):
    thu = thursday(6)
    with app.app_context():
        review = factories.review(host=world["host"], dates=[thu, thu + timedelta(days=4)],
                                  state="proposed")
        factories.closure(world["ash"], name="INSET day", start=thu + timedelta(days=1))
        factories.closure(None, name="May Day", kind="holiday", start=thu + timedelta(days=5))
        db.session.commit()
        review_id = review.id
    sign_in(client, world["teacher"])
    page = client.get(f"/reviews/calendar?month={thu:%Y-%m}").get_data(as_text=True)
    cells = {}
    for cell in page.split('<span class="day-number">')[1:]:
        cells[int(cell.split("<")[0])] = cell.split("</td>")[0]
    link = f"/reviews/{review_id}"
    if (thu + timedelta(days=5)).month == thu.month:
        assert link in cells[(thu + timedelta(days=4)).day]
        assert "May Day" in cells[(thu + timedelta(days=5)).day]
    assert link in cells[thu.day]
    if (thu + timedelta(days=2)).month == thu.month:
        assert link not in cells[(thu + timedelta(days=2)).day]  # the Saturday between
    if (thu + timedelta(days=1)).month == thu.month:
        assert "INSET day (Ash" in cells[(thu + timedelta(days=1)).day]


# --- Each step once its day has come (17.13) ----------------------------------------------

def test_each_step_is_offered_and_accepted_only_once_its_day_has_come(app, client, world,
                                                                       monkeypatch):
    from eip_site.reviews import permissions

    start = monday(1)
    with app.app_context():
        review_id = factories.review(host=world["host"], start=start, days=2,
                                     team=tuple(world.get("reviewers")[:3]),
                                     state="data_shared").id
        db.session.commit()
    sign_in(client, world["lead"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert 'value="reviewed"' not in page
    assert "Mark the review days as held: from " + f"{start + timedelta(days=1):%a}" in page
    early = client.post(f"/reviews/{review_id}/step", data={"to": "reviewed", "version": 1})
    assert early.status_code == 422 and "Not yet" in early.get_data(as_text=True)
    monkeypatch.setattr(permissions, "today", lambda: start + timedelta(days=1))
    assert 'value="reviewed"' in client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert client.post(f"/reviews/{review_id}/step",
                       data={"to": "reviewed", "version": 1}).status_code == 303


def test_workshop_held_and_impact_review_wait_for_their_days(ctx, world, monkeypatch):
    from eip_site.reviews import permissions

    start = monday(1)
    review = factories.review(host=world["host"], start=start, days=1, state="workshop_booked",
                              workshop_date=start + timedelta(weeks=3),
                              facilitator_id=world["champion"],
                              impact_date=start + timedelta(weeks=12))
    db.session.commit()
    lead = world.get("lead")
    with pytest.raises(DomainError, match="Not yet: “Mark the workshop as held” opens on"):
        services.transition(actor=lead, review=review, to="workshop_done")
    monkeypatch.setattr(permissions, "today", lambda: review.workshop_date)
    services.transition(actor=lead, review=review, to="workshop_done")
    with pytest.raises(DomainError, match="Not yet: “Mark the impact review as held”"):
        services.transition(actor=lead, review=review, to="impact")
    assert permissions.next_steps(lead, review) == []
    monkeypatch.setattr(permissions, "today", lambda: review.impact_date)
    services.transition(actor=lead, review=review, to="impact")
    services.transition(actor=lead, review=review, to="closed")
    assert review.state == "closed"


@pytest.mark.parametrize("day", ["1900-01-01", "9999-06-01"])
def test_far_dates_are_refused_beside_the_field(app, client, world, day):
    sign_in(client, world["lead"])
    for which, data in (
            ("term", {"name": "Autumn", "start_date": day, "end_date": day}),
            ("closure", {"school": "", "name": "Holiday", "kind": "holiday",
                         "start_date": day, "end_date": day})):
        answer = client.post("/admin/terms", data={
            "form": which, **{f"{which}-{k}": v for k, v in data.items()}})
        assert answer.status_code == 422, answer.status_code
        assert "Choose a date within two years of today." in answer.get_data(as_text=True)
    if day.startswith("9999"):
        answer = client.post("/reviews/availability", data={"day": day})
        assert answer.status_code == 422
        assert "within the next two years" in answer.get_data(as_text=True)
    with app.app_context():
        from eip_site.reviews.models import Closure, Term
        assert db.session.scalars(select(Term)).all() == []
        assert db.session.scalars(select(Closure)).all() == []


def test_a_workshop_in_9999_is_refused(ctx, world):
    from datetime import date

    review = factories.review(host=world["host"], start=monday(1), state="feedback",
                              summary="Done")
    with pytest.raises(DomainError, match="within two years of the review days") as error:
        services.book_workshop(actor=world.get("lead"), review=review,
                               workshop_date=date(9999, 6, 1),
                               facilitator=world.get("champion"), impact_date=None)
    assert error.value.field == "workshop_date"


# --- The enquiry focus (17.14) --------------------------------------------------------------

def test_the_host_head_edits_the_focus_until_the_team_is_confirmed(app, client, world):
    from eip_site.reviews.models import Review
    from eip_site.reviews.services.rota import ROTA_FOCUS

    with app.app_context():
        review_id = factories.review(host=world["host"], state="proposed",
                                     team=tuple(world.get("reviewers")[:3])).id
        db.session.get(Review, review_id).focus = ROTA_FOCUS
        db.session.commit()
    sign_in(client, world["head"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "Change the enquiry focus" in page
    forged = client.post(f"/reviews/{review_id}/focus", data={
        "focus": "To what extent do pupils read widely?", "focus_area": "bogus"})
    assert forged.status_code == 422
    assert "Choose one of the focus areas in the list." in forged.get_data(as_text=True)
    saved = client.post(f"/reviews/{review_id}/focus", data={
        "focus": "To what extent do pupils read widely?", "focus_area": "curriculum"})
    assert saved.status_code == 303
    with app.app_context():
        review = db.session.get(Review, review_id)
        assert (review.focus, review.focus_area) == ("To what extent do pupils read widely?",
                                                     "curriculum")
        review.state = "confirmed"
        db.session.commit()
    assert "Change the enquiry focus" not in client.get(
        f"/reviews/{review_id}").get_data(as_text=True)
    late = client.post(f"/reviews/{review_id}/focus", data={
        "focus": "Something else", "focus_area": "curriculum"})
    assert late.status_code == 422
    sign_in(client, world["teacher"])  # not the host, not the booker
    assert "Change the enquiry focus" not in client.get(
        f"/reviews/{review_id}").get_data(as_text=True)


def test_a_forged_focus_area_is_refused_when_booking(ctx, world):
    with pytest.raises(DomainError, match="focus areas in the list") as error:
        services.create_review(actor=world.get("champion"), host_school=world.get("host"),
                               focus="To what extent?", focus_area="bogus",
                               start_date=monday(), days=1)
    assert error.value.field == "focus_area"


# --- Themes that name no school (17.15) -------------------------------------------------------

def test_an_area_is_themed_only_once_three_schools_contribute(app, client, world):
    from ..helpers import days

    with app.app_context():
        factories.review(host=world["host"], start=days(-40), state="feedback",
                         focus_area="curriculum", to_develop="Early reading")
        for school in ("host", "birch"):  # two reviews, two schools: held back
            factories.review(host=world[school], start=days(-60 if school == "host" else -30),
                             state="closed", focus_area="pedagogy", to_develop="Questioning")
        db.session.commit()
    sign_in(client, world["teacher"])
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "Early reading" not in themes and "Questioning" not in themes
    assert "2 focus areas are held back" in themes
    with app.app_context():
        factories.review(host=world["ash"], start=days(-20), state="closed",
                         focus_area="pedagogy", to_develop="Questioning")
        db.session.commit()
    themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
    assert "(3 reviews)" in themes and "<li>Questioning</li>" in themes
    assert "Early reading" not in themes and "1 focus area is held back" in themes
    app.config["REVIEW_THEMES_MIN_SCHOOLS"] = 1
    try:
        themes = client.get("/reviews/").get_data(as_text=True).split("Themes across")[1]
        assert "Early reading" in themes and "held back" not in themes
    finally:
        app.config["REVIEW_THEMES_MIN_SCHOOLS"] = 3


# --- History, picker, declining with other dates (17.17) -------------------------------------

def test_rescheduling_records_the_old_and_the_new_days(app, client, world):
    thu = thursday(5)
    with app.app_context():
        review = factories.review(host=world["host"], start=thu, days=2)
        review.created_by_id = world["champion"]
        db.session.commit()
        review_id = review.id
    sign_in(client, world["champion"])
    moved = client.post(f"/reviews/{review_id}/edit", data={
        "start_date": (thu + timedelta(days=1)).isoformat(), "days": "2",
        "reason": "Parents evening", "version": 2})
    assert moved.status_code == 303, moved.get_data(as_text=True)
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    fri, mon = thu + timedelta(days=1), thu + timedelta(days=4)
    assert (f"The review days were {thu:%a} {thu.day} {thu:%B %Y} and {fri:%a} {fri.day} "
            f"{fri:%B %Y}; now {fri:%a} {fri.day} {fri:%B %Y} and {mon:%a} {mon.day} "
            f"{mon:%B %Y}. Why: Parents evening") in page


def test_the_picker_says_booked_and_not_available_once(app, client, world):
    start = monday(3)
    with app.app_context():
        r = world.get("reviewers")
        review_id = factories.review(host=world["host"], start=start, days=1).id
        factories.review(host=world["birch"], start=start, days=1, team=(r[0],))
        services.set_unavailable(actor=r[1], day=start, available=False)
        db.session.commit()
    sign_in(client, world["lead"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert f"Booked</span> on {start:%a} {start.day} {start:%b} at Birch" in page
    assert f"Not available</span> on {start:%a} {start.day} {start:%b}" in page
    assert "Booked</span> booked" not in page and "Not available</span> not" not in page


def test_a_declining_host_offers_other_dates_which_the_booker_sees(app, client, world):
    start = monday(3)
    with app.app_context():
        review_id = factories.review(host=world["host"], start=start, days=1, state="proposed",
                                     team=tuple(world.get("reviewers")[:3])).id
        db.session.commit()
    sign_in(client, world["head"])
    bad = client.post(f"/reviews/{review_id}/step", data={
        "to": "planned", "note": "SATs week", "offer_1": "9999-06-01"})
    assert bad.status_code == 422
    assert "Offer days from today to two years ahead." in bad.get_data(as_text=True)
    one, two = start + timedelta(weeks=2), start + timedelta(weeks=3)
    declined = client.post(f"/reviews/{review_id}/step", data={
        "to": "planned", "note": "SATs week", "offer_1": two.isoformat(),
        "offer_2": one.isoformat()})
    assert declined.status_code == 303
    sign_in(client, world["champion"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    offered = f"{one:%a} {one.day} {one:%B %Y} and {two:%a} {two.day} {two:%B %Y}"
    assert f"Other dates the host offered</dt><dd>{offered}" in page
    assert f"SATs week Other dates the host could offer: {offered}." in page  # the history


def test_home_and_search_give_a_thursday_review_its_last_school_day(app, client, world):
    thu = thursday()
    mon = thu + timedelta(days=4)
    with app.app_context():
        factories.review(host=world["host"], dates=[thu, thu + timedelta(days=1), mon],
                         state="proposed")
        db.session.commit()
    sign_in(client, roles={"lead"})
    want = f"to {mon:%a} {mon.day} {mon:%B %Y}"
    assert want in client.get("/").get_data(as_text=True)
    assert want in client.get("/search?q=feedback+move").get_data(as_text=True)


def test_the_picker_reads_the_review_days_not_the_weekend_between(app, client, world):
    thu = thursday()
    sat, mon = thu + timedelta(days=2), thu + timedelta(days=4)
    with app.app_context():
        r = world.get("reviewers")
        review_id = factories.review(host=world["host"], dates=[thu, thu + timedelta(days=1),
                                                                mon]).id
        # Another school's review on the Saturday between (its own calendar) and a day off.
        factories.review(host=world["birch"], dates=[sat], team=(r[0],))
        services.set_unavailable(actor=r[1], day=sat, available=False)
        services.set_unavailable(actor=r[2], day=mon, available=False)
        db.session.commit()
        names = [p.name for p in r[:3]]
    sign_in(client, world["lead"])
    page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
    picker = page.split('class="table picker"', 1)[1]
    rows = {name: picker.split(name, 1)[1].split("</tr>", 1)[0] for name in names}
    assert "Booked" not in rows[names[0]] and "Not available" not in rows[names[0]]
    assert "Not available" not in rows[names[1]]
    assert f"Not available</span> on {mon:%a} {mon.day} {mon:%b}" in rows[names[2]]
