"""The retention schedule: each rule removes what is past its time, a dry run removes
nothing and says what it would, and the run is audited."""

from __future__ import annotations

import os
import time as wall
from datetime import timedelta

from sqlalchemy import func, select

from eip_site.audit import AuditEntry, record
from eip_site.auth.models import AccountToken
from eip_site.clock import utcnow
from eip_site.directory.models import SearchMiss
from eip_site.extensions import db
from eip_site.files.models import Attachment
from eip_site.files.storage import storage
from eip_site.forms import FormSubmission
from eip_site.outbox import OutboxMessage
from eip_site.people.models import User
from eip_site.privacy import retention
from eip_site.reviews.models import Review, ReviewEvent
from eip_site.throttle import RateLimit

from .. import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _old_things(now):
    """One of each thing past its time, and one of each still within it."""
    long_ago = now - timedelta(days=400)
    gone = factories.user(name="Gone Away", active=False, deactivated_at=long_ago)
    factories.user(name="Recently Gone", active=False, deactivated_at=now - timedelta(days=30))
    factories.search_miss("latin", month=(now - timedelta(days=800)).strftime("%Y-%m"))
    factories.search_miss("greek", month=now.strftime("%Y-%m"))
    old = factories.review(state="closed", start=(now - timedelta(days=1500)).date(),
                           summary="Old findings", went_well="Old praise")
    new = factories.review(state="closed", start=(now - timedelta(days=100)).date(),
                           summary="New findings")
    db.session.add_all([
        ReviewEvent(review_id=old.id, from_state="impact", to_state="closed",
                    at=now - timedelta(days=1400)),
        ReviewEvent(review_id=new.id, from_state="impact", to_state="closed",
                    at=now - timedelta(days=50)),
        AuditEntry(kind="account.invited", at=now - timedelta(days=7 * 365)),
        FormSubmission(token="a" * 20, created_at=now - timedelta(days=8)),
        FormSubmission(token="b" * 20, created_at=now),
        AccountToken(token_hash="c" * 64, purpose="invite", user_id=gone.id,
                     created_at=long_ago, expires_at=long_ago),
        RateLimit(key="old", count=1, expires_at=wall.time() - 30 * 86400),
        OutboxMessage(message_id="<m@x>", to="a@b.c", subject="s", content=b"x",
                      state="sent", sent_at=now - timedelta(days=8)),
    ])
    record("account.invited", actor="system")
    # Files: one deleted past its undo, one deleted lately; bytes no row names, old and new.
    for deleted_at in (now - timedelta(days=40), now - timedelta(days=5)):
        db.session.add(Attachment(review_id=new.id, title="Data", filename="guide.pdf",
                                  content_type="application/pdf", size=3, uploaded_at=now,
                                  storage_key=storage().save(b"pdf"), deleted_at=deleted_at))
    stray, fresh = storage().save(b"stray"), storage().save(b"uploading")
    day_ago = wall.time() - 2 * 86400
    os.utime(storage().root / stray, (day_ago, day_ago))
    db.session.flush()
    return gone, old, new, (stray, fresh)


def test_a_dry_run_counts_per_rule_and_removes_nothing(app, ctx):
    now = utcnow()
    _old_things(now)
    ctx.commit()
    result = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    lines = {line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1]
             for line in result.output.splitlines()[1:]}
    assert lines == {"Deactivated accounts erased": "1", "Unmet searches": "1",
                     "Review findings deleted": "1", "Audit entries": "1",
                     "Form submissions": "1",
                     "Used or expired invitation and reset links": "1",
                     "Ended sign-in sessions": "0", "Old throttle counts": "1",
                     "Sent emails": "1", "Deleted files past their 30 days": "1",
                     "Stored files nothing refers to": "1"}
    assert _count(SearchMiss) == 2 and _count(FormSubmission) == 2 and _count(Attachment) == 2
    assert len(storage().keys()) >= 4
    assert db.session.scalar(select(User).where(User.name == "Gone Away"))
    assert not db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "privacy.retention"))


def test_applying_removes_what_is_past_its_time_and_keeps_the_rest(app, ctx):
    now = utcnow()
    gone, old, new, (stray, fresh) = _old_things(now)
    kept = {a.storage_key for a in db.session.scalars(select(Attachment))}
    rules = retention.apply(now)
    assert {r.name: r.count for r in rules}["Review findings deleted"] == 1
    ctx.expire_all()
    assert gone.name.startswith("Former member") and gone.erased_at is not None
    assert db.session.scalar(select(User).where(User.name == "Recently Gone"))
    assert [m.term for m in db.session.scalars(select(SearchMiss))] == ["greek"]
    assert (old.summary, old.went_well) == ("", "") and db.session.get(Review, old.id)
    assert new.summary == "New findings"
    assert _count(FormSubmission) == 1 and _count(AccountToken) == 0
    assert _count(RateLimit) == 0 and _count(OutboxMessage) == 0
    # The file deleted 40 days ago goes, bytes and all; the stray bytes go; the upload whose
    # row may not be committed yet, and the file still in its undo, stay.
    left = db.session.scalars(select(Attachment)).all()
    assert [a.deleted_at > now - timedelta(days=6) for a in left] == [True]
    on_disk = set(storage().keys())
    assert stray not in on_disk and fresh in on_disk and left[0].storage_key in on_disk
    assert not (kept - {left[0].storage_key}) & on_disk
    kinds = [e.kind for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert kinds.count("account.invited") == 1  # the seven-year-old one went
    summary = db.session.scalars(select(AuditEntry.summary).where(
        AuditEntry.kind == "privacy.retention")).one()
    assert "Deactivated accounts erased: 1" in summary and "Unmet searches: 1" in summary


def test_the_worker_applies_it_once_a_day_from_its_hour(app, ctx):
    from eip_site.notifications.services import daily

    runs = []
    due = daily(3, lambda day, now: runs.append(day))
    at = utcnow().replace(hour=12, minute=0)
    assert due(at) and not due(at + timedelta(minutes=5))
    assert due(at + timedelta(days=1)) and len(runs) == 2


def test_deactivating_starts_the_clock(app, ctx):
    lead = factories.user(roles={"lead"}, school=None)
    person = factories.user()
    from eip_site.people.services import set_active

    set_active(actor=lead, user=person, active=False)
    assert person.deactivated_at is not None
