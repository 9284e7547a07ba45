"""Confirming an import: the previewed rows carried to the confirm step, checked again
against the directory, and applied exactly as previewed (flush, no commit)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..auth.services import send_invitation
from ..clock import utcnow
from ..directory.models import Offer, Profile, Qualification, Skill, UserSkill
from ..directory.permissions import can_confirm_qualifications
from ..directory.services import tell_profile_changed
from ..errors import DomainError, StaleEdit
from ..extensions import db
from ..people.models import PHASES, User
from .preview import Preview, preview_import
from .spreadsheets import COLUMNS, FileProblem, Table

TOKEN_AGE = 60 * 60               # seconds a preview stays confirmable
UNREADABLE = "This preview could not be read. Upload the file again."


class PreviewProblem(DomainError):
    status = 400


class PreviewChanged(DomainError):
    """The directory changed between preview and confirm: show the new preview instead."""

    status = 409

    def __init__(self, preview: Preview):
        super().__init__("The directory has changed since you checked this file. Nothing has "
                         "been saved: check the rows again, then confirm.")
        self.preview = preview


# --- Carrying the preview to the confirm step --------------------------------------------
# The app keeps nothing in memory between requests (several instances may serve them), so
# the preview page carries the rows that would change in a hidden field: signed with the
# app's secret (so they cannot be altered), compressed, and valid for an hour. Confirming
# checks them again against the database and refuses if the outcome would differ.

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="directory-import")


def dump_token(preview: Preview, *, actor: User) -> str:
    rows = [[r.number, [r.cells.get(c, "") for c in COLUMNS]] for r in preview.ready]
    token = _serializer().dumps({"u": actor.id, "s": preview.school_id, "n": preview.filename,
                                 "r": rows, "h": preview.fingerprint, "c": preview.choices})
    if len(token) > current_app.config.get("MAX_FORM_MEMORY_SIZE", 500_000) - 10_000:
        raise FileProblem("This file holds too much to import in one go. Split it into "
                          "smaller files.")
    return token


def load_token(token: str, *, actor: User) -> tuple[Table, int | None, str, dict[str, int]]:
    """The previewed rows, the school, the preview's fingerprint and the "did you mean…?"
    choices it was made with."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_AGE)
    except SignatureExpired as exc:
        raise PreviewProblem("This preview is more than an hour old. Upload the file again.") \
            from exc
    except BadSignature as exc:
        raise PreviewProblem(UNREADABLE) from exc
    if data.get("u") != actor.id:
        raise PreviewProblem(UNREADABLE)
    rows = [(number, {c: v for c, v in zip(COLUMNS, values) if v})
            for number, values in data["r"]]
    return Table(data["n"], rows), data["s"], data["h"], data.get("c", {})


@dataclass
class Summary:
    created: int
    updated: int
    suggested: int
    invited: int

    @property
    def message(self) -> str:
        parts = [f"Import saved: {self.created} new {'person' if self.created == 1 else 'people'}"
                 f" and {self.updated} updated."]
        if self.suggested:
            parts.append(f"{self.suggested} new skill{'s' if self.suggested > 1 else ''} "
                         "suggested for a cluster lead to approve.")
        if self.invited:
            parts.append(f"Invitations emailed to {self.invited} "
                         f"{'person' if self.invited == 1 else 'people'}.")
        return " ".join(parts)


def recheck(*, actor: User, token: str, answers: dict[str, str]) -> Preview:
    """The preview again, with the importer's answers to "did you mean…?" (form fields
    ``mean:<key>`` holding a skill id, or 0 for a new skill)."""
    table, school_id, _fingerprint, choices = load_token(token, actor=actor)
    for name, value in answers.items():
        if name.startswith("mean:") and value.isdigit() and len(value) < 10:
            choices[name[len("mean:"):]] = int(value)
    return preview_import(actor=actor, table=table, school_id=school_id, choices=choices)


