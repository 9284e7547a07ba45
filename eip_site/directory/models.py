"""The strengths-and-skills directory: a controlled vocabulary, and who relates to each skill how."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db, one_of
from ..people.models import User


# How a person relates to a skill, strongest first. "develop" is a wish, not a strength.
RELATIONS = {
    "train": "Can lead training",
    "mentor": "Can mentor or coach",
    "experience": "Has experience",
    "develop": "Wants to develop",
}
STRENGTHS = ("train", "mentor", "experience")

OFFERS = {
    "advice": "Drop-in advice",
    "training": "Staff training / INSET",
    "ect_mentoring": "ECT mentoring",
    "hosting": "Hosting visits",
    "coaching": "Coaching",
}

QUALIFICATIONS = {
    "npqh": "NPQ for Headship",
    "npqsl": "NPQ for Senior Leadership",
    "npqml": "NPQ for Leading Teaching / Middle Leadership",
    "npqsenco": "NPQ for SENCOs",
    "sle": "Specialist leader of education",
    "ect_mentor": "Trained ECT mentor",
    "peer_reviewer": "Trained peer reviewer",
    "champion": "Trained improvement champion",
}
# The qualifications that let someone join a review team: a head of their school or a lead
# confirms them, and until then they do not count.
VOUCHED_QUALIFICATIONS = ("peer_reviewer", "champion")

SKILL_STATUSES = ("approved", "suggested")
HELP_STATUSES = {
    "open": "Waiting for an answer",
    "accepted": "Accepted",
    "declined": "Declined",
    "done": "Done",
}


class SkillCategory(db.Model):
    __tablename__ = "skill_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Skill(db.Model):
    __tablename__ = "skill"
    __table_args__ = (CheckConstraint(one_of("status", SKILL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("skill_category.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # Other names people search by, separated by "|": "SEN|special educational needs".
    synonyms: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(10), default="approved", server_default="approved")
    suggested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    category: Mapped[SkillCategory] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def synonym_list(self) -> list[str]:
        return [s for s in self.synonyms.split("|") if s]


class Profile(db.Model):
    """What a person tells colleagues about themselves, beyond their account."""

    __tablename__ = "profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    phases: Mapped[str] = mapped_column(String(200), default="", server_default="")  # "|"-separated
    subjects: Mapped[str] = mapped_column(String(300), default="", server_default="")
    show_email: Mapped[bool] = mapped_column(default=True, server_default="1")
    offers_paused: Mapped[bool] = mapped_column(default=False, server_default="0")
    hours_per_term: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    user: Mapped[User] = relationship(backref=db.backref("profile", uselist=False,
                                                         lazy="select"))

    __mapper_args__ = {"version_id_col": version}


class UserSkill(db.Model):
    __tablename__ = "user_skill"
    __table_args__ = (
        CheckConstraint(one_of("relation", RELATIONS), name="relation"),
        # Covering: a search scores the holders of a skill from the index alone, and browsing
        # asks "does this person train (mentor…) in anything?" with one lookup (0005).
        Index("ix_user_skill_skill_relation_user", "skill_id", "relation", "user_id"),
        Index("ix_user_skill_user_relation", "user_id", "relation"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True
    )
    relation: Mapped[str] = mapped_column(String(12))

    skill: Mapped[Skill] = relationship(lazy="joined")


class _PersonKind:
    """One row for each kind a person has: what they offer, or what they hold."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)


class Offer(_PersonKind, db.Model):
    __tablename__ = "offer"
    __table_args__ = (CheckConstraint(one_of("kind", OFFERS), name="kind"),)


class Qualification(_PersonKind, db.Model):
    __tablename__ = "qualification"
    __table_args__ = (CheckConstraint(one_of("kind", QUALIFICATIONS), name="kind"),)

    # Set when a head of the person's school or a lead confirms it (VOUCHED_QUALIFICATIONS).
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class HelpRequest(db.Model):
    __tablename__ = "help_request"
    __table_args__ = (CheckConstraint(one_of("status", HELP_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                              index=True)
    to_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                            index=True)
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("skill.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    needed_by: Mapped[date | None] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    cross_school: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    from_user: Mapped[User] = relationship(foreign_keys=[from_user_id], lazy="joined")
    to_user: Mapped[User] = relationship(foreign_keys=[to_user_id], lazy="joined")
    skill: Mapped[Skill | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class SearchMiss(db.Model):
    """A search that found nobody: the words only, never who searched (unmet demand)."""

    __tablename__ = "search_miss"
    __table_args__ = (UniqueConstraint("term", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
