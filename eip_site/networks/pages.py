"""What the networks' own pages read: the list of networks, a network's page and its
meetings, a meeting's page (its agenda, and with its minutes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, case, func, or_, select, union_all

from ..extensions import db
from ..people.models import School, User
from . import permissions
from .models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingAnswer,
    MeetingState,
    MinutesRevision,
    Network,
    NetworkMember,
    PlanRow,
    is_overdue,
)
from .queries import ACTION_USERS, ITEM_PEOPLE, NETWORK_USERS, meeting, members_of, network, \
    no_roles, people_of


def networks_list() -> list[tuple[Network, int]]:
    """Every network with its number of members, running ones first."""
    members = (select(NetworkMember.network_id, func.count().label("n"))
               .where(NetworkMember.status == "member")
               .group_by(NetworkMember.network_id).subquery())
    order = case((Network.status == "sponsored", 0), (Network.status == "proposed", 1), else_=2)
    rows = db.session.execute(
        select(Network, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.network_id == Network.id)
        .options(*no_roles(*NETWORK_USERS)).order_by(order, Network.name)).all()
    return [(n, count) for n, count in rows]


def my_network_ids(user_id: int) -> dict[int, str]:
    rows = db.session.execute(select(NetworkMember.network_id, NetworkMember.status)
                              .where(NetworkMember.user_id == user_id)).all()
    return dict(rows)


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
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class ActionRow:
    """An action as a line of a list, with its owner's name."""
    id: int
    description: str
    due_on: date
    status: str
    owner_name: str
    owner_id: int | None = None

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_on)

    @staticmethod
    def select():
        return select(Action.id, Action.description, Action.due_on, Action.status, User.name,
                      Action.owner_id) \
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
    def unowned(self) -> set[int]:
        """Open actions whose owner is no longer in the network: they need a new owner."""
        people = {u.id for u in self.accepted}
        return {a.id for a in self.open_actions if a.owner_id not in people}

    @property
    def requests(self) -> list[NetworkMember]:
        return [m for m in self.members if m.status == "requested"]

    @property
    def schools(self) -> list[str]:
        return sorted({u.school.name for u in self.accepted if u.school})


def network_page(network_id: int, viewer: User) -> NetworkPage | None:
    net = network(network_id)
    if net is None:
        return None
    members = members_of(net, schools=True)
    membership = permissions.membership(viewer, net, members)
    editor = permissions.can_edit(viewer, net)
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
                  Meeting.online_link, School.name, Meeting.cancelled_at) \
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


# The pages' statements, built once (see extensions.get_with).
_LATEST = {insider: visible_meetings(insider, bindparam("network_id")).limit(RECENT_MEETINGS + 1)
           for insider in (True, False)}
_OPEN_ACTIONS = ActionRow.select().where(Action.network_id == bindparam("network_id"),
                                         Action.status == "open")
_PLAN = select(PlanRow).where(PlanRow.network_id == bindparam("network_id")) \
    .order_by(PlanRow.position)
_NEIGHBOURS = _neighbours()
_ANSWERS = select(MeetingAnswer).where(MeetingAnswer.meeting_id == bindparam("meeting_id"))
_SCHOOL_NAMES = select(School.id, School.name).where(School.id.in_(bindparam("ids",
                                                                             expanding=True)))
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
    answers: dict[int, MeetingAnswer] = field(default_factory=dict)  # by person, one query
    school_names: dict[int, str] = field(default_factory=dict)

    @property
    def people(self) -> list[User]:
        return people_of(self.meeting.network, self.members)

    def by_school(self) -> list[tuple[str, dict[str, list[User]]]]:
        """The network's people by school: who is coming, who sent apologies, who has not
        answered (for the leader), schools by name."""
        schools: dict[str, dict[str, list[User]]] = {}
        for person in self.people:
            answer = self.answers.get(person.id)
            school = self.school_names.get(person.school_id, "No school")
            schools.setdefault(school, {"coming": [], "apologies": [], "none": []})[
                answer.answer if answer else "none"].append(person)
        return sorted(schools.items())

    @property
    def apologies(self) -> list[User]:
        return [p for p in self.people if p.id in self.answers
                and self.answers[p.id].answer == "apologies"]


def meeting_page(meeting_id: int, *, with_minutes: bool = False) -> MeetingPage | None:
    m = meeting(meeting_id)
    if m is None:
        return None
    items = list(db.session.scalars(_ITEMS, {"meeting_id": m.id}))
    previous, following = neighbours(m)
    page = MeetingPage(m, [i for i in items if i.status == "accepted"],
                       [i for i in items if i.status == "proposed"], previous, following,
                       matters_arising(m), members_of(m.network))
    page.answers = {a.user_id: a for a in db.session.scalars(_ANSWERS, {"meeting_id": m.id})}
    # The people's schools by id, in one query (their users are loaded without them).
    page.school_names = dict(db.session.execute(_SCHOOL_NAMES, {
        "ids": sorted({p.school_id for p in page.people if p.school_id})}).all())
    if with_minutes:
        page.attendance = {a.user_id: a for a in db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == m.id)
            .options(*no_roles((Attendance.user,))))}
        page.decisions = list(db.session.scalars(
            select(Decision).where(Decision.meeting_id == m.id).order_by(Decision.id)))
        page.actions = list(db.session.scalars(
            select(Action).where(Action.meeting_id == m.id).options(*no_roles(*ACTION_USERS))
            .order_by(Action.id)))
        for rev in db.session.scalars(
                select(MinutesRevision).join(AgendaItem, AgendaItem.id == MinutesRevision.item_id)
                .where(AgendaItem.meeting_id == m.id)
                .options(*no_roles((MinutesRevision.saved_by,)))
                .order_by(MinutesRevision.saved_at.desc(), MinutesRevision.id.desc())):
            page.revisions.setdefault(rev.item_id, []).append(rev)
    return page


def matters_arising(m: Meeting) -> list[ActionRow]:
    """Actions raised at earlier meetings of the network that were still open when this one
    started (for a meeting still to come: those open now)."""
    return [ActionRow(*r) for r in db.session.execute(
        _MATTERS, {"network_id": m.network_id, "starts_at": m.starts_at})]
