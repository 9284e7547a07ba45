"""Benchmark data for reviews: 1,000 reviews over two years across the bench schools, with
teams, bookings, host days and history, written in bulk."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from ..directory.models import Qualification
from ..people.models import User
from .models import Booking, HostDay, Review, ReviewEvent, ReviewMember

STATES_BY_AGE = ["closed", "impact", "workshop_done", "workshop_booked", "feedback",
                 "reviewed", "data_shared", "confirmed", "proposed", "planned"]
AREAS = ["curriculum", "pedagogy", "leadership", "send", "behaviour", "pastoral",
         "assessment", "early_years", "transition"]


def seed_reviews(conn, rng: random.Random, now: datetime, school_ids: list[int],
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
            "state": state, "notes": "", "closed_day_reason": "",
            "went_well": "Calm, purposeful classrooms." if age < 0 else "",
            "to_develop": "Consistency of feedback\nReading at home" if age < 0 else "",
            "summary": "A school that knows itself well." if age < 0 else "",
            "safeguarding": False, "created_at": now - timedelta(days=400 - i % 30),
            "sequence": 1, "version": 1})
        plans.append((dates, team, state))
    review_ids = list(conn.scalars(
        insert(Review).returning(Review.id, sort_by_parameter_order=True), rows))
    members, bookings, host_days, events = [], [], [], []
    for review_id, row, (dates, team, state) in zip(review_ids, rows, plans):
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
                         (ReviewEvent, events)):
        for start in range(0, len(batch), 10_000):
            if batch[start:start + 10_000]:
                conn.execute(insert(model), batch[start:start + 10_000])
    return len(review_ids)
