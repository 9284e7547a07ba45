"""Peer reviews: the review, its team, the days people and schools are booked, its history,
and the partnership's school calendar (terms and closures)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..directory.models import VOUCHED_QUALIFICATIONS
from ..extensions import db, one_of
from ..people.models import School, User

# The lifecycle, in order (DOMAIN.md, "Peer review"); "cancelled" can end any open state.
STATES = {
    "planned": "Planned",
    "proposed": "Team proposed",
    "confirmed": "Confirmed by host",
    "data_shared": "Data shared",
    "reviewed": "Review days held",
    "feedback": "Feedback given",
    "workshop_booked": "Workshop booked",
    "workshop_done": "Workshop held",
    "impact": "Impact review held",
    "closed": "Closed",
    "cancelled": "Cancelled",
}
OPEN_STATES = tuple(s for s in STATES if s not in ("closed", "cancelled"))
# States whose days hold people and the host school (bookings exist).
BOOKED_STATES = ("proposed", "confirmed", "data_shared")
# Who may be on a review team: these qualifications once confirmed, or the champion role.
REVIEWER_QUALIFICATIONS = VOUCHED_QUALIFICATIONS
MEMBER_ROLES = {"lead": "Lead reviewer", "reviewer": "Reviewer"}
BOOKING_KINDS = {"review": "Review", "workshop": "Improvement workshop"}
CLOSURE_KINDS = {"holiday": "Holiday", "inset": "INSET day", "closure": "Closure"}


class Term(db.Model):
    """A term of the academic year (autumn, spring, summer), partnership-wide."""

    __tablename__ = "term"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date] = mapped_column(Date(), index=True)
    end_date: Mapped[date] = mapped_column(Date())


class Closure(db.Model):
    """Days a school (or, without a school, every school) is closed: holidays, INSET days."""

    __tablename__ = "closure"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint(one_of("kind", CLOSURE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10), default="closure")
    start_date: Mapped[date] = mapped_column(Date(), index=True)
    end_date: Mapped[date] = mapped_column(Date())

    school: Mapped[School | None] = relationship(lazy="joined")


class Review(db.Model):
    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint(one_of("state", STATES), name="state"),
        CheckConstraint("days BETWEEN 1 AND 3", name="days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_school_id: Mapped[int] = mapped_column(
        ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    focus: Mapped[str] = mapped_column(String(300))          # "To what extent …?"
    focus_area: Mapped[str] = mapped_column(String(40))      # a skill category slug
    # The first and last review days and how many there are; the days themselves are the
    # ``review_day`` rows (school days: a Thursday three-day review is Thu, Fri and Mon).
    start_date: Mapped[date] = mapped_column(Date(), index=True)
    end_date: Mapped[date] = mapped_column(Date())
    days: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    champion_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    closed_day_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Findings: seen only by the host head, the team and leads.
    went_well: Mapped[str] = mapped_column(Text, default="", server_default="")
    to_develop: Mapped[str] = mapped_column(Text, default="", server_default="")  # one a line
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    safeguarding: Mapped[bool] = mapped_column(default=False, server_default="0")
    workshop_date: Mapped[date | None] = mapped_column(Date())
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    impact_date: Mapped[date | None] = mapped_column(Date())
    # Other days the host head offered when declining ("2027-02-01 2027-02-02"), until the
    # review is moved or a team proposed again.
    offered_dates: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    # Rises with every change a calendar should see (the .ics SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    host_school: Mapped[School] = relationship(lazy="joined")
    # Loaded when used: lists and the month grid need none of these.
    champion: Mapped[User | None] = relationship(foreign_keys=[champion_id])
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])
    members: Mapped[list["ReviewMember"]] = relationship(
        back_populates="review", cascade="all, delete-orphan",
        order_by="ReviewMember.position")
    day_rows: Mapped[list["ReviewDay"]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewDay.day")

    __mapper_args__ = {"version_id_col": version}

    @property
    def dates(self) -> list[date]:
        return [row.day for row in self.day_rows]

    @dates.setter
    def dates(self, days: list[date]) -> None:
        """The review's days (sorted), with the first, last and count kept beside them."""
        days = sorted(days)
        self.day_rows = [ReviewDay(day=d) for d in days]
        self.start_date, self.end_date, self.days = days[0], days[-1], len(days)

    @property
    def offered(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.offered_dates.split()]

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def lead_reviewer(self) -> User | None:
        return next((m.user for m in self.members if m.role == "lead"), None)

    @property
    def reviewers(self) -> list[User]:
        return [m.user for m in self.members if m.role == "reviewer"]

    @property
    def areas(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.to_develop.splitlines() if line.strip(" -•\t")]


class ReviewDay(db.Model):
    """A day of a review, as booked: kept as chosen even if the calendar changes later."""

    __tablename__ = "review_day"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True, index=True)  # the month grid


class ReviewMember(db.Model):
    __tablename__ = "review_member"
    __table_args__ = (CheckConstraint(one_of("role", MEMBER_ROLES), name="role"),)

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)

    review: Mapped[Review] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class Booking(db.Model):
    """One row per person per booked day: the unique key makes double booking impossible,
    even for two requests at the same moment."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("user_id", "day"),
        CheckConstraint(one_of("kind", BOOKING_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date(), index=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="review")


class HostDay(db.Model):
    """One row per host school per review day: a school never hosts two reviews at once."""

    __tablename__ = "host_day"
    __table_args__ = (UniqueConstraint("school_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date())
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True)


class Unavailable(db.Model):
    """A day a person has said they cannot review."""

    __tablename__ = "unavailable"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)


class ReviewEvent(db.Model):
    """The review's history: every transition and change, who made it and why."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # About the findings (recorded, with a safeguarding concern…): shown only to those who
    # may see the findings, like the findings themselves.
    findings: Mapped[bool] = mapped_column(default=False, server_default="0")

    actor: Mapped[User | None] = relationship(lazy="joined")


class CalendarFeed(db.Model):
    """The secret in a person's calendar subscription link; resetting it replaces the row."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
