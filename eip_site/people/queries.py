"""Reads for people and school pages: a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, func, or_, select

from ..data_version import Remembered
from ..extensions import db
from ..text_index import contains
from .models import School, User, UserRole

PAGE_SIZE = 25


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt, page: int, per_page: int = PAGE_SIZE, row=None) -> Page:
    """A page of ``stmt``'s entities, or of its rows made into ``row`` objects."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    items = [row(*r) for r in db.session.execute(stmt)] if row \
        else list(db.session.scalars(stmt).unique())
    return Page(items, total, page, per_page)


def schools(include_inactive: bool = True) -> list[School]:
    stmt = select(School).order_by(School.name)
    if not include_inactive:
        stmt = stmt.where(School.active.is_(True))
    return list(db.session.scalars(stmt))


_SCHOOL_NAMES = select(School.id, School.name).order_by(School.name)
_ACTIVE_SCHOOL_NAMES = _SCHOOL_NAMES.where(School.active.is_(True))


def school_names(include_inactive: bool = False) -> list[Row]:
    """(id, name) rows for a choice list (also ``.id``, ``.name``): plain rows, far cheaper
    than 200 School objects."""
    return list(db.session.execute(_SCHOOL_NAMES if include_inactive else _ACTIVE_SCHOOL_NAMES))


_REMEMBERED_SCHOOLS = Remembered(size=1)


def active_school_names(people_stamp: str | None) -> list[Row]:
    """``school_names()``, remembered under the people stamp (see data_version), for the
    school filters that every directory and review list page shows."""
    return _REMEMBERED_SCHOOLS.get(people_stamp, "active", school_names)


def school_staff_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(User.school_id, func.count()).where(User.active.is_(True)).group_by(User.school_id)
    )
    return {school_id: n for school_id, n in rows}


def users(*, q: str = "", school_ids: list[int] | None = None, school_id: int | None = None,
          role: str = "", status: str = "", page: int = 1) -> Page:
    """Accounts for the admin list. ``school_ids`` limits what a head sees (None: all)."""
    stmt = select(User).order_by(User.name, User.id)
    if school_ids is not None:
        stmt = stmt.where(User.school_id.in_(school_ids))
    if school_id:
        stmt = stmt.where(User.school_id == school_id)
    if q:
        stmt = stmt.where(or_(contains(User.name, q), contains(User.email, q),
                              contains(User.job_title, q)))
    if role == "staff":
        stmt = stmt.where(~User.role_rows.any())
    elif role:
        stmt = stmt.where(User.role_rows.any(UserRole.role == role))
    invited = User.password_hash.is_(None) & User.last_login_at.is_(None)  # User.invited
    if status == "active":
        stmt = stmt.where(User.active.is_(True), ~invited)
    elif status == "invited":
        stmt = stmt.where(User.active.is_(True), invited)
    elif status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    return paginate(stmt, page)
