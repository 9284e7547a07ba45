"""Writes: upload a file to a parent, replace it (the earlier version is kept), delete it
(into the bin, undone for UNDO_DAYS) and restore it; files deleted longer ago are purged,
their bytes too, at the next delete and by the daily retention pass. The views' loaders
check who may; so does each write."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..clock import utcnow
from ..errors import DomainError, Forbidden, clean_text
from ..extensions import db
from ..people.models import User
from . import kinds
from .models import PARENTS, UNDO_DAYS, Attachment, AttachmentVersion
from .permissions import can_change
from .storage import storage

MB = 1024 * 1024


class TooLarge(DomainError):
    status = 413


def limit() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * MB


def too_large_message() -> str:
    return (f"The file is larger than {current_app.config['MAX_UPLOAD_MB']} MB, the most the "
            "site accepts. Make it smaller (save a PDF for the screen, shrink the pictures) "
            "or split it.")


def read_upload(upload) -> tuple[str, bytes, str]:
    """An uploaded file's cleaned name, bytes and type, or a message beside the file field."""
    if upload is None or not getattr(upload, "filename", None):
        raise DomainError("Choose a file to upload.", field="file")
    data = upload.read(limit() + 1)
    if len(data) > limit():
        raise TooLarge(too_large_message(), field="file")
    name = kinds.clean_name(upload.filename)
    content_type = kinds.check(name, data)
    return name, data, content_type


def _check(actor: User, kind: str, parent) -> None:
    if not can_change(actor, kind, parent):
        raise Forbidden("You cannot change the files here.")


def _title(title: str, name: str) -> str:
    return clean_text(title, field="title", label="the title", limit=200) \
        or name.rpartition(".")[0] or name


def upload(*, actor: User, kind: str, parent, upload, title: str = "",
           description: str = "") -> Attachment:
    _check(actor, kind, parent)
    name, data, content_type = read_upload(upload)
    description = clean_text(description, field="description", label="the description",
                             limit=500)
    attachment = Attachment(**{PARENTS[kind]: parent.id}, title=_title(title, name),
                            description=description, filename=name,
                            content_type=content_type, size=len(data),
                            storage_key=storage().save(data), uploaded_by_id=actor.id,
                            uploaded_at=utcnow(), version=1)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def replace(*, actor: User, attachment: Attachment, parent, upload) -> Attachment:
    """A new version: the current one is kept among the earlier versions."""
    _check(actor, attachment.parent[0], parent)
    name, data, content_type = read_upload(upload)
    db.session.add(AttachmentVersion(
        attachment_id=attachment.id, number=attachment.version, filename=attachment.filename,
        content_type=attachment.content_type, size=attachment.size,
        storage_key=attachment.storage_key, uploaded_at=attachment.uploaded_at,
        uploaded_by_id=attachment.uploaded_by_id))
    attachment.filename, attachment.content_type, attachment.size = name, content_type, len(data)
    attachment.storage_key = storage().save(data)
    attachment.uploaded_at, attachment.uploaded_by_id = utcnow(), actor.id
    attachment.version += 1
    db.session.flush()
    return attachment


def delete(*, actor: User, attachment: Attachment, parent) -> Attachment:
    _check(actor, attachment.parent[0], parent)
    attachment.deleted_at, attachment.deleted_by_id = utcnow(), actor.id
    db.session.flush()
    purge()
    return attachment


def restore(*, actor: User, attachment: Attachment, parent) -> Attachment:
    _check(actor, attachment.parent[0], parent)
    if attachment.deleted_at is None or attachment.deleted_at < utcnow() - timedelta(days=UNDO_DAYS):
        raise DomainError("This file can no longer be restored.")
    attachment.deleted_at = attachment.deleted_by_id = None
    db.session.flush()
    return attachment


def purge(now: datetime | None = None, *, dry_run: bool = False) -> int:
    """Remove the files deleted more than UNDO_DAYS ago, every version's bytes too; returns
    how many. The rows go with this transaction; the bytes at once (a file past its undo is
    gone either way). Run at each delete and by the daily retention pass."""
    old = db.session.scalars(select(Attachment).where(
        Attachment.deleted_at < (now or utcnow()) - timedelta(days=UNDO_DAYS))).all()
    if dry_run:
        return len(old)
    store = storage()
    for attachment in old:
        for key in [attachment.storage_key, *(v.storage_key for v in attachment.versions)]:
            store.delete(key)
        db.session.delete(attachment)
    db.session.flush()
    return len(old)


ORPHAN_SECONDS = 86400  # an upload's bytes are saved before its row commits: spare the young


def sweep(*, dry_run: bool = False) -> int:
    """Remove stored bytes that no file or earlier version refers to any more (the papers of
    an agenda item declined or a meeting deleted go with their rows; their bytes stay), once
    a day old; returns how many."""
    store = storage()
    kept = set(db.session.scalars(select(Attachment.storage_key))) | \
        set(db.session.scalars(select(AttachmentVersion.storage_key)))
    orphans = [key for key in store.keys(older_than=ORPHAN_SECONDS) if key not in kept]
    if not dry_run:
        for key in orphans:
            store.delete(key)
    return len(orphans)
