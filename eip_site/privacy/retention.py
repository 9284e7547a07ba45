"""The retention schedule (config ``RETENTION_*``, shown on the privacy notice), applied by
the worker's daily pass and ``flask apply-retention``. Each rule counts what it would remove
and, unless it is a dry run, removes it; the run is one summary entry in the audit trail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from .. import audit
from ..auth.models import AccountToken
from ..clock import to_london, utcnow
from ..directory.models import SearchMiss
from ..extensions import db
from ..files import services as files
from ..files.models import UNDO_DAYS
from ..forms import FormSubmission
from ..outbox import OutboxMessage
from ..people.models import User, UserSession
from ..reviews.models import Review, ReviewEvent
from ..throttle import RateLimit
from .erasure import blockers, erase

DAYS_A_MONTH = 30.44  # a month's length for "after N months"


@dataclass
class Rule:
    name: str
    count: int
    skipped: str = ""


def schedule(config) -> list[tuple[str, str]]:
    """The schedule in words, for the privacy notice and the README."""
    c = config
    return [
        ("Accounts deactivated and not reactivated",
         f"erased {c['RETENTION_DEACTIVATED_MONTHS']} months after deactivation"),
        ("Searches of the directory that found nobody (the words and month only)",
         f"kept {c['RETENTION_SEARCH_MISS_MONTHS']} months"),
        ("Review findings", (f"deleted {c['RETENTION_FINDINGS_YEARS']} years after the "
                             "review closes (the review itself is kept)")),
        ("The audit trail", f"kept {c['RETENTION_AUDIT_YEARS']} years"),
        ("Used and expired links, ended sign-in sessions, throttle counts and sent emails",
         f"deleted after {c['RETENTION_LINKS_DAYS']} days"),
        ("Files deleted from a meeting, network or review",
         f"can be restored for {UNDO_DAYS} days, then removed with their earlier versions"),
    ]


def _closed_before(cutoff: datetime):
    """Reviews closed before ``cutoff`` that still hold findings."""
    closed_at = select(ReviewEvent.review_id, func.max(ReviewEvent.at).label("at")) \
        .where(ReviewEvent.to_state == "closed").group_by(ReviewEvent.review_id).subquery()
    return select(Review.id).join(closed_at, closed_at.c.review_id == Review.id).where(
        Review.state == "closed", closed_at.c.at < cutoff,
        or_(Review.summary != "", Review.went_well != "", Review.to_develop != "",
            Review.safeguarding.is_(True)))


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def apply(now: datetime | None = None, *, dry_run: bool = False) -> list[Rule]:
    """Apply every rule (flush, no commit); returns what each removed (or would)."""
    cfg = current_app.config
    now = now or utcnow()
    rules: list[Rule] = []

    # Deactivated accounts: erased, unless something still needs them (then said why).
    cutoff = now - timedelta(days=cfg["RETENTION_DEACTIVATED_MONTHS"] * DAYS_A_MONTH)
    due = db.session.scalars(select(User).where(
        User.active.is_(False), User.erased_at.is_(None), User.deactivated_at < cutoff)
        .order_by(User.id)).all()
    waiting = [u for u in due if blockers(u)]
    ready = [u for u in due if u not in waiting]
    if not dry_run:
        for person in ready:
            erase(actor=None, person=person)
    rules.append(Rule("Deactivated accounts erased", len(ready),
                      f"{len(waiting)} still booked or leading a network" if waiting else ""))

    month = to_london(now - timedelta(days=cfg["RETENTION_SEARCH_MISS_MONTHS"] * DAYS_A_MONTH))
    rules.append(_delete("Unmet searches", delete(SearchMiss).where(
        SearchMiss.month < month.strftime("%Y-%m")), dry_run))

    closed = _closed_before(now - timedelta(days=cfg["RETENTION_FINDINGS_YEARS"] * 365.25))
    findings = Rule("Review findings deleted", _count(closed))
    if not dry_run and findings.count:
        db.session.execute(update(Review).where(Review.id.in_(closed)).values(
            went_well="", to_develop="", summary="", safeguarding=False,
            version=Review.version + 1), execution_options={"synchronize_session": False})
    rules.append(findings)

    rules.append(_delete("Audit entries", delete(audit.AuditEntry).where(
        audit.AuditEntry.at < now - timedelta(days=cfg["RETENTION_AUDIT_YEARS"] * 365.25)),
        dry_run))

    week = now - timedelta(days=cfg["RETENTION_LINKS_DAYS"])
    rules.append(_delete("Form submissions", delete(FormSubmission).where(
        FormSubmission.created_at < week), dry_run))
    rules.append(_delete("Used or expired invitation and reset links", delete(AccountToken)
                         .where(or_(AccountToken.used_at < week,
                                    AccountToken.expires_at < week)), dry_run))
    # A session row outlives its cookie: remember-me cookies last REMEMBER_COOKIE_DURATION.
    ended = now - timedelta(seconds=cfg["REMEMBER_COOKIE_DURATION"]) - \
        timedelta(days=cfg["RETENTION_LINKS_DAYS"])
    rules.append(_delete("Ended sign-in sessions", delete(UserSession).where(
        UserSession.created_at < ended), dry_run))
    rules.append(_delete("Old throttle counts", delete(RateLimit).where(
        RateLimit.expires_at < time.time() - cfg["RETENTION_LINKS_DAYS"] * 86400), dry_run))
    rules.append(_delete("Sent emails", delete(OutboxMessage).where(
        OutboxMessage.state == "sent", OutboxMessage.sent_at < week), dry_run))
    rules.append(Rule(f"Deleted files past their {UNDO_DAYS} days",
                      files.purge(now, dry_run=dry_run)))
    rules.append(Rule("Stored files nothing refers to", files.sweep(dry_run=dry_run)))

    if not dry_run:
        audit.record("privacy.retention", actor=audit.SYSTEM, summary="; ".join(
            f"{r.name}: {r.count}" for r in rules if r.count) or "Nothing was due")
    db.session.flush()
    return rules


def _delete(name: str, stmt, dry_run: bool) -> Rule:
    table = stmt.table
    if dry_run:
        return Rule(name, db.session.scalar(select(func.count()).select_from(table)
                                            .where(stmt.whereclause)))
    return Rule(name, db.session.execute(stmt, execution_options={
        "synchronize_session": False}).rowcount)


def run(_day=None, now: datetime | None = None, *, dry_run: bool = False) -> list[Rule]:
    """Apply the schedule and commit (the worker's daily job, `flask apply-retention`)."""
    try:
        rules = apply(now, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return rules
