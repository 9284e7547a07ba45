"""The audit trail's page: a page of entries with their people in one statement, and the
count in another, whatever the number of entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload

from ..audit import AuditEntry
from ..people.models import User
from ..people.queries import paginate
from ..text_index import contains

PER_PAGE = 50
# Both people joined into the page's statement, without their site roles (never shown).
_PEOPLE = (joinedload(AuditEntry.actor).options(lazyload(User.role_rows)),
           joinedload(AuditEntry.subject).options(lazyload(User.role_rows)))


def entries_stmt(*, person: str = "", kind: str = "", since: date | None = None,
                 until: date | None = None):
    stmt = select(AuditEntry).options(*_PEOPLE).order_by(AuditEntry.at.desc(),
                                                         AuditEntry.id.desc())
    if person:
        people = select(User.id).where(or_(contains(User.name, person),
                                           contains(User.email, person)))
        stmt = stmt.where(or_(AuditEntry.actor_id.in_(people),
                              AuditEntry.subject_id.in_(people)))
    if kind:
        stmt = stmt.where(AuditEntry.kind == kind)
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time()))
    if until:
        stmt = stmt.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time()))
    return stmt


def entries(page: int = 1, **filters):
    return paginate(entries_stmt(**filters), page, per_page=PER_PAGE)
