"""Factory functions. Call inside an app context; each commits, so requests see the rows."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from eip_site.extensions import db
from eip_site.people.models import School, User

PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; check_password_hash reads the method from the hash.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


def school(**kwargs) -> School:
    n = next(_seq)
    row = School(**{"name": f"School {n}", "urn": f"{100000 + n:06d}", "phase": "primary",
                    **kwargs})
    db.session.add(row)
    db.session.commit()
    return row


def user(*, roles=(), school_obj: School | None = None, no_school: bool = False,
         password: str | None = PASSWORD, **kwargs) -> User:
    n = next(_seq)
    if school_obj is None and not no_school:
        school_obj = school()
    row = User(**{"name": f"Person {n}", "email": f"person{n}@school.example",
                  "school": school_obj,
                  "password_hash": (FAST_HASH if password == PASSWORD else
                                    generate_password_hash(password) if password else None),
                  **kwargs})
    row.set_roles(set(roles))
    db.session.add(row)
    db.session.commit()
    return row


def review(*, host: School | None = None, start=None, days: int = 2, state: str = "planned",
           team: tuple[User, ...] = (), focus_area: str = "pedagogy", **kwargs):
    """A review written straight to the tables (no rules, no email): bookings and host days
    as the services would make them, so clash checks see it."""
    from datetime import date, timedelta

    from eip_site.reviews.models import Booking, HostDay, Review, ReviewMember

    host = host or school()
    start = start or date.today() + timedelta(days=30)
    row = Review(host_school=host, focus="To what extent does feedback move learning on?",
                 focus_area=focus_area, start_date=start, days=days, state=state, **kwargs)
    db.session.add(row)
    db.session.flush()
    row.members = [ReviewMember(user_id=u.id, user=u, role="lead" if i == 0 else "reviewer",
                                position=i) for i, u in enumerate(team)]
    if state != "cancelled":
        db.session.add_all(HostDay(school_id=host.id, day=d, review_id=row.id) for d in row.dates)
        db.session.add_all(Booking(user_id=u.id, day=d, review_id=row.id)
                           for u in team for d in row.dates)
    db.session.commit()
    return row
