"""Reads for the networks pages: a fixed, small number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, case, exists, func, or_, select, union_all
from sqlalchemy.orm import defaultload, lazyload

from ..clock import utcnow
from ..extensions import db, get_with
from ..people.models import School, User
from . import rules
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingState,
    MinutesRevision,
    Network,
    NetworkMember,
    PlanRow,
)


# Users shown on these pages need their names and schools, never their site roles: leave
# ``User.role_rows`` to load on access instead of one extra query per relationship. Built
# once per set of paths: making loader options costs more than some of the queries.
@cache
def _no_roles(*paths, schools: bool = True) -> tuple:
    """Loader options for the users at ``paths``: never their roles, and their schools only
    if ``schools`` (each school joined is another table of columns on every row)."""
    options = []
    for path in paths:
        option = defaultload(path[0])
        for step in path[1:]:
            option = option.defaultload(step)
        options.append(option.lazyload(User.role_rows))
        if not schools:
            options.append(option.lazyload(User.school))
    return tuple(options)


# For lists that show names and dates only: none of the row's relationships loaded.
BARE = (lazyload("*"),)
# A meeting as a link: its network's name, not the network's people or the venue.
MEETING_LINK = (lazyload(Meeting.school), lazyload(Meeting.minutes_approved_by),
                defaultload(Meeting.network).lazyload("*"))

# An action in "My actions": its meeting's date and network's name, nothing further (the
# default joins reached fifteen tables, which PostgreSQL took ~13 ms to plan).
ACTION_ROW = (lazyload(Action.owner), defaultload(Action.network).lazyload("*"),
              defaultload(Action.meeting).lazyload("*"))

NETWORK_USERS = [(Network.leader,), (Network.critical_friend,)]
MEETING_USERS = [(Meeting.network, Network.leader), (Meeting.network, Network.critical_friend),
                 (Meeting.minutes_approved_by,)]
ACTION_USERS = [(Action.owner,), (Action.network, Network.leader),
                (Action.network, Network.critical_friend),
                *[(Action.meeting, *p) for p in MEETING_USERS]]
# Presenters and proposers are the network's people, whom the page loads anyway: read from
# the session's identity map when the page shows them, not joined (four joins) per item.
ITEM_PEOPLE = (lazyload(AgendaItem.presenter), lazyload(AgendaItem.proposed_by))


def networks_list() -> list[tuple[Network, int]]:
    """Every network with its number of members, running ones first."""
    members = (select(NetworkMember.network_id, func.count().label("n"))
               .where(NetworkMember.status == "member")
               .group_by(NetworkMember.network_id).subquery())
    order = case((Network.status == "sponsored", 0), (Network.status == "proposed", 1), else_=2)
    rows = db.session.execute(
        select(Network, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.network_id == Network.id)
        .options(*_no_roles(*NETWORK_USERS)).order_by(order, Network.name)).all()
    return [(n, count) for n, count in rows]


def my_network_ids(user_id: int) -> dict[int, str]:
    rows = db.session.execute(select(NetworkMember.network_id, NetworkMember.status)
                              .where(NetworkMember.user_id == user_id)).all()
    return dict(rows)


_NETWORK = select(Network).where(Network.id == bindparam("id")) \
    .options(*_no_roles(*NETWORK_USERS))


def network(network_id: int) -> Network | None:
    return get_with(_NETWORK, Network, network_id)


RECENT_MEETINGS = 8  # on a network's page; the rest are one link away


@dataclass(frozen=True)
class MeetingRow(MeetingState):
    """A meeting as a line of a list: the columns it shows, not the meeting and its joins."""
    id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    place: str
    online_link: str
    school_name: str | None


@dataclass(frozen=True)
class ActionRow:
    """An action as a line of a list, with its owner's name."""
    id: int
    description: str
    due_on: date
    status: str
    owner_name: str

    overdue = Action.overdue

    @staticmethod
    def select():
        return select(Action.id, Action.description, Action.due_on, Action.status, User.name) \
            .join(User, User.id == Action.owner_id).order_by(Action.due_on, Action.id)


