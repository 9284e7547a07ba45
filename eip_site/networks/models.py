"""Networks, members, meetings, agenda items, attendance, minutes, decisions and actions."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import today, utcnow
from ..extensions import db, one_of
from ..people.models import School, User
from ..text_index import sqlite_text_index



NETWORK_STATUSES = {
    "proposed": "Proposed",
    "sponsored": "Sponsored",
    "declined": "Declined",
    "closed": "Closed",
}
MEMBER_STATUSES = {"requested": "Asked to join", "member": "Member"}
MEETING_STATES = {
    "draft": "Draft agenda",
    "published": "Agenda published",
    "held": "Held",
    "minutes_drafted": "Minutes drafted",
    "minutes_approved": "Minutes approved",
}
STATE_ORDER = list(MEETING_STATES)
ITEM_KINDS = {"information": "Information", "discussion": "Discussion", "decision": "Decision"}
# The fixed parts of the standard agenda; None is an ordinary item.
STANDARD_ITEMS = {
    "welcome": "Welcome and apologies",
    "minutes": "Minutes of the last meeting",
    "matters": "Matters arising",
    "aob": "Any other business",
    "next": "Date of next meeting",
}
ITEM_STATUSES = {"accepted": "On the agenda", "proposed": "Proposed"}
ATTENDANCE = {"present": "Present", "apologies": "Apologies", "absent": "Absent"}
ACTION_STATUSES = {"open": "Open", "done": "Done"}
# A member's answer before a meeting (MeetingAnswer).
ANSWERS = {"coming": "I'll be there", "apologies": "Apologies"}
# How a series repeats (MeetingSeries).
SERIES_PATTERNS = {"half_term": "Once each half term", "weeks": "Every few weeks"}
PLAN_STATUSES = {"not_started": "Not started", "in_progress": "In progress",
                 "done": "Done"}

# The proposal format (Croydon EIP): field -> label.
PROPOSAL_FIELDS = {
    "planned_work": "Existing and planned work",
    "resources": "Resources requested (people, funding)",
    "impact_pupils": "Intended impact on pupil learning",
    "impact_adults": "Intended impact on adult learning",
    "impact_leadership": "Leadership development",
    "innovation": "Innovation",
    "communication": "Communication",
}


class Network(db.Model):
    __tablename__ = "network"
    __table_args__ = (CheckConstraint(one_of("status", NETWORK_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed",
                                        server_default="proposed")
    is_open: Mapped[bool] = mapped_column(default=False, server_default="0")
    leader_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"),
                                           index=True)
    critical_friend_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    planned_work: Mapped[str] = mapped_column(Text, default="", server_default="")
    resources: Mapped[str] = mapped_column(Text, default="", server_default="")
    impact_pupils: Mapped[str] = mapped_column(Text, default="", server_default="")
    impact_adults: Mapped[str] = mapped_column(Text, default="", server_default="")
    impact_leadership: Mapped[str] = mapped_column(Text, default="", server_default="")
    innovation: Mapped[str] = mapped_column(Text, default="", server_default="")
    communication: Mapped[str] = mapped_column(Text, default="", server_default="")
    lead_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    leader: Mapped[User] = relationship(foreign_keys=[leader_id], lazy="joined")
    critical_friend: Mapped[User | None] = relationship(foreign_keys=[critical_friend_id],
                                                        lazy="joined")
    members: Mapped[list["NetworkMember"]] = relationship(
        back_populates="network", cascade="all, delete-orphan", lazy="select")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return NETWORK_STATUSES[self.status]


class NetworkMember(db.Model):
    __tablename__ = "network_member"
    __table_args__ = (CheckConstraint(one_of("status", MEMBER_STATUSES), name="status"),)

    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default="member", server_default="member")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    network: Mapped[Network] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class MeetingState:
    """What a meeting's state says: for the model and for rows read as plain columns."""

    @property
    def state_label(self) -> str:
        return MEETING_STATES[self.state]

    def reached(self, state: str) -> bool:
        return STATE_ORDER.index(self.state) >= STATE_ORDER.index(state)


class Meeting(MeetingState, db.Model):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(one_of("state", MEETING_STATES), name="state"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_network_starts", "network_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime())  # naive UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime())
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    online_link: Mapped[str] = mapped_column(String(300), default="", server_default="")
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    # iCalendar SEQUENCE: rises with every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(DateTime())
    minutes_approved_at: Mapped[datetime | None] = mapped_column(DateTime())
    minutes_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Cancelled meetings stay, so calendars are told (STATUS:CANCELLED under the same UID).
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime())
    draft_minutes_sent_at: Mapped[datetime | None] = mapped_column(DateTime())

    network: Mapped[Network] = relationship(lazy="joined")
    school: Mapped[School | None] = relationship(lazy="joined")
    minutes_approved_by: Mapped[User | None] = relationship(lazy="joined")
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        order_by="AgendaItem.position", lazy="select")

    __mapper_args__ = {"version_id_col": version}


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint(one_of("kind", ITEM_KINDS), name="kind"),
        CheckConstraint(one_of("status", ITEM_STATUSES), name="status"),
        CheckConstraint("duration BETWEEN 0 AND 240", name="duration"),
        Index("ix_agenda_item_meeting_position", "meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    standard: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="discussion")
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    duration: Mapped[int] = mapped_column(Integer, default=10)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(10), default="accepted", server_default="accepted")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    minutes: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    presenter: Mapped[User | None] = relationship(foreign_keys=[presenter_id], lazy="joined")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return ITEM_KINDS[self.kind]


