"""A recent sign-in before the most sensitive actions: the time of the last password or code
the person entered is kept in the session (``mark``); an action wrapped in
``require_recent_auth`` (or a view calling ``recent_auth_needed``) sends someone whose
last one is older than ``RECENT_AUTH_MINUTES`` to enter it again, then back. A form they
had sent is kept meanwhile (``KEPT``), so that coming back they save it with one press
rather than filling it in again."""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, flash, request, session, url_for

from ..htmx import hx_redirect

AUTH_AT = "auth_at"  # session key: when the person last entered a password or code
KEPT = "kept_form"  # session key: the form sent when the question came, {"path", "fields"}
KEPT_LIMIT = 2000  # characters of a kept form: the session is a cookie of at most 4 KB
ASK = "For your security, enter your password or a code from your authenticator app again."


def mark() -> None:
    """The person has just entered a password or code (an SSO sign-in counts too)."""
    session[AUTH_AT] = time.time()


def is_recent() -> bool:
    at = session.get(AUTH_AT)
    return isinstance(at, (int, float)) and \
        time.time() - at < int(current_app.config["RECENT_AUTH_MINUTES"]) * 60


def recent_auth_needed(next_url: str | None = None):
    """None when the last sign-in is recent; otherwise the answer that asks again and comes
    back to ``next_url`` (default: this page, for a GET)."""
    if is_recent():
        return None
    flash(ASK, "info")
    target = next_url or (request.full_path.rstrip("?") if request.method == "GET" else
                          request.path)
    session.pop(KEPT, None)
    if request.method == "POST":
        fields = [[k, v] for k, v in request.form.items(multi=True) if k != "csrf_token"]
        if sum(len(k) + len(v) for k, v in fields) <= KEPT_LIMIT:
            session[KEPT] = {"path": request.path, "fields": fields}
    return hx_redirect(url_for("auth.reauth", next=target))


def confirmed(next_url: str) -> str:
    """Where to go once the person has confirmed it is them: the page that sends their kept
    form again, or ``next_url``."""
    mark()
    return url_for("auth.reauth_continue") if KEPT in session else next_url


def require_recent_auth(view):
    """A view that only runs right after the person entered a password or code."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        return recent_auth_needed() or view(*args, **kwargs)
    return wrapper