@dataclass
class NetworkPage:
    network: Network
    members: list[NetworkMember]
    membership: str | None   # the viewer's: 'member', 'requested' or None
    can_edit: bool
    meetings: list[MeetingRow]  # the latest the viewer may see, up to RECENT_MEETINGS
    more_meetings: bool
    open_actions: list[ActionRow]
    plan: list[PlanRow]

    @property
    def accepted(self) -> list[User]:
        return people_of(self.network, self.members)

    @property
    def requests(self) -> list[NetworkMember]:
        return [m for m in self.members if m.status == "requested"]

    @property
    def schools(self) -> list[str]:
        return sorted({u.school.name for u in self.accepted if u.school})


def people_of(network: Network, members: list[NetworkMember]) -> list[User]:
    """Leader, critical friend and accepted members, each once, by name."""
    people = {network.leader.id: network.leader}
    if network.critical_friend:
        people[network.critical_friend.id] = network.critical_friend
    for m in members:
        if m.status == "member":
            people.setdefault(m.user.id, m.user)
    return sorted(people.values(), key=lambda u: u.name)


def members_of(network: Network, *, schools: bool = False) -> list[NetworkMember]:
    """Everyone who has joined or asked to (with their schools if ``schools``): one query."""
    return list(db.session.scalars(_MEMBERS[schools], {"network_id": network.id}))


def network_page(network_id: int, viewer: User) -> NetworkPage | None:
    net = network(network_id)
    if net is None:
        return None
    members = members_of(net, schools=True)
    membership = rules.membership(viewer, net, members)
    editor = rules.can_edit(viewer, net)
    insider = editor or membership == "member"
    meetings, more = [], False
    if insider or net.is_open:  # outsiders see an open network's published meetings only
        meetings = [MeetingRow(*r) for r in db.session.execute(_LATEST[insider],
                                                              {"network_id": net.id})]
        meetings, more = meetings[:RECENT_MEETINGS], len(meetings) > RECENT_MEETINGS
    actions = [ActionRow(*r) for r in db.session.execute(
        _OPEN_ACTIONS, {"network_id": net.id})] if insider else []
    plan = list(db.session.scalars(_PLAN, {"network_id": net.id}))
    return NetworkPage(net, members, membership, editor, meetings, more, actions, plan)


def visible_meetings(insider: bool, network_id):
    """A network's meetings as rows, latest first: every one for its leader, critical
    friend, members and the leads (``insider``); from a published agenda on for anyone
    else. ``network_id``: an id, or a bind parameter for a statement built once."""
    stmt = _meeting_rows().where(Meeting.network_id == network_id) \
        .order_by(Meeting.starts_at.desc(), Meeting.id)
    return stmt if insider else stmt.where(Meeting.state != "draft")


def _meeting_rows():
    return select(Meeting.id, Meeting.starts_at, Meeting.ends_at, Meeting.state, Meeting.place,
                  Meeting.online_link, School.name) \
        .outerjoin(School, School.id == Meeting.school_id)


def _neighbours():
    around = (Meeting.network_id == bindparam("network_id"), Meeting.id != bindparam("id"))
    before = _meeting_rows().where(*around, Meeting.starts_at < bindparam("starts_at")) \
        .order_by(Meeting.starts_at.desc()).limit(1).subquery()
    after = _meeting_rows().where(*around, Meeting.starts_at > bindparam("starts_at")) \
        .order_by(Meeting.starts_at).limit(1).subquery()
    return union_all(select(before), select(after))


def neighbours(m: Meeting) -> tuple[MeetingRow | None, MeetingRow | None]:
    """The network's meetings just before and just after ``m``, in one query."""
    rows = [MeetingRow(*r) for r in db.session.execute(_NEIGHBOURS, {
        "network_id": m.network_id, "id": m.id, "starts_at": m.starts_at})]
    return (next((r for r in rows if r.starts_at < m.starts_at), None),
            next((r for r in rows if r.starts_at > m.starts_at), None))


# The network and meeting pages' statements, built once (see extensions.get_with).
_MEMBERS = {schools: select(NetworkMember)
            .where(NetworkMember.network_id == bindparam("network_id"))
            .options(*_no_roles((NetworkMember.user,), schools=schools))
            for schools in (True, False)}
_LATEST = {insider: visible_meetings(insider, bindparam("network_id")).limit(RECENT_MEETINGS + 1)
           for insider in (True, False)}
