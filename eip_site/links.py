"""Signed links that let a person take one step from an email without signing in (a head
confirms or declines a review). The link names the person, the object and the object's
version when it was sent: once the step is taken (or anything else changes the object) the
version moves on and the link is spent, so it works once. It lasts ``LINK_VALID_DAYS``."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

EXPIRED, BAD = "expired", "bad"


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"link-{purpose}")


def make(purpose: str, *values: int) -> str:
    return _signer(purpose).dumps(list(values))


def read(purpose: str, token: str) -> tuple[list | None, str | None]:
    """(the values, None), or (None, EXPIRED or BAD)."""
    max_age = current_app.config["LINK_VALID_DAYS"] * 86400
    try:
        values = _signer(purpose).loads(token[:300], max_age=max_age)
    except SignatureExpired:
        return None, EXPIRED
    except (BadSignature, ValueError, TypeError):
        return None, BAD
    if not isinstance(values, list) or not all(isinstance(v, int) for v in values):
        return None, BAD
    return values, None
