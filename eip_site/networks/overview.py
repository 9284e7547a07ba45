"""The leads' roll-up: this term's overdue actions, decisions, networks whose critical friend
has not come, and attendance by school this year (the overview page and the home page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import and_, bindparam, case, exists, func, select
from sqlalchemy.orm import defaultload, lazyload

from ..extensions import db
from ..people.models import School
from .models import Action, Attendance, Decision, Meeting, Network
from .queries import MEETING_USERS, NETWORK_USERS, no_roles


def term_bounds(today: date) -> tuple[date, date, str]:
    """English school terms as the partnership counts them: Sept–Dec, Jan–Mar, Apr–Aug."""
    if today.month >= 9:
        return date(today.year, 9, 1), date(today.year + 1, 1, 1), f"autumn term {today.year}"
    if today.month <= 3:
        return date(today.year, 1, 1), date(today.year, 4, 1), f"spring term {today.year}"
    return date(today.year, 4, 1), date(today.year, 9, 1), f"summer term {today.year}"


def year_start(today: date, start_month: int = 9) -> date:
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1)


def without_critical_friend(start: datetime, end: datetime, *,
                            options=None) -> list[Network]:
    """Sponsored networks whose critical friend was present at none of their meetings
    between ``start`` and ``end`` (with their leader and friend, unless ``options`` say)."""
    return list(db.session.scalars(_lonely(options or no_roles(*NETWORK_USERS)),
                                   {"start": start, "end": end}))


@cache
def _lonely(options: tuple):
    # Per network (NOT EXISTS): its few meetings in the term by the (network, start) index,
    # then the friend's attendance by primary key; never a scan of all attendance.
    met = (select(Meeting.id)
           .join(Attendance, and_(Attendance.meeting_id == Meeting.id,
                                  Attendance.user_id == Network.critical_friend_id))
           .where(Meeting.network_id == Network.id, Attendance.status == "present",
                  Meeting.starts_at >= bindparam("start"), Meeting.starts_at < bindparam("end")))
    return select(Network).where(Network.status == "sponsored", ~exists(met)) \
        .options(*options).order_by(Network.name)


@dataclass
class Overview:
    term: str
    overdue: list[Action]
    decisions: list[Decision]
    decision_meetings: dict[int, Meeting]
    no_critical_friend: list[Network]
    attendance: list[tuple[str, int, int, int]]  # school, present, apologies, absent


def overview(today: date, start_month: int = 9) -> Overview:
    t_start, t_end, term = term_bounds(today)
    t_start_dt, t_end_dt = datetime.combine(t_start, datetime.min.time()), \
        datetime.combine(t_end, datetime.min.time())
    # Only the owner's and network's names are shown: the rest of the joins are left out.
    overdue = list(db.session.scalars(
        select(Action).where(Action.overdue_where(today))
        .options(lazyload(Action.meeting), defaultload(Action.network).lazyload(Network.leader),
                 defaultload(Action.network).lazyload(Network.critical_friend),
                 *no_roles((Action.owner,)))
        .order_by(Action.due_on, Action.id).limit(200)))
    decisions = list(db.session.scalars(
        select(Decision).join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Meeting.starts_at >= t_start_dt, Meeting.starts_at < t_end_dt)
        .order_by(Meeting.starts_at.desc(), Decision.id).limit(200)))
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_({d.meeting_id for d in decisions}))
        .options(*no_roles(*MEETING_USERS)))} \
        if decisions else {}
    lonely = without_critical_friend(t_start_dt, t_end_dt)
    y_start = datetime.combine(year_start(today, start_month), datetime.min.time())
    counts = db.session.execute(
        select(School.name,
               func.sum(case((Attendance.status == "present", 1), else_=0)),
               func.sum(case((Attendance.status == "apologies", 1), else_=0)),
               func.sum(case((Attendance.status == "absent", 1), else_=0)))
        .select_from(Attendance)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(School, School.id == Attendance.school_id)
        .where(Meeting.starts_at >= y_start)
        .group_by(School.name).order_by(School.name)).all()
    return Overview(term, overdue, decisions, meetings, lonely,
                    [(name, int(p or 0), int(a or 0), int(x or 0)) for name, p, a, x in counts])


def overdue_by_network(today: date) -> list[tuple[str, int, int]]:
    """(network name, id, open actions past their due date), most overdue first."""
    return [tuple(r) for r in db.session.execute(_OVERDUE_BY_NETWORK, {"today": today})]


# Counted from the index on (status, network_id, due_on) alone, then named.
_OVERDUE = select(Action.network_id, func.count().label("n")) \
    .where(Action.overdue_where(bindparam("today"))) \
    .group_by(Action.network_id).subquery()
_OVERDUE_BY_NETWORK = select(Network.name, Network.id, _OVERDUE.c.n) \
    .join(_OVERDUE, _OVERDUE.c.network_id == Network.id) \
    .order_by(_OVERDUE.c.n.desc(), Network.name).limit(10)
