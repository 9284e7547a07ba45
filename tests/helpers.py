"""Small helpers shared by the tests: signing in, dates from today, counting queries."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time

import pyotp
from sqlalchemy import event

from eip_site import clock
from eip_site.auth import totp
from eip_site.auth.models import UserTotp
from eip_site.auth.recent import AUTH_AT
from eip_site.auth.services import start_session
from eip_site.extensions import db
from eip_site.people.models import User

from . import factories


def sign_in(client, user=None, **person) -> int:
    """Sign the test client in as ``user`` (a committed User, or an id) or, without one, as
    a new person made by ``factories.user(**person)``, e.g. ``sign_in(client, roles={"head"})``.
    Returns their id. It writes the session Flask-Login reads, so no password or second
    factor is checked (a full sign-in, as after the code): the sign-in form itself is tested
    in tests/auth."""
    with client.application.app_context():
        if user is None:
            row = factories.user(**person)
            db.session.commit()
        else:
            row = db.session.get(User, getattr(user, "id", user))
        start_session(row)
        db.session.commit()
        cookie, user_id = row.get_id(), row.id
    with client.session_transaction() as session:
        session["_user_id"] = cookie
        session["_fresh"] = True
        session[AUTH_AT] = time.time()  # just signed in: sensitive actions need no re-entry
    return user_id


def pass_second_factor(app, client, response):
    """After a password POST to /login, do what the person would: enter the current code
    from their app, or set up two-step sign-in when the site sends them there (reading the
    key from the page). Returns the last answer (the response itself when neither)."""
    location = response.headers.get("Location", "")
    if location == "/login/code":
        with client.session_transaction() as session:
            user_id = session[totp.PENDING]["user"]
        with app.app_context():
            secret = db.session.get(UserTotp, user_id).secret
        return client.post(location, data={"code": pyotp.TOTP(secret).now()})
    if location == "/account/two-step":
        page = client.get(location).get_data(as_text=True)
        secret = re.search(r'id="totp-secret">([^<]+)<', page).group(1).replace(" ", "")
        return client.post(location, data={"code": pyotp.TOTP(secret).now()})
    return response


# --- Dates: always counted from clock.today(), which a test run may move (EIP_TEST_CLOCK) --

def days(n: int) -> date:
    """The day ``n`` days from today (before it, when ``n`` is negative)."""
    return clock.today() + timedelta(days=n)


def monday(weeks: int = 4) -> date:
    """The Monday of the week ``weeks`` weeks from now."""
    day = clock.today() + timedelta(weeks=weeks)
    return day - timedelta(days=day.weekday())


def thursday(weeks: int = 4) -> date:
    """The Thursday of the week ``weeks`` weeks from now (when networks meet)."""
    return monday(weeks) + timedelta(days=3)


def utc(day: date, at: clock_time) -> datetime:
    """A wall-clock time in London as UTC (GMT in winter, BST in summer), by zoneinfo."""
    return datetime.combine(day, at, clock.LONDON).astimezone(timezone.utc)


def long_date(day: date) -> str:
    """As pages write a day: "Thursday 3 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# --- Queries ---------------------------------------------------------------------------

def queries_during(app, action) -> int:
    """How many SQL statements ``action()`` runs."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def page_queries(app, client, path: str, *, htmx: bool = False) -> int:
    """How many SQL statements one GET of ``path`` runs; the page must answer 200."""
    answers = []
    count = queries_during(app, lambda: answers.append(
        client.get(path, headers={"HX-Request": "true"} if htmx else {})))
    assert answers[0].status_code == 200, path
    return count


def fragment(response) -> tuple[str, str]:
    """An htmx answer split into the tab's new title and the fragment swapped in."""
    text = response.get_data(as_text=True)
    title, _, rest = text.partition("</title>")
    return (title.removeprefix("<title>"), rest.lstrip()) if rest else ("", text.lstrip())
