"""A page that only reads ends its transaction with COMMIT: a ROLLBACK makes psycopg drop
every prepared statement, and PostgreSQL would then plan each page's queries anew."""

from __future__ import annotations

from sqlalchemy import event

from eip_site.extensions import db

from .helpers import sign_in


def _endings(app, action) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda conn: seen.append("commit"),
                 "rollback": lambda conn: seen.append("rollback")}
    for name, fn in listeners.items():
        event.listen(engine, name, fn)
    try:
        action()
    finally:
        for name, fn in listeners.items():
            event.remove(engine, name, fn)
    return seen


def test_a_page_read_is_committed_and_a_refused_request_rolled_back(app, client):
    sign_in(client, name="Reader")
    assert _endings(app, lambda: client.get("/")) == ["commit"]
    assert "commit" not in _endings(app, lambda: client.get("/networks/999999"))  # 404
    assert "commit" not in _endings(app, lambda: client.get("/admin/users"))  # 403
