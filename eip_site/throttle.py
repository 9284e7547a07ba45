"""The throttle's counts in the site's own database, so every worker and every machine
counts the same failed sign-ins (``memory://`` counts per worker: with two gunicorn
workers, nine tries got through a limit of five).

A storage for the ``limits`` library that Flask-Limiter uses, registered as
``eip-database://`` (the default ``EIP_RATELIMIT_STORAGE_URI``). Each count is one
statement (an upsert) on a connection of its own, committed at once: a failed sign-in
answers 422, whose request rolls back, and its count must stay.
"""

from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db


class RateLimit(db.Model):
    """One throttle counter: a key (the limit, the address or email), until it expires."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


_INCR = text(
    "INSERT INTO rate_limit (key, count, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN rate_limit.expires_at <= :now THEN :amount "
    "ELSE rate_limit.count + :amount END, "
    "expires_at = CASE WHEN rate_limit.expires_at <= :now THEN :expires "
    "ELSE rate_limit.expires_at END "
    "RETURNING count")


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["eip-database"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimit).where(RateLimit.expires_at < now - 86400))
            return connection.execute(_INCR, {"key": key[:255], "amount": amount, "now": now,
                                              "expires": now + expiry}).scalar_one()

    def _row(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(select(RateLimit.count, RateLimit.expires_at).where(
                RateLimit.key == key[:255], RateLimit.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimit)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimit).where(RateLimit.key == key[:255]))
