"""A file attached to one parent, its current version on the row and earlier ones beside."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db

UNDO_DAYS = 30  # a deleted file can be restored this long, then it is purged

# parent kind -> the column that names it
PARENTS = {"item": "item_id", "meeting": "meeting_id", "network": "network_id",
           "review": "review_id"}


def _one_parent() -> str:
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in PARENTS.values()) \
        + " = 1"


class Content:
    """What one version of a file is: its bytes' key in storage, the name it was uploaded
    with (given back on download), its checked type and size, who uploaded it and when."""

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class Attachment(Content, db.Model):
    __tablename__ = "attachment"
    __table_args__ = (CheckConstraint(_one_parent(), name="one_parent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)  # the current version's number
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    versions: Mapped[list[AttachmentVersion]] = relationship(
        back_populates="attachment", order_by="AttachmentVersion.number.desc()",
        cascade="all, delete-orphan", passive_deletes=True, lazy="select")

    @property
    def parent(self) -> tuple[str, int]:
        return next((kind, getattr(self, column)) for kind, column in PARENTS.items()
                    if getattr(self, column) is not None)


class AttachmentVersion(Content, db.Model):
    """An earlier version, kept when the file was replaced."""

    __tablename__ = "attachment_version"
    __table_args__ = (UniqueConstraint("attachment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    attachment: Mapped[Attachment] = relationship(back_populates="versions")
