"""The directory written out as a spreadsheet, and the empty import template."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.models import (OFFERS, QUALIFICATIONS, RELATIONS, Offer, Qualification,
                                Skill, SkillCategory, UserSkill)
from ..extensions import db
from ..people.models import PHASES, User
from ..people.services import manageable_school_ids
from ..security import ADMIN, HEAD, LEAD
from .spreadsheets import COLUMNS, EXPORT_COLUMNS, to_csv, to_xlsx

SKILL_COLUMNS = ["email", "name", "school", "skill", "category", "relation"]


def export_rows(viewer: User | None = None) -> tuple[list[list], list[list]]:
    """Everyone the directory shows (active), as EXPORT_COLUMNS, and their skills one row
    each (SKILL_COLUMNS). An email is shown when the person shows it, or to those who manage
    the person's school (their head, leads), so that the file imports back for them; with no
    ``viewer``, only those shown. Five queries whatever the size."""
    users = list(db.session.scalars(
        select(User).where(User.active.is_(True))
        .options(selectinload(User.profile))))
    skills: dict[int, list[tuple[str, str, str]]] = {}
    for uid, name, relation, category in db.session.execute(
            select(UserSkill.user_id, Skill.name, UserSkill.relation, SkillCategory.name)
            .join(Skill, Skill.id == UserSkill.skill_id)
            .join(SkillCategory, SkillCategory.id == Skill.category_id)
            .where(Skill.status == "approved")):
        skills.setdefault(uid, []).append((name, relation, category))
    offers: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Offer.user_id, Offer.kind)):
        offers.setdefault(uid, []).append(OFFERS[kind])
    quals: dict[int, list[str]] = {}
    for uid, kind in db.session.execute(select(Qualification.user_id, Qualification.kind)):
        quals.setdefault(uid, []).append(QUALIFICATIONS[kind])
    managed = manageable_school_ids(viewer) if viewer is not None and viewer.has_role(
        HEAD, LEAD, ADMIN) else []
    order = list(RELATIONS)
    rows, skill_rows = [], []
    for user in sorted(users, key=lambda u: (u.school.name if u.school else "", u.name.lower())):
        profile = user.profile
        mine = sorted(skills.get(user.id, []), key=lambda s: (order.index(s[1]), s[0].lower()))
        shown = profile is None or profile.show_email or user == viewer or \
            managed is None or user.school_id in managed
        school = user.school.name if user.school else ""
        phases = profile.phases.split("|") if profile is not None and profile.phases else []
        rows.append([
            user.email if shown else "",
            user.name, user.job_title,
            user.school.urn if user.school else "", school,
            "; ".join(PHASES[p] for p in PHASES if p in phases),
            profile.subjects if profile is not None else "",
            "; ".join(f"{n}: {r}" for n, r, _c in mine if r != "develop"),
            "; ".join(n for n, r, _c in mine if r == "develop"),
            "; ".join(sorted(offers.get(user.id, []))),
            "yes" if profile is not None and profile.offers_paused else "no",
            profile.hours_per_term if profile is not None else 0,
            "; ".join(sorted(quals.get(user.id, []))),
        ])
        skill_rows += [[rows[-1][0], user.name, school, n, c, RELATIONS[r]] for n, r, c in mine]
    return rows, skill_rows


def export_file(fmt: str, viewer: User | None = None) -> bytes:
    """The CSV has the columns the import reads; the XLSX has them on its first sheet (the
    one the import reads) and each person's skills on the next, one row per skill."""
    rows, skill_rows = export_rows(viewer)
    return to_csv(EXPORT_COLUMNS, rows) if fmt == "csv" else \
        to_xlsx([("Directory", EXPORT_COLUMNS, rows), ("Skills", SKILL_COLUMNS, skill_rows)])


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