sqlite_text_index(AgendaItem.__table__, "title")


class MinutesRevision(db.Model):
    """An earlier text of an item's minutes, kept whenever it is replaced."""

    __tablename__ = "minutes_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"),
                                         index=True)
    text: Mapped[str] = mapped_column(Text)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    saved_by: Mapped[User | None] = relationship(lazy="joined")


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (CheckConstraint(one_of("status", ATTENDANCE), name="status"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    # The school they came from, kept so attendance by school survives a move.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10))

    user: Mapped[User] = relationship(lazy="joined")


class Decision(db.Model):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id",
                                                           ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class Action(db.Model):
    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATUSES), name="status"),
        Index("ix_action_owner_status", "owner_id", "status"),
        Index("ix_action_network_status", "network_id", "status"),
        Index("ix_action_status_network_due", "status", "network_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id",
                                                           ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    due_on: Mapped[date] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(6), default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    owner: Mapped[User] = relationship(lazy="joined")
    network: Mapped[Network] = relationship(lazy="joined")
    meeting: Mapped[Meeting] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES[self.status]

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_on)

    @classmethod
    def overdue_where(cls, today):
        """The same rule in SQL: ``today`` a date or a bind parameter."""
        return (cls.status == "open") & (cls.due_on < today)


def is_overdue(status: str, due_on: date | None) -> bool:
    """The one rule for an overdue action: not done, and due before today (London's date),
    whatever page or meeting shows it."""
    return status == "open" and due_on is not None and due_on < today()


class PlanRow(db.Model):
    """A row of a network's action plan."""

    __tablename__ = "plan_row"
    __table_args__ = (
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
        UniqueConstraint("network_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[str] = mapped_column(String(300))
    timescale: Mapped[str] = mapped_column(String(120), default="", server_default="")
    resources: Mapped[str] = mapped_column(String(300), default="", server_default="")
    involved: Mapped[str] = mapped_column(String(300), default="", server_default="")
    success_criteria: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default="not_started",
                                        server_default="not_started")
    progress: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class MeetingAnswer(db.Model):
    """A member's answer before the meeting: coming, or apologies with an optional note."""

    __tablename__ = "meeting_answer"
    __table_args__ = (CheckConstraint(one_of("answer", ANSWERS), name="answer"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    answer: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    @property
    def label(self) -> str:
        return ANSWERS[self.answer]


class MeetingSeries(db.Model):
    """Meetings arranged together: once each half term (the Nth week's weekday, weeks counted
    from the half term's first week) or every N weeks, in term time only."""

    __tablename__ = "meeting_series"
    __table_args__ = (
        CheckConstraint(one_of("pattern", SERIES_PATTERNS), name="pattern"),
        CheckConstraint("weekday BETWEEN 0 AND 4", name="weekday"),
        CheckConstraint("week BETWEEN 1 AND 7", name="week"),
        CheckConstraint("every BETWEEN 1 AND 12", name="every"),
        CheckConstraint("last_day >= first_day", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"),
                                            index=True)
    pattern: Mapped[str] = mapped_column(String(10))
    weekday: Mapped[int] = mapped_column(Integer)   # Monday 0
    week: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    every: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    first_day: Mapped[date] = mapped_column(Date())
    last_day: Mapped[date] = mapped_column(Date())
    starts: Mapped[time] = mapped_column(Time())    # London wall-clock
    ends: Mapped[time] = mapped_column(Time())
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    online_link: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    @property
    def pattern_text(self) -> str:
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")[self.weekday]
        times = f"{self.starts:%H:%M}–{self.ends:%H:%M}"
        if self.pattern == "half_term":
            return f"each half term, {day} of week {self.week}, {times}"
        every = "every week" if self.every == 1 else f"every {self.every} weeks"
        return f"{day}s {every} in term time, {times}"


class SeriesMeeting(db.Model):
    """A meeting arranged in a series (a table of its own: a foreign key added to the meeting
    table would rebuild it on SQLite, which drops its triggers and cascades)."""

    __tablename__ = "series_meeting"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id", ondelete="CASCADE"),
                                           index=True)