_OPEN_ACTIONS = ActionRow.select().where(Action.network_id == bindparam("network_id"),
                                         Action.status == "open")
_PLAN = select(PlanRow).where(PlanRow.network_id == bindparam("network_id")) \
    .order_by(PlanRow.position)
_NEIGHBOURS = _neighbours()
# The meeting's pages name its people but never their schools: 102 columns over nine tables
# became 75 over six.
_MEETING = select(Meeting).where(Meeting.id == bindparam("id")) \
    .options(*_no_roles(*MEETING_USERS, schools=False))
_ITEMS = select(AgendaItem).where(AgendaItem.meeting_id == bindparam("meeting_id")) \
    .options(*ITEM_PEOPLE).order_by(AgendaItem.position, AgendaItem.id)
# The meeting's network named twice: it lets the database read the network's few earlier
# meetings by their index rather than all 3,000 (PostgreSQL 0.9 -> 0.5 ms).
_MATTERS = ActionRow.select().join(Meeting, Meeting.id == Action.meeting_id).where(
    Action.network_id == bindparam("network_id"), Meeting.network_id == bindparam("network_id"),
    Meeting.starts_at < bindparam("starts_at"),
    or_(Action.status == "open", Action.done_at > bindparam("starts_at")))


@dataclass
class MeetingPage:
    meeting: Meeting
    items: list[AgendaItem]
    proposed: list[AgendaItem]
    previous: MeetingRow | None
    next: MeetingRow | None
    matters: list[ActionRow]       # actions carried forward into matters arising
    members: list[NetworkMember]
    attendance: dict[int, Attendance] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    revisions: dict[int, list[MinutesRevision]] = field(default_factory=dict)

    @property
    def people(self) -> list[User]:
        return people_of(self.meeting.network, self.members)


def meeting(meeting_id: int) -> Meeting | None:
    return get_with(_MEETING, Meeting, meeting_id)


def meeting_page(meeting_id: int, *, with_minutes: bool = False) -> MeetingPage | None:
    m = meeting(meeting_id)
    if m is None:
        return None
    items = list(db.session.scalars(_ITEMS, {"meeting_id": m.id}))
    previous, following = neighbours(m)
    page = MeetingPage(m, [i for i in items if i.status == "accepted"],
                       [i for i in items if i.status == "proposed"], previous, following,
                       matters_arising(m), members_of(m.network))
    if with_minutes:
        page.attendance = {a.user_id: a for a in db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == m.id)
            .options(*_no_roles((Attendance.user,))))}
        page.decisions = list(db.session.scalars(
            select(Decision).where(Decision.meeting_id == m.id).order_by(Decision.id)))
        page.actions = list(db.session.scalars(
            select(Action).where(Action.meeting_id == m.id).options(*_no_roles(*ACTION_USERS))
            .order_by(Action.id)))
        for rev in db.session.scalars(
                select(MinutesRevision).join(AgendaItem, AgendaItem.id == MinutesRevision.item_id)
                .where(AgendaItem.meeting_id == m.id)
                .options(*_no_roles((MinutesRevision.saved_by,)))
                .order_by(MinutesRevision.saved_at.desc(), MinutesRevision.id.desc())):
            page.revisions.setdefault(rev.item_id, []).append(rev)
    return page


def matters_arising(m: Meeting) -> list[ActionRow]:
    """Actions raised at earlier meetings of the network that were still open when this one
    started (for a meeting still to come: those open now)."""
    return [ActionRow(*r) for r in db.session.execute(
        _MATTERS, {"network_id": m.network_id, "starts_at": m.starts_at})]


def my_actions(user_id: int, *, include_done: bool = False) -> list[Action]:
    """My actions across networks, overdue first (oldest due date first), then done."""
    stmt = select(Action).where(Action.owner_id == user_id)
    if not include_done:
        stmt = stmt.where(Action.status == "open")
    return list(db.session.scalars(
        stmt.options(*ACTION_ROW)
        .order_by(case((Action.status == "open", 0), else_=1), Action.due_on, Action.id)
        .limit(500)))


