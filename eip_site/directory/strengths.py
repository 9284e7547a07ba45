"""The strengths map: skills (or categories) × schools, and the searches that found nobody.

A page costs the same few queries for 5 schools or 30, 10 people or 10,000: the schools,
the rows (skills or categories), one GROUP BY for every count, and for leads one GROUP BY
for unmet searches. Counting matches the directory search, so the number in a cell is the
number of people its link finds: active accounts that have signed in, at an active school
(or on the partnership staff, who count in the partnership total only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..people.models import Partnership, School, User
from ..people.queries import schools as active_schools
from ..clock import today as london_today
from .models import STRENGTHS, SearchMiss, Skill, SkillCategory, UserSkill

VIEWS = ("skills", "categories")
# How strong a cell is, by the number of people in it: the shade and its words.
LEVELS = {0: "No one", 1: "1 person", 2: "2 to 4 people", 3: "5 or more people"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def level(people: int) -> int:
    return 0 if people <= 0 else 1 if people == 1 else 2 if people <= 4 else 3


@dataclass
class Cell:
    """People at one school (or in the whole partnership) counted at their strongest."""

    train: int = 0
    mentor: int = 0
    experience: int = 0

    @property
    def people(self) -> int:
        return self.train + self.mentor + self.experience

    @property
    def level(self) -> int:
        return level(self.people)

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    def add(self, relation: str, n: int) -> None:
        setattr(self, relation, getattr(self, relation) + n)


@dataclass
class Row:
    id: int
    name: str
    search: dict[str, str]  # directory search parameters, without the school
    cells: dict[int, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)

    def cell(self, school_id: int) -> Cell:
        return self.cells.get(school_id) or Cell()

    @property
    def gap(self) -> bool:
        """No one anywhere in the partnership can train, mentor or has experience."""
        return self.total.people == 0


@dataclass
class Group:
    name: str | None
    rows: list[Row]


@dataclass
class StrengthsMap:
    view: str
    schools: list[School]
    groups: list[Group]

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def gaps(self) -> list[Row]:
        return [row for row in self.rows if row.gap]


def _rows(view: str) -> tuple[list[Group], dict[int, Row]]:
    """The table's rows with no counts yet: approved skills under their categories (one
    query, the category joined), or the categories themselves (one query)."""
    if view == "categories":
        categories = db.session.scalars(select(SkillCategory).order_by(
            SkillCategory.position, SkillCategory.name))
        rows = [Row(c.id, c.name, {"category": c.slug}) for c in categories]
        return [Group(None, rows)], {row.id: row for row in rows}
    skills = db.session.scalars(
        select(Skill).join(Skill.category).options(contains_eager(Skill.category))
        .where(Skill.status == "approved")
        .order_by(SkillCategory.position, SkillCategory.name, func.lower(Skill.name)))
    groups: list[Group] = []
    by_id: dict[int, Row] = {}
    for skill in skills:
        if not groups or groups[-1].name != skill.category.name:
            groups.append(Group(skill.category.name, []))
        row = Row(skill.id, skill.name, {"skill": str(skill.id)})
        groups[-1].rows.append(row)
        by_id[skill.id] = row
    return groups, by_id


def _counts(view: str):
    """(school id, skill or category id, strongest relation, people): one GROUP BY.

    Each person counts once per row, at their strongest relation to it: for a skill there is
    only one; for a category, someone who can train in phonics and mentor in maths counts
    once, as "train", so a cell's numbers add up to the people its link finds."""
    key = Skill.id if view == "skills" else Skill.category_id
    strongest = func.min(case(*[(UserSkill.relation == r, i) for i, r in enumerate(STRENGTHS)]))
    per_person = (
        select(User.school_id.label("school_id"), key.label("key"),
               strongest.label("best"))
        .select_from(UserSkill)
        .join(User, User.id == UserSkill.user_id)
        .join(Skill, Skill.id == UserSkill.skill_id)
        .outerjoin(School, School.id == User.school_id)
        .where(UserSkill.relation.in_(STRENGTHS), Skill.status == "approved",
               User.active.is_(True),
               or_(User.school_id.is_(None), School.active.is_(True)))
        .group_by(User.school_id, key, UserSkill.user_id)
        .subquery()
    )
    return db.session.execute(
        select(per_person.c.school_id, per_person.c.key, per_person.c.best, func.count())
        .group_by(per_person.c.school_id, per_person.c.key, per_person.c.best))


def strengths_map(view: str = "skills") -> StrengthsMap:
    view = view if view in VIEWS else "skills"
    schools = active_schools(include_inactive=False)
    groups, rows = _rows(view)
    for school_id, key, best, people in _counts(view):
        row = rows.get(key)
        if row is None:
            continue
        relation = STRENGTHS[int(best)]
        if school_id is not None:
            row.cells.setdefault(school_id, Cell()).add(relation, people)
        row.total.add(relation, people)
    return StrengthsMap(view, schools, groups)


# --- Unmet demand -------------------------------------------------------------------------

@dataclass
class Miss:
    term: str
    count: int
    last_month: str  # "2026-11"

    @property
    def month_label(self) -> str:
        year, _, month = self.last_month.partition("-")
        if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
            return self.last_month
        return f"{MONTHS[int(month) - 1]} {year}"


def academic_year_start(today: date, start_month: int) -> str:
    """The first month of the academic year ``today`` falls in, as "YYYY-MM"."""
    year = today.year if today.month >= start_month else today.year - 1
    return f"{year:04d}-{start_month:02d}"


def search_misses(today: date | None = None, limit: int = 50) -> list[Miss]:
    """This academic year's searches that found nobody, most frequent first. One query."""
    since = academic_year_start(today or london_today(),
                                Partnership.current().year_start_month)
    total = func.sum(SearchMiss.count)
    rows = db.session.execute(
        select(SearchMiss.term, total, func.max(SearchMiss.month))
        .where(SearchMiss.month >= since)
        .group_by(SearchMiss.term)
        .order_by(total.desc(), SearchMiss.term)
        .limit(limit))
    return [Miss(term, int(n), month) for term, n, month in rows]
