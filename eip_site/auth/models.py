"""Single-use, expiring links (invitations and password resets) and the second factor."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db, one_of
from ..people.models import User

INVITE, RESET = "invite", "reset"


def hash_token(raw: str) -> str:
    """Only the hash is stored, so a leaked database holds no working links."""
    return hashlib.sha256(raw.encode()).hexdigest()


class AccountToken(db.Model):
    __tablename__ = "account_token"
    __table_args__ = (CheckConstraint(one_of("purpose", (INVITE, RESET)), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(), default=utcnow
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime())
    used_at: Mapped[datetime | None] = mapped_column(DateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class UserIdentity(db.Model):
    """A sign-in method linked to an account: the provider's name and its subject (``sub``)
    for the person, unique together. The email is the one the provider gave at linking."""

    __tablename__ = "user_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime())


class UserTotp(db.Model):
    """A person's authenticator app (TOTP, RFC 6238): the shared secret, kept unconfirmed
    until they enter a code from it, and the last time-step used, so a code works once."""

    __tablename__ = "user_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    secret: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime())
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(db.Model):
    """One single-use recovery code: only a salted SHA-256 of it is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column(DateTime())