def my_next_actions(user_id: int, today: date, *, limit: int) -> tuple[list[Action], int]:
    """For the home page: my first few open actions, soonest due first, and how many of all
    my open actions are overdue (two small queries, whatever I own)."""
    params = {"user_id": user_id, "today": today, "limit": limit}
    return list(db.session.scalars(_NEXT_ACTIONS, params)), \
        db.session.scalar(_OVERDUE_COUNT, params)


_MY_OPEN = (Action.owner_id == bindparam("user_id")) & (Action.status == "open")
_OVERDUE_COUNT = select(func.count()).select_from(Action) \
    .where(_MY_OPEN, Action.due_on < bindparam("today"))
_NEXT_ACTIONS = select(Action).where(_MY_OPEN).options(*BARE) \
    .order_by(Action.due_on, Action.id).limit(bindparam("limit"))


def action(action_id: int) -> Action | None:
    return db.session.get(Action, action_id)


def item(meeting_id: int, item_id: int) -> AgendaItem | None:
    row = db.session.get(AgendaItem, item_id)
    return row if row is not None and row.meeting_id == meeting_id else None


def plan_row(network_id: int, row_id: int) -> PlanRow | None:
    row = db.session.get(PlanRow, row_id)
    return row if row is not None and row.network_id == network_id else None


def schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.active.is_(True))
                                   .order_by(School.name)))


def active_people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True))
                                   .order_by(User.name)))


# --- Leads' roll-up ----------------------------------------------------------------------

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
    return list(db.session.scalars(_lonely(options or _no_roles(*NETWORK_USERS)),
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
        select(Action).where(Action.status == "open", Action.due_on < today)
        .options(lazyload(Action.meeting), defaultload(Action.network).lazyload(Network.leader),
                 defaultload(Action.network).lazyload(Network.critical_friend),
                 *_no_roles((Action.owner,)))
        .order_by(Action.due_on, Action.id).limit(200)))
    decisions = list(db.session.scalars(
        select(Decision).join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Meeting.starts_at >= t_start_dt, Meeting.starts_at < t_end_dt)
        .order_by(Meeting.starts_at.desc(), Decision.id).limit(200)))
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_({d.meeting_id for d in decisions}))
        .options(*_no_roles(*MEETING_USERS)))} \
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


def my_meetings(user_id: int, since: datetime, *, limit: int = 500,
                options=()) -> list[Meeting]:
    """Meetings from ``since`` of the networks a person leads, befriends or belongs to: the
    published ones, and drafts too for the leader and critical friend who prepare them."""
    return list(db.session.scalars(_my_meetings(options), {
        "user_id": user_id, "since": since, "limit": limit}))


@cache
def _my_meetings(options: tuple):
    user = bindparam("user_id")
    mine = select(NetworkMember.network_id).where(NetworkMember.user_id == user,
                                                  NetworkMember.status == "member")
    runs = or_(Network.leader_id == user, Network.critical_friend_id == user)
    return select(Meeting).join(Network, Network.id == Meeting.network_id) \
        .where(Meeting.starts_at >= bindparam("since"), or_(Network.id.in_(mine), runs),
               or_(Meeting.state != "draft", runs)) \
        .options(*options).order_by(Meeting.starts_at).limit(bindparam("limit"))


def feed_meetings(user_id: int, since_days: int = 60) -> list[Meeting]:
    """For a calendar subscription: published meetings from two months back."""
    return [m for m in my_meetings(user_id, utcnow() - timedelta(days=since_days))
            if m.state != "draft"]


def overdue_by_network(today: date) -> list[tuple[str, int, int]]:
    """(network name, id, open actions past their due date), most overdue first."""
    return [tuple(r) for r in db.session.execute(_OVERDUE_BY_NETWORK, {"today": today})]


# Counted from the index on (status, network_id, due_on) alone, then named.
_OVERDUE = select(Action.network_id, func.count().label("n")) \
    .where(Action.status == "open", Action.due_on < bindparam("today")) \
    .group_by(Action.network_id).subquery()
_OVERDUE_BY_NETWORK = select(Network.name, Network.id, _OVERDUE.c.n) \
    .join(_OVERDUE, _OVERDUE.c.network_id == Network.id) \
    .order_by(_OVERDUE.c.n.desc(), Network.name).limit(10)
