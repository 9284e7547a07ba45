"""The directory written out as a spreadsheet, and the empty import template."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.models import (OFFERS, QUALIFICATIONS, RELATIONS, Offer, Qualification,
                                Skill, UserSkill)
from ..extensions import db
from ..people.models import User
from .spreadsheets import COLUMNS, EXPORT_COLUMNS, to_csv, to_xlsx


def export_rows() -> list[list]:
    """Everyone the directory shows (active), as EXPORT_COLUMNS. Email only for
    those who show it; offers only while not paused. Five queries whatever the size."""
    users = list(db.session.scalars(
        select(User).where(User.active.is_(True))
        .options(selectinload(User.profile))))
    skills: dict[int, list[tuple[str, str]]] = {}
    for uid, name, relation in db.session.execute(
            select(UserSkill.user_id, Skill.name, UserSkill.relation)
            .join(Skill, Skill.id == UserSkill.skill_id).where(Skill.status == "approved")):
        skills.setdefault(uid, []).append((name, relation))
    offers: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Offer.user_id, Offer.kind)):
        offers.setdefault(uid, []).append(OFFERS[kind])
    quals: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Qualification.user_id, Qualification.kind)):
        quals.setdefault(uid, []).append(QUALIFICATIONS[kind])
    order = list(RELATIONS)
    rows = []
    for user in sorted(users, key=lambda u: (u.school.name if u.school else "", u.name.lower())):
        profile = user.profile
        mine = sorted(skills.get(user.id, []), key=lambda s: (order.index(s[1]), s[0].lower()))
        paused = profile is not None and profile.offers_paused
        rows.append([
            user.email if profile is None or profile.show_email else "",
            user.name, user.job_title,
            user.school.urn if user.school else "", user.school.name if user.school else "",
            "; ".join(f"{n}: {r}" for n, r in mine if r != "develop"),
            "; ".join(n for n, r in mine if r == "develop"),
            "" if paused else "; ".join(sorted(offers.get(user.id, []))),
            profile.hours_per_term if profile is not None else 0,
            "; ".join(sorted(quals.get(user.id, []))),
        ])
    return rows


def export_file(fmt: str) -> bytes:
    rows = export_rows()
    return to_csv(EXPORT_COLUMNS, rows) if fmt == "csv" else \
        to_xlsx([("Directory", EXPORT_COLUMNS, rows)])


def template_file(fmt: str) -> bytes:
    """An empty sheet with the import columns; the XLSX also explains them and lists skills."""
    header = list(COLUMNS)
    if fmt == "csv":
        return to_csv(header, [])
    skills = db.session.scalars(select(Skill).where(Skill.status == "approved"))
    vocabulary = sorted(([s.category.name, s.name, ", ".join(s.synonym_list)] for s in skills),
                        key=lambda r: (r[0], r[1].lower()))
    relations = [[f"{k} ({v.lower()})", ""] for k, v in RELATIONS.items() if k != "develop"]
    return to_xlsx([
        ("Staff", header, []),
        ("How to fill this in", ["Column", "What to put in it"],
         [[c, help_] for c, help_ in COLUMNS.items()] + [["", ""], ["Words for skills", ""]]
         + relations),
        ("Skills", ["Category", "Skill", "Other names"], vocabulary),
    ])
