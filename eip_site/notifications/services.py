"""Sending what people asked for, how they asked for it; reminders and digests, each once."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from ..errors import DomainError
from ..extensions import db
from ..mail import absolute_url, send_mail
from ..people.models import Partnership, User
from .models import KINDS, MODES, DigestItem, Preference

log = logging.getLogger(__name__)


def preferences(user: User) -> dict[str, str]:
    chosen = dict(db.session.execute(
        select(Preference.kind, Preference.mode).where(Preference.user_id == user.id)).all())
    return {kind: chosen.get(kind, default) for kind, (_label, default) in KINDS.items()}


def modes_for(user_ids, kind: str) -> dict[int, str]:
    """How each of ``user_ids`` chose to get ``kind``, in one query."""
    ids = set(user_ids)
    chosen = dict(db.session.execute(select(Preference.user_id, Preference.mode).where(
        Preference.user_id.in_(ids), Preference.kind == kind)).all()) if ids else {}
    return {i: chosen.get(i, KINDS[kind][1]) for i in ids}


def save_preferences(*, actor: User, modes: dict[str, str]) -> None:
    for kind, mode in modes.items():
        if kind not in KINDS or mode not in MODES:
            raise DomainError("Choose how you want each kind of email.", field=kind)
    db.session.execute(delete(Preference).where(Preference.user_id == actor.id))
    db.session.add_all(Preference(user_id=actor.id, kind=k, mode=m) for k, m in modes.items())
    db.session.flush()


# --- The unsubscribe link: signed, so it needs no sign-in and cannot be forged --------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    return _signer().dumps([user.id, kind])


def read_unsubscribe(token: str) -> tuple[User, str] | None:
    try:
        user_id, kind = _signer().loads(token[:200])
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, kind) if user is not None and kind in KINDS else None


def unsubscribe(*, user: User, kind: str) -> None:
    db.session.merge(Preference(user_id=user.id, kind=kind, mode="none"))
    db.session.flush()


def footer(user: User, kind: str) -> str:
    return render_template("notifications/_footer.txt", label=KINDS[kind][0].lower(),
                           unsubscribe=unsubscribe_url(user, kind),
                           settings=absolute_url("notifications.settings"))


def unsubscribe_url(user: User, kind: str) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user, kind))


def unsubscribe_headers(user: User, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail programs POST to the link to turn the kind off."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- Sending --------------------------------------------------------------------------------

def notify(*, user: User, kind: str, subject: str, body: str,
           attachments: list[tuple[str, str, bytes]] | None = None,
           mode: str | None = None, at_once: bool = False) -> str:
    """Email now, keep for the digest, or drop, as ``user`` chose for ``kind`` (``at_once``:
    now even if they chose the digest). Returns the mode used. Calendar attachments only
    travel in emails sent at once."""
    mode = mode or preferences(user)[kind]
    if at_once and mode == "digest":
        mode = "now"
    if mode == "now":
        send_mail(to=user.email, subject=subject, body=body + footer(user, kind),
                  attachments=attachments, kind=kind, headers=unsubscribe_headers(user, kind))
    elif mode == "digest":
        db.session.add(DigestItem(user_id=user.id, kind=kind, subject=subject[:300],
                                  body=_without_greeting(body)))
        db.session.flush()
    return mode


def _without_greeting(body: str) -> str:
    """A digest greets once: an item's own "Hello Dee," line is left out."""
    first, _, rest = body.partition("\n")
    return rest.lstrip("\n") if first.startswith("Hello ") and first.endswith(",") else body


_LINK = re.compile(r"https?://\S+")


def digest_line(item: DigestItem) -> str:
    """An item of the digest in one line: its subject and the link its email ends with (the
    page to read it on), not the whole email again."""
    links = _LINK.findall(item.body)
    return f"- {item.subject}: {links[-1]}" if links else f"- {item.subject}"


def send_digests() -> int:
    """One email per person with everything waiting for them; returns how many were sent."""
    waiting: dict[int, list[DigestItem]] = {}
    for item in db.session.scalars(select(DigestItem).order_by(DigestItem.user_id, DigestItem.id)):
        waiting.setdefault(item.user_id, []).append(item)
    sent = 0
    for user_id, items in waiting.items():
        user = db.session.get(User, user_id)
        if user is not None and user.active:

            groups = [(kind, label, [digest_line(i) for i in items if i.kind == kind],
                       unsubscribe_url(user, kind))
                      for kind, (label, _default) in KINDS.items()
                      if any(i.kind == kind for i in items)]
            send_mail(to=user.email,
                      subject=f"Your daily digest: {len(items)} update{'s' if len(items) != 1 else ''}",
                      body=render_template("notifications/email_digest.txt", user=user,
                                           groups=groups, partnership=Partnership.current(),
                                           settings=absolute_url("notifications.settings")))
            sent += 1
        db.session.execute(delete(DigestItem).where(DigestItem.id.in_([i.id for i in items])))
        db.session.commit()  # each person's digest goes once, even if a later one fails
    return sent


def daily(hour: int, job):
    """A function to call after each of the worker's passes, which runs ``job(day, now)``
    once a day from ``hour`` (London; -1: never)."""
    from ..clock import to_london, utcnow

    ran_on = []

    def run_if_due(now: datetime | None = None) -> bool:
        now = now or utcnow()
        local = to_london(now)
        if hour < 0 or local.hour < hour or ran_on == [local.date()]:
            return False
        ran_on[:] = [local.date()]
        job(local.date(), now)
        return True
    return run_if_due
