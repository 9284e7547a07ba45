"""The audit trail: an append-only table of who did what to which record, from where.

``record(kind, actor=…, obj=…, summary=…)`` adds an entry to the request's session, so it
commits with the change it describes (or rolls back with it); it takes the request's address
itself. ``record_apart`` writes on a connection of its own and commits at once: for what is
recorded on a request that is refused (a failed or throttled sign-in rolls back).

The app never edits or deletes an entry; only the retention rule (``privacy.retention``)
removes entries older than ``AUDIT_KEEP_YEARS``. A summary says what changed in words,
never a password, a token or the text of review findings.
"""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .extensions import db

# Every kind of entry, and what it means. Add a kind here before recording it (the page's
# filter lists these; tests/privacy/test_audit.py checks every record() call uses one).
KINDS = {
    "signin.succeeded": "Signed in",
    "signin.failed": "Sign-in failed",
    "signin.throttled": "Sign-in refused: too many attempts",
    "account.created": "Account created",
    "account.roles_changed": "Roles changed",
    "account.changed": "Account details changed",
    "account.invited": "Invitation sent",
    "account.deactivated": "Account deactivated",
    "account.reactivated": "Account reactivated",
    "account.erased": "Person erased",
    "account.password_changed": "Password changed",
    "account.sso_linked": "School account linked",
    "account.sso_unlinked": "School account unlinked",
    "mfa.enrolled": "Second factor enrolled",
    "mfa.reset": "Second factor reset",
    "profile.changed_by_other": "Profile changed by someone else",
    "directory.imported": "Staff imported",
    "directory.exported": "Directory exported",
    "review.findings_recorded": "Review findings recorded",
    "review.findings_changed": "Review findings changed",
    "review.findings_viewed": "Review findings opened",
    "review.safeguarding": "Safeguarding concern flagged",
    "privacy.subject_access": "Subject access export",
    "privacy.retention": "Retention schedule applied",
    "settings.partnership": "Partnership settings changed",
    "settings.school": "School details changed",
    "audit.exported": "Audit trail exported",
}
SYSTEM = "system"


class AuditEntry(db.Model):
    """One thing that happened. ``subject_id`` is the person it is about (when it is about
    one); ``object_type``/``object_id`` the record it concerns."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    # None: the system (a command, the worker, a failed sign-in with an unknown email).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                   index=True)
    summary: Mapped[str] = mapped_column(String(500), default="", server_default="")

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined", innerjoin=False)
    subject = relationship("User", foreign_keys=[subject_id], lazy="joined", innerjoin=False)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _values(kind: str, actor, obj, summary: str, about) -> dict:
    if kind not in KINDS:
        raise ValueError(f"Unknown audit kind {kind!r}: add it to audit.KINDS")
    if actor is None and has_request_context():
        from flask_login import current_user

        actor = current_user if current_user and current_user.is_authenticated else None
    object_type = getattr(obj, "__tablename__", "") if obj is not None else ""
    if about is None and object_type == "user":
        about = obj
    return {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", actor) if actor != SYSTEM else None,
        "address": (request.remote_addr or "")[:45] if has_request_context() else "",
        "kind": kind, "object_type": object_type,
        "object_id": getattr(obj, "id", None) if obj is not None else None,
        "subject_id": getattr(about, "id", about),
        "summary": summary[:500],
    }


def record(kind: str, *, actor=None, obj=None, summary: str = "", about=None) -> AuditEntry:
    """Add an entry to the request's transaction. ``actor``: a User, or None for the signed-in
    person (the system outside a request), or ``SYSTEM``. ``obj``: the record concerned (a
    model instance); ``about``: the person it concerns, when ``obj`` is not that person."""
    entry = AuditEntry(**_values(kind, actor, obj, summary, about))
    db.session.add(entry)
    return entry


def record_apart(kind: str, *, actor=None, obj=None, summary: str = "", about=None) -> None:
    """Write and commit at once on a connection of its own: the request may roll back."""
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEntry), [_values(kind, actor, obj, summary, about)])
