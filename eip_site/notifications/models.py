"""Who wants which emails how, what waits for the digest, and which reminders went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db, one_of



# Kind -> (label, default). Defaults that do not flood: what needs an answer comes at once,
# what is only news waits for the daily digest.
KINDS = {
    "review": ("Peer reviews booked, changed or cancelled", "now"),
    "help": ("Requests for help, and answers to yours", "now"),
    "agenda": ("Network agendas published", "digest"),
    "action": ("Actions assigned to you at network meetings", "digest"),
    "skills": ("Skills you suggested: added, merged or turned down", "now"),
    "reminder": ("Reminders: a review next week, actions due, requests waiting, your profile",
                 "now"),
}
MODES = {"now": "Email me at once", "digest": "In a daily digest", "none": "Do not email me"}


class Preference(db.Model):
    """A person's choice for one kind; no row means the kind's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (CheckConstraint(one_of("kind", KINDS), name="kind"),
                      CheckConstraint(one_of("mode", MODES), name="mode"))

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class DigestItem(db.Model):
    """A notification waiting for the person's next daily digest."""

    __tablename__ = "digest_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class SentReminder(db.Model):
    """One row per reminder sent: the unique key makes a second run send nothing again."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))  # e.g. "review-7d:12", "profile:2026"
    sent_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
