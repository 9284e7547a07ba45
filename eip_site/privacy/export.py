"""Subject access: everything the site holds about one person, as a zip of a readable HTML
page, the same as JSON, and a CSV a section. Read from the tables in ``PERSON_TABLES``, so
a table added there is exported without more code."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime

from flask import render_template
from sqlalchemy import or_, select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..people.models import Partnership, User
from ..reviews.models import Review
from ..reviews.permissions import can_see_findings
from .registry import FINDINGS, PERSON_TABLES, SECRETS

# A column naming a row of these tables is shown with that row's name beside it.
_LABELS = {"user": "name", "school": "name", "skill": "name", "network": "name",
           "skill_category": "name", "agenda_item": "title"}
_SKIP = {"user_session": {"id"}}


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting = + - @ (or a tab or return)
    is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    return value


def _person_columns(table):
    return [fk.parent for fk in table.foreign_keys if fk.column.table.name == "user"]


def _label(table_name: str, column, value, cache: dict) -> str | None:
    targets = [fk.column.table for fk in column.foreign_keys]
    if value is None or not targets or targets[0].name not in _LABELS:
        return None
    target = targets[0]
    key = (target.name, value)
    if key not in cache:
        cache[key] = db.session.scalar(select(target.c[_LABELS[target.name]])
                                       .where(target.c.id == value))
    return cache[key]


def _sections(person: User, viewer: User) -> dict[str, list[dict]]:
    """Section name -> rows (column -> value), for every table that refers to the person."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    cache: dict = {}
    out: dict[str, list[dict]] = {}
    for name, held in PERSON_TABLES.items():
        table = tables[name]
        where = [table.c.id == person.id] if name == "user" else \
            [c == person.id for c in _person_columns(table)]
        rows = db.session.execute(select(table).where(or_(*where))).mappings().all()
        skip = SECRETS | _SKIP.get(name, set())
        section = []
        for row in rows:
            values = {}
            hidden = name == "review" and not _entitled(person, viewer,
                                                        db.session.get(Review, row["id"]))
            for column in table.columns:
                if column.name in skip or (hidden and column.name in FINDINGS):
                    continue
                values[column.name] = _plain(row[column.name])
                label = _label(name, column, row[column.name], cache)
                if label is not None:
                    values[column.name.removesuffix("_id") + "_name"] = label
            if name == "user":  # how they sign in, without the secret itself
                values["sign_in_method"] = "Password" if row["password_hash"] else \
                    "None (no password set)"
            section.append(values)
        out[held.export] = section
    out["Reviews they were on"] = _reviews(person, viewer)
    return out


def _entitled(person: User, viewer: User, review: Review) -> bool:
    """Findings go in the export only where both the person and whoever made it may read
    them."""
    return can_see_findings(person, review) and can_see_findings(viewer, review)


def _reviews(person: User, viewer: User) -> list[dict]:
    """The reviews on whose team they were: their role and the dates; the findings only
    where the person asking (themselves, or a lead) may see them."""
    from ..reviews.models import ReviewMember

    rows = []
    for member in db.session.scalars(select(ReviewMember).where(
            ReviewMember.user_id == person.id)):
        review = member.review
        row = {"review_id": review.id, "host_school": review.host_school.name,
               "role": member.role, "days": ", ".join(d.isoformat() for d in review.dates),
               "state": review.state_label, "focus": review.focus}
        if _entitled(person, viewer, review):
            row |= {"went_well": review.went_well, "to_develop": review.to_develop,
                    "summary": review.summary, "safeguarding": review.safeguarding}
        rows.append(row)
    return rows


def subject_access(person: User, *, viewer: User) -> bytes:
    """The zip for ``person``, made for ``viewer`` (themselves, or a lead or admin); the
    export is recorded in the audit trail."""
    sections = _sections(person, viewer)
    made = utcnow().replace(microsecond=0)
    partnership = Partnership.current()
    data = {"person": person.id, "made_at": made.isoformat(), "by": viewer.id,
            "held_by": partnership.controller_name or partnership.name, "sections": sections}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-data.html", render_template(
            "privacy/export.html", person=person, sections=sections, made=made,
            partnership=partnership))
        archive.writestr("your-data.json", json.dumps(data, indent=2, ensure_ascii=False,
                                                      default=str))
        for title, rows in sections.items():
            header = list(dict.fromkeys(k for row in rows for k in row))
            archive.writestr(f"csv/{title.lower().replace(' ', '-')}.csv",
                             csv_bytes(header, ([row.get(k) for k in header] for row in rows)))
    audit.record("privacy.subject_access", actor=viewer, obj=person,
                 summary="Their own data" if viewer.id == person.id
                 else "Made by a lead or administrator")
    return buffer.getvalue()
