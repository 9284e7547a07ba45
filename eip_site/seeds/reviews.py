"""Review seeds: for the demo, the school calendar for this academic year and a review in
every state; for the bench, 1,000 reviews over two years across the bench schools, with
teams, bookings, host days and history, written in bulk."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..directory.models import Qualification
from ..extensions import db
from ..people.models import School, User
from ..reviews.models import Booking, Closure, HostDay, Review, ReviewDay, ReviewEvent, \
    ReviewMember, Term
from ..reviews.scheduling import ClosedSpan, closed_days
from ..security import CHAMPION, LEAD
from .common import insert_ids, insert_rows

FOCUSES = [
    ("To what extent does feedback in Key Stage 2 move learning on?", "assessment"),
    ("To what extent do disadvantaged pupils read widely and often?", "curriculum"),
    ("To what extent is behaviour at unstructured times calm and purposeful?", "behaviour"),
    ("To what extent are pupils with SEND included in the full curriculum?", "send"),
    ("To what extent does the Year 6 to Year 7 transition keep learning going?", "transition"),
    ("To what extent do early years routines build independence?", "early_years"),
    ("To what extent do middle leaders drive improvement in their subjects?", "leadership"),
    ("To what extent does questioning deepen pupils' thinking?", "pedagogy"),
    ("To what extent is attendance improving for persistently absent pupils?", "behaviour"),
    ("To what extent does the safeguarding culture reach every adult?", "pastoral"),
    ("To what extent is mathematics teaching building fluency?", "curriculum"),
]
# (state, weeks from today) — past reviews have moved further along the lifecycle.
# Hosts go round the schools in order, so Oakfield (the demo head's school) hosts the
# proposed review: the head signs in to a review waiting for their confirmation.
PLAN = [("closed", -40), ("impact", -30), ("workshop_done", -20), ("workshop_booked", -10),
        ("feedback", -4), ("reviewed", -1), ("proposed", 6), ("confirmed", 4),
        ("data_shared", 2), ("planned", 9), ("cancelled", 5)]
AFTER = ["planned", "proposed", "confirmed", "data_shared", "reviewed", "feedback",
         "workshop_booked", "workshop_done", "impact", "closed"]


def academic_year(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def seed_calendar(today: date) -> list[ClosedSpan]:
    y = academic_year(today)
    db.session.add_all([
        Term(name=f"Autumn {y}", start_date=date(y, 9, 3), end_date=date(y, 12, 18)),
        Term(name=f"Spring {y + 1}", start_date=date(y + 1, 1, 5), end_date=date(y + 1, 3, 26)),
        Term(name=f"Summer {y + 1}", start_date=date(y + 1, 4, 12), end_date=date(y + 1, 7, 21)),
    ])
    holidays = [("October half term", date(y, 10, 26), date(y, 10, 30)),
                ("Christmas holiday", date(y, 12, 21), date(y + 1, 1, 4)),
                ("February half term", date(y + 1, 2, 15), date(y + 1, 2, 19)),
                ("Easter holiday", date(y + 1, 3, 29), date(y + 1, 4, 9)),
                ("May half term", date(y + 1, 5, 31), date(y + 1, 6, 4)),
                ("Summer holiday", date(y + 1, 7, 22), date(y + 1, 8, 31))]
    db.session.add_all(Closure(name=n, kind="holiday", start_date=s, end_date=e)
                       for n, s, e in holidays)
    return [ClosedSpan(n, s, e, None) for n, s, e in holidays]


def _school_day(day: date, days: int, spans: list[ClosedSpan], school_id: int) -> date:
    """The first date from ``day`` on which ``days`` consecutive days are all open."""
    while closed_days([day + timedelta(days=i) for i in range(days)], spans, school_id):
        day += timedelta(days=1)
    return day


def seed_demo(rng: random.Random, now: datetime) -> None:
    today = now.date()
    spans = seed_calendar(today)
    schools = list(db.session.scalars(select(School).where(School.active.is_(True))
                                      .order_by(School.id)))
    trained = set(db.session.scalars(select(Qualification.user_id).where(
        Qualification.kind.in_(("peer_reviewer", "champion")))))
    people = [u for u in db.session.scalars(select(User).where(
        User.active.is_(True), User.password_hash.is_not(None)).order_by(User.id))
        if u.id in trained and u.school_id]
    champions = [u for u in people if u.has_role(CHAMPION)]
    lead = next((u for u in db.session.scalars(select(User).order_by(User.id))
                 if u.has_role(LEAD)), None)
    busy: set[tuple[int, date]] = set()
    hosting: set[tuple[int, date]] = set()

    for index, (state, weeks) in enumerate(PLAN):
        host = schools[index % len(schools)]
        days = 2 if index % 3 else 1
        start = today + timedelta(weeks=weeks)
        start = _school_day(start - timedelta(days=start.weekday()) + timedelta(days=1), days,
                            spans, host.id)
        while any((host.id, start + timedelta(days=i)) in hosting for i in range(days)):
            start = _school_day(start + timedelta(days=7), days, spans, host.id)
        dates = [start + timedelta(days=i) for i in range(days)]
        focus, area = FOCUSES[index % len(FOCUSES)]
        host_champion = next((c for c in champions if c.school_id == host.id), None)
        review = Review(host_school=host, focus=focus, focus_area=area, dates=dates,
                        state=state, champion=host_champion,
                        created_by_id=lead.id if lead else None,
                        sequence=AFTER.index(state) if state in AFTER else 3,
                        created_at=now - timedelta(weeks=max(1, 12 - weeks)))
        db.session.add(review)
        db.session.flush()
        if state != "cancelled":
            hosting.update((host.id, d) for d in dates)
            db.session.add_all(HostDay(school_id=host.id, day=d, review_id=review.id)
                               for d in dates)
        if state != "planned":
            free = [p for p in people if p.school_id != host.id
                    and not any((p.id, d) in busy for d in dates)]
            team = rng.sample(free, min(len(free), 3))
            review.members = [ReviewMember(user_id=u.id, user=u, position=i,
                                           role="lead" if i == 0 else "reviewer")
                              for i, u in enumerate(team)]
            if state != "cancelled":
                busy.update((u.id, d) for u in team for d in dates)
                db.session.add_all(Booking(user_id=u.id, day=d, review_id=review.id)
                                   for u in team for d in dates)
        if state in AFTER[AFTER.index("feedback"):]:
            review.went_well = ("Pupils talked confidently about their learning.\n"
                                "Relationships between adults and pupils are warm and purposeful.")
            review.to_develop = ("Make sure feedback is acted on in the next lesson\n"
                                 "Share the strongest practice across year groups")
            review.summary = ("A school that knows itself well. The team saw strong practice "
                              "in most classes; the next step is consistency.")
        if state in ("workshop_booked", "workshop_done", "impact", "closed"):
            facilitator = next(c for c in champions if c not in review.reviewers
                               and c.id != (review.lead_reviewer.id if review.lead_reviewer
                                            else 0) and c.school_id != host.id)
            review.workshop_date = _school_day(start + timedelta(weeks=3), 1, spans, host.id)
            while (facilitator.id, review.workshop_date) in busy:
                review.workshop_date = _school_day(review.workshop_date + timedelta(days=1), 1,
                                                   spans, host.id)
            review.facilitator = facilitator
            review.impact_date = review.workshop_date + timedelta(weeks=10)
            busy.add((facilitator.id, review.workshop_date))
            db.session.add(Booking(user_id=facilitator.id, day=review.workshop_date,
                                   review_id=review.id, kind="workshop"))
        for i, step in enumerate(AFTER[:AFTER.index(state) + 1] if state in AFTER
                                 else ["planned", "proposed", "cancelled"]):
            db.session.add(ReviewEvent(
                review_id=review.id, actor_id=lead.id if lead else None,
                at=review.created_at + timedelta(days=i), from_state=AFTER[max(0, i - 1)]
                if state in AFTER else ["planned", "planned", "proposed"][i], to_state=step,
                note={"cancelled": "The host school has a local authority visit that week.",
                      "planned": "Booked"}.get(step, "")))
    db.session.flush()


# --- The benchmark partnership ------------------------------------------------------------

STATES_BY_AGE = ["closed", "impact", "workshop_done", "workshop_booked", "feedback",
                 "reviewed", "data_shared", "confirmed", "proposed", "planned"]
AREAS = ["curriculum", "pedagogy", "leadership", "send", "behaviour", "pastoral",
         "assessment", "early_years", "transition"]


def seed_bench(conn, rng: random.Random, now: datetime, school_ids: list[int],
               count: int = 1000) -> int:
    """``count`` reviews from a year ago to a year ahead; returns how many were made."""
    people: dict[int, list[int]] = {}
    for user_id, school_id in conn.execute(
            select(Qualification.user_id, User.school_id)
            .join(User, User.id == Qualification.user_id)
            .where(Qualification.kind == "peer_reviewer", User.active.is_(True))):
        people.setdefault(school_id, []).append(user_id)
    reviewers = [(s, u) for s, users in people.items() for u in users]
    today = now.date()
    busy: set[tuple[int, date]] = set()
    hosting: set[tuple[int, date]] = set()
    rows, plans = [], []
    for i in range(count):
        host = school_ids[i % len(school_ids)]
        offset = int((i / count) * 730) - 365  # spread over two years
        start = today + timedelta(days=offset)
        start += timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday
        days = 1 + i % 2
        while any((host, start + timedelta(days=d)) in hosting for d in range(days)):
            start += timedelta(days=7)
        dates = [start + timedelta(days=d) for d in range(days)]
        hosting.update((host, d) for d in dates)
        age = (start - today).days
        state = STATES_BY_AGE[min(9, max(0, (age + 365) * 10 // 730))]
        if i % 37 == 0:
            state = "cancelled"
        team = []
        if state != "planned":
            for school, user in rng.sample(reviewers, min(len(reviewers), 12)):
                if school != host and not any((user, d) in busy for d in dates):
                    team.append(user)
                if len(team) == 3:
                    break
            if state != "cancelled":
                busy.update((u, d) for u in team for d in dates)
        rows.append({
            "host_school_id": host, "focus": "To what extent does feedback move learning on?",
            "focus_area": AREAS[i % len(AREAS)], "start_date": start, "days": days,
            "end_date": dates[-1], "offered_dates": "",
            "state": state, "notes": "", "closed_day_reason": "",
            "went_well": "Calm, purposeful classrooms." if age < 0 else "",
            "to_develop": "Consistency of feedback\nReading at home" if age < 0 else "",
            "summary": "A school that knows itself well." if age < 0 else "",
            "safeguarding": False, "created_at": now - timedelta(days=400 - i % 30),
            "sequence": 1, "version": 1})
        plans.append((dates, team, state))
    review_ids = insert_ids(conn, Review, rows)
    members, bookings, host_days, events, review_days = [], [], [], [], []
    for review_id, row, (dates, team, state) in zip(review_ids, rows, plans):
        review_days += [{"review_id": review_id, "day": d} for d in dates]
        members += [{"review_id": review_id, "user_id": u, "role": "lead" if n == 0 else
                     "reviewer", "position": n} for n, u in enumerate(team)]
        if state != "cancelled":
            bookings += [{"user_id": u, "day": d, "review_id": review_id, "kind": "review"}
                         for u in team for d in dates]
            host_days += [{"school_id": row["host_school_id"], "day": d,
                           "review_id": review_id} for d in dates]
        events.append({"review_id": review_id, "actor_id": None, "at": row["created_at"],
                       "from_state": "planned", "to_state": state, "note": "Booked"})
    for model, batch in ((ReviewMember, members), (Booking, bookings), (HostDay, host_days),
                         (ReviewEvent, events), (ReviewDay, review_days)):
        insert_rows(conn, model, batch)
    return len(review_ids)