def confirm_import(*, actor: User, token: str, invite: bool = False) -> Summary:
    """Check the previewed rows again and apply them, or PreviewChanged if the outcome moved."""
    table, school_id, fingerprint, choices = load_token(token, actor=actor)
    preview = preview_import(actor=actor, table=table, school_id=school_id, choices=choices)
    if preview.fingerprint != fingerprint or any(r.state == "error" for r in preview.rows):
        raise PreviewChanged(preview)
    return apply_import(actor=actor, preview=preview, invite=invite)


@contextmanager
def _clash_is_stale():
    try:
        yield
    except IntegrityError as exc:  # someone added the same person or skill a moment ago
        raise StaleEdit("Someone changed the directory while you were importing. Nothing "
                        "was saved: upload the file again.") from exc


def apply_import(*, actor: User, preview: Preview, invite: bool = False) -> Summary:
    """Make the previewed changes (flush, no commit). New people get accounts with no
    password; ``invite`` emails each of them a link to set one."""
    skills = {key: Skill(name=name, category_id=category, status="suggested",
                         suggested_by_id=actor.id, synonyms="")
              for key, (name, category) in preview.suggestions.items()}
    db.session.add_all(skills.values())
    for row in preview.ready:
        user = row.user
        if user is None:
            continue
        if row.name != user.name:
            user.name = row.name
        if row.job_title is not None and row.job_title != user.job_title:
            user.job_title = row.job_title
        if row.school_id != user.school_id:
            user.school_id = row.school_id
    fresh = [row for row in preview.ready if row.user is None]
    new_ids: set[int] = set()
    with _clash_is_stale():
        db.session.flush()
        if fresh:  # one multi-row INSERT, not one per person
            ids = dict(db.session.execute(insert(User).returning(User.email, User.id), [
                {"name": r.name, "email": r.email, "school_id": r.school_id,
                 "job_title": r.job_title or "", "active": True} for r in fresh]).all())
            created = {u.id: u for u in db.session.scalars(
                select(User).where(User.id.in_(ids.values())))}
            for row in fresh:
                row.user = created[ids[row.email]]
            new_ids = set(created)
    for row in preview.ready:
        uid = row.user.id
        for key, relation in row.skills.items():
            skill_id = skills[key].id if isinstance(key, str) else key
            link = preview.links.get((uid, skill_id))
            if link is not None:
                link.relation = relation
            else:
                db.session.add(UserSkill(user_id=uid, skill_id=skill_id, relation=relation))
        db.session.add_all(Offer(user_id=uid, kind=k) for k in row.offers)
        # A head importing their school's staff (or a lead) vouches for the training listed.
        vouched = utcnow() if can_confirm_qualifications(actor, row.user) else None
        db.session.add_all(Qualification(user_id=uid, kind=k, confirmed_at=vouched,
                                         confirmed_by_id=vouched and actor.id)
                           for k in row.qualifications)
        fields = {"hours_per_term": row.hours, "subjects": row.subjects,
                  "offers_paused": row.paused, "phases": None if row.phases is None else
                  "|".join(k for k in PHASES if k in row.phases)}
        fields = {k: v for k, v in fields.items() if v is not None}
        if fields:
            profile = None if uid in new_ids else row.user.profile
            if profile is None:
                db.session.add(Profile(user_id=uid, **fields))
            else:
                for name, value in fields.items():
                    setattr(profile, name, value)
    with _clash_is_stale():
        db.session.flush()
    tell_profile_changed(actor, {row.user: row.changes for row in preview.ready
                                 if row.user.id not in new_ids})  # one notice a person
    if invite:
        for row in fresh:
            send_invitation(user=row.user, actor=actor)
    summary = Summary(len(fresh), len(preview.ready) - len(fresh), len(skills),
                      len(fresh) if invite else 0)
    school = (preview.school_names.get(preview.school_id, "") if preview.school_id
              else "schools as each row says")
    audit.record("directory.imported", actor=actor, summary=(
        f"{preview.filename[:80]} for {school}: {summary.created} new, {summary.updated} "
        f"updated, {summary.suggested} skills suggested, {summary.invited} invited"))
    return summary
