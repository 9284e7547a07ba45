"""Small helpers shared by view tests."""

from __future__ import annotations

from sqlalchemy import event

from eip_site.extensions import db

from . import factories


def sign_in(app, user_id: int):
    """A test client signed in as ``user_id`` (no login form: that is tested in auth)."""
    client = app.test_client()
    with app.app_context():
        cookie = db.session.get(factories.User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = cookie
    return client


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
