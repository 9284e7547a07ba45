"""Partnership, schools and the people in them."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask import g, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..clock import utcnow
from ..extensions import db, one_of
from ..security import ROLES, STAFF
from ..text_index import sqlite_text_index

PHASES = {
    "nursery": "Nursery",
    "infant": "Infant",
    "junior": "Junior",
    "primary": "Primary",
    "secondary": "Secondary",
    "all-through": "All-through",
    "special": "Special",
    "pru": "Pupil referral unit",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class Partnership(db.Model):
    """One row: the partnership this site serves."""

    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint("year_start_month BETWEEN 1 AND 12", name="year_start_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Academic years start on the 1st of this month (September in England).
    year_start_month: Mapped[int] = mapped_column(Integer, default=9, server_default="9")
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The most reviews a person may join in an academic year (None: no limit).
    max_reviews_per_year: Mapped[int | None] = mapped_column(Integer)
    # The privacy notice's partnership-specific parts (/privacy): who the data controller
    # is, how to reach the data protection officer, and anything the partnership adds.
    controller_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    dpo_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    privacy_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def current(cls) -> "Partnership":
        """The one partnership row, read once a request: kept on ``g``, because the session
        lets go of rows nothing refers to and would read it again for each caller."""
        if has_app_context() and "partnership" in g:
            return g.partnership
        return cls.remember(db.session.scalars(_PARTNERSHIP).first()
                            or cls(id=1, name="School partnership", year_start_month=9))

    def year_of(self, day: date) -> tuple[date, date]:
        """The academic year ``day`` falls in: its first day, and the next year's."""
        year = day.year if day.month >= self.year_start_month else day.year - 1
        return date(year, self.year_start_month, 1), date(year + 1, self.year_start_month, 1)

    @staticmethod
    def remember(row: "Partnership") -> "Partnership":
        """Keep ``row`` as the request's partnership (the user's loader reads it too)."""
        if has_app_context():
            g.partnership = row
        return row


# Built once: every page reads the row, and a statement made per call costs more than the read.
_PARTNERSHIP = select(Partnership).where(Partnership.id == 1)


class School(db.Model):
    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint("length(urn) = 6", name="urn_six_digits"),
        CheckConstraint(one_of("phase", PHASES), name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    urn: Mapped[str] = mapped_column(String(6), unique=True)
    phase: Mapped[str] = mapped_column(String(20))
    town: Mapped[str] = mapped_column(String(80), default="", server_default="")
    local_authority: Mapped[str] = mapped_column(String(80), default="", server_default="")
    website: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Single sign-on (auth/oidc.py): the school's Microsoft Entra tenant, whether a first
    # sign-in from one of its email domains makes a staff account, and whether its staff may
    # still sign in with a password.
    entra_tenant_id: Mapped[str] = mapped_column(String(36), default="", server_default="")
    sso_creates_accounts: Mapped[bool] = mapped_column(default=False, server_default="0")
    password_sign_in: Mapped[bool] = mapped_column(default=True, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @property
    def phase_label(self) -> str:
        return PHASES.get(self.phase, self.phase)


class SchoolDomain(db.Model):
    """An email domain of a school's staff: single sign-on matches people by it. A domain
    belongs to one school at most."""

    __tablename__ = "school_domain"
    __table_args__ = (CheckConstraint("domain = lower(domain)", name="domain_lower"),)

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)


class UserRole(db.Model):
    """A site role a user holds beyond ``staff``, which everyone has."""

    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(one_of("role", [r for r in ROLES if r != STAFF]), name="role"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        # The directory lists people by name, reading a page from the index (migration 0005).
        Index("ix_user_name_id", "name", "id"),
        # The few people no longer active (0011): a directory search counts a skill's holders
        # from the skill index less these, instead of reading every holder's row. Partial,
        # so no query about active people is ever planned on it.
        Index("ix_user_inactive", "id", sqlite_where=text("active IS 0"),
              postgresql_where=text("active IS false")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-case (checked by the database), so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="RESTRICT"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the login cookie: changing it ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime())
    # When the account was last deactivated (the retention rule erases it N months later)
    # and when it was erased (name and email replaced, privacy.erasure).
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime())
    erased_at: Mapped[datetime | None] = mapped_column(DateTime())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(), default=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    school: Mapped[School | None] = relationship(lazy="joined", innerjoin=False)
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("email")
    def _lower_email(self, _key, value: str) -> str:
        return value.strip().lower()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset({STAFF, *(r.role for r in self.role_rows)})

    def set_roles(self, roles) -> None:
        wanted = set(roles) - {STAFF}
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - {r.role for r in self.role_rows})
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def invited(self) -> bool:
        """Created, but has not yet set a password (nor signed in with a school account)."""
        return self.password_hash is None and self.last_login_at is None

    # The signed-in device's session (UserSession), set at sign-in or when a cookie is read.
    session_id = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.session_id}"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.name


# SQLite's substring index for the directory's search by name and job title (migration 0010;
# PostgreSQL has trigram indexes, 0007): scanning 10,000 people cost ~5 ms a search.
sqlite_text_index(User.__table__, "name", "job_title")
from .. import data_version  # noqa: E402,F401  (its table and triggers join the schema)
from .. import audit  # noqa: E402,F401  (the audit trail's table joins the schema)


class UserSession(db.Model):
    """One signed-in browser. The cookie carries its id; signing out deletes the row, so a
    copy of the cookie taken before stops working too. Only the SHA-256 of the id is kept."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")
