"""Reads for pages: the files of many parents in one statement, whatever their number."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import lazyload

from ..clock import utcnow
from ..extensions import db
from ..networks.models import AgendaItem
from .models import PARENTS, UNDO_DAYS, Attachment, AttachmentVersion


class Papers:
    """A page's files by parent id: ``live(id)`` in title order, and ``deleted(id)``, those in
    the bin that can still be restored (shown to editors with an Undo)."""

    def __init__(self, rows, column: str):
        self._live, self._deleted = defaultdict(list), defaultdict(list)
        for row in rows:
            (self._live if row.deleted_at is None else self._deleted)[getattr(row, column)].append(row)

    def live(self, parent_id: int) -> list[Attachment]:
        return self._live.get(parent_id, [])

    def deleted(self, parent_id: int) -> list[Attachment]:
        return self._deleted.get(parent_id, [])


_LISTS = {kind: select(Attachment).options(lazyload("*")).where(
    getattr(Attachment, column).in_(bindparam("ids", expanding=True)),
    or_(Attachment.deleted_at.is_(None), Attachment.deleted_at >= bindparam("since")))
    .order_by(Attachment.title, Attachment.id) for kind, column in PARENTS.items()}


def papers(kind: str, ids) -> Papers:
    """One statement for every parent's files (an agenda's items: all of them at once)."""
    ids = list(ids)
    rows = db.session.scalars(_LISTS[kind], {"ids": ids, "since": utcnow() - timedelta(
        days=UNDO_DAYS)}).all() if ids else []
    return Papers(rows, PARENTS[kind])


def versions(attachment_id: int) -> list[AttachmentVersion]:
    return db.session.scalars(select(AttachmentVersion).where(
        AttachmentVersion.attachment_id == attachment_id)
        .order_by(AttachmentVersion.number.desc())).all()


def version(attachment_id: int, number: int) -> AttachmentVersion | None:
    return db.session.scalar(select(AttachmentVersion).where(
        AttachmentVersion.attachment_id == attachment_id, AttachmentVersion.number == number))


_AGENDA = select(Attachment, AgendaItem.title).outerjoin(
    AgendaItem, Attachment.item_id == AgendaItem.id).options(lazyload("*")).where(
    Attachment.deleted_at.is_(None),
    or_(Attachment.meeting_id == bindparam("meeting_id"),
        (AgendaItem.meeting_id == bindparam("meeting_id")) & (AgendaItem.status == "accepted"))) \
    .order_by(AgendaItem.position.is_not(None), AgendaItem.position, Attachment.title,
              Attachment.id)


def agenda_papers(meeting_id: int) -> list[tuple[str | None, list[Attachment]]]:
    """A meeting's papers for its email: (None: the meeting's own, or an item's title, its
    files), the meeting's first and then the items in agenda order, in one statement."""
    groups: dict = {}
    for attachment, item_title in db.session.execute(_AGENDA, {"meeting_id": meeting_id}):
        groups.setdefault((attachment.item_id, item_title), []).append(attachment)
    return [(title, files) for (_id, title), files in groups.items()]
